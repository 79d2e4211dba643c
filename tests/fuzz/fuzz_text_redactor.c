/* fuzz_text_redactor.c: libFuzzer target for the pattern redactor, the unit-file redactor and the leak scan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void
on_hit(unsigned line, const char *kind, void *userdata)
{
	(void)line;
	(void)kind;
	(*(unsigned *)userdata)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *in = (const char *)data;
	struct redactor *r;
	json_t *counts;
	char *out = NULL, *why = NULL;
	size_t outlen = 0;
	unsigned hits = 0;

	if (len > (256 << 10))
		return 0;
	r = redactor_new();
	counts = json_object();
	if (redact_text(r, in, len, &out, &outlen, counts) < 0)
		abort();
	/* The prefilter is sound: never false when redact_text() changes something. */
	if ((outlen != len || memcmp(out, in, len) != 0) && !redact_text_maybe(in, len))
		abort();
	(void)redact_verify(r, out, outlen, &why);
	free(why);
	free(out);
	out = NULL;
	if (redact_unit_file(r, in, len, &out, &outlen, counts) < 0)
		abort();
	free(out);
	(void)secret_scan(in, len, on_hit, &hits);
	(void)redact_key_is_secret(in, len);
	json_decref(counts);
	redactor_free(r);
	return 0;
}
