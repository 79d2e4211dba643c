/* output.c: where the report goes (-o): the table of formats (the writers are chosen here), the format a file name implies, and outputs that are not files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"

const struct report_format report_formats[] = {
	{ "markdown", report_markdown },
	{ "html", report_html },
	{ "json", report_json },
	{ "text", report_text },
	{ NULL, NULL },
};

const struct report_format *
report_format_find(const char *name)
{
	const struct report_format *f;

	for (f = report_formats; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	if (strcmp(name, "md") == 0)
		return &report_formats[0];
	return NULL;
}

const struct report_format *
report_format_for_path(const char *path, const struct report_format *dflt)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if (dot == NULL || (slash && dot < slash))
		return dflt;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0)
		return report_format_find("html");
	if (strcasecmp(dot, ".json") == 0)
		return report_format_find("json");
	if (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0)
		return report_format_find("markdown");
	if (strcasecmp(dot, ".txt") == 0 && report_format_find("text") != NULL)
		return report_format_find("text");
	return dflt;
}

int
report_output_special(const char *path, const struct report_format *fmt, const struct report_view *v, char **why)
{
	struct stat st;
	FILE *f;
	int fd, r;

	if (stat(path, &st) < 0 || S_ISREG(st.st_mode))
		return 0;	/* a new or regular file: written aside and renamed into place */
	if (S_ISDIR(st.st_mode)) {
		*why = xstrdup("is a folder; give a file name, e.g. -o report.html");
		return -EISDIR;
	}
	if (S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode)) {
		*why = xasprintf("is a %s; give a file name", S_ISBLK(st.st_mode) ? "block device" : "socket");
		return -EINVAL;
	}
	/* A pipe or a character device: written into, never replaced. */
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		*why = xasprintf("cannot open: %s", strerror(errno));
		return r;
	}
	f = fdopen(fd, "we");
	if (f == NULL) {
		r = -errno;
		close(fd);
		*why = xasprintf("cannot open: %s", strerror(-r));
		return r;
	}
	r = fmt->write(f, v);
	if (r == 0 && (fflush(f) != 0 || ferror(f)))
		r = errno ? -errno : -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		*why = xasprintf("cannot write: %s", strerror(-r));
		return r;
	}
	return 1;
}
