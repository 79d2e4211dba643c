/* ctx.c: what every source shares: recording sources, progress lines, redaction counts, verified writes, the budget. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "collect.h"
#include "i18n.h"
#include "msg.h"

/*
 * A source status for the terminal, in the current language; with pad, padded
 * to 12 columns (a CJK character takes two) for the progress lines' column.
 */
static const char *
status_label(enum source_status st, bool pad, char buf[static 64])
{
	const char *l;
	size_t cols = 0, i;

	switch (st) {
	case SOURCE_OK: l = C_("source status", "ok"); break;
	case SOURCE_UNAVAILABLE: l = C_("source status", "unavailable"); break;
	case SOURCE_ERROR: l = C_("source status", "error"); break;
	case SOURCE_TRUNCATED: l = C_("source status", "truncated"); break;
	default: l = source_status_name(st); break;
	}
	if (!pad)
		return l;
	for (i = 0; l[i] != '\0'; i++)
		if (((unsigned char)l[i] & 0xc0) != 0x80)
			cols += (unsigned char)l[i] >= 0xe0 ? 2 : 1;
	snprintf(buf, 64, "%s%*s", l, cols < 12 ? (int)(12 - cols) : 0, "");
	return buf;
}

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
	_cleanup_free_ char *detail = NULL, *local = NULL;
	const char *shown;
	char lb[64];
	va_list ap;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	/* The bundle keeps the English detail; the terminal shows the translation of fmt, when there is one. */
	shown = detail;
	if (_(fmt) != fmt) {
		va_start(ap, fmt);
		local = xvasprintf(_(fmt), ap);
		va_end(ap);
		shown = local;
	}
	switch (st) {
	case SOURCE_OK: c->n_ok++; break;
	case SOURCE_UNAVAILABLE: c->n_unavailable++; break;
	case SOURCE_ERROR: c->n_error++; break;
	case SOURCE_TRUNCATED: c->n_truncated++; break;
	}
	if (c->bw)
		bw_source(c->bw, name, st, "%s", detail);
	if (st != SOURCE_OK) {
		_cleanup_free_ char *line = xasprintf("%s: %s: %s", name, status_label(st, /* pad= */ false, lb), shown);

		strv_add(&c->problems, line);
	}
	if (c->opt->verbosity >= 0 && (c->tty || c->opt->verbosity > 0))
		msg(MSG_OK, NULL, 0, 0, "%s %s: %s",
		    status_label(st, /* pad= */ true, lb), name, shown);
}

void
ctx_verbose(struct ctx *c, const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	va_list ap;

	if (c->opt->verbosity <= 0)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	msg(MSG_OK, NULL, 0, 0, "[%.3f s] %s", (double)(mono_usec() - c->start_usec) / 1e6, text);
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
		if (strncmp(rule, "kept:", 5) == 0) {
			/* what default-deny kept, by rule: {"kept": {"schema": 3, "duration": 1}} */
			if (json_integer_value(n) > 0)
				bw_kept(c->bw, relpath, rule + 5, (unsigned)json_integer_value(n));
		} else if (json_integer_value(n) > 0) {
			bw_redaction(c->bw, relpath, rule, (unsigned)json_integer_value(n));
			/* Dropped comments are reported, but they are not values. */
			if (strcmp(rule, "comments") != 0)
				here += (uint64_t)json_integer_value(n);
		}
	c->red_values += here;
	c->red_files += here > 0;
}

/* A file verified while other sources may still teach the redactor values: written at ctx_release(). */
struct held {
	char	*rel;	/* bundle path */
	char	*data;	/* content */
	size_t	 len;	/* its length */
};

/* Replaces the values redacted so far wherever they appear in data (every encoding). */
static void
scrub_known(struct ctx *c, const char *relpath, char **data, size_t *len)
{
	char *sc = NULL;
	size_t sclen = 0;
	unsigned n = redact_known(c->red, *data, *len, &sc, &sclen);

	if (n == 0)
		return;
	free(*data);
	*data = sc;
	*len = sclen;
	if (c->bw)
		bw_redaction(c->bw, relpath, "known-value", n);
	c->red_values += n;
}

int
ctx_add_verified(struct ctx *c, const char *relpath, const char *data, size_t len, char **why)
{
	char *d = xmemdup(data, len);
	int r;

	*why = NULL;
	scrub_known(c, relpath, &d, &len);
	r = redact_verify(c->red, d, len, why);
	if (r == 1) {
		if (*why == NULL)
			*why = xstrdup("a secret remained after redaction");
		free(d);
		return 1;
	}
	if (c->bw == NULL) {
		free(d);
		return 0;
	}
	if (!c->released) {
		struct held *h;

		c->held = xreallocarray(c->held, c->n_held + 1, sizeof(struct held));
		h = &((struct held *)c->held)[c->n_held++];
		h->rel = xstrdup(relpath);
		h->data = d;
		h->len = len;
		return 0;
	}
	r = bw_add(c->bw, relpath, d, len);
	free(d);
	return r;
}

void
ctx_release(struct ctx *c)
{
	struct held *h = c->held;

	if (c->released)
		return;
	c->released = true;
	for (size_t i = 0; i < c->n_held; i++) {
		_cleanup_free_ char *why = NULL;
		int r;

		scrub_known(c, h[i].rel, &h[i].data, &h[i].len);
		if (redact_verify(c->red, h[i].data, h[i].len, &why) == 1) {
			msg(MSG_WARNING, h[i].rel, 0, 0, "the leak check withheld it: %s", why);
			bw_skipped(c->bw, h[i].rel, "the leak check withheld it after every source was read");
		} else if ((r = bw_add(c->bw, h[i].rel, h[i].data, h[i].len)) < 0)
			msg(MSG_WARNING, h[i].rel, 0, 0, "cannot add it to the bundle: %s", strerror(-r));
		explicit_bzero(h[i].data, h[i].len);
		free(h[i].data);
		free(h[i].rel);
	}
	free(c->held);
	c->held = NULL;
	c->n_held = 0;
}

bool
ctx_path_exists(const char *path, void *userdata)
{
	struct ctx *c = userdata;
	int fd;

	if (path[0] != '/')
		return false;
	fd = ctx_open(c, path, O_PATH);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

uint64_t
ctx_journal_budget(struct ctx *c)
{
	/* Everything else, compressed, counted generously; the manifest and tar headers on top. */
	uint64_t other = (c->bw ? bw_bytes(c->bw) / 3 : 0) + 32 * 1024;

	return c->max_size > other ? c->max_size - other : 0;
}
