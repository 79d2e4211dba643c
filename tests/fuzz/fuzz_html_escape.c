/* fuzz_html_escape.c: libFuzzer target for esc_html() and esc_text(): the output keeps escape.h's promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "escape_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *in = (const char *)data;
	struct buf b = { 0 };
	size_t i;

	if (len > (64 << 10))
		return 0;

	esc_html(&b, in, len);
	check_clean_utf8(b.data ? b.data : "", b.len, "\t\n");
	for (i = 0; i < b.len; i++) {
		/* No markup character survives; '&' only starts one of the five entities. */
		if (strchr("<>\"'", b.data[i]) != NULL)
			broken("a raw HTML markup character", b.data, b.len, i);
		if (b.data[i] == '&' && strncmp(b.data + i, "&amp;", 5) != 0 &&
		    strncmp(b.data + i, "&lt;", 4) != 0 && strncmp(b.data + i, "&gt;", 4) != 0 &&
		    strncmp(b.data + i, "&quot;", 6) != 0 && strncmp(b.data + i, "&#39;", 5) != 0)
			broken("a raw '&'", b.data, b.len, i);
	}
	buf_free(&b);

	esc_text(&b, in, len, /* keep_newlines= */ true);
	check_clean_utf8(b.data ? b.data : "", b.len, "\t\n");
	buf_free(&b);
	esc_text(&b, in, len, /* keep_newlines= */ false);
	check_clean_utf8(b.data ? b.data : "", b.len, "\t");
	buf_free(&b);

	if (url_is_safe(in, len)) {
		if (strncasecmp(in, "http://", 7) != 0 && strncasecmp(in, "https://", 8) != 0)
			broken("a safe URL that is not http(s)", in, len, 0);
		for (i = 0; i < len; i++)
			if ((unsigned char)in[i] <= 0x20 || (unsigned char)in[i] >= 0x7f || in[i] == '"')
				broken("a safe URL with a space, control, quote or non-ASCII byte", in, len, i);
	}
	return 0;
}
