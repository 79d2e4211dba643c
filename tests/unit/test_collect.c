/* links: collect -- test_collect.c: the collector's JSON output rules (journalctl's), sizes, durations, the profile. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collect.h"

static char *
value(const char *s, size_t len)
{
	struct buf b = { 0 };

	journal_value(&b, s, len);
	return buf_steal(&b, NULL);
}

static void
test_escape(void **state)
{
	static const char in[] = "a\"b\\c\n\t\r\b\f\x01\x1f end \xc3\xa9";
	struct buf b = { 0 };

	(void)state;
	json_escape(&b, in, sizeof(in) - 1);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f end \xc3\xa9\"");
	buf_free(&b);
	json_escape(&b, "", 0);
	assert_string_equal(b.data, "\"\"");
	buf_free(&b);
}

/* systemd's utf8_is_printable(): what journalctl prints as a string rather than bytes. */
static void
test_text_or_bytes(void **state)
{
	(void)state;
	assert_true(journal_value_is_text("plain ascii", 11));
	assert_true(journal_value_is_text("tab\tand\nnewline", 15));
	assert_true(journal_value_is_text("", 0));
	assert_true(journal_value_is_text("\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80", 9));	/* é ✓ 😀 */
	assert_false(journal_value_is_text("bell\x07", 5));
	assert_false(journal_value_is_text("cr\r", 3));
	assert_false(journal_value_is_text("nul\0x", 5));
	assert_false(journal_value_is_text("del\x7f", 4));
	assert_false(journal_value_is_text("\xc2\x85", 2));		/* U+0085, C1 control */
	assert_false(journal_value_is_text("\xff\xfe", 2));		/* not UTF-8 */
	assert_false(journal_value_is_text("\xc0\xaf", 2));		/* overlong '/' */
	assert_false(journal_value_is_text("\xed\xa0\x80", 3));		/* surrogate */
	assert_false(journal_value_is_text("\xef\xbf\xbe", 3));		/* U+FFFE */
	assert_false(journal_value_is_text("\xf4\x90\x80\x80", 4));	/* beyond U+10FFFF */
	assert_false(journal_value_is_text("\xe2\x9c", 2));		/* cut short */
}

static void
test_values(void **state)
{
	char *v;

	(void)state;
	v = value("hi\tthere", 8);
	assert_string_equal(v, "\"hi\\tthere\"");
	free(v);
	v = value("a\xff\x00", 3);
	assert_string_equal(v, "[97,255,0]");
	free(v);
	v = value("\x1b[0m", 4);
	assert_string_equal(v, "[27,91,48,109]");
	free(v);
}

static void
test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("20M", &v), 0);
	assert_true(v == 20 * 1024 * 1024);
	assert_int_equal(parse_size("1G", &v), 0);
	assert_true(v == 1024ULL * 1024 * 1024);
	assert_int_equal(parse_size("500K", &v), 0);
	assert_true(v == 500 * 1024);
	assert_int_equal(parse_size("12345", &v), 0);
	assert_true(v == 12345);
	/* decimals and any case (issue 12 item 8) */
	assert_int_equal(parse_size("1.5M", &v), 0);
	assert_true(v == 1572864);
	assert_int_equal(parse_size("10m", &v), 0);
	assert_true(v == 10485760);
	assert_int_equal(parse_size("1g", &v), 0);
	assert_true(v == 1073741824);
	assert_int_equal(parse_size("1GiB", &v), 0);
	assert_true(v == 1073741824);
	assert_int_equal(parse_size("1.5", &v), -EINVAL);
	assert_int_equal(parse_size("1MM", &v), -EINVAL);
	assert_int_equal(parse_size("12Q", &v), -EINVAL);
	assert_int_equal(parse_size("-1M", &v), -EINVAL);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999G", &v), -EINVAL);
	/* durations: time_span_parse() in test_timeutil.c */
}

static void
test_builtin_profile(void **state)
{
	struct profile *p = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(profile_parse(triage_builtin_profile, strlen(triage_builtin_profile), "built-in", &p, &err), 0);
	assert_int_equal(p->units.n, 1);
	assert_string_equal(p->units.v[0], "onboarding-agent.service");
	assert_int_equal(p->config_expect.n, 2);
	assert_int_equal(p->n_probes, 1);
	assert_int_equal(p->probes[0].default_port, 15443);
	assert_string_equal(p->probes[0].host_key, "onboardingEndpoint.host");
	assert_true(p->window_usec == 24ULL * 3600 * 1000000);
	assert_true(p->max_size == 50ULL * 1024 * 1024);
	profile_free(p);
}

static void
test_bad_profiles(void **state)
{
	static const char *const bad[] = {
		"units: [a\n",
		"units: [a.service]\nbogus: 1\n",
		"journal: {window: forever}\n",
		"budget: {max_size: lots}\n",
		"probes:\n- {config: /x}\n",
		"- just a list\n",
		"",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct profile *p = NULL;
		char *err = NULL;

		assert_int_equal(profile_parse(bad[i], strlen(bad[i]), "t", &p, &err), -EINVAL);
		assert_non_null(err);
		assert_null(p);
		free(err);
	}
}

/* Offers n lines of ~200 bytes; every 10th is a warning.  Returns the pass count. */
static int
offer(struct jsonl *s, size_t n, unsigned *passes)
{
	char line[256];
	int r;

	*passes = 0;
	do {
		(*passes)++;
		for (size_t i = 0; i < n; i++) {
			if (jsonl_skip_next(s))
				continue;
			snprintf(line, sizeof(line), "{\"MESSAGE\":\"entry %zu %08zx%0150zu\",\"PRIORITY\":\"%d\"}",
			    i, i * 2654435761u, i, i % 10 == 0 ? 4 : 6);
			r = jsonl_push(s, line, strlen(line), i % 10 == 0 ? 4 : 6);
			if (r < 0)
				return r;
		}
		r = jsonl_end_pass(s);
	} while (r == 1);
	return r;
}

static void
test_budget_selection(void **state)
{
	struct options o = { 0 };
	struct ctx c = { .opt = &o, .rootfd = -1, .red = redactor_new() };
	uint64_t seen, written, withheld, omitted;
	unsigned passes;
	struct jsonl *s;

	(void)state;
	/* A generous budget: one pass, nothing left out. */
	s = jsonl_new(&c, "journal/x.jsonl", 100 * 1024 * 1024);
	assert_int_equal(offer(s, 20000, &passes), 0);
	jsonl_counts(s, &seen, &written, &withheld, &omitted);
	assert_int_equal(passes, 1);
	assert_true(seen == 20000 && written == 20000 && omitted == 0 && withheld == 0);
	jsonl_free(s);

	/* A tight one: a second pass keeps fewer lines, and says how many it left out. */
	s = jsonl_new(&c, "journal/x.jsonl", 64 * 1024);
	assert_int_equal(offer(s, 20000, &passes), 0);
	jsonl_counts(s, &seen, &written, &withheld, &omitted);
	assert_int_equal(passes, 2);
	assert_true(seen == 20000);
	assert_true(written > 0 && written < 20000);
	assert_true(written + omitted == 20000);
	assert_true(jsonl_bytes(s) > 0);
	jsonl_free(s);
	redactor_free(c.red);
}

/* A line that still holds a secret is withheld by the leak check; the others are written. */
static void
test_withheld(void **state)
{
	struct options o = { 0 };
	struct ctx c = { .opt = &o, .rootfd = -1, .red = redactor_new() };
	static const char *const lines[] = {
		"{\"MESSAGE\":\"fine\"}",
		"{\"MESSAGE\":\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\\n-----END RSA PRIVATE KEY-----\"}",
		"{\"MESSAGE\":\"also fine\"}",
	};
	uint64_t seen, written, withheld, omitted;
	struct jsonl *s = jsonl_new(&c, "journal/x.jsonl", 1024 * 1024);

	(void)state;
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(jsonl_push(s, lines[i], strlen(lines[i]), 6), 0);
	assert_int_equal(jsonl_end_pass(s), 0);
	jsonl_counts(s, &seen, &written, &withheld, &omitted);
	assert_true(seen == 3 && written == 2 && withheld == 1 && omitted == 0);
	jsonl_free(s);
	redactor_free(c.red);
}

/*
 * Same through the verifier thread: megabytes of lines (several chunks queued),
 * secrets early, in the middle and last; then again under a tight budget (second pass).
 */
static void
test_withheld_queued(void **state)
{
	struct options o = { 0 };
	struct ctx c = { .opt = &o, .rootfd = -1, .red = redactor_new() };
	static const char secret[] = "{\"MESSAGE\":\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\\n-----END RSA PRIVATE KEY-----\"}";
	const size_t n = 60000;
	uint64_t seen, written, withheld, omitted;

	(void)state;
	for (int tight = 0; tight < 2; tight++) {
		struct jsonl *s = jsonl_new(&c, "journal/x.jsonl", tight ? 8 * 1024 : 1024 * 1024 * 1024);
		unsigned passes = 0;
		int r;

		do {
			passes++;
			for (size_t i = 0; i < n; i++) {
				char line[160];
				bool leak = i == 5 || i == n / 2 || i == n - 1;

				if (jsonl_skip_next(s))
					continue;
				if (leak)
					snprintf(line, sizeof(line), "%s", secret);
				else
					snprintf(line, sizeof(line), "{\"MESSAGE\":\"line %zu of the agent's log, nothing secret in it\"}", i);
				assert_int_equal(jsonl_push(s, line, strlen(line), leak ? 3 : 6), 0);
			}
			r = jsonl_end_pass(s);
		} while (r == 1);
		assert_int_equal(r, 0);
		jsonl_counts(s, &seen, &written, &withheld, &omitted);
		assert_int_equal(passes, tight ? 2 : 1);
		assert_int_equal(seen, n);
		if (!tight)
			assert_true(written == n - 3 && withheld == 3 && omitted == 0);
		else
			assert_true(written > 0 && written + withheld + omitted == n && withheld == 3);
		jsonl_free(s);
	}
	redactor_free(c.red);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_text_or_bytes),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_builtin_profile),
		cmocka_unit_test(test_bad_profiles),
		cmocka_unit_test(test_budget_selection),
		cmocka_unit_test(test_withheld),
		cmocka_unit_test(test_withheld_queued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
