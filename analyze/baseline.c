/* baseline.c: --baseline: a bundle compared with an earlier one of the same host (did the fix work?). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "msg.h"
#include "cleanup.h"

#define FACTS_MAX	4096	/* facts taken from one bundle (config keys are the many) */

/* One fact of a snapshot: what kind, which key, its value. */
struct fact {
	const char *what;	/* "unit", "config", "resolver", "probe" (static) */
	char	*key;
	char	*value;
};

struct facts {
	struct fact *v;
	size_t	 n;
};

static void
fact_add(struct facts *fs, const char *what, char *key, char *value)
{
	if (fs->n >= FACTS_MAX) {
		free(key);
		free(value);
		return;
	}
	fs->v = xreallocarray(fs->v, fs->n + 1, sizeof(*fs->v));
	fs->v[fs->n++] = (struct fact){ .what = what, .key = key, .value = value };
}

static void
facts_free(struct facts *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].key);
		free(fs->v[i].value);
	}
	free(fs->v);
}

static char *
json_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	if (json_is_null(v) || v == NULL)
		return NULL;
	{
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), *r = xstrdup(s ? s : "?");

		free(s);
		return r;
	}
}

/* Unit state: the properties that say whether the fix took. */
static void
unit_facts(const struct model *m, struct facts *fs)
{
	static const char *const props[] = { "LoadState", "ActiveState", "SubState", "Result", "NRestarts" };
	size_t i, k;

	for (i = 0; i < m->n_files; i++) {
		const char *p = m->files[i].path;
		size_t l = strlen(p);
		_cleanup_free_ char *unit = NULL;
		const json_t *u;

		if (!BUNDLE_IN_DIR(p, BUNDLE_DIR_UNITS) || l < 11 || strcmp(p + l - 5, ".json") != 0)
			continue;
		unit = xstrndup(p + 6, l - 11);
		if ((u = model_unit(m, unit)) == NULL)
			continue;
		for (k = 0; k < ELEMENTSOF(props); k++) {
			char *v = json_text(json_object_get(u, props[k]));

			if (v != NULL)
				fact_add(fs, "unit", xasprintf("%s %s", unit, props[k]), v);
		}
	}
}

/* Leaf scalars of a YAML tree as dotted keys (sequence items as [i]). */
static void
yaml_flatten(const struct ynode *n, struct buf *key, const char *file, struct facts *fs, unsigned depth)
{
	size_t i, mark = key->len;

	if (depth > 32)
		return;
	switch (n->kind) {
	case YN_MAP:
		for (i = 0; i + 1 < n->n; i += 2) {
			if (n->kids[i]->kind != YN_SCALAR)
				continue;
			if (key->len > 0)
				buf_addc(key, '.');
			buf_add(key, n->kids[i]->value, n->kids[i]->len);
			yaml_flatten(n->kids[i + 1], key, file, fs, depth + 1);
			key->len = mark;
			key->data[mark] = '\0';
		}
		break;
	case YN_SEQ:
		for (i = 0; i < n->n; i++) {
			buf_printf(key, "[%zu]", i);
			yaml_flatten(n->kids[i], key, file, fs, depth + 1);
			key->len = mark;
			key->data[mark] = '\0';
		}
		break;
	case YN_SCALAR:
		fact_add(fs, "config", xasprintf("%s: %s", file, key->len ? key->data : "(document)"),
		    xmemdup(n->value, n->len));
		break;
	case YN_ALIAS:
		fact_add(fs, "config", xasprintf("%s: %s", file, key->len ? key->data : "(document)"),
		    xstrdup("(alias)"));
		break;
	}
}

/* KEY=VALUE lines under [Section] headers (unit files, env files). */
static void
ini_flatten(const char *data, size_t len, const char *file, struct facts *fs)
{
	const char *p = data, *end = data + len, *nl, *eq;
	_cleanup_free_ char *section = NULL;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		if (p == nl || *p == '#' || *p == ';')
			continue;
		if (*p == '[' && nl[-1] == ']') {
			free(section);
			section = xstrndup(p + 1, (size_t)(nl - p - 2));
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(nl - p))) == NULL)
			continue;
		fact_add(fs, "config", xasprintf("%s: %s%s%.*s", file, section ? section : "", section ? "." : "",
		    (int)(eq - p), p), xstrndup(eq + 1, (size_t)(nl - eq - 1)));
	}
}

static void
config_facts(const struct model *m, struct facts *fs)
{
	size_t i;

	for (i = 0; i < m->n_files; i++) {
		struct kfile *kf = &m->files[i];
		const struct ynode *t;
		const char *file;

		if (!BUNDLE_IN_DIR(kf->path, BUNDLE_DIR_CONFIG))
			continue;
		file = kf->path + 6;	/* the host path, "/etc/..." */
		if (strncmp(file, "/env/", 5) == 0)
			file++;		/* "env/NAME.yaml" */
		t = kfile_yaml(kf);
		if (t != NULL && (t->kind == YN_MAP || t->kind == YN_SEQ)) {
			struct buf key = { 0 };

			buf_adds(&key, "");
			yaml_flatten(t, &key, file, fs, 0);
			buf_free(&key);
		} else
			ini_flatten(kf->data, kf->len, file, fs);
	}
}

static void
resolver_facts(const struct model *m, struct facts *fs)
{
	bool known;
	char **ns = resolv_nameservers(m, &known);
	struct buf b = { 0 };
	size_t i;

	if (known) {
		for (i = 0; ns[i] != NULL; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", ns[i]);
		fact_add(fs, "resolver", xstrdup("nameservers"), b.len ? buf_steal(&b, NULL) : xstrdup("(none)"));
	}
	buf_free(&b);
	str_array_free(ns);
}

static void
probe_facts(const struct model *m, struct facts *fs)
{
	struct kfile *kf = model_file(m, BUNDLE_PATH_PROBES);
	json_t *doc, *p;
	size_t i, k;

	if (kf == NULL || (kf->verdict != BR_VERIFIED && kf->verdict != BR_PENDING))
		return;
	doc = json_loadb(kf->data, kf->len, 0, NULL);
	json_array_foreach(json_object_get(doc, "probes"), i, p) {
		const char *host = json_string_value(json_object_get(p, "host"));
		json_int_t port = json_integer_value(json_object_get(p, "port"));
		const json_t *res = json_object_get(p, "resolve"), *c, *a;
		struct buf b = { 0 };

		if (host == NULL)
			continue;
		if (json_is_object(res)) {
			if (json_is_true(json_object_get(res, "ok"))) {
				buf_adds(&b, "resolved");
				json_array_foreach(json_object_get(res, "addresses"), k, a)
					if (json_is_string(a))
						buf_printf(&b, "%s%s", k ? ", " : " to ", json_string_value(a));
			} else {
				const char *e = json_string_value(json_object_get(res, "error"));

				buf_printf(&b, "not resolved%s%s%s", e ? " (" : "", e ? e : "", e ? ")" : "");
			}
			fact_add(fs, "probe", xasprintf("%s:%lld resolve", host, (long long)port), buf_steal(&b, NULL));
		}
		buf_free(&b);
		json_array_foreach(json_object_get(p, "connect"), k, c) {
			const char *addr = json_string_value(json_object_get(c, "address"));
			const char *e = json_string_value(json_object_get(c, "error"));

			if (addr == NULL)
				continue;
			fact_add(fs, "probe", xasprintf("%s:%lld connect %s", host, (long long)port, addr),
			    json_is_true(json_object_get(c, "ok")) ? xstrdup("connected") :
			    xasprintf("failed%s%s%s", e ? " (" : "", e ? e : "", e ? ")" : ""));
		}
	}
	json_decref(doc);
}

static void
snapshot(const struct model *m, struct facts *fs)
{
	unit_facts(m, fs);
	config_facts(m, fs);
	resolver_facts(m, fs);
	probe_facts(m, fs);
}

static const struct fact *
fact_find(const struct facts *fs, const char *what, const char *key)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->v[i].what == what && strcmp(fs->v[i].key, key) == 0)
			return &fs->v[i];
	return NULL;
}

static bool
is_redacted(const char *v)
{
	return v != NULL && strstr(v, "<redacted:") != NULL;
}

static void
change_add(struct baseline *b, const char *what, const char *key, const char *before, const char *after)
{
	bool red = is_redacted(before) && is_redacted(after);

	if (!red && before != NULL && after != NULL && strcmp(before, after) == 0)
		return;
	if (red && strcmp(what, "config") != 0)
		return;
	b->changes = xreallocarray(b->changes, b->n_changes + 1, sizeof(*b->changes));
	b->changes[b->n_changes++] = (struct bchange){
		.what = what, .key = xstrdup(key), .redacted = red,
		.before = red || before == NULL ? NULL : xstrdup(before),
		.after = red || after == NULL ? NULL : xstrdup(after),
	};
}

static const struct finding *
finding_of(const struct analysis *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->n_findings; i++)
		if (strcmp(a->findings[i].rule->id, id) == 0)
			return &a->findings[i];
	return NULL;
}

struct baseline *
baseline_compare(struct analysis *now, struct analysis *old)
{
	struct baseline *b = xcalloc(1, sizeof(*b));
	struct facts fo = { 0 }, fn = { 0 };
	size_t i, kept = 0;

	b->path = xstrdup(old->m->bundle_path);
	b->hostname = old->m->hostname ? xstrdup(old->m->hostname) : NULL;
	b->collected_at = old->m->collected_at ? xstrdup(old->m->collected_at) : NULL;
	for (i = 0; i < now->n_findings; i++) {
		struct finding *f = &now->findings[i];
		const struct finding *before = finding_of(old, f->rule->id);

		f->change = before ? CHANGE_PERSISTING : CHANGE_NEW;
		f->count_before = before ? before->count : 0;
	}
	for (i = 0; i < old->n_findings; i++) {
		if (finding_of(now, old->findings[i].rule->id) != NULL) {
			old->findings[kept++] = old->findings[i];
			continue;
		}
		b->resolved = xreallocarray(b->resolved, b->n_resolved + 1, sizeof(*b->resolved));
		b->resolved[b->n_resolved++] = old->findings[i];
	}
	old->n_findings = kept;

	/* The snapshots: the baseline's facts in their order, then those only the bundle has. */
	snapshot(old->m, &fo);
	snapshot(now->m, &fn);
	for (i = 0; i < fo.n; i++) {
		const struct fact *x = fact_find(&fn, fo.v[i].what, fo.v[i].key);

		change_add(b, fo.v[i].what, fo.v[i].key, fo.v[i].value, x ? x->value : NULL);
	}
	for (i = 0; i < fn.n; i++)
		if (fact_find(&fo, fn.v[i].what, fn.v[i].key) == NULL)
			change_add(b, fn.v[i].what, fn.v[i].key, NULL, fn.v[i].value);
	facts_free(&fo);
	facts_free(&fn);
	now->baseline = b;
	return b;
}

void
baseline_free(struct baseline *b)
{
	size_t i;

	if (b == NULL)
		return;
	free(b->path);
	free(b->hostname);
	free(b->collected_at);
	for (i = 0; i < b->n_resolved; i++)
		finding_clear(&b->resolved[i]);
	free(b->resolved);
	for (i = 0; i < b->n_changes; i++) {
		free(b->changes[i].key);
		free(b->changes[i].before);
		free(b->changes[i].after);
	}
	free(b->changes);
	free(b);
}

bool
baseline_same_host(const struct model *a, const struct model *b)
{
	if (a->hostname == NULL || b->hostname == NULL)
		return a->hostname == b->hostname;
	return strcmp(a->hostname, b->hostname) == 0;
}

int
baseline_load(const char *path, const struct ruleset *rs, const struct suppressions *sup, const char *today,
    bool force, struct analysis *now, struct baseline **ret)
{
	struct model *old = NULL;
	struct analysis *oa;
	char *why = NULL;
	int r;

	*ret = NULL;
	r = load_bundle(path, rs, &old, &why);
	if (r < 0) {
		msg(MSG_ERROR, path, 0, 0, "%s", why ? why : strerror(-r));
		free(why);
		return r;
	}
	if (!force && !baseline_same_host(old, now->m)) {
		/* Host names and paths are bundle or user text: msg() shows them without control bytes. */
		msg(MSG_ERROR, path, 0, 0, "the baseline is of host '%s', '%s' of host '%s': give --force to compare them anyway",
		    old->hostname ? old->hostname : "(unknown)", now->m->bundle_path,
		    now->m->hostname ? now->m->hostname : "(unknown)");
		model_free(old);
		return -EINVAL;
	}
	oa = evaluate(rs, old);
	suppressions_apply(sup, rs, oa, today);
	*ret = baseline_compare(now, oa);
	analysis_free(oa);
	model_free(old);
	return 0;
}
