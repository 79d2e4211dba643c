/* test_bundle_util.h: building real (and hostile) tar.gz archives in memory for the bundle tests. */
#ifndef TEST_BUNDLE_UTIL_H
#define TEST_BUNDLE_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "bundle.h"
#include "sha256.h"
#include "xalloc.h"

/* An archive being written into memory by libarchive's own writer. */
struct ab {
	struct archive *a;	/* the writer */
	char	*buf;		/* output */
	size_t	 cap, used;	/* buf's size, bytes written */
};

/* Starts a tar (pax restricted) archive, gzip-compressed unless gzip is false. */
static inline void
ab_begin(struct ab *b, size_t cap, bool gzip)
{
	b->buf = xmalloc(cap);
	b->cap = cap;
	b->used = 0;
	b->a = archive_write_new();
	archive_write_set_format_pax_restricted(b->a);
	if (gzip)
		archive_write_add_filter_gzip(b->a);
	archive_write_set_bytes_in_last_block(b->a, 1);
	if (archive_write_open_memory(b->a, b->buf, b->cap, &b->used) != ARCHIVE_OK)
		abort();
}

/* Adds an entry of any type; data only for regular files; link for symlinks/hardlinks. */
static inline void
ab_entry(struct ab *b, const char *path, mode_t type, const void *data, size_t len,
    const char *symlink, const char *hardlink)
{
	struct archive_entry *ae = archive_entry_new();

	archive_entry_set_pathname(ae, path);
	archive_entry_set_filetype(ae, type);
	archive_entry_set_perm(ae, type == AE_IFDIR ? 0755 : 0644);
	if (type == AE_IFCHR || type == AE_IFBLK)
		archive_entry_set_rdev(ae, makedev(1, 3));
	if (symlink)
		archive_entry_set_symlink(ae, symlink);
	if (hardlink)
		archive_entry_set_hardlink(ae, hardlink);
	archive_entry_set_size(ae, type == AE_IFREG && !hardlink ? (la_int64_t)len : 0);
	if (archive_write_header(b->a, ae) < ARCHIVE_WARN)
		fprintf(stderr, "ab_entry %s: %s\n", path, archive_error_string(b->a));
	if (type == AE_IFREG && len > 0 && !hardlink)
		archive_write_data(b->a, data, len);
	archive_entry_free(ae);
}

static inline void
ab_file(struct ab *b, const char *path, const void *data, size_t len)
{
	ab_entry(b, path, AE_IFREG, data, len, NULL, NULL);
}

/* Finishes the archive; b->buf and b->used hold it (free b->buf). */
static inline void
ab_end(struct ab *b)
{
	if (archive_write_close(b->a) != ARCHIVE_OK)
		fprintf(stderr, "ab_end: %s\n", archive_error_string(b->a));
	archive_write_free(b->a);
	b->a = NULL;
}

/* A valid manifest (as the writer makes it) listing n files; the caller may change it. Free it. */
static inline json_t *
mf_new(void)
{
	return json_pack("{s:s, s:i, s:s, s:{s:s}, s:{s:s, s:s}, s:{}, s:[], s:[], s:[], s:[]}",
	    "format", BUNDLE_FORMAT, "format_version", 1, "collected_at", "2026-11-26T05:00:00Z",
	    "host", "hostname", "test", "tool", "name", "test", "version", "0",
	    "collection", "sources", "redactions", "skipped", "entries");
}

/* Lists relpath with data's size and SHA-256. */
static inline void
mf_list(json_t *m, const char *relpath, const void *data, size_t len)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(data, len, hex);
	json_array_append_new(json_object_get(m, "entries"),
	    json_pack("{s:s, s:I, s:s}", "path", relpath, "size", (json_int_t)len, "sha256", hex));
}

/* Adds top/manifest.json made from m (and drops m). */
static inline void
ab_manifest(struct ab *b, const char *top, json_t *m)
{
	char *s = json_dumps(m, JSON_INDENT(2));
	char *path = xasprintf("%s/manifest.json", top);

	ab_file(b, path, s, strlen(s));
	free(path);
	free(s);
	json_decref(m);
}

/* Opens the archive in b with limits lim (NULL: defaults); returns br_open_memory's result. */
static inline int
ab_open(struct ab *b, const struct bundle_limits *lim, struct bundle_reader **r, char **err)
{
	return br_open_memory(r, b->buf, b->used, lim, err);
}

/*
 * Reads every entry to the end.  Returns 0 at the end, or br_next/br_read's
 * error (then *why is br_error()).
 */
static inline int
read_all_entries(struct bundle_reader *r, const char **why)
{
	struct br_entry e;
	char buf[65536];
	ssize_t n;
	int k;

	*why = NULL;
	while ((k = br_next(r, &e)) > 0) {
		while ((n = br_read(r, buf, sizeof(buf))) > 0)
			;
		if (n < 0) {
			*why = br_error(r);
			return (int)n;
		}
	}
	if (k < 0)
		*why = br_error(r);
	return k;
}

#endif
