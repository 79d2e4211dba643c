/* timeutil.h: the TIME arguments of CONTRACT.md and RFC 3339 output. */
#ifndef TRIAGE_TIMEUTIL_H
#define TRIAGE_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define USEC_PER_SEC	UINT64_C(1000000)
#define RFC3339_MAX	64	/* "2026-11-26T05:00:00.123456Z" and NUL, with room for any year */

/* Microseconds since the epoch, CLOCK_REALTIME. */
uint64_t time_now_usec(void);

/*
 * Parses TIME: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local time), RFC 3339
 * ("2026-11-26T05:00:00Z", "...+01:00", fractions allowed), "@EPOCH",
 * relative "-30m", "-2h", "-7d" (also s, w), "now", "today", "yesterday".
 * Relative forms count from now_usec.  Returns 0 or -EINVAL.
 */
int time_parse(const char *s, uint64_t now_usec, uint64_t *ret);

/* Formats usec as RFC 3339 in UTC into buf; with frac, microseconds too. */
const char *time_rfc3339(uint64_t usec, bool frac, char buf[static RFC3339_MAX]);

/* Parses an RFC 3339 timestamp (any offset) into usec; 0 or -EINVAL. */
int time_parse_rfc3339(const char *s, uint64_t *ret);

#endif
