/* manifest.c: manifest.json of a bundle (format version 1) and the path rules both ends share. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "bundle.h"
#include "cleanup.h"
#include "sha256.h"
#include "xalloc.h"

const char *
source_status_name(enum source_status s)
{
	switch (s) {
	case SOURCE_OK:
		return "ok";
	case SOURCE_UNAVAILABLE:
		return "unavailable";
	case SOURCE_ERROR:
		return "error";
	case SOURCE_TRUNCATED:
		return "truncated";
	}
	return "error";
}

void
bundle_limits_default(struct bundle_limits *l)
{
	*l = (struct bundle_limits){
		.max_entries = BUNDLE_MAX_ENTRIES,
		.max_entry_size = BUNDLE_MAX_ENTRY_SIZE,
		.max_total = BUNDLE_MAX_TOTAL,
		.max_ratio = BUNDLE_MAX_RATIO,
		.max_path = BUNDLE_MAX_PATH,
		.max_manifest = BUNDLE_MAX_MANIFEST,
		.max_json_depth = BUNDLE_MAX_JSON_DEPTH,
	};
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 when it is not valid UTF-8. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
bundle_path_normalise(const char *in, size_t max, char **out, const char **why)
{
	size_t n = strlen(in);
	struct buf b = {0};
	const char *p = in;

	*out = NULL;
	if (n > max) {
		*why = "path is too long";
		return -EINVAL;
	}
	if (n == 0) {
		*why = "empty path";
		return -EINVAL;
	}
	if (in[0] == '/') {
		*why = "absolute path";
		return -EINVAL;
	}
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)in[i];
		size_t l;

		if (c < 0x20 || c == 0x7f) {
			*why = "control character in path";
			return -EINVAL;
		}
		l = utf8_len((const unsigned char *)in + i, n - i);
		if (l == 0) {
			*why = "path is not valid UTF-8";
			return -EINVAL;
		}
		i += l;
	}
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t cl = slash ? (size_t)(slash - p) : strlen(p);

		if (cl == 2 && p[0] == '.' && p[1] == '.') {
			buf_free(&b);
			*why = "path leaves the bundle";
			return -EINVAL;
		}
		if (cl > 0 && !(cl == 1 && p[0] == '.')) {
			if (b.len > 0)
				buf_addc(&b, '/');
			buf_add(&b, p, cl);
		}
		p += cl;
		if (*p == '/')
			p++;
	}
	if (b.len == 0) {
		buf_free(&b);
		*why = "empty path";
		return -EINVAL;
	}
	*out = buf_steal(&b, NULL);
	return 0;
}

/*
 * Deepest nesting of arrays and objects in JSON text, scanning bytes (strings
 * and escapes skipped) so that a hostile "[[[[..." is refused before jansson,
 * which recurses, ever sees it.  Stops counting once over max.
 */
static unsigned
json_depth(const char *s, size_t len, unsigned max)
{
	unsigned depth = 0, deepest = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"')
			in_string = true;
		else if (c == '[' || c == '{') {
			if (++depth > deepest)
				deepest = depth;
			if (deepest > max)
				return deepest;
		} else if ((c == ']' || c == '}') && depth > 0)
			depth--;
	}
	return deepest;
}

static int
fail(char **errmsg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(char **errmsg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*errmsg = xvasprintf(fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool
is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == SHA256_HEX_LEN;
}

/* Checks that obj[key] exists (unless optional) and has type t; *ret gets it. */
static int
want(const json_t *obj, const char *where, const char *key, json_type t, bool optional,
    json_t **ret, char **errmsg)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
		[JSON_INTEGER] = "an integer", [JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean", [JSON_NULL] = "null",
	};
	json_t *v = json_object_get(obj, key);

	if (ret)
		*ret = v;
	if (v == NULL) {
		if (optional)
			return 0;
		return fail(errmsg, BUNDLE_MANIFEST ": %s\"%s\" is missing", where, key);
	}
	if (json_typeof(v) != t && !(t == JSON_TRUE && json_is_boolean(v)))
		return fail(errmsg, BUNDLE_MANIFEST ": %s\"%s\" is not %s", where, key, names[t]);
	return 0;
}

/* Checks an array of objects whose keys (NULL-terminated lists) are strings / integers. */
static int
check_list(const json_t *m, const char *key, bool optional, const char *const *strings,
    const char *const *integers, const char *const *objects, char **errmsg)
{
	json_t *arr, *item;
	size_t i;
	int r;

	r = want(m, "", key, JSON_ARRAY, optional, &arr, errmsg);
	if (r < 0 || arr == NULL)
		return r;
	json_array_foreach(arr, i, item) {
		_cleanup_free_ char *where = xasprintf("%s[%zu]: ", key, i);

		if (!json_is_object(item))
			return fail(errmsg, BUNDLE_MANIFEST ": %s[%zu] is not an object", key, i);
		for (const char *const *k = strings; k && *k; k++)
			if ((r = want(item, where, *k, JSON_STRING, false, NULL, errmsg)) < 0)
				return r;
		for (const char *const *k = integers; k && *k; k++) {
			json_t *v;

			if ((r = want(item, where, *k, JSON_INTEGER, false, &v, errmsg)) < 0)
				return r;
			if (json_integer_value(v) < 0)
				return fail(errmsg, BUNDLE_MANIFEST ": %s\"%s\" is negative", where, *k);
		}
		for (const char *const *k = objects; k && *k; k++)
			if ((r = want(item, where, *k, JSON_OBJECT, false, NULL, errmsg)) < 0)
				return r;
	}
	return 0;
}

int
manifest_check(const json_t *m, const struct bundle_limits *lim, char **errmsg)
{
	static const char *const entry_str[] = {"path", "sha256", NULL};
	static const char *const entry_int[] = {"size", NULL};
	static const char *const source_str[] = {"name", "status", "detail", NULL};
	static const char *const redact_str[] = {"path", NULL};
	static const char *const redact_int[] = {"count", NULL};
	static const char *const redact_obj[] = {"rules", NULL};
	static const char *const skip_str[] = {"path", "reason", NULL};
	struct bundle_limits deflim;
	json_t *v, *host, *tool, *entries, *item;
	_cleanup_(json_decrefp) json_t *seen = NULL;
	json_int_t version;
	size_t i;
	int r;

	if (lim == NULL) {
		bundle_limits_default(&deflim);
		lim = &deflim;
	}
	if (!json_is_object(m))
		return fail(errmsg, BUNDLE_MANIFEST ": not a JSON object");
	if ((r = want(m, "", "format", JSON_STRING, false, &v, errmsg)) < 0)
		return r;
	if (strcmp(json_string_value(v), BUNDLE_FORMAT) != 0)
		return fail(errmsg, BUNDLE_MANIFEST ": format is \"%.64s\", not \"" BUNDLE_FORMAT "\"",
		    json_string_value(v));
	if ((r = want(m, "", "format_version", JSON_INTEGER, false, &v, errmsg)) < 0)
		return r;
	version = json_integer_value(v);
	if (version > BUNDLE_FORMAT_VERSION)
		return fail(errmsg, "unsupported format_version %lld (this triage reads %d)",
		    (long long)version, BUNDLE_FORMAT_VERSION);
	if (version < 1)
		return fail(errmsg, BUNDLE_MANIFEST ": invalid format_version %lld", (long long)version);
	if ((r = want(m, "", "collected_at", JSON_STRING, false, NULL, errmsg)) < 0 ||
	    (r = want(m, "", "host", JSON_OBJECT, false, &host, errmsg)) < 0 ||
	    (r = want(host, "host: ", "hostname", JSON_STRING, false, NULL, errmsg)) < 0 ||
	    (r = want(m, "", "tool", JSON_OBJECT, false, &tool, errmsg)) < 0 ||
	    (r = want(tool, "tool: ", "name", JSON_STRING, false, NULL, errmsg)) < 0 ||
	    (r = want(tool, "tool: ", "version", JSON_STRING, false, NULL, errmsg)) < 0 ||
	    (r = want(m, "", "collection", JSON_OBJECT, true, NULL, errmsg)) < 0)
		return r;
	if ((r = check_list(m, "entries", false, entry_str, entry_int, NULL, errmsg)) < 0 ||
	    (r = check_list(m, "sources", false, source_str, NULL, NULL, errmsg)) < 0 ||
	    (r = check_list(m, "redactions", false, redact_str, redact_int, redact_obj, errmsg)) < 0 ||
	    (r = check_list(m, "skipped", true, skip_str, NULL, NULL, errmsg)) < 0)
		return r;

	entries = json_object_get(m, "entries");
	if (json_array_size(entries) > lim->max_entries)
		return fail(errmsg, BUNDLE_MANIFEST ": lists %zu entries, over the cap of %llu",
		    json_array_size(entries), (unsigned long long)lim->max_entries);
	seen = json_object();
	json_array_foreach(entries, i, item) {
		const char *path = json_string_value(json_object_get(item, "path"));
		const char *why;
		_cleanup_free_ char *norm = NULL;

		if (bundle_path_normalise(path, lim->max_path, &norm, &why) < 0 || strcmp(norm, path) != 0)
			return fail(errmsg, BUNDLE_MANIFEST ": entries[%zu]: path \"%.200s\": %s", i, path,
			    norm ? "not in normal form" : why);
		if (strcmp(path, BUNDLE_MANIFEST) == 0)
			return fail(errmsg, BUNDLE_MANIFEST ": entries[%zu]: lists manifest.json itself", i);
		if (!is_sha256_hex(json_string_value(json_object_get(item, "sha256"))))
			return fail(errmsg, BUNDLE_MANIFEST ": entries[%zu]: sha256 is not 64 lowercase hex digits", i);
		if (json_object_get(seen, path))
			return fail(errmsg, BUNDLE_MANIFEST ": lists \"%.200s\" twice", path);
		json_object_set_new(seen, path, json_true());
	}
	return 0;
}

int
manifest_parse(const void *data, size_t len, const struct bundle_limits *lim, json_t **ret,
    char **errmsg)
{
	struct bundle_limits deflim;
	json_error_t jerr;
	json_t *m;
	unsigned depth;
	int r;

	*ret = NULL;
	*errmsg = NULL;
	if (lim == NULL) {
		bundle_limits_default(&deflim);
		lim = &deflim;
	}
	if (len > lim->max_manifest)
		return fail(errmsg, BUNDLE_MANIFEST ": %zu bytes, over the cap of %zu", len, lim->max_manifest);
	depth = json_depth(data, len, lim->max_json_depth);
	if (depth > lim->max_json_depth)
		return fail(errmsg, BUNDLE_MANIFEST ": nested deeper than %u levels", lim->max_json_depth);
	m = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (m == NULL)
		return fail(errmsg, BUNDLE_MANIFEST ": not valid JSON: line %d: %s", jerr.line, jerr.text);
	r = manifest_check(m, lim, errmsg);
	if (r < 0) {
		json_decref(m);
		return r;
	}
	*ret = m;
	return 0;
}
