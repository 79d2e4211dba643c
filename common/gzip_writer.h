/* gzip_writer.h: a gzip stream of independent members, compressed by libdeflate on worker threads. */
#ifndef TRIAGE_GZIP_WRITER_H
#define TRIAGE_GZIP_WRITER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Uncompressed bytes per gzip member at most.  Readers that inflate a member
 * whole into a window of this size (bundle_read.c) take the fast path.
 */
#define GZW_CHUNK	((size_t)1 << 20)

/*
 * libdeflate level: 6 keeps a collected journal at about 0.72 x the size of
 * `journalctl -o json | gzip -6` at ~230 MB/s per core (tests/bench/RESULTS.md).
 */
#define GZW_LEVEL	6

struct gzw;

/*
 * Starts a gzip stream written into fd from offset off on (pwrite; fd's own
 * offset is not used).  Each GZW_CHUNK bytes of input, and each run of input
 * ended by gzw_sync(), becomes one gzip member; members are compressed by
 * `threads` worker threads (0: in the calling thread) and written in order.
 * At most threads + 2 chunks are in memory.  Destroy with gzw_free().
 */
struct gzw *gzw_new(int fd, uint64_t off, unsigned threads, int level);

/* Stops the workers and frees the writer; data not yet synced is dropped.  Accepts NULL. */
void gzw_free(struct gzw *);

/*
 * Appends data to the stream.  Returns 0, or the negative errno of an
 * earlier write that failed (the error sticks until gzw_reset()).
 */
int gzw_write(struct gzw *, const void *data, size_t len);

/*
 * Ends the current member and waits until every member is in the file.
 * Returns 0 and sets *off (may be NULL) to the offset after the last member,
 * or the first error (negative errno) since the last reset.
 */
int gzw_sync(struct gzw *, uint64_t *off);

/*
 * After gzw_sync(): appends len bytes of srcfd from offset off verbatim
 * (gzip members compressed earlier).  Returns 0 or a negative errno.
 */
int gzw_copy(struct gzw *, int srcfd, uint64_t off, uint64_t len);

/*
 * After gzw_sync(): from now on fn sees every byte of input, in order, on
 * whichever thread writes its member (e.g. to hash the stream off the
 * caller's thread); everything it saw is seen when gzw_sync() returns.
 * fn == NULL stops it.
 */
void gzw_observe(struct gzw *, void (*fn)(const void *data, size_t len, void *userdata), void *userdata);

/*
 * After gzw_sync(): forgets any error and continues writing at off (the
 * caller cut the file there, e.g. to drop a failed entry).
 */
void gzw_reset(struct gzw *, uint64_t off);

/*
 * Compresses len bytes as the writer does (members of GZW_CHUNK at
 * GZW_LEVEL) and returns the compressed size.
 */
uint64_t gzw_compressed_size(const void *data, size_t len);

#endif
