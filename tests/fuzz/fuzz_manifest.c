/* fuzz_manifest.c: libFuzzer target for manifest_parse() on untrusted bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct bundle_limits lim;
	json_t *m = NULL;
	char *err = NULL;

	if (len > 1 << 20)
		return 0;
	bundle_limits_default(&lim);
	if (manifest_parse(data, len, &lim, &m, &err) >= 0)
		json_decref(m);
	free(err);
	return 0;
}
