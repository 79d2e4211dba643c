/* logfile.h: the --log-file source's parts: line formats (logline.c), the bounded spool (logspool.c). */
#ifndef TRIAGE_LOGFILE_H
#define TRIAGE_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xalloc.h"

/* The forms a --log-file line or event is recognised as (the manifest counts each). */
enum log_format {
	LOGF_PLAIN,		/* the agent's own lines, ecs-cli logs without --timestamps */
	LOGF_DOCKER,		/* docker logs --timestamps: RFC 3339 with a zone, a space */
	LOGF_CRI,		/* CRI: TIME stdout|stderr F|P MESSAGE */
	LOGF_TAIL_DETAILED,	/* aws logs tail: TIME STREAM MESSAGE */
	LOGF_TAIL_SHORT,	/* aws logs tail --format short: TIME (UTC, no zone) MESSAGE */
	LOGF_TIME_TAB,		/* ecs-cli logs --timestamps: TIME<TAB>MESSAGE (and the agent's own stamped lines) */
	LOGF_AWS_JSON,		/* aws logs get-log-events / filter-log-events JSON */
	LOGF_JSON_LINES,	/* one JSON object per event (docker json-file, aws logs tail --format none) */
	_LOGF_MAX
};

/* Name of a format as the manifest and _TRIAGE_FORMAT spell it. */
const char *log_format_name(enum log_format);

/* One text line taken apart.  Pointers point into the line. */
struct log_line {
	enum log_format	 fmt;		/* the form recognised */
	uint64_t	 usec;		/* the transport's time (realtime usec), when timed */
	bool		 timed;		/* the line carries a time */
	const char	*msg;		/* the message after the transport's prefix */
	size_t		 len;		/* its length */
	const char	*stream;	/* aws logs tail's stream name, or NULL */
	size_t		 stream_len;	/* its length */
	bool		 partial;	/* CRI "P": the message continues on the next line */
};

/*
 * Parses a time at s: YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|+HHMM].  No zone
 * means UTC (aws logs tail --format short prints UTC).  Returns the bytes used
 * (0: no time there); *zoned says whether a zone was given.
 */
size_t log_time_parse(const char *s, size_t len, uint64_t *usec, bool *zoned);

/* Removes ANSI escape sequences (colours) from line in place; returns the new length. */
size_t log_strip_ansi(char *line, size_t len);

/* Recognises the transport prefix of one line (no newline, no ANSI); fills *out. */
void log_line_parse(const char *line, size_t len, struct log_line *out);

/*
 * The agent's own leading time ("2026-11-26T05:00:00.123Z<TAB>info<TAB>..."):
 * when msg starts with a time and a tab or space, skips both and sets *usec.
 * Envoy's "[2026-11-26 05:00:00.123][14][warning]..." sets *usec and skips
 * nothing.  Returns true when it found a time.
 */
bool log_message_time(const char **msg, size_t *len, uint64_t *usec);

/* Syslog priority (0-7) of the agent's level word (the first or second word, or Envoy's [LEVEL]), or -1. */
int log_message_priority(const char *msg, size_t len);

/* Priority of a level word alone ("warn", "ERROR", "[warning]"), or -1. */
int log_level_word(const char *w, size_t len);

/* ---- the spool (logspool.c) ---- */

/*
 * Formatted entries of a --log-file source on their way to the bundle, kept
 * compressed in unlinked files in TMPDIR and trimmed as they grow: the newest
 * entries of each class (warnings and worse; the rest) that could still be
 * chosen for the budget stay, older ones go.  Free with spool_free().
 */
struct spool;

/* Entries chosen at most, whatever the budget (the sink indexes each in memory, ~6 bytes). */
#define SPOOL_MAX_CHOSEN	(4 * 1024 * 1024)

/* Record flags. */
enum {
	SPOOL_IMPORTANT	= 1,	/* warning or worse: chosen first */
	SPOOL_OTHER	= 2,	/* from another container's stream */
	SPOOL_COUNTS	= 4,	/* carries redaction counts (set by spool_add()) */
};

/* Starts a spool in dir (TMPDIR).  0 or -errno (the folder cannot hold a temporary file). */
int spool_new(const char *dir, struct spool **ret);
void spool_free(struct spool *);
/*
 * Sets the bytes (uncompressed) that can be chosen in all: from now on each
 * class is trimmed to what could still be chosen.  With limit > 0 (compressed
 * bytes), allowed shrinks to what the spool's own compression says fits in it.
 */
void spool_set_allowed(struct spool *, uint64_t allowed, double limit);
/* Appends one entry (line and counts, compact JSON or NULL, without a newline).  0 or -errno. */
int spool_add(struct spool *, const char *line, size_t len, uint8_t prio, unsigned flags,
    const char *counts, size_t counts_len);
/* Entries of other containers become dead: their bytes no longer count, spool_next() skips them. */
void spool_drop_other(struct spool *);
/*
 * Ends writing.  Returns 0, or the first write error (-errno): then the segments
 * written whole stay and can be read, the rest is counted as trimmed.
 */
int spool_finish(struct spool *);
/* Starts (again) reading the chosen entries in input order.  0 or -errno. */
int spool_rewind(struct spool *);
/*
 * The next chosen entry: 1 with *line, *len, *prio, *counts (NULL or JSON text,
 * *counts_len) valid until the next call, 0 at the end, or -errno.
 */
int spool_next(struct spool *, const char **line, size_t *len, uint8_t *prio, const char **counts,
    size_t *counts_len);
/* Entries added, trimmed away for the budget, lost with a segment that could not be written (each may be NULL). */
void spool_counts(const struct spool *, uint64_t *added, uint64_t *trimmed, uint64_t *lost);
/* Compressed bytes on disk now and at most so far. */
void spool_disk(const struct spool *, uint64_t *now, uint64_t *peak);

#endif
