/* fuzz_journal_line.c: libFuzzer target for journal lines: scan, parse, the prefilter's soundness, streaming. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static struct ruleset *rs;

/* The shipped rules: their journal conditions are the prefilters checked below. */
static void
load_rules(void)
{
	rs = ruleset_new();
	if (rules_load_buffer(rs, BUILTIN_RULES_NAME, triage_builtin_rules, strlen(triage_builtin_rules)) < 0 ||
	    rules_finish(rs) < 0) {
		fprintf(stderr, "fuzz_journal_line: the built-in rules do not load\n");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *line = (const char *)data;
	struct jl_scan s;
	struct jl_entry e = { 0 };
	struct model *m;
	struct journal_file *jf;
	struct journal_run *run;
	size_t i, step;

	if (len > (256 << 10))
		return 0;
	if (rs == NULL)
		load_rules();

	/*
	 * One line: the raw scan may rule a condition out only when the parsed
	 * entry could not match it (journal_may_match() is sound).  The match
	 * below is the engine's own (journal.c: priority range, then the regex).
	 */
	journal_scan_line(line, len, &s);
	if (memchr(line, '\n', len) == NULL && journal_parse_line(line, len, &e) == 0 && e.has_msg) {
		for (i = 0; i < rs->n_jconds; i++) {
			const struct cond_journal *c = rs->jconds[i];

			if ((c->prio_min != 0 || c->prio_max != 7) &&
			    (e.priority < c->prio_min || e.priority > c->prio_max))
				continue;
			if (regex_match(rs, &c->re, e.msg.data, e.msg.len) == 1 && !journal_may_match(c, &s)) {
				fprintf(stderr, "prefilter unsound: condition %zu (%s) matches the parsed "
				    "MESSAGE but the raw scan ruled it out\n", i, c->re.src);
				abort();
			}
		}
	}
	/*
	 * The fast decode of a scanned line (plain strings without jansson) gives
	 * the bytes jansson gives for the whole line.
	 */
	if (memchr(line, '\n', len) == NULL && s.understood && journal_parse_line(line, len, &e) == 0) {
		struct jl_entry f = { 0 };

		if (journal_parse_scanned(&s, &f) == 0 && e.has_msg &&
		    (!f.has_msg || f.msg.data == NULL || f.msg.len != e.msg.len ||
		    (e.msg.len > 0 && memcmp(f.msg.data, e.msg.data, e.msg.len) != 0))) {
			fprintf(stderr, "journal_parse_scanned decodes MESSAGE unlike jansson\n");
			abort();
		}
		jl_entry_free(&f);
	}
	jl_entry_free(&e);

	/* The input as a whole journal file, fed in small chunks: lines split anywhere. */
	m = model_new(rs, "fuzz.tar.gz");
	jf = model_add_journal(m, "journal/" AGENT_UNIT ".jsonl");
	run = journal_run_new(m, jf);
	step = len ? 1 + data[0] % 61 : 1;
	for (i = 0; i < len; i += step)
		journal_run_feed(run, line + i, len - i < step ? len - i : step);
	journal_run_end(run);
	journal_run_free(run);
	model_free(m);
	return 0;
}
