/* fuzz_bundle_reader.c: libFuzzer target for the bundle reader from memory: open, every entry read, missing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void
count_missing(const char *path, void *userdata)
{
	(void)path;
	(*(unsigned *)userdata)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char buf[16384];
	struct bundle_limits lim;
	struct bundle_reader *r = NULL;
	struct br_entry e;
	char *err = NULL;
	unsigned missing = 0;
	int n;

	if (len > (1 << 20))
		return 0;
	/* The defaults' shape, scaled down so that bombs and floods stay cheap. */
	bundle_limits_default(&lim);
	lim.max_entries = 256;
	lim.max_entry_size = 8 << 20;
	lim.max_total = 16 << 20;
	lim.max_manifest = 1 << 20;
	if (br_open_memory(&r, data, len, &lim, &err) < 0) {
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "refused: %s\n", err);
		free(err);
		return 0;
	}
	(void)br_manifest(r);
	(void)br_topdir(r);
	while ((n = br_next(r, &e)) > 0) {
		ssize_t k;

		/* Every other entry is skipped unread: the reader drains and hashes it. */
		if (e.is_dir || (e.size & 1))
			continue;
		while ((k = br_read(r, buf, sizeof(buf))) > 0)
			;
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "entry %s: %s\n", e.path,
			    k < 0 ? br_error(r) : br_verdict_name(br_verdict(r)));
		if (k < 0)
			break;
	}
	if (n == 0)
		br_missing(r, count_missing, &missing);
	else if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "refused: %s\n", br_error(r));
	br_free(r);
	return 0;
}
