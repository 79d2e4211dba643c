/* units.c: each unit's D-Bus properties (Unit and Service interfaces) and its unit files, redacted. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "cleanup.h"
#include "collect.h"

#define UNIT_FILE_MAX (1024 * 1024)
#define MAX_DEPTH 32

static const char *const unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system",
};

static int msg_to_json(sd_bus_message *m, json_t **ret, unsigned depth);

/* Reads the remaining values of the container m is in as a JSON array into *ret.  Returns 0 or -errno. */
static int
items_to_json(sd_bus_message *m, json_t **ret, unsigned depth)
{
	json_t *a = json_array();
	int r;

	for (;;) {
		json_t *v = NULL;

		r = msg_to_json(m, &v, depth + 1);
		if (r <= 0)
			break;
		json_array_append_new(a, v);
	}
	if (r < 0) {
		json_decref(a);
		return r;
	}
	*ret = a;
	return 0;
}

/* Reads the next value of m, of the basic (not container) D-Bus type given, as JSON into *ret.  Returns sd-bus's result. */
static int
basic_to_json(sd_bus_message *m, char type, json_t **ret)
{
	int r;

	switch (type) {
	case SD_BUS_TYPE_BYTE: { uint8_t v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_integer(v); break; }
	case SD_BUS_TYPE_BOOLEAN: { int v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_boolean(v); break; }
	case SD_BUS_TYPE_INT16: { int16_t v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_integer(v); break; }
	case SD_BUS_TYPE_UINT16: { uint16_t v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_integer(v); break; }
	case SD_BUS_TYPE_INT32: { int32_t v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_integer(v); break; }
	case SD_BUS_TYPE_UINT32: { uint32_t v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_integer(v); break; }
	case SD_BUS_TYPE_INT64: { int64_t v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_integer(v); break; }
	case SD_BUS_TYPE_UINT64: {
		uint64_t v;

		r = sd_bus_message_read_basic(m, type, &v);
		/* JSON integers here are signed 64-bit: larger values (often "infinity") as decimal strings. */
		if (v > INT64_MAX) {
			char s[24];

			snprintf(s, sizeof(s), "%" PRIu64, v);
			*ret = json_string(s);
		} else
			*ret = json_integer((json_int_t)v);
		break;
	}
	case SD_BUS_TYPE_DOUBLE: { double v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_real(v); break; }
	case SD_BUS_TYPE_UNIX_FD: { int v; r = sd_bus_message_read_basic(m, type, &v); *ret = json_integer(v); break; }
	case SD_BUS_TYPE_STRING:
	case SD_BUS_TYPE_OBJECT_PATH:
	case SD_BUS_TYPE_SIGNATURE: {
		const char *v;

		r = sd_bus_message_read_basic(m, type, &v);
		if (r >= 0)
			*ret = json_stringn_nocheck(v, strlen(v));
		break;
	}
	default:
		return -EBADMSG;
	}
	return r;
}

/* Reads the next value of m, a variant of signature contents, as its inner value's JSON (null if empty) into *ret. */
static int
variant_to_json(sd_bus_message *m, const char *contents, json_t **ret, unsigned depth)
{
	int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);

	if (r < 0)
		return r;
	r = msg_to_json(m, ret, depth + 1);
	if (r < 0)
		return r;
	if (r == 0)
		*ret = json_null();
	return sd_bus_message_exit_container(m);
}

/* Reads the next value of m, a byte array, as a JSON array of integers into *ret. */
static int
bytes_to_json(sd_bus_message *m, json_t **ret)
{
	const uint8_t *p;
	size_t n;
	json_t *a = json_array();
	int r = sd_bus_message_read_array(m, 'y', (const void **)&p, &n);

	if (r < 0) {
		json_decref(a);
		return r;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(p[i]));
	*ret = a;
	return r;
}

/*
 * Reads the entries of the dictionary m is in (contents: its signature "{KV}") as a JSON
 * object into *ret, keys as strings (a key that is no string as its JSON text).
 */
static int
dict_to_json(sd_bus_message *m, const char *contents, json_t **ret, unsigned depth)
{
	_cleanup_free_ char *inner = xstrndup(contents + 1, strlen(contents) - 2);
	json_t *o = json_object();
	int r;

	for (;;) {
		json_t *k = NULL, *v = NULL;
		char *ks;

		r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, inner);
		if (r <= 0)
			break;
		if ((r = msg_to_json(m, &k, depth + 1)) <= 0 ||
		    (r = msg_to_json(m, &v, depth + 1)) <= 0) {
			json_decref(k);
			r = r == 0 ? -EBADMSG : r;
			break;
		}
		ks = json_is_string(k) ? xstrdup(json_string_value(k)) : json_dumps(k, JSON_ENCODE_ANY);
		json_object_set_new(o, ks ? ks : "", v);
		free(ks);
		json_decref(k);
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			break;
	}
	if (r < 0) {
		json_decref(o);
		return r;
	}
	*ret = o;
	return 0;
}

/* Reads the next value of m, an array of signature contents, into *ret: bytes and lists as arrays, dictionaries as objects. */
static int
array_to_json(sd_bus_message *m, const char *contents, json_t **ret, unsigned depth)
{
	int r;

	if (strcmp(contents, "y") == 0)
		return bytes_to_json(m, ret);
	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, contents);
	if (r < 0)
		return r;
	if (contents[0] == '{')
		r = dict_to_json(m, contents, ret, depth);
	else
		r = items_to_json(m, ret, depth);
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* Reads the next value of m, a struct or dictionary entry (type) of signature contents, as a JSON array into *ret. */
static int
struct_to_json(sd_bus_message *m, char type, const char *contents, json_t **ret, unsigned depth)
{
	int r = sd_bus_message_enter_container(m, type, contents);

	if (r < 0)
		return r;
	r = items_to_json(m, ret, depth);
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* Reads the next value of m (any D-Bus type) as JSON into *ret.  Returns 1, 0 at the end of a container, or -errno. */
static int
msg_to_json(sd_bus_message *m, json_t **ret, unsigned depth)
{
	const char *contents = NULL;
	char type;
	int r;

	if (depth > MAX_DEPTH)
		return -E2BIG;
	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r <= 0)
		return r;
	switch (type) {
	case SD_BUS_TYPE_VARIANT:
		r = variant_to_json(m, contents, ret, depth);
		break;
	case SD_BUS_TYPE_ARRAY:
		r = array_to_json(m, contents, ret, depth);
		break;
	case SD_BUS_TYPE_STRUCT:
	case SD_BUS_TYPE_DICT_ENTRY:
		r = struct_to_json(m, type, contents, ret, depth);
		break;
	default:
		r = basic_to_json(m, type, ret);
		break;
	}
	if (r < 0)
		return r;
	if (*ret == NULL)
		*ret = json_null();
	return 1;
}

/* The service is not on the bus.  (sd_bus_error_has_names() would need systemd 247; sd_bus_error_has_name()
 * is in 239, the oldest systemd the release supports.) */
static bool
bus_error_no_service(const sd_bus_error *e)
{
	return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

int
bus_get_all(struct ctx *c, const char *service, const char *path, const char *iface, json_t *obj,
    char **err)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	if (c->bus == NULL) {
		*err = xstrdup(c->bus_error ? c->bus_error : "no system bus");
		return -ENOTCONN;
	}
	r = sd_bus_message_new_method_call(c->bus, &m, service, path, "org.freedesktop.DBus.Properties",
	    "GetAll");
	if (r >= 0)
		r = sd_bus_message_set_auto_start(m, 0);
	if (r >= 0)
		r = sd_bus_message_append(m, "s", iface);
	if (r < 0) {
		*err = xasprintf("cannot build the D-Bus call: %s", strerror(-r));
		return r;
	}
	r = sd_bus_call(c->bus, m, c->profile->bus_timeout_usec, &error, &reply);
	if (r < 0) {
		if (bus_error_no_service(&error))
			*err = xasprintf("%s is not running", service);
		else if (r == -ETIMEDOUT)
			*err = xasprintf("%s did not answer within %" PRIu64 " s", service,
			    c->profile->bus_timeout_usec / 1000000);
		else
			*err = xasprintf("%s: %s", service, error.message ? error.message : strerror(-r));
		if (bus_error_no_service(&error))
			r = -ESRCH;
		sd_bus_error_free(&error);
		return r;
	}
	r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
	while (r >= 0) {
		const char *name;
		json_t *v = NULL;

		r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv");
		if (r <= 0)
			break;
		r = sd_bus_message_read_basic(reply, SD_BUS_TYPE_STRING, &name);
		if (r < 0)
			break;
		_cleanup_free_ char *key = xstrdup(name);
		r = msg_to_json(reply, &v, 0);
		if (r < 0)
			break;
		json_object_set_new(obj, key, v ? v : json_null());
		r = sd_bus_message_exit_container(reply);
	}
	if (r < 0) {
		*err = xasprintf("cannot parse the reply of %s: %s", service, strerror(-r));
		return r;
	}
	return 0;
}

/*
 * The EnvironmentFile= paths of a unit file ("-" before one: may be missing), for
 * collect_config(): the values they hold are the agent's secrets too, wherever the
 * file is (/etc/default, /etc/sysconfig).
 */
static void
note_env_files(struct ctx *c, const char *data, size_t len)
{
	for (size_t p = 0; p < len;) {
		const char *nl = memchr(data + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - data) : len, s = p;

		while (s < e && (data[s] == ' ' || data[s] == '\t'))
			s++;
		if (e - s > 16 && memcmp(data + s, "EnvironmentFile=", 16) == 0) {
			size_t a = s + 16, b = e;

			if (a < b && data[a] == '-')
				a++;
			while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r'))
				b--;
			if (b > a && data[a] == '/' && b - a < 4096 && memchr(data + a, '%', b - a) == NULL) {
				char *path = xstrndup(data + a, b - a);

				if (!strv_contains(&c->envfiles, path))
					strv_add(&c->envfiles, path);
				free(path);
			}
		}
		p = e + 1;
	}
}

/* Reads, redacts and adds one unit file or drop-in as config/<path>.  Returns NULL, or why not (free it). */
static char *
add_unit_file(struct ctx *c, const char *path)
{
	_cleanup_free_ char *data = NULL, *out = NULL, *why = NULL;
	_cleanup_free_ char *rel = xasprintf(BUNDLE_CONFIG_ROOT "%s", path);
	size_t len, outlen;
	json_t *counts;
	int r;

	r = ctx_read_file(c, path, UNIT_FILE_MAX, &data, &len);
	if (r < 0)
		return xasprintf("%s: %s", path, file_errstr(r));
	note_env_files(c, data, len);
	if (c->bw == NULL)
		return NULL;
	{
		/* one text before redaction: a UTF-16/32 file is read as UTF-8 */
		char *utf8 = NULL;
		const char *from = NULL;
		size_t ulen;

		r = redact_transcode(data, len, &utf8, &ulen, &from);
		if (r < 0)
			return xasprintf("%s: it starts with a %s byte-order mark but does not decode", path,
			    from ? from : "Unicode");
		if (r == 1) {
			explicit_bzero(data, len);
			free(data);
			data = utf8;
			len = ulen;
			json_t *t = json_object_get(bw_manifest(c->bw), "transcoded");

			if (!json_is_object(t)) {
				t = json_object();
				json_object_set_new(bw_manifest(c->bw), "transcoded", t);
			}
			json_object_set_new(t, rel, json_string(from));
		}
	}
	counts = json_object();
	r = redact_unit_file(c->red, data, len, &out, &outlen, counts);
	if (r < 0) {
		json_decref(counts);
		return xasprintf("%s: redaction failed: %s", path, strerror(-r));
	}
	r = ctx_add_verified(c, rel, out, outlen, &why);
	if (r == 0)
		ctx_redactions(c, rel, counts);
	json_decref(counts);
	if (r == 1)
		return xasprintf("%s: the leak check withheld it (%s)", path, why ? why : "a secret remained");
	if (r < 0)
		return xasprintf("%s: cannot add it to the bundle: %s", path, strerror(-r));
	return NULL;
}

/* Unit files found by name in the unit search path (--root, or no service manager). */
static void
unit_files_by_search(struct ctx *c, const char *unit, struct strv *files)
{
	for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", unit_dirs[i], unit);
		_cleanup_free_ char *d = xasprintf("%s/%s.d/*.conf", unit_dirs[i], unit);
		int fd;

		if (files->n == 0 && (fd = ctx_open(c, p, O_RDONLY)) >= 0) {
			close(fd);
			strv_add(files, p);
		}
		(void)ctx_glob(c, d, files);
	}
}

static void
unit_files(struct ctx *c, const char *unit, json_t *props)
{
	_cleanup_free_ char *name = xasprintf("unit-file/%s", unit);
	struct strv files = { 0 }, problems = { 0 };
	struct buf detail = { 0 };
	json_t *frag = props ? json_object_get(props, "FragmentPath") : NULL;
	json_t *dropins = props ? json_object_get(props, "DropInPaths") : NULL;
	json_t *e;
	size_t i;

	if (props && json_is_string(json_object_get(props, "LoadState")) &&
	    strcmp(json_string_value(json_object_get(props, "LoadState")), "masked") == 0) {
		ctx_source(c, name, SOURCE_UNAVAILABLE, "the unit is masked (its unit file is a link to /dev/null)");
		goto out;
	}
	if (props) {
		if (json_is_string(frag) && json_string_length(frag) > 0)
			strv_add(&files, json_string_value(frag));
		json_array_foreach(dropins, i, e)
			if (json_is_string(e))
				strv_add(&files, json_string_value(e));
	} else
		unit_files_by_search(c, unit, &files);
	if (files.n == 0) {
		ctx_source(c, name, SOURCE_UNAVAILABLE, "%s", props ? "the unit has no unit file (not installed)" :
		    "no unit file found in the unit search path");
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		char *p = add_unit_file(c, files.v[i]);

		if (p) {
			strv_add(&problems, p);
			free(p);
		}
	}
	for (i = 0; i < files.n; i++)
		buf_printf(&detail, "%s%s", i ? ", " : "", files.v[i]);
	if (problems.n == 0)
		ctx_source(c, name, SOURCE_OK, "%s", detail.data);
	else {
		buf_adds(&detail, "; not collected: ");
		for (i = 0; i < problems.n; i++)
			buf_printf(&detail, "%s%s", i ? "; " : "", problems.v[i]);
		ctx_source(c, name, problems.n == files.n ? SOURCE_ERROR : SOURCE_OK, "%s", detail.data);
	}
out:
	strv_free(&files);
	strv_free(&problems);
	buf_free(&detail);
}

static void
unit_one(struct ctx *c, const char *unit)
{
	_cleanup_free_ char *name = xasprintf("unit/%s", unit);
	_cleanup_free_ char *rel = xasprintf(BUNDLE_DIR_UNITS "%s" BUNDLE_EXT_UNIT, unit);
	_cleanup_free_ char *path = NULL, *err = NULL, *err2 = NULL, *text = NULL, *why = NULL;
	json_t *props, *counts, *files;
	int r;

	if (c->opt->root) {
		ctx_source(c, name, SOURCE_UNAVAILABLE, "--root: no live service manager to ask; unit files "
		    "read from the tree");
		unit_files(c, unit, NULL);
		return;
	}
	if (!c->systemd || c->bus == NULL) {
		/* the advice matches the run: no "pass its logs with --log-file" when they were passed */
		ctx_source(c, name, SOURCE_UNAVAILABLE, "%s", !c->systemd ? (c->opt->log_file ?
		    "systemd is not running on this host (no /run/systemd/system); the agent's log comes "
		    "from --log-file" :
		    "systemd is not running on this host (no /run/systemd/system); an agent in a container "
		    "logs to its runtime: pass its logs with --log-file") : c->bus_error);
		unit_files(c, unit, NULL);
		return;
	}
	r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "invalid unit name");
		return;
	}
	props = json_object();
	r = bus_get_all(c, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit", props, &err);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "%s", err);
		json_decref(props);
		unit_files(c, unit, NULL);
		return;
	}
	if (strlen(unit) > 8 && strcmp(unit + strlen(unit) - 8, ".service") == 0)
		(void)bus_get_all(c, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Service",
		    props, &err2);
	/* The unit's files, named before redaction touches any string. */
	files = json_object();
	if (json_is_string(json_object_get(props, "LoadState")))
		json_object_set_new(files, "LoadState", json_deep_copy(json_object_get(props, "LoadState")));
	if (json_object_get(props, "FragmentPath"))
		json_object_set_new(files, "FragmentPath", json_deep_copy(json_object_get(props, "FragmentPath")));
	if (json_object_get(props, "DropInPaths"))
		json_object_set_new(files, "DropInPaths", json_deep_copy(json_object_get(props, "DropInPaths")));
	counts = json_object();
	/* Whole values, not string by string: ExecStart argv ("--token", "V") and
	 * Environment entries ("X_SECRET=a b") hold secrets across strings. */
	redact_json_value(c->red, props, counts);
	redact_unit_props(c->red, props, counts);	/* then default-deny: Environment, Exec* argv */
	text = json_dumps(props, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (c->bw) {
		r = ctx_add_verified(c, rel, text, strlen(text), &why);
		if (r == 1)
			ctx_source(c, name, SOURCE_ERROR, "the leak check withheld units/%s.json (%s)", unit, why);
		else if (r < 0)
			ctx_source(c, name, SOURCE_ERROR, "cannot add it to the bundle: %s", strerror(-r));
		else {
			json_t *ls = json_object_get(props, "LoadState"), *as = json_object_get(props, "ActiveState");
			json_t *ss = json_object_get(props, "SubState");

			ctx_redactions(c, rel, counts);
			ctx_source(c, name, SOURCE_OK, "LoadState=%s ActiveState=%s SubState=%s%s%s",
			    json_string_value(ls) ? json_string_value(ls) : "?",
			    json_string_value(as) ? json_string_value(as) : "?",
			    json_string_value(ss) ? json_string_value(ss) : "?", err2 ? "; Service interface: " : "",
			    err2 ? err2 : "");
		}
	} else
		ctx_source(c, name, SOURCE_OK, "would write %s", rel);
	unit_files(c, unit, files);
	json_decref(files);
	json_decref(counts);
	json_decref(props);
}

void
collect_units(struct ctx *c)
{
	struct strv *units = c->opt->units.n ? &c->opt->units : &c->profile->units;

	for (size_t i = 0; i < units->n; i++)
		unit_one(c, units->v[i]);
}
