/* test_timeutil.c: TIME arguments and RFC 3339 output. */
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
