/* gzip_writer.c: multi-member gzip (RFC 1952) output, chunks compressed by libdeflate on worker threads, written in order. */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#include "gzip_writer.h"
#include "xalloc.h"

#define MAX_SLOTS	8
#define COPY_BUF	(256 * 1024)

enum slot_state {
	SLOT_FREE,		/* unused, or written and reusable */
	SLOT_FILLING,		/* the caller is appending input */
	SLOT_READY,		/* full: waiting for a worker */
	SLOT_BUSY,		/* a worker is compressing it */
	SLOT_DONE,		/* compressed: waiting for its turn to be written */
};

/* One chunk of input and its member, in the ring. */
struct slot {
	enum slot_state state;
	uint64_t seq;		/* position in the stream (members are written by seq) */
	char	*in;		/* GZW_CHUNK bytes of input */
	size_t	 in_len;
	char	*out;		/* the compressed member */
	size_t	 out_len, out_cap;
};

struct gzw {
	int	 fd;			/* output */
	uint64_t off;			/* where the next member goes */
	int	 level;			/* libdeflate level */
	unsigned nthreads;		/* workers (0: compress in the caller) */
	unsigned nslots;		/* ring size */
	bool	 started;		/* workers running */
	pthread_t threads[MAX_SLOTS];
	struct libdeflate_compressor *inline_c;	/* nthreads == 0 */
	void	(*observe)(const void *, size_t, void *);	/* sees the input in order, or NULL */
	void	*observe_data;

	pthread_mutex_t mu;		/* guards everything below */
	pthread_cond_t work;		/* a slot became READY, or quit */
	pthread_cond_t done;		/* a slot was written (became FREE) */
	struct slot slots[MAX_SLOTS];
	struct slot *cur;		/* the slot the caller fills, or NULL */
	uint64_t next_fill;		/* seq the next filled slot gets */
	uint64_t next_write;		/* seq of the next member to write */
	bool	 writing;		/* a thread is writing a member (keeps order) */
	bool	 quit;			/* workers must stop */
	int	 err;			/* first error since the last reset (negative errno) */
};

static struct libdeflate_compressor *
compressor_new(int level)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);

	if (c == NULL)
		errx(1, "out of memory");	/* as the x* allocators do */
	return c;
}

static int
pwrite_full(int fd, const void *data, size_t len, uint64_t off)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static void
compress_slot(struct libdeflate_compressor *c, struct slot *s)
{
	size_t bound = libdeflate_gzip_compress_bound(c, s->in_len);

	if (s->out_cap < bound) {
		free(s->out);
		s->out = xmalloc(bound);
		s->out_cap = bound;
	}
	s->out_len = libdeflate_gzip_compress(c, s->in, s->in_len, s->out, s->out_cap);
}

/*
 * Writes DONE members in seq order.  Called with mu held; drops it around the
 * write.  Only one thread writes at a time (g->writing), so members never
 * overtake each other and g->off moves only here.
 */
static void
drain(struct gzw *g)
{
	while (!g->writing && g->next_write < g->next_fill) {
		struct slot *s = &g->slots[g->next_write % g->nslots];
		int r = 0;

		if (s->state != SLOT_DONE || s->seq != g->next_write)
			return;
		g->writing = true;
		if (g->err == 0 || g->observe) {
			void (*observe)(const void *, size_t, void *) = g->observe;
			void *observe_data = g->observe_data;
			uint64_t off = g->off;
			bool ok = g->err == 0;

			pthread_mutex_unlock(&g->mu);
			if (observe)
				observe(s->in, s->in_len, observe_data);
			if (ok)
				r = pwrite_full(g->fd, s->out, s->out_len, off);
			pthread_mutex_lock(&g->mu);
			if (r < 0 && g->err == 0)
				g->err = r;
			else if (r == 0)
				g->off += s->out_len;
		}
		/* after an error later members are dropped: the caller resets or gives up */
		s->state = SLOT_FREE;
		s->in_len = 0;
		g->next_write++;
		g->writing = false;
		pthread_cond_broadcast(&g->done);
	}
}

static void *
worker(void *arg)
{
	struct gzw *g = arg;
	struct libdeflate_compressor *c = compressor_new(g->level);

	pthread_mutex_lock(&g->mu);
	for (;;) {
		struct slot *s = NULL;

		for (uint64_t q = g->next_write; q < g->next_fill; q++) {
			struct slot *t = &g->slots[q % g->nslots];

			if (t->state == SLOT_READY && t->seq == q) {
				s = t;
				break;
			}
		}
		if (s == NULL) {
			if (g->quit)
				break;
			pthread_cond_wait(&g->work, &g->mu);
			continue;
		}
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&g->mu);
		compress_slot(c, s);
		pthread_mutex_lock(&g->mu);
		s->state = SLOT_DONE;
		drain(g);
	}
	pthread_mutex_unlock(&g->mu);
	libdeflate_free_compressor(c);
	return NULL;
}

struct gzw *
gzw_new(int fd, uint64_t off, unsigned threads, int level)
{
	struct gzw *g = xcalloc(1, sizeof(*g));

	g->fd = fd;
	g->off = off;
	g->level = level;
	g->nthreads = threads > MAX_SLOTS - 2 ? MAX_SLOTS - 2 : threads;
	g->nslots = g->nthreads + 2;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work, NULL);
	pthread_cond_init(&g->done, NULL);
	return g;
}

/* Starts the workers with every signal blocked, so that handlers run in the caller's thread. */
static void
start_workers(struct gzw *g)
{
	sigset_t all, old;

	if (g->started)
		return;
	if (g->nthreads == 0) {
		g->inline_c = compressor_new(g->level);
		g->started = true;
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < g->nthreads; i++)
		if (pthread_create(&g->threads[i], NULL, worker, g) != 0)
			errx(1, "cannot start a compression thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	g->started = true;
}

void
gzw_free(struct gzw *g)
{
	if (g == NULL)
		return;
	if (g->started && g->nthreads > 0) {
		pthread_mutex_lock(&g->mu);
		g->quit = true;
		pthread_cond_broadcast(&g->work);
		pthread_mutex_unlock(&g->mu);
		for (unsigned i = 0; i < g->nthreads; i++)
			pthread_join(g->threads[i], NULL);
	}
	if (g->inline_c)
		libdeflate_free_compressor(g->inline_c);
	for (unsigned i = 0; i < g->nslots; i++) {
		free(g->slots[i].in);
		free(g->slots[i].out);
	}
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->work);
	pthread_cond_destroy(&g->done);
	free(g);
}

/* Hands the slot being filled to the workers (or compresses and writes it here).  Returns the sticky error. */
static int
submit(struct gzw *g)
{
	struct slot *s = g->cur;
	int r;

	g->cur = NULL;
	start_workers(g);
	pthread_mutex_lock(&g->mu);
	s->seq = g->next_fill++;
	if (g->nthreads == 0) {
		pthread_mutex_unlock(&g->mu);
		compress_slot(g->inline_c, s);
		pthread_mutex_lock(&g->mu);
		s->state = SLOT_DONE;
		drain(g);
	} else {
		s->state = SLOT_READY;
		pthread_cond_signal(&g->work);
	}
	r = g->err;
	pthread_mutex_unlock(&g->mu);
	return r;
}

/* Takes the next slot of the ring for filling, waiting while it is still in use. */
static struct slot *
acquire(struct gzw *g)
{
	struct slot *s = &g->slots[g->next_fill % g->nslots];

	pthread_mutex_lock(&g->mu);
	while (s->state != SLOT_FREE)
		pthread_cond_wait(&g->done, &g->mu);
	s->state = SLOT_FILLING;
	pthread_mutex_unlock(&g->mu);
	if (s->in == NULL)
		s->in = xmalloc(GZW_CHUNK);
	s->in_len = 0;
	return s;
}

int
gzw_write(struct gzw *g, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		size_t n;

		if (g->cur == NULL)
			g->cur = acquire(g);
		n = GZW_CHUNK - g->cur->in_len;
		if (n > len)
			n = len;
		memcpy(g->cur->in + g->cur->in_len, p, n);
		g->cur->in_len += n;
		p += n;
		len -= n;
		if (g->cur->in_len == GZW_CHUNK) {
			int r = submit(g);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

int
gzw_sync(struct gzw *g, uint64_t *off)
{
	int r;

	if (g->cur && g->cur->in_len > 0)
		(void)submit(g);
	else if (g->cur) {
		/* acquired but empty: give it back */
		pthread_mutex_lock(&g->mu);
		g->cur->state = SLOT_FREE;
		pthread_mutex_unlock(&g->mu);
		g->cur = NULL;
	}
	pthread_mutex_lock(&g->mu);
	while (g->next_write < g->next_fill || g->writing)
		pthread_cond_wait(&g->done, &g->mu);
	r = g->err;
	if (off)
		*off = g->off;
	pthread_mutex_unlock(&g->mu);
	return r;
}

int
gzw_copy(struct gzw *g, int srcfd, uint64_t off, uint64_t len)
{
	char *buf;
	int r = 0;

	if (g->err < 0)
		return g->err;
	if (len == 0)
		return 0;
	buf = xmalloc(COPY_BUF);
	while (len > 0) {
		size_t want = len < COPY_BUF ? (size_t)len : COPY_BUF;
		ssize_t n = pread(srcfd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		if ((r = pwrite_full(g->fd, buf, (size_t)n, g->off)) < 0)
			break;
		g->off += (uint64_t)n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	free(buf);
	if (r < 0)
		g->err = r;
	return r;
}

void
gzw_observe(struct gzw *g, void (*fn)(const void *data, size_t len, void *userdata), void *userdata)
{
	pthread_mutex_lock(&g->mu);
	g->observe = fn;
	g->observe_data = userdata;
	pthread_mutex_unlock(&g->mu);
}

void
gzw_reset(struct gzw *g, uint64_t off)
{
	pthread_mutex_lock(&g->mu);
	g->err = 0;
	g->off = off;
	pthread_mutex_unlock(&g->mu);
}

uint64_t
gzw_compressed_size(const void *data, size_t len)
{
	struct libdeflate_compressor *c = compressor_new(GZW_LEVEL);
	size_t cap = libdeflate_gzip_compress_bound(c, len < GZW_CHUNK ? len : GZW_CHUNK);
	char *out = xmalloc(cap);
	const char *p = data;
	uint64_t total = 0;

	do {
		size_t n = len < GZW_CHUNK ? len : GZW_CHUNK;

		total += libdeflate_gzip_compress(c, p, n, out, cap);
		p += n;
		len -= n;
	} while (len > 0);
	free(out);
	libdeflate_free_compressor(c);
	return total;
}
