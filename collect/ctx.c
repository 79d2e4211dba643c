/* ctx.c: what every source shares: recording sources, progress lines, redaction counts, verified writes, the budget. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "collect.h"

uint64_t
mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
ctx_source(struct ctx *c, const char *name, enum source_status st, const char *fmt, ...)
{
	_cleanup_free_ char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	switch (st) {
	case SOURCE_OK: c->n_ok++; break;
	case SOURCE_UNAVAILABLE: c->n_unavailable++; break;
	case SOURCE_ERROR: c->n_error++; break;
	case SOURCE_TRUNCATED: c->n_truncated++; break;
	}
	if (c->bw)
		bw_source(c->bw, name, st, "%s", detail);
	if (st != SOURCE_OK) {
		_cleanup_free_ char *line = xasprintf("%s: %s: %s", name, source_status_name(st), detail);

		strv_add(&c->problems, line);
	}
	if (c->opt->verbosity >= 0 && (c->tty || c->opt->verbosity > 0))
		fprintf(stderr, "triage-collect: %-12s %s: %s\n", source_status_name(st), name, detail);
}

void
ctx_verbose(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->opt->verbosity <= 0)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "triage-collect: [%.3f s] ", (double)(mono_usec() - c->start_usec) / 1e6);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void
ctx_redactions(struct ctx *c, const char *relpath, json_t *counts)
{
	const char *rule;
	json_t *n;

	uint64_t here = 0;

	if (c->bw == NULL || counts == NULL)
		return;
	json_object_foreach(counts, rule, n)
		if (json_integer_value(n) > 0) {
			bw_redaction(c->bw, relpath, rule, (unsigned)json_integer_value(n));
			/* Dropped comments are reported, but they are not values. */
			if (strcmp(rule, "comments") != 0)
				here += (uint64_t)json_integer_value(n);
		}
	c->red_values += here;
	c->red_files += here > 0;
}

int
ctx_add_verified(struct ctx *c, const char *relpath, const char *data, size_t len, char **why)
{
	int r;

	*why = NULL;
	r = redact_verify(c->red, data, len, why);
	if (r == 1) {
		if (*why == NULL)
			*why = xstrdup("a secret remained after redaction");
		return 1;
	}
	if (c->bw == NULL)
		return 0;
	return bw_add(c->bw, relpath, data, len);
}

uint64_t
ctx_journal_budget(struct ctx *c)
{
	/* Everything else, compressed, counted generously; the manifest and tar headers on top. */
	uint64_t other = (c->bw ? bw_bytes(c->bw) / 3 : 0) + 32 * 1024;

	return c->max_size > other ? c->max_size - other : 0;
}
