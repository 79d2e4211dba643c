/* fuzz_rules_loader.c: libFuzzer target for the rules loader from memory (YAML, conditions, PCRE2, examples). */
#include <stdint.h>
#include <stdlib.h>

#include "analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ruleset *rs;
	unsigned n = 0;

	if (len > (128 << 10))
		return 0;
	rs = ruleset_new();
	if (rules_load_buffer(rs, "fuzz.yaml", (const char *)data, len) == 0 && rules_finish(rs) == 0)
		(void)rules_check_examples(rs, &n);
	ruleset_free(rs);
	return 0;
}
