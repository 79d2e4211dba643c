/* timeutil.c: parsing the TIME arguments and writing RFC 3339 timestamps. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cleanup.h"
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

/* Days in month mo (1-12) of year y, leap years included: 2026-02-30 is not a date. */
static int
days_in_month(int y, int mo)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[mo - 1];
}

/* "YYYY-MM-DD" then optionally [T ]HH:MM[:SS[.frac]][Z|±HH:MM]. */
static int
parse_date(const char *s, bool need_zone, bool force_utc, uint64_t *ret)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	uint64_t frac = 0, usec;
	long off = 0;
	bool utc = force_utc, zoned = false;

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
		} else if ((*s == '+' || *s == '-') && !force_utc) {
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
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
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
	return parse_date(s, /* need_zone= */ true, /* force_utc= */ false, ret);
}

/* The units of a span, as systemd's parse_sec() names them; a longer name before its prefix. */
static const struct { const char *name; uint64_t usec; } span_units[] = {
	{ "usec", 1 }, { "us", 1 }, { "msec", 1000 }, { "ms", 1000 },
	{ "seconds", USEC_PER_SEC }, { "second", USEC_PER_SEC }, { "sec", USEC_PER_SEC },
	{ "s", USEC_PER_SEC }, { "minutes", 60 * USEC_PER_SEC }, { "minute", 60 * USEC_PER_SEC },
	{ "min", 60 * USEC_PER_SEC }, { "months", 2629800 * USEC_PER_SEC },
	{ "month", 2629800 * USEC_PER_SEC }, { "M", 2629800 * USEC_PER_SEC },
	{ "m", 60 * USEC_PER_SEC }, { "hours", 3600 * USEC_PER_SEC }, { "hour", 3600 * USEC_PER_SEC },
	{ "hr", 3600 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "days", 86400 * USEC_PER_SEC },
	{ "day", 86400 * USEC_PER_SEC }, { "d", 86400 * USEC_PER_SEC },
	{ "weeks", 604800 * USEC_PER_SEC }, { "week", 604800 * USEC_PER_SEC },
	{ "w", 604800 * USEC_PER_SEC }, { "years", 31557600 * USEC_PER_SEC },
	{ "year", 31557600 * USEC_PER_SEC }, { "y", 31557600 * USEC_PER_SEC },
};

int
time_span_parse(const char *s, uint64_t min_usec, uint64_t max_usec, uint64_t *ret)
{
	uint64_t exact = 0, total;	/* whole numbers of a unit, summed exactly */
	double approx = 0;		/* numbers with a fraction (or an exponent), as strtod reads them */
	bool any = false;

	if (s == NULL)
		return -EINVAL;
	/* Leading white space and one '+' (a rule's `within` always took them, through strtoul). */
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+')
		s++;
	while (*s == ' ')
		s++;
	while (*s != '\0') {
		char *dend, *uend;
		unsigned long long u;
		uint64_t mul, part;
		bool whole;
		double v;
		size_t k;

		if (!isdigit((unsigned char)*s) && *s != '.')
			return -EINVAL;
		errno = 0;
		v = strtod(s, &dend);
		if (errno != 0 || dend == s || v < 0)
			return -EINVAL;
		errno = 0;
		u = strtoull(s, &uend, 10);
		whole = errno == 0 && uend == dend;
		s = dend;
		while (*s == ' ')
			s++;
		for (k = 0; k < ELEMENTSOF(span_units); k++) {
			size_t n = strlen(span_units[k].name);

			if (strncmp(s, span_units[k].name, n) == 0 && !isalpha((unsigned char)s[n]))
				break;
		}
		if (k == ELEMENTSOF(span_units)) {
			/* only a last, bare number may go without a unit (seconds) */
			if (*s != '\0')
				return -EINVAL;
			mul = USEC_PER_SEC;
		} else {
			mul = span_units[k].usec;
			s += strlen(span_units[k].name);
		}
		if (whole) {
			if (__builtin_mul_overflow((uint64_t)u, mul, &part) ||
			    __builtin_add_overflow(exact, part, &exact))
				return -ERANGE;
		} else
			approx += v * (double)mul;
		any = true;
		while (*s == ' ')
			s++;
	}
	if (!any)
		return -EINVAL;
	if (approx >= 1.8e19 || __builtin_add_overflow(exact, (uint64_t)approx, &total))
		return -ERANGE;
	if (total < min_usec || total > max_usec)
		return -ERANGE;
	*ret = total;
	return 0;
}

/* "HH:MM[:SS]" alone: seconds of the day. */
static int
parse_clock(const char *s, int *ret)
{
	int h, mi, sec = 0;

	if (digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &mi) < 0)
		return -EINVAL;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &sec) < 0)
			return -EINVAL;
	}
	if (*s != '\0' || h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	*ret = h * 3600 + mi * 60 + sec;
	return 0;
}

int
time_arg_parse(const char *in, struct time_arg *ret)
{
	static const char *const wdays[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
	char buf[128];
	char *s = buf, *end;
	size_t len;
	bool utc = false;
	int wday = -1;
	uint64_t span;

	memset(ret, 0, sizeof(*ret));
	if (in == NULL)
		return -EINVAL;
	while (*in == ' ')
		in++;
	len = strlen(in);
	while (len > 0 && in[len - 1] == ' ')
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, in, len);
	buf[len] = '\0';
	/* A trailing " UTC": the time is in UTC rather than local time. */
	if (len > 4 && strcasecmp(buf + len - 4, " UTC") == 0) {
		utc = true;
		buf[len -= 4] = '\0';
		while (len > 0 && buf[len - 1] == ' ')
			buf[--len] = '\0';
	}
	ret->utc = utc;
	/* A leading weekday ("Fri 2026-11-27 10:00", "Friday, ..."), checked against the date. */
	{
		static const char *const full[] = { "sunday", "monday", "tuesday", "wednesday", "thursday",
		    "friday", "saturday" };
		size_t n = strcspn(s, " ,");

		for (int i = 0; i < 7 && s[n] != '\0'; i++)
			if ((n == 3 && strncasecmp(s, wdays[i], 3) == 0) ||
			    (n == strlen(full[i]) && strncasecmp(s, full[i], n) == 0)) {
				wday = i;
				s += n;
				while (*s == ' ' || *s == ',')
					s++;
				break;
			}
	}
	if (wday < 0) {
		if (strcmp(s, "now") == 0) {
			ret->kind = TIME_OFFSET;
			return 0;
		}
		if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0 || strcmp(s, "tomorrow") == 0) {
			ret->kind = TIME_DAY;
			ret->days = s[0] == 'y' ? -1 : s[1] == 'o' && s[2] == 'm' ? 1 : 0;
			return 0;
		}
		if (s[0] == '@') {
			double v;

			if (!isdigit((unsigned char)s[1]))
				return -EINVAL;
			errno = 0;
			v = strtod(s + 1, &end);
			if (errno != 0 || *end != '\0' || v >= 9.2e12)
				return -EINVAL;
			ret->kind = TIME_ABSOLUTE;
			ret->usec = (uint64_t)(v * (double)USEC_PER_SEC + 0.5);
			return 0;
		}
		if (s[0] == '-' || s[0] == '+') {
			if (time_span_parse(s + 1, 0, TIME_SPAN_MAX, &span) < 0)
				return -EINVAL;
			ret->kind = TIME_OFFSET;
			ret->offset = s[0] == '-' ? -(int64_t)span : (int64_t)span;
			ret->zero_span = span == 0;
			return 0;
		}
		if (len > 4 && strcmp(s + strlen(s) - 4, " ago") == 0) {
			s[strlen(s) - 4] = '\0';
			if (time_span_parse(s, 0, TIME_SPAN_MAX, &span) < 0)
				return -EINVAL;
			ret->kind = TIME_OFFSET;
			ret->offset = -(int64_t)span;
			ret->zero_span = span == 0;
			return 0;
		}
		if (len > 5 && strcmp(s + strlen(s) - 5, " left") == 0) {
			s[strlen(s) - 5] = '\0';
			if (time_span_parse(s, 0, TIME_SPAN_MAX, &span) < 0)
				return -EINVAL;
			ret->kind = TIME_OFFSET;
			ret->offset = (int64_t)span;
			ret->zero_span = span == 0;
			return 0;
		}
	}
	if (parse_clock(s, &ret->clock) == 0) {
		if (wday >= 0)
			return -EINVAL;
		ret->kind = TIME_DAY;
		ret->has_clock = true;
		return 0;
	}
	if (parse_date(s, /* need_zone= */ false, utc, &ret->usec) < 0)
		return -EINVAL;
	ret->kind = TIME_ABSOLUTE;
	if (wday >= 0) {
		time_t t = (time_t)(ret->usec / USEC_PER_SEC);
		struct tm tm;

		if ((utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) == NULL || tm.tm_wday != wday)
			return -EINVAL;
	}
	return 0;
}

int
time_arg_resolve(const struct time_arg *a, uint64_t base_usec, uint64_t *ret)
{
	time_t t;
	struct tm tm;

	switch (a->kind) {
	case TIME_ABSOLUTE:
		*ret = a->usec;
		return 0;
	case TIME_OFFSET:
		if (a->offset < 0 && (uint64_t)-a->offset > base_usec)
			*ret = 0;
		else
			*ret = base_usec + (uint64_t)a->offset;
		return 0;
	case TIME_DAY:
		t = (time_t)(base_usec / USEC_PER_SEC);
		if ((a->utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) == NULL)
			return -EINVAL;
		tm.tm_hour = a->clock / 3600;
		tm.tm_min = a->clock / 60 % 60;
		tm.tm_sec = a->clock % 60;
		tm.tm_mday += a->days;
		return to_usec(&tm, a->utc, ret);
	}
	return -EINVAL;
}

int
time_parse(const char *s, uint64_t now_usec, uint64_t *ret)
{
	struct time_arg a;
	int r = time_arg_parse(s, &a);

	if (r < 0)
		return r;
	return time_arg_resolve(&a, now_usec, ret);
}
