/* logfile.c: --log-file PATH|-: plain agent log lines (docker logs, a CloudWatch export) as journal entries. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "collect.h"
#include "timeutil.h"

#define LINE_MAX_BYTES (64 * 1024)	/* longer lines are cut into pieces this long */
#define READ_BYTES (256 * 1024)

/* The agent's level words and the syslog priorities they mean. */
static int
level_priority(const char *s, size_t len)
{
	static const struct { const char *w; int prio; } levels[] = {
		{ "trace", 7 }, { "debug", 7 }, { "info", 6 }, { "notice", 5 }, { "warn", 4 },
		{ "warning", 4 }, { "error", 3 }, { "err", 3 }, { "crit", 2 }, { "critical", 2 },
		{ "fatal", 2 }, { "panic", 2 }, { "dpanic", 2 },
	};

	for (size_t i = 0; i < ELEMENTSOF(levels); i++)
		if (strlen(levels[i].w) == len && strncasecmp(levels[i].w, s, len) == 0)
			return levels[i].prio;
	return -1;
}

/* Reading state: the input, its spool for a second pass, the line being assembled. */
struct reader {
	int		 fd;		/* the input */
	FILE		*spool;		/* copy of a non-seekable input, for a second pass */
	bool		 seekable;	/* the input can be read again from the start */
	struct buf	 pending;	/* bytes read but not yet split into lines */
	size_t		 off;		/* start of the next line in pending */
	bool		 eof;		/* no more input */
	uint64_t	 deadline;	/* CLOCK_MONOTONIC limit */
	bool		 timed_out;	/* the limit stopped reading */
};

/* Reads more input.  Returns bytes read, 0 at the end, -ETIME at the deadline, or -errno. */
static ssize_t
fill(struct reader *rd)
{
	for (;;) {
		struct pollfd p = { .fd = rd->fd, .events = POLLIN };
		uint64_t now = mono_usec();
		ssize_t n;
		int r;

		if (now >= rd->deadline)
			return -ETIME;
		r = poll(&p, 1, (int)((rd->deadline - now) / 1000 + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		if (rd->pending.len - rd->off > 0 && rd->off > 0) {
			memmove(rd->pending.data, rd->pending.data + rd->off, rd->pending.len - rd->off);
			rd->pending.len -= rd->off;
			rd->off = 0;
		} else if (rd->off > 0) {
			rd->pending.len = 0;
			rd->off = 0;
		}
		buf_grow(&rd->pending, READ_BYTES);
		n = read(rd->fd, rd->pending.data + rd->pending.len, READ_BYTES);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n > 0 && rd->spool && fwrite(rd->pending.data + rd->pending.len, 1, (size_t)n, rd->spool) != (size_t)n)
			return -EIO;
		rd->pending.len += (size_t)n;
		rd->pending.data[rd->pending.len] = '\0';
		return n;
	}
}

/* The next line (without its newline).  Returns 1, 0 at the end, or -errno / -ETIME. */
static int
next_line(struct reader *rd, const char **line, size_t *len)
{
	for (;;) {
		char *start = rd->pending.data ? rd->pending.data + rd->off : NULL;
		size_t avail = rd->pending.len - rd->off;
		char *nl = avail ? memchr(start, '\n', avail < LINE_MAX_BYTES ? avail : LINE_MAX_BYTES) : NULL;
		ssize_t n;

		if (nl || avail >= LINE_MAX_BYTES || (rd->eof && avail > 0)) {
			size_t l = nl ? (size_t)(nl - start) : (avail < LINE_MAX_BYTES ? avail : LINE_MAX_BYTES);

			*line = start;
			*len = l;
			rd->off += l + (nl ? 1 : 0);
			return 1;
		}
		if (rd->eof)
			return 0;
		n = fill(rd);
		if (n < 0)
			return (int)n;
		if (n == 0)
			rd->eof = true;
	}
}

/* Formats one log line as a journal entry.  Returns false for a blank line. */
static bool
format_line(struct jsonl *sink, struct buf *out, const char *line, size_t len, uint64_t now,
    int *prio)
{
	char tsbuf[64];
	uint64_t rt = now;
	size_t tl, lvl;
	_cleanup_free_ char *red = NULL;
	size_t rlen;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len == 0)
		return false;
	/* A leading RFC 3339 timestamp (docker logs --timestamps, CloudWatch exports). */
	tl = strcspn(line, " \t");
	if (tl < len && tl < sizeof(tsbuf) && isdigit((unsigned char)line[0])) {
		memcpy(tsbuf, line, tl);
		tsbuf[tl] = '\0';
		if (time_parse_rfc3339(tsbuf, &rt) == 0) {
			line += tl + 1;
			len -= tl + 1;
		} else
			rt = now;
	}
	lvl = 0;
	while (lvl < len && line[lvl] != '\t' && line[lvl] != ' ')
		lvl++;
	*prio = level_priority(line, lvl);
	if (redact_text_maybe(line, len) && jsonl_redact_text(sink, line, len, &red, &rlen) >= 0 && red) {
		line = red;
		len = rlen;
	}
	buf_reset(out);
	buf_printf(out, "{\"__REALTIME_TIMESTAMP\":\"%" PRIu64 "\",\"MESSAGE\":", rt);
	journal_value(out, line, len);
	if (*prio >= 0)
		buf_printf(out, ",\"PRIORITY\":\"%d\"", *prio);
	buf_adds(out, ",\"_SOURCE_TRIAGE\":\"log-file\"}");
	if (*prio < 0)
		*prio = 8;
	return true;
}

void
collect_logfile(struct ctx *c)
{
	struct strv *units = c->opt->units.n ? &c->opt->units : &c->profile->units;
	const char *unit = units->n ? units->v[0] : "agent";
	_cleanup_free_ char *name = xasprintf("journal/%s", unit);
	_cleanup_free_ char *rel = xasprintf("journal/%s.jsonl", unit);
	const char *path = c->opt->log_file, *shown = strcmp(path, "-") == 0 ? "standard input" : path;
	struct reader rd = { .fd = -1 };
	struct buf line = { 0 };
	struct jsonl *s = NULL;
	uint64_t now = time_now_usec(), seen, written, withheld, omitted, lines = 0;
	struct stat st;
	int r, prio;

	if (!c->opt->log_file)
		return;
	rd.fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (rd.fd < 0) {
		ctx_source(c, name, SOURCE_ERROR, "--log-file %s: %s", path, file_errstr(-errno));
		return;
	}
	if (rd.fd == STDIN_FILENO && isatty(STDIN_FILENO) && c->opt->verbosity >= 0)
		fprintf(stderr, "triage-collect: reading agent log lines from the terminal; end with Ctrl-D "
		    "(or pipe them in: docker logs --timestamps CONTAINER 2>&1 | triage-collect --log-file -)\n");
	rd.seekable = fstat(rd.fd, &st) == 0 && S_ISREG(st.st_mode);
	if (!rd.seekable)
		rd.spool = tmpfile();
	rd.deadline = mono_usec() + c->profile->source_timeout_usec;
	if (rd.deadline > c->deadline_usec)
		rd.deadline = c->deadline_usec;
	s = jsonl_new(c, rel, ctx_journal_budget(c));
	for (;;) {
		const char *l;
		size_t len;

		for (;;) {
			r = next_line(&rd, &l, &len);
			if (r <= 0)
				break;
			lines++;
			while (len > 0 && (l[len - 1] == '\r' || l[len - 1] == '\n'))
				len--;
			/* Blank lines are never offered, so both passes number the same lines. */
			if (len == 0 || jsonl_skip_next(s))
				continue;
			if (!format_line(s, &line, l, len, now, &prio))
				continue;
			r = jsonl_push(s, line.data, line.len, prio);
			if (r < 0)
				break;
		}
		if (r == -ETIME) {
			rd.timed_out = true;
			r = 0;
		}
		if (r < 0)
			break;
		r = jsonl_end_pass(s);
		if (r != 1)
			break;
		/* Second pass: the same lines again, from the file or from the spool. */
		buf_reset(&rd.pending);
		rd.off = 0;
		rd.eof = false;
		if (rd.seekable) {
			if (lseek(rd.fd, 0, SEEK_SET) < 0) {
				r = -errno;
				break;
			}
		} else {
			if (rd.spool == NULL || fflush(rd.spool) != 0) {
				r = -EIO;
				break;
			}
			if (rd.fd != STDIN_FILENO)
				close(rd.fd);
			rd.fd = dup(fileno(rd.spool));
			lseek(rd.fd, 0, SEEK_SET);
			fclose(rd.spool);
			rd.spool = NULL;
			rd.seekable = true;
		}
		rd.deadline = mono_usec() + c->profile->source_timeout_usec;
	}
	if (r < 0)
		ctx_source(c, name, SOURCE_ERROR, "reading --log-file %s failed: %s", shown, strerror(-r));
	else {
		jsonl_counts(s, &seen, &written, &withheld, &omitted);
		if (rd.timed_out)
			ctx_source(c, name, SOURCE_TRUNCATED, "%" PRIu64 " lines from --log-file %s; stopped at the "
			    "time limit", written, shown);
		else if (omitted)
			ctx_source(c, name, SOURCE_TRUNCATED, "%" PRIu64 " of %" PRIu64 " lines from --log-file %s; %"
			    PRIu64 " left out to fit the size budget (warnings and worse kept first)", written, seen,
			    shown, omitted);
		else
			ctx_source(c, name, SOURCE_OK, "%" PRIu64 " lines from --log-file %s", written, shown);
		if (c->bw) {
			json_t *o = bw_source_object(c->bw, name);

			json_object_set_new(o, "entries", json_integer((json_int_t)written));
			json_object_set_new(o, "omitted", json_integer((json_int_t)omitted));
			json_object_set_new(o, "withheld", json_integer((json_int_t)withheld));
			json_object_set_new(o, "log_file", json_string(shown));
			ctx_redactions(c, rel, jsonl_redactions(s));
		}
	}
	buf_free(&line);
	buf_free(&rd.pending);
	if (rd.spool)
		fclose(rd.spool);
	if (rd.fd >= 0 && rd.fd != STDIN_FILENO)
		close(rd.fd);
	jsonl_free(s);
}
