/* evaluate.c: rules on the model: three-valued conditions, facts, messages, engine checks, ordering. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze.h"
#include "cleanup.h"
#include "ecsdoc.h"
#include "timeutil.h"

enum tri {
	T_FALSE,
	T_TRUE,
	T_UNKNOWN,
};

/* What evaluating one rule gathers. */
struct ectx {
	const struct ruleset *rs;
	struct model *m;
	const struct rule *r;
	unsigned long count;		/* matching journal lines */
	bool	 from_journal;		/* count came from the journal */
	unsigned long ecs_count;	/* matching ECS records */
	size_t	 n_unique;		/* distinct evidence lines (take_evidence) */
	uint64_t first, last;
	struct evidence *ev;		/* candidates (copies) */
	size_t	 n_ev;
	const char **cap_names;		/* borrowed from journal results */
	const char **cap_values;
	size_t	 n_caps;
	char	*reason;		/* why a condition could not be evaluated (first one) */
};

void
str_array_free(char **v)
{
	char **p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

static void
set_reason(struct ectx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_reason(struct ectx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->reason != NULL)
		return;
	va_start(ap, fmt);
	x->reason = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
add_evidence(struct ectx *x, const char *source, unsigned long line, uint64_t time, const char *text)
{
	struct evidence *ev;

	x->ev = xreallocarray(x->ev, x->n_ev + 1, sizeof(*x->ev));
	ev = &x->ev[x->n_ev++];
	ev->source = xstrdup(source);
	ev->line = line;
	ev->time = time;
	ev->len = strlen(text);
	ev->text = xstrdup(text);
}

static void
add_evidence_copy(struct ectx *x, const struct evidence *e)
{
	struct evidence *ev;

	x->ev = xreallocarray(x->ev, x->n_ev + 1, sizeof(*x->ev));
	ev = &x->ev[x->n_ev++];
	ev->source = xstrdup(e->source);
	ev->line = e->line;
	ev->time = e->time;
	ev->text = xmemdup(e->text, e->len);
	ev->len = e->len;
}

const char *
source_status_label(const char *st)
{
	if (st == NULL)
		return NULL;
	if (strcmp(st, "ok") == 0)
		return C_("source status", "ok");
	if (strcmp(st, "unavailable") == 0)
		return C_("source status", "unavailable");
	if (strcmp(st, "error") == 0)
		return C_("source status", "error");
	if (strcmp(st, "truncated") == 0)
		return C_("source status", "truncated");
	return st;
}

/* Why a source is missing, in words: "unit/x: unavailable (detail)" or "x is not in the bundle". */
static char *
source_why(const struct model *m, const char *source, const char *bundle_path)
{
	const json_t *s = model_source(m, source);
	const char *st, *detail;

	if (s == NULL && ecs_away_bundle(m) && BUNDLE_IN_DIR(source, BUNDLE_DIR_JOURNAL) &&
	    json_is_true(json_object_get(json_object_get(m->manifest, "collection"), "log_file")))
		return xasprintf(_("%s is not in the bundle: the log given with --log-file held none of the "
		    "agent's lines"), bundle_path);
	if (s == NULL && ecs_away_bundle(m) && BUNDLE_IN_DIR(source, BUNDLE_DIR_JOURNAL))
		return xasprintf(_("%s is not in the bundle: the agent's log of the ECS task was not collected (collect "
		    "with --ecs-cluster C --ecs-service S, or save it with aws logs filter-log-events and pass it "
		    "with --log-file)"), bundle_path);
	if (s == NULL && ecs_away_bundle(m))
		return xasprintf(_("%s was not collected: the bundle was collected away from the ECS task, where it "
		    "would describe the collecting machine, not the task"), bundle_path);
	if (s == NULL)
		return xasprintf(_("%s is not in the bundle (the collector did not record source %s)"),
		    bundle_path, source);
	st = json_string_value(json_object_get(s, "status"));
	detail = json_string_value(json_object_get(s, "detail"));
	return xasprintf(_("%s: %s%s%s%s"), source, st ? source_status_label(st) : _("not collected"), detail ? _(" (") : "",
	    detail ? detail : "", detail ? _(")") : "");
}

static const char *
source_status(const struct model *m, const char *source)
{
	return json_string_value(json_object_get(model_source(m, source), "status"));
}

static bool
verdict_bad(enum br_verdict v)
{
	return v != BR_VERIFIED && v != BR_PENDING;
}

/* ---- facts the conditions and messages read ------------------------------ */

const json_t *
model_unit(const struct model *m, const char *unit)
{
	_cleanup_free_ char *path = xasprintf(BUNDLE_DIR_UNITS "%s" BUNDLE_EXT_UNIT, unit);
	struct kfile *kf = model_file(m, path);
	json_t *j;

	if (kf == NULL || verdict_bad(kf->verdict))
		return NULL;
	if (!kf->json_tried) {
		kf->json_tried = true;
		j = json_loadb(kf->data, kf->len, JSON_REJECT_DUPLICATES, NULL);
		if (j != NULL && !json_is_object(j)) {
			json_decref(j);
			j = NULL;
		}
		kf->json = j;
	}
	return kf->json;
}

static char *
json_to_text(const json_t *v)
{
	if (v == NULL)
		return xstrdup("(missing)");
	if (json_is_string(v))
		return xmemdup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	if (json_is_null(v))
		return xstrdup("null");
	{
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		if (s == NULL)
			return xstrdup("?");
		{
			char *r = xstrdup(s);

			free(s);
			return r;
		}
	}
}

static bool
json_number(const json_t *v, double *ret)
{
	char *end;

	if (json_is_number(v)) {
		*ret = json_number_value(v);
		return true;
	}
	if (json_is_string(v) && json_string_length(v) > 0) {
		*ret = strtod(json_string_value(v), &end);
		return *end == '\0' && !isnan(*ret);
	}
	return false;
}

/* The bundle path and source name of a config path of the rules (/etc/... or env/NAME). */
static void
config_names(const char *p, char **bundle_path, char **source)
{
	if (strncmp(p, "env/", 4) == 0) {
		*bundle_path = xasprintf(BUNDLE_DIR_CONFIG "%s" BUNDLE_EXT_CONFIG, p);
		*source = xstrdup(p);
	} else {
		*bundle_path = xasprintf(BUNDLE_CONFIG_ROOT "%s", p);
		*source = xasprintf(BUNDLE_CONFIG_ROOT "%s", p);
	}
}

enum fstate {
	F_PRESENT,
	F_ABSENT,
	F_UNKNOWN,
	F_UNLISTED,
};

/* Finds the first present file among paths; *why explains an unknown. */
static enum fstate
find_config(const struct model *m, char *const *paths, size_t n, struct kfile **ret, char **why)
{
	enum fstate best = F_UNLISTED, st;
	size_t i;

	*ret = NULL;
	*why = NULL;
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *bp = NULL, *src = NULL;
		struct kfile *kf;
		const char *status;

		config_names(paths[i], &bp, &src);
		kf = model_file(m, bp);
		status = source_status(m, src);
		if (kf != NULL) {
			if (verdict_bad(kf->verdict)) {
				free(*why);
				*why = xasprintf(_("%s failed the integrity check (%s)"), bp, br_verdict_name(kf->verdict));
				return F_UNKNOWN;
			}
			*ret = kf;
			free(*why);
			*why = NULL;
			return F_PRESENT;
		}
		if (status != NULL && strcmp(status, "unavailable") == 0)
			st = F_ABSENT;
		else if (status != NULL)
			st = F_UNKNOWN;
		else
			st = F_UNLISTED;
		if (st == F_UNKNOWN || (st == F_UNLISTED && *why == NULL)) {
			free(*why);
			*why = source_why(m, src, bp);
		}
		if (st == F_UNKNOWN || (st == F_ABSENT && best == F_UNLISTED))
			best = st;
	}
	if (best == F_ABSENT) {
		free(*why);
		*why = NULL;
	}
	return best;
}

struct kfile *
onboarding_config(const struct model *m)
{
	static char *const paths[] = { (char *)ONBOARDING_CONFIG, (char *)ONBOARDING_CONFIG_ENV };
	struct kfile *kf;
	_cleanup_free_ char *why = NULL;

	if (find_config(m, paths, 2, &kf, &why) == F_PRESENT)
		return kf;
	return NULL;
}

static bool
scalar_missing(const struct ynode *n)
{
	return n == NULL || (n->kind == YN_SCALAR && n->plain &&
	    (n->len == 0 || strcmp(n->value, "null") == 0 || strcmp(n->value, "~") == 0 ||
	    strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0));
}

char **
resolv_nameservers(const struct model *m, bool *known)
{
	struct kfile *kf = model_file(m, BUNDLE_PATH_RESOLV_CONF);
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0;
	const char *p, *end, *nl;

	*known = kf != NULL && !verdict_bad(kf->verdict);
	if (!*known)
		return v;
	for (p = kf->data, end = kf->data + kf->len; p < end; p = nl + 1) {
		const char *q, *a;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		q = p;
		while (q < nl && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(nl - q) < 11 || strncmp(q, "nameserver", 10) != 0 || (q[10] != ' ' && q[10] != '\t'))
			continue;
		q += 10;
		while (q < nl && (*q == ' ' || *q == '\t'))
			q++;
		a = q;
		while (q < nl && *q != ' ' && *q != '\t' && *q != '#' && *q != ';' && *q != '\r')
			q++;
		if (q == a || n >= 64)
			continue;
		v = xreallocarray(v, n + 2, sizeof(*v));
		v[n++] = xstrndup(a, (size_t)(q - a));
		v[n] = NULL;
	}
	return v;
}

/* The manifest's record of the probes: "probes" (all skipped) or the first "probe/..." source. */
static const json_t *
probe_source(const struct model *m)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(m->manifest, "sources"), i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));

		if (n != NULL && (strcmp(n, "probes") == 0 || strncmp(n, "probe/", 6) == 0))
			return s;
	}
	return NULL;
}

static json_t *
probes_json(const struct model *m, char **why)
{
	struct kfile *kf = model_file(m, BUNDLE_PATH_PROBES);
	json_t *j;

	*why = NULL;
	if (kf == NULL) {
		const json_t *src = probe_source(m);

		if (src != NULL) {
			const char *st = json_string_value(json_object_get(src, "status"));
			const char *d = json_string_value(json_object_get(src, "detail"));

			*why = xasprintf(_("%s: %s (%s)"), json_string_value(json_object_get(src, "name")),
			    st ? source_status_label(st) : "?", d ? d : _("no detail"));
		}
		else
			*why = xasprintf(_("%s is not in the bundle (no probe was recorded)"), BUNDLE_PATH_PROBES);
		return NULL;
	}
	if (verdict_bad(kf->verdict)) {
		*why = xasprintf(_("%s failed the integrity check (%s)"), BUNDLE_PATH_PROBES, br_verdict_name(kf->verdict));
		return NULL;
	}
	j = json_loadb(kf->data, kf->len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL || !json_is_array(json_object_get(j, "probes"))) {
		json_decref(j);
		*why = xasprintf(_("%s is not a probes object"), BUNDLE_PATH_PROBES);
		return NULL;
	}
	return j;
}

static bool
host_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* The probe for host (NULL: the onboarding endpoint's). Borrowed from j. */
static const json_t *
find_probe(const json_t *j, const char *host)
{
	const json_t *probes = json_object_get(j, "probes"), *p;
	size_t i;

	json_array_foreach(probes, i, p) {
		const char *h = json_string_value(json_object_get(p, "host"));
		const char *o = json_string_value(json_object_get(p, "origin"));

		if (host != NULL ? (h != NULL && host_equal(h, host)) : (o != NULL && strcmp(o, "onboardingEndpoint") == 0))
			return p;
	}
	if (host == NULL && json_array_size(probes) > 0)
		return json_array_get(probes, 0);
	return NULL;
}

static bool
probe_connected(const json_t *p)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(p, "connect"), i, c)
		if (json_is_true(json_object_get(c, "ok")))
			return true;
	return false;
}

static const char *
probe_connect_error(const json_t *p)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(p, "connect"), i, c)
		if (json_is_string(json_object_get(c, "error")))
			return json_string_value(json_object_get(c, "error"));
	return NULL;
}

/* "probe HOST:PORT: resolves to A, B; TCP connect failed (refused)" */
static char *
probe_describe(const json_t *p)
{
	struct buf b = { 0 };
	const json_t *res = json_object_get(p, "resolve"), *a;
	const char *host = json_string_value(json_object_get(p, "host"));
	size_t i;

	buf_printf(&b, "probe %s:%lld: ", host ? host : "?", (long long)json_integer_value(json_object_get(p, "port")));
	if (json_is_true(json_object_get(res, "ok"))) {
		buf_adds(&b, "resolves to");
		json_array_foreach(json_object_get(res, "addresses"), i, a)
			if (json_is_string(a) && i < 8)
				buf_printf(&b, "%s %s", i ? "," : "", json_string_value(a));
		if (json_array_size(json_object_get(p, "connect")) == 0)
			buf_adds(&b, "; no TCP connect attempted");
		else if (probe_connected(p))
			buf_adds(&b, "; TCP connect succeeded");
		else
			buf_printf(&b, "; TCP connect failed (%s)", probe_connect_error(p) ? probe_connect_error(p) : "no detail");
	} else {
		const char *e = json_string_value(json_object_get(res, "error"));

		buf_printf(&b, "does not resolve (%s)", e ? e : "no detail");
	}
	return buf_steal(&b, NULL);
}

/* The onboarding config's value at key: 1 found (*val), 0 not set, -ENODATA no config. */
static int
config_value(const struct model *m, const char *key, const char **val, const struct ynode **node)
{
	struct kfile *kf = onboarding_config(m);
	const struct ynode *root, *n;

	if (kf == NULL || (root = kfile_yaml(kf)) == NULL)
		return -ENODATA;
	n = ynode_path(root, key);
	if (node)
		*node = n;
	if (scalar_missing(n) || n->kind != YN_SCALAR)
		return 0;
	*val = n->value;
	return 1;
}

/* ---- conditions ------------------------------------------------------------- */

static enum tri eval(struct ectx *x, const struct cond *c, bool collect);

static enum tri
eval_journal(struct ectx *x, const struct cond *c, bool collect)
{
	const struct cond_journal *j = &c->journal;
	struct model *m = x->m;
	unsigned long count = 0;
	size_t i, k, used = 0;
	bool bad = false;
	enum tri t;

	for (i = 0; i < m->n_journals; i++) {
		struct journal_file *jf = &m->journals[i];

		if (j->jindex >= jf->n_res || jf->res[j->jindex] == NULL)
			continue;
		if (jf->unread) {
			_cleanup_free_ char *src = xasprintf(BUNDLE_DIR_JOURNAL "%s", jf->unit);
			_cleanup_free_ char *why = source_why(m, src, jf->path);

			set_reason(x, "no journal for %s: %s", jf->unit, why);
			bad = true;
			continue;
		}
		if (verdict_bad(jf->verdict)) {
			set_reason(x, _("%s failed the integrity check (%s)"), jf->path, br_verdict_name(jf->verdict));
			bad = true;
			continue;
		}
		used++;
		count += jf->res[j->jindex]->count;
	}
	if (used == 0) {
		if (!bad) {
			if (strpbrk(j->unit, "*?[") == NULL) {
				_cleanup_free_ char *src = xasprintf(BUNDLE_DIR_JOURNAL "%s", j->unit);
				_cleanup_free_ char *bp = xasprintf(BUNDLE_DIR_JOURNAL "%s" BUNDLE_EXT_JOURNAL, j->unit);
				_cleanup_free_ char *why = source_why(m, src, bp);

				set_reason(x, _("no journal for %s: %s"), j->unit, why);
			} else
				set_reason(x, _("no journal of a unit matching '%s' in the bundle"), j->unit);
		}
		return T_UNKNOWN;
	}
	t = j->absent ? (count == 0 ? T_TRUE : T_FALSE) : (count >= j->min_count ? T_TRUE : T_FALSE);
	if (t != T_TRUE || !collect || j->absent)
		return t;
	x->from_journal = true;
	x->count += count;
	for (i = 0; i < m->n_journals; i++) {
		struct journal_file *jf = &m->journals[i];
		struct jresult *jr;

		if (j->jindex >= jf->n_res || (jr = jf->res[j->jindex]) == NULL || verdict_bad(jf->verdict) ||
		    jf->unread || jr->count == 0)
			continue;
		if (jr->first != 0 && (x->first == 0 || jr->first < x->first))
			x->first = jr->first;
		if (jr->last > x->last)
			x->last = jr->last;
		for (k = 0; k < jr->n_head; k++)
			add_evidence_copy(x, &jr->head[k]);
		for (k = 0; k < jr->n_tail; k++)
			add_evidence_copy(x, &jr->tail[(jr->tail_pos + EVIDENCE_TAIL - jr->n_tail + k) % EVIDENCE_TAIL]);
		for (k = 0; k < jr->n_caps; k++) {
			x->cap_names = xreallocarray(x->cap_names, x->n_caps + 1, sizeof(char *));
			x->cap_values = xreallocarray(x->cap_values, x->n_caps + 1, sizeof(char *));
			x->cap_names[x->n_caps] = jr->cap_names[k];
			x->cap_values[x->n_caps] = jr->cap_values[k];
			x->n_caps++;
		}
	}
	return t;
}

static bool
compare(const struct ruleset *rs, const struct cond_cmp *c, const char *text, const json_t *jv, bool present)
{
	size_t i;
	double d;

	switch (c->op) {
	case OP_EQUALS:
		return present && strcmp(text, c->values[0]) == 0;
	case OP_NOT_EQUALS:
		return !present || strcmp(text, c->values[0]) != 0;
	case OP_IN:
	case OP_NOT_IN:
		for (i = 0; present && i < c->n_values; i++)
			if (strcmp(text, c->values[i]) == 0)
				return c->op == OP_IN;
		return c->op == OP_NOT_IN;
	case OP_MATCHES:
		return present && regex_match(rs, &c->vre, text, strlen(text)) == 1;
	case OP_AT_LEAST:
	case OP_AT_MOST:
		if (!present || jv == NULL || !json_number(jv, &d))
			return false;
		return c->op == OP_AT_LEAST ? d >= c->number : d <= c->number;
	default:
		return false;
	}
}

static enum tri
eval_unit(struct ectx *x, const struct cond *c, bool collect)
{
	const struct cond_unit *u = &c->unit;
	_cleanup_free_ char *path = xasprintf(BUNDLE_DIR_UNITS "%s" BUNDLE_EXT_UNIT, u->name);
	_cleanup_free_ char *src = xasprintf("unit/%s", u->name);
	_cleanup_free_ char *text = NULL;
	struct kfile *kf = model_file(x->m, path);
	const json_t *props, *v;
	bool res;

	if (kf == NULL) {
		_cleanup_free_ char *why = source_why(x->m, src, path);

		set_reason(x, _("no unit status for %s: %s"), u->name, why);
		return T_UNKNOWN;
	}
	if (verdict_bad(kf->verdict)) {
		set_reason(x, _("%s failed the integrity check (%s)"), path, br_verdict_name(kf->verdict));
		return T_UNKNOWN;
	}
	if ((props = model_unit(x->m, u->name)) == NULL) {
		set_reason(x, _("%s is not a JSON object"), path);
		return T_UNKNOWN;
	}
	v = json_object_get(props, u->cmp.property);
	text = json_to_text(v);
	if (u->cmp.op == OP_EXISTS)
		res = (v != NULL) == u->cmp.want;
	else
		res = compare(x->rs, &u->cmp, text, v, v != NULL);
	if (res && collect) {
		_cleanup_free_ char *line = xasprintf("%s = %s", u->cmp.property, text);

		add_evidence(x, path, 0, 0, line);
	}
	return res ? T_TRUE : T_FALSE;
}

static enum tri
eval_file(struct ectx *x, const struct cond *c, bool collect)
{
	const struct cond_file *f = &c->file;
	struct kfile *kf;
	_cleanup_free_ char *why = NULL;
	enum fstate st = find_config(x->m, f->paths, f->n_paths, &kf, &why);
	const struct ynode *root, *n;
	bool res;

	if (st == F_UNKNOWN || st == F_UNLISTED) {
		set_reason(x, "%s", why ? why : _("the config was not collected"));
		return T_UNKNOWN;
	}
	if (f->cmp.op == OP_EXISTS && f->cmp.property == NULL) {
		res = (st == F_PRESENT) == f->cmp.want;
		if (res && collect) {
			_cleanup_free_ char *bp = NULL, *src = NULL, *line = NULL;

			config_names(f->paths[0], &bp, &src);
			if (st == F_PRESENT)
				add_evidence(x, kf->path, 0, 0, "the file is present");
			else {
				const char *d = json_string_value(json_object_get(model_source(x->m, src), "detail"));

				line = xasprintf("source %s: unavailable (%s)", src, d ? d : "not found");
				add_evidence(x, BUNDLE_MANIFEST, 0, 0, line);
			}
		}
		return res ? T_TRUE : T_FALSE;
	}
	if (st == F_ABSENT) {
		set_reason(x, _("%s was not found on the host"), f->paths[0]);
		return T_UNKNOWN;
	}
	root = kfile_yaml(kf);
	if (f->test_parses) {
		res = (root != NULL) == f->cmp.want;
		if (res && collect && root == NULL) {
			_cleanup_free_ char *line = xasprintf("does not parse: %s", kf->parse_error);

			add_evidence(x, kf->path, 0, 0, line);
		}
		return res ? T_TRUE : T_FALSE;
	}
	if (root == NULL) {
		set_reason(x, _("%s does not parse (%s)"), kf->path, kf->parse_error ? kf->parse_error : "?");
		return T_UNKNOWN;
	}
	n = ynode_path(root, f->cmp.property);
	if (f->cmp.op == OP_EXISTS)
		res = !scalar_missing(n) == f->cmp.want;
	else {
		bool present = !scalar_missing(n) && n->kind == YN_SCALAR;

		res = compare(x->rs, &f->cmp, present ? n->value : "", NULL, present);
	}
	if (res && collect) {
		_cleanup_free_ char *line = NULL;

		if (scalar_missing(n))
			line = xasprintf("%s: not set", f->cmp.property);
		else if (n->kind == YN_SCALAR)
			line = xasprintf("%s: %s", f->cmp.property, n->value);
		else
			line = xasprintf("%s: (%s)", f->cmp.property, n->kind == YN_MAP ? "a mapping" : "a list");
		add_evidence(x, kf->path, n ? n->line : 0, 0, line);
	}
	return res ? T_TRUE : T_FALSE;
}

/* resolver: {nameservers: BOOL}: whether resolv.conf lists any. */
static enum tri
resolver_nameservers(struct ectx *x, const struct cond_resolver *r, bool collect)
{
	bool known;
	char **ns = resolv_nameservers(x->m, &known);
	bool res = (ns[0] != NULL) == r->want;

	if (!known) {
		struct kfile *kf = model_file(x->m, BUNDLE_PATH_RESOLV_CONF);
		_cleanup_free_ char *why = kf != NULL ?
		    xasprintf(_("%s failed the integrity check (%s)"), BUNDLE_PATH_RESOLV_CONF, br_verdict_name(kf->verdict)) :
		    source_why(x->m, BUNDLE_PATH_RESOLV_CONF, BUNDLE_PATH_RESOLV_CONF);

		set_reason(x, "%s", why);
		str_array_free(ns);
		return T_UNKNOWN;
	}
	if (res && collect) {
		struct buf b = { 0 };
		size_t i;

		if (ns[0] == NULL)
			buf_adds(&b, "no nameserver line");
		for (i = 0; ns[i] != NULL; i++)
			buf_printf(&b, "%snameserver %s", i ? "; " : "", ns[i]);
		add_evidence(x, BUNDLE_PATH_RESOLV_CONF, 0, 0, b.data);
		buf_free(&b);
	}
	str_array_free(ns);
	return res ? T_TRUE : T_FALSE;
}

/* resolver: {probe: {host, resolve, connect}}: the collector's DNS and TCP probe of the host. */
static enum tri
resolver_probe(struct ectx *x, const struct cond_resolver *r, bool collect)
{
	_cleanup_free_ char *why = NULL, *host = NULL;
	json_t *j = probes_json(x->m, &why);
	const json_t *p;
	bool res = true;

	if (j == NULL) {
		set_reason(x, _("no probe results: %s"), why);
		return T_UNKNOWN;
	}
	if (r->probe_host != NULL) {
		const char *v = NULL;

		if (strcmp(r->probe_host, "{config.onboardingEndpoint.host}") == 0) {
			if (config_value(x->m, "onboardingEndpoint.host", &v, NULL) <= 0) {
				set_reason(x, _("onboardingEndpoint.host is not known"));
				json_decref(j);
				return T_UNKNOWN;
			}
			host = xstrdup(v);
		} else
			host = xstrdup(r->probe_host);
	}
	p = find_probe(j, host);
	if (p == NULL) {
		set_reason(x, _("the collector did not probe %s"), host ? host : _("the onboarding endpoint"));
		json_decref(j);
		return T_UNKNOWN;
	}
	if (r->probe_resolve != PROBE_ANY)
		res = json_is_true(json_object_get(json_object_get(p, "resolve"), "ok")) ==
		    (r->probe_resolve == PROBE_OK);
	if (res && r->probe_connect != PROBE_ANY) {
		if (!json_is_true(json_object_get(json_object_get(p, "resolve"), "ok"))) {
			/* Never connected because it never resolved: no connect result to judge. */
			res = r->probe_connect == PROBE_FAILED;
		} else
			res = probe_connected(p) == (r->probe_connect == PROBE_OK);
	}
	if (res && collect) {
		_cleanup_free_ char *d = probe_describe(p);

		add_evidence(x, BUNDLE_PATH_PROBES, 0, 0, d);
	}
	json_decref(j);
	return res ? T_TRUE : T_FALSE;
}

static enum tri
eval_resolver(struct ectx *x, const struct cond *c, bool collect)
{
	return c->resolver.nameservers ? resolver_nameservers(x, &c->resolver, collect) :
	    resolver_probe(x, &c->resolver, collect);
}

static enum tri
eval_manifest(struct ectx *x, const struct cond *c, bool collect)
{
	const struct cond_manifest *mf = &c->manifest;
	const json_t *srcs = json_object_get(x->m->manifest, "sources"), *s;
	size_t i, k;
	bool res = false;

	json_array_foreach(srcs, i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));
		const char *st = json_string_value(json_object_get(s, "status"));
		const char *d = json_string_value(json_object_get(s, "detail"));

		if (n == NULL || st == NULL || fnmatch(mf->source, n, 0) != 0)
			continue;
		for (k = 0; k < mf->n_statuses; k++)
			if (strcmp(st, mf->statuses[k]) == 0)
				break;
		if (k == mf->n_statuses)
			continue;
		if (mf->detail.code != NULL && (d == NULL || regex_match(x->rs, &mf->detail, d, strlen(d)) != 1))
			continue;
		res = true;
		if (collect) {
			_cleanup_free_ char *line = xasprintf("source %s: %s%s%s%s", n, st, d ? " (" : "", d ? d : "", d ? ")" : "");

			add_evidence(x, BUNDLE_MANIFEST, 0, 0, line);
		}
	}
	return res ? T_TRUE : T_FALSE;
}

/* The named groups of a field's `matches` as captures (values kept by the model). */
static void
ecs_regex_captures(struct ectx *x, const struct regex *re, const char *subject)
{
	uint32_t count = 0, size = 0, k;
	PCRE2_SPTR table;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);

	pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
	for (k = 0; k < count; k++) {
		const unsigned char *e = table + k * size;
		unsigned n = (unsigned)(e[0] << 8 | e[1]);

		if (ov[2 * n] == PCRE2_UNSET)
			continue;
		x->cap_names = xreallocarray(x->cap_names, x->n_caps + 1, sizeof(char *));
		x->cap_values = xreallocarray(x->cap_values, x->n_caps + 1, sizeof(char *));
		x->cap_names[x->n_caps] = (const char *)e + 2;
		x->cap_values[x->n_caps] = ecs_intern(x->m, xstrndup(subject + ov[2 * n], ov[2 * n + 1] - ov[2 * n]));
		x->n_caps++;
	}
}

static bool
ecs_where(struct ectx *x, const struct cond *c, const struct ecs_record *rec, bool collect)
{
	for (size_t k = 0; k < c->ecs.n_where; k++) {
		const struct cond_cmp *w = &c->ecs.where[k];
		const char *v = ecs_field(rec, w->property);
		bool ok;

		if (w->op == OP_EXISTS)
			ok = (v != NULL) == w->want;
		else {
			json_t *jv = v ? json_string(v) : NULL;

			ok = compare(x->rs, w, v ? v : "", jv, v != NULL);
			json_decref(jv);
			if (ok && collect && w->op == OP_MATCHES && v != NULL)
				ecs_regex_captures(x, &w->vre, v);
		}
		if (!ok)
			return false;
	}
	return true;
}

static enum tri
eval_ecs(struct ectx *x, const struct cond *c, bool collect)
{
	const struct cond_ecs *e = &c->ecs;
	const struct ecs_record *recs;
	_cleanup_free_ char *why = NULL;
	size_t n, i, matched = 0;
	bool res;

	if (e->holds >= 0)
		return ecs_holds(x->m, e->holds) ? T_TRUE : T_FALSE;
	if (ecs_records(x->m, (enum ecs_rec)e->rec, &recs, &n, &why) < 0) {
		/* optional: true: without its document the condition is false. */
		if (e->optional)
			return T_FALSE;
		set_reason(x, "%s", why);
		return T_UNKNOWN;
	}
	for (i = 0; i < n; i++)
		matched += ecs_where(x, c, &recs[i], false);
	res = e->absent ? matched == 0 : matched >= e->min_count;
	if (!res || !collect)
		return res ? T_TRUE : T_FALSE;
	if (e->absent) {
		/* What is there instead. */
		for (i = 0; i < n && i < EVIDENCE_HEAD + EVIDENCE_TAIL; i++) {
			_cleanup_free_ char *t = ecs_record_text(&recs[i]);

			add_evidence(x, recs[i].source, 0, recs[i].time, t);
		}
		if (n == 0) {
			_cleanup_free_ char *t = xasprintf(_("no %s record"), ecs_rec_name((enum ecs_rec)e->rec));

			add_evidence(x, BUNDLE_MANIFEST, 0, 0, t);
		}
		return T_TRUE;
	}
	/* Oldest first, so that the newest record's fields are the captures a message uses. */
	_cleanup_free_ size_t *order = xcalloc(n ? n : 1, sizeof(*order));
	for (i = 0; i < n; i++) {
		size_t k = i;

		while (k > 0 && recs[order[k - 1]].time > recs[i].time) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	for (size_t o = 0; o < n; o++) {
		_cleanup_free_ char *t = NULL;

		i = order[o];
		if (!ecs_where(x, c, &recs[i], true))
			continue;
		t = ecs_record_text(&recs[i]);
		add_evidence(x, recs[i].source, 0, recs[i].time, t);
		if (recs[i].time != 0 && (x->first == 0 || recs[i].time < x->first))
			x->first = recs[i].time;
		if (recs[i].time > x->last)
			x->last = recs[i].time;
		for (size_t k = 0; k < recs[i].n; k++) {
			x->cap_names = xreallocarray(x->cap_names, x->n_caps + 1, sizeof(char *));
			x->cap_values = xreallocarray(x->cap_values, x->n_caps + 1, sizeof(char *));
			x->cap_names[x->n_caps] = recs[i].names[k];
			x->cap_values[x->n_caps] = recs[i].values[k];
			x->n_caps++;
		}
	}
	x->cap_names = xreallocarray(x->cap_names, x->n_caps + 1, sizeof(char *));
	x->cap_values = xreallocarray(x->cap_values, x->n_caps + 1, sizeof(char *));
	x->ecs_count += matched;
	x->cap_names[x->n_caps] = "records";
	x->cap_values[x->n_caps] = ecs_intern(x->m, xasprintf("%zu", matched));
	x->n_caps++;
	return T_TRUE;
}

static enum tri
eval_all(struct ectx *x, const struct cond *c, bool collect)
{
	enum tri t, acc = T_TRUE;

	for (size_t i = 0; i < c->n_kids; i++) {
		t = eval(x, c->kids[i], collect);
		if (t == T_FALSE)
			return T_FALSE;
		if (t == T_UNKNOWN)
			acc = T_UNKNOWN;
	}
	return acc;
}

static enum tri
eval_any(struct ectx *x, const struct cond *c, bool collect)
{
	enum tri t, acc = T_FALSE;

	for (size_t i = 0; i < c->n_kids; i++) {
		t = eval(x, c->kids[i], collect);
		if (t == T_TRUE)
			acc = T_TRUE;	/* keep going: every true branch adds evidence */
		else if (t == T_UNKNOWN && acc == T_FALSE)
			acc = T_UNKNOWN;
	}
	return acc;
}

static enum tri
eval_not(struct ectx *x, const struct cond *c, bool collect)
{
	enum tri t = eval(x, c->kids[0], false);

	(void)collect;	/* a true negation has no lines of its own: its kid is false */
	return t == T_UNKNOWN ? T_UNKNOWN : t == T_TRUE ? T_FALSE : T_TRUE;
}

/*
 * Each condition kind's evaluation, indexed by kind: true, false, or unknown
 * (with the reason set) when the bundle lacks what it reads; with collect,
 * a true condition adds its evidence and captures.
 */
static enum tri (*const cond_evals[])(struct ectx *x, const struct cond *c, bool collect) = {
	[COND_ALL] = eval_all,
	[COND_ANY] = eval_any,
	[COND_NOT] = eval_not,
	[COND_JOURNAL] = eval_journal,
	[COND_UNIT] = eval_unit,
	[COND_FILE] = eval_file,
	[COND_RESOLVER] = eval_resolver,
	[COND_MANIFEST] = eval_manifest,
	[COND_ECS] = eval_ecs,
};
_Static_assert(ELEMENTSOF(cond_evals) == _COND_KIND_MAX, "one evaluation per condition kind");

static enum tri
eval(struct ectx *x, const struct cond *c, bool collect)
{
	if (cond_evals[c->kind] == NULL)	/* a row left out in the middle of cond_evals[] */
		abort();
	return cond_evals[c->kind](x, c, collect);
}

/* ---- messages ------------------------------------------------------------- */

static const char *
capture(const struct ectx *x, const char *name, size_t len)
{
	size_t i;

	/* The latest journal result wins: search from the end. */
	for (i = x->n_caps; i > 0; i--)
		if (strlen(x->cap_names[i - 1]) == len && strncmp(x->cap_names[i - 1], name, len) == 0)
			return x->cap_values[i - 1];
	return NULL;
}

static void
fn_endpoint_match(struct ectx *x, struct buf *b, const char *v)
{
	const char *cfg = NULL;
	int r = config_value(x->m, "onboardingEndpoint.host", &cfg, NULL);

	if (r < 0)
		buf_adds(b, _("cannot be compared with onboardingEndpoint.host (the onboarding config was not collected or does not parse)"));
	else if (r == 0)
		buf_adds(b, _("cannot be compared: onboardingEndpoint.host is not set in the onboarding config"));
	else if (host_equal(v, cfg))
		buf_adds(b, _("is the configured onboardingEndpoint.host"));
	else
		buf_printf(b, _("is not the configured onboardingEndpoint.host (that is %s)"), cfg);
}

/* Strips ":port" and brackets from a server address as the resolver logs it. */
static char *
server_address(const char *v)
{
	const char *colon = strrchr(v, ':');
	size_t len = strlen(v);

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close)
			return xstrndup(v + 1, (size_t)(close - v - 1));
	}
	/* One colon: IPv4 with a port.  More: a bare IPv6 address. */
	if (colon != NULL && strchr(v, ':') == colon)
		len = (size_t)(colon - v);
	return xstrndup(v, len);
}

static void
fn_resolv_lists(struct ectx *x, struct buf *b, const char *v, bool *missing)
{
	bool known;
	char **ns = resolv_nameservers(x->m, &known);
	_cleanup_free_ char *addr = server_address(v);
	size_t i;

	if (!known && ecs_away_bundle(x->m) && model_file(x->m, BUNDLE_PATH_RESOLV_CONF) == NULL) {
		/* The collecting machine's resolver says nothing about the task's: never compare them. */
		*missing = true;
		buf_adds(b, "(not collected: away from the task)");
	} else if (!known)
		buf_adds(b, model_file(x->m, BUNDLE_PATH_RESOLV_CONF) != NULL ?
		    _("could not be checked (resolv.conf failed the integrity check)") :
		    _("could not be checked (resolv.conf was not collected)"));
	else if (ns[0] == NULL)
		buf_printf(b, _("lists no nameserver at all (so not %s)"), addr);
	else {
		for (i = 0; ns[i] != NULL; i++)
			if (strcasecmp(ns[i], addr) == 0)
				break;
		if (ns[i] != NULL)
			buf_printf(b, _("lists %s"), addr);
		else {
			struct buf l = { 0 };

			for (i = 0; ns[i] != NULL; i++)
				buf_printf(&l, "%s%s", i ? _(", ") : "", ns[i]);
			buf_printf(b, _("does not list %s (it lists %s)"), addr, l.data);
			buf_free(&l);
		}
	}
	str_array_free(ns);
}

static void
fn_probe(struct ectx *x, struct buf *b, const char *host)
{
	_cleanup_free_ char *why = NULL;
	json_t *j = probes_json(x->m, &why);
	const json_t *p, *res;
	const char *e;

	if (j == NULL && ecs_away_bundle(x->m)) {
		buf_adds(b, _("the collector did not probe it: it ran away from the ECS task, and a probe from there "
		    "would not show what the task sees"));
		return;
	}
	if (j == NULL) {
		const char *d = json_string_value(json_object_get(probe_source(x->m), "detail"));

		buf_printf(b, _("the collector did not probe it (%s)"), d ? d : _("no probe results in the bundle"));
		return;
	}
	p = find_probe(j, host);
	if (p == NULL) {
		buf_adds(b, _("the collector did not probe it"));
		json_decref(j);
		return;
	}
	res = json_object_get(p, "resolve");
	if (!json_is_true(json_object_get(res, "ok"))) {
		e = json_string_value(json_object_get(res, "error"));
		buf_printf(b, _("the collector's own probe could not resolve %s (%s)"),
		    json_string_value(json_object_get(p, "host")) ? json_string_value(json_object_get(p, "host")) : _("it"),
		    e ? e : _("no detail"));
	} else {
		const json_t *a;
		size_t i;

		struct buf l = { 0 };

		json_array_foreach(json_object_get(res, "addresses"), i, a)
			if (json_is_string(a) && i < 4)
				buf_printf(&l, "%s %s", i ? "," : "", json_string_value(a));
		buf_printf(b, _("the collector's own probe resolved it to%s"), l.data ? l.data : "");
		buf_free(&l);
		if (json_array_size(json_object_get(p, "connect")) > 0) {
			if (probe_connected(p))
				buf_printf(b, _(" and connected to port %lld"), (long long)json_integer_value(json_object_get(p, "port")));
			else
				buf_printf(b, _(" but could not connect to port %lld (%s)"),
				    (long long)json_integer_value(json_object_get(p, "port")),
				    probe_connect_error(p) ? probe_connect_error(p) : _("no detail"));
		}
	}
	json_decref(j);
}

static void
fn_ntp(struct ectx *x, struct buf *b)
{
	const json_t *v = json_object_get(x->m->host, "ntp_synchronized");

	if (ecs_away_bundle(x->m))
		buf_adds(b, _("of the ECS task is not known (the bundle was collected away from the task)"));
	else if (json_is_true(v))
		buf_adds(b, _("is NTP-synchronised"));
	else if (json_is_false(v))
		buf_adds(b, _("is NOT NTP-synchronised"));
	else
		buf_adds(b, _("has an unknown NTP state"));
}

/*
 * Writes one placeholder's value; sets *missing when the value is not known
 * (a config key not set or not collected, a unit property or capture absent,
 * journal facts of a finding that does not come from the journal).
 */
static void
render_placeholder(struct ectx *x, struct buf *b, char *name, bool *missing)
{
	char tb[HTIME_MAX], tb2[HTIME_MAX];
	const char *colon = strchr(name, ':'), *v;
	unsigned long c = x->from_journal ? x->count : 1UL;

	if (strcmp(name, "count") == 0 || strcmp(name, "times") == 0 || strcmp(name, "seen") == 0) {
		if (!x->from_journal)
			*missing = true;
		if (name[0] == 'c')
			buf_printf(b, "%lu", c);
		else if (c == 1)
			buf_adds(b, _("once"));
		else
			buf_printf(b, _("%lu times"), c);
		if (name[0] != 's' || x->first == 0)
			return;
		if (c == 1 || x->first == x->last)
			buf_printf(b, _(", at %s"), time_human(x->first, tb));
		else
			buf_printf(b, _(" from %s to %s"), time_human(x->first, tb), time_human(x->last, tb2));
	} else if (strcmp(name, "first_seen") == 0 || strcmp(name, "last_seen") == 0) {
		uint64_t t = name[0] == 'f' ? x->first : x->last;

		if (t == 0)
			*missing = true;
		buf_adds(b, t ? time_human(t, tb) : _("(no time)"));
	} else if (strncmp(name, "ecs.", 4) == 0) {
		/* Not known: the word a customer replaces, as in a command line of the docs. */
		if (ecs_fact(x->m, name + 4, b) <= 0)
			buf_adds(b, strcmp(name + 4, "service") == 0 ? "SERVICE" : strcmp(name + 4, "cluster") == 0 ?
			    "CLUSTER" : strcmp(name + 4, "region") == 0 ? "REGION" : strcmp(name + 4, "family") == 0 ?
			    "FAMILY" : "FAMILY:REVISION");
	} else if (strcmp(name, "unit") == 0)
		buf_adds(b, AGENT_UNIT);
	else if (strcmp(name, "ntp") == 0)
		fn_ntp(x, b);
	else if (strncmp(name, "config.", 7) == 0) {
		int r = config_value(x->m, name + 7, &v, NULL);

		if (r == 0 && strcmp(name + 7, "onboardingEndpoint.port") == 0)
			v = _("15443 (the default)");
		else if (r <= 0) {
			*missing = true;
			v = r == 0 ? _("(not set)") : _("(unknown: the onboarding config was not collected)");
		}
		buf_adds(b, v);
	} else if (strncmp(name, "unit.", 5) == 0) {
		const json_t *u = model_unit(x->m, AGENT_UNIT);
		const json_t *pv = u ? json_object_get(u, name + 5) : NULL;
		_cleanup_free_ char *t = pv ? json_to_text(pv) : NULL;

		if (t == NULL)
			*missing = true;
		buf_adds(b, t ? t : _("(unknown)"));
	} else if (colon != NULL) {
		const char *arg = colon + 1;

		*(char *)colon = '\0';
		v = strcmp(arg, "endpoint") == 0 ? NULL : capture(x, arg, strlen(arg));
		if (strcmp(name, "probe") == 0)
			fn_probe(x, b, strcmp(arg, "endpoint") == 0 ? NULL : v);
		else if (v == NULL) {
			*missing = true;
			buf_adds(b, _("(unknown)"));
		} else if (strcmp(name, "endpoint_match") == 0)
			fn_endpoint_match(x, b, v);
		else if (strcmp(name, "resolv_lists") == 0)
			fn_resolv_lists(x, b, v, missing);
	} else if ((v = capture(x, name, strlen(name))) != NULL)
		buf_adds(b, v);
	else {
		*missing = true;
		buf_adds(b, _("(unknown)"));
	}
}

/* Renders s[0..len) (no [[ ]] inside) into b; *missing when a value was not known. */
static void
render_text(struct ectx *x, struct buf *b, const char *s, size_t len, bool *missing)
{
	const char *p = s, *end = s + len, *e;

	while (p < end) {
		if (*p != '{') {
			buf_addc(b, *p++);
			continue;
		}
		if (p + 1 < end && p[1] == '{') {
			buf_addc(b, '{');
			p += 2;
			continue;
		}
		e = memchr(p, '}', (size_t)(end - p));
		if (e == NULL) {
			buf_add(b, p, (size_t)(end - p));
			return;
		}
		{
			_cleanup_free_ char *name = xstrndup(p + 1, (size_t)(e - p - 1));

			render_placeholder(x, b, name, missing);
		}
		p = e + 1;
	}
}

/* The message: its template filled in; a [[ ... ]] part is left out when a value in it is not known. */
static char *
render_message(struct ectx *x, const char *s)
{
	const char *open, *close;
	struct buf b = { 0 }, part = { 0 };
	bool missing = false;

	while ((open = strstr(s, "[[")) != NULL && (close = strstr(open + 2, "]]")) != NULL) {
		render_text(x, &b, s, (size_t)(open - s), &missing);
		missing = false;
		buf_reset(&part);
		render_text(x, &part, open + 2, (size_t)(close - open - 2), &missing);
		if (!missing && part.len > 0)
			buf_add(&b, part.data, part.len);
		s = close + 2;
	}
	render_text(x, &b, s, strlen(s), &missing);
	buf_free(&part);
	return buf_steal(&b, NULL);
}

/* ---- findings ----------------------------------------------------------------- */

void
finding_clear(struct finding *f)
{
	size_t i;

	free(f->message);
	for (i = 0; i < f->n_ev; i++)
		evidence_clear(&f->ev[i]);
	free(f->ev);
	if (f->own_rule != NULL) {
		free(f->own_rule->remedy);
		free(f->own_rule);
	}
	memset(f, 0, sizeof(*f));
}

static int
cmp_evidence(const void *a, const void *b)
{
	const struct evidence *x = a, *y = b;
	int c;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if ((c = strcmp(x->source, y->source)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Keeps the first EVIDENCE_HEAD and last EVIDENCE_TAIL of x's evidence, in order, without duplicates. */
static void
take_evidence(struct ectx *x, struct finding *f)
{
	size_t i, n = 0, keep = EVIDENCE_HEAD + EVIDENCE_TAIL;

	if (x->n_ev > 1)
		qsort(x->ev, x->n_ev, sizeof(*x->ev), cmp_evidence);
	for (i = 0; i < x->n_ev; i++) {
		if (n > 0 && x->ev[n - 1].line == x->ev[i].line && strcmp(x->ev[n - 1].source, x->ev[i].source) == 0 &&
		    (x->ev[i].line != 0 || (x->ev[n - 1].len == x->ev[i].len &&
		    memcmp(x->ev[n - 1].text, x->ev[i].text, x->ev[i].len) == 0))) {
			evidence_clear(&x->ev[i]);
			continue;
		}
		x->ev[n++] = x->ev[i];
	}
	x->n_unique = n;
	if (n > keep) {
		for (i = EVIDENCE_HEAD; i < n - EVIDENCE_TAIL; i++)
			evidence_clear(&x->ev[i]);
		memmove(&x->ev[EVIDENCE_HEAD], &x->ev[n - EVIDENCE_TAIL], EVIDENCE_TAIL * sizeof(*x->ev));
		n = keep;
	}
	f->ev = x->ev;
	f->n_ev = n;
	x->ev = NULL;
	x->n_ev = 0;
}

static void
ectx_clear(struct ectx *x)
{
	size_t i;

	for (i = 0; i < x->n_ev; i++)
		evidence_clear(&x->ev[i]);
	free(x->ev);
	free(x->cap_names);
	free(x->cap_values);
	free(x->reason);
}

int
evaluate_rule(const struct ruleset *rs, const struct rule *r, struct model *m, struct finding *f,
    char **reason)
{
	struct ectx x = { .rs = rs, .m = m, .r = r };
	enum tri t;

	memset(f, 0, sizeof(*f));
	*reason = NULL;
	t = eval(&x, r->when, true);
	if (t == T_UNKNOWN) {
		*reason = x.reason ? TAKE_PTR(x.reason) : xstrdup(_("its inputs are not in the bundle"));
		ectx_clear(&x);
		return -ENODATA;
	}
	if (t == T_FALSE) {
		ectx_clear(&x);
		return 0;
	}
	f->rule = r;
	{
		bool ecs = (r->message_ecs || r->remedy_ecs || (r->remedy && strstr(r->remedy, "{ecs."))) &&
		    model_is_ecs(m);
		const char *rem = ecs && rule_remedy_ecs(r) ? rule_remedy_ecs(r) : rule_remedy(r);

		f->message = render_message(&x, ecs && rule_message_ecs_tmpl(r) ? rule_message_ecs_tmpl(r) :
		    rule_message_tmpl(r));
		if (rem != NULL && (rem != rule_remedy(r) || strchr(rem, '{'))) {
			/* The ECS remedy, its {ecs.*} facts filled in, on a copy of the rule (in either language). */
			f->own_rule = xmemdup(r, sizeof(*r));
			f->own_rule->remedy = render_message(&x, rem);
			f->own_rule->remedy_zh = NULL;
			f->rule = f->own_rule;
		}
	}
	f->count = x.from_journal ? x.count : 1;
	f->ev_total = x.from_journal ? x.count : x.n_ev;
	f->first = x.first;
	f->last = x.last;
	take_evidence(&x, f);
	/* ECS records: each distinct record once, though several branches matched it. */
	if (!x.from_journal && x.ecs_count > 0 && x.n_unique > 0)
		f->count = f->ev_total = x.n_unique;
	ectx_clear(&x);
	return 1;
}

static void
add_finding(struct analysis *a, struct finding *f)
{
	a->findings = xreallocarray(a->findings, a->n_findings + 1, sizeof(*a->findings));
	a->findings[a->n_findings++] = *f;
}

static void
add_note(struct analysis *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add_note(struct analysis *a, const char *fmt, ...)
{
	va_list ap;

	a->notes = xreallocarray(a->notes, a->n_notes + 1, sizeof(*a->notes));
	va_start(ap, fmt);
	a->notes[a->n_notes++] = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
engine_checks(struct analysis *a, struct model *m)
{
	struct finding f;
	struct buf b = { 0 };
	size_t i, shown;

	if (m->n_integrity > 0) {
		memset(&f, 0, sizeof(f));
		f.rule = engine_rule("bundle-integrity-failed");
		buf_printf(&b, P_("%zu entry of the bundle does not match the manifest: ",
		    "%zu entries of the bundle do not match the manifest: ", m->n_integrity), m->n_integrity);
		for (i = 0; i < m->n_integrity && i < 5; i++)
			buf_printf(&b, _("%s%s (%s)"), i ? _("; ") : "", m->integrity[i].path, m->integrity[i].problem);
		if (m->n_integrity > 5)
			buf_printf(&b, _("; and %zu more"), m->n_integrity - 5);
		buf_adds(&b, _(". Rules that read them are listed as not evaluated."));
		f.message = buf_steal(&b, NULL);
		f.count = m->n_integrity;
		f.ev_total = m->n_integrity;
		shown = m->n_integrity < EVIDENCE_HEAD + EVIDENCE_TAIL ? m->n_integrity : EVIDENCE_HEAD + EVIDENCE_TAIL;
		f.ev = xcalloc(shown, sizeof(*f.ev));
		for (i = 0; i < shown; i++) {
			size_t k = i < EVIDENCE_HEAD || m->n_integrity <= shown ? i : m->n_integrity - (shown - i);

			f.ev[i].source = xstrdup(m->integrity[k].path);
			f.ev[i].text = xstrdup(m->integrity[k].problem);
			f.ev[i].len = strlen(f.ev[i].text);
		}
		f.n_ev = shown;
		add_finding(a, &f);
	}
	if (m->secrets_total > 0) {
		memset(&f, 0, sizeof(f));
		f.rule = engine_rule("bundle-contains-secret");
		buf_printf(&b, _("A secret (%s pattern) is still present in %s line %lu"), m->secrets[0].kind,
		    m->secrets[0].path, m->secrets[0].line);
		if (m->secrets_total > 1)
			buf_printf(&b, _(" (%lu such hits in all)"), m->secrets_total);
		buf_adds(&b, _("; the value is not shown here."));
		f.message = buf_steal(&b, NULL);
		f.count = m->secrets_total;
		f.ev_total = m->secrets_total;
		shown = m->n_secrets < EVIDENCE_HEAD + EVIDENCE_TAIL ? m->n_secrets : EVIDENCE_HEAD + EVIDENCE_TAIL;
		f.ev = xcalloc(shown ? shown : 1, sizeof(*f.ev));
		for (i = 0; i < shown; i++) {
			f.ev[i].source = xstrdup(m->secrets[i].path);
			f.ev[i].line = m->secrets[i].line;
			f.ev[i].text = xasprintf("%s pattern (value not shown)", m->secrets[i].kind);
			f.ev[i].len = strlen(f.ev[i].text);
		}
		f.n_ev = shown;
		add_finding(a, &f);
	}
}

/*
 * What the collector's leak check held back (a secret still there after redaction): how many
 * entries of which source, and whole files.  The rules never saw them; the report says so.
 */
static void
withheld_notes(struct analysis *a, const struct model *m)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(m->manifest, "sources"), i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));
		const char *d = json_string_value(json_object_get(s, "detail"));
		const json_t *w = json_object_get(s, "withheld");

		if (n == NULL)
			continue;
		if (json_is_integer(w) && json_integer_value(w) > 0)
			add_note(a, _("%s: %lld %s withheld by the collector's leak check (a secret remained after "
			    "redaction); the rules did not see %s"), n, (long long)json_integer_value(w),
			    json_integer_value(w) == 1 ? _("entry") : _("entries"),
			    json_integer_value(w) == 1 ? _("it") : _("them"));
		else if (d != NULL && strstr(d, "leak check withheld") != NULL)
			add_note(a, _("%s: withheld whole by the collector's leak check (a secret remained after "
			    "redaction); the rules did not see it"), n);
	}
}

static int
cmp_findings(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;

	if (a->rule->severity != b->rule->severity)
		return a->rule->severity < b->rule->severity ? -1 : 1;
	/* State findings (no time) first, then by first seen; ids break ties. */
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return strcmp(a->rule->id, b->rule->id);
}

struct analysis *
evaluate(const struct ruleset *rs, struct model *m)
{
	struct analysis *a = xcalloc(1, sizeof(*a));
	size_t i, k;

	a->m = m;
	engine_checks(a, m);
	for (i = 0; i < rs->n; i++) {
		struct finding f;
		char *reason = NULL;
		int r = evaluate_rule(rs, rs->rules[i], m, &f, &reason);

		if (r == 1)
			add_finding(a, &f);
		else if (r == -ENODATA) {
			a->not_eval = xreallocarray(a->not_eval, a->n_not_eval + 1, sizeof(*a->not_eval));
			a->not_eval[a->n_not_eval].rule = rs->rules[i];
			a->not_eval[a->n_not_eval].reason = reason;
			a->n_not_eval++;
		}
	}
	if (a->n_findings > 1)
		qsort(a->findings, a->n_findings, sizeof(*a->findings), cmp_findings);
	for (i = 0; i < m->n_journals; i++) {
		const struct journal_file *jf = &m->journals[i];

		if (jf->invalid > 0)
			add_note(a, _("%s: %lu of %lu lines are not journal entries (invalid JSON or no MESSAGE) and were skipped"),
			    jf->path, jf->invalid, jf->lines);
		if (jf->too_long > 0)
			add_note(a, _("%s: %lu lines over %d MiB were skipped"), jf->path, jf->too_long, JOURNAL_LINE_MAX >> 20);
		for (k = 0; k < jf->n_res; k++)
			if (jf->res[k] != NULL && jf->res[k]->limit_hits > 0) {
				const char *id = rs->jconds[k]->rule_id ? rs->jconds[k]->rule_id : "?";

				add_note(a, _("rule %s: its pattern hit the PCRE2 match limit on %lu lines of %s; those lines were not matched"),
				    id, jf->res[k]->limit_hits, jf->path);
			}
	}
	withheld_notes(a, m);
	for (i = 0; i < m->n_notes; i++)
		add_note(a, "%s", m->notes[i]);
	return a;
}

void
analysis_free(struct analysis *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_findings; i++)
		finding_clear(&a->findings[i]);
	free(a->findings);
	for (i = 0; i < a->n_not_eval; i++)
		free(a->not_eval[i].reason);
	free(a->not_eval);
	for (i = 0; i < a->n_notes; i++)
		free(a->notes[i]);
	free(a->notes);
	for (i = 0; i < a->n_suppressed; i++) {
		finding_clear(&a->suppressed[i].f);
		free(a->suppressed[i].reason);
		free(a->suppressed[i].expires);
	}
	free(a->suppressed);
	for (i = 0; i < a->n_suppress_notes; i++)
		free(a->suppress_notes[i]);
	free(a->suppress_notes);
	free(a);
}

enum severity
analysis_worst(const struct analysis *a)
{
	enum severity w = SEV_NONE;
	size_t i;

	for (i = 0; i < a->n_findings; i++)
		if (a->findings[i].rule->severity < w)
			w = a->findings[i].rule->severity;
	return w;
}

char *
agent_state(const struct model *m)
{
	const json_t *u = model_unit(m, AGENT_UNIT);
	const char *load, *active, *sub, *result;
	json_int_t restarts;
	struct buf b = { 0 };

	if (u == NULL && ecs_agent_state(m, &b) > 0)
		return buf_steal(&b, NULL);
	if (u == NULL) {
		_cleanup_free_ char *why = source_why(m, "unit/" AGENT_UNIT, BUNDLE_DIR_UNITS AGENT_UNIT BUNDLE_EXT_UNIT);

		return xasprintf(_("unknown (%s)"), why);
	}
	load = json_string_value(json_object_get(u, "LoadState"));
	active = json_string_value(json_object_get(u, "ActiveState"));
	sub = json_string_value(json_object_get(u, "SubState"));
	result = json_string_value(json_object_get(u, "Result"));
	restarts = json_integer_value(json_object_get(u, "NRestarts"));
	if (load != NULL && strcmp(load, "not-found") == 0)
		return xstrdup(_("not installed (LoadState not-found)"));
	buf_printf(&b, "%s", active ? active : _("unknown"));
	if (sub != NULL)
		buf_printf(&b, _(" (%s)"), sub);
	if (result != NULL && strcmp(result, "success") != 0)
		buf_printf(&b, _(", Result: %s"), result);
	if (restarts > 0)
		buf_printf(&b, _(", %lld restarts"), (long long)restarts);
	return buf_steal(&b, NULL);
}
