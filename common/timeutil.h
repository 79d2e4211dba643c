/* timeutil.h: the TIME arguments of CONTRACT.md and RFC 3339 output. */
#ifndef TRIAGE_TIMEUTIL_H
#define TRIAGE_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define USEC_PER_SEC	UINT64_C(1000000)
#define RFC3339_MAX	64	/* "2026-11-26T05:00:00.123456Z" and NUL, with room for any year */

/*
 * The one duration grammar (TIME spans, the profile's timeouts, a rule's `within`), as
 * systemd's parse_sec() reads it: one or more NUMBER[ ]UNIT parts, summed: "90s", "30m",
 * "2h30m", "1.5h", "90 min", "2 hours", "1day", "500ms"; a last bare number is seconds.
 * Units: us usec ms msec s sec second(s) m min minute(s) h hr hour(s) d day(s) w week(s)
 * M month(s) (30.44 d) y year(s) (365.25 d).  Leading white space and one '+' are allowed.
 * Whole numbers are exact (up to UINT64_MAX usec); a fraction is read as strtod reads it.
 * Returns 0 and *ret (usec), -EINVAL when s is not a span, -ERANGE when it is outside
 * [min_usec, max_usec].
 */
int time_span_parse(const char *s, uint64_t min_usec, uint64_t max_usec, uint64_t *ret);
/* The longest span of a TIME argument ("-2h", "3 days ago"): an offset must fit in int64_t. */
#define TIME_SPAN_MAX	UINT64_C(9199999999999999999)

/* Microseconds since the epoch, CLOCK_REALTIME. */
uint64_t time_now_usec(void);

/*
 * Parses TIME: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local time), RFC 3339
 * ("2026-11-26T05:00:00Z", "...+01:00", fractions allowed), "@EPOCH",
 * relative "-30m", "-2h", "-7d" (also s, w), "now", "today", "yesterday".
 * Relative forms count from now_usec.  Returns 0 or -EINVAL.
 */
int time_parse(const char *s, uint64_t now_usec, uint64_t *ret);

/* What a TIME argument is: an instant, or relative to a base (now, or the newest journal entry). */
enum time_kind {
	TIME_ABSOLUTE,		/* usec */
	TIME_OFFSET,		/* base + offset: "now", "-2h", "2 hours ago", "+1h" */
	TIME_DAY,		/* the base's day + days, at clock: "today", "yesterday", "19:00" */
};

/* A parsed TIME argument (time_arg_parse()); resolve it against a base with time_arg_resolve(). */
struct time_arg {
	enum time_kind kind;
	uint64_t usec;		/* TIME_ABSOLUTE */
	int64_t	 offset;	/* TIME_OFFSET, usec (negative: the past) */
	bool	 zero_span;	/* TIME_OFFSET given as a span of zero ("-0h") */
	int	 days;		/* TIME_DAY: 0 today, -1 yesterday, 1 tomorrow */
	int	 clock;		/* TIME_DAY: seconds after midnight */
	bool	 has_clock;	/* TIME_DAY: a clock time was given ("19:00") */
	bool	 utc;		/* a trailing " UTC": days and dates in UTC */
};

/*
 * Parses TIME as journalctl does: "YYYY-MM-DD [HH:MM[:SS[.frac]]]", RFC 3339, "HH:MM[:SS]"
 * (that day), "@EPOCH[.frac]", "now", "today", "yesterday", "tomorrow", spans "-2h30m",
 * "+1h", "-1day", "2 hours ago", "5 min left", a leading weekday, a trailing " UTC".
 * Impossible dates (2026-02-30) are refused.  Returns 0 or -EINVAL.
 */
int time_arg_parse(const char *s, struct time_arg *ret);
/* The instant of a, relative forms counting from base_usec.  0 or -EINVAL. */
int time_arg_resolve(const struct time_arg *a, uint64_t base_usec, uint64_t *ret);

/* Formats usec as RFC 3339 in UTC into buf; with frac, microseconds too. */
const char *time_rfc3339(uint64_t usec, bool frac, char buf[static RFC3339_MAX]);

/* Parses an RFC 3339 timestamp (any offset) into usec; 0 or -EINVAL. */
int time_parse_rfc3339(const char *s, uint64_t *ret);

#endif
