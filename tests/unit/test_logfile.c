/* links: collect -- test_logfile.c: --log-file's line forms (logline.c), its bounded spool (logspool.c), and
 * private-key blocks printed one line per entry (pemblock.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "logfile.h"
#include "pemblock.h"

static uint64_t
t(const char *s, bool *zoned)
{
	uint64_t u = 0;
	bool z;

	assert_true(log_time_parse(s, strlen(s), &u, zoned ? zoned : &z) > 0);
	return u;
}

static void
test_times(void **state)
{
	bool z;
	uint64_t u;

	(void)state;
	assert_int_equal(t("2024-03-05T10:21:10Z", &z), 1709634070000000ULL);
	assert_true(z);
	assert_int_equal(t("2024-03-05T10:21:10.447000+00:00", NULL), 1709634070447000ULL);
	assert_int_equal(t("2024-03-05T10:21:10.123456789Z", NULL), 1709634070123456ULL);
	assert_int_equal(t("2024-03-05T05:21:10-05:00", NULL), 1709634070000000ULL);
	assert_int_equal(t("2024-03-05T11:21:10+0100", NULL), 1709634070000000ULL);
	assert_int_equal(t("2024-03-05 10:21:10,5", &z), 1709634070500000ULL);	/* no zone: UTC */
	assert_false(z);
	assert_int_equal(t("2024-02-29T00:00:00Z", NULL), 1709164800000000ULL);
	/* Not times: impossible dates, short forms, words. */
	assert_int_equal(log_time_parse("2023-02-29T00:00:00Z", 20, &u, &z), 0);
	assert_int_equal(log_time_parse("2024-13-01T00:00:00Z", 20, &u, &z), 0);
	assert_int_equal(log_time_parse("2024-03-05T24:00:00Z", 20, &u, &z), 0);
	assert_int_equal(log_time_parse("2024-03-05", 10, &u, &z), 0);
	assert_int_equal(log_time_parse("info\tagent\tx", 12, &u, &z), 0);
	/* The bytes used stop at the time. */
	assert_int_equal(log_time_parse("2024-03-05T10:21:10Z rest", 25, &u, &z), 20);
	assert_int_equal(log_time_parse("2024-03-05T10:21:10.5+00:00\tx", 29, &u, &z), 27);
}

static void
parse(const char *line, struct log_line *ll)
{
	log_line_parse(line, strlen(line), ll);
}

static void
test_forms(void **state)
{
	struct log_line ll;

	(void)state;
	parse("2024-03-05T10:21:10.447000+00:00 ecs/onboarding-agent/3a15 error\tagent\tx", &ll);
	assert_int_equal(ll.fmt, LOGF_TAIL_DETAILED);
	assert_int_equal(ll.usec, 1709634070447000ULL);
	assert_int_equal(ll.stream_len, 25);
	assert_memory_equal(ll.stream, "ecs/onboarding-agent/3a15", 25);
	assert_int_equal(ll.len, 13);
	assert_memory_equal(ll.msg, "error\tagent\tx", 13);

	parse("2024-03-05T10:21:10.447000+00:00 ecs/onboarding-agent/3a15", &ll);	/* an empty message */
	assert_int_equal(ll.fmt, LOGF_TAIL_DETAILED);
	assert_int_equal(ll.len, 0);
	assert_int_equal(ll.stream_len, 25);

	parse("2024-03-05T10:21:10 warn\tagent\tx", &ll);
	assert_int_equal(ll.fmt, LOGF_TAIL_SHORT);
	assert_true(ll.timed);
	assert_null(ll.stream);

	parse("2024-03-05T10:21:10.123456789Z info\tagent\tx", &ll);
	assert_int_equal(ll.fmt, LOGF_DOCKER);
	/* A docker line whose message starts with a path is not a stream name. */
	parse("2024-03-05T10:21:10.1Z /usr/bin/agent: started", &ll);
	assert_int_equal(ll.fmt, LOGF_DOCKER);
	assert_int_equal(ll.msg[0], '/');

	parse("2024-03-05T10:21:10Z\tinfo\tagent\tx", &ll);
	assert_int_equal(ll.fmt, LOGF_TIME_TAB);
	assert_memory_equal(ll.msg, "info\t", 5);

	parse("2024-03-05T10:21:10.5Z stderr P part ", &ll);
	assert_int_equal(ll.fmt, LOGF_CRI);
	assert_true(ll.partial);
	assert_int_equal(ll.len, 5);
	assert_memory_equal(ll.msg, "part ", 5);
	parse("2024-03-05T10:21:10.5Z stdout F", &ll);
	assert_int_equal(ll.fmt, LOGF_CRI);
	assert_false(ll.partial);
	assert_int_equal(ll.len, 0);

	parse("error\tagent\tno time", &ll);
	assert_int_equal(ll.fmt, LOGF_PLAIN);
	assert_false(ll.timed);
	parse("2024-03-05T10:21:10Zjunk", &ll);
	assert_int_equal(ll.fmt, LOGF_PLAIN);
	assert_false(ll.timed);
}

static void
test_ansi_and_levels(void **state)
{
	char line[] = "\x1b[32m2024-03-05T10:21:10\x1b[0m \x1b[1;36mwarn\x1b[0m\tagent\x1b(B";
	size_t n = log_strip_ansi(line, strlen(line));
	const char *m = "2026-11-26T05:00:00.1Z\terror\tagent\tx";
	size_t ml = strlen(m);
	uint64_t u;

	(void)state;
	assert_int_equal(n, strlen("2024-03-05T10:21:10 warn\tagent"));
	assert_memory_equal(line, "2024-03-05T10:21:10 warn\tagent", n);
	assert_int_equal(log_message_priority("info\tagent\tx", 12), 6);
	assert_int_equal(log_message_priority("agent\tERROR\tx", 13), 3);
	assert_int_equal(log_message_priority("[warning] x", 11), 4);
	assert_int_equal(log_message_priority("WARN: x", 7), 4);
	assert_int_equal(log_message_priority("connected to x", 14), -1);
	assert_int_equal(log_message_priority("a b info", 8), -1);	/* the third word is not a level */
	assert_true(log_message_time(&m, &ml, &u));
	assert_int_equal(u, 1795669200100000ULL);
	assert_int_equal(log_message_priority(m, ml), 3);
}

/* The spool keeps the newest of each class that can be chosen, and gives them back in input order. */
static void
test_spool(void **state)
{
	struct spool *sp;
	const char *line, *counts;
	size_t len, clen;
	uint8_t prio;
	uint64_t added, trimmed, lost, now, peak, n = 0, last = 0, warn = 0;
	char buf[64];
	int r;

	(void)state;
	assert_int_equal(spool_new("/nonexistent-triage-dir", &sp), -ENOENT);
	assert_int_equal(spool_new(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", &sp), 0);
	/* 200,000 lines of 42 bytes, one in ten a warning; 1,000,000 bytes can be chosen. */
	spool_set_allowed(sp, 1000000, 0);
	for (unsigned i = 0; i < 200000; i++) {
		bool w = i % 10 == 0;

		snprintf(buf, sizeof(buf), "{\"n\":%07u,\"MESSAGE\":\"%-16s\"}", i, w ? "warn" : "info");
		assert_int_equal(spool_add(sp, buf, strlen(buf), w ? 4 : 6, w ? SPOOL_IMPORTANT : 0,
		    i == 199999 ? "{\"x\":1}" : NULL, i == 199999 ? 7 : 0), 0);
	}
	assert_int_equal(spool_finish(sp), 0);
	spool_counts(sp, &added, &trimmed, &lost);
	assert_int_equal(added, 200000);
	assert_true(trimmed > 100000);	/* the oldest were dropped as they came */
	assert_int_equal(lost, 0);
	spool_disk(sp, &now, &peak);
	assert_true(peak > 0 && peak < 1000000);
	assert_int_equal(spool_rewind(sp), 0);
	while ((r = spool_next(sp, &line, &len, &prio, &counts, &clen)) == 1) {
		unsigned v = (unsigned)strtoul(line + 5, NULL, 10);

		assert_true(n == 0 || v > last);	/* input order */
		last = v;
		n++;
		warn += prio == 4;
		if (v == 199999) {
			assert_non_null(counts);
			assert_memory_equal(counts, "{\"x\":1}", 7);
		} else
			assert_null(counts);
	}
	assert_int_equal(r, 0);
	assert_int_equal(last, 199999);
	/* Every warning fits (20,000 x 43 bytes with the newline = 860,000), then the newest others: 1,000,000 bytes at most. */
	assert_int_equal(warn, 20000);
	assert_true(n * 43 <= 1000000 && n * 43 > 1000000 - 43 * 10);
	/* Reading again gives the same. */
	assert_int_equal(spool_rewind(sp), 0);
	for (added = 0; spool_next(sp, &line, &len, &prio, &counts, &clen) == 1; added++)
		;
	assert_int_equal(added, n);
	spool_free(sp);
}

/* Feeds one line; returns the redacted part as "from-to", or "" when nothing is redacted. */
static const char *
pem(struct pemblock *b, const char *line)
{
	static char out[32];
	size_t f, t;

	out[0] = '\0';
	if (pemblock_line(b, line, strlen(line), &f, &t))
		snprintf(out, sizeof(out), "%zu-%zu", f, t);
	return out;
}

static void
test_pemblock(void **state)
{
	struct pemblock b = { 0 };
	char line[80];

	(void)state;
	/* RSA, line by line: BEGIN left to the patterns, body lines whole, END kept and closing */
	assert_string_equal(pem(&b, "-----BEGIN RSA PRIVATE KEY-----"), "");
	assert_string_equal(pem(&b, "Proc-Type: 4,ENCRYPTED"), "0-22");
	assert_string_equal(pem(&b, "MIIEowIBAAKCAQEAx4Jh3w+9gsdf/kzNqQ8pT1mZ0wQy7HZlq8VhKJf0p3Yb2Q1x"), "0-64");
	assert_string_equal(pem(&b, "  VnZXU2dhOXFZOGc=\r"), "2-18");
	assert_string_equal(pem(&b, "-----END RSA PRIVATE KEY-----"), "");
	assert_string_equal(pem(&b, "MIIEowIBAAKCAQEAx4Jh3w+9gsdf"), "");	/* closed: the patterns' business */
	/* a public certificate opens nothing */
	assert_string_equal(pem(&b, "-----BEGIN CERTIFICATE-----"), "");
	assert_string_equal(pem(&b, "MIIEowIBAAKCAQEAx4Jh3w+9gsdf"), "");
	assert_string_equal(pem(&b, "-----END CERTIFICATE-----"), "");
	/* a whole block in one entry: its body goes (the patterns take it too), and it stays closed */
	assert_string_equal(pem(&b, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----"), "31-39");
	assert_string_equal(pem(&b, "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oXPpbA6i+8o"), "");
	/* an entry that opens the block and carries its first lines; PGP armor headers and checksum */
	assert_string_equal(pem(&b, "key:\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF+9"), "43-70");
	assert_string_equal(pem(&b, "=AbCd"), "0-5");
	/* another process's line in between is left alone; the block goes on */
	assert_string_equal(pem(&b, "info\tagent\tstarting"), "");
	assert_string_equal(pem(&b, "done"), "");	/* a plain word is no base64 line */
	/* lines with a prefix (a time): the base64 word goes */
	assert_string_equal(pem(&b, "2026-11-30 10:00:01 c2hDanV3amZwSEdSb0pjaERuWGllamNX"), "20-52");
	assert_string_equal(pem(&b, "-----END PGP PRIVATE KEY BLOCK-----"), "");
	/* body lines and the END in one entry: the END line stays */
	assert_string_equal(pem(&b, "-----BEGIN OPENSSH PRIVATE KEY-----"), "");
	assert_string_equal(pem(&b, "b3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\nok"), "0-24");
	assert_string_equal(pem(&b, "b3BlbnNzaC1rZXktdjEAAAAA"), "");
	/* no END: the block is bounded (PEM_MAX_LINES lines after BEGIN) */
	assert_string_equal(pem(&b, "-----BEGIN ENCRYPTED PRIVATE KEY-----"), "");
	for (int i = 0; i < PEM_MAX_LINES - 1; i++) {
		snprintf(line, sizeof(line), "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI%04d", i);
		assert_string_equal(pem(&b, line), "0-52");
	}
	assert_string_equal(pem(&b, "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI9999"), "");
	assert_int_equal(b.lines, 0);
	/* the base64 inside quotes or after '=' (logfmt, a JSON line): the base64 run goes */
	memset(&b, 0, sizeof(b));
	assert_string_equal(pem(&b, "level=info msg=\"-----BEGIN EC PRIVATE KEY-----\""), "");
	assert_string_equal(pem(&b, "level=info msg=\"MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oXPpbA6i+8o\""), "16-67");
	assert_string_equal(pem(&b, "{\"level\":\"info\",\"msg\":\"MHcCAQEEIBkg4LVWM9nuwNSk3yBy\"}"), "23-51");
	assert_string_equal(pem(&b, "level=info msg=\"connected to the endpoint\""), "");
	/* another process's line: a path or an id in the middle of it is no body line */
	assert_string_equal(pem(&b, "read /etc/onboarding/agent.config.yaml for 3a151358f03a4e32bf8cd401c1c74653 ok"), "");
	assert_string_equal(pem(&b, "level=info msg=\"-----END EC PRIVATE KEY-----\""), "");
	/* a BEGIN line cut short or split over two entries opens the block (when unsure, redact) */
	assert_string_equal(pem(&b, "-----BEGIN RSA PRIVATE"), "");
	assert_string_equal(pem(&b, "KEY-----"), "");
	assert_string_equal(pem(&b, "MIIEowIBAAKCAQEAx4Jh3w+9gsdf/kzNqQ8pT1mZ0wQy7HZlq8VhKJf0p3Yb2Q1x"), "0-64");
	assert_string_equal(pem(&b, "-----END RSA PRIVATE KEY-----"), "");
	assert_string_equal(pem(&b, "-----BEGIN PRIVATE KEY"), "");
	assert_string_equal(pem(&b, "MIIEowIBAAKCAQEAx4Jh3w+9gsdf/kzNqQ8pT1mZ0wQy7HZlq8VhKJf0p3Yb2Q1x"), "0-64");
	assert_string_equal(pem(&b, "-----END PRIVATE KEY"), "");
	/* ... but a public one cut short does not */
	assert_string_equal(pem(&b, "-----BEGIN CERTIFICATE"), "");
	assert_string_equal(pem(&b, "MIIEowIBAAKCAQEAx4Jh3w+9gsdf/kzNqQ8pT1mZ0wQy7HZlq8VhKJf0p3Yb2Q1x"), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_ansi_and_levels),
		cmocka_unit_test(test_spool),
		cmocka_unit_test(test_pemblock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
