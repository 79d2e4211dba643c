/* load.c: a bundle into the model: small files kept, journals streamed once, integrity and leaks noted. */
#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "cleanup.h"
#include "redact.h"
#include "timeutil.h"

#define STDIN_MAX ((size_t)256 << 20)	/* bytes of a bundle taken from a pipe (256 MiB: a larger one is given by name) */

#define READ_CHUNK	(256 * 1024)
#define SECRETS_KEPT	50

struct model *
model_new(const struct ruleset *rs, const char *bundle_path)
{
	struct model *m = xcalloc(1, sizeof(*m));

	m->rs = rs;
	m->bundle_path = xstrdup(bundle_path ? bundle_path : "");
	return m;
}

static void
jresult_free(struct jresult *jr)
{
	size_t i;

	if (jr == NULL)
		return;
	for (i = 0; i < EVIDENCE_HEAD; i++)
		evidence_clear(&jr->head[i]);
	for (i = 0; i < EVIDENCE_TAIL; i++)
		evidence_clear(&jr->tail[i]);
	for (i = 0; i < jr->n_caps; i++) {
		free(jr->cap_names[i]);
		free(jr->cap_values[i]);
	}
	free(jr->cap_names);
	free(jr->cap_values);
	free(jr);
}

void
model_free(struct model *m)
{
	size_t i, k;

	if (m == NULL)
		return;
	free(m->bundle_path);
	json_decref(m->manifest);
	json_decref(m->host);
	free(m->hostname);
	free(m->collected_at);
	for (i = 0; i < m->n_files; i++) {
		free(m->files[i].path);
		free(m->files[i].data);
		ynode_free(m->files[i].tree);
		free(m->files[i].parse_error);
		json_decref(m->files[i].json);
	}
	free(m->files);
	for (i = 0; i < m->n_journals; i++) {
		struct journal_file *jf = &m->journals[i];

		free(jf->path);
		free(jf->unit);
		for (k = 0; k < jf->n_res; k++)
			jresult_free(jf->res[k]);
		free(jf->res);
		free(jf->want);
	}
	free(m->journals);
	for (i = 0; i < m->n_integrity; i++) {
		free(m->integrity[i].path);
		free(m->integrity[i].problem);
	}
	free(m->integrity);
	for (i = 0; i < m->n_secrets; i++) {
		free(m->secrets[i].path);
		free(m->secrets[i].kind);
	}
	free(m->secrets);
	for (i = 0; i < m->n_notes; i++)
		free(m->notes[i]);
	free(m->notes);
	ecs_model_free(m->ecs);
	free(m);
}

void
model_note(struct model *m, const char *fmt, ...)
{
	va_list ap;

	m->notes = xreallocarray(m->notes, m->n_notes + 1, sizeof(*m->notes));
	va_start(ap, fmt);
	m->notes[m->n_notes++] = xvasprintf(fmt, ap);
	va_end(ap);
}

struct kfile *
model_add_file(struct model *m, const char *path, char *data, size_t len, enum br_verdict verdict)
{
	struct kfile *kf;

	m->files = xreallocarray(m->files, m->n_files + 1, sizeof(*m->files));
	kf = &m->files[m->n_files++];
	memset(kf, 0, sizeof(*kf));
	kf->path = xstrdup(path);
	kf->data = data;
	kf->len = len;
	kf->verdict = verdict;
	if (strcmp(path, BUNDLE_PATH_HOST) == 0 && verdict == BR_VERIFIED) {
		json_decref(m->host);
		m->host = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
		if (m->host != NULL && !json_is_object(m->host)) {
			json_decref(m->host);
			m->host = NULL;
		}
	}
	return kf;
}

void
model_integrity(struct model *m, const char *path, const char *problem)
{
	m->integrity = xreallocarray(m->integrity, m->n_integrity + 1, sizeof(*m->integrity));
	m->integrity[m->n_integrity].path = xstrdup(path);
	m->integrity[m->n_integrity].problem = xstrdup(problem);
	m->n_integrity++;
}

struct journal_file *
model_add_journal(struct model *m, const char *path)
{
	struct journal_file *jf;
	const char *base = BUNDLE_IN_DIR(path, BUNDLE_DIR_JOURNAL) ? path + BUNDLE_DIR_LEN(BUNDLE_DIR_JOURNAL) : path;
	size_t bl = strlen(base), i;
	const json_t *src;
	_cleanup_free_ char *name = NULL;
	uint64_t t;

	m->journals = xreallocarray(m->journals, m->n_journals + 1, sizeof(*m->journals));
	jf = &m->journals[m->n_journals++];
	memset(jf, 0, sizeof(*jf));
	jf->path = xstrdup(path);
	jf->unit = bl > 6 && strcmp(base + bl - 6, ".jsonl") == 0 ? xstrndup(base, bl - 6) : xstrdup(base);
	jf->verdict = BR_PENDING;
	jf->n_res = m->rs ? m->rs->n_jconds : 0;
	jf->res = xcalloc(jf->n_res ? jf->n_res : 1, sizeof(*jf->res));
	jf->want = xcalloc(jf->n_res ? jf->n_res : 1, sizeof(*jf->want));
	for (i = 0; i < jf->n_res; i++)
		if (fnmatch(m->rs->jconds[i]->unit, jf->unit, 0) == 0) {
			jf->res[i] = xcalloc(1, sizeof(struct jresult));
			jf->want[i] = true;
		}
	name = xasprintf(BUNDLE_DIR_JOURNAL "%s", jf->unit);
	src = model_source(m, name);
	/* A collector that could not read the journal may still have left a file (older versions). */
	if (src != NULL && json_is_string(json_object_get(src, "status")) &&
	    (strcmp(json_string_value(json_object_get(src, "status")), "unavailable") == 0 ||
	    strcmp(json_string_value(json_object_get(src, "status")), "error") == 0))
		jf->unread = true;
	if (src != NULL && json_is_string(json_object_get(src, "until")) &&
	    time_parse_rfc3339(json_string_value(json_object_get(src, "until")), &t) == 0)
		jf->slice_end = t;
	else if (m->collected_at != NULL && time_parse_rfc3339(m->collected_at, &t) == 0)
		jf->slice_end = t;
	return jf;
}

static unsigned long
count_lines_in(const char *p, size_t len)
{
	const char *end = p + len;
	unsigned long n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Where the leak check is looking. */
struct secret_ctx {
	struct model *m;
	const char *path;	/* bundle path */
	unsigned long base;	/* lines before the scanned text */
};

static void
secret_cb(unsigned line, const char *kind, void *userdata)
{
	struct secret_ctx *sc = userdata;
	struct model *m = sc->m;

	m->secrets_total++;
	if (m->n_secrets >= SECRETS_KEPT)
		return;
	m->secrets = xreallocarray(m->secrets, m->n_secrets + 1, sizeof(*m->secrets));
	m->secrets[m->n_secrets].path = xstrdup(sc->path);
	m->secrets[m->n_secrets].line = sc->base + line;
	m->secrets[m->n_secrets].kind = xstrdup(kind ? kind : "secret");
	m->n_secrets++;
}

/*
 * The bytes of the JSON byte arrays ("NAME":[27,91,...]) of one line, with
 * terminal escapes and CR taken out, and, when NULs show UTF-16, once more
 * without them; false when the line has none.
 */
static bool
line_arrays(const char *p, const char *end, struct buf *b)
{
	struct buf raw = { 0 };
	const char *q = p;
	size_t i;
	bool nul = false;

	while ((q = memchr(q, '[', (size_t)(end - q))) != NULL) {
		if (q - p < 2 || q[-1] != ':' || q[-2] != '"') {
			q++;
			continue;
		}
		for (q++; q < end && *q >= '0' && *q <= '9';) {
			unsigned v = 0;

			while (q < end && *q >= '0' && *q <= '9')
				v = v * 10 + (unsigned)(*q++ - '0');
			buf_addc(&raw, (char)(v & 0xff));
			nul |= v == 0;
			if (q < end && *q == ',')
				q++;
		}
		buf_addc(&raw, '\n');
	}
	if (raw.len == 0) {
		buf_free(&raw);
		return false;
	}
	for (i = 0; i < raw.len; i++) {
		char c = raw.data[i];

		if (c == 0x1b && i + 1 < raw.len && raw.data[i + 1] == '[') {
			for (i += 2; i < raw.len && !(raw.data[i] >= 0x40 && raw.data[i] <= 0x7e); i++)
				;
		} else if (c != '\r' && c != '\0')
			buf_addc(b, c);
	}
	(void)nul;
	buf_free(&raw);
	return true;
}

/* Scans buf (whole lines) for leaked secrets; base is the number of lines before it. */
static void
scan_secrets(struct model *m, const char *path, const char *buf, size_t len, unsigned long base)
{
	struct secret_ctx sc = { m, path, base };
	const char *p = buf, *end = buf + len, *a;
	unsigned long line = 0;

	if (len == 0)
		return;
	secret_scan(buf, len, secret_cb, &sc);
	/* byte arrays are checked as the text they hold */
	while ((a = memchr(p, '[', (size_t)(end - p))) != NULL) {
		const char *ls = a, *le = memchr(a, '\n', (size_t)(end - a));
		struct buf b = { 0 };

		while (ls > buf && ls[-1] != '\n')
			ls--;
		line += count_lines_in(p, (size_t)(ls - p));
		le = le ? le : end;
		if (line_arrays(ls, le, &b)) {
			struct secret_ctx lc = { m, path, base + line };

			secret_scan(b.data, b.len, secret_cb, &lc);
		}
		buf_free(&b);
		if (le == end)
			break;
		p = le + 1;
		line++;
	}
}

/* The leak check of a stream, chunk by chunk, on whole lines (a line cut by a chunk is joined). */
struct leak_stream {
	struct model *m;
	const char *path;
	struct buf part;	/* the partial last line of the previous chunk */
	unsigned long lines;	/* lines before the next chunk */
};

static void
leak_chunk(struct leak_stream *ls, const char *chunk, size_t n)
{
	const char *first, *last;

	last = memrchr(chunk, '\n', n);
	if (last == NULL) {
		if (ls->part.len < JOURNAL_LINE_MAX)
			buf_add(&ls->part, chunk, n);
		return;
	}
	first = memchr(chunk, '\n', n);
	if (ls->part.len > 0) {
		buf_add(&ls->part, chunk, (size_t)(first - chunk) + 1);
		scan_secrets(ls->m, ls->path, ls->part.data, ls->part.len, ls->lines);
		buf_reset(&ls->part);
	} else
		scan_secrets(ls->m, ls->path, chunk, (size_t)(first - chunk) + 1, ls->lines);
	ls->lines++;
	if (last > first) {
		scan_secrets(ls->m, ls->path, first + 1, (size_t)(last - first), ls->lines);
		ls->lines += count_lines_in(first + 1, (size_t)(last - first));
	}
	if ((size_t)(last - chunk) + 1 < n)
		buf_add(&ls->part, last + 1, n - (size_t)(last - chunk) - 1);
}

static void
leak_end(struct leak_stream *ls)
{
	if (ls->part.len > 0)
		scan_secrets(ls->m, ls->path, ls->part.data, ls->part.len, ls->lines);
	buf_free(&ls->part);
}

/*
 * An entry is read on every core: this thread inflates and hashes chunks into a
 * ring of STREAM_BUFS buffers; one worker runs them through the journal engine,
 * another through the leak check (secret_scan() frees its per-thread state
 * when a thread ends).  A buffer is refilled once both saw it, so memory stays
 * flat.  The engine touches only the journal file's results and
 * the timeline, the leak check only the model's secret list.
 */
#define STREAM_BUFS	4

enum { W_ENGINE, W_LEAK, W_N };

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char	*buf[STREAM_BUFS];
	size_t	 len[STREAM_BUFS];
	unsigned long produced;		/* chunks filled so far */
	unsigned long consumed[W_N];	/* chunks each worker is done with */
	bool	 active[W_N];		/* the worker runs */
	bool	 done;			/* no more chunks */
	struct journal_run *run;	/* W_ENGINE */
	struct leak_stream *leak;	/* W_LEAK */
};

struct worker {
	struct ring *rg;
	int	 w;
	pthread_t th;
};

static void
consume(struct ring *rg, int w, const char *data, size_t len)
{
	if (w == W_ENGINE)
		journal_run_feed(rg->run, data, len);
	else
		leak_chunk(rg->leak, data, len);
}

static void *
stream_worker(void *arg)
{
	struct worker *wk = arg;
	struct ring *rg = wk->rg;
	unsigned long i;

	for (;;) {
		pthread_mutex_lock(&rg->mu);
		while (rg->consumed[wk->w] == rg->produced && !rg->done)
			pthread_cond_wait(&rg->cv, &rg->mu);
		if (rg->consumed[wk->w] == rg->produced) {
			pthread_mutex_unlock(&rg->mu);
			return NULL;
		}
		i = rg->consumed[wk->w] % STREAM_BUFS;
		pthread_mutex_unlock(&rg->mu);
		consume(rg, wk->w, rg->buf[i], rg->len[i]);
		pthread_mutex_lock(&rg->mu);
		rg->consumed[wk->w]++;
		pthread_cond_broadcast(&rg->cv);
		pthread_mutex_unlock(&rg->mu);
	}
}

/* Chunks the slowest active worker has not finished yet. */
static unsigned long
in_flight(const struct ring *rg)
{
	unsigned long low = rg->produced;
	int w;

	for (w = 0; w < W_N; w++)
		if (rg->active[w] && rg->consumed[w] < low)
			low = rg->consumed[w];
	return rg->produced - low;
}

/* Streams the current entry: through the leak check, and through the journal engine when jf. */
static int
stream_entry(struct bundle_reader *br, struct model *m, const char *path, struct journal_file *jf)
{
	struct leak_stream ls = { .m = m, .path = path };
	struct ring rg = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .leak = &ls };
	struct worker wk[W_N];
	unsigned k, slot;
	ssize_t n;
	int r = 0, w;

	for (k = 0; k < STREAM_BUFS; k++)
		rg.buf[k] = xmalloc(READ_CHUNK);
	if (jf != NULL)
		rg.run = journal_run_new(m, jf);
	for (w = 0; w < W_N; w++) {
		wk[w].rg = &rg;
		wk[w].w = w;
		if (w == W_ENGINE && rg.run == NULL)
			continue;
		rg.active[w] = pthread_create(&wk[w].th, NULL, stream_worker, &wk[w]) == 0;
	}
	for (;;) {
		pthread_mutex_lock(&rg.mu);
		while (in_flight(&rg) == STREAM_BUFS)
			pthread_cond_wait(&rg.cv, &rg.mu);
		slot = rg.produced % STREAM_BUFS;
		pthread_mutex_unlock(&rg.mu);
		n = br_read(br, rg.buf[slot], READ_CHUNK);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		rg.len[slot] = (size_t)n;
		pthread_mutex_lock(&rg.mu);
		rg.produced++;
		pthread_cond_broadcast(&rg.cv);
		pthread_mutex_unlock(&rg.mu);
		/*
		 * Work without a thread is done here, on the buffer just handed out: the
		 * workers only read it, and it is refilled only on a later turn.
		 */
		for (w = 0; w < W_N; w++)
			if (!rg.active[w] && (w == W_LEAK || rg.run != NULL))
				consume(&rg, w, rg.buf[slot], (size_t)n);
	}
	pthread_mutex_lock(&rg.mu);
	rg.done = true;
	pthread_cond_broadcast(&rg.cv);
	pthread_mutex_unlock(&rg.mu);
	for (w = 0; w < W_N; w++)
		if (rg.active[w])
			pthread_join(wk[w].th, NULL);
	if (r == 0)
		leak_end(&ls);
	else
		buf_free(&ls.part);
	if (rg.run != NULL) {
		journal_run_end(rg.run);
		journal_run_free(rg.run);
	}
	for (k = 0; k < STREAM_BUFS; k++)
		free(rg.buf[k]);
	return r;
}

static bool
is_kept(const char *path)
{
	return strcmp(path, BUNDLE_PATH_HOST) == 0 || BUNDLE_IN_DIR(path, BUNDLE_DIR_UNITS) ||
	    BUNDLE_IN_DIR(path, BUNDLE_DIR_CONFIG) || BUNDLE_IN_DIR(path, BUNDLE_DIR_RESOLVER) ||
	    BUNDLE_IN_DIR(path, BUNDLE_DIR_ECS);
}

static bool
is_journal(const char *path)
{
	size_t l = strlen(path);

	return BUNDLE_IN_DIR(path, BUNDLE_DIR_JOURNAL) && l > BUNDLE_DIR_LEN(BUNDLE_DIR_JOURNAL) + BUNDLE_DIR_LEN(BUNDLE_EXT_JOURNAL) &&
	    strcmp(path + l - BUNDLE_DIR_LEN(BUNDLE_EXT_JOURNAL), BUNDLE_EXT_JOURNAL) == 0 &&
	    strchr(path + BUNDLE_DIR_LEN(BUNDLE_DIR_JOURNAL), '/') == NULL;
}

static void
missing_cb(const char *path, void *userdata)
{
	model_integrity(userdata, path, "listed in the manifest but not in the bundle");
}

int
load_bundle(const char *path, const struct ruleset *rs, struct model **ret, char **errmsg)
{
	struct bundle_limits lim;
	struct bundle_reader *br = NULL;
	struct model *m;
	struct br_entry e;
	const json_t *man;
	int r;

	*ret = NULL;
	*errmsg = NULL;
	bundle_limits_default(&lim);
	/* '-': a bundle on standard input, read from the stream (held in memory, never on disk) */
	if (strcmp(path, "-") == 0)
		r = br_open_fd(&br, STDIN_FILENO, STDIN_MAX, &lim, errmsg);
	else
		r = br_open(&br, path, &lim, errmsg);
	if (r < 0) {
		if (*errmsg == NULL)
			*errmsg = xstrdup(strerror(-r));
		br_free(br);
		return r;
	}
	m = model_new(rs, path);
	man = br_manifest(br);
	m->manifest = json_incref((json_t *)man);
	if (json_is_string(json_object_get(json_object_get(man, "host"), "hostname")))
		m->hostname = xstrdup(json_string_value(json_object_get(json_object_get(man, "host"), "hostname")));
	if (json_is_string(json_object_get(man, "collected_at")))
		m->collected_at = xstrdup(json_string_value(json_object_get(man, "collected_at")));

	while ((r = br_next(br, &e)) > 0) {
		_cleanup_free_ char *p = NULL;
		enum br_verdict v;

		if (e.is_dir)
			continue;
		p = xstrdup(e.path);
		if (is_journal(p)) {
			struct journal_file *jf = model_add_journal(m, p);

			if ((r = stream_entry(br, m, p, jf)) < 0)
				break;
			jf->verdict = br_verdict(br);
		} else if (is_kept(p) && m->n_files < MODEL_FILES_MAX && m->kept + e.size <= MODEL_KEPT_MAX &&
		    e.size <= SMALL_FILE_MAX) {
			char *data = NULL;
			size_t len = 0;

			r = br_read_all(br, SMALL_FILE_MAX, &data, &len);
			if (r == -EFBIG) {
				model_note(m, _("%s: larger than %d MiB, not analyzed"), p, SMALL_FILE_MAX >> 20);
				continue;
			}
			if (r < 0)
				break;
			m->kept += len;
			v = br_verdict(br);
			scan_secrets(m, p, data, len, 0);
			{
				/* a file with a UTF-16/32 byte-order mark is checked as the text it holds */
				_cleanup_free_ char *u = NULL;
				const char *from = NULL;
				size_t ul;

				if (redact_transcode(data, len, &u, &ul, &from) == 1 && strcmp(from, "UTF-8") != 0)
					scan_secrets(m, p, u, ul, 0);
			}
			model_add_file(m, p, data, len, v);
		} else {
			if (is_kept(p))
				model_note(m, _("%s: %s, not analyzed"), p, e.size > SMALL_FILE_MAX ? _("larger than 2 MiB") :
				    _("over the analyzer's limits for small files (512 files, 32 MiB)"));
			if ((r = stream_entry(br, m, p, NULL)) < 0)
				break;
		}
		v = br_verdict(br);
		if (v != BR_VERIFIED && v != BR_PENDING)
			model_integrity(m, p, br_verdict_name(v));
	}
	if (r < 0) {
		const char *why = br_error(br);

		*errmsg = xstrdup(why ? why : strerror(-r));
		br_free(br);
		model_free(m);
		return r;
	}
	br_missing(br, missing_cb, m);
	br_free(br);
	*ret = m;
	return 0;
}
