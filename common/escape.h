/* escape.h: making untrusted bytes safe for terminals, HTML and markdown. */
#ifndef TRIAGE_ESCAPE_H
#define TRIAGE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xalloc.h"

/*
 * Every function appends to out and never fails; input is any bytes (NULs,
 * invalid UTF-8 included).  Output is always valid UTF-8 in which:
 * - invalid UTF-8 bytes show as U+FFFD;
 * - C0 controls (but TAB, and LF where the function keeps lines), DEL and C1
 *   controls show as visible escapes such as "\x1b" or "\u009b", so ANSI CSI
 *   and OSC sequences lose their ESC and print as plain text;
 * - bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C)
 *   show as "\u202e" and cannot reorder what follows.
 */

/* Terminal-safe text; keeps LF when keep_newlines, else shows it as "\n". */
void esc_text(struct buf *out, const char *s, size_t len, bool keep_newlines);

/*
 * One line of text for a terminal report: esc_text without newlines ("\n"
 * shown), and a tab as one space, so the text has no control byte at all and
 * its display width is known (termtext.h).
 */
void esc_term(struct buf *out, const char *s, size_t len);

/* HTML text or attribute value (double-quoted): esc_text plus & < > " ' as entities. */
void esc_html(struct buf *out, const char *s, size_t len);

/*
 * Markdown inline text (a paragraph or a table cell): esc_text, leading blanks
 * dropped, newlines and tabs as spaces, and backslash escapes for the punctuation markdown or GFM
 * could read as syntax (\ ` * _ [ ] < > | & ~ anywhere; # + - = > : and
 * "1." at the start), so no emphasis, code span, link, autolink, HTML tag,
 * entity, table pipe, heading or list can form; the colon of "javascript:",
 * "vbscript:" and "data:" is escaped too.  Other text stays readable.
 */
void esc_md_inline(struct buf *out, const char *s, size_t len);

/* The same for a GFM table cell (pipes escaped, one line). */
void esc_md_table(struct buf *out, const char *s, size_t len);

/*
 * The length of a backtick fence that no backtick run in s can close:
 * one more than the longest run, at least 3.
 */
size_t md_fence_len(const char *s, size_t len);

/*
 * A fenced code block holding s as text (esc_text, lines kept): a fence of
 * md_fence_len() backticks, the info string (trusted, e.g. "text"), s, a
 * final newline, the fence.
 */
void esc_md_fence(struct buf *out, const char *info, const char *s, size_t len);

/*
 * Decodes one UTF-8 sequence at s (len > 0).  Returns its length and the code
 * point in *cp, or 0 for an invalid, overlong, surrogate or truncated sequence.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* True for an absolute http:// or https:// URL with no control or space bytes. */
bool url_is_safe(const char *s, size_t len);

#endif
