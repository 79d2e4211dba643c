/* selfcheck.c: after the bundle is written, triage-analyze (beside this program or on PATH) is run on it and its findings shown. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "collect.h"
#include "escape.h"
#include "i18n.h"
#include "msg.h"
#include "termtext.h"

extern char **environ;

#define ANALYZER		"triage-analyze"
#define ANALYZE_TIMEOUT_SEC	60			/* the customer is waiting */
#define ANALYZE_OUTPUT_MAX	(4 * 1024 * 1024)	/* a report, not a flood */
#define ANALYZE_ERR_MAX		4096

/* What the collector says around the report: msgids of po/zh_CN.po, translated with _() where used. */
static const struct {
	const char *stays;		/* the last line: "If the problem stays, ... %s" */
	const char *failed;		/* "%s could not analyze the bundle: %s" */
	const char *timeout;		/* "%s took longer than %d s; stopped" */
	const char *spawn;		/* "cannot run %s: %s" */
} M = {
	.stays = N_("If the problem stays, attach this file to your support ticket: %s"),
	.failed = N_("%s could not analyze the bundle: %s"),
	.timeout = N_("%s took longer than %d s to analyze the bundle; stopped"),
	.spawn = N_("cannot run %s: %s"),
};

static bool
is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *
selfcheck_find(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *path = getenv("PATH");

	/* The release layout: both programs in one folder. */
	if (n > 0) {
		char *slash, *cand;

		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			cand = xasprintf("%s/%s", self[0] ? self : "", ANALYZER);
			if (is_exec_file(cand))
				return cand;
			free(cand);
		}
	}
	/* PATH, absolute entries only: the collector often runs as root, never from "." */
	while (path != NULL && *path != '\0') {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		if (len > 0 && path[0] == '/') {
			char *cand = xasprintf("%.*s/%s", (int)len, path, ANALYZER);

			if (is_exec_file(cand))
				return cand;
			free(cand);
		}
		path = colon ? colon + 1 : NULL;
	}
	return NULL;
}

/* The environment for the analyzer: ours, with COLUMNS set to the terminal's width when there is one. */
static char **
child_env(struct strv *keep)
{
	struct winsize ws;
	size_t n = 0, i;
	char **env;

	for (i = 0; environ[i] != NULL; i++)
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	n = 0;
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "COLUMNS=", 8) != 0)
			env[n++] = environ[i];
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		char *c = xasprintf("COLUMNS=%u", (unsigned)ws.ws_col);

		strv_add(keep, c);
		free(c);
		env[n++] = keep->v[keep->n - 1];
	} else {
		for (i = 0; environ[i] != NULL; i++)
			if (strncmp(environ[i], "COLUMNS=", 8) == 0)
				env[n++] = environ[i];
	}
	env[n] = NULL;
	return env;
}

/* Colour when our stderr is a terminal, unless NO_COLOR (non-empty) or TERM=dumb. */
static bool
want_colour(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(STDERR_FILENO) && (nc == NULL || *nc == '\0') && (term == NULL || strcmp(term, "dumb") != 0);
}

static uint64_t
now_msec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The first line of the analyzer's stderr, without its program prefix, escaped. */
static char *
first_line(const struct buf *err)
{
	struct buf b = { 0 };
	const char *s = err->data ? err->data : "";
	size_t len = strcspn(s, "\n");

	if (strncmp(s, ANALYZER ": ", strlen(ANALYZER ": ")) == 0 && len > strlen(ANALYZER ": ")) {
		s += strlen(ANALYZER ": ");
		len -= strlen(ANALYZER ": ");
	}
	term_sanitize(&b, s, len);
	return buf_steal(&b, NULL);
}

/*
 * Starts the analyzer with stdin on /dev/null and stdout, stderr on two new pipes; their
 * read ends stay in out[0] and err[0], the write ends are closed (-1). *pid gets the child.
 */
static int
spawn_analyzer(const char *analyzer, const char **argv, int out[2], int err[2], pid_t *pid)
{
	struct strv keep = { 0 };
	posix_spawn_file_actions_t fa;
	char **env;
	int r;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
	env = child_env(&keep);
	r = -posix_spawn(pid, analyzer, &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	strv_free(&keep);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	return r;
}

/*
 * Reads the analyzer's stdout (fd out) into o and its stderr (fd err, the first
 * ANALYZE_ERR_MAX bytes or so) into e until both close, the report passes
 * ANALYZE_OUTPUT_MAX, or the deadline comes; returns whether the deadline came.
 * *open_out and *open_err say which pipe was still open at the end.
 */
static bool
read_pipes(int out, int err, uint64_t deadline, struct buf *o, struct buf *e, bool *open_out, bool *open_err)
{
	while (*open_out || *open_err) {
		struct pollfd p[2] = { { *open_out ? out : -1, POLLIN, 0 }, { *open_err ? err : -1, POLLIN, 0 } };
		uint64_t now = now_msec();
		char chunk[65536];

		if (now >= deadline || o->len > ANALYZE_OUTPUT_MAX)
			return now >= deadline;
		if (poll(p, 2, (int)(deadline - now)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < 2; k++) {
			ssize_t n;

			if (p[k].fd < 0 || !(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[k].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (k == 0)
					*open_out = false;
				else
					*open_err = false;
				continue;
			}
			if (k == 0)
				buf_add(o, chunk, (size_t)n);
			else if (e->len < ANALYZE_ERR_MAX)
				buf_add(e, chunk, (size_t)n);
		}
	}
	return false;
}

/*
 * Waits for the analyzer and returns its wait status, -1 when it was stopped or could not
 * be waited for.  Its output is closed (still_open false): it exits now.  Still running at
 * the deadline, or with a pipe still open (it flooded): killed; *timed_out is set if the
 * deadline had passed.
 */
static int
reap_analyzer(pid_t pid, uint64_t deadline, bool still_open, bool *timed_out)
{
	int status = 0;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		if (w == 0 && (still_open || now_msec() >= deadline)) {
			*timed_out = *timed_out || now_msec() >= deadline;
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			status = -1;
			break;
		}
		nanosleep(&ts, NULL);
	}
	return status;
}

/* Whether a wait status (-1: stopped or lost) is a failed analysis: exit status 0 and 1 are reports. */
static bool
analyzer_failed(int status)
{
	return status == -1 || !WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1);
}

/* Why the analyzer failed, for M.failed, from its report o, its stderr e and its wait status; free() it. */
static char *
failure_reason(const struct buf *o, const struct buf *e, int status)
{
	return o->len > ANALYZE_OUTPUT_MAX ?
	    xasprintf(_("its report passed %d MiB; stopped"), ANALYZE_OUTPUT_MAX >> 20) :
	    e->len > 0 ? first_line(e) : status == -1 ? xstrdup(_("it could not be waited for")) :
	    WIFSIGNALED(status) ? xasprintf(_("killed by signal %d"), WTERMSIG(status)) :
	    xasprintf(_("exit status %d"), WEXITSTATUS(status));
}

/* Shows the analyzer's report o on stderr, then where the bundle is (M.stays). */
static void
show_report(const struct buf *o, const char *bundle)
{
	struct buf shown = { 0 };

	/* Only the analyzer's own styles reach the terminal, whatever it printed. */
	for (size_t i = 0, l; i < o->len; i += l + 1) {
		const char *nl = memchr(o->data + i, '\n', o->len - i);

		l = nl ? (size_t)(nl - o->data) - i : o->len - i;
		term_sanitize(&shown, o->data + i, l);
		buf_addc(&shown, '\n');
	}
	fputc('\n', stderr);
	fwrite(shown.data ? shown.data : "", 1, shown.len, stderr);
	buf_reset(&shown);
	esc_term(&shown, bundle, strlen(bundle));
	fputc('\n', stderr);
	fprintf(stderr, _(M.stays), shown.data ? shown.data : "");
	fputc('\n', stderr);
	buf_free(&shown);
}

int
selfcheck_run(const char *analyzer, const char *bundle)
{
	const char *argv[] = { analyzer, "-f", "text", "--fail-on", "none",
	    want_colour() ? "--color=always" : "--color=never", "--", bundle, NULL };
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, status, r;
	struct buf o = { 0 }, e = { 0 };
	const char *t = getenv("TRIAGE_TEST_ANALYZE_TIMEOUT");	/* the test suite's short limit */
	int limit = t != NULL && atoi(t) > 0 ? atoi(t) : ANALYZE_TIMEOUT_SEC;
	uint64_t deadline = now_msec() + (uint64_t)limit * 1000;
	bool timed_out, open_out = true, open_err = true;
	pid_t pid;

	if ((r = spawn_analyzer(analyzer, argv, out, err, &pid)) < 0) {
		for (int k = 0; k < 2; k++) {
			if (out[k] >= 0)
				close(out[k]);
			if (err[k] >= 0)
				close(err[k]);
		}
		msg(MSG_WARNING, NULL, 0, 0, _(M.spawn), analyzer, strerror(-r));
		return r;
	}
	timed_out = read_pipes(out[0], err[0], deadline, &o, &e, &open_out, &open_err);
	status = reap_analyzer(pid, deadline, open_out || open_err, &timed_out);
	close(out[0]);
	close(err[0]);

	if (timed_out) {
		msg(MSG_WARNING, NULL, 0, 0, _(M.timeout), analyzer, limit);
		r = -ETIME;
	} else if (analyzer_failed(status)) {
		_cleanup_free_ char *why = failure_reason(&o, &e, status);

		msg(MSG_WARNING, NULL, 0, 0, _(M.failed), analyzer, why);
		r = -EPROTO;
	} else {
		show_report(&o, bundle);
		r = 0;
	}
	buf_free(&o);
	buf_free(&e);
	return r;
}
