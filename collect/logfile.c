/*
 * logfile.c: --log-file PATH|-: the agent's log as saved on hosts without systemd (docker logs,
 * CRI files, aws logs tail / get-log-events / filter-log-events, ecs-cli logs, plain lines) as
 * journal entries.  Streamed: the input is read once, each entry formatted and redacted at once,
 * and kept in a bounded compressed spool (logspool.c) until the entries that fit the budget are
 * chosen and written.
 */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "collect.h"
#include "logfile.h"
#include "pemblock.h"
#include "timeutil.h"
#include "msg.h"

#define LINE_MAX_BYTES	(64 * 1024)	/* longer lines and events keep this much, with a marker */
#define READ_BYTES	(256 * 1024)
#define INPUT_FACTOR	100		/* read at most this many times --max-size of input */
#define EVENT_MAX	(4 * 1024 * 1024)	/* one JSON event (CloudWatch caps them at 256 KiB) */
#define DOC_MAX		(16 * 1024 * 1024)	/* a JSON document not streamed by its events array */
#define SAMPLE_BYTES	(1024 * 1024)	/* formatted bytes that estimate the compression ratio */
#define PRIO_IMPORTANT	4		/* warning or worse is chosen first (as jsonl.c) */
#define MAX_CONTAINERS	64		/* container names counted in the manifest */
#define PEM_STREAMS	16		/* streams followed for private-key blocks (more share one) */

/* Reading state. */
struct reader {
	int		 fd;		/* the input */
	struct buf	 pending;	/* bytes read but not yet taken */
	size_t		 off;		/* start of the untaken bytes in pending */
	bool		 eof;		/* no more input (or the cap) */
	uint64_t	 deadline;	/* CLOCK_MONOTONIC limit */
	bool		 timed_out;	/* the limit stopped reading */
	uint64_t	 bytes;		/* bytes read */
	uint64_t	 cap;		/* read at most this many */
	bool		 capped;	/* the cap stopped reading */
	uint64_t	 newlines;	/* newline bytes read */
	bool		 last_nl;	/* the last byte read was a newline */
	struct buf	 longbuf;	/* the kept start of a line over LINE_MAX_BYTES */
	/* Input that is not UTF-8 (a log saved on Windows: UTF-16 with a BOM) is transcoded as it is read. */
	bool		 detected;	/* the encoding was decided */
	const char	*enc;		/* transcoded from this (iconv name), or NULL: UTF-8 */
	const char	*enc_how;	/* how it was recognised */
	size_t		 unit;		/* its code unit (2 or 4 bytes) */
	iconv_t		 cd;		/* to UTF-8, when enc */
	struct buf	 raw;		/* input bytes not yet transcoded (or not yet looked at) */
	uint64_t	 bad_chars;	/* invalid sequences replaced with U+FFFD */
	bool		 bom8;		/* a UTF-8 byte-order mark was dropped */
};

/* One --log-file source being read. */
struct lf {
	struct ctx	*c;
	struct reader	 rd;
	struct spool	*sp;
	uint64_t	 now;		/* collection time: entries without any time */
	uint64_t	 since, until;	/* window (0: open) */
	const char	*agent;		/* the agent's container name ("onboarding-agent") */
	size_t		 agent_len;
	bool		 agent_seen;	/* a stream of the agent's container was seen */
	json_t		*containers;	/* {name: entries} of the streams seen */
	uint64_t	 other_dropped;	/* entries of other containers left out */
	uint64_t	 other_spooled;	/* entries of other containers spooled before the agent's came */
	uint64_t	 last_usec;	/* time of the last entry with one */
	bool		 have_last;
	uint64_t	 formats[_LOGF_MAX];	/* entries by form */
	uint64_t	 untimed;	/* entries without a time of their own */
	uint64_t	 untimed_now;	/* of those, given the collection time (no earlier time) */
	uint64_t	 outside;	/* entries outside --since/--until */
	uint64_t	 tfirst, tlast;	/* earliest and latest time of an entry, in the window or not */
	uint64_t	 long_lines;	/* lines or events cut to LINE_MAX_BYTES */
	uint64_t	 blank;		/* blank lines */
	uint64_t	 bad_json;	/* JSON values that are not events or do not parse */
	uint64_t	 limit;		/* the journal budget (compressed bytes) */
	struct buf	 sample;	/* first formatted bytes, for the ratio */
	bool		 ratio_known;
	double		 ratio;
	struct buf	 line;		/* the entry being formatted */
	struct buf	 msgbuf;	/* a message with its truncation marker */
	struct buf	 join;		/* CRI partial lines, docker json-file partial records being joined */
	enum log_format	 join_fmt;	/* the form of the pieces */
	int		 join_stream;	/* docker's "stream": 0 none/other, 1 stdout, 2 stderr */
	bool		 join_timed;
	uint64_t	 join_usec;	/* the first partial's time */
	size_t		 join_total;	/* the joined message's full length */
	bool		 joining;
	bool		 join_cut;	/* the joined message was cut */
	struct buf	 jv;		/* a JSON value being framed */
	/* Private-key blocks printed line by line, per stream (pemblock.c); the last slot is shared. */
	char		*pem_name[PEM_STREAMS];
	struct pemblock	 pem[PEM_STREAMS];
	struct buf	 pembuf;	/* a message with its block lines redacted */
	/* The last stream and container name and their redacted forms: names repeat line after line. */
	struct name_memo {
		char	*in;		/* the name as read */
		size_t	 inl;		/* its length */
		char	*out;		/* as written */
		size_t	 outl;		/* its length */
	}		 memo[2];	/* [0] stream, [1] container */
	int		 err;		/* the spool failed (-errno): stop reading */
};

/* The private-key block state of a stream (NULL: the lines without one). */
static struct pemblock *
stream_pem(struct lf *lf, const char *stream, size_t len)
{
	size_t i;

	if (stream == NULL)
		stream = "", len = 0;
	for (i = 0; i < PEM_STREAMS - 1 && lf->pem_name[i] != NULL; i++)
		if (strlen(lf->pem_name[i]) == len && memcmp(lf->pem_name[i], stream, len) == 0)
			return &lf->pem[i];
	if (i < PEM_STREAMS - 1)
		lf->pem_name[i] = xstrndup(stream, len);
	return &lf->pem[i];
}

/* ---- reading ---- */

/* Bytes looked at to recognise UTF-16/32 without a byte-order mark. */
#define SNIFF_BYTES	64

/*
 * The encoding of input starting with p (n bytes; all of it when fewer than
 * SNIFF_BYTES): a byte-order mark (UTF-32, UTF-16, UTF-8), or UTF-16/32 text
 * without one (NUL bytes in every other byte, or three of four).  Sets *bom to
 * the mark's length; returns the iconv name, "UTF-8" for a UTF-8 mark, or NULL.
 */
static const char *
sniff_encoding(const unsigned char *p, size_t n, size_t *bom, const char **how)
{
	size_t z[4] = { 0 }, quads, pairs;
	const char *enc;

	*how = "byte-order mark";
	if ((enc = text_bom(p, n, bom)) != NULL)
		return enc;
	*how = "no byte-order mark, NUL bytes between the characters";
	n &= ~(size_t)3;
	if (n < 8)
		return NULL;
	for (size_t i = 0; i < n; i++)
		z[i % 4] += p[i] == 0;
	quads = n / 4;
	pairs = n / 2;
	/* UTF-32: three NULs in every code unit of ASCII text, the fourth byte never. */
	if (z[0] == 0 && z[1] == quads && z[2] == quads && z[3] == quads)
		return "UTF-32LE";
	if (z[3] == 0 && z[0] == quads && z[1] == quads && z[2] == quads)
		return "UTF-32BE";
	/* UTF-16: ASCII-range text has a NUL in (nearly) every odd (LE) or even (BE) byte, none in the others. */
	if (z[0] + z[2] == 0 && (z[1] + z[3]) * 4 >= pairs * 3)
		return "UTF-16LE";
	if (z[1] + z[3] == 0 && (z[0] + z[2]) * 4 >= pairs * 3)
		return "UTF-16BE";
	return NULL;
}

/* Starts transcoding from enc (an iconv name; "UTF-8" needs none).  0 or -errno. */
static int
reader_encoding(struct reader *rd, const char *enc, const char *how)
{
	rd->detected = true;
	if (enc == NULL)
		return 0;
	if (strcmp(enc, "UTF-8") == 0) {
		rd->bom8 = true;
		return 0;
	}
	rd->cd = iconv_open("UTF-8", enc);
	if (rd->cd == (iconv_t)-1)
		return -errno;
	rd->enc = enc;
	rd->enc_how = how;
	rd->unit = strncmp(enc, "UTF-32", 6) == 0 ? 4 : 2;
	return 0;
}

/*
 * Transcodes rd->raw into pending; an incomplete character at its end waits
 * for more input (at_end: it is replaced).  Returns the bytes added.
 */
static size_t
transcode(struct reader *rd, bool at_end)
{
	size_t before = rd->pending.len, il = rd->raw.len;
	char *ip = rd->raw.data;

	while (il > 0) {
		char *op;
		size_t ol, r;

		buf_grow(&rd->pending, il * 2 + 16);
		op = rd->pending.data + rd->pending.len;
		ol = rd->pending.cap - rd->pending.len - 1;
		r = iconv(rd->cd, &ip, &il, &op, &ol);
		rd->pending.len = (size_t)(op - rd->pending.data);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && !at_end)
			break;
		/* An invalid (or, at the end, incomplete) character: U+FFFD, go on after it. */
		buf_grow(&rd->pending, 4);
		memcpy(rd->pending.data + rd->pending.len, "\xef\xbf\xbd", 3);
		rd->pending.len += 3;
		rd->bad_chars++;
		r = il < rd->unit ? il : rd->unit;
		ip += r;
		il -= r;
	}
	memmove(rd->raw.data, ip, il);
	rd->raw.len = il;
	if (rd->pending.data)
		rd->pending.data[rd->pending.len] = '\0';
	return rd->pending.len - before;
}

/* Reads more input.  Returns bytes read, 0 at the end (or the cap), -ETIME at the deadline, or -errno. */
static ssize_t
fill(struct reader *rd)
{
	if (rd->eof)
		return 0;
	if (rd->bytes >= rd->cap && rd->detected) {
		char c;
		ssize_t n;

		/* At the cap: stopped early only if there is more to read. */
		do
			n = read(rd->fd, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = rd->fd, .events = POLLIN };

			(void)poll(&p, 1, 1000);
			n = read(rd->fd, &c, 1);
		}
		rd->capped = n != 0;
		rd->eof = true;
		return rd->enc && rd->raw.len ? (ssize_t)transcode(rd, true) : 0;
	}
	for (;;) {
		struct pollfd p = { .fd = rd->fd, .events = POLLIN };
		uint64_t now = mono_usec();
		size_t want = READ_BYTES, added;
		bool raw = rd->enc || !rd->detected;
		char *dst;
		ssize_t n;
		int r;

		if (now >= rd->deadline)
			return -ETIME;
		r = poll(&p, 1, (int)((rd->deadline - now) / 1000 + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		if (rd->off > 0) {
			memmove(rd->pending.data, rd->pending.data + rd->off, rd->pending.len - rd->off);
			rd->pending.len -= rd->off;
			rd->off = 0;
		}
		if (rd->cap - rd->bytes < want)
			want = (size_t)(rd->cap - rd->bytes);
		if (raw) {
			buf_grow(&rd->raw, want + 1);
			dst = rd->raw.data + rd->raw.len;
		} else {
			buf_grow(&rd->pending, want + 1);
			dst = rd->pending.data + rd->pending.len;
		}
		n = want ? read(rd->fd, dst, want) : 0;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		rd->bytes += (uint64_t)n;
		if (raw)
			rd->raw.len += (size_t)n;
		if (!rd->detected) {
			size_t bom;
			const char *how, *enc;

			/* The first bytes decide the encoding (a byte-order mark, or UTF-16's NULs). */
			if (n > 0 && rd->raw.len < SNIFF_BYTES && rd->bytes < rd->cap)
				continue;
			enc = sniff_encoding((const unsigned char *)rd->raw.data, rd->raw.len, &bom, &how);
			r = reader_encoding(rd, enc, how);
			if (r < 0)
				return r;
			memmove(rd->raw.data, rd->raw.data + bom, rd->raw.len - bom);
			rd->raw.len -= bom;
			if (!rd->enc) {
				/* UTF-8: what was read goes on as it is. */
				buf_grow(&rd->pending, rd->raw.len + 1);
				memcpy(rd->pending.data + rd->pending.len, rd->raw.data, rd->raw.len);
				n = (ssize_t)rd->raw.len;
				rd->raw.len = 0;
				if (n == 0) {
					rd->eof = true;
					return 0;
				}
				dst = rd->pending.data + rd->pending.len;
			}
		}
		if (n == 0 && !(rd->enc && rd->raw.len)) {
			rd->eof = true;
			return 0;
		}
		if (rd->enc) {
			dst = rd->pending.data ? rd->pending.data + rd->pending.len : NULL;
			if (n == 0)
				rd->eof = true;
			added = transcode(rd, n == 0 || rd->bytes >= rd->cap);
			if (added == 0) {
				if (rd->eof)
					return 0;
				continue;
			}
			dst = rd->pending.data + rd->pending.len - added;
		} else {
			added = (size_t)n;
			rd->pending.len += added;
		}
		for (const char *q = dst, *e = q + added; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
			rd->newlines++;
		rd->last_nl = dst[added - 1] == '\n';
		rd->pending.data[rd->pending.len] = '\0';
		return (ssize_t)added;
	}
}

/*
 * The next line (without its newline), valid until the next call.  A line over
 * LINE_MAX_BYTES comes back cut, with *total its full length.  Returns 1, 0 at
 * the end, or -errno / -ETIME.
 */
static int
next_line(struct reader *rd, char **line, size_t *len, size_t *total)
{
	bool discarding = false;
	size_t seen = 0;

	for (;;) {
		char *start = rd->pending.data ? rd->pending.data + rd->off : NULL;
		size_t avail = rd->pending.len - rd->off;
		char *nl = avail ? memchr(start, '\n', avail) : NULL;
		ssize_t n;

		if (discarding) {
			size_t used = nl ? (size_t)(nl - start) + 1 : avail;

			seen += nl ? used - 1 : used;
			rd->off += used;
			if (nl || (rd->eof && rd->off == rd->pending.len)) {
				*line = rd->longbuf.data;
				*len = rd->longbuf.len;
				*total = seen;
				return 1;
			}
		} else if (nl && (size_t)(nl - start) <= LINE_MAX_BYTES) {
			*line = start;
			*len = (size_t)(nl - start);
			*total = *len;
			rd->off += *len + 1;
			return 1;
		} else if (avail > LINE_MAX_BYTES) {
			buf_reset(&rd->longbuf);
			buf_add(&rd->longbuf, start, LINE_MAX_BYTES);
			rd->off += LINE_MAX_BYTES;
			seen = LINE_MAX_BYTES;
			discarding = true;
			continue;
		} else if (rd->eof && avail > 0) {
			*line = start;
			*len = avail;
			*total = avail;
			rd->off += avail;
			return 1;
		}
		if (rd->eof && rd->off == rd->pending.len)
			return discarding ? 1 : 0;
		n = fill(rd);
		if (n < 0)
			return (int)n;
	}
}

/* The next byte that is not white space (not taken), -1 at the end, or -errno. */
static int
peek_nonws(struct reader *rd)
{
	for (;;) {
		while (rd->off < rd->pending.len) {
			char ch = rd->pending.data[rd->off];

			if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
				return (unsigned char)ch;
			rd->off++;
		}
		ssize_t n = fill(rd);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -1;
	}
}

/* At least n bytes untaken (fewer only at the end).  Returns how many, or -errno. */
static ssize_t
peek_bytes(struct reader *rd, size_t n)
{
	while (rd->pending.len - rd->off < n) {
		ssize_t r = fill(rd);

		if (r < 0)
			return r;
		if (r == 0)
			break;
	}
	return (ssize_t)(rd->pending.len - rd->off);
}

/*
 * Frames the JSON value at the reader's position (strings, escapes and
 * brackets only; jansson parses it): its bytes go to out, at most cap of them
 * (*over when more).  Returns 1, 0 at the end of input, -EBADMSG, or -errno.
 */
static int
json_take(struct reader *rd, struct buf *out, size_t cap, bool *over)
{
	int depth = 0;
	bool str = false, esc = false, started = false, scalar = false, done = false;

	buf_reset(out);
	*over = false;
	for (;;) {
		const char *d = rd->pending.data;
		size_t i = rd->off, from = rd->off, end = rd->pending.len;

		if (i == end) {
			ssize_t n = fill(rd);

			if (n < 0)
				return (int)n;
			if (n == 0)
				return !started ? 0 : scalar ? 1 : -EBADMSG;
			continue;
		}
		for (; i < end && !done; i++) {
			char ch = d[i];

			if (!started) {
				if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
					from = i + 1;
					continue;
				}
				if (ch == '}' || ch == ']' || ch == ',' || ch == ':')
					return -EBADMSG;
				started = true;
				if (ch == '{' || ch == '[')
					depth = 1;
				else if (ch == '"')
					str = true;
				else
					scalar = true;
			} else if (str) {
				if (esc)
					esc = false;
				else if (ch == '\\')
					esc = true;
				else if (ch == '"') {
					str = false;
					if (depth == 0)
						done = true;
				}
			} else if (scalar) {
				if (ch == ',' || ch == ']' || ch == '}' || ch == ' ' || ch == '\t' || ch == '\n' ||
				    ch == '\r' || ch == ':') {
					done = true;
					break;
				}
			} else if (ch == '"')
				str = true;
			else if (ch == '{' || ch == '[')
				depth++;
			else if ((ch == '}' || ch == ']') && --depth == 0)
				done = true;
		}
		if (i > from) {
			size_t take = i - from;

			if (out->len + take > cap) {
				*over = true;
				take = out->len < cap ? cap - out->len : 0;
			}
			buf_add(out, d + from, take);
		}
		rd->off = i;
		if (done)
			return 1;
	}
}

/* ---- entries ---- */

/* Container of an awslogs stream name PREFIX/CONTAINER/TASKID: the part between the first and last slash. */
static bool
stream_container(const char *s, size_t len, const char **cn, size_t *cl)
{
	const char *a = memchr(s, '/', len), *b = NULL;

	for (const char *p = s + len; p > s; p--)
		if (p[-1] == '/') {
			b = p - 1;
			break;
		}
	if (a == NULL || b == NULL || b <= a + 1)
		return false;
	*cn = a + 1;
	*cl = (size_t)(b - a - 1);
	return true;
}

/*
 * A stream or container name as written (LOG_STREAM, CONTAINER_NAME, the manifest's counts): the
 * text the reader took for a name may hold a secret ("ecs/token=.../x"): the pattern rules and
 * the values redacted so far apply.  The result lives in lf->memo[slot] until the next call
 * with another name.
 */
static const char *
name_redacted(struct lf *lf, int slot, const char *s, size_t n, size_t *outlen)
{
	struct name_memo *m = &lf->memo[slot];
	char *k, *out = NULL;
	size_t ol = 0;

	if (m->in != NULL && m->inl == n && memcmp(m->in, s, n) == 0) {
		*outlen = m->outl;
		return m->out;
	}
	free(m->in);
	free(m->out);
	m->in = xstrndup(s, n);
	m->inl = n;
	k = xstrndup(s, n);
	if (redact_text_maybe(k, n) && redact_text(lf->c->red, k, n, &out, &ol, NULL) >= 0 && out != NULL) {
		free(k);
		k = out;
		n = ol;
		out = NULL;
	}
	if (redact_known(lf->c->red, k, n, &out, &ol) > 0) {
		free(k);
		k = out;
		n = ol;
	}
	m->out = k;
	m->outl = n;
	*outlen = n;
	return k;
}

static void
count_container(struct lf *lf, const char *cn, size_t cl)
{
	size_t kl;
	const char *k = name_redacted(lf, 1, cn, cl, &kl);
	json_t *v = json_object_get(lf->containers, k);

	if (v)
		json_integer_set(v, json_integer_value(v) + 1);
	else if (json_object_size(lf->containers) < MAX_CONTAINERS)
		json_object_set_new(lf->containers, k, json_integer(1));
}

/* Drops a UTF-8 sequence cut short at the end of s (a line cut at LINE_MAX_BYTES). */
static size_t
utf8_trim(const char *s, size_t len)
{
	size_t i = len, need;
	unsigned char b;

	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return len;
	b = (unsigned char)s[i - 1];
	need = (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 1;
	return need > 1 && len - (i - 1) < need ? i - 1 : len;
}

static void
set_ratio(struct lf *lf)
{
	double allowed;

	lf->ratio_known = true;
	lf->ratio = lf->sample.len ? bw_compress_ratio(lf->sample.data, lf->sample.len) : 1.0;
	if (lf->ratio < 0.01)
		lf->ratio = 0.01;
	if (lf->ratio > 1.0)
		lf->ratio = 1.0;
	allowed = (double)lf->limit / lf->ratio * 0.95;
	spool_set_allowed(lf->sp, allowed < 1 ? 1 : (uint64_t)allowed, (double)lf->limit * 0.97);
	buf_free(&lf->sample);
}

/*
 * A private key printed line by line on the stream: a line of it is replaced by
 * its redaction (in lf->pembuf) and true returned.  Followed before the window
 * and container checks.
 */
static bool
follow_pem(struct lf *lf, const char *stream, size_t stream_len, const char **msg, size_t *len)
{
	struct pemblock *pb = stream_pem(lf, stream, stream_len);
	size_t pf, pt;

	if ((pb->lines > 0 || pemblock_maybe(*msg, *len)) && pemblock_line(pb, *msg, *len, &pf, &pt)) {
		pemblock_redact(lf->c->red, &lf->pembuf, *msg, *len, pf, pt);
		*msg = lf->pembuf.data;
		*len = lf->pembuf.len;
		return true;
	}
	return false;
}

/*
 * Sets *usec for a line without a time of its own to the previous line's, else
 * the collection's; returns where it came from ("previous-line", "collection"),
 * or NULL for a timed line.
 */
static const char *
entry_time(struct lf *lf, uint64_t *usec, bool timed)
{
	if (timed) {
		lf->last_usec = *usec;
		lf->have_last = true;
		return NULL;
	}
	if (lf->have_last) {
		*usec = lf->last_usec;
		return "previous-line";
	}
	*usec = lf->now;
	return "collection";
}

/* Widens the span of the file's times; true (counted) when the line falls outside --since/--until. */
static bool
outside_window(struct lf *lf, uint64_t usec, const char *tfrom)
{
	if (tfrom == NULL || tfrom[0] == 'p') {
		if (lf->tfirst == 0 || usec < lf->tfirst)
			lf->tfirst = usec;
		if (usec > lf->tlast)
			lf->tlast = usec;
		if ((lf->since && usec < lf->since) || (lf->until && usec > lf->until)) {
			lf->outside++;
			return true;
		}
	}
	return false;
}

/*
 * The container of the stream (*cn, *cl; *cn stays NULL when none).  Other
 * containers' lines are spooled as SPOOL_OTHER (in *flags) until the agent's
 * first line, then dropped: true (counted) when this line is dropped.
 */
static bool
other_container_dropped(struct lf *lf, const char *stream, size_t stream_len, const char **cn, size_t *cl,
    unsigned *flags)
{
	if (stream && stream_container(stream, stream_len, cn, cl)) {
		bool agent = *cl == lf->agent_len && memcmp(*cn, lf->agent, *cl) == 0;

		count_container(lf, *cn, *cl);
		if (agent && !lf->agent_seen) {
			lf->agent_seen = true;
			lf->other_dropped += lf->other_spooled;
			spool_drop_other(lf->sp);
		} else if (!agent) {
			if (lf->agent_seen) {
				lf->other_dropped++;
				return true;
			}
			*flags |= SPOOL_OTHER;
		}
	}
	return false;
}

/* A line cut at LINE_MAX_BYTES (total bytes in all): the cut line and a note saying so, in lf->msgbuf. */
static void
mark_truncated(struct lf *lf, const char **msg, size_t *len, size_t total)
{
	lf->long_lines++;
	buf_reset(&lf->msgbuf);
	buf_add(&lf->msgbuf, *msg, utf8_trim(*msg, *len));
	buf_printf(&lf->msgbuf, " [truncated by triage-collect: %zu bytes in all]", total);
	*msg = lf->msgbuf.data;
	*len = lf->msgbuf.len;
}

/*
 * Redacts the message: *msg and *len then point at the redacted text, in *red;
 * *cjson gets the counts of what was redacted (compact JSON) or stays NULL.
 * The caller frees both.
 */
static void
redact_message(struct lf *lf, const char **msg, size_t *len, bool pem, char **red, char **cjson)
{
	json_t *counts;
	size_t rlen;

	if (pem || redact_text_maybe(*msg, *len)) {
		counts = json_object();
		if (pem)
			redact_count(counts, "private-key-block");
		if (redact_text_maybe(*msg, *len) && redact_text(lf->c->red, *msg, *len, red, &rlen, counts) >= 0 &&
		    *red) {
			*msg = *red;
			*len = rlen;
		}
		if (json_object_size(counts))
			*cjson = json_dumps(counts, JSON_COMPACT);
		json_decref(counts);
	}
}

/* Appends the names of the stream and of its container (cn, NULL when none), redacted, to lf->line. */
static void
add_source_names(struct lf *lf, const char *stream, size_t stream_len, const char *cn, size_t cl)
{
	if (stream) {
		size_t nl;
		const char *n = name_redacted(lf, 0, stream, stream_len, &nl);

		buf_adds(&lf->line, ",\"LOG_STREAM\":");
		journal_value(&lf->line, n, nl);
	}
	if (cn) {
		size_t nl;
		const char *n = name_redacted(lf, 1, cn, cl, &nl);

		buf_adds(&lf->line, ",\"CONTAINER_NAME\":");
		journal_value(&lf->line, n, nl);
	}
}

/* Spools lf->line (and samples it until the compression ratio is known); an error sticks in lf->err. */
static void
spool_line(struct lf *lf, int prio, unsigned flags, const char *cjson)
{
	int r;

	if (!lf->ratio_known) {
		buf_add(&lf->sample, lf->line.data, lf->line.len);
		buf_addc(&lf->sample, '\n');
	}
	if (prio >= 0 && prio <= PRIO_IMPORTANT)
		flags |= SPOOL_IMPORTANT;
	r = spool_add(lf->sp, lf->line.data, lf->line.len, (uint8_t)(prio < 0 ? 8 : prio), flags, cjson,
	    cjson ? strlen(cjson) : 0);
	if (r < 0)
		lf->err = r;
	lf->other_spooled += (flags & SPOOL_OTHER) != 0;
	if (!lf->ratio_known && lf->sample.len >= SAMPLE_BYTES)
		set_ratio(lf);
}

/*
 * One entry: msg (one line of an event), the transport's time if timed, the
 * stream it came from, a level hint (-1), its full length when it was cut (else 0).
 */
static int
emit(struct lf *lf, enum log_format fmt, uint64_t usec, bool timed, const char *stream, size_t stream_len,
    const char *msg, size_t len, int prio_hint, size_t total)
{
	const char *tfrom, *cn = NULL;
	_cleanup_free_ char *red = NULL, *cjson = NULL;
	uint64_t own;
	unsigned flags = 0;
	size_t cl = 0;
	bool pem;
	int prio;

	if (lf->err)
		return -1;
	while (len > 0 && (msg[len - 1] == '\r' || msg[len - 1] == ' ' || msg[len - 1] == '\t'))
		len--;
	if (log_message_time(&msg, &len, &own) && !timed) {
		usec = own;
		timed = true;
	}
	if (len == 0) {
		lf->blank++;
		return -1;
	}
	pem = follow_pem(lf, stream, stream_len, &msg, &len);
	tfrom = entry_time(lf, &usec, timed);
	if (outside_window(lf, usec, tfrom))
		return -1;
	lf->formats[fmt]++;	/* every entry recognised, kept or not */
	if (other_container_dropped(lf, stream, stream_len, &cn, &cl, &flags))
		return -1;
	if (tfrom) {
		lf->untimed++;
		lf->untimed_now += tfrom[0] == 'c';
	}
	if (total)
		mark_truncated(lf, &msg, &len, total);
	prio = log_message_priority(msg, len);
	if (prio < 0)
		prio = prio_hint;
	redact_message(lf, &msg, &len, pem, &red, &cjson);
	buf_reset(&lf->line);
	buf_printf(&lf->line, "{\"__REALTIME_TIMESTAMP\":\"%" PRIu64 "\",\"MESSAGE\":", usec);
	journal_value(&lf->line, msg, len);
	if (prio >= 0)
		buf_printf(&lf->line, ",\"PRIORITY\":\"%d\"", prio);
	add_source_names(lf, stream, stream_len, cn, cl);
	buf_printf(&lf->line, ",\"_SOURCE_TRIAGE\":\"log-file\",\"_TRIAGE_FORMAT\":\"%s\"", log_format_name(fmt));
	if (tfrom)
		buf_printf(&lf->line, ",\"_TRIAGE_TIME\":\"%s\"", tfrom);
	if (total)
		buf_printf(&lf->line, ",\"_TRIAGE_TRUNCATED\":\"%zu\"", total);
	buf_addc(&lf->line, '}');
	spool_line(lf, prio, flags, cjson);
	return prio;
}

/* An event's message: split on newlines, each line one entry; lines without a level word take the first's. */
static void
emit_event(struct lf *lf, enum log_format fmt, uint64_t usec, bool timed, const char *stream, size_t stream_len,
    const char *msg, size_t len, int prio_hint)
{
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	for (;;) {
		const char *nl = memchr(msg, '\n', len);
		size_t l = nl ? (size_t)(nl - msg) : len;

		int p = emit(lf, fmt, usec, timed, stream, stream_len, msg, l > LINE_MAX_BYTES ? LINE_MAX_BYTES : l,
		    prio_hint, l > LINE_MAX_BYTES ? l : 0);

		if (prio_hint < 0)
			prio_hint = p;
		if (nl == NULL)
			break;
		msg = nl + 1;
		len -= l + 1;
	}
}

/*
 * A partial piece of a line (a CRI "P" line, a docker json-file record without
 * its newline) joined with the next ones, up to LINE_MAX_BYTES, so that the
 * line is redacted whole; cut is the bytes cut from the piece's end.
 */
static void
join_add(struct lf *lf, enum log_format fmt, uint64_t usec, bool timed, const char *msg, size_t len, size_t cut)
{
	if (!lf->joining) {
		lf->joining = true;
		lf->join_fmt = fmt;
		lf->join_usec = usec;
		lf->join_timed = timed;
		lf->join_total = 0;
		lf->join_cut = false;
	}
	lf->join_cut |= cut > 0 || lf->join.len + len > LINE_MAX_BYTES;
	if (lf->join.len < LINE_MAX_BYTES)
		buf_add(&lf->join, msg, len < LINE_MAX_BYTES - lf->join.len ? len : LINE_MAX_BYTES - lf->join.len);
	lf->join_total += len + cut;
}

static void
flush_join(struct lf *lf)
{
	const char *m = lf->join.data ? lf->join.data : "";
	size_t len = lf->join.len;

	if (!lf->joining)
		return;
	if (lf->join_fmt == LOGF_CRI)
		emit(lf, LOGF_CRI, lf->join_usec, true, NULL, 0, m, len, -1, lf->join_cut ? lf->join_total : 0);
	else if (lf->join_cut) {
		while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == '\r'))
			len--;
		emit(lf, lf->join_fmt, lf->join_usec, lf->join_timed, NULL, 0, m, len, -1, lf->join_total);
	} else
		emit_event(lf, lf->join_fmt, lf->join_usec, lf->join_timed, NULL, 0, m, len, -1);
	buf_reset(&lf->join);
	lf->joining = false;
}

/* One text line. */
static void
text_line(struct lf *lf, char *line, size_t len, size_t total)
{
	struct log_line ll;
	size_t cut = total > len ? total - len : 0;	/* bytes cut from the line's end */

	if (memchr(line, '\x1b', len))
		len = log_strip_ansi(line, len);
	/* Only the CR of a CRLF: a CRI partial's trailing blanks belong to the message. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0) {
		lf->blank++;
		return;
	}
	log_line_parse(line, len, &ll);
	if (ll.fmt == LOGF_CRI) {
		if (lf->joining && lf->join_fmt != LOGF_CRI)
			flush_join(lf);
		join_add(lf, LOGF_CRI, ll.usec, true, ll.msg, ll.len, cut);
		if (!ll.partial)
			flush_join(lf);
		return;
	}
	flush_join(lf);
	emit(lf, ll.fmt, ll.usec, ll.timed, ll.stream, ll.stream_len, ll.msg, ll.len, -1, cut ? ll.len + cut : 0);
}

/* A JSON number or ISO string as a time: CloudWatch's epoch milliseconds, or seconds (zap's "ts"). */
static bool
json_time(json_t *v, uint64_t *usec)
{
	bool zoned;

	if (json_is_number(v)) {
		double d = json_number_value(v);

		if (!(d > 0) || d > 1e15)
			return false;
		*usec = d >= 1e11 ? (uint64_t)(d * 1000.0) : (uint64_t)(d * 1e6);
		return true;
	}
	if (json_is_string(v))
		return log_time_parse(json_string_value(v), json_string_length(v), usec, &zoned) > 0;
	return false;
}

/* One event object: {"timestamp", "message", "logStreamName"} or docker's {"log", "stream", "time"}. */
static void
json_event(struct lf *lf, json_t *o, enum log_format fmt)
{
	static const char *const msg_keys[] = { "message", "log", "msg", "MESSAGE" };
	static const char *const time_keys[] = { "timestamp", "time", "ts", "@timestamp" };
	json_t *m = NULL, *st, *lv;
	uint64_t usec = 0;
	bool timed = false, docker = false;
	int prio = -1;

	if (!json_is_object(o)) {
		lf->bad_json++;
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(msg_keys) && !json_is_string(m); i++) {
		m = json_object_get(o, msg_keys[i]);
		docker = i == 1;
	}
	for (size_t i = 0; i < ELEMENTSOF(time_keys) && !timed; i++)
		timed = json_time(json_object_get(o, time_keys[i]), &usec);
	st = json_object_get(o, "logStreamName");
	if (!json_is_string(st))
		st = NULL;
	if (fmt == LOGF_JSON_LINES && (st || json_object_get(o, "ingestionTime")))
		fmt = LOGF_AWS_JSON;
	lv = json_object_get(o, "level");
	if (!json_is_string(lv))
		lv = json_object_get(o, "severity");
	if (json_is_string(lv))
		prio = log_level_word(json_string_value(lv), json_string_length(lv));
	if (docker && json_is_string(m) && !st && prio < 0) {
		/*
		 * docker json-file: a record whose "log" does not end in a newline is part
		 * of a line (docker cuts lines at 16 KiB; the last output before an exit):
		 * joined with the records that follow up to the one that ends the line.
		 */
		const char *v = json_string_value(m), *sv = json_string_value(json_object_get(o, "stream"));
		size_t n = json_string_length(m);
		int stream = sv && strcmp(sv, "stdout") == 0 ? 1 : sv && strcmp(sv, "stderr") == 0 ? 2 : 0;
		bool part = n > 0 && v[n - 1] != '\n';

		if (lf->joining && (lf->join_fmt != fmt || lf->join_stream != stream))
			flush_join(lf);
		if (part || lf->joining) {
			join_add(lf, fmt, usec, timed, v, n, 0);
			lf->join_stream = stream;
			if (!part)
				flush_join(lf);
			return;
		}
	}
	flush_join(lf);
	if (json_is_string(m))
		emit_event(lf, fmt, usec, timed, st ? json_string_value(st) : NULL, st ? json_string_length(st) : 0,
		    json_string_value(m), json_string_length(m), prio);
	else {
		/* Not a shape we know: keep the whole object as the message. */
		_cleanup_free_ char *s = json_dumps(o, JSON_COMPACT);

		if (s)
			emit_event(lf, LOGF_JSON_LINES, usec, timed, NULL, 0, s, strlen(s), prio);
	}
}

static void
json_value(struct lf *lf, const char *text, size_t len, bool over, enum log_format fmt)
{
	json_auto_t *v = NULL;
	json_t *ev;
	size_t i;

	if (over) {
		lf->bad_json++;
		lf->long_lines++;
		return;
	}
	v = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	if (v == NULL) {
		lf->bad_json++;
		return;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, ev)
			json_event(lf, ev, LOGF_AWS_JSON);
	} else if (json_is_array(json_object_get(v, "events"))) {
		json_array_foreach(json_object_get(v, "events"), i, ev)
			json_event(lf, ev, LOGF_AWS_JSON);
	} else
		json_event(lf, v, fmt);
}

/* Elements of an array whose '[' was taken, each an event, through the closing ']'. */
static int
json_events(struct lf *lf)
{
	bool over;
	int ch, r;

	for (;;) {
		ch = peek_nonws(&lf->rd);
		if (ch < -1)
			return ch;
		if (ch == ']') {
			lf->rd.off++;
			return 0;
		}
		if (ch == ',') {
			lf->rd.off++;
			continue;
		}
		if (ch == -1)
			return -EBADMSG;
		r = json_take(&lf->rd, &lf->jv, EVENT_MAX, &over);
		if (r <= 0)
			return r < 0 ? r : -EBADMSG;
		json_value(lf, lf->jv.data ? lf->jv.data : "", lf->jv.len, over, LOGF_AWS_JSON);
		if (lf->err)
			return 0;
	}
}

/*
 * Whether the untaken input starts a JSON object or array ('{' then '"' or '}';
 * '[' then '{' or ']'), not a text line that starts with a bracket ("[2024-03-05
 * 10:21:10.447][14][warning] ..." from Envoy).  1, 0, or -errno.
 */
static int
json_starts(struct reader *rd)
{
	ssize_t n = peek_bytes(rd, 256);
	const char *p, *e;
	char open;

	if (n < 0)
		return (int)n;
	if (n == 0)
		return 0;
	p = rd->pending.data + rd->off;
	e = p + n;
	open = *p++;
	while (p < e && strchr(" \t\r\n", *p))
		p++;
	if (p == e)
		return 0;
	return (open == '{' && (*p == '"' || *p == '}')) || (open == '[' && (*p == '{' || *p == ']'));
}

/*
 * JSON input: documents one after another.  An object whose first key is
 * "events" (aws logs get-log-events / filter-log-events) is streamed event by
 * event; other objects and arrays are parsed whole (DOC_MAX).  Returns 0 at
 * the end, 1 when text follows (read it as lines), or -errno / -EBADMSG.
 */
static int
json_input(struct lf *lf)
{
	static const char key[] = "\"events\"";
	struct reader *rd = &lf->rd;
	bool over;
	int ch, r;

	for (;;) {
		ch = peek_nonws(rd);
		if (ch == -1)
			return 0;
		if (ch < -1)
			return ch;
		if (lf->err)
			return 0;
		if (ch != '{' && ch != '[')
			return 1;
		r = json_starts(rd);
		if (r <= 0)
			return r < 0 ? r : 1;
		if (ch == '{') {
			ssize_t n = peek_bytes(rd, 64);
			const char *p, *e;

			if (n < 0)
				return (int)n;
			p = rd->pending.data + rd->off + 1;
			e = rd->pending.data + rd->off + n;
			while (p < e && strchr(" \t\r\n", *p))
				p++;
			if ((size_t)(e - p) > sizeof(key) && memcmp(p, key, sizeof(key) - 1) == 0) {
				p += sizeof(key) - 1;
				while (p < e && strchr(" \t\r\n", *p))
					p++;
				if (p < e && *p == ':') {
					for (p++; p < e && strchr(" \t\r\n", *p); p++)
						;
					if (p < e && *p == '[') {
						rd->off = (size_t)(p + 1 - rd->pending.data);
						r = json_events(lf);
						if (r < 0)
							return r;
						/* The rest of the object: "key": value pairs, skipped. */
						for (;;) {
							ch = peek_nonws(rd);
							if (ch == '}') {
								rd->off++;
								break;
							}
							if (ch == ',') {
								rd->off++;
								continue;
							}
							if (ch < 0)
								return ch == -1 ? -EBADMSG : ch;
							r = json_take(rd, &lf->jv, 0, &over);	/* the key */
							if (r <= 0)
								return r < 0 ? r : -EBADMSG;
							if (peek_nonws(rd) != ':')
								return -EBADMSG;
							rd->off++;
							r = json_take(rd, &lf->jv, 0, &over);	/* its value */
							if (r <= 0)
								return r < 0 ? r : -EBADMSG;
						}
						continue;
					}
				}
			}
		}
		r = json_take(rd, &lf->jv, DOC_MAX, &over);
		if (r <= 0)
			return r < 0 ? r : 0;
		json_value(lf, lf->jv.data ? lf->jv.data : "", lf->jv.len, over, LOGF_JSON_LINES);
	}
}

static int
text_input(struct lf *lf)
{
	char *l;
	size_t len, total;
	int r = 0;

	while (!lf->err && (r = next_line(&lf->rd, &l, &len, &total)) > 0) {
		/* A JSON object on a line of its own: an event (docker json-file, aws logs tail --format none). */
		if (len > 1 && l[0] == '{' && l[len - 1] == '}' && total == len) {
			json_auto_t *v = json_loadb(l, len, 0, NULL);

			if (v) {
				json_event(lf, v, LOGF_JSON_LINES);
				continue;
			}
		}
		text_line(lf, l, len, total);
	}
	flush_join(lf);
	return lf->err ? 0 : r;
}

/* ---- the source ---- */

/*
 * The newest time in the last MiB of a regular file (its last line that has
 * one, a CloudWatch "timestamp" in JSON), for relative --since/--until.
 * Returns true when found.  The file offset is not used (pread).
 */
static bool newest_time_in(char *b, size_t end, uint64_t *ret);

static bool
newest_time(int fd, uint64_t size, uint64_t *ret)
{
	size_t n = size < 1024 * 1024 ? (size_t)size : 1024 * 1024, end, bom;
	unsigned char head[SNIFF_BYTES];
	ssize_t hn = pread(fd, head, sizeof(head), 0);
	const char *how, *enc = hn > 0 ? sniff_encoding(head, (size_t)hn, &bom, &how) : NULL;
	struct reader tr = { .fd = -1 };
	_cleanup_free_ char *b = NULL;
	ssize_t got;

	if (enc && strcmp(enc, "UTF-8") == 0)
		enc = NULL;
	if (enc)
		n = (size_t)(size - ((size - n + 3) & ~(uint64_t)3));	/* the tail read starts on a character */
	b = xmalloc(n + 1);
	got = pread(fd, b, n, (off_t)(size - n));
	if (got <= 0)
		return false;
	end = (size_t)got;
	if (enc) {
		/* UTF-16/32: look at the tail as UTF-8. */
		bool found;

		if (reader_encoding(&tr, enc, how) < 0)
			return false;
		tr.raw.data = b;
		tr.raw.len = end;
		tr.raw.cap = n + 1;
		b = NULL;
		(void)transcode(&tr, true);
		iconv_close(tr.cd);
		buf_free(&tr.raw);
		if (tr.pending.len == 0) {
			buf_free(&tr.pending);
			return false;
		}
		b = buf_steal(&tr.pending, &end);
		found = newest_time_in(b, end, ret);
		return found;
	}
	return newest_time_in(b, end, ret);
}

/* The newest time in b (len bytes): its last line that has one. */
static bool
newest_time_in(char *b, size_t end, uint64_t *ret)
{
	while (end > 0) {
		size_t start = end, len;
		char line[4096];
		struct log_line ll;
		const char *m, *ts;

		while (start > 0 && b[start - 1] != '\n')
			start--;
		len = end - start < sizeof(line) ? end - start : sizeof(line);
		memcpy(line, b + start, len);
		end = start > 0 ? start - 1 : 0;
		len = log_strip_ansi(line, len);
		log_line_parse(line, len, &ll);
		m = ll.msg;
		if (ll.timed || (len = ll.len, log_message_time(&m, &len, &ll.usec))) {
			*ret = ll.usec;
			return true;
		}
		if ((ts = memmem(line, len, "\"timestamp\"", 11)) != NULL) {
			const char *p = ts + 11, *e = line + (ll.len + (size_t)(ll.msg - line));
			char num[32];
			size_t k = 0;

			while (p < e && (*p == ' ' || *p == ':'))
				p++;
			while (p < e && k < sizeof(num) - 1 && strchr("0123456789.eE+-", *p))
				num[k++] = *p++;
			num[k] = '\0';
			if (k > 0 && strtod(num, NULL) >= 1e11) {
				*ret = (uint64_t)(strtod(num, NULL) * 1000.0);
				return true;
			}
		}
		if (start == 0)
			break;
	}
	return false;
}

/* Chooses from the spool and writes journal/<unit>.jsonl. 0 or -errno. */
static int
write_entries(struct lf *lf, struct jsonl *s)
{
	const char *line, *counts;
	size_t len, clen;
	uint8_t prio;
	int r;

	for (;;) {
		r = spool_rewind(lf->sp);
		while (r >= 0 && (r = spool_next(lf->sp, &line, &len, &prio, &counts, &clen)) == 1) {
			if (jsonl_skip_next(s))
				continue;
			if (counts)
				jsonl_add_redactions(s, counts, clen);
			r = jsonl_push(s, line, len, prio);
		}
		if (r < 0)
			return r;
		r = jsonl_end_pass(s);
		if (r != 1)
			return r;
	}
}

static void
formats_text(const struct lf *lf, struct buf *b)
{
	for (int f = 0; f < _LOGF_MAX; f++)
		if (lf->formats[f])
			buf_printf(b, "%s%s", b->len ? ", " : "", log_format_name((enum log_format)f));
}

void
collect_logfile(struct ctx *c)
{
	const char *path = c->opt->log_file;
	struct strv *units = c->opt->units.n ? &c->opt->units : &c->profile->units;
	_cleanup_free_ char *name = xasprintf(BUNDLE_DIR_JOURNAL "%s", units->n ? units->v[0] : "agent");
	int fd;

	if (!path)
		return;
	if (strcmp(path, "-") == 0) {
		collect_log_fd(c, STDIN_FILENO, "standard input");
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ctx_source(c, name, SOURCE_ERROR, "--log-file %s: %s", path, file_errstr(-errno));
		return;
	}
	collect_log_fd(c, fd, path);
	close(fd);
}

/* What one --log-file read came to: the numbers of its manifest source and of its detail. */
struct lf_counts {
	uint64_t	written;	/* entries written */
	uint64_t	withheld;	/* entries the leak check withheld */
	uint64_t	added;		/* entries spooled (of the agent's container, when it was seen) */
	uint64_t	lost;		/* entries a failing spool lost */
	uint64_t	omitted;	/* entries left out for the budget or the entry cap */
	uint64_t	lines;		/* lines of input */
	uint64_t	skipped;	/* bytes skipped at the start of a file over the input cap */
	uint64_t	disk_peak;	/* the spool's largest size on disk */
	uint64_t	newest;		/* the newest entry's time when relative --since/--until counted from it, or 0 */
	int		read_err;	/* a read that failed after some input (-errno), or 0 */
};

/*
 * The window of a --log-file: only one given on the command line applies (a saved log
 * is read whole).  Relative times count from the newest entry of a saved file, from now
 * on a pipe.  Returns the newest entry's time when it was the base, else 0.
 */
static uint64_t
lf_window(struct lf *lf, int fd, const struct stat *st)
{
	struct ctx *c = lf->c;
	uint64_t base = lf->now, newest = 0;

	if ((c->opt->since || c->opt->until) && S_ISREG(st->st_mode) && newest_time(fd, (uint64_t)st->st_size, &base))
		newest = base;
	if (c->opt->since && time_arg_resolve(&c->opt->since_arg, base, &lf->since) < 0)
		lf->since = 0;
	if (c->opt->until && time_arg_resolve(&c->opt->until_arg, base, &lf->until) < 0)
		lf->until = 0;
	if (lf->since)
		c->since_usec = lf->since;
	if (lf->until)
		c->until_usec = lf->until;
	return newest;
}

/* Whose lines are kept (the agent's container), the budget, the input cap and the time limit. */
static void
lf_limits(struct lf *lf, const char *unit)
{
	struct ctx *c = lf->c;
	const char *dot = strrchr(unit, '.');

	lf->agent = unit;
	lf->agent_len = dot && strcmp(dot, ".service") == 0 ? (size_t)(dot - unit) : strlen(unit);
	lf->containers = json_object();
	lf->limit = ctx_journal_budget(c);
	lf->rd.cap = c->max_size * INPUT_FACTOR;
	lf->rd.deadline = mono_usec() + c->profile->source_timeout_usec;
	if (lf->rd.deadline > c->deadline_usec)
		lf->rd.deadline = c->deadline_usec;
}

/*
 * A regular file over the input cap: only its newest part is read (its encoding decided
 * by its start), from the first line that starts after the cut.  *skipped: the bytes
 * left unread.  0, or -errno when its encoding cannot be transcoded (*enc names it).
 */
static int
lf_skip_to_newest(struct lf *lf, const struct stat *st, uint64_t *skipped, const char **enc)
{
	*skipped = 0;
	*enc = NULL;
	if (S_ISREG(st->st_mode) && (uint64_t)st->st_size > lf->rd.cap) {
		unsigned char head[SNIFF_BYTES];
		ssize_t hn = pread(lf->rd.fd, head, sizeof(head), 0);
		size_t bom;
		const char *how = NULL;
		int r;

		*enc = hn > 0 ? sniff_encoding(head, (size_t)hn, &bom, &how) : NULL;
		r = reader_encoding(&lf->rd, *enc && strcmp(*enc, "UTF-8") ? *enc : NULL, how);
		if (r < 0)
			return r;
		*skipped = (uint64_t)st->st_size - lf->rd.cap;
		if (lf->rd.unit)
			*skipped = (*skipped + lf->rd.unit - 1) / lf->rd.unit * lf->rd.unit;	/* on a character */
	}
	if (*skipped && lseek(lf->rd.fd, (off_t)*skipped, SEEK_SET) < 0)
		*skipped = 0;
	if (*skipped) {
		char *l;
		size_t len, total;

		(void)next_line(&lf->rd, &l, &len, &total);	/* the rest of a cut line */
		lf->rd.newlines = 0;
		for (const char *q = lf->rd.pending.data + lf->rd.off, *e = lf->rd.pending.data + lf->rd.pending.len;
		    (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
			lf->rd.newlines++;
	}
	return 0;
}

/*
 * Reads the input into the spool: aws logs JSON events (and text after them), or text
 * lines.  The time limit and a JSON document cut short end the input, not the source.
 * 0 or -errno.
 */
static int
lf_read_input(struct lf *lf)
{
	int ch = peek_nonws(&lf->rd), r = ch < -1 ? ch : 0;

	if (r == 0 && (ch == '{' || ch == '[') && (r = json_starts(&lf->rd)) == 1) {
		r = json_input(lf);
		if (r == 1)
			r = text_input(lf);
	} else if (r == 0)
		r = text_input(lf);
	flush_join(lf);
	if (r == -ETIME) {
		lf->rd.timed_out = true;
		r = 0;
	}
	if (r == -EBADMSG)
		r = 0, lf->bad_json++;	/* a JSON document cut short: what came before it counts */
	return r;
}

/* The counts after the entries were written to s. */
static void
lf_count(const struct lf *lf, const struct jsonl *s, struct lf_counts *n)
{
	uint64_t disk_now;

	n->lines = lf->rd.newlines + (lf->rd.bytes > 0 && !lf->rd.last_nl);
	jsonl_counts(s, NULL, &n->written, &n->withheld, NULL);
	spool_counts(lf->sp, &n->added, NULL, &n->lost);
	spool_disk(lf->sp, &disk_now, &n->disk_peak);
	n->added -= lf->agent_seen ? lf->other_spooled : 0;
	n->omitted = n->added > n->written + n->withheld + n->lost ? n->added - n->written - n->withheld - n->lost : 0;
}

/* The source's detail (English, for the manifest); *trunc when some input was not read or was left out. */
static void
lf_detail(const struct lf *lf, const struct lf_counts *n, const char *shown, const char *tmpdir, struct buf *detail,
    bool *trunc)
{
	struct buf fmts = { 0 };

	*trunc = false;
	formats_text(lf, &fmts);
	buf_printf(detail, "%" PRIu64 " entries from %" PRIu64 " lines of --log-file %s", n->written, n->lines, shown);
	if (fmts.len)
		buf_printf(detail, " (%s)", fmts.data);
	buf_free(&fmts);
	if (lf->rd.enc)
		buf_printf(detail, "; transcoded from %s to UTF-8 (%s)", lf->rd.enc, lf->rd.enc_how);
	if (lf->rd.bad_chars)
		buf_printf(detail, "; %" PRIu64 " invalid characters replaced with U+FFFD", lf->rd.bad_chars);
	if (lf->err) {
		buf_printf(detail, "; the spool in TMPDIR %s failed (%s) after %" PRIu64 " bytes of input: the rest "
		    "was not read, and the %" PRIu64 " entries not yet written whole were lost (set TMPDIR to a "
		    "folder with room)", tmpdir, strerror(-lf->err), lf->rd.bytes, n->lost);
		*trunc = true;
	}
	if (n->read_err)
		buf_printf(detail, "; reading failed after %" PRIu64 " bytes (%s): the rest was not read",
		    lf->rd.bytes, strerror(-n->read_err)), *trunc = true;
	if (lf->rd.timed_out)
		buf_printf(detail, "; stopped at the time limit"), *trunc = true;
	if (lf->rd.capped)
		buf_printf(detail, "; stopped after %" PRIu64 " bytes of input (%d times --max-size): the "
		    "rest was not read", lf->rd.bytes, INPUT_FACTOR), *trunc = true;
	if (n->skipped)
		buf_printf(detail, "; only the newest %" PRIu64 " bytes were read (%d times --max-size), "
		    "%" PRIu64 " older bytes skipped", lf->rd.cap, INPUT_FACTOR, n->skipped), *trunc = true;
	if (n->omitted && n->written + n->withheld >= SPOOL_MAX_CHOSEN)
		buf_printf(detail, "; %" PRIu64 " of %" PRIu64 " entries left out: at most %d entries are kept "
		    "(warnings and worse first, then the newest)", n->omitted, n->added - n->lost, SPOOL_MAX_CHOSEN),
		    *trunc = true;
	else if (n->omitted)
		buf_printf(detail, "; %" PRIu64 " of %" PRIu64 " entries left out to fit the size budget "
		    "(warnings and worse kept first)", n->omitted, n->added - n->lost), *trunc = true;
	if (lf->agent_seen && (lf->other_dropped || json_object_size(lf->containers) > 1))
		buf_printf(detail, "; only the %.*s container's streams kept (%" PRIu64 " entries of others "
		    "left out)", (int)lf->agent_len, lf->agent, lf->other_dropped);
	if (lf->untimed)
		buf_printf(detail, "; %" PRIu64 " lines without a time of their own", lf->untimed);
	if (lf->outside)
		buf_printf(detail, "; %" PRIu64 " outside --since/--until", lf->outside);
	if (lf->long_lines)
		buf_printf(detail, "; %" PRIu64 " over %d KiB cut", lf->long_lines, LINE_MAX_BYTES / 1024);
	if (lf->bad_json)
		buf_printf(detail, "; %" PRIu64 " JSON values not read as events", lf->bad_json);
}

/*
 * Nothing in the window, but the log has entries elsewhere: the source says where, and
 * no empty journal stays in the bundle.
 */
static void
lf_none_in_window(const struct lf *lf, const char *name, const char *rel, const char *shown)
{
	struct ctx *c = lf->c;
	char t1[RFC3339_MAX], t2[RFC3339_MAX], f1[RFC3339_MAX], f2[RFC3339_MAX];
	_cleanup_free_ char *detail = xasprintf("no entry of --log-file %s from %s to %s, but it has %" PRIu64
	    " entries from %s to %s; widen the window with --since/--until", shown,
	    lf->since ? time_rfc3339(lf->since, false, t1) : "its start",
	    lf->until ? time_rfc3339(lf->until, false, t2) : "its end", lf->outside,
	    time_rfc3339(lf->tfirst, false, f1), time_rfc3339(lf->tlast, false, f2));

	ctx_source(c, name, SOURCE_UNAVAILABLE, "%s", detail);
	if (c->bw) {
		json_t *o = bw_source_object(c->bw, name);

		(void)bw_remove(c->bw, rel);
		json_object_set_new(o, "unit_first", json_string(f1));
		json_object_set_new(o, "unit_last", json_string(f2));
	}
}

/* The counts of the manifest's source; s (the written journal, or NULL) gives its redactions. */
static void
lf_manifest(const struct lf *lf, const struct lf_counts *n, const char *name, const char *rel, const char *shown,
    struct jsonl *s)
{
	struct ctx *c = lf->c;
	json_t *o, *f;
	char tb[RFC3339_MAX];

	if (c->bw == NULL)
		return;
	o = bw_source_object(c->bw, name);
	f = json_object();
	for (int k = 0; k < _LOGF_MAX; k++)
		if (lf->formats[k])
			json_object_set_new(f, log_format_name((enum log_format)k), json_integer((json_int_t)lf->formats[k]));
	json_object_set_new(o, "entries", json_integer((json_int_t)n->written));
	json_object_set_new(o, "omitted", json_integer((json_int_t)n->omitted));
	if (n->lost)
		json_object_set_new(o, "lost", json_integer((json_int_t)n->lost));
	json_object_set_new(o, "withheld", json_integer((json_int_t)n->withheld));
	json_object_set_new(o, "log_file", json_string(shown));
	json_object_set_new(o, "lines", json_integer((json_int_t)n->lines));
	json_object_set_new(o, "bytes_read", json_integer((json_int_t)lf->rd.bytes));
	json_object_set_new(o, "formats", f);
	if (lf->rd.enc)
		json_object_set_new(o, "transcoded_from", json_string(lf->rd.enc));
	if (lf->rd.bom8)
		json_object_set_new(o, "utf8_bom", json_true());
	if (lf->rd.bad_chars)
		json_object_set_new(o, "invalid_characters", json_integer((json_int_t)lf->rd.bad_chars));
	json_object_set_new(o, "untimed", json_integer((json_int_t)lf->untimed));
	json_object_set_new(o, "untimed_collection_time", json_integer((json_int_t)lf->untimed_now));
	json_object_set_new(o, "outside_window", json_integer((json_int_t)lf->outside));
	json_object_set_new(o, "long_lines", json_integer((json_int_t)lf->long_lines));
	json_object_set_new(o, "blank_lines", json_integer((json_int_t)lf->blank));
	json_object_set_new(o, "json_not_events", json_integer((json_int_t)lf->bad_json));
	if (json_object_size(lf->containers)) {
		json_object_set(o, "containers", lf->containers);
		json_object_set_new(o, "containers_kept", lf->agent_seen ?
		    json_stringn(lf->agent, lf->agent_len) : json_string("all"));
		json_object_set_new(o, "other_containers_left_out", json_integer((json_int_t)lf->other_dropped));
	}
	json_object_set_new(o, "spool_peak_bytes", json_integer((json_int_t)n->disk_peak));
	if (lf->rd.capped || n->skipped)
		json_object_set_new(o, "input_cap", json_integer((json_int_t)lf->rd.cap));
	/* What relative --since/--until counted from. */
	if (n->newest)
		json_object_set_new(o, "window_base", json_string(time_rfc3339(n->newest, true, tb)));
	if (lf->since || lf->until) {
		json_object_set_new(o, "since", lf->since ? json_string(time_rfc3339(lf->since, true, tb)) : json_null());
		json_object_set_new(o, "until", lf->until ? json_string(time_rfc3339(lf->until, true, tb)) : json_null());
	}
	if (s)
		ctx_redactions(c, rel, jsonl_redactions(s));
}

/* Frees what a read holds (the reader's buffers and encoder, the spool, the pem state). */
static void
lf_free(struct lf *lf)
{
	buf_free(&lf->rd.pending);
	buf_free(&lf->rd.longbuf);
	buf_free(&lf->rd.raw);
	if (lf->rd.enc)
		iconv_close(lf->rd.cd);
	buf_free(&lf->sample);
	buf_free(&lf->line);
	buf_free(&lf->msgbuf);
	buf_free(&lf->pembuf);
	for (size_t i = 0; i < PEM_STREAMS; i++)
		free(lf->pem_name[i]);
	for (size_t i = 0; i < ELEMENTSOF(lf->memo); i++) {
		free(lf->memo[i].in);
		free(lf->memo[i].out);
	}
	buf_free(&lf->join);
	buf_free(&lf->jv);
	json_decref(lf->containers);
	spool_free(lf->sp);
}

void
collect_log_fd(struct ctx *c, int fd, const char *shown)
{
	struct strv *units = c->opt->units.n ? &c->opt->units : &c->profile->units;
	const char *unit = units->n ? units->v[0] : "agent";
	_cleanup_free_ char *name = xasprintf(BUNDLE_DIR_JOURNAL "%s", unit);
	_cleanup_free_ char *rel = xasprintf(BUNDLE_DIR_JOURNAL "%s" BUNDLE_EXT_JOURNAL, unit);
	const char *tmpdir = getenv("TMPDIR"), *enc;
	struct lf lf = { .c = c, .rd = { .fd = fd } };
	struct lf_counts n = { 0 };
	struct buf detail = { 0 };
	struct jsonl *s = NULL;
	struct stat st;
	bool trunc;
	int r;

	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	if (fstat(fd, &st) < 0) {
		ctx_source(c, name, SOURCE_ERROR, "--log-file %s: %s", shown, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ctx_source(c, name, SOURCE_ERROR, "--log-file %s: is a directory", shown);
		goto out;
	}
	r = spool_new(tmpdir, &lf.sp);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "--log-file %s: cannot keep a temporary spool in TMPDIR %s: %s",
		    shown, tmpdir, strerror(-r));
		goto out;
	}
	if (isatty(fd) && c->opt->verbosity >= 0)
		msg(MSG_OK, NULL, 0, 0, "reading agent log lines from the terminal; end with Ctrl-D "
		    "(or pipe them in: docker logs --timestamps CONTAINER 2>&1 | triage-collect --log-file -)");
	lf.now = time_now_usec();
	n.newest = lf_window(&lf, fd, &st);
	lf_limits(&lf, unit);
	r = lf_skip_to_newest(&lf, &st, &n.skipped, &enc);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "--log-file %s: cannot transcode from %s: %s", shown, enc,
		    strerror(-r));
		goto out;
	}

	r = lf_read_input(&lf);
	if (r < 0 && lf.rd.bytes == 0) {
		ctx_source(c, name, SOURCE_ERROR, "reading --log-file %s failed: %s", shown, strerror(-r));
		goto out;
	}
	n.read_err = r < 0 ? r : 0;	/* after some input: what was read is kept, the source truncated */
	if (!lf.ratio_known)
		set_ratio(&lf);
	/* A spool that failed (TMPDIR full) keeps the segments written whole. */
	r = spool_finish(lf.sp);
	if (r < 0 && lf.err == 0)
		lf.err = r;

	s = jsonl_new(c, rel, lf.limit);
	r = write_entries(&lf, s);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "writing the entries of --log-file %s failed: %s", shown,
		    strerror(-r));
		goto out;
	}
	lf_count(&lf, s, &n);
	lf_detail(&lf, &n, shown, tmpdir, &detail, &trunc);
	if (n.written == 0 && lf.outside > 0 && n.added == 0) {
		lf_none_in_window(&lf, name, rel, shown);
		jsonl_free(s);
		s = NULL;
	} else
		ctx_source(c, name, trunc ? SOURCE_TRUNCATED : SOURCE_OK, "%s", detail.data);
	lf_manifest(&lf, &n, name, rel, shown, s);
out:
	buf_free(&detail);
	lf_free(&lf);
	jsonl_free(s);
}
