/* termtext.c: display width of UTF-8 text in a terminal, and word wrapping that keeps characters and styles whole. */
#include <string.h>

#include "escape.h"
#include "termtext.h"

struct width_range {
	uint32_t first, last;	/* inclusive */
};

#include "termwidth_table.h"

static bool
in_table(const struct width_range *t, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	if (n == 0 || cp < t[0].first || cp > t[n - 1].last)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > t[mid].last)
			lo = mid + 1;
		else if (cp < t[mid].first)
			hi = mid;
		else
			return true;
	}
	return false;
}

int
term_cpwidth(uint32_t cp)
{
	if (cp < 0x300)
		return cp == 0 ? 0 : 1;
	if (in_table(zero_width, sizeof(zero_width) / sizeof(zero_width[0]), cp))
		return 0;
	if (in_table(double_width, sizeof(double_width) / sizeof(double_width[0]), cp))
		return 2;
	return 1;
}

/* Length of the SGR sequence (ESC [ digits-and-semicolons m) at s, or 0. */
static size_t
sgr_len(const char *s, size_t len)
{
	size_t i;

	if (len < 3 || s[0] != '\x1b' || s[1] != '[')
		return 0;
	for (i = 2; i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';'); i++)
		;
	return i < len && s[i] == 'm' ? i + 1 : 0;
}

/* One unit of text at s: an SGR sequence (*w 0, *sgr true) or a character; returns its bytes. */
static size_t
next_unit(const char *s, size_t len, size_t *w, bool *sgr)
{
	uint32_t cp;
	size_t n = sgr_len(s, len);

	if (n > 0) {
		*w = 0;
		*sgr = true;
		return n;
	}
	*sgr = false;
	n = utf8_decode((const unsigned char *)s, len, &cp);
	if (n == 0) {
		*w = 1;
		return 1;
	}
	*w = (size_t)term_cpwidth(cp);
	return n;
}

size_t
term_width(const char *s, size_t len)
{
	size_t i = 0, w, cols = 0;
	bool sgr;

	while (i < len) {
		i += next_unit(s + i, len - i, &w, &sgr);
		cols += w;
	}
	return cols;
}

void
term_sanitize(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0, n;

	while (i < len) {
		if (s[i] == '\x1b' && (n = sgr_len(s + i, len - i)) > 0) {
			esc_term(out, s + start, i - start);
			buf_add(out, s + i, n);
			i = start = i + n;
		} else
			i++;
	}
	esc_term(out, s + start, len - start);
}

/* Closing punctuation that never starts a line (fullwidth and ASCII). */
static bool
no_line_start(uint32_t cp)
{
	switch (cp) {
	case 0x3001: case 0x3002: case 0xff0c: case 0xff0e: case 0xff09: case 0xff1a: case 0xff1b:
	case 0xff01: case 0xff1f: case 0x300d: case 0x300f: case 0x3011: case 0x3009: case 0x300b:
	case 0xff3d: case 0xff5d: case 0x30fc:
	case ')': case ']': case '}': case ',': case '.': case ';': case ':': case '!': case '?':
		return true;
	default:
		return false;
	}
}

/* Opening punctuation that never ends a line. */
static bool
no_line_end(uint32_t cp)
{
	switch (cp) {
	case 0xff08: case 0x300c: case 0x300e: case 0x3010: case 0x3008: case 0x300a: case 0xff3b:
	case 0xff5b: case '(': case '[': case '{':
		return true;
	default:
		return false;
	}
}

/*
 * The end of the word at s: the next space, or the next place where a line
 * may break without one: beside a wide (CJK) character, unless punctuation
 * forbids it (UAX #14, simplified: Chinese and Japanese have no spaces).
 */
static size_t
word_end(const char *s, size_t len)
{
	size_t i = 0, n, cw, prev_w = 0;
	uint32_t cp, prev = 0;
	bool sgr, have_prev = false;

	while (i < len && s[i] != ' ') {
		n = next_unit(s + i, len - i, &cw, &sgr);
		if (!sgr) {
			if (utf8_decode((const unsigned char *)s + i, len - i, &cp) == 0)
				cp = 0xfffd;
			if (have_prev && cw > 0 && (cw == 2 || prev_w == 2) && !no_line_start(cp) && !no_line_end(prev))
				return i;
			if (cw > 0) {
				prev = cp;
				prev_w = cw;
				have_prev = true;
			}
		}
		i += n;
	}
	return i;
}

/* The wrapper's state: where it is on the current line and which style is open. */
struct wrap {
	struct buf *out;
	struct buf style;	/* SGR sequences since the last reset (open at a break) */
	size_t	 width;		/* columns of a line */
	size_t	 hang;		/* indent of lines after the first */
	size_t	 col;		/* columns used on the current line, indent included */
	size_t	 lead;		/* the current line's indent */
};

static void
spaces(struct buf *out, size_t n)
{
	while (n-- > 0)
		buf_addc(out, ' ');
}

#define STYLE_MAX	64	/* bytes of open styles carried over a break (a report nests two) */

static void
track_style(struct wrap *w, const char *seq, size_t n)
{
	if (n == 3 || (n == 4 && seq[2] == '0'))	/* ESC[m, ESC[0m */
		buf_reset(&w->style);
	else {
		/* Bounded, so that no input makes every line repeat a growing prefix. */
		if (w->style.len + n > STYLE_MAX)
			buf_reset(&w->style);
		if (n <= STYLE_MAX)
			buf_add(&w->style, seq, n);
	}
}

static void
new_line(struct wrap *w)
{
	if (w->style.len > 0)
		buf_adds(w->out, "\x1b[0m");
	buf_addc(w->out, '\n');
	spaces(w->out, w->hang);
	if (w->style.len > 0)
		buf_add(w->out, w->style.data, w->style.len);
	w->col = w->lead = w->hang;
}

/* Appends a word (no spaces), breaking it between characters where it is wider than a line. */
static void
put_word(struct wrap *w, const char *s, size_t len, size_t cols)
{
	size_t i = 0, n, cw;
	bool sgr;

	if (w->col + cols <= w->width) {
		for (i = 0; i < len; i += n) {
			n = next_unit(s + i, len - i, &cw, &sgr);
			if (sgr)
				track_style(w, s + i, n);
		}
		buf_add(w->out, s, len);
		w->col += cols;
		return;
	}
	if (w->col > w->lead)
		new_line(w);
	for (i = 0; i < len; i += n) {
		n = next_unit(s + i, len - i, &cw, &sgr);
		if (sgr)
			track_style(w, s + i, n);
		else if (w->col + cw > w->width && w->col > w->lead)
			new_line(w);
		buf_add(w->out, s + i, n);
		w->col += cw;
	}
}

void
term_wrap(struct buf *out, const char *s, size_t len, size_t width, size_t indent, size_t hang)
{
	struct buf t = { 0 };
	struct wrap w = { .out = out, .hang = hang };
	size_t i = 0, nsp, start;
	bool started = false;

	term_sanitize(&t, s, len);
	w.width = width;
	if (w.width < indent + 2)
		w.width = indent + 2;
	if (w.width < hang + 2)
		w.width = hang + 2;
	while (i < t.len) {
		for (nsp = 0; i < t.len && t.data[i] == ' '; i++)
			nsp++;
		if (i >= t.len)
			break;
		start = i;
		i += word_end(t.data + i, t.len - i);
		size_t cols = term_width(t.data + start, i - start);

		if (!started) {
			spaces(out, indent);
			w.col = w.lead = indent;
			started = true;
		} else if (w.col + nsp + cols <= w.width) {
			spaces(out, nsp);
			w.col += nsp;
		} else if (cols > 0)
			new_line(&w);
		/* else only styles or zero-width marks: they stay on this line, the spaces dropped */
		put_word(&w, t.data + start, i - start, cols);
	}
	if (started)
		buf_addc(out, '\n');
	buf_free(&w.style);
	buf_free(&t);
}

bool
term_clip(struct buf *out, const char *s, size_t len, size_t cols)
{
	struct buf t = { 0 };
	size_t i, n, cw, col, total, head, tail, skip;
	bool sgr;

	term_sanitize(&t, s, len);
	total = term_width(t.data ? t.data : "", t.len);
	if (total <= cols) {
		buf_add(out, t.data ? t.data : "", t.len);
		buf_free(&t);
		return false;
	}
	/* The start and the end (where a chain of errors names its cause), "…" between. */
	head = cols > 1 ? (cols - 1) * 2 / 5 : 0;
	tail = cols > 1 ? cols - 1 - head : 0;
	for (i = 0, col = 0; i < t.len; i += n) {
		n = next_unit(t.data + i, t.len - i, &cw, &sgr);
		if (col + cw > head)
			break;
		buf_add(out, t.data + i, n);
		col += cw;
	}
	if (cols > 0)
		buf_adds(out, "\xe2\x80\xa6");
	/* Skip until what is left fits in tail columns. */
	for (skip = total - col; i < t.len && skip > tail; i += n) {
		n = next_unit(t.data + i, t.len - i, &cw, &sgr);
		skip -= cw;
	}
	buf_add(out, t.data + i, t.len - i);
	buf_free(&t);
	return true;
}
