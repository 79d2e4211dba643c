/* bundle_write.c: writing a bundle: hash entries and spool them as gzip members, then manifest.json first, then the tar.gz. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundle.h"
#include "cleanup.h"
#include "gzip_writer.h"
#include "sha256.h"
#include "timeutil.h"
#include "xalloc.h"

#define SPOOL_THREADS	2		/* compress on the other core while the caller reads the journal */
#define ZEROS_BUF	(256 * 1024)
#define CLEANUP_SLOTS	16		/* writers committing at once, per process */

/* One entry in the spool, in the order added. */
struct spooled {
	char	*relpath;		/* relative to the top directory, normalised */
	uint64_t off;			/* where its gzip members start in the spool */
	uint64_t clen;			/* bytes of gzip members in the spool */
	uint64_t size;			/* uncompressed bytes */
	char	 sha256[SHA256_HEX_LEN + 1];
};

struct bw_entry {
	struct bundle_writer *w;	/* its writer */
	char	*relpath;		/* relative to the top directory */
	uint64_t off;			/* spool offset of its first gzip member */
	uint64_t size;			/* bytes written so far */
	struct sha256 hash;		/* over the bytes written so far (updated on the spool's threads) */
};

struct bundle_writer {
	char	*base;			/* final file name, in dirfd */
	char	*topdir;		/* the single top directory in the archive */
	int	 dirfd;			/* the output's folder */
	int	 spool;			/* unlinked file holding every entry's data as gzip members */
	struct gzw *gz;			/* compresses into the spool on worker threads */
	uint64_t spool_end;		/* spool offset after the last closed entry */
	uint64_t bytes;			/* uncompressed bytes added, open entry included */
	struct spooled *ents;		/* entries, in order */
	size_t	 n_ents, cap_ents;
	json_t	*paths;			/* relpath -> true, to refuse duplicates */
	json_t	*manifest;		/* manifest under construction */
	json_t	*source_index;		/* source name -> its object in "sources" */
	json_t	*redaction_index;	/* relpath -> its object in "redactions" */
	struct bw_entry *open;		/* the entry being written, or NULL */
	char	*err;			/* last error message */
	char	*write_err;		/* first failure to write the spool (disk full, I/O): no commit */
	int	 write_errno;		/* its negative errno */
	void	(*progress)(uint64_t, uint64_t, void *);
	void	*progress_data;
	bool	 committed;		/* the bundle is under its final name */
	int	 out_fd;		/* stream mode (bw_open_stream()): the bundle is copied here, or -1 */
};

/* ---- signal cleanup ---------------------------------------------------- */

/*
 * Temporary names that must go if a signal kills the process.  A slot is
 * filled (name, dirfd) before `used` is set and cleared after, all with the
 * signals blocked, so the handler only ever sees complete slots; it calls
 * nothing but unlinkat(), which is async-signal-safe.
 */
static struct cleanup_slot {
	atomic_int used;
	int	   dirfd;
	char	   name[NAME_MAX + 1];
} cleanup_slots[CLEANUP_SLOTS];

static void
cleanup_handler(int sig)
{
	int saved = errno;

	for (size_t i = 0; i < CLEANUP_SLOTS; i++)
		if (atomic_load(&cleanup_slots[i].used))
			(void)unlinkat(cleanup_slots[i].dirfd, cleanup_slots[i].name, 0);
	errno = saved;
	/* SA_RESETHAND restored the default action: die of the same signal. */
	raise(sig);
}

void
bw_install_signal_cleanup(void)
{
	struct sigaction sa = {.sa_handler = cleanup_handler, .sa_flags = SA_RESETHAND};

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void
restore_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

/* Claims a slot for name in dirfd; call with the signals blocked.  Returns the slot or -1. */
static int
slot_claim(int dirfd, const char *name)
{
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		struct cleanup_slot *s = &cleanup_slots[i];

		if (atomic_load(&s->used))
			continue;
		s->dirfd = dirfd;
		snprintf(s->name, sizeof(s->name), "%s", name);
		atomic_store(&s->used, 1);
		return i;
	}
	return -1;
}

static void
slot_release(int slot)
{
	if (slot >= 0)
		atomic_store(&cleanup_slots[slot].used, 0);
}

/*
 * Creates ".<base>.XXXXXX" (random) in dirfd, mode 0600, registered for signal
 * cleanup.  Returns the fd and fills name and *slot, or a negative errno.
 */
static int
create_temp(int dirfd, const char *base, char name[static NAME_MAX + 1], int *slot)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t blen = strlen(base);

	if (blen > NAME_MAX - 8)
		blen = NAME_MAX - 8;
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char rnd[6];
		sigset_t old;
		int fd, err;

		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		snprintf(name, NAME_MAX + 1, ".%.*s.", (int)blen, base);
		for (size_t i = 0; i < sizeof(rnd); i++)
			name[blen + 2 + i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
		name[blen + 2 + sizeof(rnd)] = '\0';

		block_signals(&old);
		*slot = slot_claim(dirfd, name);
		if (*slot < 0) {
			restore_signals(&old);
			return -EMFILE;
		}
		fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		err = errno;
		if (fd < 0)
			slot_release(*slot);
		restore_signals(&old);
		if (fd >= 0)
			return fd;
		if (err != EEXIST)
			return -err;
	}
	return -EEXIST;
}

/* Unlinks a temporary file and forgets it, with the signals blocked. */
static void
remove_temp(int dirfd, const char *name, int *slot)
{
	sigset_t old;

	if (*slot < 0)
		return;
	block_signals(&old);
	(void)unlinkat(dirfd, name, 0);
	slot_release(*slot);
	*slot = -1;
	restore_signals(&old);
}

/* An unnamed spool in dirfd: O_TMPFILE, else a random name unlinked at once. */
static int
open_spool(int dirfd, const char *base)
{
	char name[NAME_MAX + 1];
	int fd, slot = -1;

	fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
		return -errno;
	fd = create_temp(dirfd, base, name, &slot);
	if (fd < 0)
		return fd;
	remove_temp(dirfd, name, &slot);
	return fd;
}

/* ---- helpers ---------------------------------------------------------- */

static int
set_err(struct bundle_writer *w, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
set_err(struct bundle_writer *w, int r, const char *fmt, ...)
{
	va_list ap;

	free(w->err);
	va_start(ap, fmt);
	w->err = xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

/*
 * Ends the entry being spooled: waits until its members are in the spool.
 * Returns 0 and *end (the spool offset after them), or the spool's error.
 */
static int
spool_sync(struct bundle_writer *w, uint64_t *end)
{
	return gzw_sync(w->gz, end);
}

/* The spool's observer: hashes the open entry's bytes in order, on a compression thread. */
static void
hash_chunk(const void *data, size_t len, void *userdata)
{
	sha256_update(userdata, data, len);
}

/* Gives back what an entry spooled from off on (failed or discarded); the spool stays usable. */
static void
spool_drop(struct bundle_writer *w, uint64_t off)
{
	(void)gzw_sync(w->gz, NULL);
	(void)ftruncate(w->spool, (off_t)off);
	gzw_reset(w->gz, off);
	w->spool_end = off;
}

/* Checks relpath for an entry: normal form, not the manifest, not yet added. */
static int
check_relpath(struct bundle_writer *w, const char *relpath)
{
	_cleanup_free_ char *norm = NULL;
	const char *why;

	if (bundle_path_normalise(relpath, BUNDLE_MAX_PATH - strlen(w->topdir) - 1, &norm, &why) < 0)
		return set_err(w, -EINVAL, "entry '%s': %s", relpath, why);
	if (strcmp(norm, relpath) != 0)
		return set_err(w, -EINVAL, "entry '%s': path not in normal form ('%s')", relpath, norm);
	if (strcmp(relpath, BUNDLE_MANIFEST) == 0)
		return set_err(w, -EINVAL, "entry '%s': the manifest is written by the writer", relpath);
	if (json_object_get(w->paths, relpath))
		return set_err(w, -EEXIST, "entry '%s': added twice", relpath);
	return 0;
}

/*
 * Remembers the first failure to write the spool: data that was read could not
 * be kept, so the bundle cannot be whole and bw_commit() refuses it.
 */
static int
write_failed(struct bundle_writer *w, int r, const char *relpath)
{
	if (w->write_err == NULL) {
		w->write_err = xasprintf("writing entry '%s' to a temporary file failed: %s", relpath,
		    strerror(-r));
		w->write_errno = r;
	}
	return r;
}

static void
record(struct bundle_writer *w, char *relpath, uint64_t off, uint64_t clen, uint64_t size, const char *hex)
{
	struct spooled *s;

	if (w->n_ents == w->cap_ents) {
		w->cap_ents = w->cap_ents ? 2 * w->cap_ents : 32;
		w->ents = xreallocarray(w->ents, w->cap_ents, sizeof(*w->ents));
	}
	s = &w->ents[w->n_ents++];
	s->relpath = relpath;
	s->off = off;
	s->clen = clen;
	s->size = size;
	memcpy(s->sha256, hex, SHA256_HEX_LEN + 1);
	json_object_set_new(w->paths, relpath, json_true());
}

/* ---- the writer --------------------------------------------------------- */

int
bw_open(struct bundle_writer **ret, const char *path, const char *topdir, char **errmsg)
{
	struct bundle_writer *w;
	_cleanup_free_ char *dir = NULL;
	const char *slash = strrchr(path, '/');
	const char *why;
	_cleanup_free_ char *norm = NULL;
	char host[256] = "unknown", when[RFC3339_MAX];
	int r;

	*ret = NULL;
	*errmsg = NULL;
	if (bundle_path_normalise(topdir, NAME_MAX, &norm, &why) < 0 || strchr(norm, '/') ||
	    strcmp(norm, topdir) != 0) {
		*errmsg = xasprintf("top directory '%s': %s", topdir,
		    norm ? "must be a single plain name" : why);
		return -EINVAL;
	}
	if (slash && slash[1] == '\0') {
		*errmsg = xstrdup("the output path names a folder");
		return -EISDIR;
	}
	dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path))) : xstrdup(".");

	w = xcalloc(1, sizeof(*w));
	w->spool = -1;
	w->dirfd = -1;
	w->out_fd = -1;
	w->base = xstrdup(slash ? slash + 1 : path);
	w->topdir = xstrdup(topdir);
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0) {
		r = -errno;
		*errmsg = xasprintf("cannot open folder '%s': %s", dir, strerror(errno));
		bw_free(w);
		return r;
	}
	w->spool = open_spool(w->dirfd, w->base);
	if (w->spool < 0) {
		r = w->spool;
		*errmsg = xasprintf("cannot create a temporary file in '%s': %s", dir, strerror(-r));
		bw_free(w);
		return r;
	}
	w->gz = gzw_new(w->spool, 0, SPOOL_THREADS, GZW_LEVEL);
	w->paths = json_object();
	w->source_index = json_object();
	w->redaction_index = json_object();

	gethostname(host, sizeof(host) - 1);
	w->manifest = json_pack("{s:s, s:i, s:s, s:{s:s}, s:{s:s, s:s}, s:{}, s:[], s:[], s:[], s:[]}",
	    "format", BUNDLE_FORMAT,
	    "format_version", BUNDLE_FORMAT_VERSION,
	    "collected_at", time_rfc3339(time_now_usec(), false, when),
	    "host", "hostname", host,
	    "tool", "name", "triage-collect", "version", TRIAGE_VERSION,
	    "collection",
	    "sources", "redactions", "skipped", "entries");
	if (w->manifest == NULL) {
		/* only a hostname that is not UTF-8 gets here */
		w->manifest = json_pack("{s:s, s:i, s:s, s:{s:s}, s:{s:s, s:s}, s:{}, s:[], s:[], s:[], s:[]}",
		    "format", BUNDLE_FORMAT, "format_version", BUNDLE_FORMAT_VERSION,
		    "collected_at", when, "host", "hostname", "unknown",
		    "tool", "name", "triage-collect", "version", TRIAGE_VERSION,
		    "collection", "sources", "redactions", "skipped", "entries");
	}
	*ret = w;
	return 0;
}

int
bw_open_stream(struct bundle_writer **ret, int fd, const char *tmpdir, const char *topdir, char **errmsg)
{
	_cleanup_free_ char *path = xasprintf("%s/triage-stream.tar.gz", tmpdir);
	int r = bw_open(ret, path, topdir, errmsg);

	if (r < 0)
		return r;
	(*ret)->out_fd = fd;
	return 0;
}

/* Stream mode: copies the finished temporary bundle to the output, whole or with an error. */
static int
copy_out(int from, int to, uint64_t *copied, char **errmsg)
{
	char buf[64 * 1024];
	uint64_t off = 0;

	for (;;) {
		ssize_t n = pread(from, buf, sizeof(buf), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*errmsg = xasprintf("reading the temporary bundle: %s", strerror(errno));
			return -errno;
		}
		if (n == 0)
			break;
		for (ssize_t done = 0; done < n;) {
			ssize_t k = write(to, buf + done, (size_t)(n - done));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				int e = errno;

				*errmsg = xasprintf("writing the bundle to the output failed after %" PRIu64
				    " bytes: %s", off + (uint64_t)done, strerror(e));
				return -e;
			}
			done += k;
		}
		off += (uint64_t)n;
	}
	*copied = off;
	return 0;
}

void
bw_free(struct bundle_writer *w)
{
	if (w == NULL)
		return;
	if (w->open)
		bw_entry_discard(w->open);
	gzw_free(w->gz);
	if (w->spool >= 0)
		close(w->spool);
	if (w->dirfd >= 0)
		close(w->dirfd);
	for (size_t i = 0; i < w->n_ents; i++)
		free(w->ents[i].relpath);
	free(w->ents);
	json_decref(w->paths);
	json_decref(w->manifest);
	json_decref(w->source_index);
	json_decref(w->redaction_index);
	free(w->base);
	free(w->topdir);
	free(w->err);
	free(w->write_err);
	free(w);
}

const char *
bw_error(const struct bundle_writer *w)
{
	return w->err;
}

void
bw_set_progress(struct bundle_writer *w, void (*cb)(uint64_t, uint64_t, void *), void *userdata)
{
	w->progress = cb;
	w->progress_data = userdata;
}

/* Whether an entry may start now: none open, not committed, a good new path.  0 or -errno (set_err). */
static int
check_new_entry(struct bundle_writer *w, const char *relpath)
{
	if (w->open)
		return set_err(w, -EBUSY, "entry '%s': entry '%s' is still open", relpath, w->open->relpath);
	if (w->committed)
		return set_err(w, -EALREADY, "entry '%s': the bundle is already committed", relpath);
	return check_relpath(w, relpath);
}

int
bw_add(struct bundle_writer *w, const char *relpath, const void *data, size_t len)
{
	char hex[SHA256_HEX_LEN + 1];
	uint64_t off = w->spool_end, end;
	int r;

	if ((r = check_new_entry(w, relpath)) < 0)
		return r;
	/* on failure nothing of it counts: its members are cut from the spool */
	r = gzw_write(w->gz, data, len);
	if (r == 0)
		r = spool_sync(w, &end);
	if (r < 0) {
		spool_drop(w, off);
		write_failed(w, r, relpath);
		return set_err(w, r, "entry '%s': spooling: %s", relpath, strerror(-r));
	}
	sha256_hex(data, len, hex);
	record(w, xstrdup(relpath), off, end - off, len, hex);
	w->spool_end = end;
	w->bytes += len;
	return 0;
}

int
bw_entry_open(struct bundle_writer *w, const char *relpath, struct bw_entry **ret)
{
	struct bw_entry *e;
	int r;

	*ret = NULL;
	if ((r = check_new_entry(w, relpath)) < 0)
		return r;
	e = xcalloc(1, sizeof(*e));
	e->w = w;
	e->relpath = xstrdup(relpath);
	e->off = w->spool_end;
	sha256_init(&e->hash);
	/* the spool is idle between entries: the observer may change */
	gzw_observe(w->gz, hash_chunk, &e->hash);
	w->open = e;
	*ret = e;
	return 0;
}

int
bw_entry_write(struct bw_entry *e, const void *data, size_t len)
{
	int r = gzw_write(e->w->gz, data, len);

	if (r < 0) {
		write_failed(e->w, r, e->relpath);
		return set_err(e->w, r, "entry '%s': spooling: %s", e->relpath, strerror(-r));
	}
	e->size += len;
	e->w->bytes += len;
	return 0;
}

uint64_t
bw_entry_size(const struct bw_entry *e)
{
	return e->size;
}

int
bw_entry_close(struct bw_entry *e)
{
	struct bundle_writer *w = e->w;
	char hex[SHA256_HEX_LEN + 1];
	uint64_t end;
	int r = spool_sync(w, &end);

	if (r < 0) {
		/* a member did not reach the spool: the entry is dropped, the bundle cannot be whole */
		write_failed(w, r, e->relpath);
		set_err(w, r, "entry '%s': spooling: %s", e->relpath, strerror(-r));
		bw_entry_discard(e);
		return r;
	}
	gzw_observe(w->gz, NULL, NULL);
	sha256_final_hex(&e->hash, hex);
	record(w, TAKE_PTR(e->relpath), e->off, end - e->off, e->size, hex);
	w->spool_end = end;
	w->open = NULL;
	free(e);
	return 0;
}

void
bw_entry_discard(struct bw_entry *e)
{
	struct bundle_writer *w;

	if (e == NULL)
		return;
	w = e->w;
	/* Give its bytes back: wait for its members, cut them from the spool. */
	spool_drop(w, e->off);
	gzw_observe(w->gz, NULL, NULL);
	w->bytes -= e->size;
	sha256_done(&e->hash);
	w->open = NULL;
	free(e->relpath);
	free(e);
}

int
bw_remove(struct bundle_writer *w, const char *relpath)
{
	size_t i;

	for (i = 0; i < w->n_ents; i++)
		if (strcmp(w->ents[i].relpath, relpath) == 0)
			break;
	if (i == w->n_ents || w->committed)
		return -ENOENT;
	w->bytes -= w->ents[i].size;
	/* The last entry's members can be given back; an earlier one's bytes stay unused in the spool. */
	if (i + 1 == w->n_ents && w->open == NULL)
		spool_drop(w, w->ents[i].off);
	json_object_del(w->paths, relpath);
	free(w->ents[i].relpath);
	memmove(&w->ents[i], &w->ents[i + 1], (w->n_ents - i - 1) * sizeof(*w->ents));
	w->n_ents--;
	return 0;
}

const char *
bw_write_error(const struct bundle_writer *w)
{
	return w->write_err;
}

uint64_t
bw_bytes(const struct bundle_writer *w)
{
	return w->bytes;
}

json_t *
bw_manifest(struct bundle_writer *w)
{
	return w->manifest;
}

json_t *
bw_source_object(struct bundle_writer *w, const char *name)
{
	json_t *o = json_object_get(w->source_index, name);

	if (o)
		return o;
	o = json_pack("{s:s, s:s, s:s}", "name", name, "status", "ok", "detail", "");
	if (o == NULL) /* name is not UTF-8 */
		o = json_pack("{s:s, s:s, s:s}", "name", "(not UTF-8)", "status", "ok", "detail", "");
	json_array_append_new(json_object_get(w->manifest, "sources"), o);
	json_object_set(w->source_index, name, o);
	return o;
}

void
bw_source(struct bundle_writer *w, const char *name, enum source_status status,
    const char *detail_fmt, ...)
{
	json_t *o = bw_source_object(w, name);
	_cleanup_free_ char *detail = NULL;
	va_list ap;

	if (detail_fmt) {
		va_start(ap, detail_fmt);
		detail = xvasprintf(detail_fmt, ap);
		va_end(ap);
	}
	json_object_set_new(o, "status", json_string(source_status_name(status)));
	if (json_object_set_new(o, "detail", json_string(detail ? detail : "")) < 0)
		json_object_set_new(o, "detail", json_string("(detail is not UTF-8)"));
}

void
bw_redaction(struct bundle_writer *w, const char *relpath, const char *rule, unsigned n)
{
	json_t *o, *rules;

	if (n == 0)
		return;
	o = json_object_get(w->redaction_index, relpath);
	if (o == NULL) {
		o = json_pack("{s:s, s:I, s:{}}", "path", relpath, "count", (json_int_t)0, "rules");
		if (o == NULL)
			return;
		json_array_append_new(json_object_get(w->manifest, "redactions"), o);
		json_object_set(w->redaction_index, relpath, o);
	}
	json_object_set_new(o, "count",
	    json_integer(json_integer_value(json_object_get(o, "count")) + (json_int_t)n));
	rules = json_object_get(o, "rules");
	json_object_set_new(rules, rule,
	    json_integer(json_integer_value(json_object_get(rules, rule)) + (json_int_t)n));
}

void
bw_kept(struct bundle_writer *w, const char *relpath, const char *rule, unsigned n)
{
	json_t *o, *kept;

	if (n == 0)
		return;
	o = json_object_get(w->redaction_index, relpath);
	if (o == NULL) {
		o = json_pack("{s:s, s:I, s:{}}", "path", relpath, "count", (json_int_t)0, "rules");
		if (o == NULL)
			return;
		json_array_append_new(json_object_get(w->manifest, "redactions"), o);
		json_object_set(w->redaction_index, relpath, o);
	}
	kept = json_object_get(o, "kept");
	if (!json_is_object(kept)) {
		kept = json_object();
		json_object_set_new(o, "kept", kept);
	}
	json_object_set_new(kept, rule,
	    json_integer(json_integer_value(json_object_get(kept, rule)) + (json_int_t)n));
}

void
bw_skipped(struct bundle_writer *w, const char *path, const char *reason)
{
	json_t *o = json_pack("{s:s, s:s}", "path", path, "reason", reason);

	if (o)
		json_array_append_new(json_object_get(w->manifest, "skipped"), o);
}

/* ---- output: the compression seam ------------------------------------- */

/*
 * Where the archive's bytes go.  libarchive writes the tar format unblocked
 * and uncompressed (bytes_per_block 0: each header, data run and padding
 * reaches sink_write() at once, in order); the sink compresses them into gzip
 * members.  An entry's data is already compressed in the spool: while
 * libarchive is fed placeholder bytes for it (skip > 0), the sink drops them
 * and the spool's members are copied in their place.  gzip allows any number
 * of members in one stream, and a member boundary need not fall on a tar
 * block, so the output is one valid .tar.gz.
 */
struct sink {
	int	 fd;		/* the temporary output file */
	struct gzw *gz;		/* compresses headers, padding and the manifest */
	uint64_t skip;		/* placeholder bytes still to drop */
};

static la_ssize_t
sink_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct sink *s = data;
	int r;

	if (s->skip > 0) {
		if (len > s->skip) {
			archive_set_error(a, EIO, "internal error: the tar data does not match the spool");
			return -1;
		}
		s->skip -= len;
		return (la_ssize_t)len;
	}
	r = gzw_write(s->gz, buf, len);
	if (r < 0) {
		archive_set_error(a, -r, "%s", strerror(-r));
		return -1;
	}
	return (la_ssize_t)len;
}

static int
output_open(struct archive *a, struct sink *s)
{
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_open2(a, s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK)
		return -1;
	return 0;
}

double
bw_compress_ratio(const void *sample, size_t len)
{
	if (len == 0)
		return 1.0;
	return (double)gzw_compressed_size(sample, len) / (double)len;
}

/* ---- commit ------------------------------------------------------------- */

static int
write_entry(struct archive *a, struct archive_entry *ae, const char *topdir, const char *relpath,
    uint64_t size, time_t mtime)
{
	_cleanup_free_ char *name = xasprintf("%s/%s", topdir, relpath);

	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0600);
	archive_entry_set_size(ae, (la_int64_t)size);
	archive_entry_set_mtime(ae, mtime, 0);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	return archive_write_header(a, ae);
}

/*
 * Puts an entry's data into the archive: the header's member is finished,
 * the spooled members are copied after it, and libarchive is fed as many
 * placeholder bytes (dropped by the sink) so that it pads and goes on.
 */
static int
copy_entry(struct bundle_writer *w, struct archive *a, struct sink *sink, const struct spooled *s,
    const char *zeros, char **errmsg)
{
	uint64_t left = s->size;
	int r;

	if ((r = gzw_sync(sink->gz, NULL)) < 0 || (r = gzw_copy(sink->gz, w->spool, s->off, s->clen)) < 0) {
		*errmsg = xasprintf("writing entry '%s': %s", s->relpath, strerror(-r));
		return r;
	}
	sink->skip = s->size;
	while (left > 0) {
		size_t n = left < ZEROS_BUF ? (size_t)left : ZEROS_BUF;
		la_ssize_t k = archive_write_data(a, zeros, n);

		if (k <= 0) {
			r = archive_errno(a) > 0 ? -archive_errno(a) : -EIO;
			*errmsg = xasprintf("writing entry '%s': %s", s->relpath,
			    archive_error_string(a) ? archive_error_string(a) : "libarchive failed");
			return r;
		}
		left -= (uint64_t)k;
	}
	if (sink->skip != 0) {
		*errmsg = xasprintf("writing entry '%s': internal error: libarchive held back data", s->relpath);
		return -EIO;
	}
	return 0;
}

/* Refuses a commit that cannot make a whole bundle: one made already, an entry still open, a spool not written whole. */
static int
commit_ready(struct bundle_writer *w, char **errmsg)
{
	int r;

	if (w->committed) {
		*errmsg = xstrdup("the bundle is already committed");
		return -EALREADY;
	}
	if (w->open) {
		*errmsg = xasprintf("entry '%s' is still open", w->open->relpath);
		return -EBUSY;
	}
	if ((r = spool_sync(w, NULL)) < 0) {
		*errmsg = xasprintf("spooling: %s", strerror(-r));
		return r;
	}
	if (w->write_err) {
		*errmsg = xasprintf("the bundle could not be written whole: %s", w->write_err);
		return w->write_errno;
	}
	return 0;
}

/*
 * Lists the entries in the manifest, checks it and encodes it into *json (free() it);
 * *total gets the entries' bytes, for the progress callback.
 */
static int
manifest_encode(struct bundle_writer *w, char **json, uint64_t *total, char **errmsg)
{
	json_t *entries = json_array();
	int r;

	for (size_t i = 0; i < w->n_ents; i++) {
		json_array_append_new(entries, json_pack("{s:s, s:I, s:s}", "path", w->ents[i].relpath,
		    "size", (json_int_t)w->ents[i].size, "sha256", w->ents[i].sha256));
		*total += w->ents[i].size;
	}
	json_object_set_new(w->manifest, "entries", entries);
	if ((r = manifest_check(w->manifest, NULL, errmsg)) < 0)
		return r;
	*json = json_dumps(w->manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (*json == NULL) {
		*errmsg = xstrdup(BUNDLE_MANIFEST ": cannot encode (a value that is not UTF-8?)");
		return -EINVAL;
	}
	return 0;
}

/* Reports the failed libarchive call on a in *errmsg; returns its errno, negative. */
static int
archive_failed(struct archive *a, char **errmsg)
{
	int r = archive_errno(a) > 0 ? -archive_errno(a) : -EIO;

	*errmsg = xasprintf("writing the bundle: %s",
	    archive_error_string(a) ? archive_error_string(a) : "libarchive failed");
	return r;
}

/*
 * Writes the tar.gz into the sink: the manifest (json) first, then every spooled entry
 * in the order they were added, reporting progress against total; then finishes the
 * archive and flushes the gzip stream to the sink's file.
 */
static int
write_archive(struct bundle_writer *w, struct archive *a, struct sink *sink, const char *json,
    uint64_t total, char **errmsg)
{
	_cleanup_free_ char *zeros = xcalloc(1, ZEROS_BUF);
	struct archive_entry *ae = archive_entry_new();
	uint64_t done = 0;
	time_t mtime = time(NULL);
	int r = 0;

	if (output_open(a, sink) < 0)
		goto archive_fail;
	if (write_entry(a, ae, w->topdir, BUNDLE_MANIFEST, strlen(json), mtime) != ARCHIVE_OK ||
	    archive_write_data(a, json, strlen(json)) != (la_ssize_t)strlen(json))
		goto archive_fail;
	for (size_t i = 0; i < w->n_ents; i++) {
		const struct spooled *s = &w->ents[i];

		if (write_entry(a, ae, w->topdir, s->relpath, s->size, mtime) != ARCHIVE_OK)
			goto archive_fail;
		if ((r = copy_entry(w, a, sink, s, zeros, errmsg)) < 0)
			goto out;
		done += s->size;
		if (w->progress)
			w->progress(done, total, w->progress_data);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto archive_fail;
	if ((r = gzw_sync(sink->gz, NULL)) < 0)
		*errmsg = xasprintf("writing the bundle: %s", strerror(-r));
	goto out;

archive_fail:
	r = archive_failed(a, errmsg);
out:
	archive_entry_free(ae);
	return r;
}

/*
 * Copies the finished temporary file (*fd) to the output descriptor, then closes and
 * removes it: complete on disk first, so nothing reaches the output unless all of it can.
 */
static int
hand_out(struct bundle_writer *w, int *fd, const char *tmpname, int *slot, uint64_t *size, char **errmsg)
{
	uint64_t copied = 0;
	int r = copy_out(*fd, w->out_fd, &copied, errmsg);

	if (r < 0)
		return r;
	close(TAKE_FD(*fd));
	remove_temp(w->dirfd, tmpname, slot);
	*size = copied;
	return 0;
}

/* Closes the finished temporary file (*fd) and renames it to the bundle's name. */
static int
rename_into_place(struct bundle_writer *w, int *fd, const char *tmpname, int *slot, char **errmsg)
{
	sigset_t old;
	int r;

	if (close(TAKE_FD(*fd)) < 0) {
		r = -errno;
		*errmsg = xasprintf("writing the bundle: %s", strerror(errno));
		return r;
	}
	if (renameat(w->dirfd, tmpname, w->dirfd, w->base) < 0) {
		r = -errno;
		*errmsg = xasprintf("cannot rename the temporary file into place: %s", strerror(errno));
		return r;
	}
	/* It is under its final name now: nothing to clean up any more. */
	block_signals(&old);
	slot_release(*slot);
	restore_signals(&old);
	*slot = -1;
	(void)fsync(w->dirfd);
	return 0;
}

int
bw_commit(struct bundle_writer *w, uint64_t *final_size, char **errmsg)
{
	char tmpname[NAME_MAX + 1];
	_cleanup_free_ char *json = NULL;
	struct archive *a = NULL;
	struct sink sink = {.fd = -1};
	struct stat st;
	uint64_t total = 0, size;
	int slot = -1, r;

	*errmsg = NULL;
	if ((r = commit_ready(w, errmsg)) < 0 || (r = manifest_encode(w, &json, &total, errmsg)) < 0)
		return r;

	sink.fd = create_temp(w->dirfd, w->base, tmpname, &slot);
	if (sink.fd < 0) {
		r = sink.fd;
		*errmsg = xasprintf("cannot create a temporary file: %s", strerror(-r));
		return r;
	}
	/* headers and padding are small: compressed in this thread */
	sink.gz = gzw_new(sink.fd, 0, 0, GZW_LEVEL);
	a = archive_write_new();
	if ((r = write_archive(w, a, &sink, json, total, errmsg)) < 0)
		goto fail;
	if (fchmod(sink.fd, 0600) < 0 || fsync(sink.fd) < 0 || fstat(sink.fd, &st) < 0) {
		r = -errno;
		*errmsg = xasprintf("writing the bundle: %s", strerror(errno));
		goto fail;
	}
	size = (uint64_t)st.st_size;
	if (w->out_fd >= 0)
		r = hand_out(w, &sink.fd, tmpname, &slot, &size, errmsg);
	else
		r = rename_into_place(w, &sink.fd, tmpname, &slot, errmsg);
	if (r < 0)
		goto fail;
	archive_write_free(a);
	gzw_free(sink.gz);
	w->committed = true;
	if (final_size)
		*final_size = size;
	return 0;

fail:
	if (sink.fd >= 0)
		close(sink.fd);
	remove_temp(w->dirfd, tmpname, &slot);
	if (a) {
		/* archive_write_free() would try to finish the archive into the sink: fail it first. */
		archive_write_fail(a);
		archive_write_free(a);
	}
	gzw_free(sink.gz);
	return r;
}
