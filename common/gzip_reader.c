/* gzip_reader.c: multi-member gzip input: libdeflate inflates a whole member at once when it fits the window, zlib streams the rest. */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "gzip_reader.h"
#include "xalloc.h"

/*
 * File input is read into IN_CAP bytes; a member is tried with libdeflate
 * only with at least IN_LOW bytes (or the rest of the file) in hand, so that
 * a member of GZR_WINDOW bytes that did not compress (stored blocks: 5 bytes
 * more per 64 KiB, plus header and trailer) still fits whole.
 */
#define IN_LOW		(GZR_WINDOW + 64 * 1024)
#define IN_CAP		(2 * GZR_WINDOW)

struct gzr {
	int	 fd;			/* file input, or -1 */
	uint64_t file_off;		/* file input: where the next read starts */
	const unsigned char *in;	/* compressed bytes in hand: the buffer, or inbuf */
	size_t	 in_pos, in_end;	/* unconsumed: in[in_pos..in_end) */
	unsigned char *inbuf;		/* file input: IN_CAP bytes */
	bool	 eof;			/* no more input beyond in_end */
	unsigned char *out;		/* GZR_WINDOW bytes */
	struct libdeflate_decompressor *ld;
	z_stream z;			/* a member too large for libdeflate's window */
	bool	 z_init;		/* z is initialised */
	bool	 in_member;		/* z is inside a member */
	uint64_t members;		/* members finished */
	uint64_t n_in, n_out;		/* compressed bytes consumed, uncompressed returned */
	bool	 done;			/* the end of the stream was reached */
	int	 broken;		/* an error once seen sticks (negative errno) */
	char	*err;
};

static struct gzr *
gzr_alloc(void)
{
	struct gzr *g = xcalloc(1, sizeof(*g));

	g->fd = -1;
	g->out = xmalloc(GZR_WINDOW);
	g->ld = libdeflate_alloc_decompressor();
	if (g->ld == NULL)
		errx(1, "out of memory");	/* as the x* allocators do */
	return g;
}

struct gzr *
gzr_new_fd(int fd)
{
	struct gzr *g = gzr_alloc();

	g->fd = fd;
	g->inbuf = xmalloc(IN_CAP);
	g->in = g->inbuf;
	return g;
}

struct gzr *
gzr_new_memory(const void *data, size_t len)
{
	struct gzr *g = gzr_alloc();

	g->in = data;
	g->in_end = len;
	g->eof = true;
	return g;
}

void
gzr_free(struct gzr *g)
{
	if (g == NULL)
		return;
	if (g->z_init)
		inflateEnd(&g->z);
	libdeflate_free_decompressor(g->ld);
	free(g->inbuf);
	free(g->out);
	free(g->err);
	free(g);
}

uint64_t
gzr_in(const struct gzr *g)
{
	return g->n_in;
}

uint64_t
gzr_out(const struct gzr *g)
{
	return g->n_out;
}

const char *
gzr_error(const struct gzr *g)
{
	return g->err;
}

static int
fail(struct gzr *g, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct gzr *g, int e, const char *fmt, ...)
{
	va_list ap;

	free(g->err);
	va_start(ap, fmt);
	g->err = xvasprintf(fmt, ap);
	va_end(ap);
	g->broken = e;
	return e;
}

/* File input: tops the buffer up to IN_CAP once fewer than want bytes are in hand. */
static int
fill(struct gzr *g, size_t want)
{
	size_t have = g->in_end - g->in_pos;

	if (g->eof || have >= want)
		return 0;
	memmove(g->inbuf, g->inbuf + g->in_pos, have);
	g->in_pos = 0;
	g->in_end = have;
	while (g->in_end < IN_CAP) {
		ssize_t n = pread(g->fd, g->inbuf + g->in_end, IN_CAP - g->in_end, (off_t)g->file_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(g, -errno, "cannot read: %s", strerror(errno));
		if (n == 0) {
			g->eof = true;
			break;
		}
		g->in_end += (size_t)n;
		g->file_off += (uint64_t)n;
	}
	return 0;
}

static void
consume(struct gzr *g, size_t n)
{
	g->in_pos += n;
	g->n_in += n;
}

/* Inflates the current member with zlib, at most a window.  Returns bytes (> 0), 0 at the member's end, or an error. */
static ssize_t
zlib_step(struct gzr *g)
{
	for (;;) {
		size_t avail = g->in_end - g->in_pos, produced;
		int ret, e;

		g->z.next_in = (unsigned char *)(g->in + g->in_pos);
		g->z.avail_in = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
		g->z.next_out = g->out;
		g->z.avail_out = (uInt)GZR_WINDOW;
		ret = inflate(&g->z, Z_NO_FLUSH);
		consume(g, avail > UINT32_MAX ? UINT32_MAX - g->z.avail_in : avail - g->z.avail_in);
		produced = GZR_WINDOW - g->z.avail_out;
		switch (ret) {
		case Z_STREAM_END:
			g->in_member = false;
			g->members++;
			return (ssize_t)produced;
		case Z_OK:
		case Z_BUF_ERROR:
			if (produced > 0)
				return (ssize_t)produced;
			if (g->in_pos < g->in_end)
				continue;
			if (g->fd >= 0 && (e = fill(g, IN_CAP)) < 0)
				return e;
			if (g->in_pos == g->in_end)
				return fail(g, -EIO, "truncated gzip stream");
			continue;
		case Z_MEM_ERROR:
			return fail(g, -ENOMEM, "out of memory inflating");
		default:
			return fail(g, -EIO, "corrupt gzip data after %llu compressed bytes (%s)",
			    (unsigned long long)g->n_in, g->z.msg ? g->z.msg : "invalid deflate data");
		}
	}
}

ssize_t
gzr_read(struct gzr *g, const void **out)
{
	*out = g->out;
	if (g->broken)
		return g->broken;
	while (!g->done) {
		size_t avail, ain = 0, aout = 0;
		ssize_t n;
		int e;

		if (g->in_member) {
			n = zlib_step(g);
			if (n > 0)
				g->n_out += (uint64_t)n;
			if (n != 0)
				return n;
			continue;
		}
		/* at a member boundary */
		if (g->fd >= 0 && (e = fill(g, IN_LOW)) < 0)
			return e;
		avail = g->in_end - g->in_pos;
		if (avail < 2 || g->in[g->in_pos] != 0x1f || g->in[g->in_pos + 1] != 0x8b) {
			if (g->members == 0)
				return fail(g, -EINVAL, avail == 0 ? "empty file" :
				    "not gzip: no gzip signature at the start");
			/* what follows the last member is not another one: the stream ends */
			g->done = true;
			break;
		}
		if (libdeflate_gzip_decompress_ex(g->ld, g->in + g->in_pos, avail, g->out, GZR_WINDOW,
		    &ain, &aout) == LIBDEFLATE_SUCCESS) {
			consume(g, ain);
			g->members++;
			if (aout == 0)
				continue;
			g->n_out += aout;
			return (ssize_t)aout;
		}
		/* larger than the window, cut short, or corrupt: zlib streams it and says which */
		if (!g->z_init) {
			if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
				return fail(g, -ENOMEM, "out of memory inflating");
			g->z_init = true;
		} else
			inflateReset(&g->z);
		g->in_member = true;
		n = zlib_step(g);
		if (n > 0) {
			g->n_out += (uint64_t)n;
			return n;
		}
		if (n < 0)
			return n;
	}
	return 0;
}
