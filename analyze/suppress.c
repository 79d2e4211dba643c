/* suppress.c: --suppress: findings a support engineer expects, moved aside until a date. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "msg.h"
#include "cleanup.h"

#define SUPPRESS_FILE_MAX	(1024 * 1024)

/* One entry of a suppressions file. */
struct sentry {
	char	*rule;		/* rule id */
	char	*host;		/* hostname glob, or NULL for any */
	struct regex re;	/* on the finding's message; re.code NULL for any */
	char	*reason;
	char	 expires[11];	/* YYYY-MM-DD */
	char	*where;		/* "FILE:LINE" for the report */
};

struct suppressions {
	struct sentry *e;
	size_t	 n;
};

struct suppressions *
suppressions_new(void)
{
	return xcalloc(1, sizeof(struct suppressions));
}

void
suppressions_free(struct suppressions *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->e[i].rule);
		free(s->e[i].host);
		free(s->e[i].re.src);
		pcre2_match_data_free(s->e[i].re.md);
		pcre2_code_free(s->e[i].re.code);
		free(s->e[i].reason);
		free(s->e[i].where);
	}
	free(s->e);
	free(s);
}

static bool
rule_known(const struct ruleset *rs, const char *id)
{
	size_t i;

	if (engine_rule(id) != NULL)
		return true;
	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->rules[i]->id, id) == 0)
			return true;
	return false;
}

/* A real calendar date written YYYY-MM-DD. */
static bool
date_valid(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return false;
	{
		struct tm t2 = tm;
		time_t t = timegm(&t2);
		struct tm back;

		/* strptime takes 2026-02-31; a round trip through timegm does not. */
		return t != (time_t)-1 && gmtime_r(&t, &back) != NULL && back.tm_mday == tm.tm_mday &&
		    back.tm_mon == tm.tm_mon;
	}
}

static int
read_file(const char *path, char **data, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t n;

	if (fd < 0) {
		int r = -errno;

		msg(MSG_ERROR, path, 0, 0, "cannot read: %s", strerror(-r));
		return r;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > SUPPRESS_FILE_MAX) {
			buf_free(&b);
			msg(MSG_ERROR, path, 0, 0, "larger than %d bytes", SUPPRESS_FILE_MAX);
			return -EFBIG;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if (n < 0) {
		int r = -errno;

		buf_free(&b);
		msg(MSG_ERROR, path, 0, 0, "cannot read: %s", strerror(-r));
		return r;
	}
	*len = b.len;
	*data = b.data ? buf_steal(&b, NULL) : xstrdup("");
	return 0;
}

#define FAIL(n, ...) do { \
		msg(MSG_ERROR, path, (n)->line, (n)->col, __VA_ARGS__); \
		r = -EINVAL; \
		goto out; \
	} while (0)

static const char *
scalar(const struct ynode *n)
{
	return n != NULL && n->kind == YN_SCALAR && strlen(n->value) == n->len ? n->value : NULL;
}

int
suppressions_load(struct suppressions *s, const struct ruleset *rs, const char *path)
{
	static const char *const keys[] = { "rule", "host", "match", "reason", "expires", NULL };
	_cleanup_free_ char *data = NULL;
	struct ynode *root = NULL;
	unsigned line = 0, col = 0;
	size_t len = 0, i, k, j;
	char *why = NULL;
	int r;

	if ((r = read_file(path, &data, &len)) < 0)
		return r;
	if (ytree_parse(data, len, &root, &line, &col, &why) < 0) {
		msg(MSG_ERROR, path, line ? line : 1, col ? col : 1, "invalid YAML: %s", why);
		free(why);
		return -EINVAL;
	}
	r = 0;
	if (root->kind == YN_MAP && root->n == 0)
		goto out;	/* an empty file suppresses nothing */
	if (root->kind != YN_SEQ)
		FAIL(root, "a suppressions file is a list of {rule, host, match, reason, expires}");
	for (i = 0; i < root->n; i++) {
		const struct ynode *it = root->kids[i], *v;
		struct sentry e = { 0 };
		const char *str;

		if (it->kind != YN_MAP)
			FAIL(it, "a suppression is a mapping with rule, reason and expires (host and match optional)");
		for (k = 0; k + 1 < it->n; k += 2) {
			const struct ynode *key = it->kids[k];

			for (j = 0; keys[j] != NULL; j++)
				if (key->kind == YN_SCALAR && strcmp(key->value, keys[j]) == 0)
					break;
			if (keys[j] == NULL)
				FAIL(key, "unknown key '%s' (rule, host, match, reason, expires)",
				    key->kind == YN_SCALAR ? key->value : "?");
			for (j = 0; j < k; j += 2)
				if (strcmp(it->kids[j]->value, key->value) == 0)
					FAIL(key, "duplicate key '%s'", key->value);
		}
		if ((v = ynode_get(it, "rule")) == NULL)
			FAIL(it, "'rule' (a rule id) is required");
		if ((str = scalar(v)) == NULL || str[0] == '\0')
			FAIL(v, "rule: a rule id");
		if (!rule_known(rs, str))
			FAIL(v, "rule '%s' is not loaded (see --list-rules)", str);
		if ((v = ynode_get(it, "reason")) == NULL)
			FAIL(it, "'reason' is required: say why the finding is expected");
		if ((str = scalar(v)) == NULL || strspn(str, " \t\r\n") == strlen(str))
			FAIL(v, "reason: a non-empty text");
		if ((v = ynode_get(it, "expires")) == NULL)
			FAIL(it, "'expires' (YYYY-MM-DD) is required");
		if ((str = scalar(v)) == NULL || !date_valid(str))
			FAIL(v, "expires: a date written YYYY-MM-DD, not '%s'", scalar(v) ? scalar(v) : "?");
		if ((v = ynode_get(it, "host")) != NULL && ((str = scalar(v)) == NULL || str[0] == '\0'))
			FAIL(v, "host: a hostname glob");
		if ((v = ynode_get(it, "match")) != NULL) {
			int ecode;
			PCRE2_SIZE eoff;
			PCRE2_UCHAR emsg[256];

			if ((str = scalar(v)) == NULL)
				FAIL(v, "match: a regular expression (PCRE2)");
			e.re.code = pcre2_compile((PCRE2_SPTR)str, v->len, PCRE2_NEVER_UTF | PCRE2_NEVER_BACKSLASH_C,
			    &ecode, &eoff, NULL);
			if (e.re.code == NULL) {
				pcre2_get_error_message(ecode, emsg, sizeof(emsg));
				msg(MSG_ERROR, path, v->line, v->col + (unsigned)eoff + (v->plain ? 0 : 1),
				    "match: bad regular expression at offset %zu: %s", (size_t)eoff, (char *)emsg);
				r = -EINVAL;
				goto out;
			}
			(void)pcre2_jit_compile(e.re.code, PCRE2_JIT_COMPLETE);
			e.re.md = pcre2_match_data_create_from_pattern(e.re.code, NULL);
			e.re.src = xstrdup(str);
		}
		e.rule = xstrdup(ynode_get(it, "rule")->value);
		e.reason = xstrdup(ynode_get(it, "reason")->value);
		memcpy(e.expires, ynode_get(it, "expires")->value, 10);
		if ((v = ynode_get(it, "host")) != NULL)
			e.host = xstrdup(v->value);
		e.where = xasprintf("%s:%u", path, it->line);
		s->e = xreallocarray(s->e, s->n + 1, sizeof(*s->e));
		s->e[s->n++] = e;
	}
out:
	ynode_free(root);
	return r;
}

static bool
entry_matches(const struct sentry *e, const struct ruleset *rs, const struct analysis *a, const struct finding *f)
{
	const char *host = a->m->hostname ? a->m->hostname : "";

	if (strcmp(e->rule, f->rule->id) != 0)
		return false;
	if (e->host != NULL && fnmatch(e->host, host, 0) != 0)
		return false;
	if (e->re.code != NULL) {
		const char *msg = f->message ? f->message : "";

		if (regex_match(rs, &e->re, msg, strlen(msg)) != 1)
			return false;
	}
	return true;
}

void
suppressions_apply(const struct suppressions *s, const struct ruleset *rs, struct analysis *a, const char *today)
{
	size_t i, k, kept = 0;

	if (s == NULL)
		return;
	/* Expired entries are not applied, and the report says so (each once, whether it would match or not). */
	for (k = 0; k < s->n; k++)
		if (strcmp(s->e[k].expires, today) < 0) {
			a->suppress_notes = xreallocarray(a->suppress_notes, a->n_suppress_notes + 1,
			    sizeof(*a->suppress_notes));
			a->suppress_notes[a->n_suppress_notes++] = xasprintf(
			    "The suppression of %s at %s expired on %s: not applied (%s).", s->e[k].rule, s->e[k].where,
			    s->e[k].expires, s->e[k].reason);
		}
	for (i = 0; i < a->n_findings; i++) {
		struct finding *f = &a->findings[i];
		const struct sentry *hit = NULL;

		for (k = 0; k < s->n && hit == NULL; k++)
			if (strcmp(s->e[k].expires, today) >= 0 && entry_matches(&s->e[k], rs, a, f))
				hit = &s->e[k];
		if (hit == NULL) {
			a->findings[kept++] = *f;
			continue;
		}
		a->suppressed = xreallocarray(a->suppressed, a->n_suppressed + 1, sizeof(*a->suppressed));
		a->suppressed[a->n_suppressed++] = (struct suppressed){
			.f = *f, .reason = xstrdup(hit->reason), .expires = xstrdup(hit->expires),
		};
	}
	a->n_findings = kept;
}

void
suppress_today(char buf[static 11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}
