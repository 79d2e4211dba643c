/* links: analyze */
/* test_rules.c: the rules loader (from memory, with positions) and the prefilter literals' soundness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>

#include "analyze.h"
#include "timeutil.h"

static void
lits_free(char **l, size_t *lens, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
	free(lens);
}

/* The literal set of pattern as one string "a|b", or "(none)". */
static char *
lits(const char *pattern)
{
	size_t *lens, n, i;
	char **l = regex_required_literals(pattern, &lens, &n);
	struct buf b = { 0 };

	if (l == NULL)
		return xstrdup("(none)");
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(&b, '|');
		buf_add(&b, l[i], lens[i]);
	}
	lits_free(l, lens, n);
	return buf_steal(&b, NULL);
}

static void
expect_lits(const char *pattern, const char *want)
{
	char *got = lits(pattern);

	assert_string_equal(got, want);
	free(got);
}

static void
test_literals(void **state)
{
	(void)state;
	expect_lits("lookup (?<host>[^\\s\":]+)(?: on x)?: (?<e>no such host|boom)", "lookup ");
	expect_lits("dial tcp (?<a>x|y): (?<r>z)", "dial tcp ");
	expect_lits("(?<tlserror>authentication handshake failed: [^\"]+|x509: [^\"]+)",
	    "authentication handshake failed: |x509: ");
	expect_lits("abc?d", "ab");
	expect_lits("x{2}yz", "yz");
	expect_lits("ab{0,3}cd", "cd");
	expect_lits("i/o timeout", "o timeout");
	expect_lits("say \\\"hi there\\\"", "hi there");
	expect_lits("a\\.b\\(c", "a.b(c");
	expect_lits("(?i)error", "(none)");
	expect_lits("foo|.*", "(none)");
	expect_lits("(*UTF)abc", "(none)");
	expect_lits("\\Qabc\\E", "(none)");
	expect_lits("[abc]+def", "def");
	expect_lits("ab+c", "ab");
	expect_lits("(?=abc)zz", "zz");
}

static uint32_t seed = 42;

static uint32_t
rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return seed >> 8;
}

/*
 * Soundness of the literal extraction: for random patterns and random subjects,
 * whenever PCRE2 matches, the subject holds one of the literals.
 */
static void
test_literals_sound(void **state)
{
	static const char *const atoms[] = {
		"a", "b", "ab", "/", "\"", "\\.", ".", "a?", "b*", "c+", "(a|b)", "[ab]", "x{2}", "y{0,2}",
		"|", "(?:ab)?", "\\s", "\\d+", "(?<n>a+)", " ", "a{,2}", "{", "}", "(?=a)", "\\\\", "\\/",
	};
	static const char alphabet[] = "abcxy /\"\\.{},2";
	struct ruleset *rs = ruleset_new();
	unsigned tried = 0, matched = 0, i, k;

	(void)state;
	for (i = 0; i < 4000; i++) {
		char pat[128] = "", subj[48];
		size_t n = 1 + rnd() % 6, *lens, nl, j;
		char **l;
		struct regex re = { 0 };
		int ecode;
		PCRE2_SIZE eoff;

		for (k = 0; k < n; k++)
			strcat(pat, atoms[rnd() % (sizeof(atoms) / sizeof(atoms[0]))]);
		re.code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_UTF, &ecode, &eoff, NULL);
		if (re.code == NULL)
			continue;
		re.md = pcre2_match_data_create_from_pattern(re.code, NULL);
		l = regex_required_literals(pat, &lens, &nl);
		for (k = 0; k < 60; k++) {
			size_t sl = rnd() % (sizeof(subj) - 1);
			bool found = false;

			for (j = 0; j < sl; j++)
				subj[j] = alphabet[rnd() % (sizeof(alphabet) - 1)];
			subj[sl] = '\0';
			tried++;
			if (regex_match(rs, &re, subj, sl) != 1)
				continue;
			matched++;
			if (l == NULL)
				continue;
			for (j = 0; j < nl && !found; j++)
				found = memmem(subj, sl, l[j], lens[j]) != NULL;
			if (!found)
				fail_msg("pattern '%s' matched '%s' without its literals", pat, subj);
		}
		if (l)
			lits_free(l, lens, nl);
		pcre2_match_data_free(re.md);
		pcre2_code_free(re.code);
	}
	assert_true(matched > 1000);
	assert_true(tried > matched);
	ruleset_free(rs);
}

static const char good[] =
	"version: 1\n"
	"rules:\n"
	"  - id: r1\n"
	"    title: T\n"
	"    severity: warning\n"
	"    message: \"{host} {seen} {config.onboardingEndpoint.host} {unit.ActiveState}\"\n"
	"    when:\n"
	"      all:\n"
	"        - journal: {match: 'lookup (?<host>\\S+)', priority: 'err..info', min_count: 2, within: 1h}\n"
	"        - not: {unit: {property: NRestarts, at_least: 3}}\n"
	"        - any:\n"
	"            - file: {path: /etc/x.yaml, key: a.b, matches: '^y'}\n"
	"            - resolver: {probe: {resolve: failed}}\n"
	"            - manifest: {source: 'journal/*', status: [truncated, error]}\n";

static void
test_load_good(void **state)
{
	struct ruleset *rs = ruleset_new();
	const struct cond_journal *j;

	(void)state;
	assert_int_equal(rules_load_buffer(rs, "mem", good, sizeof(good) - 1), 0);
	assert_int_equal(rules_finish(rs), 0);
	assert_int_equal(rs->n, 1);
	assert_int_equal(rs->n_jconds, 1);
	j = rs->jconds[0];
	assert_int_equal(j->prio_min, 3);
	assert_int_equal(j->prio_max, 6);
	assert_int_equal(j->min_count, 2);
	assert_true(j->within == 3600 * USEC_PER_SEC);
	assert_string_equal(j->unit, AGENT_UNIT);
	assert_string_equal(j->rule_id, "r1");
	assert_int_equal(j->n_literals, 1);
	assert_string_equal(j->literals[0], "lookup ");
	assert_int_equal(rs->rules[0]->severity, SEV_WARNING);
	ruleset_free(rs);
}

/* Each bad input gives exactly the diagnostic prefix wanted. */
static void
expect_diag(const char *yaml, const char *want)
{
	struct ruleset *rs = ruleset_new();
	int r = rules_load_buffer(rs, "f.yaml", yaml, strlen(yaml));

	if (r == 0)
		r = rules_finish(rs);
	assert_int_equal(r, -EINVAL);
	assert_true(rs->n_diags >= 1);
	if (strncmp(rs->diags[0], want, strlen(want)) != 0)
		fail_msg("got '%s', wanted '%s...'", rs->diags[0], want);
	ruleset_free(rs);
}

static void
test_load_errors(void **state)
{
	(void)state;
	expect_diag("rules: [", "f.yaml:2:1: invalid YAML");
	expect_diag("- a\n", "f.yaml:1:1: a rules file is a mapping");
	expect_diag("rules:\n  - id: x\n    title: t\n    severity: high\n    message: m\n    when: {journal: {match: a}}\n",
	    "f.yaml:4:15: unknown severity 'high'");
	expect_diag("rules:\n  - id: x\n    title: t\n    severity: info\n    message: m\n    when: {journal: {match: 'a(b'}}\n",
	    "f.yaml:6:33: match: bad regular expression at offset 3");
	expect_diag("rules:\n  - id: x\n    title: t\n    severity: info\n    message: m\n    when: {journal: {match: a, colour: red}}\n",
	    "f.yaml:6:32: journal: unknown key 'colour'");
	expect_diag("rules:\n  - id: x\n    title: t\n    severity: info\n    message: m\n    when: {journal: {match: a, min_count: many}}\n",
	    "f.yaml:6:43: min_count must be a whole number");
	expect_diag("rules:\n  - id: x\n    title: t\n    severity: info\n    message: m\n    when: {unit: {property: A}}\n",
	    "f.yaml:6:18: unit: give exactly one of");
	expect_diag("rules:\n  - id: x\n    title: t\n    severity: info\n    message: '{nope}'\n    when: {journal: {match: a}}\n",
	    "f.yaml:5:14: message: unknown placeholder '{nope}'");
	expect_diag("rules:\n  - {id: x, title: t, severity: info, message: m, when: {journal: {match: a}}}\n"
	    "  - {id: x, title: t, severity: info, message: m, when: {journal: {match: b}}}\n",
	    "f.yaml:3:5: duplicate rule id 'x' (first at f.yaml:2:5)");
	expect_diag("rules:\n  - id: x\n    title: t\n    severity: info\n    message: 'a [[b [[c]] d'\n    when: {journal: {match: a}}\n",
	    "f.yaml:5:14: message: '[[' at offset 2 has no closing ']]' before the next '[['");
	expect_diag("rules:\n  - {id: bundle-contains-secret, title: t, severity: info, message: m, when: {journal: {match: a}}}\n",
	    "f.yaml:2:10: id 'bundle-contains-secret' is reserved");
}

/* Examples are run against little bundles: a wrong expectation is reported at the example. */
static void
test_examples(void **state)
{
	static const char y[] =
		"rules:\n"
		"  - id: x\n"
		"    title: t\n"
		"    severity: info\n"
		"    message: 'm {seen}'\n"
		"    when: {journal: {match: 'boom (?<what>\\w+)'}}\n"
		"    examples:\n"
		"      match: ['boom a', 'x boom b']\n"
		"      no_match: ['boom', 'boom c']\n";
	struct ruleset *rs = ruleset_new();
	unsigned n = 0;

	(void)state;
	assert_int_equal(rules_load_buffer(rs, "e.yaml", y, sizeof(y) - 1), 0);
	assert_int_equal(rules_check_examples(rs, &n), 1);
	assert_int_equal(n, 4);
	assert_string_equal(rs->diags[0], "e.yaml:9:26: rule 'x': the example should not match but does");
	ruleset_free(rs);
}

static void
test_builtin(void **state)
{
	struct ruleset *rs = ruleset_new();
	unsigned n = 0;
	size_t i;

	(void)state;
	assert_int_equal(rules_load_buffer(rs, BUILTIN_RULES_NAME, triage_builtin_rules, strlen(triage_builtin_rules)), 0);
	assert_int_equal(rules_finish(rs), 0);
	assert_int_equal(rules_check_examples(rs, &n), 0);
	assert_true(n >= 13 * 4);
	/* Every journal condition of the shipped rules has prefilter literals. */
	for (i = 0; i < rs->n_jconds; i++)
		if (rs->jconds[i]->literals == NULL)
			fail_msg("rule %s: a journal pattern without prefilter literals", rs->jconds[i]->rule_id);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_literals_sound),
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_builtin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
