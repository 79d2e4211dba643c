/* rootfs.c: opening the collected system's files, on the live host or inside --root DIR without escaping it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "collect.h"

#ifndef RESOLVE_IN_ROOT
#define RESOLVE_NO_MAGICLINKS	0x02
#define RESOLVE_IN_ROOT		0x10
#endif

/* struct open_how of openat2(2), declared here for old headers. */
struct triage_open_how {
	uint64_t flags;		/* open flags */
	uint64_t mode;		/* creation mode (unused) */
	uint64_t resolve;	/* RESOLVE_* */
};

#define MAX_SYMLINKS 40

/*
 * Resolves path inside rootfd by hand (for kernels without openat2): each
 * component opened O_PATH|O_NOFOLLOW, symlinks read and restarted from the
 * root when absolute, ".." never above the root.  Returns an fd or -errno.
 */
static int
open_in_root_manual(int rootfd, const char *path, int flags)
{
	char *todo = xstrdup(path), *p;
	int cur = -1, nlinks = 0, r;
	/* Stack of directory fds so that ".." can go up without leaving the root. */
	int stack[PATH_MAX / 2];
	size_t depth = 0;

	cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0) {
		free(todo);
		return -errno;
	}
	p = todo;
	for (;;) {
		char *comp, *slash;
		int fd;
		struct stat st;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		comp = p;
		slash = strchr(p, '/');
		if (slash) {
			*slash = '\0';
			p = slash + 1;
		} else
			p = comp + strlen(comp);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 0) {
				close(cur);
				cur = stack[--depth];
			}
			continue;
		}
		fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			goto fail;
		}
		if (fstat(fd, &st) < 0) {
			r = -errno;
			close(fd);
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(cur, comp, target, sizeof(target) - 1);
			char *rest;

			close(fd);
			if (n < 0) {
				r = -errno;
				goto fail;
			}
			target[n] = '\0';
			if (++nlinks > MAX_SYMLINKS) {
				r = -ELOOP;
				goto fail;
			}
			rest = xasprintf("%s/%s", target, p);
			free(todo);
			todo = rest;
			p = todo;
			if (target[0] == '/') {
				while (depth > 0)
					close(stack[--depth]);
				close(cur);
				cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
				if (cur < 0) {
					r = -errno;
					goto fail;
				}
			}
			continue;
		}
		if (depth >= ELEMENTSOF(stack)) {
			close(fd);
			r = -ENAMETOOLONG;
			goto fail;
		}
		stack[depth++] = cur;
		cur = fd;
	}
	/* cur is an O_PATH fd of the final object: reopen it with the real flags. */
	{
		char proc[64];
		int fd;

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", cur);
		fd = open(proc, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
		r = fd < 0 ? -errno : fd;
	}
fail:
	while (depth > 0)
		close(stack[--depth]);
	if (cur >= 0)
		close(cur);
	free(todo);
	return r;
}

int
ctx_open(struct ctx *c, const char *path, int flags)
{
	int fd;

	if (c->rootfd < 0) {
		fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
		return fd < 0 ? -errno : fd;
	}
	if (c->openat2_ok) {
		/* openat2 refuses O_PATH with any flag but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC
		 * (EINVAL), where open() drops the others */
		struct triage_open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		const char *rel = path;

		while (*rel == '/')
			rel++;
		if (*rel == '\0')
			rel = ".";
		for (;;) {
			fd = (int)syscall(SYS_openat2, c->rootfd, rel, &how, sizeof(how));
			if (fd >= 0)
				return fd;
			if (errno != EAGAIN && errno != EINTR)
				break;
		}
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		c->openat2_ok = false;
	}
	return open_in_root_manual(c->rootfd, path, flags | O_NOCTTY);
}

int
ctx_read_file(struct ctx *c, const char *path, size_t max, char **data, size_t *len)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = ctx_open(c, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	return read_fd_max(fd, max, data, len);
}

int
read_fd_max(int fd, size_t max, char **data, size_t *len)
{
	struct buf b = { 0 };

	for (;;) {
		ssize_t n;

		buf_grow(&b, 65536);
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf_free(&b);
			return -errno;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.data[b.len] = '\0';
		if (b.len > max) {
			buf_free(&b);
			return -EFBIG;
		}
	}
	*data = buf_steal(&b, len);
	return 0;
}

int
ctx_readlink(struct ctx *c, const char *path, char **target)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base;
	_cleanup_close_ int dfd = -1;
	char buf[PATH_MAX];
	ssize_t n;

	if (slash == NULL)
		return -EINVAL;
	base = slash + 1;
	if (slash == dir)
		dir[1] = '\0', base = path + 1;
	else
		*slash = '\0';
	dfd = ctx_open(c, dir, O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return dfd;
	n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*target = xstrdup(buf);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ctx_glob(struct ctx *c, const char *pattern, struct strv *out)
{
	_cleanup_free_ char *dir = xstrdup(pattern);
	char *slash = strrchr(dir, '/');
	const char *pat;
	int fd, n = 0;
	DIR *d;
	struct dirent *de;
	size_t first = out->n;

	if (slash == NULL)
		return -EINVAL;
	pat = pattern + (slash - dir) + 1;
	if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (strpbrk(pat, "*?[") == NULL) {
		struct stat st;
		_cleanup_close_ int f = ctx_open(c, pattern, O_PATH);

		if (f < 0)
			return f;
		if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode))
			return 0;
		strv_add(out, pattern);
		return 1;
	}
	fd = ctx_open(c, dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.' && pat[0] != '.')
			continue;
		if (fnmatch(pat, de->d_name, FNM_PERIOD) != 0)
			continue;
		/* Only regular files (after symlinks, inside the root). */
		{
			_cleanup_free_ char *full = xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", de->d_name);
			_cleanup_close_ int f = ctx_open(c, full, O_PATH);

			if (f >= 0 && fstat(f, &st) == 0 && !S_ISREG(st.st_mode))
				continue;
			strv_add(out, full);
			n++;
		}
	}
	closedir(d);
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(char *), cmp_str);
	return n;
}

const char *
file_errstr(int r)
{
	switch (r) {
	case -ENOENT:
		return "not found";
	case -EACCES:
	case -EPERM:
		return "permission denied; run as root";
	case -EFBIG:
		return "too large";
	case -EISDIR:
		return "is a directory";
	case -EBADFD:
		return "not a regular file";
	case -ELOOP:
		return "too many symbolic links";
	case -ENOTDIR:
		return "a path component is not a directory";
	default:
		return strerror(-r);
	}
}
