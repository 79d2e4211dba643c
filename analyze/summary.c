/* summary.c: --summary: the whole queue at a glance, one row per bundle, analyzed by N worker processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze.h"
#include "cleanup.h"
#include "escape.h"
#include "msg.h"

#define REPORT_MAX	(16 * 1024 * 1024)	/* a JSON report read as input (a real one: < 1 MiB) */
#define REPORT_VALUES_MAX	250000	/* JSON values in it (jansson spends ~200 bytes on each) */
#define DIR_DEPTH_MAX	8
#define INPUTS_MAX	1000000
#define REPORT_FINDINGS_MAX	4096	/* findings of one JSON report (one per rule in a real one) */

/* One bundle of the queue. */
struct srow {
	char	*path;		/* the bundle (as the report names it, for a JSON report) */
	char	*report;	/* the JSON report it came from, or NULL */
	char	*hostname;
	char	*collected_at;
	char	*agent;		/* agent state */
	int	 worst;		/* enum severity, SEV_NONE for no finding */
	char	**rules;	/* rule ids of the findings, sorted */
	int	*sevs;		/* their severities */
	char	**msgs;		/* their messages (for the groups' details) */
	size_t	 n_rules;
	char	*error;		/* why the bundle could not be read, or NULL */
};

static void
srow_clear(struct srow *r)
{
	size_t i;

	free(r->path);
	free(r->report);
	free(r->hostname);
	free(r->collected_at);
	free(r->agent);
	for (i = 0; i < r->n_rules; i++)
		free(r->rules[i]);
	free(r->rules);
	free(r->sevs);
	for (i = 0; i < r->n_rules; i++)
		free(r->msgs[i]);
	free(r->msgs);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* ---- inputs ------------------------------------------------------------------- */

struct inputs {
	char	**v;
	size_t	 n;
	struct stat *dirs;	/* folders walked or taken as bundles (dev, ino): a symlink loop or a */
	size_t	 n_dirs;	/* second way to one folder does not read it again */
};

/* True the first time a folder is seen (by device and inode), false after. */
static bool
dir_first_visit(struct inputs *in, const struct stat *st)
{
	size_t i;

	for (i = 0; i < in->n_dirs; i++)
		if (in->dirs[i].st_dev == st->st_dev && in->dirs[i].st_ino == st->st_ino)
			return false;
	in->dirs = xreallocarray(in->dirs, in->n_dirs + 1, sizeof(*in->dirs));
	in->dirs[in->n_dirs++] = *st;
	return true;
}

static void
inputs_add(struct inputs *in, char *p)
{
	if (in->n >= INPUTS_MAX) {
		free(p);
		return;
	}
	in->v = xreallocarray(in->v, in->n + 1, sizeof(*in->v));
	in->v[in->n++] = p;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);

	return l > k && strcmp(s + l - k, suffix) == 0;
}

static bool
is_extracted_bundle(const char *dir)
{
	_cleanup_free_ char *m = xasprintf("%s/" BUNDLE_MANIFEST, dir);
	struct stat st;
	DIR *d;
	struct dirent *de;
	size_t n_bundles = 0, n_other = 0;

	if (stat(m, &st) == 0)
		return true;
	/*
	 * A folder extracted with its top directory: its only entry is a subfolder holding
	 * manifest.json.  Two such subfolders are a queue of extracted bundles (walked), not one.
	 */
	if ((d = opendir(dir)) == NULL)
		return false;
	while ((de = readdir(d)) != NULL && n_other == 0 && n_bundles < 2) {
		_cleanup_free_ char *p = NULL;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s/" BUNDLE_MANIFEST, dir, de->d_name);
		if (stat(p, &st) == 0)
			n_bundles++;
		else
			n_other++;
	}
	closedir(d);
	return n_bundles == 1 && n_other == 0;
}

/* A summary this program wrote (schema triage-summary/1): found in a folder, it is output, not input. */
static bool
is_summary_json(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	char head[256];
	ssize_t n;

	if (fd < 0 || (n = read(fd, head, sizeof(head) - 1)) <= 0)
		return false;
	head[n] = '\0';
	return strstr(head, "\"schema\": \"triage-summary/1\"") != NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
bundle_base_len(const char *name)
{
	size_t l = strlen(name);

	if (ends_with(name, ".tar.gz"))
		return l - 7;
	if (ends_with(name, ".tgz") || ends_with(name, ".tar"))
		return l - 4;
	return 0;
}

/*
 * A report named after a bundle of the same folder (NAME.tar.gz beside NAME.json or
 * NAME.expected.json): the bundle is analyzed itself, so its report would be a second row.
 * names is sorted.
 */
static bool
report_of_sibling(char *const *names, size_t n, const char *json)
{
	for (size_t j = 0; j < n; j++) {
		size_t bl = bundle_base_len(names[j]);

		if (bl > 0 && strncmp(json, names[j], bl) == 0 && json[bl] == '.')
			return true;
	}
	return false;
}

/* A folder: bundles (.tar.gz, .tgz, .tar), JSON reports and extracted bundles in name order, recursively. */
static void
expand_dir(struct inputs *in, const char *dir, unsigned depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	struct stat dst;

	if (stat(dir, &dst) == 0 && !dir_first_visit(in, &dst))
		return;		/* already walked: a symlink loop, or a second link to it */
	d = opendir(dir);
	if (d == NULL) {
		inputs_add(in, xstrdup(dir));	/* the row will say why */
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char *p = strcmp(dir, "/") == 0 ? xasprintf("/%s", names[i]) : xasprintf("%s/%s", dir, names[i]);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (is_extracted_bundle(p)) {
				if (dir_first_visit(in, &st))
					inputs_add(in, p);
				else
					free(p);
			}
			else {
				if (depth < DIR_DEPTH_MAX)
					expand_dir(in, p, depth + 1);
				free(p);
			}
		} else if (ends_with(p, ".tar.gz") || ends_with(p, ".tgz") || ends_with(p, ".tar") ||
		    (ends_with(p, ".json") && !is_summary_json(p) && !report_of_sibling(names, n, names[i])))
			inputs_add(in, p);
		else
			free(p);
	}
	/* Only now: report_of_sibling() reads every name, those before i too. */
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void
expand(struct inputs *in, const char *const *args, size_t n)
{
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(args[i], "-") == 0) {
			inputs_add(in, xstrdup("-"));	/* a row: the summary does not read standard input */
			continue;
		}
		if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode) && !is_extracted_bundle(args[i])) {
			_cleanup_free_ char *d = xstrdup(args[i]);
			size_t l = strlen(d);

			while (l > 1 && d[l - 1] == '/')
				d[--l] = '\0';
			expand_dir(in, d, 0);
		} else
			inputs_add(in, xstrdup(args[i]));
	}
}

/* ---- one input to one row (a pure function of the file and the rules) ---------- */

static void
row_add_rule(struct srow *r, const char *id, int sev, const char *msg)
{
	size_t i;

	for (i = 0; i < r->n_rules; i++)
		if (strcmp(r->rules[i], id) == 0)
			return;
	r->rules = xreallocarray(r->rules, r->n_rules + 1, sizeof(*r->rules));
	r->sevs = xreallocarray(r->sevs, r->n_rules + 1, sizeof(*r->sevs));
	r->msgs = xreallocarray(r->msgs, r->n_rules + 1, sizeof(*r->msgs));
	r->rules[r->n_rules] = xstrdup(id);
	r->msgs[r->n_rules] = xstrdup(msg ? msg : "");
	r->sevs[r->n_rules++] = sev;
	if (sev < r->worst)
		r->worst = sev;
}

static char *
dupnull(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/*
 * Counts the JSON values of fd ({, [ and , outside strings), up to max + 1,
 * so a small file of many tiny values ("[{},{},...]": 60 MB became 4.5 GB of
 * jansson objects) is refused before it is parsed.  Not a parser: jansson
 * still decides whether the file is JSON.
 */
static size_t
json_values(int fd, size_t max)
{
	char chunk[65536];
	bool in_str = false, esc = false;
	size_t n = 1;
	ssize_t got, i;

	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		for (i = 0; i < got; i++) {
			char c = chunk[i];

			if (in_str) {
				if (esc)
					esc = false;
				else if (c == '\\')
					esc = true;
				else if (c == '"')
					in_str = false;
			} else if (c == '"')
				in_str = true;
			else if ((c == '{' || c == '[' || c == ',') && ++n > max)
				return n;
		}
	return n;
}

static void
row_from_report(struct srow *r, const char *path)
{
	json_error_t je;
	json_t *doc, *f;
	const char *schema;
	struct stat st;
	size_t i;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	r->report = xstrdup(path);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r->path = xstrdup(path);
		r->error = xasprintf("cannot read: %s", strerror(errno));
		return;
	}
	if (st.st_size > REPORT_MAX) {
		r->path = xstrdup(path);
		r->error = xasprintf("larger than %d MiB: not a triage report", REPORT_MAX / (1024 * 1024));
		return;
	}
	if (json_values(fd, REPORT_VALUES_MAX) > REPORT_VALUES_MAX) {
		r->path = xstrdup(path);
		r->error = xasprintf("more than %d JSON values: not a triage report", REPORT_VALUES_MAX);
		return;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		r->path = xstrdup(path);
		r->error = xasprintf("cannot read: %s", strerror(errno));
		return;
	}
	doc = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		r->path = xstrdup(path);
		r->error = je.line > 0 ? xasprintf("not a JSON report: line %d: %s", je.line, je.text) :
		    xasprintf("cannot read: %s", je.text);
		return;
	}
	schema = json_string_value(json_object_get(doc, "schema"));
	if (schema == NULL || strcmp(schema, "triage-report/1") != 0) {
		r->path = xstrdup(path);
		r->error = xasprintf("not a triage-analyze -f json report (schema '%s', want 'triage-report/1')",
		    schema ? schema : "none");
		json_decref(doc);
		return;
	}
	{
		const json_t *b = json_object_get(doc, "bundle");
		const char *bp = json_string_value(json_object_get(b, "path"));

		r->path = xstrdup(bp ? bp : path);
		r->hostname = dupnull(json_string_value(json_object_get(b, "hostname")));
		r->collected_at = dupnull(json_string_value(json_object_get(b, "collected_at")));
		r->agent = dupnull(json_string_value(json_object_get(b, "agent_state")));
	}
	if (json_array_size(json_object_get(doc, "findings")) > REPORT_FINDINGS_MAX) {
		free(r->hostname);
		free(r->collected_at);
		free(r->agent);
		r->hostname = r->collected_at = r->agent = NULL;
		r->error = xasprintf("%zu findings (at most %d): not a triage report",
		    json_array_size(json_object_get(doc, "findings")), REPORT_FINDINGS_MAX);
		json_decref(doc);
		return;
	}
	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		const char *id = json_string_value(json_object_get(f, "rule"));
		const char *sv = json_string_value(json_object_get(f, "severity"));
		int sev = sv ? severity_parse(sv, false) : -1;

		if (id == NULL || sev < 0) {
			r->error = xasprintf("finding %zu: no rule id or an unknown severity", i + 1);
			break;
		}
		row_add_rule(r, id, sev, json_string_value(json_object_get(f, "message")));
	}
	json_decref(doc);
}

static void
row_from_bundle(struct srow *r, const char *path, const struct ruleset *rs, const struct suppressions *sup,
    const char *today)
{
	struct model *m = NULL;
	struct analysis *a;
	char *why = NULL;
	size_t i;
	int q;

	r->path = xstrdup(path);
	q = load_bundle(path, rs, &m, &why);
	if (q < 0) {
		r->error = why ? why : xstrdup(strerror(-q));
		return;
	}
	a = evaluate(rs, m);
	suppressions_apply(sup, rs, a, today);
	r->hostname = dupnull(m->hostname);
	r->collected_at = dupnull(m->collected_at);
	r->agent = agent_state(m);
	for (i = 0; i < a->n_findings; i++)
		row_add_rule(r, a->findings[i].rule->id, (int)a->findings[i].rule->severity, a->findings[i].message);
	analysis_free(a);
	model_free(m);
}

static void
analyze_one(struct srow *r, const char *path, const struct ruleset *rs, const struct suppressions *sup,
    const char *today)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->worst = SEV_NONE;
	if (strcmp(path, "-") == 0) {
		r->path = xstrdup(path);
		r->error = xstrdup("standard input is not read by --summary: give files or folders");
		return;
	}
	if (ends_with(path, ".json") && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		row_from_report(r, path);
	else
		row_from_bundle(r, path, rs, sup, today);
	if (r->n_rules > 1) {
		/* Sorted ids (severities follow): the same set reads the same way whatever the rule order. */
		size_t i, j;

		for (i = 1; i < r->n_rules; i++)
			for (j = i; j > 0 && strcmp(r->rules[j - 1], r->rules[j]) > 0; j--) {
				char *t = r->rules[j], *m = r->msgs[j];
				int s = r->sevs[j];

				r->rules[j] = r->rules[j - 1];
				r->sevs[j] = r->sevs[j - 1];
				r->msgs[j] = r->msgs[j - 1];
				r->rules[j - 1] = t;
				r->sevs[j - 1] = s;
				r->msgs[j - 1] = m;
			}
	}
}

/* ---- rows through a pipe (workers) --------------------------------------------- */

static json_t *
jstrn(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *
row_encode(const struct srow *r)
{
	json_t *o = json_object(), *ids = json_array(), *sevs = json_array(), *msgs = json_array();
	char *s;
	size_t i;

	json_object_set_new(o, "path", jstrn(r->path));
	json_object_set_new(o, "report", jstrn(r->report));
	json_object_set_new(o, "hostname", jstrn(r->hostname));
	json_object_set_new(o, "collected_at", jstrn(r->collected_at));
	json_object_set_new(o, "agent", jstrn(r->agent));
	json_object_set_new(o, "worst", json_integer(r->worst));
	for (i = 0; i < r->n_rules; i++) {
		json_array_append_new(ids, json_string(r->rules[i]));
		json_array_append_new(sevs, json_integer(r->sevs[i]));
		json_array_append_new(msgs, json_string(r->msgs[i]));
	}
	json_object_set_new(o, "rules", ids);
	json_object_set_new(o, "sevs", sevs);
	json_object_set_new(o, "msgs", msgs);
	json_object_set_new(o, "error", jstrn(r->error));
	/* Strings from a bundle are arbitrary bytes: jansson needs UTF-8, so escape what is not. */
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static char *
safe(const char *s)
{
	struct buf b = { 0 };

	if (s == NULL)
		return NULL;
	esc_text(&b, s, strlen(s), /* keep_newlines= */ false);
	return b.data ? buf_steal(&b, NULL) : xstrdup("");
}

/* Makes every string of a row valid UTF-8 and terminal-safe (so it encodes and prints). */
static void
row_sanitize(struct srow *r)
{
	char **fields[] = { &r->path, &r->report, &r->hostname, &r->collected_at, &r->agent, &r->error };
	size_t i;

	for (i = 0; i < ELEMENTSOF(fields); i++) {
		char *t = safe(*fields[i]);

		free(*fields[i]);
		*fields[i] = t;
	}
	for (i = 0; i < r->n_rules; i++) {
		char *t = safe(r->rules[i]);

		free(r->rules[i]);
		r->rules[i] = t;
		t = safe(r->msgs[i]);
		free(r->msgs[i]);
		r->msgs[i] = t;
	}
}

static char *
jdup(const json_t *o, const char *k)
{
	return dupnull(json_string_value(json_object_get(o, k)));
}

static int
row_decode(struct srow *r, const char *line)
{
	json_t *o = json_loads(line, 0, NULL), *v;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (o == NULL)
		return -EINVAL;
	r->path = jdup(o, "path");
	r->report = jdup(o, "report");
	r->hostname = jdup(o, "hostname");
	r->collected_at = jdup(o, "collected_at");
	r->agent = jdup(o, "agent");
	r->error = jdup(o, "error");
	r->worst = (int)json_integer_value(json_object_get(o, "worst"));
	json_array_foreach(json_object_get(o, "rules"), i, v) {
		r->rules = xreallocarray(r->rules, r->n_rules + 1, sizeof(*r->rules));
		r->sevs = xreallocarray(r->sevs, r->n_rules + 1, sizeof(*r->sevs));
		r->msgs = xreallocarray(r->msgs, r->n_rules + 1, sizeof(*r->msgs));
		r->msgs[r->n_rules] = xstrdup(json_string_value(json_array_get(json_object_get(o, "msgs"), i)) ?
		    json_string_value(json_array_get(json_object_get(o, "msgs"), i)) : "");
		r->rules[r->n_rules] = xstrdup(json_string_value(v) ? json_string_value(v) : "?");
		r->sevs[r->n_rules++] = (int)json_integer_value(json_array_get(json_object_get(o, "sevs"), i));
	}
	json_decref(o);
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A worker process: reads task indices (one per line), writes one encoded row per line. */
static void __attribute__((noreturn))
worker(int in, int out, char **inputs, const struct ruleset *rs, const struct suppressions *sup,
    const char *today)
{
	FILE *f = fdopen(in, "re");
	char *task = NULL;
	size_t cap = 0;

	signal(SIGPIPE, SIG_DFL);
	while (f != NULL && getline(&task, &cap, f) > 0) {
		unsigned long idx = strtoul(task, NULL, 10);
		struct srow r;
		char *line;

		analyze_one(&r, inputs[idx], rs, sup, today);
		row_sanitize(&r);
		line = row_encode(&r);
		srow_clear(&r);
		if (line == NULL || write_all(out, line, strlen(line)) < 0 || write_all(out, "\n", 1) < 0)
			_exit(1);
		free(line);
	}
	_exit(0);
}

struct wslot {
	pid_t	 pid;
	int	 to;		/* task indices to the worker */
	int	 from;		/* rows from it */
	long	 task;		/* the task it holds, -1 when idle */
	struct buf in;		/* partial line read */
};

static int
spawn(struct wslot *w, char **inputs, const struct ruleset *rs, const struct suppressions *sup,
    const char *today, struct wslot *all, size_t n_all)
{
	int a[2], b[2];
	size_t k;

	if (pipe2(a, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(b, O_CLOEXEC) < 0) {
		close(a[0]);
		close(a[1]);
		return -errno;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		close(a[0]);
		close(a[1]);
		close(b[0]);
		close(b[1]);
		return -errno;
	}
	if (w->pid == 0) {
		close(a[1]);
		close(b[0]);
		for (k = 0; k < n_all; k++)
			if (&all[k] != w && all[k].pid > 0) {
				close(all[k].to);
				close(all[k].from);
			}
		worker(a[0], b[1], inputs, rs, sup, today);
	}
	close(a[0]);
	close(b[1]);
	w->to = a[1];
	w->from = b[0];
	w->task = -1;
	buf_reset(&w->in);
	return 0;
}

static void
progress(size_t done, size_t total, bool tty)
{
	if (tty)
		fprintf(stderr, "\rtriage-analyze: %zu of %zu bundles analyzed", done, total);
}

static void
reap(struct wslot *w)
{
	int st;

	if (w->pid <= 0)
		return;
	close(w->to);
	close(w->from);
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
}

/* Fills rows[i] for every input with jobs worker processes (memory: jobs bundles at a time). */
static int
run_workers(struct srow *rows, char **inputs, size_t n, unsigned jobs, const struct ruleset *rs,
    const struct suppressions *sup, const char *today, bool tty)
{
	struct wslot *ws = xcalloc(jobs, sizeof(*ws));
	struct pollfd *pf = xcalloc(jobs, sizeof(*pf));
	size_t next = 0, done = 0, k;
	int r = 0;

	for (k = 0; k < jobs; k++)
		if ((r = spawn(&ws[k], inputs, rs, sup, today, ws, jobs)) < 0)
			goto out;
	while (done < n) {
		for (k = 0; k < jobs; k++)
			if (ws[k].task < 0 && next < n) {
				char msg[32];
				int l = snprintf(msg, sizeof(msg), "%zu\n", next);

				if (write_all(ws[k].to, msg, (size_t)l) < 0) {
					/* It died while idle: a new one takes the task. */
					reap(&ws[k]);
					if ((r = spawn(&ws[k], inputs, rs, sup, today, ws, jobs)) < 0)
						goto out;
					(void)write_all(ws[k].to, msg, (size_t)l);
				}
				ws[k].task = (long)next++;
			}
		for (k = 0; k < jobs; k++) {
			pf[k].fd = ws[k].task >= 0 ? ws[k].from : -1;
			pf[k].events = POLLIN;
			pf[k].revents = 0;
		}
		if (poll(pf, jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		for (k = 0; k < jobs; k++) {
			char chunk[65536];
			ssize_t got;
			char *nl;

			if (pf[k].revents == 0)
				continue;
			got = read(ws[k].from, chunk, sizeof(chunk));
			if (got < 0 && errno == EINTR)
				continue;
			if (got > 0) {
				buf_add(&ws[k].in, chunk, (size_t)got);
				if ((nl = memchr(ws[k].in.data, '\n', ws[k].in.len)) != NULL) {
					size_t t = (size_t)ws[k].task;

					*nl = '\0';
					if (row_decode(&rows[t], ws[k].in.data) < 0) {
						rows[t].path = xstrdup(inputs[t]);
						rows[t].error = xstrdup("the worker's answer could not be read");
					}
					buf_reset(&ws[k].in);
					ws[k].task = -1;
					progress(++done, n, tty);
				}
				continue;
			}
			/* The worker ended while holding a task: it crashed on that input. */
			{
				size_t t = (size_t)ws[k].task;
				int st = 0;

				close(ws[k].to);
				close(ws[k].from);
				while (waitpid(ws[k].pid, &st, 0) < 0 && errno == EINTR)
					;
				ws[k].pid = 0;
				memset(&rows[t], 0, sizeof(rows[t]));
				rows[t].path = xstrdup(inputs[t]);
				rows[t].worst = SEV_NONE;
				rows[t].error = WIFSIGNALED(st) ?
				    xasprintf("the analysis ended on signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st))) :
				    xasprintf("the analysis ended with status %d", WEXITSTATUS(st));
				ws[k].task = -1;
				progress(++done, n, tty);
				if ((r = spawn(&ws[k], inputs, rs, sup, today, ws, jobs)) < 0)
					goto out;
			}
		}
	}
out:
	for (k = 0; k < jobs; k++) {
		reap(&ws[k]);
		buf_free(&ws[k].in);
	}
	free(ws);
	free(pf);
	return r;
}

/* ---- the summary: rows, rules, groups --------------------------------------------- */

struct srule {
	const char *id;		/* borrowed from a row */
	int	 sev;
	size_t	 bundles;
	const char **hosts;	/* distinct, sorted */
	size_t	 n_hosts;
};

struct sgroup {
	const struct srow *first;	/* a row with this rule set */
	size_t	*rows;			/* indices of the rows */
	size_t	 n;
	size_t	 n_hosts;		/* distinct hostnames */
};

struct summary {
	struct srow *rows;
	size_t	 n_rows;
	struct srule *rules;
	size_t	 n_rules;
	struct sgroup *groups;
	size_t	 n_groups;
	size_t	 n_errors;
};

static bool
same_set(const struct srow *a, const struct srow *b)
{
	size_t i;

	if (a->n_rules != b->n_rules)
		return false;
	for (i = 0; i < a->n_rules; i++)
		if (strcmp(a->rules[i], b->rules[i]) != 0)
			return false;
	return true;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_rule(const void *a, const void *b)
{
	const struct srule *x = a, *y = b;

	if (x->sev != y->sev)
		return x->sev - y->sev;
	if (x->bundles != y->bundles)
		return x->bundles > y->bundles ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int
cmp_group(const void *a, const void *b)
{
	const struct sgroup *x = a, *y = b;
	int wx = x->first->worst, wy = y->first->worst;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (wx != wy)
		return wx - wy;
	return x->rows[0] < y->rows[0] ? -1 : 1;
}

static void
summarize(struct summary *s)
{
	size_t i, k, j;

	for (i = 0; i < s->n_rows; i++) {
		const struct srow *r = &s->rows[i];

		if (r->error != NULL) {
			s->n_errors++;
			continue;
		}
		for (k = 0; k < r->n_rules; k++) {
			struct srule *u = NULL;
			const char *host = r->hostname ? r->hostname : "(unknown)";

			for (j = 0; j < s->n_rules; j++)
				if (strcmp(s->rules[j].id, r->rules[k]) == 0)
					u = &s->rules[j];
			if (u == NULL) {
				s->rules = xreallocarray(s->rules, s->n_rules + 1, sizeof(*s->rules));
				u = &s->rules[s->n_rules++];
				*u = (struct srule){ .id = r->rules[k], .sev = r->sevs[k] };
			}
			u->bundles++;
			for (j = 0; j < u->n_hosts; j++)
				if (strcmp(u->hosts[j], host) == 0)
					break;
			if (j == u->n_hosts) {
				u->hosts = xreallocarray(u->hosts, u->n_hosts + 1, sizeof(*u->hosts));
				u->hosts[u->n_hosts++] = host;
			}
		}
		for (j = 0; j < s->n_groups; j++)
			if (same_set(s->groups[j].first, r))
				break;
		if (j == s->n_groups) {
			s->groups = xreallocarray(s->groups, s->n_groups + 1, sizeof(*s->groups));
			s->groups[s->n_groups++] = (struct sgroup){ .first = r };
		}
		s->groups[j].rows = xreallocarray(s->groups[j].rows, s->groups[j].n + 1, sizeof(size_t));
		s->groups[j].rows[s->groups[j].n++] = i;
	}
	for (j = 0; j < s->n_rules; j++)
		qsort(s->rules[j].hosts, s->rules[j].n_hosts, sizeof(char *), cmp_cstr);
	if (s->n_rules > 1)
		qsort(s->rules, s->n_rules, sizeof(*s->rules), cmp_rule);
	for (j = 0; j < s->n_groups; j++) {
		struct sgroup *g = &s->groups[j];
		const char **hosts = xcalloc(g->n, sizeof(*hosts));
		size_t n = 0;

		for (k = 0; k < g->n; k++) {
			const char *h = s->rows[g->rows[k]].hostname ? s->rows[g->rows[k]].hostname : "(unknown)";

			for (i = 0; i < n; i++)
				if (strcmp(hosts[i], h) == 0)
					break;
			if (i == n)
				hosts[n++] = h;
		}
		g->n_hosts = n;
		free(hosts);
	}
	if (s->n_groups > 1)
		qsort(s->groups, s->n_groups, sizeof(*s->groups), cmp_group);
}

static void
summary_free(struct summary *s)
{
	size_t i;

	for (i = 0; i < s->n_rows; i++)
		srow_clear(&s->rows[i]);
	free(s->rows);
	for (i = 0; i < s->n_rules; i++)
		free(s->rules[i].hosts);
	free(s->rules);
	for (i = 0; i < s->n_groups; i++)
		free(s->groups[i].rows);
	free(s->groups);
}

static const char *
worst_name(const struct srow *r)
{
	return r->error ? "" : r->worst == SEV_NONE ? "none" : severity_name((enum severity)r->worst);
}

/* The worst severity of a row for people (worst_name() stays the CSS class). */
static const char *
worst_label(const struct srow *r)
{
	return r->error ? "" : r->worst == SEV_NONE ? C_("severity", "none") : severity_label((enum severity)r->worst);
}

/* ---- writers ------------------------------------------------------------------------ */

static void
md(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_md_table(b, s, strlen(s));
}

#define DETAIL_MAX	160	/* bytes of a group's detail */

/*
 * What the group's bundles say alike about its worst rule: the common start
 * of their messages, up to the first " (" (where counts and times begin) and
 * a word boundary, e.g. "The agent could not resolve wop.example through DNS
 * server 10.0.0.2".  Empty when they share too little.  Free it.
 */
static char *
group_detail(const struct summary *s, const struct sgroup *g)
{
	const struct srow *f = g->first;
	size_t k, i, w = 0, len;
	const char *m0, *p;

	if (f->n_rules == 0)
		return xstrdup("");
	for (k = 1; k < f->n_rules; k++)
		if (f->sevs[k] < f->sevs[w])
			w = k;
	m0 = f->msgs[w];
	len = strlen(m0);
	if ((p = strstr(m0, " (")) != NULL)
		len = (size_t)(p - m0);
	for (i = 0; i < g->n; i++) {
		const char *m = s->rows[g->rows[i]].msgs[w];
		size_t j = 0;

		while (j < len && m[j] == m0[j])
			j++;
		if (j < len) {
			/* Cut where they differ, at a word boundary. */
			while (j > 0 && m0[j - 1] != ' ')
				j--;
			len = j;
		}
	}
	while (len > 0 && strchr(" ,:;", m0[len - 1]) != NULL)
		len--;
	if (len < 16)
		return xstrdup("");
	if (len > DETAIL_MAX) {
		len = DETAIL_MAX;
		while (len > 0 && m0[len] != ' ')
			len--;
		return xasprintf("%.*s ...", (int)len, m0);
	}
	return xasprintf("%.*s%s", (int)len, m0, m0[len] == '\0' || m0[len] == ' ' ? "" : " ...");
}

static void
group_label(struct buf *b, const struct sgroup *g, void (*esc)(struct buf *, const char *))
{
	size_t i;

	buf_printf(b, P_("%zu bundle", "%zu bundles", g->n), g->n);
	if (g->n_hosts != g->n)
		buf_printf(b, P_(" (%zu host)", " (%zu hosts)", g->n_hosts), g->n_hosts);
	buf_adds(b, _(": "));
	if (g->first->n_rules == 0)
		buf_adds(b, _("no findings"));
	for (i = 0; i < g->first->n_rules; i++) {
		if (i > 0)
			buf_adds(b, ", ");
		esc(b, g->first->rules[i]);
	}
}

static int
write_markdown(struct buf *b, const struct summary *s)
{
	size_t i, k;

	buf_adds(b, "# ");
	buf_printf(b, P_("Triage summary: %zu bundle", "Triage summary: %zu bundles", s->n_rows), s->n_rows);
	buf_adds(b, "\n\n");
	if (s->n_errors > 0) {
		buf_printf(b, _("%zu could not be read (see the error column)."), s->n_errors);
		buf_adds(b, "\n\n");
	}
	buf_printf(b, "## %s\n\n%s\n| --- | --- | --- | --- | --- | --- | --- |\n", _("Bundles"),
	    _("| Bundle | Host | Collected | Agent | Worst | Rules | Error |"));
	for (i = 0; i < s->n_rows; i++) {
		const struct srow *r = &s->rows[i];

		buf_adds(b, "| ");
		md(b, r->path);
		buf_adds(b, " | ");
		md(b, r->hostname);
		buf_adds(b, " | ");
		md(b, r->collected_at);
		buf_adds(b, " | ");
		md(b, r->agent);
		buf_printf(b, " | %s | ", worst_label(r));
		for (k = 0; k < r->n_rules; k++) {
			buf_adds(b, k ? ", " : "");
			md(b, r->rules[k]);
		}
		buf_adds(b, " | ");
		md(b, r->error);
		buf_adds(b, " |\n");
	}
	buf_printf(b, "\n## %s\n\n", _("Rules"));
	if (s->n_rules == 0)
		buf_printf(b, "%s\n", _("No rule fired on any bundle."));
	else {
		buf_printf(b, "%s\n| --- | --- | ---: | --- |\n", _("| Rule | Severity | Bundles | Hosts |"));
		for (i = 0; i < s->n_rules; i++) {
			buf_adds(b, "| ");
			md(b, s->rules[i].id);
			buf_printf(b, " | %s | %zu | ", severity_label((enum severity)s->rules[i].sev), s->rules[i].bundles);
			for (k = 0; k < s->rules[i].n_hosts; k++) {
				buf_adds(b, k ? ", " : "");
				md(b, s->rules[i].hosts[k]);
			}
			buf_adds(b, " |\n");
		}
	}
	buf_printf(b, "\n## %s\n\n", _("Groups: bundles with the same findings"));
	for (i = 0; i < s->n_groups; i++) {
		const struct sgroup *g = &s->groups[i];

		char *detail = group_detail(s, g);

		buf_adds(b, "- ");
		group_label(b, g, md);
		if (detail[0] != '\0') {
			buf_adds(b, ": ");
			md(b, detail);
		}
		free(detail);
		buf_adds(b, " (");
		for (k = 0; k < g->n; k++) {
			buf_adds(b, k ? ", " : "");
			md(b, s->rows[g->rows[k]].path);
		}
		buf_adds(b, ")\n");
	}
	if (s->n_groups == 0)
		buf_printf(b, "%s\n", _("None: no bundle could be read."));
	buf_adds(b, "\n_");
	buf_printf(b, _("Generated by triage-analyze %s."), TRIAGE_VERSION);
	buf_adds(b, "_\n");
	return 0;
}

static void
hh(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_html(b, s, strlen(s));
}

static int
write_html(struct buf *b, const struct summary *s)
{
	size_t i, k;

	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">", lang_tag(lang_get()));
	buf_adds(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	    "<meta name=\"referrer\" content=\"no-referrer\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	hh(b, _("Triage summary"));
	buf_adds(b, "</title><style>"
	    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2733}"
	    "main{max-width:1200px;margin:0 auto;padding:20px}h1{font-size:24px}h2{font-size:18px;margin-top:28px}"
	    "table{border-collapse:collapse;width:100%;font-size:13.5px;background:#fff}"
	    "th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #dde2e8}"
	    "th{color:#5b6673;font-size:12.5px;text-transform:uppercase}.mono{font-family:ui-monospace,monospace}"
	    ".critical{color:#b3261e;font-weight:700}.error{color:#d9480f;font-weight:700}"
	    ".warning{color:#b7791f;font-weight:700}.info{color:#1c64b8}.err{color:#b3261e}"
	    "footer{color:#5b6673;font-size:12.5px;margin-top:28px}");
	if (lang_get() == LANG_ZH)
		buf_adds(b, "body{font-family:system-ui,-apple-system,'Noto Sans CJK SC','Source Han Sans SC','PingFang SC',"
		    "'Microsoft YaHei',sans-serif}");
	buf_adds(b, "</style></head><body><main>\n");
	buf_adds(b, "<h1>");
	buf_printf(b, P_("Triage summary: %zu bundle", "Triage summary: %zu bundles", s->n_rows), s->n_rows);
	buf_adds(b, "</h1>");
	if (s->n_errors > 0) {
		buf_adds(b, "<p class=\"err\">");
		buf_printf(b, _("%zu could not be read (see the error column)."), s->n_errors);
		buf_adds(b, "</p>");
	}
	buf_printf(b, "<h2>%s</h2><table><thead>%s</thead><tbody>", _("Bundles"),
	    _("<tr><th>Bundle</th><th>Host</th><th>Collected</th><th>Agent</th><th>Worst</th><th>Rules</th><th>Error</th></tr>"));
	for (i = 0; i < s->n_rows; i++) {
		const struct srow *r = &s->rows[i];

		buf_adds(b, "<tr><td class=\"mono\">");
		hh(b, r->path);
		buf_adds(b, "</td><td>");
		hh(b, r->hostname);
		buf_adds(b, "</td><td>");
		hh(b, r->collected_at);
		buf_adds(b, "</td><td>");
		hh(b, r->agent);
		buf_printf(b, "</td><td class=\"%s\">%s</td><td class=\"mono\">", worst_name(r), worst_label(r));
		for (k = 0; k < r->n_rules; k++) {
			buf_adds(b, k ? "<br>" : "");
			hh(b, r->rules[k]);
		}
		buf_adds(b, "</td><td class=\"err\">");
		hh(b, r->error);
		buf_adds(b, "</td></tr>");
	}
	buf_printf(b, "</tbody></table><h2>%s</h2>", _("Rules"));
	if (s->n_rules == 0)
		buf_printf(b, "<p>%s</p>", _("No rule fired on any bundle."));
	else {
		buf_printf(b, "<table><thead>%s</thead><tbody>", _("<tr><th>Rule</th><th>Severity</th><th>Bundles</th><th>Hosts</th></tr>"));
		for (i = 0; i < s->n_rules; i++) {
			const char *sev = severity_name((enum severity)s->rules[i].sev);

			buf_adds(b, "<tr><td class=\"mono\">");
			hh(b, s->rules[i].id);
			buf_printf(b, "</td><td class=\"%s\">%s</td><td>%zu</td><td>", sev,
			    severity_label((enum severity)s->rules[i].sev), s->rules[i].bundles);
			for (k = 0; k < s->rules[i].n_hosts; k++) {
				buf_adds(b, k ? ", " : "");
				hh(b, s->rules[i].hosts[k]);
			}
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table>");
	}
	buf_printf(b, "<h2>%s</h2><ul>", _("Groups: bundles with the same findings"));
	for (i = 0; i < s->n_groups; i++) {
		const struct sgroup *g = &s->groups[i];

		char *detail = group_detail(s, g);

		buf_adds(b, "<li><b>");
		group_label(b, g, hh);
		buf_adds(b, "</b>");
		if (detail[0] != '\0') {
			buf_adds(b, "<br>");
			hh(b, detail);
		}
		free(detail);
		buf_adds(b, "<br><span class=\"mono\">");
		for (k = 0; k < g->n; k++) {
			buf_adds(b, k ? ", " : "");
			hh(b, s->rows[g->rows[k]].path);
		}
		buf_adds(b, "</span></li>");
	}
	buf_adds(b, "</ul><footer>");
	buf_printf(b, _("Generated by triage-analyze %s. Self-contained: no script, no external resource."), TRIAGE_VERSION);
	buf_adds(b, "</footer></main></body></html>\n");
	return 0;
}

/* RFC 4180 field; a cell a spreadsheet would run as a formula gets a leading quote. */
static void
csv(struct buf *b, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	buf_addc(b, '"');
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		buf_addc(b, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

static int
write_csv(struct buf *b, const struct summary *s)
{
	size_t i, k;

	buf_adds(b, "path,hostname,collected_at,agent,worst,rules,error\r\n");
	for (i = 0; i < s->n_rows; i++) {
		const struct srow *r = &s->rows[i];
		struct buf ids = { 0 };

		for (k = 0; k < r->n_rules; k++)
			buf_printf(&ids, "%s%s", k ? " " : "", r->rules[k]);
		csv(b, r->path);
		buf_addc(b, ',');
		csv(b, r->hostname);
		buf_addc(b, ',');
		csv(b, r->collected_at);
		buf_addc(b, ',');
		csv(b, r->agent);
		buf_addc(b, ',');
		csv(b, worst_name(r));
		buf_addc(b, ',');
		csv(b, ids.data ? ids.data : "");
		buf_addc(b, ',');
		csv(b, r->error);
		buf_adds(b, "\r\n");
		buf_free(&ids);
	}
	return 0;
}

static int
write_json(struct buf *b, const struct summary *s)
{
	json_t *doc = json_object(), *arr = json_array(), *o, *ids;
	char *text;
	size_t i, k;

	json_object_set_new(doc, "schema", json_string("triage-summary/1"));
	for (i = 0; i < s->n_rows; i++) {
		const struct srow *r = &s->rows[i];

		o = json_object();
		json_object_set_new(o, "path", jstrn(r->path));
		json_object_set_new(o, "hostname", jstrn(r->hostname));
		json_object_set_new(o, "collected_at", jstrn(r->collected_at));
		json_object_set_new(o, "agent", jstrn(r->agent));
		json_object_set_new(o, "worst", r->error ? json_null() : json_string(worst_name(r)));
		ids = json_array();
		for (k = 0; k < r->n_rules; k++)
			json_array_append_new(ids, json_string(r->rules[k]));
		json_object_set_new(o, "rules", ids);
		json_object_set_new(o, "error", jstrn(r->error));
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "bundles", arr);
	arr = json_array();
	for (i = 0; i < s->n_rules; i++) {
		json_t *hosts = json_array();

		o = json_object();
		json_object_set_new(o, "rule", json_string(s->rules[i].id));
		json_object_set_new(o, "severity", json_string(severity_name((enum severity)s->rules[i].sev)));
		json_object_set_new(o, "bundles", json_integer((json_int_t)s->rules[i].bundles));
		for (k = 0; k < s->rules[i].n_hosts; k++)
			json_array_append_new(hosts, json_string(s->rules[i].hosts[k]));
		json_object_set_new(o, "hosts", hosts);
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "rules", arr);
	arr = json_array();
	for (i = 0; i < s->n_groups; i++) {
		const struct sgroup *g = &s->groups[i];
		json_t *paths = json_array();

		o = json_object();
		ids = json_array();
		for (k = 0; k < g->first->n_rules; k++)
			json_array_append_new(ids, json_string(g->first->rules[k]));
		json_object_set_new(o, "rules", ids);
		for (k = 0; k < g->n; k++)
			json_array_append_new(paths, jstrn(s->rows[g->rows[k]].path));
		json_object_set_new(o, "bundles", paths);
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "groups", arr);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		return -ENOMEM;
	buf_adds(b, text);
	buf_addc(b, '\n');
	free(text);
	return 0;
}

/* The summary's formats (-f with --summary), where its writer is chosen. */
static const struct {
	const char *name;
	int (*write)(struct buf *, const struct summary *);
} summary_formats[] = {
	{ "markdown", write_markdown },
	{ "md", write_markdown },
	{ "html", write_html },
	{ "csv", write_csv },
	{ "json", write_json },
};

/* Writes data to path through a temporary file in the same folder, renamed into place. */
static int
write_file(const char *path, const char *data, size_t len, char **why)
{
	_cleanup_free_ char *d = xstrdup(path), *bn = xstrdup(path), *tmp = NULL;
	const char *dir = dirname(d), *base = basename(bn);
	struct stat st;
	mode_t um;
	int fd, r = 0;

	/* Not a file (as the report's -o): a pipe or character device is written into, never replaced. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			*why = xstrdup("is a folder; give a file name, e.g. -o summary.html");
			return -EISDIR;
		}
		if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
			*why = xasprintf("is a %s; give a file name", S_ISBLK(st.st_mode) ? "block device" : "socket");
			return -EINVAL;
		}
		if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
			r = -errno;
			*why = xasprintf("cannot open: %s", strerror(errno));
			return r;
		}
		r = write_all(fd, data, len);
		if (close(fd) < 0 && r == 0)
			r = -errno;
		if (r < 0)
			*why = xasprintf("cannot write: %s", strerror(-r));
		return r;
	}
	tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		*why = xasprintf("cannot create a file in %s: %s", dir, strerror(errno));
		return -errno;
	}
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0644 & ~um);
	r = write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		*why = xasprintf("cannot write: %s", strerror(-r));
	}
	return r;
}

int
summary_run(const struct ruleset *rs, const struct suppressions *sup, const char *format, const char *output,
    int fail_on, unsigned jobs, bool quiet, const char *const *args, size_t n_args)
{
	struct inputs in = { 0 };
	struct summary s = { 0 };
	struct buf out = { 0 };
	bool tty = !quiet && isatty(STDERR_FILENO) == 1;
	char today[11], *why = NULL;
	int status = 0, r = 0;
	struct stat ost;
	size_t i, fi;

	for (fi = 0; fi < ELEMENTSOF(summary_formats); fi++)
		if (strcmp(format, summary_formats[fi].name) == 0)
			break;
	if (fi == ELEMENTSOF(summary_formats)) {
		msg(MSG_BADARG, NULL, 0, 0, "--format: '%s' is not a summary format (markdown, html, csv, json)", format);
		return EXIT_BAD;
	}
	suppress_today(today);
	signal(SIGPIPE, SIG_IGN);	/* a worker that died is an error row, not the end of the run */
	expand(&in, args, n_args);
	if (output != NULL && stat(output, &ost) == 0 && S_ISREG(ost.st_mode))
		for (i = 0; i < in.n; i++) {
			struct stat ist;

			/* -o onto an input (a report or bundle of the queue) would replace what was read. */
			if (stat(in.v[i], &ist) == 0 && ist.st_dev == ost.st_dev && ist.st_ino == ost.st_ino) {
				msg(MSG_BADARG, NULL, 0, 0, "-o %s: is an input of the summary ('%s'); write the summary to "
				    "another file", output, in.v[i]);
				for (i = 0; i < in.n; i++)
					free(in.v[i]);
				free(in.v);
				free(in.dirs);
				return EXIT_BAD;
			}
		}
	if (jobs == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = c > 0 ? (unsigned)c : 1;
	}
	if (jobs > in.n)
		jobs = in.n > 0 ? (unsigned)in.n : 1;
	s.rows = xcalloc(in.n ? in.n : 1, sizeof(*s.rows));
	s.n_rows = in.n;
	if (jobs <= 1) {
		for (i = 0; i < in.n; i++) {
			analyze_one(&s.rows[i], in.v[i], rs, sup, today);
			row_sanitize(&s.rows[i]);
			progress(i + 1, in.n, tty);
		}
	} else if ((r = run_workers(s.rows, in.v, in.n, jobs, rs, sup, today, tty)) < 0) {
		if (tty)
			fputc('\n', stderr);	/* after the progress line */
		msg(MSG_ERROR, NULL, 0, 0, "--summary: cannot run workers: %s", strerror(-r));
	}
	if (tty && in.n > 0)
		fputs("\r\033[K", stderr);
	for (i = 0; i < in.n; i++)
		free(in.v[i]);
	free(in.v);
	free(in.dirs);
	if (r < 0) {
		summary_free(&s);
		return EXIT_BAD;
	}
	summarize(&s);
	r = summary_formats[fi].write(&out, &s);
	if (r == 0 && output != NULL) {
		if ((r = write_file(output, out.data ? out.data : "", out.len, &why)) < 0)
			msg(MSG_ERROR, output, 0, 0, "%s", why);
		free(why);
	} else if (r == 0) {
		if (fwrite(out.data ? out.data : "", 1, out.len, stdout) != out.len || fflush(stdout) != 0)
			r = -EIO;
		if (r < 0)
			msg(MSG_ERROR, "stdout", 0, 0, "cannot write the summary: %s", strerror(errno ? errno : EIO));
	}
	buf_free(&out);
	if (r < 0 || msg_worst() >= MSG_ERROR)
		status = EXIT_BAD;
	else if (fail_on != SEV_NONE)
		for (i = 0; i < s.n_rows; i++)
			/* A bundle that could not be read is not known to be clean. */
			if (s.rows[i].error != NULL || s.rows[i].worst <= fail_on)
				status = EXIT_FINDINGS;
	summary_free(&s);
	return status;
}
