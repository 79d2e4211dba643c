/* gzip_reader.h: inflating a gzip stream of one or more members, by libdeflate a member at a time where it fits. */
#ifndef TRIAGE_GZIP_READER_H
#define TRIAGE_GZIP_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Most uncompressed bytes one gzr_read() returns (one member of gzip_writer.h's size). */
#define GZR_WINDOW	((size_t)1 << 20)

struct gzr;

/*
 * Reads the gzip stream in fd from offset 0 (pread; fd stays the caller's),
 * or in the buffer data[0..len) (which must outlive the reader).
 * Destroy with gzr_free().
 */
struct gzr *gzr_new_fd(int fd);
struct gzr *gzr_new_memory(const void *data, size_t len);

/* Frees the reader.  Accepts NULL. */
void gzr_free(struct gzr *);

/*
 * Inflates the next run of the stream, at most GZR_WINDOW bytes: returns how
 * many and points *out at them (valid until the next call), 0 at the end of
 * the last member, or a negative errno with gzr_error() saying why
 * ("truncated gzip stream", "corrupt gzip data ...", "not gzip ...").
 * Bytes after the last member that do not start another member end the
 * stream, as gzip and libarchive treat them.
 */
ssize_t gzr_read(struct gzr *, const void **out);

/* Compressed bytes consumed so far. */
uint64_t gzr_in(const struct gzr *);

/* Uncompressed bytes returned so far. */
uint64_t gzr_out(const struct gzr *);

/* Why the last gzr_read() failed, or NULL. */
const char *gzr_error(const struct gzr *);

#endif
