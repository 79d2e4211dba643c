/* timeutil.c: parsing the TIME arguments and writing RFC 3339 timestamps. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

uint64_t
time_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

const char *
time_rfc3339(uint64_t usec, bool frac, char buf[static RFC3339_MAX])
{
	time_t t = (time_t)(usec / USEC_PER_SEC);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, RFC3339_MAX, "1970-01-01T00:00:00Z");
		return buf;
	}
	if (frac)
		snprintf(buf, RFC3339_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (unsigned)(usec % USEC_PER_SEC));
	else
		snprintf(buf, RFC3339_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	return buf;
}

/* Reads exactly n digits. */
static int
digits(const char **sp, int n, int *ret)
{
	const char *s = *sp;
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*ret = v;
	return 0;
}

static int
to_usec(struct tm *tm, bool utc, uint64_t *ret)
{
	time_t t;

	tm->tm_isdst = -1;
	t = utc ? timegm(tm) : mktime(tm);
	if (t == (time_t)-1 || t < 0)
		return -EINVAL;
	*ret = (uint64_t)t * USEC_PER_SEC;
	return 0;
}

/* "YYYY-MM-DD" then optionally [T ]HH:MM[:SS[.frac]][Z|±HH:MM]. */
static int
parse_date(const char *s, bool need_zone, uint64_t *ret)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	uint64_t frac = 0, usec;
	long off = 0;
	bool utc = false, zoned = false;

	if (digits(&s, 4, &y) < 0 || *s++ != '-' || digits(&s, 2, &mo) < 0 ||
	    *s++ != '-' || digits(&s, 2, &d) < 0)
		return -EINVAL;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &mi) < 0)
			return -EINVAL;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &sec) < 0)
				return -EINVAL;
			if (*s == '.' || *s == ',') {
				uint64_t scale = 100000;

				s++;
				if (!isdigit((unsigned char)*s))
					return -EINVAL;
				for (; isdigit((unsigned char)*s); s++) {
					frac += (uint64_t)(*s - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
			utc = zoned = true;
		} else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1;

			if (digits(&s, 2, &oh) < 0)
				return -EINVAL;
			if (*s == ':')
				s++;
			if (digits(&s, 2, &om) < 0 || oh > 23 || om > 59)
				return -EINVAL;
			off = sign * (oh * 3600L + om * 60L);
			utc = zoned = true;
		}
	}
	if (*s != '\0' || (need_zone && !zoned))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (to_usec(&tm, utc, &usec) < 0)
		return -EINVAL;
	if (off > 0 && (uint64_t)off * USEC_PER_SEC > usec)
		return -EINVAL;
	*ret = usec - (uint64_t)((int64_t)off * (int64_t)USEC_PER_SEC) + frac;
	return 0;
}

int
time_parse_rfc3339(const char *s, uint64_t *ret)
{
	return parse_date(s, /* need_zone= */ true, ret);
}

static int
midnight(uint64_t now_usec, int days_back, uint64_t *ret)
{
	time_t t = (time_t)(now_usec / USEC_PER_SEC);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return -EINVAL;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= days_back;
	return to_usec(&tm, /* utc= */ false, ret);
}

int
time_parse(const char *s, uint64_t now_usec, uint64_t *ret)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	if (strcmp(s, "now") == 0) {
		*ret = now_usec;
		return 0;
	}
	if (strcmp(s, "today") == 0)
		return midnight(now_usec, 0, ret);
	if (strcmp(s, "yesterday") == 0)
		return midnight(now_usec, 1, ret);
	if (s[0] == '@') {
		unsigned long long v;

		if (!isdigit((unsigned char)s[1]))
			return -EINVAL;
		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (errno != 0 || *end != '\0' || v > UINT64_MAX / USEC_PER_SEC)
			return -EINVAL;
		*ret = (uint64_t)v * USEC_PER_SEC;
		return 0;
	}
	if (s[0] == '-' || s[0] == '+') {
		unsigned long long v;
		uint64_t unit, delta;

		if (!isdigit((unsigned char)s[1]))
			return -EINVAL;
		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (errno != 0)
			return -EINVAL;
		if (strcmp(end, "s") == 0 || strcmp(end, "sec") == 0)
			unit = 1;
		else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
			unit = 60;
		else if (strcmp(end, "h") == 0)
			unit = 3600;
		else if (strcmp(end, "d") == 0)
			unit = 86400;
		else if (strcmp(end, "w") == 0)
			unit = 7 * 86400;
		else
			return -EINVAL;
		if (v > UINT64_MAX / (unit * USEC_PER_SEC))
			return -EINVAL;
		delta = (uint64_t)v * unit * USEC_PER_SEC;
		if (s[0] == '-')
			*ret = delta > now_usec ? 0 : now_usec - delta;
		else
			*ret = now_usec + delta;
		return 0;
	}
	return parse_date(s, /* need_zone= */ false, ret);
}
