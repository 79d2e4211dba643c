/* test_timeutil.c: TIME arguments, the one duration grammar, and RFC 3339 output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "timeutil.h"

#define NOW UINT64_C(1795669200000000) /* 2026-11-26T05:00:00Z */

static void
test_rfc3339_roundtrip(void **state)
{
	char buf[RFC3339_MAX];
	uint64_t t;

	(void)state;
	assert_string_equal(time_rfc3339(NOW, false, buf), "2026-11-26T05:00:00Z");
	assert_string_equal(time_rfc3339(NOW + 123456, true, buf), "2026-11-26T05:00:00.123456Z");
	assert_int_equal(time_parse_rfc3339("2026-11-26T05:00:00Z", &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse_rfc3339("2026-11-26T06:30:00+01:30", &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse_rfc3339("2026-11-26T05:00:00.5Z", &t), 0);
	assert_true(t == NOW + 500000);
	assert_int_equal(time_parse_rfc3339("2026-11-26 05:00:00", &t), -EINVAL);
}

static void
test_relative_and_words(void **state)
{
	uint64_t t;

	(void)state;
	assert_int_equal(time_parse("now", NOW, &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse("-30m", NOW, &t), 0);
	assert_true(t == NOW - 1800 * UINT64_C(1000000));
	assert_int_equal(time_parse("-2h", NOW, &t), 0);
	assert_true(t == NOW - 7200 * UINT64_C(1000000));
	assert_int_equal(time_parse("-7d", NOW, &t), 0);
	assert_true(t == NOW - 7 * 86400 * UINT64_C(1000000));
	assert_int_equal(time_parse("@1795669200", NOW, &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse("today", NOW, &t), 0);
	assert_true(t <= NOW && NOW - t < 86400 * UINT64_C(1000000) + 3600 * UINT64_C(1000000));
	assert_int_equal(time_parse("yesterday", NOW, &t), 0);
	assert_true(t < NOW);
}

static void
test_dates(void **state)
{
	uint64_t t;

	(void)state;
	setenv("TZ", "UTC", 1);
	assert_int_equal(time_parse("2026-11-26", NOW, &t), 0);
	assert_true(t == NOW - 5 * 3600 * UINT64_C(1000000));
	assert_int_equal(time_parse("2026-11-26 05:00", NOW, &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse("2026-11-26 05:00:00", NOW, &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse("2026-11-26T05:00:00Z", NOW, &t), 0);
	assert_true(t == NOW);
}

/* journalctl's forms (issue 12 item 8), and impossible dates refused. */
static void
test_journalctl_forms(void **state)
{
	static const struct { const char *in; int64_t delta; } rel[] = {
		{ "2 hours ago", -7200 }, { "-2h30m", -9000 }, { "-1day", -86400 }, { "1.5h ago", -5400 },
		{ "-90 min", -5400 }, { "-2 hours", -7200 }, { "5 min left", 300 }, { "+1h", 3600 },
	};
	struct time_arg a;
	uint64_t t;

	(void)state;
	setenv("TZ", "UTC", 1);
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		assert_int_equal(time_parse(rel[i].in, NOW, &t), 0);
		assert_true((int64_t)(t - NOW) == rel[i].delta * 1000000);
	}
	assert_int_equal(time_parse("19:00", NOW, &t), 0);
	assert_true(t == NOW + 14 * 3600 * UINT64_C(1000000));
	assert_int_equal(time_parse("2026-11-26 05:00 UTC", NOW, &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse("Thu 2026-11-26 05:00:00 UTC", NOW, &t), 0);
	assert_true(t == NOW);
	assert_int_equal(time_parse("Fri 2026-11-26", NOW, &t), -EINVAL);
	assert_int_equal(time_parse("2026-02-30", NOW, &t), -EINVAL);
	assert_int_equal(time_parse("2026-02-29", NOW, &t), -EINVAL);
	assert_int_equal(time_parse("2028-02-29", NOW, &t), 0);
	assert_int_equal(time_parse("2026-04-31 10:00", NOW, &t), -EINVAL);
	/* relative forms count from the base they are resolved against */
	assert_int_equal(time_arg_parse("-2h", &a), 0);
	assert_int_equal(time_arg_resolve(&a, NOW - 86400 * UINT64_C(1000000), &t), 0);
	assert_true(t == NOW - 26 * 3600 * UINT64_C(1000000));
	assert_int_equal(time_arg_parse("-0h", &a), 0);
	assert_true(a.zero_span);
}

#define S(n)	((uint64_t)(n) * UINT64_C(1000000))
#define WITHIN_MAX	S(10 * 365 * 86400)	/* analyze/rules.c: a rule's `within` */

/*
 * The one duration grammar (time_span_parse) accepts what each of the three grammars it
 * replaced accepted: the collector profile's timeouts (NUMBER with us, ms, s, none, m, min,
 * h, d), a rule's `within` (NUMBER with s, m, h, d, w, after strtoul's white space and '+'),
 * and the spans of TIME arguments (systemd's parse_sec()).
 */
static void
test_span_union(void **state)
{
	static const struct { const char *in; uint64_t usec; } ok[] = {
		/* the profile's grammar (collect/profile.c parse_duration) */
		{ "30s", S(30) }, { "5m", S(300) }, { "24h", S(86400) }, { "2d", S(172800) },
		{ "500ms", 500000 }, { "10us", 10 }, { "30", S(30) }, { "5min", S(300) }, { "007s", S(7) },
		{ "18446744073709551615us", UINT64_MAX },
		/* a rule's `within` (analyze/rules.c parse_duration) */
		{ "90s", S(90) }, { "30m", S(1800) }, { "1h", S(3600) }, { "1w", S(604800) },
		{ "521w", S(521 * 604800) }, { "3650d", S(3650 * 86400) }, { "315360000s", WITHIN_MAX },
		{ " 5m", S(300) }, { "\t5m", S(300) }, { "+5m", S(300) }, { "\n+90s", S(90) },
		/* TIME spans (systemd's parse_sec) */
		{ "2h30m", S(9000) }, { "1.5h", S(5400) }, { "90 min", S(5400) }, { "2 hours", S(7200) },
		{ "1day", S(86400) }, { "1 week 2 days", S(9 * 86400) }, { "0.5s", 500000 }, { ".5s", 500000 },
		{ "1M", S(2629800) }, { "1y", S(31557600) }, { "3 msec", 3000 }, { "1e3s", S(1000) },
		{ "0", 0 }, { "0s", 0 }, { "1h 30", S(3630) }, { "5s5", S(10) },
	};
	static const char *const bad[] = {
		"", " ", "+", "s", "m", "5x", "5S", "5H", "5mins", "5 s x", "-5m", "--5m", "++5m",
		"5m,", "1.5.5s", "h5", "inf", "nan", "1e400s", "5 m ago", "99999999999999999999s",
		"18446744073709551616us", "18446744073709551615s", "5:00",
		/* strtoul read "-18446744073709551615d" as 1 day: a minus is not a duration */
		"-18446744073709551615d",
	};
	uint64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = 1;
		if (time_span_parse(ok[i].in, 0, UINT64_MAX, &t) != 0 || t != ok[i].usec)
			fail_msg("'%s': want %llu usec, got %llu", ok[i].in, (unsigned long long)ok[i].usec,
			    (unsigned long long)t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (time_span_parse(bad[i], 0, UINT64_MAX, &t) == 0)
			fail_msg("'%s' accepted as %llu usec", bad[i], (unsigned long long)t);
}

/* Each caller's bounds: what each old grammar refused by its range stays refused. */
static void
test_span_bounds(void **state)
{
	uint64_t t = 7;

	(void)state;
	/* the profile refused a timeout of 0 */
	assert_int_equal(time_span_parse("0s", 1, UINT64_MAX, &t), -ERANGE);
	assert_int_equal(time_span_parse("0", 1, UINT64_MAX, &t), -ERANGE);
	assert_true(t == 7);	/* untouched on failure */
	/* `within`: more than 0, at most 10 years of 365 days */
	assert_int_equal(time_span_parse("0m", 1, WITHIN_MAX, &t), -ERANGE);
	assert_int_equal(time_span_parse("522w", 1, WITHIN_MAX, &t), -ERANGE);
	assert_int_equal(time_span_parse("3651d", 1, WITHIN_MAX, &t), -ERANGE);
	assert_int_equal(time_span_parse("315360001s", 1, WITHIN_MAX, &t), -ERANGE);
	assert_int_equal(time_span_parse("10y", 1, WITHIN_MAX, &t), -ERANGE);	/* 365.25-day years */
	assert_int_equal(time_span_parse("521w", 1, WITHIN_MAX, &t), 0);
	/* TIME: an offset fits in int64_t (the old limit, 9.2e18 usec) */
	assert_int_equal(time_span_parse("9199999999999999999us", 0, TIME_SPAN_MAX, &t), 0);
	assert_true(t == TIME_SPAN_MAX);
	assert_int_equal(time_span_parse("9200000000000000000us", 0, TIME_SPAN_MAX, &t), -ERANGE);
	assert_int_equal(time_span_parse("300000y", 0, TIME_SPAN_MAX, &t), -ERANGE);
	assert_int_equal(time_span_parse(NULL, 0, UINT64_MAX, &t), -EINVAL);
	/* and through TIME: "-0h" is a zero span, a leading '+' after the sign is the span's */
	assert_int_equal(time_parse("-1.5h", NOW, &t), 0);
	assert_true(t == NOW - S(5400));
}

static void
test_rejects(void **state)
{
	static const char *bad[] = { "", "-", "-5x", "@", "@12a", "2026-13-01", "2026-11-26 25:00",
	    "2026-11-26T05:00:00Q", "tomorrowish", "-99999999999999999999d", "2026-11-26T05" };
	uint64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(time_parse(bad[i], NOW, &t), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_roundtrip),
		cmocka_unit_test(test_relative_and_words),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_journalctl_forms),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_span_union),
		cmocka_unit_test(test_span_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
