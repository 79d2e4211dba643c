/* fuzz_yaml_redactor.c: libFuzzer target for redact_yaml() and redact_json_config() on untrusted configs. */
#include <stdint.h>
#include <stdlib.h>

#include "redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct redactor *r;
	json_t *counts;
	char *out = NULL, *perr = NULL;
	size_t outlen = 0;

	if (len > (256 << 10))
		return 0;
	r = redactor_new();
	counts = json_object();
	if (redact_yaml(r, (const char *)data, len, &out, &outlen, counts, &perr) >= 0) {
		char *out2 = NULL, *perr2 = NULL;
		size_t outlen2 = 0;

		/* What it wrote is YAML it can read again. */
		if (!perr && redact_yaml(r, out, outlen, &out2, &outlen2, counts, &perr2) != 0)
			abort();
		free(out2);
		free(perr2);
	}
	free(out);
	free(perr);
	out = perr = NULL;
	(void)redact_json_config(r, (const char *)data, len, &out, &outlen, counts, &perr);
	free(out);
	free(perr);
	json_decref(counts);
	redactor_free(r);
	return 0;
}
