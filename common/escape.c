/* escape.c: untrusted bytes made safe for terminals, HTML and markdown (pure functions). */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "escape.h"

/*
 * Decodes one UTF-8 sequence at s (len > 0).  Returns its length and the code
 * point in *cp, or 0 for an invalid, overlong, surrogate or truncated sequence.
 */
size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static bool
is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Kinds of the next character for the escapers. */
enum ch {
	CH_PLAIN,	/* copy the bytes */
	CH_LF,		/* a newline */
	CH_TAB,
	CH_VISIBLE,	/* show as an escape (controls, bidi) */
	CH_INVALID,	/* one invalid byte: U+FFFD */
};

static enum ch
next_char(const unsigned char *s, size_t len, size_t *n, uint32_t *cp)
{
	*n = utf8_decode(s, len, cp);
	if (*n == 0) {
		*n = 1;
		*cp = s[0];
		return CH_INVALID;
	}
	if (*cp == '\n')
		return CH_LF;
	if (*cp == '\t')
		return CH_TAB;
	if (*cp < 0x20 || *cp == 0x7f || (*cp >= 0x80 && *cp <= 0x9f) || is_bidi(*cp))
		return CH_VISIBLE;
	return CH_PLAIN;
}

static void
add_visible(struct buf *out, uint32_t cp)
{
	if (cp < 0x80)
		buf_printf(out, "\\x%02x", (unsigned)cp);
	else
		buf_printf(out, "\\u%04x", (unsigned)cp);
}

static const char replacement[] = "\xef\xbf\xbd";

void
esc_text(struct buf *out, const char *s, size_t len, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	buf_grow(out, len);
	while (i < len) {
		switch (next_char(p + i, len - i, &n, &cp)) {
		case CH_PLAIN:
		case CH_TAB:
			buf_add(out, p + i, n);
			break;
		case CH_LF:
			if (keep_newlines)
				buf_addc(out, '\n');
			else
				buf_adds(out, "\\n");
			break;
		case CH_VISIBLE:
			add_visible(out, cp);
			break;
		case CH_INVALID:
			buf_adds(out, replacement);
			break;
		}
		i += n;
	}
}

void
esc_term(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	buf_grow(out, len);
	while (i < len) {
		switch (next_char(p + i, len - i, &n, &cp)) {
		case CH_PLAIN:
			buf_add(out, p + i, n);
			break;
		case CH_TAB:
			buf_addc(out, ' ');
			break;
		case CH_LF:
			buf_adds(out, "\\n");
			break;
		case CH_VISIBLE:
			add_visible(out, cp);
			break;
		case CH_INVALID:
			buf_adds(out, replacement);
			break;
		}
		i += n;
	}
}

void
esc_html(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	buf_grow(out, len);
	while (i < len) {
		switch (next_char(p + i, len - i, &n, &cp)) {
		case CH_PLAIN:
			switch (cp) {
			case '&': buf_adds(out, "&amp;"); break;
			case '<': buf_adds(out, "&lt;"); break;
			case '>': buf_adds(out, "&gt;"); break;
			case '"': buf_adds(out, "&quot;"); break;
			case '\'': buf_adds(out, "&#39;"); break;
			default: buf_add(out, p + i, n); break;
			}
			break;
		case CH_TAB:
		case CH_LF:
			buf_addc(out, (char)cp);
			break;
		case CH_VISIBLE:
			add_visible(out, cp);
			break;
		case CH_INVALID:
			buf_adds(out, replacement);
			break;
		}
		i += n;
	}
}

/*
 * ASCII punctuation that markdown (CommonMark + GFM) reads as syntax anywhere in
 * a line: code spans, emphasis, strikethrough, links and images, autolinks and
 * HTML, entities, table pipes, escapes.  All may be backslash-escaped.
 */
static bool
md_special(uint32_t c)
{
	return c < 0x80 && c != 0 && strchr("\\`*_[]<>|&~", (int)c) != NULL;
}

/* Punctuation that is syntax only at the start of a line: headings, lists, quotes, setext. */
static bool
md_line_start(uint32_t c)
{
	return c < 0x80 && c != 0 && strchr("#+-=>:", (int)c) != NULL;
}

/* True when a colon after s[0..i) would end a dangerous URL scheme name. */
static bool
bad_scheme_before(const char *s, size_t i)
{
	static const char *const schemes[] = { "javascript", "vbscript", "data" };
	size_t k, n;

	for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
		n = strlen(schemes[k]);
		if (i >= n && strncasecmp(s + i - n, schemes[k], n) == 0)
			return true;
	}
	return false;
}

static void
md_inline(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, start = out->len;
	uint32_t cp;

	buf_grow(out, len);
	/* Leading blanks mean nothing inline, and would let "   # x" or "    x" start a block. */
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	while (i < len) {
		switch (next_char(p + i, len - i, &n, &cp)) {
		case CH_PLAIN:
			/*
			 * Judged on what was written, not on the input: a control byte
			 * written visibly ("d\x1d" + "ata:" gives "...\\x1data:") can
			 * complete a scheme name the input did not hold.
			 */
			if (cp == ':' && bad_scheme_before(out->data, out->len)) {
				buf_adds(out, "\\:");
			} else if (md_special(cp) || (out->len == start && md_line_start(cp))) {
				buf_addc(out, '\\');
				buf_addc(out, (char)cp);
			} else if ((cp == '.' || cp == ')') && out->len > start &&
			    strspn(out->data + start, "0123456789") == out->len - start) {
				/* "1." or "1)" at the start would begin an ordered list. */
				buf_addc(out, '\\');
				buf_addc(out, (char)cp);
			} else
				buf_add(out, p + i, n);
			break;
		case CH_TAB:
		case CH_LF:
			buf_addc(out, ' ');
			break;
		case CH_VISIBLE:
			/* "\x1b" reads as text in markdown; double the backslash to show it as is. */
			buf_addc(out, '\\');
			add_visible(out, cp);
			break;
		case CH_INVALID:
			buf_adds(out, replacement);
			break;
		}
		i += n;
	}
}

void
esc_md_inline(struct buf *out, const char *s, size_t len)
{
	md_inline(out, s, len);
}

void
esc_md_table(struct buf *out, const char *s, size_t len)
{
	md_inline(out, s, len);
}

size_t
md_fence_len(const char *s, size_t len)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '`') {
			if (++run > best)
				best = run;
		} else
			run = 0;
	}
	return best + 1 < 3 ? 3 : best + 1;
}

void
esc_md_fence(struct buf *out, const char *info, const char *s, size_t len)
{
	struct buf body = { 0 };
	size_t fence, k;

	/* Measure the escaped text: escaping adds no backticks, but measure what is written. */
	esc_text(&body, s, len, /* keep_newlines= */ true);
	fence = md_fence_len(body.data ? body.data : "", body.len);
	for (k = 0; k < fence; k++)
		buf_addc(out, '`');
	if (info != NULL)
		buf_adds(out, info);
	buf_addc(out, '\n');
	if (body.len > 0) {
		buf_add(out, body.data, body.len);
		if (body.data[body.len - 1] != '\n')
			buf_addc(out, '\n');
	}
	for (k = 0; k < fence; k++)
		buf_addc(out, '`');
	buf_addc(out, '\n');
	buf_free(&body);
}

bool
url_is_safe(const char *s, size_t len)
{
	size_t i, skip;

	if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (len >= 7 && strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	if (len == skip)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' ||
		    c == '\\' || c == '`')
			return false;
	}
	return true;
}
