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

#define SEG_MIN		(64 * 1024)	/* uncompressed bytes of a segment at least */
#define SEG_START	(1024 * 1024)	/* before the budget is known */
#define SEG_PARTS	128		/* a class is trimmed in steps of 1/64 of what may be chosen */
#define SPOOL_LEVEL	6		/* libdeflate level: as the bundle, so the spool stays about its size */
#define HDR_MAX		12		/* record header: varint seq delta, prio | flags << 4 */
/*
 * A record: the header, the entry's line and '\n', then with SPOOL_COUNTS its
 * redaction counts (compact JSON) and '\n'.  Neither holds a raw newline
 * (journal_value() escapes them), so no lengths are stored: they would cost
 * more room, compressed, than the bytes they save to scan.
 */

/* One file of a class. */
struct seg {
	int		 fd;		/* unlinked temporary file, or -1 once trimmed */
	uint64_t	 bytes;		/* entry bytes (uncompressed, lines only) that still count */
	uint64_t	 other;		/* of those, other containers' */
	uint64_t	 lines;		/* entries */
	uint64_t	 count;		/* of those, the ones that still count */
	uint64_t	 other_count;	/* of those, other containers' */
	uint64_t	 disk;		/* compressed size once closed */
	uint64_t	 raw;		/* entry bytes written (whatever counts later) */
	uint64_t	 first_seq;	/* sequence number the first record's delta counts from */
	uint64_t	 last_seq;	/* of the last record written */
};

/* One class: warnings and worse, or the rest. */
struct pool {
	struct seg	*segs;		/* in input order */
	size_t		 n, cap;	/* segments; allocated */
	size_t		 first;		/* oldest segment not trimmed */
	struct gzw	*w;		/* writer of segs[n - 1], or NULL */
	uint64_t	 bytes;		/* bytes of the segments first..n-1 that count */
	uint64_t	 other;		/* of those, other containers' */
	uint64_t	 count;		/* entries of the segments first..n-1 that count */
	uint64_t	 other_count;	/* of those, other containers' */
	/* reading */
	size_t		 rseg;		/* segment being read */
	struct gzr	*r;		/* its reader */
	struct buf	 rbuf;		/* inflated bytes not yet taken */
	size_t		 roff;		/* next record in rbuf */
	bool		 have;		/* the head record is parsed */
	uint64_t	 hseq;		/* its sequence number */
	uint64_t	 rlast;		/* sequence number of the record before it */
	size_t		 hhdr, hlen, hclen;	/* its header length, line length, counts length */
	size_t		 hrec;		/* the whole record's length */
	unsigned	 hpf;		/* its prio | flags << 4 */
	uint64_t	 remaining;	/* bytes of this and later records that count */
	uint64_t	 remaining_n;	/* entries of this and later records that count */
	uint64_t	 cap_bytes;	/* bytes of this class that can be chosen */
	uint64_t	 cap_n;		/* entries of this class that can be chosen */
};

struct spool {
	char		*dir;		/* TMPDIR */
	struct pool	 pool[2];	/* [0] warnings and worse, [1] the rest */
	uint64_t	 allowed;	/* bytes that can be chosen in all, 0 while unknown */
	double		 limit;		/* compressed bytes the entries may take (0: not set) */
	uint64_t	 live_raw;	/* entry bytes written to the closed segments not trimmed */
	uint64_t	 seg_bytes;	/* close a segment after this many bytes */
	uint64_t	 seq;		/* next record's number */
	uint64_t	 added, trimmed;	/* entries */
	uint64_t	 lost;		/* entries of segments that could not be written */
	bool		 drop_other;	/* other containers' entries are dead */
	uint64_t	 disk, disk_peak;	/* compressed bytes of closed segments alive, at most */
	int		 err;		/* first write error */
	struct buf	 rec;		/* record being written / returned */
};

static size_t
put_varint(unsigned char *b, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (unsigned char)v;
	return n;
}

/* Reads a varint from b[0..len): bytes used, or 0 when b holds no whole one. */
static size_t
get_varint(const unsigned char *b, size_t len, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < len && i < 10; i++) {
		*v |= (uint64_t)(b[i] & 0x7f) << (7 * i);
		if (!(b[i] & 0x80))
			return i + 1;
	}
	return 0;
}

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

static void
seg_drop(struct spool *sp, struct pool *p, size_t i)
{
	struct seg *s = &p->segs[i];

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	sp->disk -= s->disk;
	if (s->disk)
		sp->live_raw -= s->raw;
	p->bytes -= s->bytes;
	p->other -= s->other;
	p->count -= s->count;
	p->other_count -= s->other_count;
	sp->trimmed += s->lines;
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
	if (r < 0) {
		/* A segment that could not be written whole is dropped; the ones before it stay readable. */
		seg_drop(sp, p, p->n - 1);
		sp->trimmed -= p->segs[p->n - 1].lines;
		sp->lost += p->segs[p->n - 1].lines;
		p->n--;
		return r;
	}
	p->segs[p->n - 1].disk = off;
	sp->disk += off;
	sp->live_raw += p->segs[p->n - 1].raw;
	/*
	 * How the entries kept compress in the spool (records and all; warnings and
	 * the rest differ) refines the first estimate, so the spool's files stay
	 * within the limit.  allowed only shrinks: what was trimmed cannot come back.
	 */
	if (sp->limit > 0 && sp->allowed > 0 && sp->live_raw >= 4 * SEG_MIN) {
		double a = sp->limit * (double)sp->live_raw / (double)sp->disk;

		if (a >= 1 && (uint64_t)a < sp->allowed)
			sp->allowed = (uint64_t)a;
	}
	if (sp->disk > sp->disk_peak)
		sp->disk_peak = sp->disk;
	return 0;
}


/*
 * What each class may keep, in bytes and in entries: warnings up to allowed
 * (SPOOL_MAX_CHOSEN), the rest up to what the warnings leave.
 */
static void
caps(const struct spool *sp, uint64_t cap[2], uint64_t capn[2])
{
	uint64_t w = sp->pool[0].bytes < sp->allowed ? sp->pool[0].bytes : sp->allowed;
	uint64_t wn = sp->pool[0].count < SPOOL_MAX_CHOSEN ? sp->pool[0].count : SPOOL_MAX_CHOSEN;

	cap[0] = sp->allowed;
	cap[1] = sp->allowed - w;
	capn[0] = SPOOL_MAX_CHOSEN;
	capn[1] = SPOOL_MAX_CHOSEN - wn;
}

/*
 * Drops a class's oldest closed segments while the newer ones still hold all
 * it may keep.  The rest's share only shrinks as warnings come, so nothing
 * dropped could have been chosen later.
 */
static void
trim(struct spool *sp)
{
	uint64_t cap[2], capn[2];

	if (sp->allowed == 0)
		return;
	caps(sp, cap, capn);
	for (int k = 0; k < 2; k++) {
		struct pool *p = &sp->pool[k];

		/* The chosen are the newest that fit both caps: the newer segments cover one of them. */
		while (p->first < p->n && (p->first < p->n - 1 || p->w == NULL) &&
		    (p->bytes - p->segs[p->first].bytes >= cap[k] ||
		    p->count - p->segs[p->first].count >= capn[k])) {
			seg_drop(sp, p, p->first);
			p->first++;
		}
	}
}

void
spool_set_allowed(struct spool *sp, uint64_t allowed, double limit)
{
	sp->allowed = allowed ? allowed : 1;
	sp->limit = limit;
	sp->seg_bytes = allowed / SEG_PARTS > SEG_MIN ? allowed / SEG_PARTS : SEG_MIN;
	trim(sp);
}

int
spool_add(struct spool *sp, const char *line, size_t len, uint8_t prio, unsigned flags,
    const char *counts, size_t counts_len)
{
	struct pool *p = &sp->pool[(flags & SPOOL_IMPORTANT) ? 0 : 1];
	struct seg *s;
	unsigned char hdr[HDR_MAX];
	uint64_t seq = sp->seq++;
	size_t hl;
	int r;

	if (sp->err)
		return sp->err;
	if (counts == NULL)
		counts_len = 0;
	if (memchr(line, '\n', len) || (counts_len && memchr(counts, '\n', counts_len)))
		return -EINVAL;	/* records end at a newline */
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
	if (s->lines == 0)
		s->first_seq = s->last_seq = seq;
	hl = put_varint(hdr, seq - s->last_seq);
	s->last_seq = seq;
	if (counts_len)
		flags |= SPOOL_COUNTS;
	hdr[hl++] = (unsigned char)(prio | (flags << 4));
	r = gzw_write(p->w, hdr, hl);
	if (r >= 0)
		r = gzw_write(p->w, line, len);
	if (r >= 0)
		r = gzw_write(p->w, "\n", 1);
	if (r >= 0 && counts_len)
		r = gzw_write(p->w, counts, counts_len);
	if (r >= 0 && counts_len)
		r = gzw_write(p->w, "\n", 1);
	if (r < 0)
		return sp->err = r;
	s->bytes += len + 1;
	s->raw += len + 1;
	s->lines++;
	s->count++;
	p->bytes += len + 1;
	p->count++;
	if (flags & SPOOL_OTHER) {
		s->other += len + 1;
		p->other += len + 1;
		s->other_count++;
		p->other_count++;
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
			p->segs[i].count -= p->segs[i].other_count;
			p->segs[i].other_count = 0;
		}
		p->bytes -= p->other;
		p->other = 0;
		p->count -= p->other_count;
		p->other_count = 0;
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
		if (r < 0 && first == 0)
			first = r;
	}
	sp->err = 0;
	return first;
}

int
spool_rewind(struct spool *sp)
{
	uint64_t cap[2], capn[2];

	if (sp->err)
		return sp->err;
	caps(sp, cap, capn);
	if (sp->allowed == 0)
		cap[0] = cap[1] = UINT64_MAX;
	for (int k = 0; k < 2; k++) {
		struct pool *p = &sp->pool[k];

		pool_reader_close(p);
		p->rseg = p->first;
		p->remaining = p->bytes;
		p->remaining_n = p->count;
		p->cap_bytes = cap[k];
		p->cap_n = capn[k];
	}
	return 0;
}

/* Parses the head record of a class (reading segments as needed).  1, 0 at its end, or -errno. */
static int
pool_head(struct pool *p)
{
	for (;;) {
		size_t avail = p->rbuf.len - p->roff;
		const void *out;
		ssize_t n;

		if (avail > 0) {
			const unsigned char *h = (const unsigned char *)p->rbuf.data + p->roff, *e = h + avail;
			const unsigned char *nl1 = NULL, *nl2 = NULL;
			uint64_t d;
			size_t a1 = get_varint(h, avail, &d);

			if (a1 && a1 < avail)
				nl1 = memchr(h + a1 + 1, '\n', (size_t)(e - (h + a1 + 1)));
			if (nl1 && ((h[a1] >> 4) & SPOOL_COUNTS))
				nl2 = memchr(nl1 + 1, '\n', (size_t)(e - (nl1 + 1)));
			if (nl1 && (nl2 || !((h[a1] >> 4) & SPOOL_COUNTS))) {
				p->hhdr = a1 + 1;
				p->hpf = h[a1];
				p->hlen = (size_t)(nl1 - (h + a1 + 1));
				p->hclen = nl2 ? (size_t)(nl2 - (nl1 + 1)) : 0;
				p->hrec = (size_t)((nl2 ? nl2 : nl1) + 1 - h);
				p->hseq = p->rlast + d;
				p->rlast = p->hseq;
				p->have = true;
				return 1;
			}
		}
		if (p->r == NULL) {
			if (p->rseg >= p->n)
				return 0;
			p->r = gzr_new_fd(p->segs[p->rseg].fd);
			p->rlast = p->segs[p->rseg].first_seq;
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
}

int
spool_next(struct spool *sp, const char **line, size_t *len, uint8_t *prio, const char **counts,
    size_t *counts_len)
{
	for (;;) {
		struct pool *p = NULL;
		const unsigned char *h;
		unsigned flags;
		bool chosen;

		for (int k = 0; k < 2; k++) {
			struct pool *q = &sp->pool[k];

			if (!q->have) {
				int r = pool_head(q);

				if (r < 0)
					return r;
			}
			if (q->have && (p == NULL || q->hseq < p->hseq))
				p = q;
		}
		if (p == NULL)
			return 0;
		h = (const unsigned char *)p->rbuf.data + p->roff + p->hhdr;
		flags = p->hpf >> 4;
		p->have = false;
		p->roff += p->hrec;
		if ((flags & SPOOL_OTHER) && sp->drop_other)
			continue;
		/* Chosen: the newest entries of the class that fit its share. */
		chosen = p->remaining <= p->cap_bytes && p->remaining_n <= p->cap_n;
		p->remaining -= p->hlen + 1;
		p->remaining_n--;
		if (!chosen)
			continue;
		*line = (const char *)h;
		*len = p->hlen;
		*prio = (uint8_t)(p->hpf & 15);
		*counts = p->hclen ? (const char *)h + p->hlen + 1 : NULL;
		*counts_len = p->hclen;
		return 1;
	}
}

void
spool_counts(const struct spool *sp, uint64_t *added, uint64_t *trimmed, uint64_t *lost)
{
	if (added)
		*added = sp->added;
	if (trimmed)
		*trimmed = sp->trimmed;
	if (lost)
		*lost = sp->lost;
}

void
spool_disk(const struct spool *sp, uint64_t *now, uint64_t *peak)
{
	*now = sp->disk;
	*peak = sp->disk_peak;
}
