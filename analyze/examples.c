/* examples.c: --check-rules: each rule's examples run through the real evaluator on a model built by hand.
 * The one stage that needs both the rules (parse) and the evaluation; nothing below calls it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cleanup.h"
#include "ecsdoc.h"
#include "escape.h"
#include "timeutil.h"

/*
 * --check-rules: a shipped rule (built in, or from a file that declares
 * `languages: [en, zh]`) has a Chinese text beside each English one.
 */
static void
check_translations(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];
		struct buf b = { 0 };

		if (!r->need_zh)
			continue;
		if (r->title_zh == NULL)
			buf_adds(&b, ", title_zh");
		if (r->description != NULL && r->description_zh == NULL)
			buf_adds(&b, ", description_zh");
		if (r->message_zh == NULL)
			buf_adds(&b, ", message_zh");
		if (r->remedy != NULL && r->remedy_zh == NULL)
			buf_adds(&b, ", remedy_zh");
		if (r->message_ecs != NULL && r->message_ecs_zh == NULL)
			buf_adds(&b, ", message_ecs_zh");
		if (r->remedy_ecs != NULL && r->remedy_ecs_zh == NULL)
			buf_adds(&b, ", remedy_ecs_zh");
		if (b.len > 0)
			rules_diag(rs, r->file, r->line, r->col, "rule '%s': a shipped rule needs its Chinese texts: %s missing",
			    r->id, b.data + 2);
		buf_free(&b);
	}
}

/* ---- examples ----------------------------------------------------------------- */

#define EXAMPLE_T0	UINT64_C(1795669200000000)	/* 2026-11-26T05:00:00Z */

static json_t *
scalar_json(const struct ynode *n)
{
	char *end;
	long long v;

	if (n->kind != YN_SCALAR)
		return json_null();
	if (n->plain) {
		if (strcmp(n->value, "true") == 0)
			return json_true();
		if (strcmp(n->value, "false") == 0)
			return json_false();
		if (n->len > 0 && ((n->value[0] >= '0' && n->value[0] <= '9') || n->value[0] == '-')) {
			v = strtoll(n->value, &end, 10);
			if (*end == '\0')
				return json_integer(v);
		}
	}
	return json_stringn(n->value, n->len);
}

static json_t *
ynode_json(const struct ynode *n, unsigned depth)
{
	json_t *j;
	size_t i;

	if (depth > 16)
		return json_null();
	switch (n->kind) {
	case YN_MAP:
		j = json_object();
		for (i = 0; i + 1 < n->n; i += 2)
			if (n->kids[i]->kind == YN_SCALAR)
				json_object_set_new(j, n->kids[i]->value, ynode_json(n->kids[i + 1], depth + 1));
		return j;
	case YN_SEQ:
		j = json_array();
		for (i = 0; i < n->n; i++)
			json_array_append_new(j, ynode_json(n->kids[i], depth + 1));
		return j;
	default:
		return scalar_json(n);
	}
}

static void
source_add(json_t *man, const char *name, const char *status, const char *detail)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "detail", json_string(detail));
	json_array_append_new(json_object_get(man, "sources"), o);
}

static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT), *r;

	r = xstrdup(s ? s : "null");
	free(s);
	return r;
}

static const char *
example_unit(const struct cond *c)
{
	size_t i;
	const char *u;

	if (c == NULL)
		return NULL;
	if (c->kind == COND_JOURNAL && strpbrk(c->journal.unit, "*?[") == NULL)
		return c->journal.unit;
	for (i = 0; i < c->n_kids; i++)
		if ((u = example_unit(c->kids[i])) != NULL)
			return u;
	return NULL;
}

/*
 * One journal entry of an example: a string is its MESSAGE, a mapping its
 * fields (as journalctl -o json writes them); `fields` and `priority` of the
 * example fill what the entry does not give.  NULL and *why when malformed.
 */
static json_t *
example_entry(const struct ynode *l, const struct ynode *fields, const char *prio_text, const char *unit,
    size_t i, char **why)
{
	_cleanup_free_ char *ts = xasprintf("%llu", (unsigned long long)(EXAMPLE_T0 + i * 10 * USEC_PER_SEC));
	json_t *e;

	if (l->kind == YN_MAP) {
		if (ynode_get(l, "MESSAGE") == NULL) {
			*why = xstrdup("a journal entry written as a mapping needs MESSAGE");
			return NULL;
		}
		e = json_object();
		for (size_t k = 0; k + 1 < l->n; k += 2) {
			const struct ynode *fk = l->kids[k], *fv = l->kids[k + 1];

			if (fk->kind != YN_SCALAR || fv->kind != YN_SCALAR) {
				*why = xstrdup("journal entry fields: names and values must be scalars");
				json_decref(e);
				return NULL;
			}
			json_object_set_new(e, fk->value, json_stringn(fv->value, fv->len));
		}
	} else if (l->kind == YN_SCALAR) {
		e = json_object();
		json_object_set_new(e, "MESSAGE", json_stringn(l->value, l->len));
	} else {
		*why = xstrdup("journal lines are strings (the MESSAGE) or mappings of journal fields");
		return NULL;
	}
	for (size_t k = 0; fields != NULL && k + 1 < fields->n; k += 2)
		if (json_object_get(e, fields->kids[k]->value) == NULL)
			json_object_set_new(e, fields->kids[k]->value,
			    json_stringn(fields->kids[k + 1]->value, fields->kids[k + 1]->len));
	if (json_object_get(e, "__REALTIME_TIMESTAMP") == NULL)
		json_object_set_new(e, "__REALTIME_TIMESTAMP", json_string(ts));
	if (json_object_get(e, "PRIORITY") == NULL)
		json_object_set_new(e, "PRIORITY", json_string(prio_text));
	if (json_object_get(e, "_SYSTEMD_UNIT") == NULL)
		json_object_set_new(e, "_SYSTEMD_UNIT", json_string(unit));
	return e;
}

/* The example's `fields` (a mapping of scalars) and `priority` (into prio_text); -EINVAL and *why. */
static int
example_journal_opts(const struct ynode *spec, const struct ynode **fields, char prio_text[2], char **why)
{
	const struct ynode *eprio = spec->kind == YN_MAP ? ynode_get(spec, "priority") : NULL;

	*fields = spec->kind == YN_MAP ? ynode_get(spec, "fields") : NULL;
	if (*fields != NULL && (*fields)->kind != YN_MAP) {
		*why = xstrdup("fields: a mapping of journal field names to values");
		return -EINVAL;
	}
	for (size_t i = 0; *fields != NULL && i + 1 < (*fields)->n; i += 2)
		if ((*fields)->kids[i]->kind != YN_SCALAR || (*fields)->kids[i + 1]->kind != YN_SCALAR) {
			*why = xstrdup("fields: names and values must be scalars");
			return -EINVAL;
		}
	if (eprio != NULL) {
		int pv = eprio->kind == YN_SCALAR ? rules_prio_one(eprio->value, eprio->len) : -1;

		if (pv < 0) {
			*why = xstrdup("priority: 0-7 or emerg, alert, crit, err, warning, notice, info, debug");
			return -EINVAL;
		}
		prio_text[0] = (char)('0' + pv);
	}
	return 0;
}

/*
 * The example's journal: the spec itself when it is a string, else its
 * `journal` lines, of unit (`journal_unit`, else the rule's first journal
 * unit, else the agent's), streamed through the real journal pass.
 */
static int
example_journal(struct model *m, json_t *man, const struct rule *r, const struct ynode *spec, char **why)
{
	const struct ynode *v, *lines, *fields;
	const char *unit = example_unit(r->when);
	char prio_text[2] = "6";
	struct journal_file *jf;
	size_t n;

	if (unit == NULL)
		unit = AGENT_UNIT;
	if (spec->kind == YN_SCALAR)
		lines = spec;
	else {
		if ((v = ynode_get(spec, "journal_unit")) != NULL && v->kind == YN_SCALAR)
			unit = v->value;
		lines = ynode_get(spec, "journal");
	}
	if (lines == NULL)
		return 0;
	if (example_journal_opts(spec, &fields, prio_text, why) < 0)
		return -EINVAL;

	_cleanup_free_ char *path = xasprintf(BUNDLE_DIR_JOURNAL "%s" BUNDLE_EXT_JOURNAL, unit);
	_cleanup_free_ char *src = xasprintf(BUNDLE_DIR_JOURNAL "%s", unit);

	source_add(man, src, "ok", "example");
	jf = model_add_journal(m, path);
	jf->verdict = BR_VERIFIED;
	n = lines->kind == YN_SEQ ? lines->n : 1;
	for (size_t i = 0; i < n; i++) {
		json_t *e = example_entry(lines->kind == YN_SEQ ? lines->kids[i] : lines, fields, prio_text, unit, i, why);
		_cleanup_free_ char *text = NULL;

		if (e == NULL)
			return -EINVAL;
		text = dump(e);
		json_decref(e);
		journal_line(m, jf, text, strlen(text), i + 1);
	}
	return 0;
}

/* unit: {PROPERTY: VALUE, ...}: the agent unit's D-Bus properties. */
static int
example_unit_props(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	_cleanup_free_ char *path = xasprintf(BUNDLE_DIR_UNITS "%s" BUNDLE_EXT_UNIT, AGENT_UNIT);
	json_t *j;

	if (v->kind != YN_MAP) {
		*why = xstrdup("unit: a mapping of properties");
		return -EINVAL;
	}
	j = ynode_json(v, 0);
	source_add(man, "unit/" AGENT_UNIT, "ok", "example");
	model_add_file(m, path, dump(j), 0, BR_VERIFIED);
	m->files[m->n_files - 1].len = strlen(m->files[m->n_files - 1].data);
	json_decref(j);
	return 0;
}

/* files: {PATH: CONTENTS, ...}: config files (host paths, or env/NAME). */
static int
example_files(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	if (v->kind != YN_MAP) {
		*why = xstrdup("files: a mapping of path to contents");
		return -EINVAL;
	}
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *k = v->kids[i], *c = v->kids[i + 1];
		_cleanup_free_ char *bp = NULL, *src = NULL;

		if (k->kind != YN_SCALAR || c->kind != YN_SCALAR) {
			*why = xstrdup("files: path and contents must be strings");
			return -EINVAL;
		}
		if (strncmp(k->value, "env/", 4) == 0) {
			bp = xasprintf(BUNDLE_DIR_CONFIG "%s" BUNDLE_EXT_CONFIG, k->value);
			src = xstrdup(k->value);
		} else {
			bp = xasprintf(BUNDLE_CONFIG_ROOT "%s", k->value);
			src = xasprintf(BUNDLE_CONFIG_ROOT "%s", k->value);
		}
		source_add(man, src, "ok", "example");
		model_add_file(m, bp, xmemdup(c->value, c->len), c->len, BR_VERIFIED);
	}
	return 0;
}

/* missing: PATH or [PATH, ...]: config files the collector did not find. */
static int
example_missing(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	size_t n = v->kind == YN_SEQ ? v->n : 1;

	(void)m;
	for (size_t i = 0; i < n; i++) {
		const struct ynode *k = v->kind == YN_SEQ ? v->kids[i] : v;
		_cleanup_free_ char *src = NULL;

		if (k->kind != YN_SCALAR) {
			*why = xstrdup("missing: paths");
			return -EINVAL;
		}
		src = strncmp(k->value, "env/", 4) == 0 ? xstrdup(k->value) : xasprintf(BUNDLE_CONFIG_ROOT "%s", k->value);
		source_add(man, src, "unavailable", "not found");
	}
	return 0;
}

/* resolv.conf: TEXT. */
static int
example_resolv_conf(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	if (v->kind != YN_SCALAR) {
		*why = xstrdup("resolv.conf: the file's text");
		return -EINVAL;
	}
	source_add(man, BUNDLE_PATH_RESOLV_CONF, "ok", "example");
	model_add_file(m, BUNDLE_PATH_RESOLV_CONF, xmemdup(v->value, v->len), v->len, BR_VERIFIED);
	return 0;
}

/* One probe of `probes` ({host, resolve: ok|failed, error, connect: ok|failed}) as the collector writes it. */
static json_t *
example_probe(const struct ynode *p)
{
	json_t *o = json_object(), *res = json_object(), *conn = json_array();
	const struct ynode *x;
	bool rok;

	x = ynode_get(p, "host");
	json_object_set_new(o, "host", json_string(x && x->kind == YN_SCALAR ? x->value : "endpoint.example"));
	json_object_set_new(o, "port", json_integer(15443));
	json_object_set_new(o, "origin", json_string("onboardingEndpoint"));
	x = ynode_get(p, "resolve");
	rok = x != NULL && x->kind == YN_SCALAR && strcmp(x->value, "ok") == 0;
	json_object_set_new(res, "ok", json_boolean(rok));
	json_object_set_new(res, "addresses", rok ? json_pack("[s]", "127.0.0.1") : json_array());
	x = ynode_get(p, "error");
	json_object_set_new(res, "error", rok ? json_null() :
	    json_string(x && x->kind == YN_SCALAR ? x->value : "no such host"));
	json_object_set_new(o, "resolve", res);
	x = ynode_get(p, "connect");
	if (rok && x != NULL && x->kind == YN_SCALAR) {
		bool cok = strcmp(x->value, "ok") == 0;

		json_array_append_new(conn, json_pack("{s:s,s:i,s:b,s:s?}", "address", "127.0.0.1",
		    "port", 15443, "ok", cok, "error", cok ? NULL : "connection refused"));
	}
	json_object_set_new(o, "connect", conn);
	return o;
}

/* probes: [PROBE, ...]: resolver/probes.json. */
static int
example_probes(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	json_t *j, *arr;
	char *d;

	if (v->kind != YN_SEQ) {
		*why = xstrdup("probes: a list");
		return -EINVAL;
	}
	j = json_object();
	arr = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(arr, example_probe(v->kids[i]));
	json_object_set_new(j, "probes", arr);
	source_add(man, "probes", "ok", "example");
	d = dump(j);
	model_add_file(m, BUNDLE_PATH_PROBES, d, strlen(d), BR_VERIFIED);
	json_decref(j);
	return 0;
}

/* sources: {NAME: STATUS, ...}: the manifest's sources. */
static int
example_sources(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	(void)m;
	if (v->kind != YN_MAP) {
		*why = xstrdup("sources: a mapping of name to status");
		return -EINVAL;
	}
	for (size_t i = 0; i + 1 < v->n; i += 2)
		if (v->kids[i]->kind == YN_SCALAR && v->kids[i + 1]->kind == YN_SCALAR)
			source_add(man, v->kids[i]->value, v->kids[i + 1]->value, "example");
	return 0;
}

/* ecs: {describe-services: DOC, describe-tasks: DOC, ...}: the documents, as YAML. */
static int
example_ecs(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	if (v->kind != YN_MAP) {
		*why = xstrdup("ecs: a mapping of document kind (describe-services, ...) to the document");
		return -EINVAL;
	}
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *k = v->kids[i];
		_cleanup_free_ char *bp = NULL, *src = NULL;
		json_t *j;
		char *d;

		if (k->kind != YN_SCALAR || (bp = xasprintf(ECS_DIR "%s.json", k->value), ecs_path_kind(bp) < 0)) {
			*why = xstrdup("ecs: keys are describe-services, list-tasks, describe-tasks, describe-task-definition");
			return -EINVAL;
		}
		j = ynode_json(v->kids[i + 1], 0);
		if (ecs_doc_kind(j) != ecs_path_kind(bp)) {
			json_decref(j);
			*why = xasprintf("ecs: %s: not the shape of that document", k->value);
			return -EINVAL;
		}
		d = dump(j);
		json_decref(j);
		src = xasprintf(ECS_DIR "%s", k->value);
		source_add(man, src, "ok", "example");
		model_add_file(m, bp, d, strlen(d), BR_VERIFIED);
	}
	return 0;
}

/* manifest: extra manifest keys, e.g. {collection: {ecs: {away: true}}}; sources: [...] are added. */
static int
example_manifest(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	json_t *j = ynode_json(v, 0);
	const char *key;
	json_t *val;

	(void)m;
	(void)why;
	json_object_foreach(j, key, val)
		if (strcmp(key, "sources") != 0)
			json_object_set(man, key, val);
		else if (json_is_array(val)) {
			/* sources: [{name, status, detail}] added to the example's own */
			size_t si;
			json_t *so;

			json_array_foreach(val, si, so)
				if (json_is_object(so))
					json_array_append(json_object_get(man, "sources"), so);
		}
	json_decref(j);
	return 0;
}

/* host: host.json's object. */
static int
example_host(struct model *m, json_t *man, const struct ynode *v, char **why)
{
	json_t *j = ynode_json(v, 0);
	char *d = dump(j);

	(void)why;
	source_add(man, "host", "ok", "example");
	model_add_file(m, BUNDLE_PATH_HOST, d, strlen(d), BR_VERIFIED);
	json_decref(j);
	return 0;
}

/* The keys example_journal() reads. */
static const char *const example_journal_keys[] = { "journal", "journal_unit", "fields", "priority", NULL };

/* The other keys of an example, each a part of the bundle, built in this order. */
static const struct example_part {
	const char *key;
	int (*add)(struct model *m, json_t *man, const struct ynode *v, char **why);
} example_parts[] = {
	{ "unit", example_unit_props },
	{ "files", example_files },
	{ "missing", example_missing },
	{ "resolv.conf", example_resolv_conf },
	{ "probes", example_probes },
	{ "sources", example_sources },
	{ "ecs", example_ecs },
	{ "manifest", example_manifest },
	{ "host", example_host },
};

/* A key the parser allows (rules.c: cond_types[]) that nothing here builds: said, not ignored. */
static const char *
example_key_unbuilt(const struct ynode *spec)
{
	for (size_t i = 0; i + 1 < spec->n; i += 2) {
		const char *key = spec->kids[i]->value;
		bool known = spec->kids[i]->kind != YN_SCALAR;	/* the parser refused those */

		for (size_t k = 0; example_journal_keys[k] != NULL; k++)
			known = known || strcmp(key, example_journal_keys[k]) == 0;
		for (size_t k = 0; k < ELEMENTSOF(example_parts); k++)
			known = known || strcmp(key, example_parts[k].key) == 0;
		if (!known)
			return key;
	}
	return NULL;
}

/* An example's manifest: collected 2026-11-26T06:00:00Z, sources added by the parts. */
static json_t *
example_manifest_new(void)
{
	json_t *man = json_object();

	json_object_set_new(man, "format", json_string(BUNDLE_FORMAT));
	json_object_set_new(man, "format_version", json_integer(BUNDLE_FORMAT_VERSION));
	json_object_set_new(man, "collected_at", json_string("2026-11-26T06:00:00Z"));
	json_object_set_new(man, "sources", json_array());
	return man;
}

/* Builds the little bundle an example describes; NULL and a message when it is malformed. */
static struct model *
example_model(const struct ruleset *rs, const struct rule *r, const struct ynode *spec, char **why)
{
	struct model *m = model_new(rs, "example");
	const struct ynode *v;
	const char *unbuilt;

	*why = NULL;
	m->manifest = example_manifest_new();
	m->collected_at = xstrdup("2026-11-26T06:00:00Z");
	m->hostname = xstrdup("example");
	if (example_journal(m, m->manifest, r, spec, why) < 0)
		goto fail;
	if (spec->kind != YN_MAP)
		return m;
	if ((unbuilt = example_key_unbuilt(spec)) != NULL) {
		*why = xasprintf("%s: no part of the example bundle is built from it (analyze/examples.c)", unbuilt);
		goto fail;
	}
	for (size_t k = 0; k < ELEMENTSOF(example_parts); k++)
		if ((v = ynode_get(spec, example_parts[k].key)) != NULL &&
		    example_parts[k].add(m, m->manifest, v, why) < 0)
			goto fail;
	return m;
fail:
	model_free(m);
	return NULL;
}

unsigned
rules_check_examples(struct ruleset *rs, unsigned *n_examples)
{
	unsigned failed = 0;
	size_t i, k;

	*n_examples = 0;
	check_translations(rs);
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];
		unsigned matches = 0, misses = 0;

		for (k = 0; k < r->n_examples; k++) {
			const struct example *ex = &r->examples[k];
			struct finding f;
			char *why = NULL, *reason = NULL;
			struct model *m = example_model(rs, r, ex->spec, &why);
			int q;

			(*n_examples)++;
			if (ex->want_match)
				matches++;
			else
				misses++;
			if (m == NULL) {
				rules_diag(rs, ex->file, ex->spec->line, ex->spec->col, "rule '%s': bad example: %s", r->id, why);
				free(why);
				failed++;
				continue;
			}
			q = evaluate_rule(rs, r, m, &f, &reason);
			if (q == -ENODATA) {
				rules_diag(rs, ex->file, ex->spec->line, ex->spec->col,
				    "rule '%s': the example cannot be evaluated: %s", r->id, reason);
				failed++;
			} else if ((q == 1) != ex->want_match) {
				rules_diag(rs, ex->file, ex->spec->line, ex->spec->col, "rule '%s': the example %s",
				    r->id, ex->want_match ? "should match but does not" : "should not match but does");
				failed++;
			}
			if (q == 1)
				finding_clear(&f);
			free(reason);
			model_free(m);
		}
		if (matches < 2 || misses < 2) {
			rules_diag(rs, r->file, r->line, r->col,
			    "rule '%s': needs at least two match and two no_match examples (has %u and %u)",
			    r->id, matches, misses);
			failed++;
		}
	}
	return failed;
}
