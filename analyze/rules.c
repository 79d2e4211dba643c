/* rules.c: the rules language: loading YAML rules with positions, compiling regexes (--check-rules examples: examples.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "cleanup.h"
#include "ecsdoc.h"
#include "escape.h"
#include "timeutil.h"

#define RULES_FILE_MAX	(4 * 1024 * 1024)
#define RULES_MAX	10000

static const char *const sev_names[] = { "critical", "error", "warning", "info", "none" };

const char *
severity_name(enum severity s)
{
	return (unsigned)s < ELEMENTSOF(sev_names) ? sev_names[s] : "?";
}

const char *
severity_label(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL: return C_("severity", "critical");
	case SEV_ERROR: return C_("severity", "error");
	case SEV_WARNING: return C_("severity", "warning");
	case SEV_INFO: return C_("severity", "info");
	default: return severity_name(s);
	}
}

const char *
severity_heading(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL: return C_("severity", "CRITICAL");
	case SEV_ERROR: return C_("severity", "ERROR");
	case SEV_WARNING: return C_("severity", "WARNING");
	case SEV_INFO: return C_("severity", "INFO");
	case SEV_NONE: return "NONE";
	}
	return "?";
}

int
severity_parse(const char *s, bool allow_none)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(sev_names); i++)
		if (strcmp(s, sev_names[i]) == 0 && (i != SEV_NONE || allow_none))
			return (int)i;
	return -EINVAL;
}

/* ---- the engine's own rules ----------------------------------------------- */

static char *integrity_links[] = { NULL };

static struct rule engine_rules[] = {
	{
		.id = (char *)"bundle-integrity-failed",
		.title = (char *)"The bundle does not match its manifest",
		.severity = SEV_ERROR,
		.description = (char *)"An entry's size or SHA-256 differs from the manifest, or a file is missing or not listed.",
		.message = (char *)"",
		.remedy = (char *)"The bundle was changed or damaged after collection. Ask for the original file "
		    "(compare its checksum with the upload) or run `triage-collect` again; findings that "
		    "read the damaged entries are listed as not evaluated.",
		.title_zh = (char *)"诊断包与其清单不符",
		.description_zh = (char *)"有条目的大小或 SHA-256 与清单不符，或者有文件缺失、未列入清单。",
		.remedy_zh = (char *)"诊断包在采集之后被修改或损坏。请索取原始文件（将其校验和与上传的文件比对），"
		    "或者重新运行 `triage-collect`；读取受损条目的规则会列为未评估。",
		.links = integrity_links,
		.engine = true,
	},
	{
		.id = (char *)"bundle-contains-secret",
		.title = (char *)"A secret is still present in the bundle",
		.severity = SEV_CRITICAL,
		.description = (char *)"A secret pattern (private key, token, password) was found in the bundle.",
		.message = (char *)"",
		.remedy = (char *)"Treat the secret as exposed: rotate it, delete every copy of this bundle "
		    "(ticket attachments included), and collect again with the current `triage-collect`.",
		.title_zh = (char *)"诊断包中仍有机密信息",
		.description_zh = (char *)"在诊断包中发现了机密信息的特征（私钥、令牌、密码）。",
		.remedy_zh = (char *)"请视该机密已经泄露：立即轮换，删除此诊断包的所有副本（包括工单附件），"
		    "然后用当前版本的 `triage-collect` 重新采集。",
		.links = integrity_links,
		.engine = true,
	},
};

const struct rule *
engine_rule(const char *id)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(engine_rules); i++)
		if (strcmp(engine_rules[i].id, id) == 0)
			return &engine_rules[i];
	return NULL;
}

/* The texts in the current language: Chinese when the rule has them, else English. */
const char *
rule_title(const struct rule *r)
{
	return lang_get() == LANG_ZH && r->title_zh != NULL ? r->title_zh : r->title;
}

const char *
rule_message_tmpl(const struct rule *r)
{
	return lang_get() == LANG_ZH && r->message_zh != NULL ? r->message_zh : r->message;
}

const char *
rule_remedy(const struct rule *r)
{
	return lang_get() == LANG_ZH && r->remedy_zh != NULL ? r->remedy_zh : r->remedy;
}

const char *
rule_message_ecs_tmpl(const struct rule *r)
{
	return lang_get() == LANG_ZH && r->message_ecs_zh != NULL ? r->message_ecs_zh : r->message_ecs;
}

const char *
rule_remedy_ecs(const struct rule *r)
{
	return lang_get() == LANG_ZH && r->remedy_ecs_zh != NULL ? r->remedy_ecs_zh : r->remedy_ecs;
}

/* ---- ruleset -------------------------------------------------------------- */

static void cond_types_check(void);

struct ruleset *
ruleset_new(void)
{
	struct ruleset *rs = xcalloc(1, sizeof(*rs));

	rs->mctx = pcre2_match_context_create(NULL);
	if (rs->mctx == NULL)
		abort();
	pcre2_set_match_limit(rs->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(rs->mctx, REGEX_HEAP_LIMIT);
	cond_types_check();
	rs->jit_stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
	if (rs->jit_stack != NULL)
		pcre2_jit_stack_assign(rs->mctx, NULL, rs->jit_stack);
	return rs;
}

static void
regex_clear(struct regex *re)
{
	free(re->src);
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	memset(re, 0, sizeof(*re));
}

static void
strs_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void cond_free(struct cond *c);

static void
rule_free(struct rule *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->title);
	free(r->description);
	free(r->message);
	free(r->remedy);
	free(r->title_zh);
	free(r->description_zh);
	free(r->message_zh);
	free(r->remedy_zh);
	free(r->message_ecs);
	free(r->remedy_ecs);
	free(r->message_ecs_zh);
	free(r->remedy_ecs_zh);
	strs_free(r->links, r->n_links);
	cond_free(r->when);
	free(r->examples);
	free(r);
}

void
ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	free(rs->jconds);
	strs_free(rs->replaced, rs->n_replaced);
	litindex_free(rs->lix);
	for (i = 0; i < rs->n_trees; i++)
		ynode_free(rs->trees[i]);
	free(rs->trees);
	strs_free(rs->names, rs->n_names);
	strs_free(rs->diags, rs->n_diags);
	pcre2_match_context_free(rs->mctx);
	pcre2_jit_stack_free(rs->jit_stack);
	free(rs);
}

void
rules_diag(struct ruleset *rs, const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	rs->diags = xreallocarray(rs->diags, rs->n_diags + 1, sizeof(*rs->diags));
	rs->diags[rs->n_diags++] = xasprintf("%s:%u:%u: %s", file, line, col, msg);
	free(msg);
}

/* ---- parsing ---------------------------------------------------------------- */

/* Where the parser is: the ruleset it fills, the rules file and its error count. */
struct parse_ctx {
	struct ruleset *rs;
	const char *file;
	unsigned errors;
	unsigned depth;		/* of the condition being parsed */
	bool	 need_zh;	/* shipped, or `languages: [en, zh]`: every rule needs Chinese texts */
};

static void __attribute__((format(printf, 3, 4)))
err(struct parse_ctx *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	rules_diag(c->rs, c->file, n ? n->line : 1, n ? n->col : 1, "%s", msg);
	free(msg);
	c->errors++;
}

static const char *
kind_name(const struct ynode *n)
{
	switch (n->kind) {
	case YN_SCALAR: return "a scalar";
	case YN_SEQ: return "a list";
	case YN_MAP: return "a mapping";
	case YN_ALIAS: return "an alias";
	}
	return "?";
}

/* Checks that map has only the allowed keys, each once. */
static bool
check_keys(struct parse_ctx *c, const struct ynode *map, const char *what, const char *const *allowed)
{
	size_t i, j, k;
	bool ok = true;

	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *key = map->kids[i];

		if (key->kind != YN_SCALAR) {
			err(c, key, "%s: a key must be a string, not %s", what, kind_name(key));
			ok = false;
			continue;
		}
		for (k = 0; allowed[k] != NULL; k++)
			if (strcmp(key->value, allowed[k]) == 0)
				break;
		if (allowed[k] == NULL) {
			struct buf b = { 0 };

			for (k = 0; allowed[k] != NULL; k++)
				buf_printf(&b, "%s%s", k ? ", " : "", allowed[k]);
			err(c, key, "%s: unknown key '%s' (known: %s)", what, key->value, b.data);
			buf_free(&b);
			ok = false;
		}
		for (j = 0; j < i; j += 2)
			if (map->kids[j]->kind == YN_SCALAR && strcmp(map->kids[j]->value, key->value) == 0) {
				err(c, key, "%s: duplicate key '%s'", what, key->value);
				ok = false;
			}
	}
	return ok;
}

static const char *
get_str(struct parse_ctx *c, const struct ynode *n, const char *what)
{
	if (n->kind != YN_SCALAR) {
		err(c, n, "%s must be a string, not %s", what, kind_name(n));
		return NULL;
	}
	if (memchr(n->value, '\0', n->len) != NULL) {
		err(c, n, "%s holds a NUL byte", what);
		return NULL;
	}
	return n->value;
}

static int
get_bool(struct parse_ctx *c, const struct ynode *n, const char *what, bool *ret)
{
	if (n->kind == YN_SCALAR && n->plain) {
		if (strcmp(n->value, "true") == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(n->value, "false") == 0) {
			*ret = false;
			return 0;
		}
	}
	err(c, n, "%s must be true or false", what);
	return -EINVAL;
}

static int
get_ulong(struct parse_ctx *c, const struct ynode *n, const char *what, unsigned long *ret)
{
	char *end;

	if (n->kind == YN_SCALAR && n->plain && n->value[0] >= '0' && n->value[0] <= '9') {
		errno = 0;
		*ret = strtoul(n->value, &end, 10);
		if (errno == 0 && *end == '\0')
			return 0;
	}
	err(c, n, "%s must be a whole number", what);
	return -EINVAL;
}

static int
get_number(struct parse_ctx *c, const struct ynode *n, const char *what, double *ret)
{
	char *end;

	if (n->kind == YN_SCALAR && n->len > 0) {
		*ret = strtod(n->value, &end);
		if (*end == '\0')
			return 0;
	}
	err(c, n, "%s must be a number", what);
	return -EINVAL;
}

static int
compile_regex(struct parse_ctx *c, const struct ynode *n, const char *what, struct regex *re)
{
	const char *s = get_str(c, n, what);
	int ecode;
	PCRE2_SIZE eoff;
	PCRE2_UCHAR msg[256];

	if (s == NULL)
		return -EINVAL;
	re->code = pcre2_compile((PCRE2_SPTR)s, n->len, PCRE2_NEVER_UTF | PCRE2_NEVER_BACKSLASH_C,
	    &ecode, &eoff, NULL);
	if (re->code == NULL) {
		pcre2_get_error_message(ecode, msg, sizeof(msg));
		/* The offset is into the pattern; quoted scalars start one column later. */
		rules_diag(c->rs, c->file, n->line, n->col + (unsigned)eoff + (n->plain ? 0 : 1),
		    "%s: bad regular expression at offset %zu: %s", what, (size_t)eoff, (char *)msg);
		c->errors++;
		return -EINVAL;
	}
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->src = xstrdup(s);
	return 0;
}

static char **
get_strs(struct parse_ctx *c, const struct ynode *n, const char *what, size_t *count)
{
	char **v;
	size_t i;

	*count = 0;
	if (n->kind == YN_SCALAR) {
		if (get_str(c, n, what) == NULL)
			return NULL;
		v = xcalloc(1, sizeof(*v));
		v[0] = xstrdup(n->value);
		*count = 1;
		return v;
	}
	if (n->kind != YN_SEQ || n->n == 0) {
		err(c, n, "%s must be a string or a non-empty list of strings", what);
		return NULL;
	}
	v = xcalloc(n->n, sizeof(*v));
	for (i = 0; i < n->n; i++) {
		if (get_str(c, n->kids[i], what) == NULL) {
			strs_free(v, i);
			return NULL;
		}
		v[i] = xstrdup(n->kids[i]->value);
	}
	*count = n->n;
	return v;
}

static const char *const prio_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

int
rules_prio_one(const char *s, size_t len)
{
	size_t i;

	if (len == 1 && s[0] >= '0' && s[0] <= '7')
		return s[0] - '0';
	for (i = 0; i < ELEMENTSOF(prio_names); i++)
		if (strlen(prio_names[i]) == len && strncmp(prio_names[i], s, len) == 0)
			return (int)i;
	return -1;
}

/* "err" (0..3, like journalctl -p), "3", "err..warning", "0..4". */
static int
parse_priority(struct parse_ctx *c, const struct ynode *n, int *lo, int *hi)
{
	const char *s = get_str(c, n, "priority"), *dots;

	if (s == NULL)
		return -EINVAL;
	dots = strstr(s, "..");
	if (dots == NULL) {
		*lo = 0;
		*hi = rules_prio_one(s, strlen(s));
	} else {
		*lo = rules_prio_one(s, (size_t)(dots - s));
		*hi = rules_prio_one(dots + 2, strlen(dots + 2));
	}
	if (*lo < 0 || *hi < 0 || *lo > *hi) {
		err(c, n, "priority: '%s' is not a priority (0-7 or emerg..debug) or a range FROM..TO", s);
		return -EINVAL;
	}
	return 0;
}

/* "90s", "30m", "1h", "2d", "1w". */
static int
parse_duration(struct parse_ctx *c, const struct ynode *n, uint64_t *ret)
{
	const char *s = get_str(c, n, "within");

	if (s == NULL)
		return -EINVAL;
	/* More than 0, at most 10 years of 365 days. */
	if (time_span_parse(s, 1, 10 * 365 * 86400 * USEC_PER_SEC, ret) == 0)
		return 0;
	err(c, n, "within: '%s' is not a duration such as 90s, 30m, 1h, 2d", s);
	return -EINVAL;
}

/* The comparison keys shared by unit, file and ecs `where` conditions. */
static int
parse_op(struct parse_ctx *c, const struct ynode *map, struct cond_cmp *cmp, const char *what, bool allow_numbers)
{
	static const char *const ops[] = {
		"exists", "equals", "not_equals", "in", "not_in", "matches", "at_least", "at_most", NULL,
	};
	const struct ynode *v = NULL;
	size_t k, found = 0;

	for (k = 0; ops[k] != NULL; k++) {
		const struct ynode *x = ynode_get(map, ops[k]);

		if (x == NULL)
			continue;
		if (found++ == 0) {
			v = x;
			cmp->op = (enum cmp_op)(OP_EXISTS + k);
		}
	}
	if (found != 1) {
		err(c, map, "%s: give exactly one of exists, equals, not_equals, in, not_in, matches%s",
		    what, allow_numbers ? ", at_least, at_most" : "");
		return -EINVAL;
	}
	switch (cmp->op) {
	case OP_EXISTS:
		return get_bool(c, v, "exists", &cmp->want);
	case OP_EQUALS:
	case OP_NOT_EQUALS:
		if (get_str(c, v, cmp->op == OP_EQUALS ? "equals" : "not_equals") == NULL)
			return -EINVAL;
		cmp->values = xcalloc(1, sizeof(char *));
		cmp->values[0] = xstrdup(v->value);
		cmp->n_values = 1;
		return 0;
	case OP_IN:
	case OP_NOT_IN:
		cmp->values = get_strs(c, v, cmp->op == OP_IN ? "in" : "not_in", &cmp->n_values);
		return cmp->values ? 0 : -EINVAL;
	case OP_MATCHES:
		return compile_regex(c, v, "matches", &cmp->vre);
	case OP_AT_LEAST:
	case OP_AT_MOST:
		if (!allow_numbers) {
			err(c, v, "%s: at_least and at_most compare unit properties only", what);
			return -EINVAL;
		}
		return get_number(c, v, cmp->op == OP_AT_LEAST ? "at_least" : "at_most", &cmp->number);
	default:
		return -EINVAL;
	}
}

static void
cmp_clear(struct cond_cmp *cmp)
{
	free(cmp->property);
	strs_free(cmp->values, cmp->n_values);
	regex_clear(&cmp->vre);
}

static struct cond *parse_cond(struct parse_ctx *c, const struct ynode *n);

/* A condition of kind, written at key; its kind's fields are zero. */
static struct cond *
cond_new(enum cond_kind kind, const struct ynode *key)
{
	struct cond *cd = xcalloc(1, sizeof(*cd));

	cd->kind = kind;
	cd->line = key->line;
	cd->col = key->col;
	return cd;
}

/* all: [COND, ...] and any: [COND, ...] */
static struct cond *
parse_all_any(struct parse_ctx *c, const struct ynode *key, const struct ynode *v)
{
	struct cond *cd;
	size_t i;

	if (v->kind != YN_SEQ || v->n == 0) {
		err(c, v, "%s: expected a non-empty list of conditions", key->value);
		return NULL;
	}
	cd = cond_new(strcmp(key->value, "all") == 0 ? COND_ALL : COND_ANY, key);
	cd->kids = xcalloc(v->n, sizeof(*cd->kids));
	for (i = 0; i < v->n; i++) {
		cd->kids[cd->n_kids] = parse_cond(c, v->kids[i]);
		if (cd->kids[cd->n_kids] != NULL)
			cd->n_kids++;
	}
	if (cd->n_kids != v->n) {
		cond_free(cd);
		return NULL;
	}
	return cd;
}

/* not: COND */
static struct cond *
parse_not(struct parse_ctx *c, const struct ynode *key, const struct ynode *v)
{
	struct cond *cd = cond_new(COND_NOT, key);

	cd->kids = xcalloc(1, sizeof(*cd->kids));
	if ((cd->kids[0] = parse_cond(c, v)) == NULL) {
		cond_free(cd);
		return NULL;
	}
	cd->n_kids = 1;
	return cd;
}

static struct cond *
parse_journal(struct parse_ctx *c, const struct ynode *key, const struct ynode *m)
{
	static const char *const keys[] = { "unit", "match", "priority", "min_count", "within", "absent", NULL };
	struct cond *cd = cond_new(COND_JOURNAL, key);
	struct cond_journal *j = &cd->journal;
	const struct ynode *v;
	bool ok = check_keys(c, m, "journal", keys);

	j->prio_min = 0;
	j->prio_max = 7;
	j->min_count = 1;
	if ((v = ynode_get(m, "unit")) != NULL) {
		if (get_str(c, v, "unit") == NULL)
			ok = false;
		else
			j->unit = xstrdup(v->value);
	} else
		j->unit = xstrdup(AGENT_UNIT);
	if ((v = ynode_get(m, "match")) == NULL) {
		err(c, m, "journal: 'match' (a regular expression) is required");
		ok = false;
	} else if (compile_regex(c, v, "match", &j->re) < 0)
		ok = false;
	else
		j->literals = regex_required_literals(j->re.src, &j->literal_lens, &j->n_literals);
	if ((v = ynode_get(m, "priority")) != NULL && parse_priority(c, v, &j->prio_min, &j->prio_max) < 0)
		ok = false;
	if ((v = ynode_get(m, "min_count")) != NULL) {
		if (get_ulong(c, v, "min_count", &j->min_count) < 0)
			ok = false;
		else if (j->min_count == 0) {
			err(c, v, "min_count must be at least 1 (use absent: true for none)");
			ok = false;
		}
	}
	if ((v = ynode_get(m, "within")) != NULL && parse_duration(c, v, &j->within) < 0)
		ok = false;
	if ((v = ynode_get(m, "absent")) != NULL && get_bool(c, v, "absent", &j->absent) < 0)
		ok = false;
	if (!ok) {
		cond_free(cd);
		return NULL;
	}
	return cd;
}

static void
free_journal(struct cond *cd)
{
	free(cd->journal.unit);
	regex_clear(&cd->journal.re);
	strs_free(cd->journal.literals, cd->journal.n_literals);
	free(cd->journal.literal_lens);
}

static struct cond *
parse_unit(struct parse_ctx *c, const struct ynode *key, const struct ynode *m)
{
	static const char *const keys[] = {
		"unit", "property", "exists", "equals", "not_equals", "in", "not_in", "matches",
		"at_least", "at_most", NULL,
	};
	struct cond *cd = cond_new(COND_UNIT, key);
	struct cond_unit *u = &cd->unit;
	const struct ynode *v;
	bool ok = check_keys(c, m, "unit", keys);

	if ((v = ynode_get(m, "unit")) != NULL) {
		if (get_str(c, v, "unit") == NULL)
			ok = false;
		else
			u->name = xstrdup(v->value);
	} else
		u->name = xstrdup(AGENT_UNIT);
	if ((v = ynode_get(m, "property")) == NULL) {
		err(c, m, "unit: 'property' (a D-Bus property name such as ActiveState) is required");
		ok = false;
	} else if (get_str(c, v, "property") == NULL)
		ok = false;
	else
		u->cmp.property = xstrdup(v->value);
	if (ok && parse_op(c, m, &u->cmp, "unit", true) < 0)
		ok = false;
	if (!ok) {
		cond_free(cd);
		return NULL;
	}
	return cd;
}

static void
free_unit(struct cond *cd)
{
	free(cd->unit.name);
	cmp_clear(&cd->unit.cmp);
}

static struct cond *
parse_file(struct parse_ctx *c, const struct ynode *key, const struct ynode *m)
{
	static const char *const keys[] = {
		"path", "exists", "parses", "key", "equals", "not_equals", "in", "not_in", "matches", NULL,
	};
	struct cond *cd = cond_new(COND_FILE, key);
	struct cond_file *f = &cd->file;
	const struct ynode *v, *k;
	bool ok = check_keys(c, m, "file", keys);
	size_t i;

	if ((v = ynode_get(m, "path")) == NULL) {
		err(c, m, "file: 'path' is required");
		ok = false;
	} else if ((f->paths = get_strs(c, v, "path", &f->n_paths)) == NULL)
		ok = false;
	else
		for (i = 0; i < f->n_paths; i++)
			if (f->paths[i][0] != '/' && strncmp(f->paths[i], "env/", 4) != 0) {
				err(c, v, "path: '%s' must be absolute, or env/NAME", f->paths[i]);
				ok = false;
			}
	k = ynode_get(m, "key");
	if (k == NULL) {
		const struct ynode *e = ynode_get(m, "exists"), *p = ynode_get(m, "parses");

		if ((e == NULL) == (p == NULL)) {
			err(c, m, "file: without 'key', give exactly one of exists and parses");
			ok = false;
		} else if (e != NULL) {
			f->cmp.op = OP_EXISTS;
			if (get_bool(c, e, "exists", &f->cmp.want) < 0)
				ok = false;
		} else {
			f->test_parses = true;
			if (get_bool(c, p, "parses", &f->cmp.want) < 0)
				ok = false;
		}
		if (ynode_get(m, "equals") || ynode_get(m, "not_equals") || ynode_get(m, "in") ||
		    ynode_get(m, "not_in") || ynode_get(m, "matches")) {
			err(c, m, "file: comparisons need a 'key'");
			ok = false;
		}
	} else {
		if (get_str(c, k, "key") == NULL)
			ok = false;
		else
			f->cmp.property = xstrdup(k->value);
		if (ynode_get(m, "parses") != NULL) {
			err(c, ynode_get(m, "parses"), "file: 'parses' does not combine with 'key'");
			ok = false;
		}
		if (ok && parse_op(c, m, &f->cmp, "file", false) < 0)
			ok = false;
	}
	if (!ok) {
		cond_free(cd);
		return NULL;
	}
	return cd;
}

static void
free_file(struct cond *cd)
{
	strs_free(cd->file.paths, cd->file.n_paths);
	cmp_clear(&cd->file.cmp);
}

static int
parse_probe_want(struct parse_ctx *c, const struct ynode *n, const char *what, enum probe_want *ret)
{
	const char *s = get_str(c, n, what);

	if (s == NULL)
		return -EINVAL;
	if (strcmp(s, "ok") == 0)
		*ret = PROBE_OK;
	else if (strcmp(s, "failed") == 0)
		*ret = PROBE_FAILED;
	else {
		err(c, n, "%s: '%s' must be ok or failed", what, s);
		return -EINVAL;
	}
	return 0;
}

static struct cond *
parse_resolver(struct parse_ctx *c, const struct ynode *key, const struct ynode *m)
{
	static const char *const keys[] = { "nameservers", "probe", NULL };
	static const char *const pkeys[] = { "host", "resolve", "connect", NULL };
	struct cond *cd = cond_new(COND_RESOLVER, key);
	struct cond_resolver *r = &cd->resolver;
	const struct ynode *ns = ynode_get(m, "nameservers"), *pr = ynode_get(m, "probe"), *v;
	bool ok = check_keys(c, m, "resolver", keys);

	if ((ns == NULL) == (pr == NULL)) {
		err(c, m, "resolver: give exactly one of nameservers and probe");
		ok = false;
	} else if (ns != NULL) {
		r->nameservers = true;
		if (get_bool(c, ns, "nameservers", &r->want) < 0)
			ok = false;
	} else if (pr->kind != YN_MAP) {
		err(c, pr, "probe must be a mapping (host, resolve, connect)");
		ok = false;
	} else {
		ok = check_keys(c, pr, "probe", pkeys) && ok;
		if ((v = ynode_get(pr, "host")) != NULL) {
			if (get_str(c, v, "host") == NULL)
				ok = false;
			else
				r->probe_host = xstrdup(v->value);
		}
		if ((v = ynode_get(pr, "resolve")) != NULL && parse_probe_want(c, v, "resolve", &r->probe_resolve) < 0)
			ok = false;
		if ((v = ynode_get(pr, "connect")) != NULL && parse_probe_want(c, v, "connect", &r->probe_connect) < 0)
			ok = false;
		if (ok && r->probe_resolve == PROBE_ANY && r->probe_connect == PROBE_ANY) {
			err(c, pr, "probe: give resolve or connect (ok or failed)");
			ok = false;
		}
	}
	if (!ok) {
		cond_free(cd);
		return NULL;
	}
	return cd;
}

static void
free_resolver(struct cond *cd)
{
	free(cd->resolver.probe_host);
}

static struct cond *
parse_manifest(struct parse_ctx *c, const struct ynode *key, const struct ynode *m)
{
	static const char *const keys[] = { "source", "status", "detail", NULL };
	static const char *const statuses[] = { "ok", "unavailable", "error", "truncated", NULL };
	struct cond *cd = cond_new(COND_MANIFEST, key);
	struct cond_manifest *mf = &cd->manifest;
	const struct ynode *v;
	bool ok = check_keys(c, m, "manifest", keys);
	size_t i, k;

	if ((v = ynode_get(m, "source")) == NULL || get_str(c, v, "source") == NULL) {
		if (v == NULL)
			err(c, m, "manifest: 'source' (a source name such as journal/onboarding-agent.service) is required");
		ok = false;
	} else
		mf->source = xstrdup(v->value);
	if ((v = ynode_get(m, "status")) == NULL) {
		err(c, m, "manifest: 'status' (ok, unavailable, error, truncated, or a list) is required");
		ok = false;
	} else if ((mf->statuses = get_strs(c, v, "status", &mf->n_statuses)) == NULL)
		ok = false;
	else {
		for (i = 0; i < mf->n_statuses; i++) {
			for (k = 0; statuses[k] != NULL; k++)
				if (strcmp(mf->statuses[i], statuses[k]) == 0)
					break;
			if (statuses[k] == NULL) {
				err(c, v, "status: '%s' is not ok, unavailable, error or truncated", mf->statuses[i]);
				ok = false;
			}
		}
	}
	/* detail: a regex the source's detail must match (why it is unavailable, not only that it is) */
	if ((v = ynode_get(m, "detail")) != NULL && compile_regex(c, v, "detail", &mf->detail) < 0)
		ok = false;
	if (!ok) {
		cond_free(cd);
		return NULL;
	}
	return cd;
}

static void
free_manifest(struct cond *cd)
{
	free(cd->manifest.source);
	strs_free(cd->manifest.statuses, cd->manifest.n_statuses);
	regex_clear(&cd->manifest.detail);
}

/* ecs: {holds: DOCUMENT}: true or false, never unknown (whether the bundle holds it). */
static bool
parse_ecs_holds(struct parse_ctx *c, const struct ynode *m, const struct ynode *v, struct cond_ecs *e)
{
	bool ok = true;
	int k;

	if (get_str(c, v, "holds") == NULL)
		ok = false;
	else {
		for (k = 0; k < _ECS_DOC_MAX; k++)
			if (strcmp(v->value, ecs_doc_info[k].name) == 0)
				break;
		if (k == _ECS_DOC_MAX) {
			err(c, v, "holds: '%s' is not describe-services, list-tasks, describe-tasks or "
			    "describe-task-definition", v->value);
			ok = false;
		}
		e->holds = k;
	}
	if (m->n != 2) {
		err(c, m, "ecs: 'holds' stands alone");
		ok = false;
	}
	return ok;
}

/* where: {FIELD: {OP: V}, ...}: the fields each record of type rec must have. */
static bool
parse_ecs_where(struct parse_ctx *c, const struct ynode *v, enum ecs_rec rec, struct cond_ecs *e)
{
	bool ok = true;
	size_t i;

	if (v->kind != YN_MAP) {
		err(c, v, "where: a mapping of field to comparison, e.g. {exitCode: {not_equals: \"0\"}}");
		return false;
	}
	e->where = xcalloc(v->n / 2 + 1, sizeof(*e->where));
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *f = v->kids[i], *op = v->kids[i + 1];
		struct cond_cmp *w = &e->where[e->n_where];
		_cleanup_free_ char *what = NULL;

		if (f->kind != YN_SCALAR || !ecs_rec_has_field(rec, f->value, f->len)) {
			err(c, f, "where: '%s' is not a field of %s records", f->kind == YN_SCALAR ? f->value : "?",
			    ecs_rec_name(rec));
			ok = false;
			continue;
		}
		if (op->kind != YN_MAP) {
			err(c, op, "where: %s: expected a comparison such as {equals: X}", f->value);
			ok = false;
			continue;
		}
		what = xasprintf("where: %s", f->value);
		w->property = xstrdup(f->value);
		if (!check_keys(c, op, what, (const char *const[]){ "exists", "equals", "not_equals", "in",
		    "not_in", "matches", "at_least", "at_most", NULL }) || parse_op(c, op, w, what, true) < 0) {
			cmp_clear(w);
			memset(w, 0, sizeof(*w));
			ok = false;
			continue;
		}
		e->n_where++;
	}
	return ok;
}

/*
 * ecs: {record: TYPE, where: {FIELD: {OP: V}, ...}, absent: bool, min_count: N, optional: bool}
 * or ecs: {holds: DOCUMENT}.
 */
static struct cond *
parse_ecs(struct parse_ctx *c, const struct ynode *key, const struct ynode *m)
{
	static const char *const keys[] = { "record", "where", "absent", "min_count", "holds", "optional", NULL };
	struct cond *cd = cond_new(COND_ECS, key);
	struct cond_ecs *e = &cd->ecs;
	const struct ynode *v;
	bool ok = check_keys(c, m, "ecs", keys);
	unsigned long mc;
	int k;

	e->rec = -1;
	e->holds = -1;
	if ((v = ynode_get(m, "holds")) != NULL) {
		ok = parse_ecs_holds(c, m, v, e) && ok;
		goto out;
	}
	if ((v = ynode_get(m, "record")) == NULL || get_str(c, v, "record") == NULL) {
		if (v == NULL)
			err(c, m, "ecs: 'record' (service, service-failure, deployment, event, task, task-failure, "
			    "container, task-definition, container-definition) or 'holds' is required");
		ok = false;
		goto out;
	}
	if ((k = ecs_rec_parse(v->value)) < 0) {
		err(c, v, "record: '%s' is not service, service-failure, deployment, event, task, task-failure, "
		    "container, task-definition or container-definition", v->value);
		ok = false;
		goto out;
	}
	e->rec = k;
	e->min_count = 1;
	if ((v = ynode_get(m, "where")) != NULL && !parse_ecs_where(c, v, (enum ecs_rec)k, e)) {
		ok = false;
		if (v->kind != YN_MAP)
			goto out;
	}
	if ((v = ynode_get(m, "absent")) != NULL && get_bool(c, v, "absent", &e->absent) < 0)
		ok = false;
	if ((v = ynode_get(m, "optional")) != NULL && get_bool(c, v, "optional", &e->optional) < 0)
		ok = false;
	if ((v = ynode_get(m, "min_count")) != NULL) {
		mc = 0;
		if (get_ulong(c, v, "min_count", &mc) < 0 || mc == 0) {
			if (mc == 0)
				err(c, v, "min_count: at least 1");
			ok = false;
		} else
			e->min_count = mc;
	}
out:
	if (!ok) {
		cond_free(cd);
		return NULL;
	}
	return cd;
}

static void
free_ecs(struct cond *cd)
{
	for (size_t i = 0; i < cd->ecs.n_where; i++)
		cmp_clear(&cd->ecs.where[i]);
	free(cd->ecs.where);
}

/* A condition kind, for the parser. */
struct cond_type {
	const char *name;		/* its key in a rules file */
	bool	 mapping;		/* its value must be a mapping (checked before parse) */
	/* Parses the value v of key; NULL after saying why with err(). */
	struct cond *(*parse)(struct parse_ctx *c, const struct ynode *key, const struct ynode *v);
	void	(*free)(struct cond *);	/* frees what the kind's fields own; NULL: nothing */
	/* The keys of an example's bundle that hold what the kind reads (examples.c builds them). */
	const char *const *example_keys;
};

/* Every condition kind, indexed by kind. */
static const struct cond_type cond_types[] = {
	[COND_ALL] = { "all", false, parse_all_any, NULL, NULL },
	[COND_ANY] = { "any", false, parse_all_any, NULL, NULL },
	[COND_NOT] = { "not", false, parse_not, NULL, NULL },
	[COND_JOURNAL] = { "journal", true, parse_journal, free_journal,
	    (const char *const[]){ "journal", "journal_unit", "fields", "priority", NULL } },
	[COND_UNIT] = { "unit", true, parse_unit, free_unit, (const char *const[]){ "unit", NULL } },
	[COND_FILE] = { "file", true, parse_file, free_file, (const char *const[]){ "files", "missing", NULL } },
	[COND_RESOLVER] = { "resolver", true, parse_resolver, free_resolver,
	    (const char *const[]){ "resolv.conf", "probes", NULL } },
	[COND_MANIFEST] = { "manifest", true, parse_manifest, free_manifest,
	    (const char *const[]){ "sources", "manifest", NULL } },
	[COND_ECS] = { "ecs", true, parse_ecs, free_ecs, (const char *const[]){ "ecs", NULL } },
};
_Static_assert(ELEMENTSOF(cond_types) == _COND_KIND_MAX, "one row per condition kind");

/* The static assertion sees a missing last row; a row left out in the middle is caught here. */
static void
cond_types_check(void)
{
	for (size_t k = 0; k < ELEMENTSOF(cond_types); k++)
		if (cond_types[k].name == NULL || cond_types[k].parse == NULL)
			abort();
}

static void
cond_free(struct cond *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_kids; i++)
		cond_free(c->kids[i]);
	free(c->kids);
	if (cond_types[c->kind].free != NULL)
		cond_types[c->kind].free(c);
	free(c);
}

/* The kinds' keys for an error message: "all, any, ..." with last_sep before the last one. */
static char *
kinds_list(const char *last_sep)
{
	struct buf b = { 0 };

	for (size_t k = 0; k < ELEMENTSOF(cond_types); k++) {
		if (k > 0)
			buf_adds(&b, k + 1 == ELEMENTSOF(cond_types) ? last_sep : ", ");
		buf_adds(&b, cond_types[k].name);
	}
	return buf_steal(&b, NULL);
}

static struct cond *
parse_cond(struct parse_ctx *c, const struct ynode *n)
{
	const struct ynode *key, *v;
	struct cond *cd;
	size_t k;

	if (c->depth > 32) {
		err(c, n, "conditions nested deeper than 32 levels");
		return NULL;
	}
	if (n->kind != YN_MAP || n->n != 2) {
		_cleanup_free_ char *known = kinds_list(" or ");

		err(c, n, "a condition is a mapping with one key: %s", known);
		return NULL;
	}
	key = n->kids[0];
	v = n->kids[1];
	if (key->kind != YN_SCALAR) {
		err(c, key, "a condition's key must be a string");
		return NULL;
	}
	for (k = 0; k < ELEMENTSOF(cond_types); k++)
		if (strcmp(key->value, cond_types[k].name) == 0)
			break;
	if (k == ELEMENTSOF(cond_types)) {
		_cleanup_free_ char *known = kinds_list(", ");

		err(c, key, "unknown condition '%s' (known: %s)", key->value, known);
		return NULL;
	}
	if (cond_types[k].mapping && v->kind != YN_MAP) {
		err(c, v, "%s: expected a mapping, not %s", key->value, kind_name(v));
		return NULL;
	}
	c->depth++;
	cd = cond_types[k].parse(c, key, v);
	c->depth--;
	return cd;
}

/* Calls cb for each journal condition under cd. */
static void
cond_walk_journal(struct cond *cd, void (*cb)(struct cond *, void *), void *ud)
{
	size_t i;

	if (cd == NULL)
		return;
	if (cd->kind == COND_JOURNAL)
		cb(cd, ud);
	for (i = 0; i < cd->n_kids; i++)
		cond_walk_journal(cd->kids[i], cb, ud);
}

struct names {
	char	**v;
	size_t	 n;
	bool	 recs[_ECS_REC_MAX];	/* record types of the rule's ecs conditions */
};

/* The named groups of a compiled pattern, added to nm. */
static void
regex_names(const struct regex *re, struct names *nm)
{
	uint32_t count = 0, size = 0, k;
	PCRE2_SPTR table;

	if (re->code == NULL)
		return;
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
	for (k = 0; k < count; k++) {
		nm->v = xreallocarray(nm->v, nm->n + 1, sizeof(*nm->v));
		nm->v[nm->n++] = xstrdup((const char *)table + k * size + 2);
	}
}

/* The record types of the rule's ecs conditions, and the named groups of their `matches`. */
static void
collect_ecs_names(struct cond *cd, struct names *nm)
{
	size_t i;

	if (cd == NULL)
		return;
	if (cd->kind == COND_ECS) {
		if (cd->ecs.rec >= 0)
			nm->recs[cd->ecs.rec] = true;
		for (i = 0; i < cd->ecs.n_where; i++)
			regex_names(&cd->ecs.where[i].vre, nm);
	}
	for (i = 0; i < cd->n_kids; i++)
		collect_ecs_names(cd->kids[i], nm);
}

static bool
names_ecs_field(const struct names *nm, const char *s, size_t len)
{
	for (size_t t = 0; t < _ECS_REC_MAX; t++)
		if (nm->recs[t] && ecs_rec_has_field((enum ecs_rec)t, s, len))
			return true;
	return false;
}

static void
collect_capture_names(struct cond *cd, void *ud)
{
	regex_names(&cd->journal.re, ud);
}

static bool
names_has(const struct names *nm, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (strlen(nm->v[i]) == len && strncmp(nm->v[i], s, len) == 0)
			return true;
	return false;
}

/*
 * Checks every {placeholder} of a message template against what the rule can
 * fill; a remedy may name only {ecs.*} facts.
 */
static void
check_template(struct parse_ctx *c, const struct ynode *n, struct cond *when, bool remedy)
{
	static const char *const facts[] = { "count", "times", "seen", "first_seen", "last_seen", "unit", "ntp", NULL };
	static const char *const fns[] = { "endpoint_match", "resolv_lists", "probe", NULL };
	struct names nm = { 0 };
	const char *s = n->value, *p, *e, *colon;
	size_t k, len;

	cond_walk_journal(when, collect_capture_names, &nm);
	collect_ecs_names(when, &nm);
	/* Optional parts [[ ... ]] close on the same level and do not nest. */
	for (p = s; (p = strstr(p, "[[")) != NULL; p = e + 2) {
		const char *inner = strstr(p + 2, "[[");

		e = strstr(p + 2, "]]");
		if (e == NULL || (inner != NULL && inner < e)) {
			err(c, n, "message: '[[' at offset %zu has no closing ']]' before the next '[[' (optional parts do not nest)",
			    (size_t)(p - s));
			break;
		}
	}
	for (p = s; (p = strchr(p, '{')) != NULL; p = e + 1) {
		if (p[1] == '{') {
			e = p + 1;
			continue;
		}
		e = strchr(p, '}');
		if (e == NULL) {
			err(c, n, "message: '{' at offset %zu has no closing '}' (write {{ for a brace)",
			    (size_t)(p - s));
			break;
		}
		len = (size_t)(e - p - 1);
		if (len > 4 && strncmp(p + 1, "ecs.", 4) == 0) {
			if (!ecs_fact_known(p + 5, len - 4))
				err(c, n, "%s: unknown fact '{%.*s}' (known: ecs.service, ecs.cluster, ecs.taskDefinition, "
				    "ecs.family, ecs.region)", remedy ? "remedy" : "message", (int)len, p + 1);
			continue;
		}
		if (remedy) {
			err(c, n, "remedy: '{%.*s}': a remedy may name only {ecs.service}, {ecs.cluster}, "
			    "{ecs.taskDefinition}, {ecs.family} and {ecs.region} (write {{ for a brace)", (int)len, p + 1);
			continue;
		}
		if ((len > 7 && strncmp(p + 1, "config.", 7) == 0) || (len > 5 && strncmp(p + 1, "unit.", 5) == 0))
			continue;
		colon = memchr(p + 1, ':', len);
		if (colon != NULL) {
			size_t fl = (size_t)(colon - p - 1), al = (size_t)(e - colon - 1);

			for (k = 0; fns[k] != NULL; k++)
				if (strlen(fns[k]) == fl && strncmp(fns[k], p + 1, fl) == 0)
					break;
			if (fns[k] == NULL)
				err(c, n, "message: unknown function in '{%.*s}' (known: endpoint_match, resolv_lists, probe)",
				    (int)len, p + 1);
			else if (!names_has(&nm, colon + 1, al) && !(al == 8 && strncmp(colon + 1, "endpoint", 8) == 0))
				err(c, n, "message: '{%.*s}': no capture named '%.*s' in this rule's journal patterns",
				    (int)len, p + 1, (int)al, colon + 1);
			continue;
		}
		for (k = 0; facts[k] != NULL; k++)
			if (strlen(facts[k]) == len && strncmp(facts[k], p + 1, len) == 0)
				break;
		if (facts[k] == NULL && !names_has(&nm, p + 1, len) && !names_ecs_field(&nm, p + 1, len))
			err(c, n, "message: unknown placeholder '{%.*s}' (not a fact, a config.KEY, a named capture or a field of the rule's ecs records)",
			    (int)len, p + 1);
	}
	strs_free(nm.v, nm.n);
}

static void
index_journal(struct cond *cd, void *ud)
{
	struct ruleset *rs = ud;

	cd->journal.jindex = (unsigned)rs->n_jconds;
	rs->jconds = xreallocarray(rs->jconds, rs->n_jconds + 1, sizeof(*rs->jconds));
	rs->jconds[rs->n_jconds++] = &cd->journal;
}

static bool
id_valid(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > 64 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* Keys of an example that no condition kind reads but messages do (host.json: {ntp}, agent_state). */
static const char *const example_keys_messages[] = { "host", NULL };

#define EXAMPLE_KEYS_MAX	32

/* Every key an example may give, NULL-terminated: each kind's (cond_types), then the messages'. */
static void
example_keys(const char *keys[EXAMPLE_KEYS_MAX])
{
	size_t n = 0;

	for (size_t k = 0; k < ELEMENTSOF(cond_types); k++)
		for (const char *const *e = cond_types[k].example_keys; e != NULL && *e != NULL; e++)
			if (n + 1 < EXAMPLE_KEYS_MAX)
				keys[n++] = *e;
	for (const char *const *e = example_keys_messages; *e != NULL; e++)
		if (n + 1 < EXAMPLE_KEYS_MAX)
			keys[n++] = *e;
	keys[n] = NULL;
}

static void
parse_examples(struct parse_ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = { "match", "no_match", NULL };
	const char *ekeys[EXAMPLE_KEYS_MAX];
	size_t k, i;

	if (n->kind != YN_MAP) {
		err(c, n, "examples must be a mapping with match and no_match lists");
		return;
	}
	if (!check_keys(c, n, "examples", keys))
		return;
	example_keys(ekeys);
	for (k = 0; k < 2; k++) {
		const struct ynode *list = ynode_get(n, keys[k]);

		if (list == NULL)
			continue;
		if (list->kind != YN_SEQ) {
			err(c, list, "examples: %s must be a list", keys[k]);
			continue;
		}
		for (i = 0; i < list->n; i++) {
			const struct ynode *e = list->kids[i];

			if (e->kind == YN_MAP) {
				if (!check_keys(c, e, "example", ekeys))
					continue;
			} else if (e->kind != YN_SCALAR) {
				struct buf b = { 0 };

				for (size_t x = 0; ekeys[x] != NULL; x++)
					buf_printf(&b, "%s%s", x ? ", " : "", ekeys[x]);
				err(c, e, "an example is a journal line (a string) or a mapping (%s)", b.data);
				buf_free(&b);
				continue;
			}
			r->examples = xreallocarray(r->examples, r->n_examples + 1, sizeof(*r->examples));
			r->examples[r->n_examples++] = (struct example){
				.want_match = k == 0, .spec = e, .file = c->file,
			};
		}
	}
}

/* The placeholders of a template, "{name}" without braces, into nm ({{ skipped). */
static void
template_names(const char *s, struct names *nm)
{
	const char *p, *e;

	for (p = s; (p = strchr(p, '{')) != NULL; p = e + 1) {
		if (p[1] == '{') {
			e = p + 1;
			continue;
		}
		if ((e = strchr(p, '}')) == NULL)
			break;
		if (!names_has(nm, p + 1, (size_t)(e - p - 1))) {
			nm->v = xreallocarray(nm->v, nm->n + 1, sizeof(*nm->v));
			nm->v[nm->n++] = xstrndup(p + 1, (size_t)(e - p - 1));
		}
	}
}

/*
 * The Chinese texts beside the English ones (title_zh, description_zh,
 * message_zh, remedy_zh): strings, and a message that uses only placeholders
 * the English message uses.
 */
static void
parse_translations(struct parse_ctx *c, const struct ynode *n, struct rule *r)
{
	const struct ynode *v;

	if ((v = ynode_get(n, "title_zh")) != NULL && get_str(c, v, "title_zh") != NULL)
		r->title_zh = xstrdup(v->value);
	if ((v = ynode_get(n, "description_zh")) != NULL && get_str(c, v, "description_zh") != NULL)
		r->description_zh = xstrdup(v->value);
	if ((v = ynode_get(n, "remedy_zh")) != NULL && get_str(c, v, "remedy_zh") != NULL)
		r->remedy_zh = xstrdup(v->value);
	if ((v = ynode_get(n, "remedy_ecs_zh")) != NULL && get_str(c, v, "remedy_ecs_zh") != NULL)
		r->remedy_ecs_zh = xstrdup(v->value);
	if ((v = ynode_get(n, "message_ecs_zh")) != NULL && get_str(c, v, "message_ecs_zh") != NULL) {
		r->message_ecs_zh = xstrdup(v->value);
		if (r->when != NULL)
			check_template(c, v, r->when, false);
	}
	if ((v = ynode_get(n, "message_zh")) != NULL && get_str(c, v, "message_zh") != NULL) {
		struct names en = { 0 }, zh = { 0 };
		size_t i;

		r->message_zh = xstrdup(v->value);
		if (r->when != NULL)
			check_template(c, v, r->when, false);
		if (r->message != NULL) {
			template_names(r->message, &en);
			template_names(r->message_zh, &zh);
			for (i = 0; i < zh.n; i++)
				if (!names_has(&en, zh.v[i], strlen(zh.v[i])))
					err(c, v, "message_zh: '{%s}' is not a placeholder of the English message", zh.v[i]);
			strs_free(en.v, en.n);
			strs_free(zh.v, zh.n);
		}
	}
}

static struct rule *
parse_rule(struct parse_ctx *c, const struct ynode *n)
{
	static const char *const keys[] = {
		"id", "title", "severity", "description", "message", "remedy", "links", "when", "examples",
		"title_zh", "description_zh", "message_zh", "remedy_zh", "message_ecs", "remedy_ecs",
		"message_ecs_zh", "remedy_ecs_zh", NULL,
	};
	struct rule *r;
	const struct ynode *v;
	unsigned before = c->errors;
	int sev;
	size_t i;

	if (n->kind != YN_MAP) {
		err(c, n, "a rule must be a mapping, not %s", kind_name(n));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->file = c->file;
	r->need_zh = c->need_zh;
	r->line = n->line;
	r->col = n->col;
	check_keys(c, n, "rule", keys);
	if ((v = ynode_get(n, "id")) == NULL)
		err(c, n, "rule: 'id' is required");
	else if (get_str(c, v, "id") != NULL) {
		if (!id_valid(v->value))
			err(c, v, "id '%s': use lowercase letters, digits, '-' and '.' (at most 64)", v->value);
		else if (engine_rule(v->value) != NULL)
			err(c, v, "id '%s' is reserved: the engine raises it itself", v->value);
		r->id = xstrdup(v->value);
	}
	if ((v = ynode_get(n, "title")) == NULL)
		err(c, n, "rule: 'title' is required");
	else if (get_str(c, v, "title") != NULL)
		r->title = xstrdup(v->value);
	if ((v = ynode_get(n, "severity")) == NULL)
		err(c, n, "rule: 'severity' (critical, error, warning, info) is required");
	else if (get_str(c, v, "severity") != NULL) {
		if ((sev = severity_parse(v->value, false)) < 0)
			err(c, v, "unknown severity '%s' (critical, error, warning, info)", v->value);
		else
			r->severity = (enum severity)sev;
	}
	if ((v = ynode_get(n, "description")) != NULL && get_str(c, v, "description") != NULL)
		r->description = xstrdup(v->value);
	if ((v = ynode_get(n, "remedy")) != NULL && get_str(c, v, "remedy") != NULL)
		r->remedy = xstrdup(v->value);
	if ((v = ynode_get(n, "remedy_ecs")) != NULL && get_str(c, v, "remedy_ecs") != NULL)
		r->remedy_ecs = xstrdup(v->value);
	if ((v = ynode_get(n, "links")) != NULL) {
		if ((r->links = get_strs(c, v, "links", &r->n_links)) != NULL)
			for (i = 0; i < r->n_links; i++)
				if (!url_is_safe(r->links[i], strlen(r->links[i])))
					err(c, v->kind == YN_SEQ ? v->kids[i] : v,
					    "links: '%s' is not an http(s) URL", r->links[i]);
	}
	if ((v = ynode_get(n, "when")) == NULL)
		err(c, n, "rule: 'when' (the condition) is required");
	else
		r->when = parse_cond(c, v);
	if ((v = ynode_get(n, "message")) == NULL)
		err(c, n, "rule: 'message' (a template) is required");
	else if (get_str(c, v, "message") != NULL) {
		r->message = xstrdup(v->value);
		if (r->when != NULL)
			check_template(c, v, r->when, false);
	}
	parse_translations(c, n, r);
	if ((v = ynode_get(n, "message_ecs")) != NULL && get_str(c, v, "message_ecs") != NULL) {
		r->message_ecs = xstrdup(v->value);
		if (r->when != NULL)
			check_template(c, v, r->when, false);
	}
	if (r->when != NULL)
		for (const char *const *k = (const char *const[]){ "remedy", "remedy_ecs", "remedy_zh", "remedy_ecs_zh",
		    NULL }; *k; k++)
			if ((v = ynode_get(n, *k)) != NULL && v->kind == YN_SCALAR)
				check_template(c, v, r->when, true);
	if ((v = ynode_get(n, "examples")) != NULL)
		parse_examples(c, v, r);
	if (c->errors != before) {
		rule_free(r);
		return NULL;
	}
	return r;
}

int
rules_load_builtin(struct ruleset *rs)
{
	int r = rules_load_buffer(rs, BUILTIN_RULES_NAME, triage_builtin_rules, strlen(triage_builtin_rules));
	int q = rules_load_buffer(rs, BUILTIN_ECS_RULES_NAME, triage_builtin_ecs_rules, strlen(triage_builtin_ecs_rules));

	return r < 0 ? r : q;
}

int
rules_load_buffer(struct ruleset *rs, const char *name, const char *data, size_t len)
{
	struct parse_ctx c = { .rs = rs };
	struct ynode *root = NULL;
	const struct ynode *list, *v;
	unsigned line, col;
	char *msg;
	size_t i;
	int r;

	rs->names = xreallocarray(rs->names, rs->n_names + 1, sizeof(*rs->names));
	rs->names[rs->n_names] = xstrdup(name);
	c.file = rs->names[rs->n_names++];
	r = ytree_parse(data, len, &root, &line, &col, &msg);
	if (r < 0) {
		rules_diag(rs, c.file, line ? line : 1, col ? col : 1, "invalid YAML: %s", msg);
		free(msg);
		return -EINVAL;
	}
	rs->trees = xreallocarray(rs->trees, rs->n_trees + 1, sizeof(*rs->trees));
	rs->trees[rs->n_trees++] = root;
	if (root->kind != YN_MAP) {
		err(&c, root, "a rules file is a mapping with a 'rules' list");
		return -EINVAL;
	}
	{
		static const char *const keys[] = { "version", "languages", "rules", NULL };
		size_t nl = strlen(name), ns = strlen(BUILTIN_SUFFIX);

		check_keys(&c, root, "rules file", keys);
		/* The built-in rules are the shipped ones: they must speak every language. */
		c.need_zh = nl >= ns && strcmp(name + nl - ns, BUILTIN_SUFFIX) == 0;
	}
	if ((v = ynode_get(root, "languages")) != NULL) {
		size_t n_langs = 0, k;
		char **langs = get_strs(&c, v, "languages", &n_langs);

		for (k = 0; k < n_langs; k++) {
			if (strcmp(langs[k], "zh") == 0)
				c.need_zh = true;
			else if (strcmp(langs[k], "en") != 0)
				err(&c, v, "languages: unknown language '%s' (en, zh)", langs[k]);
		}
		strs_free(langs, n_langs);
	}
	if ((v = ynode_get(root, "version")) != NULL &&
	    (v->kind != YN_SCALAR || strcmp(v->value, "1") != 0))
		err(&c, v, "version: only version 1 of the rules language is known");
	list = ynode_get(root, "rules");
	if (list == NULL || list->kind != YN_SEQ) {
		err(&c, list ? list : root, "'rules' must be a list of rules");
		return -EINVAL;
	}
	for (i = 0; i < list->n; i++) {
		struct rule *rule;

		if (rs->n >= RULES_MAX) {
			err(&c, list->kids[i], "more than %d rules", RULES_MAX);
			break;
		}
		size_t first_j = rs->n_jconds;

		rule = parse_rule(&c, list->kids[i]);
		if (rule == NULL)
			continue;
		rs->rules = xreallocarray(rs->rules, rs->n + 1, sizeof(*rs->rules));
		rs->rules[rs->n++] = rule;
		cond_walk_journal(rule->when, index_journal, rs);
		for (size_t k = first_j; k < rs->n_jconds; k++)
			rs->jconds[k]->rule_id = rule->id;
	}
	return c.errors ? -EINVAL : 0;
}

static int
load_file(struct ruleset *rs, const char *path)
{
	_cleanup_close_ int fd = -1;
	struct buf b = { 0 };
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rules_diag(rs, path, 1, 1, "cannot read: %s", strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		rules_diag(rs, path, 1, 1, "a folder inside a rules folder is not read");
		return -EISDIR;
	}
	/* Regular files, pipes (-r <(...)) and /dev/stdin alike, up to the cap. */
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > RULES_FILE_MAX) {
			buf_free(&b);
			rules_diag(rs, path, 1, 1, "larger than 4 MiB");
			return -EFBIG;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if (n < 0) {
		r = -errno;
		buf_free(&b);
		rules_diag(rs, path, 1, 1, "cannot read: %s", strerror(-r));
		return r;
	}
	r = rules_load_buffer(rs, path, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
rules_load_path(struct ruleset *rs, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i, l;
	int r = 0, q;

	if (stat(path, &st) < 0) {
		rules_diag(rs, path, 1, 1, "cannot read: %s", strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path);
	d = opendir(path);
	if (d == NULL) {
		rules_diag(rs, path, 1, 1, "cannot read the folder: %s", strerror(errno));
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.' ||
		    !((l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) || (l > 4 && strcmp(de->d_name + l - 4, ".yml") == 0)))
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xasprintf("%s/%s", path, de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	if (n == 0) {
		rules_diag(rs, path, 1, 1, "the folder holds no *.yaml rules file");
		r = -ENOENT;
	}
	for (i = 0; i < n; i++)
		if ((q = load_file(rs, names[i])) < 0 && r == 0)
			r = q;
	strs_free(names, n);
	return r;
}

static bool
rule_is_builtin(const struct rule *r)
{
	size_t nl = strlen(r->file), ns = strlen(BUILTIN_SUFFIX);

	return nl >= ns && strcmp(r->file + nl - ns, BUILTIN_SUFFIX) == 0;
}

/* Drops rule at index k (its journal conditions too, renumbering the rest). */
static void
ruleset_drop(struct ruleset *rs, size_t k)
{
	struct rule *gone = rs->rules[k];
	size_t i, n = 0;

	for (i = 0; i < rs->n_jconds; i++)
		if (rs->jconds[i]->rule_id != gone->id) {
			rs->jconds[n] = rs->jconds[i];
			rs->jconds[n]->jindex = (unsigned)n;
			n++;
		}
	rs->n_jconds = n;
	memmove(&rs->rules[k], &rs->rules[k + 1], (rs->n - k - 1) * sizeof(*rs->rules));
	rs->n--;
	rule_free(gone);
}

int
rules_finish(struct ruleset *rs)
{
	size_t i, j;
	int r = 0;

	for (i = 0; i < rs->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(rs->rules[i]->id, rs->rules[j]->id) == 0) {
				if (rule_is_builtin(rs->rules[j]) && !rule_is_builtin(rs->rules[i])) {
					/* A rule of the user's with a built-in's id replaces it, in its place. */
					struct rule *mine = rs->rules[i];

					rs->replaced = xreallocarray(rs->replaced, rs->n_replaced + 1, sizeof(*rs->replaced));
					rs->replaced[rs->n_replaced++] = xasprintf("%s\t%s", mine->id, mine->file);
					memmove(&rs->rules[i], &rs->rules[i + 1], (rs->n - i - 1) * sizeof(*rs->rules));
					rs->rules[rs->n - 1] = rs->rules[j];
					rs->rules[j] = mine;
					ruleset_drop(rs, rs->n - 1);
					i--;
					break;
				}
				rules_diag(rs, rs->rules[i]->file, rs->rules[i]->line, rs->rules[i]->col,
				    "duplicate rule id '%s' (first at %s:%u:%u)", rs->rules[i]->id,
				    rs->rules[j]->file, rs->rules[j]->line, rs->rules[j]->col);
				r = -EINVAL;
				break;
			}
	/* The prefilter's index of every journal literal, once the rule set is final. */
	litindex_build(rs);
	return r;
}
