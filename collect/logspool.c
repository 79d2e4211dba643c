/*
 * logspool.c: the --log-file spool: formatted entries kept gzip-compressed in
 * unlinked files in TMPDIR, in segments, two classes (warnings and worse; the
 * rest), each trimmed from its oldest segment so that it never holds much more
 * than could still be chosen for the bundle's budget.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "gzip_reader.h"
#include "gzip_writer.h"
#include "logfile.h"

#define SEG_MIN		(1024 * 1024)	/* uncompressed bytes of a segment at least */
#define SEG_START	(4 * 1024 * 1024)	/* before the budget is known */
#define SEG_PARTS	64		/* a class is trimmed in steps of 1/64 of what may be chosen */
#define SPOOL_LEVEL	1		/* libdeflate level: the spool is read once */
#define HDR		16		/* record header: seq u64, len u32, prio u8, flags u8, counts u16 */

/* One file of a class. */
struct seg {
	int		 fd;		/* unlinked temporary file, or -1 once trimmed */
	uint64_t	 bytes;		/* entry bytes (uncompressed, lines only) that still count */
	uint64_t	 other;		/* of those, other containers' */
	uint64_t	 lines;		/* entries */
	uint64_t	 disk;		/* compressed size once closed */
};

/* One class: warnings and worse, or the rest. */
struct pool {
	struct seg	*segs;		/* in input order */
	size_t		 n, cap;	/* segments; allocated */
	size_t		 first;		/* oldest segment not trimmed */
	struct gzw	*w;		/* writer of segs[n - 1], or NULL */
	uint64_t	 bytes;		/* bytes of the segments first..n-1 that count */
	uint64_t	 other;		/* of those, other containers' */
	/* reading */
	size_t		 rseg;		/* segment being read */
	struct gzr	*r;		/* its reader */
	struct buf	 rbuf;		/* inflated bytes not yet taken */
	size_t		 roff;		/* next record in rbuf */
	bool		 have;		/* the head record is parsed */
	uint64_t	 hseq;		/* its sequence number */
	uint64_t	 remaining;	/* bytes of this and later records that count */
	uint64_t	 cap_bytes;	/* bytes of this class that can be chosen */
};

struct spool {
	char		*dir;		/* TMPDIR */
	struct pool	 pool[2];	/* [0] warnings and worse, [1] the rest */
	uint64_t	 allowed;	/* bytes that can be chosen in all, 0 while unknown */
	uint64_t	 seg_bytes;	/* close a segment after this many bytes */
	uint64_t	 seq;		/* next record's number */
	uint64_t	 added, trimmed;	/* entries */
	bool		 drop_other;	/* other containers' entries are dead */
	uint64_t	 disk, disk_peak;	/* compressed bytes of closed segments alive, at most */
	int		 err;		/* first write error */
	struct buf	 rec;		/* record being written / returned */
};

static int
tmpfd(const char *dir)
{
	_cleanup_free_ char *tmpl = NULL;
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd : -errno;
	tmpl = xasprintf("%s/triage-spool.XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(tmpl);
	return fd;
}

int
spool_new(const char *dir, struct spool **ret)
{
	struct spool *sp;
	int fd;

	/* Check now that the folder takes a temporary file. */
	fd = tmpfd(dir);
	if (fd < 0)
		return fd;
	close(fd);
	sp = xcalloc(1, sizeof(*sp));
	sp->dir = xstrdup(dir);
	sp->seg_bytes = SEG_START;
	*ret = sp;
	return 0;
}

static void
pool_reader_close(struct pool *p)
{
	gzr_free(p->r);
	p->r = NULL;
	buf_reset(&p->rbuf);
	p->roff = 0;
	p->have = false;
}

void
spool_free(struct spool *sp)
{
	if (sp == NULL)
		return;
	for (int k = 0; k < 2; k++) {
		struct pool *p = &sp->pool[k];

		gzw_free(p->w);
		pool_reader_close(p);
		buf_free(&p->rbuf);
		for (size_t i = 0; i < p->n; i++)
			if (p->segs[i].fd >= 0)
				close(p->segs[i].fd);
		free(p->segs);
	}
	buf_free(&sp->rec);
	free(sp->dir);
	free(sp);
}

static int
seg_close(struct spool *sp, struct pool *p)
{
	uint64_t off = 0;
	int r;

	if (p->w == NULL)
		return 0;
	r = gzw_sync(p->w, &off);
	gzw_free(p->w);
	p->w = NULL;
	if (r < 0)
		return r;
	p->segs[p->n - 1].disk = off;
	sp->disk += off;
	if (sp->disk > sp->disk_peak)
		sp->disk_peak = sp->disk;
	return 0;
}

static void
seg_drop(struct spool *sp, struct pool *p, size_t i)
{
	struct seg *s = &p->segs[i];

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	sp->disk -= s->disk;
	p->bytes -= s->bytes;
	p->other -= s->other;
	sp->trimmed += s->lines;
}

/* What each class may keep: warnings up to allowed, the rest up to what the warnings leave. */
static void
caps(const struct spool *sp, uint64_t *cap0, uint64_t *cap1)
{
	uint64_t w = sp->pool[0].bytes < sp->allowed ? sp->pool[0].bytes : sp->allowed;

	*cap0 = sp->allowed;
	*cap1 = sp->allowed - w;
}

/*
 * Drops a class's oldest closed segments while the newer ones still hold all
 * it may keep.  The rest's share only shrinks as warnings come, so nothing
 * dropped could have been chosen later.
 */
static void
trim(struct spool *sp)
{
	uint64_t cap[2];

	if (sp->allowed == 0)
		return;
	caps(sp, &cap[0], &cap[1]);
	for (int k = 0; k < 2; k++) {
		struct pool *p = &sp->pool[k];

		while (p->first < p->n && (p->first < p->n - 1 || p->w == NULL) &&
		    p->bytes - p->segs[p->first].bytes >= cap[k]) {
			seg_drop(sp, p, p->first);
			p->first++;
		}
	}
}

void
spool_set_allowed(struct spool *sp, uint64_t allowed)
{
	sp->allowed = allowed ? allowed : 1;
	sp->seg_bytes = allowed / SEG_PARTS > SEG_MIN ? allowed / SEG_PARTS : SEG_MIN;
	trim(sp);
}

int
spool_add(struct spool *sp, const char *line, size_t len, uint8_t prio, unsigned flags,
    const char *counts, size_t counts_len)
{
	struct pool *p = &sp->pool[(flags & SPOOL_IMPORTANT) ? 0 : 1];
	struct seg *s;
	unsigned char hdr[HDR];
	uint64_t seq = sp->seq++;
	uint32_t l32 = (uint32_t)len;
	uint16_t c16;
	int r;

	if (sp->err)
		return sp->err;
	if (counts_len > UINT16_MAX)
		counts = NULL, counts_len = 0;
	if (counts)
		flags |= SPOOL_COUNTS;
	c16 = (uint16_t)counts_len;
	if (p->w && p->segs[p->n - 1].bytes >= sp->seg_bytes) {
		r = seg_close(sp, p);
		if (r < 0)
			return sp->err = r;
		trim(sp);
	}
	if (p->w == NULL) {
		int fd = tmpfd(sp->dir);

		if (fd < 0)
			return sp->err = fd;
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 16;
			p->segs = xreallocarray(p->segs, p->cap, sizeof(*p->segs));
		}
		p->segs[p->n++] = (struct seg){ .fd = fd };
		p->w = gzw_new(fd, 0, 1, SPOOL_LEVEL);
	}
	s = &p->segs[p->n - 1];
	memcpy(hdr, &seq, 8);
	memcpy(hdr + 8, &l32, 4);
	hdr[12] = prio;
	hdr[13] = (unsigned char)flags;
	memcpy(hdr + 14, &c16, 2);
	r = gzw_write(p->w, hdr, HDR);
	if (r >= 0)
		r = gzw_write(p->w, line, len);
	if (r >= 0 && counts_len)
		r = gzw_write(p->w, counts, counts_len);
	if (r < 0)
		return sp->err = r;
	s->bytes += len + 1;
	s->lines++;
	p->bytes += len + 1;
	if (flags & SPOOL_OTHER) {
		s->other += len + 1;
		p->other += len + 1;
	}
	sp->added++;
	trim(sp);
	return 0;
}

void
spool_drop_other(struct spool *sp)
{
	if (sp->drop_other)
		return;
	sp->drop_other = true;
	for (int k = 0; k < 2; k++) {
		struct pool *p = &sp->pool[k];

		for (size_t i = p->first; i < p->n; i++) {
			p->segs[i].bytes -= p->segs[i].other;
			p->segs[i].other = 0;
		}
		p->bytes -= p->other;
		p->other = 0;
	}
	trim(sp);
}

int
spool_finish(struct spool *sp)
{
	int first = sp->err;

	for (int k = 0; k < 2; k++) {
		struct pool *p = &sp->pool[k];
		int r;

		if (p->w == NULL)
			continue;
		r = seg_close(sp, p);
		if (r >= 0)
			continue;
		/* A segment that could not be written whole is dropped; the ones before it stay readable. */
		if (first == 0)
			first = r;
		seg_drop(sp, p, p->n - 1);
		p->n--;
	}
	sp->err = 0;
	return first;
}

int
spool_rewind(struct spool *sp)
{
	uint64_t cap[2];

	if (sp->err)
		return sp->err;
	if (sp->allowed)
		caps(sp, &cap[0], &cap[1]);
	else
		cap[0] = cap[1] = UINT64_MAX;
	for (int k = 0; k < 2; k++) {
		struct pool *p = &sp->pool[k];

		pool_reader_close(p);
		p->rseg = p->first;
		p->remaining = p->bytes;
		p->cap_bytes = cap[k];
	}
	return 0;
}

/* Parses the head record of a class (reading segments as needed).  1, 0 at its end, or -errno. */
static int
pool_head(struct spool *sp, struct pool *p)
{
	for (;;) {
		size_t avail = p->rbuf.len - p->roff;
		const void *out;
		ssize_t n;

		if (avail >= HDR) {
			const unsigned char *h = (const unsigned char *)p->rbuf.data + p->roff;
			uint32_t l32;
			uint16_t c16;

			memcpy(&l32, h + 8, 4);
			memcpy(&c16, h + 14, 2);
			if (avail >= HDR + (size_t)l32 + c16) {
				memcpy(&p->hseq, h, 8);
				p->have = true;
				return 1;
			}
		}
		if (p->r == NULL) {
			if (p->rseg >= p->n)
				return 0;
			p->r = gzr_new_fd(p->segs[p->rseg].fd);
		}
		n = gzr_read(p->r, &out);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			if (avail > 0)
				return -EBADMSG;	/* a record cut short */
			gzr_free(p->r);
			p->r = NULL;
			p->rseg++;
			continue;
		}
		if (p->roff > 0) {
			memmove(p->rbuf.data, p->rbuf.data + p->roff, avail);
			p->rbuf.len = avail;
			p->roff = 0;
		}
		buf_add(&p->rbuf, out, (size_t)n);
	}
	(void)sp;
}

int
spool_next(struct spool *sp, const char **line, size_t *len, uint8_t *prio, const char **counts,
    size_t *counts_len)
{
	for (;;) {
		struct pool *p = NULL;
		const unsigned char *h;
		uint32_t l32;
		uint16_t c16;
		unsigned flags;
		bool chosen;

		for (int k = 0; k < 2; k++) {
			struct pool *q = &sp->pool[k];

			if (!q->have) {
				int r = pool_head(sp, q);

				if (r < 0)
					return r;
			}
			if (q->have && (p == NULL || q->hseq < p->hseq))
				p = q;
		}
		if (p == NULL)
			return 0;
		h = (const unsigned char *)p->rbuf.data + p->roff;
		memcpy(&l32, h + 8, 4);
		memcpy(&c16, h + 14, 2);
		flags = h[13];
		p->have = false;
		p->roff += HDR + l32 + c16;
		if ((flags & SPOOL_OTHER) && sp->drop_other)
			continue;
		/* Chosen: the newest entries of the class that fit its share. */
		chosen = p->remaining <= p->cap_bytes;
		p->remaining -= l32 + 1;
		if (!chosen)
			continue;
		*line = (const char *)h + HDR;
		*len = l32;
		*prio = h[12];
		*counts = c16 ? (const char *)h + HDR + l32 : NULL;
		*counts_len = c16;
		return 1;
	}
}

void
spool_counts(const struct spool *sp, uint64_t *added, uint64_t *trimmed)
{
	*added = sp->added;
	*trimmed = sp->trimmed;
}

void
spool_disk(const struct spool *sp, uint64_t *now, uint64_t *peak)
{
	*now = sp->disk;
	*peak = sp->disk_peak;
}
