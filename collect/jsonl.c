/*
 * jsonl.c: journal/<unit>.jsonl output: fast JSON formatting, the leak check in
 * chunks (on a second thread while the producer formats the next chunk), and the size budget.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "collect.h"
#include "pemblock.h"
#include "secretpat.h"

#define CHUNK_BYTES	(1024 * 1024)	/* lines are verified and written in chunks this big */
/*
 * The leak check holds the redactor lock for this much text at a time.  64 KiB pieces
 * made the producer and the verifier hand the lock over 4x as often (7,900 voluntary
 * waits on the 1M-entry bench journal instead of 2,000) and cost 6 % wall time.
 */
#define VERIFY_PIECE	CHUNK_BYTES
#define PRIO_IMPORTANT	4		/* warning or worse is kept first when trimming */

#define JOBS		4		/* chunks queued for the verifier at most */

/* A chunk handed to the verifier. */
struct job {
	struct buf	 data;		/* lines, each with its newline */
	size_t		*idx;		/* index of each line */
	size_t		 n, cap;	/* lines; allocated idx */
	bool		 arrays;	/* some line holds a byte array */
};

/* Byte arrays journal_value() wrote on this thread: a chunk with none skips their check. */
static _Thread_local uint64_t tl_arrays;

/* Per-line flags in the index. */
enum {
	LINE_WITHHELD = 1,		/* the leak check dropped it */
	LINE_PEM_OPEN = 2,		/* a private-key block was open before it (pass 2 redoes it) */
	LINE_PEM_BODY = 4,		/* ... and had base64 lines already */
};

/* One .jsonl entry of the bundle being written, in one or two passes. */
struct jsonl {
	struct ctx	*c;		/* the run */
	char		*relpath;	/* e.g. journal/onboarding-agent.service.jsonl */
	struct bw_entry	*e;		/* the open bundle entry */
	uint64_t	 limit;		/* compressed bytes this file may take */
	int		 pass;		/* 1, or 2 when trimming */

	uint32_t	*len;		/* index: bytes of each line offered in pass 1 (with newline) */
	uint8_t		*prio;		/* index: priority of each line (8 unknown) */
	uint8_t		*flags;		/* index: LINE_* */
	uint8_t		*keep;		/* pass 2: lines selected to fit */
	size_t		 n, cap;	/* lines in the index */
	size_t		 pos;		/* pass 2: next line's index */

	struct buf	 chunk;		/* lines not yet verified and written */
	size_t		*chunk_idx;	/* index of each line in chunk */
	size_t		 chunk_n, chunk_cap;
	bool		 chunk_arrays;	/* a line of the chunk holds a byte array */
	uint64_t	 arrays_seen;	/* tl_arrays when the last line was appended */

	/* The verifier thread: checks and writes queued chunks (jobs) while the producer fills the next. */
	pthread_t	 thr;		/* the verifier */
	bool		 thr_started;	/* thr runs */
	pthread_mutex_t	 mu;		/* guards the queue, quit, job_err, wh, v_over */
	pthread_cond_t	 cv;		/* the queue or quit changed */
	pthread_mutex_t	 red_mu;	/* the redactor and counts between producer and verifier: see red_lock() */
	struct job	 jobs[JOBS];	/* ring of chunks handed over */
	unsigned	 head, queued;	/* first queued job, number queued (the verifier owns jobs[head]) */
	bool		 quit;		/* the verifier ends when the queue is empty */
	int		 job_err;	/* first error of the verifier, or 0 */
	size_t		*wh;		/* indexes withheld by the verifier, not yet flagged */
	size_t		 wh_n, wh_cap;
	bool		 v_over;	/* verifier's view of over (copied to over when idle) */

	bool		 over;		/* pass 1 stopped writing: over the budget */
	double		 ratio;		/* compressed/original, estimated from the first chunk */
	uint64_t	 written_bytes;	/* bytes written to the entry */
	uint64_t	 written;	/* lines written */
	uint64_t	 withheld;	/* lines dropped by the leak check */
	uint64_t	 omitted;	/* lines left out for the budget */
	char		*first_cursor;	/* __CURSOR of the first line written */
	char		*last_cursor;	/* __CURSOR of the last line written */
	json_t		*counts;	/* redactions by rule */

	struct pemblock	 pem;		/* pass 1: a private key printed one entry a line */
	uint8_t		 pem_flags;	/* LINE_PEM_* of the line being formatted, for jsonl_push() */
	struct buf	 pembuf;	/* scratch */
	/* Field names judged by jsonl_redact_field(), by a hash of the name: names repeat entry after entry. */
	struct field_class {
		char		 name[32];	/* the name (shorter than 32 bytes), "" for an empty slot */
		enum key_class	 cls;		/* secretpat_key_class() of it */
		const char	*kind;		/* its marker kind */
	}		 fcls[64];
};

static const char hexdig[] = "0123456789abcdef";

#define ONES UINT64_C(0x0101010101010101)	/* one in each byte */

void
json_escape(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *o;

	buf_grow(b, len * 6 + 2);
	o = b->data + b->len;
	*o++ = '"';
	while (p < end) {
		unsigned char ch = *p++;

		if (ch >= 0x20 && ch != '"' && ch != '\\') {
			*o++ = (char)ch;
			continue;
		}
		*o++ = '\\';
		switch (ch) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\t': *o++ = 't'; break;
		case '\r': *o++ = 'r'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			*o++ = 'u'; *o++ = '0'; *o++ = '0';
			*o++ = hexdig[ch >> 4]; *o++ = hexdig[ch & 15];
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

/*
 * Length of the valid, printable UTF-8 sequence at p, or 0: systemd's
 * utf8_is_printable() rules (valid code points, no C1 control).
 */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char ch = *p;
	uint32_t cp;
	size_t n;

	if ((ch & 0xe0) == 0xc0)
		n = 2, cp = ch & 0x1f;
	else if ((ch & 0xf0) == 0xe0)
		n = 3, cp = ch & 0x0f;
	else if ((ch & 0xf8) == 0xf0)
		n = 4, cp = ch & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0;
	if (cp >= 0x110000 || (cp & 0xfffff800) == 0xd800 || (cp >= 0xfdd0 && cp <= 0xfdef) ||
	    (cp & 0xfffe) == 0xfffe || (cp >= 0x7f && cp <= 0x9f))
		return 0;
	return n;
}

/* systemd's utf8_is_printable(): no control characters but TAB and LF (C0, DEL, C1). */
bool
journal_value_is_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char ch = *p;
		size_t n;

		if (ch < 0x80) {
			if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f)
				return false;
			p++;
			continue;
		}
		n = utf8_seq(p, end);
		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

/*
 * One pass: escapes the value as a JSON string while checking that it is
 * printable UTF-8; when it is not, starts over and writes the byte array.
 */
void
journal_value(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t start = b->len;
	char *o;

	buf_grow(b, len * 2 + 2);
	o = b->data + b->len;
	*o++ = '"';
	while (p < end) {
		unsigned char ch;

		/* Eight plain ASCII bytes at a time (no control, DEL, quote, backslash or high bit). */
		while (end - p >= 8) {
			uint64_t x;

			memcpy(&x, p, 8);
			if (((x - ONES * 0x20) | x | ((x ^ (ONES * '"')) - ONES) | ((x ^ (ONES * '\\')) - ONES) |
			    ((x ^ (ONES * 0x7f)) - ONES)) & (ONES * 0x80))
				break;
			memcpy(o, p, 8);
			o += 8;
			p += 8;
		}
		if (p == end)
			break;
		ch = *p;
		if (ch >= 0x20 && ch < 0x7f) {
			if (ch == '"' || ch == '\\')
				*o++ = '\\';
			*o++ = (char)ch;
			p++;
		} else if (ch == '\n' || ch == '\t') {
			*o++ = '\\';
			*o++ = ch == '\n' ? 'n' : 't';
			p++;
		} else if (ch >= 0x80) {
			size_t n = utf8_seq(p, end);

			if (n == 0)
				goto bytes;
			memcpy(o, p, n);
			o += n;
			p += n;
		} else
			goto bytes;
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return;
bytes:
	tl_arrays++;
	b->len = start;
	p = (const unsigned char *)s;
	buf_grow(b, len * 4 + 2);
	o = b->data + b->len;
	*o++ = '[';
	for (size_t i = 0; i < len; i++) {
		unsigned v = p[i];

		if (i > 0)
			*o++ = ',';
		if (v >= 100)
			*o++ = (char)('0' + v / 100);
		if (v >= 10)
			*o++ = (char)('0' + v / 10 % 10);
		*o++ = (char)('0' + v % 10);
	}
	*o++ = ']';
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

struct jsonl *
jsonl_new(struct ctx *c, const char *relpath, uint64_t limit)
{
	struct jsonl *s = xcalloc(1, sizeof(*s));

	/* a journal comes after the configs: the files held for known values go first */
	ctx_release(c);
	s->c = c;
	s->relpath = xstrdup(relpath);
	s->limit = limit;
	s->pass = 1;
	s->counts = json_object();
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_mutex_init(&s->red_mu, NULL);
	return s;
}

static void verifier_stop(struct jsonl *s);

/*
 * The redactor between the producer and the verifier.  Only the producer adds
 * values to it, always under red_mu, and red_unlock() turns them into search
 * strings before it lets go (so does submit() before the verifier starts).
 * While red_mu is free the redactor is therefore only read (redact_verify(),
 * redact_known()): the verifier reads it under red_mu, the producer without it,
 * and the producer waits for the verifier only to redact a pattern hit or to
 * count.  s->counts is touched under red_mu only.
 */
static void
red_lock(struct jsonl *s)
{
	pthread_mutex_lock(&s->red_mu);
}

static void
red_unlock(struct jsonl *s)
{
	redact_prepare(s->c->red);
	pthread_mutex_unlock(&s->red_mu);
}

void
jsonl_free(struct jsonl *s)
{
	if (s == NULL)
		return;
	verifier_stop(s);
	if (s->e)
		bw_entry_discard(s->e);
	free(s->relpath);
	free(s->len);
	free(s->prio);
	free(s->flags);
	free(s->keep);
	buf_free(&s->chunk);
	free(s->chunk_idx);
	for (unsigned k = 0; k < JOBS; k++) {
		buf_free(&s->jobs[k].data);
		free(s->jobs[k].idx);
	}
	free(s->wh);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->red_mu);
	free(s->first_cursor);
	free(s->last_cursor);
	json_decref(s->counts);
	buf_free(&s->pembuf);
	free(s);
}

/* The __CURSOR a line starts with, or NULL (lines from --log-file have none). */
static char *
line_cursor(const char *line, size_t len)
{
	static const char pfx[] = "{\"__CURSOR\":\"";
	const char *q;

	if (len < sizeof(pfx) || memcmp(line, pfx, sizeof(pfx) - 1) != 0)
		return NULL;
	line += sizeof(pfx) - 1;
	len -= sizeof(pfx) - 1;
	q = memchr(line, '"', len);
	return q ? xstrndup(line, (size_t)(q - line)) : NULL;
}

static int
ensure_entry(struct jsonl *s)
{
	if (s->e != NULL || s->c->bw == NULL)
		return 0;
	return bw_entry_open(s->c->bw, s->relpath, &s->e);
}

/* The first byte array ("NAME":[) in [p, end), at its '[', or NULL: '[' is rare in journal JSON. */
static const char *
find_array(const char *p, const char *end)
{
	const char *q = p;

	while ((q = memchr(q, '[', (size_t)(end - q))) != NULL) {
		if (q - p >= 2 && q[-1] == ':' && q[-2] == '"')
			return q;
		q++;
	}
	return NULL;
}

/* Appends the bytes of the JSON byte arrays in text (one per line) to b; false when there are none. */
static bool
decode_arrays(const char *p, size_t len, struct buf *b)
{
	const char *end = p + len, *a = p;
	bool any = false;

	while ((a = find_array(a, end)) != NULL) {
		const char *q = a + 1;

		while (q < end && isdigit((unsigned char)*q)) {
			unsigned v = 0;

			while (q < end && isdigit((unsigned char)*q))
				v = v * 10 + (unsigned)(*q++ - '0');
			if (v > 255)
				break;
			buf_addc(b, (char)v);
			any = true;
			if (q < end && *q == ',')
				q++;
		}
		buf_addc(b, '\n');
		a = q;
	}
	return any;
}

/* 1 when the byte arrays of text hold a known value or a secret pattern (red_mu held). */
static int
arrays_leak(struct jsonl *s, const char *p, size_t len)
{
	struct buf b = { 0 };
	char *why = NULL;
	int r = 0;

	if (decode_arrays(p, len, &b))
		r = redact_verify(s->c->red, b.data, b.len, &why) == 1;
	free(why);
	buf_free(&b);
	return r;
}

/*
 * One line (with its newline) that a piece's check flagged: 0 when it is clean
 * after replacing the known values in it (*sc then holds the new line, or NULL
 * when nothing was replaced), 1 when it must be withheld (*why set).  red_mu held.
 */
static int
line_leaks(struct jsonl *s, const char *p, size_t l, char **why, char **sc, size_t *scl)
{
	*sc = NULL;
	if (redact_known(s->c->red, p, l, sc, scl) > 0) {
		redact_count(s->counts, "known-value");
		p = *sc;
		l = *scl;
	}
	if (redact_verify(s->c->red, p, l, why) == 1)
		return 1;
	if (find_array(p, p + l) != NULL && arrays_leak(s, p, l)) {
		*why = xstrdup("a byte array holds a redacted value or a secret pattern");
		return 1;
	}
	return 0;
}

/* Adds the entry at index (from 0) to the withheld ones, saying why when verbose.  red_mu held. */
static void
withhold(struct jsonl *s, size_t index, const char *why)
{
	s->withheld++;
	pthread_mutex_lock(&s->mu);
	if (s->wh_n == s->wh_cap) {
		s->wh_cap = s->wh_cap ? s->wh_cap * 2 : 16;
		s->wh = xreallocarray(s->wh, s->wh_cap, sizeof(*s->wh));
	}
	s->wh[s->wh_n++] = index;
	pthread_mutex_unlock(&s->mu);
	ctx_verbose(s->c, "%s: the leak check withheld entry %zu: %s", s->relpath, index + 1, why ? why : "");
}

/*
 * The lines of a piece [p, q) that leaked, each checked alone: appended to clean
 * (with known values replaced) or withheld.  *i is the index in idx of the line
 * at p, and of the line at q on return.  red_mu held.
 */
static void
filter_piece(struct jsonl *s, const char *p, const char *q, const size_t *idx, size_t *i, struct buf *clean)
{
	while (p < q) {
		const char *nl = memchr(p, '\n', (size_t)(q - p));
		size_t l = (size_t)(nl - p) + 1;
		_cleanup_free_ char *w = NULL;

		_cleanup_free_ char *sc = NULL;
		size_t scl = 0;

		if (line_leaks(s, p, l, &w, &sc, &scl) == 1)
			withhold(s, idx[*i], w);
		else if (sc != NULL)
			buf_add(clean, sc, scl);	/* a known value replaced */
		else
			buf_add(clean, p, l);
		(*i)++;
		p = nl + 1;
	}
}

/*
 * Checks lines (idx their indexes) for leaks.  False when none leaks; true when
 * some do, with clean holding the lines kept.  Withheld indexes go to s->wh.
 */
static bool
check_pieces(struct jsonl *s, const char *data, size_t len, const size_t *idx, bool arrays, struct buf *clean)
{
	char *why = NULL;
	const char *p, *end;
	size_t i = 0;				/* i: index in idx of the line at counted */
	const char *counted = data;		/* lines before it are counted in i */
	bool filtering = false;		/* a piece leaked: clean holds what is kept */
	int r;

	/*
	 * In pieces of about VERIFY_PIECE bytes (whole lines): the producer
	 * waits for the redactor lock at most one piece's check.
	 */
	for (p = data, end = data + len; p < end;) {
		const char *stop = end - p > VERIFY_PIECE ? p + VERIFY_PIECE : end, *q;

		q = stop < end ? memchr(stop, '\n', (size_t)(end - stop)) : NULL;
		q = q ? q + 1 : end;
		red_lock(s);
		r = redact_verify(s->c->red, p, (size_t)(q - p), &why);
		free(why);
		why = NULL;
		/* byte arrays ("MESSAGE":[27,91,...]) are checked as the bytes they hold */
		if (r == 0 && arrays && find_array(p, q) != NULL)
			r = arrays_leak(s, p, (size_t)(q - p));
		if (r == 1) {
			/* Something leaks: find the lines and keep the others. */
			for (const char *x; counted < p &&
			    (x = memchr(counted, '\n', (size_t)(p - counted))) != NULL; counted = x + 1)
				i++;	/* lines before this piece */
			if (!filtering)
				buf_add(clean, data, (size_t)(p - data));
			filtering = true;
			filter_piece(s, p, q, idx, &i, clean);
			p = q;
			counted = q;
		} else {
			if (filtering)
				buf_add(clean, p, (size_t)(q - p));
			p = q;
		}
		red_unlock(s);
	}
	return filtering;
}

/* The compression ratio (0.01 to 1) that the budget counts with, from the first lines written. */
static void
estimate_ratio(struct jsonl *s, const char *data, size_t len)
{
	if (s->ratio == 0.0 && len > 0) {
		s->ratio = bw_compress_ratio(data, len);
		if (s->ratio < 0.01)
			s->ratio = 0.01;
		if (s->ratio > 1.0)
			s->ratio = 1.0;
	}
}

/* Counts the lines written (data, whole lines) and keeps the cursors of the first and the last. */
static void
note_written(struct jsonl *s, const char *data, size_t len)
{
	const char *first = NULL, *last = NULL, *p, *end;
	size_t first_len = 0, last_len = 0;

	for (p = data, end = data + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (first == NULL)
			first = p, first_len = (size_t)(nl - p);
		last = p, last_len = (size_t)(nl - p);
		s->written++;
		p = nl + 1;
	}
	s->written_bytes += len;
	if (first && s->first_cursor == NULL)
		s->first_cursor = line_cursor(first, first_len);
	if (last) {
		char *lc = line_cursor(last, last_len);

		if (lc) {
			free(s->last_cursor);
			s->last_cursor = lc;
		}
	}
}

/*
 * Verifies lines (n of them, idx their indexes), drops the ones that leak,
 * writes the rest (unless over the budget).  Runs on the verifier thread, or
 * on the producer's when the verifier is idle.  Withheld indexes go to s->wh.
 */
static int
verify_write(struct jsonl *s, const char *data, size_t len, const size_t *idx, size_t n, bool arrays)
{
	struct buf clean = { 0 };
	int r;

	if (n == 0)
		return 0;
	if (s->pass == 1 && s->v_over)
		return 0;	/* pass 2 redoes everything */
	if (check_pieces(s, data, len, idx, arrays, &clean)) {
		data = clean.data;
		len = clean.len;
	}
	estimate_ratio(s, data, len);
	if (s->pass == 1 && s->ratio > 0.0 &&
	    (double)(s->written_bytes + len) * s->ratio > (double)s->limit) {
		pthread_mutex_lock(&s->mu);
		s->v_over = true;
		pthread_mutex_unlock(&s->mu);
		r = 0;
		goto out;
	}
	r = ensure_entry(s);
	if (r < 0)
		goto out;
	if (len > 0 && s->e) {
		r = bw_entry_write(s->e, data, len);
		if (r < 0)
			goto out;
	}
	note_written(s, data, len);
	r = 0;
out:
	buf_free(&clean);
	return r;
}

static void *
verifier(void *arg)
{
	struct jsonl *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct job *jb;
		int r;

		while (s->queued == 0 && !s->quit)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->queued == 0)
			break;
		jb = &s->jobs[s->head];
		r = s->job_err;
		pthread_mutex_unlock(&s->mu);
		if (r == 0)
			r = verify_write(s, jb->data.data, jb->data.len, jb->idx, jb->n, jb->arrays);
		buf_reset(&jb->data);
		jb->n = 0;
		pthread_mutex_lock(&s->mu);
		if (r < 0 && s->job_err == 0)
			s->job_err = r;
		s->head = (s->head + 1) % JOBS;
		s->queued--;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Takes over the verifier's results so far (mu held, or no verifier). */
static void
take_results(struct jsonl *s)
{
	for (size_t k = 0; k < s->wh_n; k++)
		s->flags[s->wh[k]] |= LINE_WITHHELD;
	s->wh_n = 0;
	s->over = s->v_over;
}

/* Ends the verifier thread (after the queued jobs) and takes over its results. */
static void
verifier_stop(struct jsonl *s)
{
	if (!s->thr_started)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thr, NULL);
	s->thr_started = false;
	s->quit = false;
	take_results(s);
}

/* Queues the full chunk for the verifier (waiting while the queue is full). */
static int
submit(struct jsonl *s)
{
	struct job *jb;
	int r;

	if (!s->thr_started) {
		redact_prepare(s->c->red);	/* the values redacted before: see red_lock() */
		if (pthread_create(&s->thr, NULL, verifier, s) != 0) {
			/* No thread: verify here. */
			r = verify_write(s, s->chunk.data, s->chunk.len, s->chunk_idx, s->chunk_n,
			    s->chunk_arrays);
			take_results(s);
			buf_reset(&s->chunk);
			s->chunk_n = 0;
			s->chunk_arrays = false;
			return r;
		}
		s->thr_started = true;
	}
	pthread_mutex_lock(&s->mu);
	while (s->queued == JOBS)
		pthread_cond_wait(&s->cv, &s->mu);
	take_results(s);
	r = s->job_err;
	if (r >= 0) {
		struct buf tb;
		size_t *ti, tc;

		/* Swap the chunk with the free job's (empty) buffers. */
		jb = &s->jobs[(s->head + s->queued) % JOBS];
		tb = jb->data;
		ti = jb->idx;
		tc = jb->cap;
		jb->data = s->chunk;
		jb->idx = s->chunk_idx;
		jb->cap = s->chunk_cap;
		jb->n = s->chunk_n;
		jb->arrays = s->chunk_arrays;
		s->chunk = tb;
		s->chunk_idx = ti;
		s->chunk_cap = tc;
		s->queued++;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	buf_reset(&s->chunk);
	s->chunk_n = 0;
	s->chunk_arrays = false;
	return r;
}

/* Verifies and writes everything pending; the verifier is stopped. */
static int
flush(struct jsonl *s)
{
	int r = 0;

	if (s->thr_started) {
		verifier_stop(s);
		r = s->job_err;
	}
	if (r >= 0)
		r = verify_write(s, s->chunk.data, s->chunk.len, s->chunk_idx, s->chunk_n,
		    s->chunk_arrays);
	take_results(s);
	buf_reset(&s->chunk);
	s->chunk_n = 0;
	s->chunk_arrays = false;
	return r;
}

int
jsonl_redact_escaped(struct jsonl *s, const char *in, size_t len, char **out, size_t *outlen)
{
	struct buf b = { 0 };
	size_t i = 0;
	char *red = NULL, *kn = NULL;
	const char *t;
	size_t rl = 0, kl = 0, tl;

	*out = NULL;
	/* terminal escapes (CSI, OSC, two-byte) and carriage returns out */
	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		if (c == 0x1b && i + 1 < len && in[i + 1] == '[') {
			i += 2;
			while (i < len && !((unsigned char)in[i] >= 0x40 && (unsigned char)in[i] <= 0x7e))
				i++;
			i++;
		} else if (c == 0x1b && i + 1 < len && in[i + 1] == ']') {
			i += 2;
			while (i < len && in[i] != '\a' && !(in[i] == 0x1b && i + 1 < len && in[i + 1] == '\\'))
				i++;
			i += i < len && in[i] == 0x1b ? 2 : 1;
		} else if (c == 0x1b) {
			i += 2;
		} else if (c == '\r') {
			i++;
		} else
			buf_addc(&b, in[i++]);
	}
	if (b.data == NULL || !journal_value_is_text(b.data, b.len)) {
		buf_free(&b);
		return 0;	/* still bytes: written as they are; the leak check decodes them */
	}
	t = b.data;
	tl = b.len;
	/* a pattern hit adds a value: under the lock (jsonl_redact_text() scans first, without it) */
	if (jsonl_redact_text(s, t, tl, &red, &rl) >= 0 && red != NULL) {
		t = red;
		tl = rl;
	}
	/* the known values are only read: no lock (see red_lock()) */
	if (redact_known(s->c->red, t, tl, &kn, &kl) > 0) {
		red_lock(s);
		redact_count(s->counts, "known-value");
		red_unlock(s);
		free(red);
		red = kn;
		t = kn;
		tl = kl;
	}
	if (tl == b.len && memcmp(t, b.data, tl) == 0) {
		free(red);	/* nothing secret: the original bytes stay */
		buf_free(&b);
		return 0;
	}
	buf_free(&b);
	*out = red;
	*outlen = tl;
	return 0;
}

int
jsonl_redact_pem(struct jsonl *s, const char *in, size_t len, char **out, size_t *outlen)
{
	struct pemblock tmp, *pb = &s->pem;
	size_t from, to;

	*out = NULL;
	if (s->pass == 2) {
		/* what pass 1 saw before this line (the lines skipped now are not formatted) */
		uint8_t fl = s->pos < s->n ? s->flags[s->pos] : 0;

		if (!(fl & LINE_PEM_OPEN))
			return 0;
		tmp = (struct pemblock){ .lines = 1, .body_seen = (fl & LINE_PEM_BODY) != 0 };
		pb = &tmp;
	} else {
		if (s->pem.lines == 0 && !pemblock_maybe(in, len))
			return 0;
		s->pem_flags = (uint8_t)((s->pem.lines > 0 ? LINE_PEM_OPEN : 0) |
		    (s->pem.body_seen ? LINE_PEM_BODY : 0));
	}
	if (!pemblock_line(pb, in, len, &from, &to))
		return 0;
	red_lock(s);
	pemblock_redact(s->c->red, &s->pembuf, in, len, from, to);
	redact_count(s->counts, "private-key-block");
	red_unlock(s);
	*out = xmemdup(s->pembuf.data, s->pembuf.len);
	*outlen = s->pembuf.len;
	return 0;
}

int
jsonl_redact_field(struct jsonl *s, const char *name, size_t nlen, const char *in, size_t len, char **out,
    size_t *outlen)
{
	struct field_class one, *fc = &one;
	const char *kind = NULL;
	enum key_class cls;

	*out = NULL;
	if (nlen < sizeof(fc->name)) {
		unsigned h = 0;

		for (size_t i = 0; i < nlen; i++)
			h = h * 31u + (unsigned char)name[i];
		fc = &s->fcls[h % ELEMENTSOF(s->fcls)];
		if (strncmp(fc->name, name, nlen) != 0 || fc->name[nlen] != '\0') {
			memcpy(fc->name, name, nlen);
			fc->name[nlen] = '\0';
			fc->cls = secretpat_key_class(name, nlen, &fc->kind);
		}
	} else
		fc->cls = secretpat_key_class(name, nlen, &fc->kind);
	cls = fc->cls;
	kind = fc->kind;
	if (cls == KEY_NONE || !secretpat_value_wanted(cls, in, len, /* loose= */ false))
		return 0;
	red_lock(s);
	*out = xstrdup(redact_value(s->c->red, kind ? kind : "secret", in, len));
	redact_count(s->counts, kind ? kind : "secret");
	red_unlock(s);
	*outlen = strlen(*out);
	return 1;
}

int
jsonl_redact_env(struct jsonl *s, const char *in, size_t len, char **out, size_t *outlen)
{
	int r;

	red_lock(s);	/* default-deny adds values */
	r = redact_env_file(s->c->red, in, len, out, outlen, s->counts);
	red_unlock(s);
	return r;
}

int
jsonl_redact_text(struct jsonl *s, const char *in, size_t len, char **out, size_t *outlen)
{
	int r;

	/*
	 * Text without a pattern hit comes back unchanged from redact_text(), and
	 * secret_scan() (the same scanner, no redactor state) finds that without the lock.
	 */
	if (secret_scan(in, len, NULL, NULL) == 0 && !redact_text_encoded(in, len)) {
		*out = NULL;
		return 0;
	}
	red_lock(s);
	r = redact_text(s->c->red, in, len, out, outlen, s->counts);
	red_unlock(s);
	return r;
}

static void
chunk_append(struct jsonl *s, size_t idx, const char *line, size_t len)
{
	if (tl_arrays != s->arrays_seen) {
		s->arrays_seen = tl_arrays;
		s->chunk_arrays = true;
	}
	if (s->chunk_n == s->chunk_cap) {
		s->chunk_cap = s->chunk_cap ? s->chunk_cap * 2 : 1024;
		s->chunk_idx = xreallocarray(s->chunk_idx, s->chunk_cap, sizeof(size_t));
	}
	s->chunk_idx[s->chunk_n++] = idx;
	buf_grow(&s->chunk, len + 1);
	memcpy(s->chunk.data + s->chunk.len, line, len);
	s->chunk.len += len;
	s->chunk.data[s->chunk.len++] = '\n';
	s->chunk.data[s->chunk.len] = '\0';
}

int
jsonl_push(struct jsonl *s, const char *line, size_t len, int prio)
{
	size_t i;

	if (s->pass == 2) {
		i = s->pos++;
		if (i >= s->n || !s->keep[i])
			return 0;
		chunk_append(s, i, line, len);
	} else {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 4096;
			s->len = xreallocarray(s->len, s->cap, sizeof(*s->len));
			s->prio = xreallocarray(s->prio, s->cap, 1);
			s->flags = xreallocarray(s->flags, s->cap, 1);
		}
		i = s->n++;
		s->len[i] = len + 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(len + 1);
		s->prio[i] = (uint8_t)(prio < 0 || prio > 8 ? 8 : prio);
		s->flags[i] = s->pem_flags;
		s->pem_flags = 0;
		if (s->over)
			return 0;
		chunk_append(s, i, line, len);
	}
	if (s->chunk.len >= CHUNK_BYTES)
		return submit(s);
	return 0;
}

bool
jsonl_skip_next(struct jsonl *s)
{
	if (s->pass != 2)
		return false;
	if (s->pos >= s->n || !s->keep[s->pos]) {
		s->pos++;
		return true;
	}
	return false;
}

/* Chooses the lines to keep: warnings and worse first, then the rest, newest first. */
static void
select_lines(struct jsonl *s)
{
	double allowed = (double)s->limit / (s->ratio > 0 ? s->ratio : 1.0) * 0.95;
	uint64_t used = 0;

	s->keep = xcalloc(s->n ? s->n : 1, 1);
	for (int round = 0; round < 2; round++)
		for (size_t i = s->n; i-- > 0;) {
			bool important = s->prio[i] <= PRIO_IMPORTANT;

			if (s->keep[i] || (s->flags[i] & LINE_WITHHELD) || important != (round == 0))
				continue;
			if ((double)(used + s->len[i]) > allowed)
				continue;
			used += s->len[i];
			s->keep[i] = 1;
		}
	s->omitted = 0;
	s->withheld = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->flags[i] & LINE_WITHHELD)
			s->withheld++;
		else if (!s->keep[i])
			s->omitted++;
	}
}

int
jsonl_end_pass(struct jsonl *s)
{
	int r;

	r = flush(s);
	if (r < 0)
		return r;
	if (s->pass == 1 && s->over) {
		if (s->e) {
			bw_entry_discard(s->e);
			s->e = NULL;
		}
		select_lines(s);
		s->pass = 2;
		s->v_over = false;
		s->pos = 0;
		s->written = s->written_bytes = 0;
		free(s->first_cursor);
		free(s->last_cursor);
		s->first_cursor = s->last_cursor = NULL;
		json_object_clear(s->counts);
		return 1;
	}
	r = ensure_entry(s);
	if (r < 0)
		return r;
	if (s->e) {
		r = bw_entry_close(s->e);
		s->e = NULL;
	}
	return r;
}

void
jsonl_counts(const struct jsonl *s, uint64_t *seen, uint64_t *written, uint64_t *withheld,
    uint64_t *omitted)
{
	if (seen)
		*seen = s->n;
	if (written)
		*written = s->written;
	if (withheld)
		*withheld = s->withheld;
	if (omitted)
		*omitted = s->omitted;
}

const char *
jsonl_first_cursor(const struct jsonl *s)
{
	return s->first_cursor;
}

const char *
jsonl_last_cursor(const struct jsonl *s)
{
	return s->last_cursor;
}

json_t *
jsonl_redactions(struct jsonl *s)
{
	return s->counts;
}

void
jsonl_add_redactions(struct jsonl *s, const char *counts, size_t len)
{
	json_auto_t *src = json_loadb(counts, len, 0, NULL);
	const char *k;
	json_t *v;

	red_lock(s);	/* the verifier counts the known values it replaces */
	json_object_foreach(src, k, v) {
		json_t *d = json_object_get(s->counts, k);

		if (d)
			json_integer_set(d, json_integer_value(d) + json_integer_value(v));
		else
			json_object_set_new(s->counts, k, json_integer(json_integer_value(v)));
	}
	red_unlock(s);
}

uint64_t
jsonl_bytes(const struct jsonl *s)
{
	return s->written_bytes;
}
