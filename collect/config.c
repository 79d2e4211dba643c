/* config.c: the agent's config files and environment configs, redacted; secret files listed by name only. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cleanup.h"
#include "collect.h"

#define CONFIG_MAX (4 * 1024 * 1024)

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Adds {"path","reason"} to the manifest's "skipped". */
static void
add_skipped(struct ctx *c, const char *path, const char *reason)
{
	json_t *m, *sk, *o;

	ctx_verbose(c, "skipped %s: %s", path, reason);
	if (c->bw == NULL)
		return;
	m = bw_manifest(c->bw);
	sk = json_object_get(m, "skipped");
	if (!json_is_array(sk)) {
		sk = json_array();
		json_object_set_new(m, "skipped", sk);
	}
	o = json_object();
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "reason", json_string(reason));
	json_array_append_new(sk, o);
}

/* Looks up a dotted key ("a.b.c") in the first document of YAML text; a scalar's value or NULL (free it). */
static char *
yaml_lookup(const char *text, size_t len, const char *dotted)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *n;
	char *result = NULL;
	_cleanup_free_ char *keys = xstrdup(dotted);
	char *save = NULL;

	if (!yaml_parser_initialize(&parser))
		return NULL;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_parser_delete(&parser);
		return NULL;
	}
	n = yaml_document_get_root_node(&doc);
	for (char *k = strtok_r(keys, ".", &save); k && n; k = strtok_r(NULL, ".", &save)) {
		yaml_node_t *next = NULL;

		if (n->type != YAML_MAPPING_NODE) {
			n = NULL;
			break;
		}
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yaml_document_get_node(&doc, p->key);

			if (kn && kn->type == YAML_SCALAR_NODE && strcmp((char *)kn->data.scalar.value, k) == 0) {
				next = yaml_document_get_node(&doc, p->value);
				break;
			}
		}
		n = next;
	}
	if (n && n->type == YAML_SCALAR_NODE && n->data.scalar.length > 0)
		result = xstrndup((char *)n->data.scalar.value, n->data.scalar.length);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return result;
}

/* Notes the endpoints that configs name, for the probes (host names are kept: never secrets here). */
static void
note_probe_targets(struct ctx *c, const char *where, const char *text, size_t len)
{
	for (size_t i = 0; i < c->profile->n_probes; i++) {
		struct profile_probe *pb = &c->profile->probes[i];
		_cleanup_free_ char *host = NULL, *port = NULL;
		json_t *t;
		unsigned long pn = pb->default_port;

		if (strcmp(pb->config, where) != 0 && !(pb->env && strcmp(pb->env, where) == 0))
			continue;
		host = yaml_lookup(text, len, pb->host_key);
		if (pb->port_key)
			port = yaml_lookup(text, len, pb->port_key);
		if (port) {
			char *end;

			pn = strtoul(port, &end, 10);
			if (*end != '\0' || pn == 0 || pn > 65535)
				pn = pb->default_port;
		}
		t = json_object();
		json_object_set_new(t, "origin", json_string(pb->origin));
		json_object_set_new(t, "config", json_string(where));
		json_object_set_new(t, "host", host ? json_string(host) : json_null());
		json_object_set_new(t, "port", json_integer((json_int_t)pn));
		json_object_set_new(t, "host_key", json_string(pb->host_key));
		json_array_append_new(c->probe_targets, t);
	}
}

/*
 * Redacts text (YAML, or JSON when as_json) and adds it as rel; records the source.
 */
static bool
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static void
add_config(struct ctx *c, const char *source, const char *rel, const char *text, size_t len, bool as_json,
    bool as_env)
{
	_cleanup_free_ char *out = NULL, *perr = NULL, *why = NULL;
	size_t outlen = 0;
	json_t *counts = json_object(), *o, *cd;
	int r;

	if (as_json)
		r = redact_json_config(c->red, text, len, &out, &outlen, counts, &perr);
	else if (as_env || ends_with(rel, ".env"))
		r = redact_env_file(c->red, text, len, &out, &outlen, counts);
	else
		r = redact_yaml(c->red, text, len, &out, &outlen, counts, &perr);
	if (r < 0) {
		ctx_source(c, source, SOURCE_ERROR, "redaction failed: %s", strerror(-r));
		goto out;
	}
	r = ctx_add_verified(c, rel, out, outlen, &why);
	if (r == 1) {
		ctx_source(c, source, SOURCE_ERROR, "the leak check withheld it: %s", why);
		goto out;
	}
	if (r < 0) {
		ctx_source(c, source, SOURCE_ERROR, "cannot add %s: %s", rel, strerror(-r));
		goto out;
	}
	ctx_redactions(c, rel, counts);
	if (perr)
		ctx_source(c, source, SOURCE_OK, "collected, but it does not parse (%s): redacted by the "
		    "pattern rules", perr);
	else
		ctx_source(c, source, SOURCE_OK, "%zu bytes", len);
	if (c->bw) {
		o = bw_source_object(c->bw, source);
		json_object_set_new(o, "file", json_string(rel));
		if (perr)
			json_object_set_new(o, "parse_error", json_string(perr));
		cd = json_object_get(counts, "comment");
		if (!cd)
			cd = json_object_get(counts, "comments");
		if (json_integer_value(cd) > 0)
			json_object_set_new(o, "comments_dropped", json_integer(json_integer_value(cd)));
	}
out:
	json_decref(counts);
}

/* Why a config file that exists cannot be read as one, in words. */
static const char *
config_unreadable(struct ctx *c, const char *path, int r)
{
	static char why[96];
	struct stat st;
	int fd;

	switch (r) {
	case -EISDIR:
		return "it is a directory";
	case -ELOOP:
		return "a loop of symbolic links";
	case -EFBIG:
		snprintf(why, sizeof(why), "larger than %d KiB, no configuration is that large", CONFIG_MAX / 1024);
		return why;
	}
	fd = ctx_open(c, path, O_RDONLY | O_NONBLOCK);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		close(fd);
		return S_ISFIFO(st.st_mode) ? "it is a FIFO (named pipe)" : S_ISSOCK(st.st_mode) ? "it is a socket" :
		    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "it is a device" : "not a regular file";
	}
	if (fd >= 0)
		close(fd);
	return "not a regular file";
}

static void
config_file(struct ctx *c, const char *path, bool env)
{
	_cleanup_free_ char *name = xasprintf(BUNDLE_CONFIG_ROOT "%s", path);
	_cleanup_free_ char *data = NULL, *utf8 = NULL;
	const char *from = NULL;
	size_t len, ulen;
	int r;

	r = ctx_read_file(c, path, CONFIG_MAX, &data, &len);
	if (r == -EISDIR || r == -EBADFD || r == -ELOOP || r == -EFBIG) {
		/* not a permission of this run: the agent cannot read such a file either (a finding) */
		ctx_source(c, name, SOURCE_ERROR, "the agent cannot read it: %s", config_unreadable(c, path, r));
		return;
	}
	if (r < 0) {
		ctx_source(c, name, r == -ENOENT ? SOURCE_UNAVAILABLE : SOURCE_ERROR, "%s", file_errstr(r));
		return;
	}
	/* one text before redaction: a UTF-16/32 file is read as UTF-8 (and written so) */
	r = redact_transcode(data, len, &utf8, &ulen, &from);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "it starts with a %s byte-order mark but does not decode: "
		    "not collected", from ? from : "Unicode");
		return;
	}
	if (r == 1) {
		explicit_bzero(data, len);
		free(data);
		data = TAKE_PTR(utf8);
		len = ulen;
	}
	note_probe_targets(c, path, data, len);
	add_config(c, name, name, data, len, false, env);
	if (from != NULL && c->bw)
		json_object_set_new(bw_source_object(c->bw, name), "transcoded_from", json_string(from));
}

static void
env_config(struct ctx *c, const char *var)
{
	_cleanup_free_ char *name = xasprintf("env/%s", var);
	_cleanup_free_ char *rel = xasprintf(BUNDLE_DIR_CONFIG_ENV "%s" BUNDLE_EXT_CONFIG, var);
	const char *v = getenv(var), *p;

	if (v == NULL || *v == '\0') {
		/* Only worth saying where the agent is configured this way: hosts without systemd. */
		if (!c->systemd && !c->opt->root)
			ctx_source(c, name, SOURCE_UNAVAILABLE, "the variable %s is not set", var);
		return;
	}
	for (p = v; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		;
	note_probe_targets(c, var, v, strlen(v));
	add_config(c, name, rel, v, strlen(v), *p == '{' || *p == '[', false);
}

void
collect_config(struct ctx *c)
{
	struct strv files = { 0 }, secrets = { 0 };
	const struct profile *pr = c->profile;

	for (size_t i = 0; i < pr->secret_globs.n; i++)
		(void)ctx_glob(c, pr->secret_globs.v[i], &secrets);
	for (size_t i = 0; i < secrets.n; i++)
		if (i == 0 || strcmp(secrets.v[i], secrets.v[i - 1]) != 0)
			add_skipped(c, secrets.v[i], "a secret file (key, token or credential cache): never collected");

	for (size_t i = 0; i < pr->config_expect.n; i++)
		if (!strv_contains(&files, pr->config_expect.v[i]))
			strv_add(&files, pr->config_expect.v[i]);
	for (size_t i = 0; i < pr->config_include.n; i++) {
		struct strv found = { 0 };

		(void)ctx_glob(c, pr->config_include.v[i], &found);
		for (size_t k = 0; k < found.n; k++)
			if (!strv_contains(&files, found.v[k]))
				strv_add(&files, found.v[k]);
		strv_free(&found);
	}
	/* the unit's EnvironmentFile= files, wherever they are: environment files */
	for (size_t i = 0; i < c->envfiles.n; i++)
		if (!strv_contains(&files, c->envfiles.v[i]))
			strv_add(&files, c->envfiles.v[i]);
	for (size_t i = 0; i < files.n; i++) {
		bool secret = strv_contains(&secrets, files.v[i]);

		for (size_t k = 0; k < pr->secret_names.n && !secret; k++)
			if (fnmatch(pr->secret_names.v[k], base_name(files.v[i]), 0) == 0) {
				secret = true;
				add_skipped(c, files.v[i], "its name marks it as a secret: never collected");
			}
		if (!secret)
			config_file(c, files.v[i], strv_contains(&c->envfiles, files.v[i]));
	}
	if (!c->opt->root)
		for (size_t i = 0; i < pr->env.n; i++)
			env_config(c, pr->env.v[i]);
	strv_free(&files);
	strv_free(&secrets);
}
