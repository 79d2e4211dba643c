/* links: analyze */
/* test_view.c: the report view (analyze/view.c) is what the writers show: counts, what was not collected, entries, ECS rules, replaced rules. */
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

static const char manifest[] =
	"{\"collected_at\": \"2026-11-26T07:23:04Z\","
	" \"sources\": ["
	"  {\"name\": \"host\", \"status\": \"ok\"},"
	"  {\"name\": \"journal/onboarding-agent.service\", \"status\": \"unavailable\", \"detail\": \"no journal\"},"
	"  {\"name\": \"probes\", \"status\": \"error\", \"detail\": \"timed out\"},"
	"  {\"name\": \"odd\"}],"
	" \"skipped\": [{\"path\": \"/etc/onboarding-agent/key.pem\", \"reason\": \"a private key\"}],"
	" \"entries\": ["
	"  {\"path\": \"host.json\", \"size\": 12, \"sha256\": \"ab\"},"
	"  {\"path\": \"units/x.json\", \"size\": 3, \"sha256\": \"cd\"}],"
	" \"redactions\": [{\"path\": \"config/a.yaml\", \"count\": 2, \"rules\": {\"token\": 2}}]}";

/* A rules file that replaces a built-in rule (shown in every report's footer and in JSON). */
static const char replacing[] =
	"rules:\n"
	"  - id: endpoint-dns-unresolvable\n"
	"    title: t\n"
	"    severity: info\n"
	"    description: d\n"
	"    message: m\n"
	"    when:\n"
	"      journal: {match: \"DNS\"}\n";

static struct model *
model_of_manifest(const struct ruleset *rs)
{
	struct model *m = model_new(rs, "some/where/bundle.tar.gz");

	m->manifest = json_loads(manifest, 0, NULL);
	assert_non_null(m->manifest);
	m->collected_at = xstrdup("2026-11-26T07:23:04Z");
	model_integrity(m, "units/x.json", "SHA-256 differs from the manifest");
	(void)model_add_file(m, BUNDLE_DIR_CONFIG "etc/onboarding-agent/onboarding.config.yaml", xstrdup("a: 1\n"), 5,
	    BR_VERIFIED);
	(void)model_add_file(m, BUNDLE_PATH_RESOLV_CONF, xstrdup("nameserver 192.0.2.53\n"), 22, BR_VERIFIED);
	(void)model_add_file(m, BUNDLE_DIR_RESOLVER "nsswitch.conf", xstrdup("hosts: files dns\n"), 17, BR_VERIFIED);
	(void)model_add_file(m, BUNDLE_PATH_PROBES, xstrdup("{\"probes\": []}"), 14, BR_VERIFIED);
	return m;
}

static void
test_view(void **state)
{
	struct ruleset *rs = ruleset_new();
	struct model *m;
	struct analysis *a;
	struct report_view *v;
	unsigned counts[SEV_NONE] = { 0 };
	size_t i, n_ecs = 0;

	(void)state;
	lang_set(LANG_EN);
	assert_int_equal(rules_load_builtin(rs), 0);
	assert_int_equal(rules_load_buffer(rs, "mine.yaml", replacing, sizeof(replacing) - 1), 0);
	assert_int_equal(rules_finish(rs), 0);
	m = model_of_manifest(rs);
	a = evaluate(rs, m);
	v = report_view_new(a);

	/* The host summary. */
	assert_ptr_equal(v->a, a);
	assert_null(v->hostname);
	assert_string_equal(v->collected_at, "2026-11-26T07:23:04Z");
	assert_string_equal(v->collected_human, "2026-11-26T07:23:04Z");
	assert_string_equal(v->bundle_path, "some/where/bundle.tar.gz");
	assert_int_equal(v->agent, AGENT_UNKNOWN);
	assert_non_null(v->agent_state);
	for (i = 0; i < a->n_findings; i++)
		counts[a->findings[i].rule->severity]++;
	assert_memory_equal(v->counts, counts, sizeof(counts));
	assert_int_equal(v->n_new + v->n_persisting, 0);
	assert_false(v->baseline_later);

	/* Sources in manifest order; what was not collected: sources not ok (a source without status is not listed), then skips. */
	assert_int_equal(v->n_sources, 4);
	assert_string_equal(v->sources[2].name, "probes");
	assert_string_equal(v->sources[2].label, "error");
	assert_null(v->sources[3].status);
	assert_int_equal(v->n_gaps, 3);
	assert_int_equal(v->n_gap_sources, 2);
	assert_string_equal(v->gaps[0].source, "journal/onboarding-agent.service");
	assert_string_equal(v->gaps[0].status, "unavailable");
	assert_string_equal(v->gaps[0].detail, "no journal");
	assert_false(v->gaps[0].skipped);
	assert_string_equal(v->gaps[1].source, "probes");
	assert_string_equal(v->gaps[2].source, "/etc/onboarding-agent/key.pem");
	assert_string_equal(v->gaps[2].status, "skipped");
	assert_string_equal(v->gaps[2].detail, "a private key");
	assert_true(v->gaps[2].skipped);

	/* Entries with the integrity problem found while reading; redactions. */
	assert_int_equal(v->n_entries, 2);
	assert_null(v->entries[0].problem);
	assert_int_equal(v->entries[0].size, 12);
	assert_string_equal(v->entries[1].problem, "SHA-256 differs from the manifest");
	assert_int_equal(v->n_redactions, 1);
	assert_int_equal(v->redactions[0].count, 2);
	assert_int_equal(json_integer_value(json_object_get(v->redactions[0].rules, "token")), 2);

	/* The files the HTML shows: config/ files, resolv.conf apart from the other resolver files, the probes parsed once. */
	assert_int_equal(v->n_integrity, 1);
	assert_string_equal(v->integrity[0].path, "units/x.json");
	assert_null(v->tl);
	assert_null(v->agent_unit);
	assert_int_equal(v->n_config, 1);
	assert_string_equal(v->config[0]->data, "a: 1\n");
	assert_non_null(v->resolv_conf);
	assert_string_equal(v->resolv_conf->path, BUNDLE_PATH_RESOLV_CONF);
	assert_int_equal(v->n_resolver, 1);
	assert_string_equal(v->resolver[0]->path, BUNDLE_DIR_RESOLVER "nsswitch.conf");
	assert_true(json_is_array(json_object_get(v->probes, "probes")));
	assert_string_equal(v->probes_detail, "timed out");

	/* The rule mine.yaml replaced, split from "ID\tFILE". */
	assert_int_equal(v->n_replaced, 1);
	assert_string_equal(v->replaced[0].rule, "endpoint-dns-unresolvable");
	assert_string_equal(v->replaced[0].file, "mine.yaml");

	/* Not from ECS: no ECS state, and the ECS rules not evaluated are flagged (the text report folds them). */
	assert_int_equal(v->n_ecs, 0);
	assert_int_equal(v->n_ecs_en, 0);
	assert_true(a->n_not_eval > 0);
	for (i = 0; i < a->n_not_eval; i++) {
		const struct rule *r = a->not_eval[i].rule;

		if (v->not_eval_ecs[i])
			n_ecs++;
		/* every rule of ecs.yaml reads ECS documents; a rule that is one journal condition does not */
		if (strcmp(r->file, BUILTIN_ECS_RULES_NAME) == 0)
			assert_true(v->not_eval_ecs[i]);
		if (r->when->kind == COND_JOURNAL)
			assert_false(v->not_eval_ecs[i]);
	}
	assert_true(n_ecs > 0 && n_ecs < a->n_not_eval);
	assert_int_equal(n_ecs, v->n_not_eval_ecs);
	report_view_free(v);

	/* In Chinese the labels and the time are the language's; the JSON's values are not. */
	lang_set(LANG_ZH);
	v = report_view_new(a);
	assert_string_equal(v->gaps[0].status, "unavailable");
	assert_string_not_equal(v->gaps[0].label, "unavailable");
	assert_string_equal(v->gaps[0].label, source_status_label("unavailable"));
	assert_string_not_equal(v->gaps[2].label, "skipped");
	assert_string_equal(v->collected_human, "2026-11-26 07:23:04 UTC");
	report_view_free(v);
	lang_set(LANG_EN);

	report_view_free(NULL);
	analysis_free(a);
	model_free(m);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
