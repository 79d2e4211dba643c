/* resolver.c: the resolver's files (resolv.conf as the resolver reads it, hosts, nsswitch, resolved.conf) and resolved's live state. */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "collect.h"

#define RESOLVER_FILE_MAX (4 * 1024 * 1024)

/* resolver/<base>, or resolver/<dir.d>/<base> for drop-in folders. */
static char *
bundle_name(const char *path)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/'), *pslash;
	size_t dl;

	if (slash == NULL)
		return xstrdup(path);
	*slash = '\0';
	pslash = strrchr(dir, '/');
	dl = strlen(dir);
	if (pslash && dl > 2 && strcmp(dir + dl - 2, ".d") == 0)
		return xasprintf("%s/%s", pslash + 1, slash + 1);
	return xstrdup(slash + 1);
}

static void
resolver_file(struct ctx *c, const char *path, bool from_glob)
{
	_cleanup_free_ char *bn = bundle_name(path);
	_cleanup_free_ char *name = xasprintf(BUNDLE_DIR_RESOLVER "%s", bn);
	_cleanup_free_ char *data = NULL, *out = NULL, *why = NULL, *link = NULL;
	size_t len, outlen;
	json_t *counts;
	int r;

	(void)from_glob;
	(void)ctx_readlink(c, path, &link);
	r = ctx_read_file(c, path, RESOLVER_FILE_MAX, &data, &len);
	if (r < 0) {
		if (link)
			ctx_source(c, name, r == -ENOENT ? SOURCE_UNAVAILABLE : SOURCE_ERROR,
			    "symlink to %s: %s", link, r == -ENOENT ? "dangling (target not found)" : file_errstr(r));
		else
			ctx_source(c, name, r == -ENOENT ? SOURCE_UNAVAILABLE : SOURCE_ERROR, "%s: %s", path,
			    file_errstr(r));
		if (link && c->bw)
			json_object_set_new(bw_source_object(c->bw, name), "symlink", json_string(link));
		return;
	}
	counts = json_object();
	r = redact_comment_file(c->red, data, len, &out, &outlen, counts);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "redaction failed: %s", strerror(-r));
		json_decref(counts);
		return;
	}
	r = ctx_add_verified(c, name, out, outlen, &why);
	if (r == 1)
		ctx_source(c, name, SOURCE_ERROR, "the leak check withheld it: %s", why);
	else if (r < 0)
		ctx_source(c, name, SOURCE_ERROR, "cannot add it: %s", strerror(-r));
	else {
		ctx_redactions(c, name, counts);
		if (link)
			ctx_source(c, name, SOURCE_OK, "%s, a symlink to %s", path, link);
		else
			ctx_source(c, name, SOURCE_OK, "%s", path);
		if (c->bw) {
			json_t *o = bw_source_object(c->bw, name);

			json_object_set_new(o, "path", json_string(path));
			if (link)
				json_object_set_new(o, "symlink", json_string(link));
		}
	}
	json_decref(counts);
}

static void
resolved_state(struct ctx *c)
{
	_cleanup_free_ char *err = NULL, *text = NULL, *why = NULL;
	json_t *o;
	int r;

	if (c->opt->root) {
		ctx_source(c, "resolved", SOURCE_UNAVAILABLE, "--root: no live resolver to ask");
		return;
	}
	if (c->bus == NULL) {
		ctx_source(c, "resolved", SOURCE_UNAVAILABLE, "no system bus (%s)",
		    c->bus_error ? c->bus_error : "not connected");
		return;
	}
	o = json_object();
	r = bus_get_all(c, "org.freedesktop.resolve1", "/org/freedesktop/resolve1",
	    "org.freedesktop.resolve1.Manager", o, &err);
	if (r < 0) {
		ctx_source(c, "resolved", r == -ESRCH ? SOURCE_UNAVAILABLE : SOURCE_ERROR, "%s", err);
		json_decref(o);
		return;
	}
	text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	r = ctx_add_verified(c, BUNDLE_PATH_RESOLVE1, text, strlen(text), &why);
	if (r == 1)
		ctx_source(c, "resolved", SOURCE_ERROR, "the leak check withheld it: %s", why);
	else if (r < 0)
		ctx_source(c, "resolved", SOURCE_ERROR, "cannot add it: %s", strerror(-r));
	else
		ctx_source(c, "resolved", SOURCE_OK, "org.freedesktop.resolve1 Manager properties");
}

void
collect_resolver(struct ctx *c)
{
	for (size_t i = 0; i < c->profile->resolver.n; i++) {
		const char *p = c->profile->resolver.v[i];

		if (strpbrk(p, "*?[")) {
			struct strv found = { 0 };

			(void)ctx_glob(c, p, &found);
			for (size_t k = 0; k < found.n; k++)
				resolver_file(c, found.v[k], true);
			strv_free(&found);
		} else
			resolver_file(c, p, false);
	}
	resolved_state(c);
}
