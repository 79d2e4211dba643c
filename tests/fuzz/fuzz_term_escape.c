/* fuzz_term_escape.c: libFuzzer target for the terminal text of `-f text`: escaping, wrapping and clipping keep their promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "escape_check.h"
#include "termtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* The styles the text report writes (report-text.c); nothing else may carry an ESC. */
static const char *const styles[] = { "\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m",
	"\x1b[36m" };
#define N_STYLES (sizeof(styles) / sizeof(styles[0]))

/* s without its SGR sequences, each of which must be one of styles[]. */
static void
strip_styles(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, k;

	while (i < len) {
		if (s[i] != '\x1b') {
			buf_addc(out, s[i++]);
			continue;
		}
		for (k = 0; k < N_STYLES; k++)
			if (len - i >= strlen(styles[k]) && memcmp(s + i, styles[k], strlen(styles[k])) == 0)
				break;
		if (k == N_STYLES)
			broken("an ESC that is not one of the report's styles", s, len, i);
		i += strlen(styles[k]);
	}
}

/* s without blanks and newlines (what wrapping may add or drop). */
static void
words(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\n')
			buf_addc(out, s[i]);
}

/*
 * A wrapped paragraph: clean UTF-8 but for newlines (so no character is split),
 * every line ends in a newline, none is wider than width, the first starts with
 * indent blanks, and the words of the input are all there, in order.
 */
static void
check_wrapped(const char *o, size_t len, const char *in, size_t in_len, size_t width, size_t indent)
{
	struct buf bare = { 0 }, a = { 0 }, b = { 0 }, ib = { 0 };
	size_t line = 0;

	strip_styles(&bare, o, len);
	check_clean_utf8(bare.data ? bare.data : "", bare.len, "\n");
	if (len > 0 && o[len - 1] != '\n')
		broken("a last line without a newline", o, len, len);
	for (size_t i = 0; i < bare.len; i++)
		if (bare.data[i] == '\n') {
			if (term_width(bare.data + line, i - line) > width)
				broken("a line wider than the width", bare.data, bare.len, line);
			line = i + 1;
		}
	if (bare.len > 0 && (bare.len < indent || strspn(bare.data, " ") < indent))
		broken("a first line without its indent", bare.data, bare.len, 0);
	words(&a, bare.data ? bare.data : "", bare.len);
	strip_styles(&ib, in, in_len);
	words(&b, ib.data ? ib.data : "", ib.len);
	if (a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len) != 0))
		broken("words lost or changed by wrapping", o, len, 0);
	buf_free(&bare);
	buf_free(&a);
	buf_free(&b);
	buf_free(&ib);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf e = { 0 }, w = { 0 }, styled = { 0 }, c = { 0 };
	size_t width, indent, hang, cols, i, start;
	unsigned char p0;

	if (len < 2 || len > (16 << 10))
		return 0;
	p0 = data[0];
	width = 20 + p0 % 100;
	indent = data[1] % 8;
	hang = data[1] / 8 % 8;
	data += 2;
	len -= 2;

	/* Escaping: one line, no control at all (not even a tab), valid UTF-8, no bidi. */
	esc_term(&e, (const char *)data, len);
	check_clean_utf8(e.data ? e.data : "", e.len, "");

	/* Wrapping the escaped text. */
	term_wrap(&w, e.data ? e.data : "", e.len, width, indent, hang);
	check_wrapped(w.data ? w.data : "", w.len, e.data ? e.data : "", e.len, width, indent);
	buf_free(&w);

	/* Raw bytes given to the wrapper come out escaped all the same (but SGR, which it keeps). */
	term_wrap(&w, (const char *)data, len, width, indent, hang);
	for (i = 0; i < w.len; i++)
		if (w.data[i] == '\x1b' && (w.len - i < 3 || w.data[i + 1] != '['))
			broken("a raw ESC that starts no SGR", w.data, w.len, i);
	buf_free(&w);

	/* Styled text as the report builds it: escaped pieces (split at 0xfe) with styles between. */
	for (i = start = 0; i <= len; i++)
		if (i == len || data[i] == 0xfe) {
			esc_term(&styled, (const char *)data + start, i - start);
			if (i < len)
				buf_adds(&styled, styles[(i + data[i - (i > 0)]) % N_STYLES]);
			start = i + 1;
		}
	term_wrap(&w, styled.data ? styled.data : "", styled.len, width, indent, hang);
	check_wrapped(w.data ? w.data : "", w.len, styled.data ? styled.data : "", styled.len, width, indent);

	/* Clipping: never wider than asked, clean, and whole when it fits. */
	cols = 1 + width * (p0 % 4);
	if (term_clip(&c, e.data ? e.data : "", e.len, cols) != (term_width(e.data ? e.data : "", e.len) > cols))
		broken("term_clip cut what fitted, or kept what did not", c.data, c.len, 0);
	check_clean_utf8(c.data ? c.data : "", c.len, "");
	if (term_width(c.data ? c.data : "", c.len) > cols)
		broken("clipped text wider than asked", c.data, c.len, 0);

	buf_free(&e);
	buf_free(&w);
	buf_free(&styled);
	buf_free(&c);
	return 0;
}
