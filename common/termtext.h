/* termtext.h: text for a terminal: display widths (CJK double, marks zero) and word wrapping. */
#ifndef TRIAGE_TERMTEXT_H
#define TRIAGE_TERMTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xalloc.h"

/*
 * Columns a code point takes in a terminal: 0 for combining marks and format
 * characters, 2 for East Asian Wide and Fullwidth, 1 otherwise (the table of
 * termwidth_table.h, the same in every locale).  Controls never reach it:
 * text is escaped with esc_term() first.
 */
int term_cpwidth(uint32_t cp);

/*
 * Columns of text s: valid UTF-8 (esc_term output) in which the SGR sequences
 * the writer added (ESC [ digits and ';' m) take none.
 */
size_t term_width(const char *s, size_t len);

/*
 * Appends s with everything but SGR sequences (ESC [ digits and ';' m)
 * passed through esc_term(): what may reach a terminal from a report.
 */
void term_sanitize(struct buf *out, const char *s, size_t len);

/*
 * Appends s wrapped to width columns, each line ending in '\n': the first
 * line after indent spaces, the others after hang spaces.  Lines break at
 * spaces (a run of them at a break is dropped); a word longer than a whole
 * line is broken between characters, never inside one, nor inside an SGR
 * sequence.  A style (SGR) open at a break is closed before the newline and
 * opened again after the indent.  Empty s gives nothing.  s as for
 * term_width(); width is raised to indent + 2 (or hang + 2) when smaller.
 */
void term_wrap(struct buf *out, const char *s, size_t len, size_t width, size_t indent, size_t hang);

/*
 * Appends at most cols columns of s (as for term_width(), no SGR): all of it
 * when it fits, else its start (two fifths) and its end with "…" between;
 * never cuts inside a character.  Returns true when it cut.
 */
bool term_clip(struct buf *out, const char *s, size_t len, size_t cols);

#endif
