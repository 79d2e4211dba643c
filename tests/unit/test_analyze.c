/* links: analyze */
/* test_analyze.c: journal lines (scan, parse, chunking), the prefilter's soundness, correlation messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze.h"
#include "timeutil.h"

static void
test_scan(void **state)
{
	struct jl_scan s;
	static const char compact[] = "{\"__REALTIME_TIMESTAMP\":\"1795669200000000\",\"PRIORITY\":\"3\",\"MESSAGE\":\"error\\tagent\\tboom \\\"x\\\"\"}";
	static const char spaced[] = "{ \"__CURSOR\" : \"s=1\", \"MESSAGE\" : \"hello\", \"_X\" : [1,2,3], \"N\" : null }";
	static const char bytes[] = "{\"MESSAGE\":[104,105],\"__REALTIME_TIMESTAMP\":\"5\"}";
	static const char uni[] = "{\"MESSAGE\":\"a\\u0041b\"}";
	static const char dup[] = "{\"MESSAGE\":\"a\",\"MESSAGE\":\"b\"}";
	static const char nested[] = "{\"X\":{\"MESSAGE\":\"a\"}}";
	static const char keyesc[] = "{\"MESS\\u0041GE\":\"lookup x\"}";
	static const char strarr[] = "{\"MESSAGE\":\"m\",\"TAG\":[\"a\\\"]\",\"b\"]}";

	(void)state;
	journal_scan_line(compact, sizeof(compact) - 1, &s);
	assert_true(s.understood && s.has_msg && s.msg_string && !s.msg_unicode);
	assert_true(s.has_time && s.time == UINT64_C(1795669200000000));
	assert_int_equal(s.priority, 3);
	assert_int_equal(s.level, 3);
	assert_int_equal(s.msg_len, strlen("error\\tagent\\tboom \\\"x\\\""));
	journal_scan_line(spaced, sizeof(spaced) - 1, &s);
	assert_true(s.understood && s.has_msg && s.msg_len == 5 && !s.has_time && s.priority == -1);
	journal_scan_line(bytes, sizeof(bytes) - 1, &s);
	assert_true(s.understood && s.has_msg && !s.msg_string && s.time == 5);
	journal_scan_line(uni, sizeof(uni) - 1, &s);
	assert_true(s.understood && s.msg_unicode);
	journal_scan_line(dup, sizeof(dup) - 1, &s);
	assert_false(s.understood);
	journal_scan_line(nested, sizeof(nested) - 1, &s);
	assert_false(s.understood);
	journal_scan_line(keyesc, sizeof(keyesc) - 1, &s);
	assert_false(s.understood);
	journal_scan_line(strarr, sizeof(strarr) - 1, &s);
	assert_true(s.understood && s.has_msg && s.msg_len == 1);
	journal_scan_line("{\"MESSAGE\":\"a\"} x", 17, &s);
	assert_false(s.understood);
	journal_scan_line("", 0, &s);
	assert_false(s.understood);
}

static void
test_parse(void **state)
{
	struct jl_entry e = { 0 };
	static const char bytes[] = "{\"MESSAGE\":[104,0,255],\"PRIORITY\":\"4\",\"__REALTIME_TIMESTAMP\":\"7\"}";
	static const char nul[] = "{\"MESSAGE\":\"a\\u0000b\"}";
	static const char rep[] = "{\"MESSAGE\":[\"one\",[116,119,111]]}";

	(void)state;
	assert_int_equal(journal_parse_line(bytes, sizeof(bytes) - 1, &e), 0);
	assert_true(e.has_msg && e.msg.len == 3 && memcmp(e.msg.data, "h\0\xff", 3) == 0);
	assert_int_equal(e.priority, 4);
	assert_true(e.time == 7);
	assert_int_equal(journal_parse_line(nul, sizeof(nul) - 1, &e), 0);
	assert_true(e.has_msg && e.msg.len == 3);
	assert_int_equal(journal_parse_line(rep, sizeof(rep) - 1, &e), 0);
	assert_string_equal(e.msg.data, "one\ntwo");
	assert_int_equal(journal_parse_line("[1]", 3, &e), -EINVAL);
	assert_int_equal(journal_parse_line("{\"MESSAGE\":", 11, &e), -EINVAL);
	assert_int_equal(journal_parse_line("{\"MESSAGE\":null}", 16, &e), 0);
	assert_false(e.has_msg);
	jl_entry_free(&e);
}

/* The scanned line's decode (plain strings without jansson) agrees with jansson's. */
static void
test_parse_scanned(void **state)
{
	static const char *const lines[] = {
		"{\"MESSAGE\":\"plain text\",\"PRIORITY\":\"6\"}",
		"{\"MESSAGE\":\"error\\tlookup x on 10.0.0.2:53: no such host\"}",
		"{\"MESSAGE\":\"q\\\"uote \\\\ back \\/ sl \\b\\f\\n\\r\\t end\"}",
		"{\"MESSAGE\":\"\"}",
		"{\"MESSAGE\":\"a\\u00e9b\"}",
		"{\"MESSAGE\":\"caf\xc3\xa9\"}",
		"{\"MESSAGE\":\"trailing \\\\\"}",
		"{\"MESSAGE\":\"del \x7f byte\"}",
		"{\"MESSAGE\":\"a\\u0000b\"}",
	};
	struct jl_scan s;
	struct jl_entry a = { 0 }, b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		journal_scan_line(lines[i], strlen(lines[i]), &s);
		assert_true(s.understood);
		assert_int_equal(journal_parse_line(lines[i], strlen(lines[i]), &a), 0);
		assert_int_equal(journal_parse_scanned(&s, &b), 0);
		assert_true(a.has_msg && b.has_msg);
		assert_non_null(b.msg.data);	/* "" is a string, not NULL */
		assert_int_equal(a.msg.len, b.msg.len);
		assert_memory_equal(a.msg.data, b.msg.data, a.msg.len);
	}
	/* a raw control byte is not JSON: jansson refuses it, and so does the scanned path */
	journal_scan_line("{\"MESSAGE\":\"a\tb\"}", 17, &s);
	assert_true(s.understood);
	assert_int_equal(journal_parse_line("{\"MESSAGE\":\"a\tb\"}", 17, &a), -EINVAL);
	assert_int_equal(journal_parse_scanned(&s, &b), -EINVAL);
	jl_entry_free(&a);
	jl_entry_free(&b);
}

static uint32_t seed = 7;

static uint32_t
rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return seed >> 8;
}

/* Encodes message as a journal line in one of several ways JSON allows. */
static char *encode(const char *msg, size_t len, unsigned how, unsigned prio);

static char *
encode(const char *msg, size_t len, unsigned how, unsigned prio)
{
	json_t *o = json_object(), *m;
	struct buf b = { 0 };
	char *s;
	size_t i;

	if (how == 3) {
		m = json_array();
		for (i = 0; i < len; i++)
			json_array_append_new(m, json_integer((unsigned char)msg[i]));
	} else
		m = json_stringn_nocheck(msg, len);
	json_object_set_new(o, "__REALTIME_TIMESTAMP", json_string("1795669200000000"));
	json_object_set_new(o, "PRIORITY", json_sprintf("%u", prio));
	json_object_set_new(o, "_SYSTEMD_UNIT", json_string(AGENT_UNIT));
	json_object_set_new(o, "MESSAGE", m);
	switch (how) {
	case 0: s = json_dumps(o, JSON_COMPACT); break;
	case 1: s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII); break;
	case 2: s = json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH); break;
	case 3: s = json_dumps(o, JSON_COMPACT); break;
	default: s = json_dumps(o, 0); break;	/* "key": "value" with spaces */
	}
	json_decref(o);
	if (s == NULL)	/* not UTF-8: jansson writes no such string; journalctl writes bytes */
		return encode(msg, len, 3, prio);
	buf_adds(&b, s);
	free(s);
	return buf_steal(&b, NULL);
}

/*
 * The prefilter never drops a line that would match: for messages built from
 * the shipped rules' own examples, cut, spliced and sprinkled with quotes,
 * backslashes, slashes, tabs, controls and non-ASCII, encoded every way, a line
 * the full path (jansson + PCRE2) matches is always a prefilter candidate.
 */
static void
test_prefilter_sound(void **state)
{
	static const char *const frags[] = {
		"lookup ", "onboarding.example.invalid", " on ", "172.31.0.2:53", ": no such host", "dial tcp ",
		"192.0.2.10:15443", ": connect: connection refused", ": i/o timeout", "x509: ", "certificate signed",
		"authentication handshake failed: ", "PermissionDenied desc = Not authorized by OnboardingPolicy",
		"failed to obtain authorization to onboard using platform-specific credential procured by any of the plugins",
		"Scheduled restart job, restart counter is at 3", "Main process exited, code=exited, status=1/FAILURE",
		"\"", "\\", "/", "\t", "\n", "\x01", "\xc3\xa9", "\xe2\x80\xae", "error\tagent\t", " ", "\x7f", "é",
		"read udp 10.0.0.5:1234->10.0.0.2:53", "[fd00::2]:53", "i/o", "\"transport: ",
	};
	struct ruleset *rs = ruleset_new();
	struct jl_entry e = { 0 }, e2 = { 0 };
	struct jl_scan s;
	unsigned lines = 0, matches = 0, skipped = 0, scanned = 0, i, how, c;

	bool want[64];
	unsigned char cand[64];

	(void)state;
	assert_int_equal(rules_load_buffer(rs, "builtin", triage_builtin_rules, strlen(triage_builtin_rules)), 0);
	assert_true(rs->n_jconds <= 64);
	for (i = 0; i < 64; i++)
		want[i] = true;
	for (i = 0; i < 6000; i++) {
		char msg[600];
		size_t len = 0, n = 1 + rnd() % 8, k;

		for (k = 0; k < n; k++) {
			const char *f = frags[rnd() % (sizeof(frags) / sizeof(frags[0]))];
			size_t fl = strlen(f);

			if (rnd() % 5 == 0 && fl > 2)
				fl = 1 + rnd() % (fl - 1);	/* cut a fragment short */
			if (len + fl >= sizeof(msg))
				break;
			memcpy(msg + len, f, fl);
			len += fl;
		}
		for (how = 0; how < 5; how++) {
			char *line = encode(msg, len, how, rnd() % 8);

			lines++;
			journal_scan_line(line, strlen(line), &s);
			if (journal_parse_line(line, strlen(line), &e) < 0 || !e.has_msg) {
				free(line);
				continue;
			}
			/* The scanned path decodes the same MESSAGE, time and priority. */
			if (s.understood) {
				assert_int_equal(journal_parse_scanned(&s, &e2), 0);
				assert_true(e2.has_msg && e2.msg.len == e.msg.len && memcmp(e2.msg.data, e.msg.data, e.msg.len) == 0);
				assert_true(e2.time == e.time);
				assert_int_equal(e2.priority, e.priority);
				scanned++;
			}
			/* The one-pass literal index decides as the reference check does. */
			journal_may_match_all(rs, &s, want, cand);
			for (c = 0; c < rs->n_jconds; c++)
				if ((cand[c] != 0) != journal_may_match(rs->jconds[c], &s))
					fail_msg("journal_may_match_all differs for condition %u: %s", c, line);
			for (c = 0; c < rs->n_jconds; c++) {
				const struct cond_journal *cd = rs->jconds[c];
				bool may = journal_may_match(cd, &s);
				int full;

				if (e.priority < cd->prio_min || e.priority > cd->prio_max)
					continue;
				full = regex_match(rs, &cd->re, e.msg.data, e.msg.len);
				if (full == 1) {
					matches++;
					if (!may)
						fail_msg("prefilter dropped a matching line (rule %s): %s", cd->rule_id, line);
				} else if (!may)
					skipped++;
			}
			free(line);
		}
	}
	jl_entry_free(&e);
	jl_entry_free(&e2);
	assert_true(scanned > lines / 2);
	/* The test exercises matches, and the prefilter does skip most non-matching work. */
	assert_true(matches > 2000);
	assert_true(skipped > lines);
	ruleset_free(rs);
}

/* Feeding a journal in any chunking gives the same result; overlong lines are counted and skipped. */
static void
test_chunking(void **state)
{
	struct ruleset *rs = ruleset_new();
	struct model *m1, *m2;
	struct journal_file *j1, *j2;
	struct journal_run *run;
	struct buf data = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(rules_load_buffer(rs, "builtin", triage_builtin_rules, strlen(triage_builtin_rules)), 0);
	for (i = 0; i < 50; i++) {
		const char *msg = i % 3 ? "info\tagent\tfine" : "error\tagent\tdial tcp: lookup h.invalid on 10.0.0.2:53: no such host";
		char *l = encode(msg, strlen(msg), 0, 6);

		buf_adds(&data, l);
		buf_addc(&data, '\n');
		free(l);
		if (i == 20) {
			/* a line over the cap, then a line that is not JSON */
			for (size_t k = 0; k < JOURNAL_LINE_MAX + 10; k++)
				buf_addc(&data, 'x');
			buf_adds(&data, "\nnot json\n");
		}
	}
	m1 = model_new(rs, "a");
	m2 = model_new(rs, "b");
	j1 = model_add_journal(m1, "journal/" AGENT_UNIT ".jsonl");
	j2 = model_add_journal(m2, "journal/" AGENT_UNIT ".jsonl");
	run = journal_run_new(m1, j1);
	journal_run_feed(run, data.data, data.len);
	journal_run_end(run);
	journal_run_free(run);
	run = journal_run_new(m2, j2);
	for (i = 0; i < data.len; i += 7)
		journal_run_feed(run, data.data + i, data.len - i < 7 ? data.len - i : 7);
	journal_run_end(run);
	journal_run_free(run);
	assert_int_equal(j1->too_long, 1);
	assert_int_equal(j2->too_long, 1);
	assert_int_equal(j1->invalid, 1);
	assert_int_equal(j2->invalid, 1);
	assert_int_equal(j1->lines, 51);
	assert_int_equal(j2->lines, 51);
	for (i = 0; i < rs->n_jconds; i++) {
		if (j1->res[i] == NULL)
			continue;
		assert_int_equal(j1->res[i]->count, j2->res[i]->count);
	}
	assert_int_equal(m1->tl.total, 50);
	assert_int_equal(m2->tl.total, 50);
	buf_free(&data);
	model_free(m1);
	model_free(m2);
	ruleset_free(rs);
}

/* The DNS finding names host and server and correlates config, resolv.conf and the probe. */
static void
test_dns_correlation(void **state)
{
	static const char cfg[] = "kind: OnboardingConfiguration\nonboardingEndpoint:\n  host: wop.corp.invalid\nworkloadGroup: {namespace: a, name: b}\n";
	static const char probes[] = "{\"probes\":[{\"host\":\"wop.corp.invalid\",\"port\":15443,\"origin\":\"onboardingEndpoint\","
	    "\"resolve\":{\"ok\":false,\"addresses\":[],\"error\":\"no such host\",\"ms\":3},\"connect\":[]}]}";
	struct ruleset *rs = ruleset_new();
	struct model *m;
	struct journal_file *jf;
	struct analysis *a;
	char *line;
	size_t i;
	bool seen = false;

	(void)state;
	assert_int_equal(rules_load_buffer(rs, "builtin", triage_builtin_rules, strlen(triage_builtin_rules)), 0);
	m = model_new(rs, "mem");
	m->manifest = json_pack("{s:s,s:[]}", "collected_at", "2026-11-26T06:00:00Z", "sources");
	jf = model_add_journal(m, "journal/" AGENT_UNIT ".jsonl");
	jf->verdict = BR_VERIFIED;
	{
		static const char msg[] = "error\tagent\tRPC failed: desc = \"transport: Error while dialing dial tcp: "
		    "lookup wop.corp.invalid on 172.31.0.2:53: no such host\"";

		line = encode(msg, sizeof(msg) - 1, 0, 6);
	}
	journal_line(m, jf, line, strlen(line), 1);
	free(line);
	model_add_file(m, "config/etc/onboarding-agent/onboarding.config.yaml", xstrdup(cfg), strlen(cfg), BR_VERIFIED);
	model_add_file(m, "resolver/resolv.conf", xstrdup("nameserver 10.0.2.3\n"), 20, BR_VERIFIED);
	model_add_file(m, "resolver/probes.json", xstrdup(probes), strlen(probes), BR_VERIFIED);
	a = evaluate(rs, m);
	for (i = 0; i < a->n_findings; i++) {
		const struct finding *f = &a->findings[i];

		assert_string_not_equal(f->rule->id, "endpoint-connection-failed");
		if (strcmp(f->rule->id, "endpoint-dns-unresolvable") != 0)
			continue;
		seen = true;
		assert_non_null(strstr(f->message, "could not resolve wop.corp.invalid through DNS server 172.31.0.2"));
		assert_non_null(strstr(f->message, "wop.corp.invalid is the configured onboardingEndpoint.host"));
		assert_non_null(strstr(f->message, "resolv.conf does not list 172.31.0.2 (it lists 10.0.2.3)"));
		assert_non_null(strstr(f->message, "probe could not resolve wop.corp.invalid (no such host)"));
		assert_int_equal(f->count, 1);
		assert_int_equal(f->n_ev, 1);
		assert_int_equal(f->ev[0].line, 1);
	}
	assert_true(seen);
	analysis_free(a);
	model_free(m);
	ruleset_free(rs);
}

/* Mutated journal lines (flipped bytes, cuts, quotes, backslashes, NULs) never crash the line path. */
static void
test_mutated_lines(void **state)
{
	static const char base[] = "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1795669200000000\",\"PRIORITY\":\"3\","
	    "\"_X\":[1,2,\"a\"],\"MESSAGE\":\"error\\tagent\\tdial tcp: lookup h.invalid on 10.0.0.2:53: no such host \\\"q\\\" \\u00e9\"}";
	static const char junk[] = "\"\\{}[],:u0 \x00\xff\n";
	struct ruleset *rs = ruleset_new();
	struct model *m;
	struct journal_file *jf;
	char line[sizeof(base) + 16];
	unsigned i, k;

	(void)state;
	assert_int_equal(rules_load_buffer(rs, "builtin", triage_builtin_rules, strlen(triage_builtin_rules)), 0);
	m = model_new(rs, "mut");
	jf = model_add_journal(m, "journal/" AGENT_UNIT ".jsonl");
	for (i = 0; i < 30000; i++) {
		size_t len = sizeof(base) - 1;

		memcpy(line, base, len);
		for (k = 0; k < 1 + rnd() % 4; k++)
			line[rnd() % len] = junk[rnd() % (sizeof(junk) - 1)];
		if (rnd() % 3 == 0)
			len = rnd() % len;
		journal_line(m, jf, line, len, i + 1);
	}
	assert_int_equal(jf->lines, 30000);
	assert_true(jf->invalid > 0);
	model_free(m);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_scanned),
		cmocka_unit_test(test_prefilter_sound),
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_dns_correlation),
		cmocka_unit_test(test_mutated_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
