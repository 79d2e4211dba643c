/* output.c: where the bundle goes (-o): a new file, a file in a folder, standard output, a device or a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "collect.h"

/* A path that must not exist yet, or may be replaced with --force. */
static int
check_new(const char *path, bool force, char **err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (*err = xasprintf("'%s': %s", path, strerror(errno)), -errno);
	if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
		if (force)
			return 0;
		*err = xasprintf("'%s' already exists; pass --force to replace it, or choose another name with -o",
		    path);
		return -EEXIST;
	}
	*err = xasprintf("'%s' exists and is not a regular file", path);
	return -EEXIST;
}

int
output_resolve(const char *arg, const char *default_name, bool force, struct output *out, char **err)
{
	struct stat st;
	size_t len;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	*err = NULL;
	if (arg == NULL) {
		out->path = xstrdup(default_name);
		return check_new(out->path, force, err);
	}
	if (strcmp(arg, "-") == 0) {
		if (isatty(STDOUT_FILENO)) {
			*err = xstrdup("-o -: standard output is a terminal; redirect it to a file or a pipe "
			    "(triage-collect -o - > bundle.tar.gz)");
			return -EINVAL;
		}
		out->path = xstrdup("-");
		out->fd = STDOUT_FILENO;
		out->stream = true;
		out->is_stdout = true;
		signal(SIGPIPE, SIG_IGN);
		return 0;
	}
	len = strlen(arg);
	if (stat(arg, &st) < 0) {
		if (errno == ENOENT && len > 0 && arg[len - 1] == '/') {
			*err = xasprintf("'%s': no such folder", arg);
			return -ENOENT;
		}
		if (errno != ENOENT) {
			*err = xasprintf("'%s': %s", arg, strerror(errno));
			return -errno;
		}
		out->path = xstrdup(arg);
		return check_new(out->path, force, err);	/* a dangling symlink is not replaced silently */
	}
	if (S_ISDIR(st.st_mode)) {
		out->path = xasprintf("%s%s%s", arg, arg[len - 1] == '/' ? "" : "/", default_name);
		return check_new(out->path, force, err);
	}
	if (S_ISREG(st.st_mode)) {
		out->path = xstrdup(arg);
		return check_new(out->path, force, err);
	}
	/* A device, a pipe: written into as a stream, never renamed over. */
	if (S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode)) {
		*err = xasprintf("'%s' is a %s; give a file, a folder, a pipe or '-'", arg,
		    S_ISBLK(st.st_mode) ? "block device" : "socket");
		return -EINVAL;
	}
	out->fd = open(arg, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (out->fd < 0) {
		*err = xasprintf("'%s': %s", arg, strerror(errno));
		return -errno;
	}
	if (isatty(out->fd)) {
		close(out->fd);
		out->fd = -1;
		*err = xasprintf("'%s' is a terminal; give a file, a folder or a pipe", arg);
		return -EINVAL;
	}
	out->path = xstrdup(arg);
	out->stream = true;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

void
output_done(struct output *out)
{
	if (out->fd >= 0 && !out->is_stdout)
		close(out->fd);
	out->fd = -1;
	free(out->path);
	out->path = NULL;
}

const char *
output_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t == '/' ? t : "/tmp";
}
