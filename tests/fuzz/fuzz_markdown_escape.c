/* fuzz_markdown_escape.c: libFuzzer target for the markdown escapers: no syntax forms, fences hold. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "escape_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/*
 * Inline text (escape.h): one line, no raw control, no leading blank; \ ` * _ [ ] < > | & ~ always
 * backslash-escaped; # + - = > : and "1." / "1)" escaped at the start; the
 * colon of javascript:, vbscript:, data: escaped.
 */
static void
check_inline(const char *o, size_t len)
{
	static const char *const schemes[] = { "javascript", "vbscript", "data" };
	size_t i, k, d;

	check_clean_utf8(o, len, "");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)o[i];

		if (c == '\\') {
			/* CommonMark escapes only ASCII punctuation; anything else shows the backslash. */
			if (i + 1 >= len || !ispunct((unsigned char)o[i + 1]))
				broken("a backslash that escapes nothing", o, len, i);
			i++;
			continue;
		}
		if (c < 0x80 && strchr("`*_[]<>|&~", c) != NULL)
			broken("an unescaped markdown special character", o, len, i);
		if (c == ':')
			for (k = 0; k < 3; k++) {
				size_t n = strlen(schemes[k]);
				if (i >= n && strncasecmp(o + i - n, schemes[k], n) == 0)
					broken("a bare dangerous URL scheme", o, len, i);
			}
	}
	/* The start: no blank (indentation), nothing that would begin a heading, list, quote, setext line. */
	if (len > 0 && (o[0] == ' ' || o[0] == '\t'))
		broken("a leading blank", o, len, 0);
	if (len > 0 && strchr("#+-=>:", o[0]) != NULL)
		broken("an unescaped line-start character", o, len, 0);
	for (d = 0; d < len && o[d] >= '0' && o[d] <= '9'; d++)
		;
	if (d > 0 && d < len && (o[d] == '.' || o[d] == ')'))
		broken("an ordered-list marker at the start", o, len, d);
}

/* A fenced block: fence line, body with no line that could close it, closing fence. */
static void
check_fence(const char *o, size_t len)
{
	size_t fence = 0, i, line, ticks;
	const char *end;

	check_clean_utf8(o, len, "\t\n");
	while (fence < len && o[fence] == '`')
		fence++;
	if (fence < 3)
		broken("a fence shorter than 3", o, len, 0);
	if (len < fence + 1 || o[len - 1] != '\n' || len < 2 * fence + 2 ||
	    memcmp(o + len - 1 - fence, o, fence) != 0 || o[len - 2 - fence] != '\n')
		broken("no closing fence at the end", o, len, len);
	end = memchr(o, '\n', len);
	for (line = (size_t)(end - o) + 1; line < len - 1 - fence; ) {
		const char *nl = memchr(o + line, '\n', len - line);
		size_t sp = 0;

		while (sp < 4 && o[line + sp] == ' ')
			sp++;
		for (ticks = 0, i = line + sp; i < len && o[i] == '`'; i++)
			ticks++;
		if (sp < 4 && ticks >= fence)
			broken("a body line that closes the fence", o, len, line);
		line = (size_t)(nl - o) + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *in = (const char *)data;
	struct buf b = { 0 };

	if (len > (64 << 10))
		return 0;
	esc_md_inline(&b, in, len);
	check_inline(b.data ? b.data : "", b.len);
	buf_free(&b);
	esc_md_table(&b, in, len);
	check_inline(b.data ? b.data : "", b.len);
	buf_free(&b);
	esc_md_fence(&b, "text", in, len);
	check_fence(b.data, b.len);
	buf_free(&b);
	if (md_fence_len(in, len) < 3)
		broken("md_fence_len under 3", in, len, 0);
	return 0;
}
