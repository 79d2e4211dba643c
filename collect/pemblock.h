/* pemblock.h: private-key blocks printed one line per log entry (see pemblock.c). */
#ifndef TRIAGE_PEMBLOCK_H
#define TRIAGE_PEMBLOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Lines after a BEGIN line that can still be body lines: the bound of a block with no END line. */
#define PEM_MAX_LINES	256

/* The state of one stream (a --log-file stream, a journal unit); zero it to start. */
struct pemblock {
	unsigned	 lines;		/* lines seen since the BEGIN line; 0: no block open */
	bool		 body_seen;	/* a base64 line came (armor headers come before it) */
};

/*
 * Feeds one line (or one entry's text, which may hold several lines) of the stream.
 * Returns true when the text is part of an open private-key block and must be
 * redacted: [*from, *to) is then the secret part (the whole text, or less when the
 * lines carry a prefix such as a timestamp, or the text holds the END line too).
 */
bool pemblock_line(struct pemblock *, const char *s, size_t len, size_t *from, size_t *to);

struct buf;
struct redactor;

/* out = s with [from, to) replaced by its marker (kind "private-key"). */
void pemblock_redact(struct redactor *, struct buf *out, const char *s, size_t len, size_t from, size_t to);

/* True when the text may open a block (it holds "-----BEGIN "): a cheap test. */
bool pemblock_maybe(const char *s, size_t len);

#endif
