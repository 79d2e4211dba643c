/* xalloc.h: allocation that cannot fail; running out of memory ends the program. */
#ifndef TRIAGE_XALLOC_H
#define TRIAGE_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
void *xmemdup(const void *, size_t);
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/* A growable byte buffer; data is always NUL-terminated.  Free with buf_free(). */
struct buf {
	char	*data;	/* contents, NUL-terminated, or NULL when empty */
	size_t	 len;	/* bytes used, not counting the NUL */
	size_t	 cap;	/* bytes allocated */
};

void buf_grow(struct buf *, size_t);
void buf_add(struct buf *, const void *, size_t);
void buf_adds(struct buf *, const char *);
void buf_addc(struct buf *, char);
void buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *);
void buf_free(struct buf *);
/* Hands out the data (never NULL) and resets the buffer. */
char *buf_steal(struct buf *, size_t *lenp);

#endif
