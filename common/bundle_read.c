/* bundle_read.c: reading an untrusted bundle (.tar.gz or extracted folder) as checked streams, never to disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundle.h"
#include "cleanup.h"
#include "gzip_reader.h"
#include "sha256.h"
#include "xalloc.h"

#define SCRATCH		(64 * 1024)	/* draining entries the caller skipped */
#define MAX_DIR_DEPTH	64		/* folders below the top one (directory input) */
#define MSG_PATH	200		/* bytes of an untrusted path shown in a message */

/* One open folder while walking a directory input. */
struct dir_level {
	int	 fd;		/* the folder, opened O_NOFOLLOW */
	char	**names;	/* its entries, sorted */
	size_t	 n, i;		/* how many, and the next one */
	char	*prefix;	/* its path relative to the top directory ("" for the top) */
};

/* An entry whose verdict was not BR_VERIFIED. */
struct failure {
	char	*path;		/* relative to the top directory */
	enum br_verdict verdict;
};

#define RAWBUF	(64 * 1024)	/* bytes of a plain tar handed to libarchive at a time */

struct bundle_reader {
	struct bundle_limits lim;	/* caps in force */
	bool	 is_dir;		/* directory input */

	struct archive *a;		/* archive input: the open archive */
	int	 fd;			/* the .tar.gz file, or -1 (memory) */
	const void *mem;		/* memory input */
	size_t	 mem_len;
	struct gzr *gz;			/* archive input: inflates what libarchive reads as tar */
	bool	 replay;		/* reopened because manifest.json was not first */
	bool	 plain_tar;		/* archive input without gzip (a .tar): libarchive reads the bytes as they are */
	uint64_t raw_off;		/* plain tar: the next byte to hand to libarchive */
	void	*owned_mem;		/* br_open_fd(): the input read from a pipe, freed with the reader */
	char	*rawbuf;		/* plain tar from a file: the block libarchive reads (RAWBUF bytes) */
	bool	 flat;			/* no top directory: entries relative to the root ("./config/...") */
	bool	 probing;		/* looking for manifest.json: the layout is not known yet */
	unsigned pre_other;		/* probing: entries seen before manifest.json (replay needed) */
	unsigned pre_rootdirs;		/* probing: folders at the root seen before it */

	struct dir_level *stack;	/* directory input: folders being walked */
	size_t	 depth, cap;
	int	 cur_fd;		/* directory input: the current file */

	char	*topdir;		/* the single top directory */
	bool	 top_seen;		/* an explicit entry for the top directory was seen */
	json_t	*manifest;		/* parsed and checked */
	json_t	*listed;		/* path -> its object in manifest "entries" */
	json_t	*found;			/* path -> true (file) / false (folder), every path seen */
	uint64_t n_entries;		/* entries seen, counting toward max_entries */
	uint64_t total;			/* uncompressed bytes declared so far */

	char	*cur_path;		/* current entry, relative to the top directory */
	bool	 cur_is_dir;
	bool	 cur_open;		/* its data is not read to the end yet */
	uint64_t cur_size;		/* size from the header (or fstat) */
	uint64_t cur_read;		/* bytes read so far */
	const json_t *cur_listed;	/* its manifest object, or NULL */
	struct sha256 hash;		/* over the bytes read so far */
	enum br_verdict verdict;

	struct failure *fails;		/* entries that did not verify, in order */
	size_t	 n_fails, cap_fails;
	char	*err;			/* last error */
	int	 broken;		/* a structure error (negative errno) once seen: refuse on */
	bool	 done;			/* br_next() reached the end */
	char	*scratch;		/* SCRATCH bytes */
};

/* ---- messages ------------------------------------------------------------ */

/* An untrusted path made printable: control bytes as \xNN, at most MSG_PATH bytes. */
static char *
quote(const char *s)
{
	struct buf b = {0};
	size_t n = 0;

	for (; *s != '\0'; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (n >= MSG_PATH) {
			buf_adds(&b, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			buf_printf(&b, "\\x%02x", c);
		else
			buf_addc(&b, (char)c);
	}
	if (b.data == NULL)
		return xstrdup("");
	return buf_steal(&b, NULL);
}

static int
set_err(struct bundle_reader *r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
set_err(struct bundle_reader *r, int err, const char *fmt, ...)
{
	va_list ap;

	free(r->err);
	va_start(ap, fmt);
	r->err = xvasprintf(fmt, ap);
	va_end(ap);
	return err;
}

/* A structure error: the bundle must be refused, so every later call fails the same way. */
static int
refuse(struct bundle_reader *r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
refuse(struct bundle_reader *r, int err, const char *fmt, ...)
{
	va_list ap;

	free(r->err);
	va_start(ap, fmt);
	r->err = xvasprintf(fmt, ap);
	va_end(ap);
	r->broken = err;
	return err;
}

/* Refuses naming an entry: "entry 'PATH': WHAT". */
static int
refuse_entry(struct bundle_reader *r, int err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
refuse_entry(struct bundle_reader *r, int err, const char *path, const char *fmt, ...)
{
	_cleanup_free_ char *q = quote(path), *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	return refuse(r, err, "entry '%s': %s", q, what);
}

/* ---- shared ------------------------------------------------------------- */

static const char *
type_name(mode_t type)
{
	switch (type) {
	case S_IFLNK:
		return "symbolic link";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	case S_IFIFO:
		return "FIFO";
	case S_IFSOCK:
		return "socket";
	default:
		return "file of unknown type";
	}
}

static int
refuse_type(struct bundle_reader *r, const char *path, const char *what)
{
	return refuse_entry(r, -EPERM, path, "%s (only regular files and directories are allowed)", what);
}

/* Counts an entry against max_entries. */
static int
count_entry(struct bundle_reader *r, const char *path)
{
	if (++r->n_entries > r->lim.max_entries)
		return refuse_entry(r, -E2BIG, path, "more than %llu entries in the bundle",
		    (unsigned long long)r->lim.max_entries);
	return 0;
}

/* Counts a file's declared size against the caps. */
static int
count_size(struct bundle_reader *r, const char *path, uint64_t size)
{
	if (size > r->lim.max_entry_size)
		return refuse_entry(r, -EFBIG, path, "%llu bytes, over the cap of %llu per entry",
		    (unsigned long long)size, (unsigned long long)r->lim.max_entry_size);
	r->total += size;
	if (r->total > r->lim.max_total)
		return refuse_entry(r, -EFBIG, path, "the bundle holds more than %llu uncompressed bytes",
		    (unsigned long long)r->lim.max_total);
	return 0;
}

static void
add_failure(struct bundle_reader *r, const char *path, enum br_verdict v)
{
	if (r->n_fails == r->cap_fails) {
		r->cap_fails = r->cap_fails ? 2 * r->cap_fails : 8;
		r->fails = xreallocarray(r->fails, r->cap_fails, sizeof(*r->fails));
	}
	r->fails[r->n_fails++] = (struct failure){xstrdup(path), v};
}

/* The current entry reached its end: decide its verdict. */
static void
finish_entry(struct bundle_reader *r)
{
	char hex[SHA256_HEX_LEN + 1];

	r->cur_open = false;
	sha256_final_hex(&r->hash, hex);
	if (r->cur_listed == NULL)
		r->verdict = BR_UNLISTED;
	else if ((uint64_t)json_integer_value(json_object_get(r->cur_listed, "size")) != r->cur_read)
		r->verdict = BR_SIZE_MISMATCH;
	else if (strcmp(json_string_value(json_object_get(r->cur_listed, "sha256")), hex) != 0)
		r->verdict = BR_HASH_MISMATCH;
	else
		r->verdict = BR_VERIFIED;
	if (r->verdict != BR_VERIFIED)
		add_failure(r, r->cur_path, r->verdict);
}

/* Makes relpath the current entry. */
static void
start_entry(struct bundle_reader *r, const char *relpath, bool is_dir, uint64_t size)
{
	free(r->cur_path);
	sha256_done(&r->hash);
	r->cur_path = xstrdup(relpath);
	r->cur_is_dir = is_dir;
	r->cur_size = size;
	r->cur_read = 0;
	r->cur_listed = is_dir ? NULL : json_object_get(r->listed, relpath);
	json_object_set_new(r->found, relpath, json_boolean(!is_dir));
	if (is_dir) {
		/* a folder has no data and is never listed: nothing to verify */
		r->cur_open = false;
		r->verdict = BR_VERIFIED;
	} else {
		sha256_init(&r->hash);
		r->cur_open = true;
		r->verdict = BR_PENDING;
	}
}

static void
index_manifest(struct bundle_reader *r)
{
	json_t *item;
	size_t i;

	r->listed = json_object();
	json_array_foreach(json_object_get(r->manifest, "entries"), i, item)
		json_object_set(r->listed, json_string_value(json_object_get(item, "path")), item);
}

static int
parse_manifest(struct bundle_reader *r, const char *data, size_t len)
{
	_cleanup_free_ char *msg = NULL;
	int e;

	e = manifest_parse(data, len, &r->lim, &r->manifest, &msg);
	if (e < 0)
		return refuse(r, e, "%s", msg);
	index_manifest(r);
	return 0;
}

/* ---- archive input -------------------------------------------------------- */

/* Compressed bytes of the input (the file's size, or the buffer's). */
static uint64_t
input_size(const struct bundle_reader *r)
{
	struct stat st;

	if (r->fd < 0)
		return r->mem_len;
	if (fstat(r->fd, &st) == 0)
		return (uint64_t)st.st_size;
	return r->gz ? gzr_in(r->gz) : 0;
}

/*
 * Turns libarchive's error into our reason: a gzip stream that stops early,
 * a tar archive that stops early inside a complete gzip stream, a gzip stream
 * that holds no tar, or libarchive's own words.  where: "entry 'x': " or "".
 */
static char *
describe_archive_error(struct bundle_reader *r, const char *where)
{
	const char *es = archive_error_string(r->a);

	/* libarchive's gzip filter fails without a message when the 8-byte trailer is cut */
	if (es == NULL)
		return xasprintf("%struncated gzip stream after %llu bytes", where,
		    (unsigned long long)input_size(r));
	if (strcasestr(es, "truncated gzip") || strcasestr(es, "premature end") ||
	    strcasestr(es, "unexpected end"))
		return xasprintf("%struncated gzip stream after %llu bytes", where,
		    (unsigned long long)input_size(r));
	if (strcasestr(es, "truncated"))
		return xasprintf("%struncated tar archive inside a complete gzip stream (%s)", where, es);
	if (strcasestr(es, "unrecognized archive format"))
		return xstrdup("not a gzip-compressed tar: the gzip stream does not hold a tar archive");
	if (*where == '\0')
		return xasprintf("not a gzip-compressed tar: %s", es);
	return xasprintf("%s%s", where, es);
}

static int
archive_refuse(struct bundle_reader *r, const char *path)
{
	int err = archive_errno(r->a) > 0 ? -archive_errno(r->a) : -EIO;
	_cleanup_free_ char *q = path ? quote(path) : NULL;
	_cleanup_free_ char *where = q ? xasprintf("entry '%s': ", q) : xstrdup("");
	_cleanup_free_ char *msg = describe_archive_error(r, where);

	return refuse(r, err, "%s", msg);
}

/* The current entry as the archive names it (top directory included); free it. */
static char *
cur_shown(const struct bundle_reader *r)
{
	return xasprintf("%s/%s", r->topdir ? r->topdir : "", r->cur_path ? r->cur_path : "");
}

/* Checks the compression ratio so far (path NULL: the current entry); a bomb is refused while streaming. */
/*
 * True when the stream so far inflates beyond the caps: the ratio of
 * uncompressed to compressed bytes (past BUNDLE_RATIO_FLOOR), or far more
 * uncompressed bytes than the entries may declare.  Fills *in and *out.
 */
static bool
inflated_too_much(struct bundle_reader *r, uint64_t *in, uint64_t *out)
{
	*in = r->gz ? gzr_in(r->gz) : 0;	/* compressed, consumed */
	*out = r->gz ? gzr_out(r->gz) : 0;	/* uncompressed tar stream handed to libarchive */
	if (*out > r->lim.max_total + r->lim.max_manifest + 1024 * r->lim.max_entries + BUNDLE_RATIO_FLOOR)
		return true;
	if (*out <= BUNDLE_RATIO_FLOOR || r->lim.max_ratio == 0)
		return false;
	return *in == 0 || *out / *in > r->lim.max_ratio;
}

/* Checks the compression ratio so far (path NULL: the current entry); a bomb is refused while streaming. */
static int
check_ratio(struct bundle_reader *r, const char *path)
{
	uint64_t in, out;

	if (!inflated_too_much(r, &in, &out))
		return 0;
	{
		_cleanup_free_ char *shown = path ? NULL : cur_shown(r);

		return refuse_entry(r, -EFBIG, path ? path : shown,
		    "compression ratio over %llu:1 (%llu bytes from %llu): a decompression bomb?",
		    (unsigned long long)r->lim.max_ratio, (unsigned long long)out,
		    (unsigned long long)in);
	}
}

/*
 * libarchive's source of tar bytes: the gzip stream inflated here (at most
 * GZR_WINDOW bytes a call, a whole member at once when it fits).  The caps
 * are checked before every call, so that bytes libarchive inflates on its
 * own (skipping data, long names, pax headers) are bounded as well as those
 * we read: at most one window inflates unchecked.
 */
static la_ssize_t
client_read(struct archive *a, void *data, const void **buf)
{
	struct bundle_reader *r = data;
	uint64_t in, out;
	ssize_t n;

	if (inflated_too_much(r, &in, &out)) {
		archive_set_error(a, EFBIG, "compression ratio over %llu:1 (%llu bytes from %llu): "
		    "a decompression bomb?", (unsigned long long)r->lim.max_ratio,
		    (unsigned long long)out, (unsigned long long)in);
		return -1;
	}
	if (r->plain_tar) {
		if (r->fd < 0) {
			/* memory: everything at once */
			*buf = (const char *)r->mem + r->raw_off;
			n = (ssize_t)(r->mem_len - r->raw_off);
		} else {
			if (r->rawbuf == NULL)
				r->rawbuf = xmalloc(RAWBUF);
			n = pread(r->fd, r->rawbuf, RAWBUF, (off_t)r->raw_off);
			if (n < 0) {
				archive_set_error(a, errno, "%s", strerror(errno));
				return -1;
			}
			*buf = r->rawbuf;
		}
		r->raw_off += (uint64_t)n;
		return (la_ssize_t)n;
	}
	n = gzr_read(r->gz, buf);
	if (n < 0) {
		archive_set_error(a, -(int)n, "%s", gzr_error(r->gz));
		return -1;
	}
	return (la_ssize_t)n;
}

/*
 * After the tar archive's end: the rest of the gzip stream (GNU tar's record
 * padding, the last trailer) must inflate to its end, within the caps, or
 * the bundle was cut or damaged after its last entry.
 */
static int
archive_finish_gzip(struct bundle_reader *r)
{
	if (r->plain_tar)
		return 0;
	for (;;) {
		uint64_t in, out;
		const void *p;
		ssize_t n;

		if (inflated_too_much(r, &in, &out))
			return refuse(r, -EFBIG, "compression ratio over %llu:1 (%llu bytes from %llu) after "
			    "the last entry: a decompression bomb?", (unsigned long long)r->lim.max_ratio,
			    (unsigned long long)out, (unsigned long long)in);
		n = gzr_read(r->gz, &p);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (strstr(gzr_error(r->gz), "truncated"))
				return refuse(r, (int)n, "truncated gzip stream after %llu bytes",
				    (unsigned long long)input_size(r));
			return refuse(r, (int)n, "after the last entry: %s", gzr_error(r->gz));
		}
	}
}

static int
archive_start(struct bundle_reader *r, char **errmsg)
{
	unsigned char magic[2];
	size_t have;
	int e;

	if (r->fd >= 0) {
		ssize_t n = pread(r->fd, magic, sizeof(magic), 0);

		if (n < 0) {
			*errmsg = xasprintf("cannot read: %s", strerror(errno));
			return -errno;
		}
		have = (size_t)n;
	} else {
		have = r->mem_len < 2 ? r->mem_len : 2;
		memcpy(magic, r->mem, have);
	}
	if (have == 0) {
		*errmsg = xstrdup("empty file");
		return -EINVAL;
	}
	r->plain_tar = false;
	r->raw_off = 0;
	if (have < 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
		/* A plain tar (a browser or a tool already inflated it): ustar magic at 257. */
		char hdr[6] = { 0 };

		if (r->fd >= 0)
			(void)!pread(r->fd, hdr, 5, 257);
		else if (r->mem_len >= 262)
			memcpy(hdr, (const char *)r->mem + 257, 5);
		if (strcmp(hdr, "ustar") != 0) {
			*errmsg = xstrdup("not a bundle: neither gzip-compressed nor a tar archive (give the .tar.gz "
			    "triage-collect wrote, the .tar it holds, or the folder it extracts to)");
			return -EINVAL;
		}
		r->plain_tar = true;
		archive_read_free(r->a);
		gzr_free(r->gz);
		r->gz = NULL;
		r->a = archive_read_new();
		archive_read_support_format_tar(r->a);
		if (archive_read_open2(r->a, r, NULL, client_read, NULL, NULL) != ARCHIVE_OK) {
			*errmsg = describe_archive_error(r, "");
			return -EINVAL;
		}
		return 0;
	}
	if (input_size(r) < 18) {	/* a gzip header and trailer alone take 18 bytes */
		*errmsg = xasprintf("truncated gzip stream after %llu bytes", (unsigned long long)input_size(r));
		return -EINVAL;
	}

	archive_read_free(r->a);
	gzr_free(r->gz);
	/* libarchive only parses tar: the gzip layer is ours (gzip_reader.c) */
	r->gz = r->fd >= 0 ? gzr_new_fd(r->fd) : gzr_new_memory(r->mem, r->mem_len);
	r->a = archive_read_new();
	archive_read_support_format_tar(r->a);
	e = archive_read_open2(r->a, r, NULL, client_read, NULL, NULL);
	if (e != ARCHIVE_OK) {
		*errmsg = describe_archive_error(r, "");
		return -EINVAL;
	}
	return 0;
}

/*
 * Reads and checks the next header.  Returns 1 and *relpath (free it; NULL
 * for an entry to pass over silently: the top directory itself, "./"), 0 at
 * the end, or a negative errno (refused).
 */
static int
archive_header(struct bundle_reader *r, char **relpath, bool *is_dir, uint64_t *size, bool first)
{
	struct archive_entry *ae;
	const char *raw, *why, *slash;
	_cleanup_free_ char *norm = NULL;
	mode_t type;
	int e;

	*relpath = NULL;
	e = archive_read_next_header(r->a, &ae);
	if (e == ARCHIVE_EOF)
		return archive_finish_gzip(r);
	if (e < ARCHIVE_WARN) {
		/* the error is about what follows the last entry, or the stream itself */
		_cleanup_free_ char *prev = (r->cur_path && !first) ? cur_shown(r) : NULL;
		_cleanup_free_ char *q = prev ? quote(prev) : NULL;
		_cleanup_free_ char *where = q ? xasprintf("after entry '%s': ", q) :
		    xstrdup(first ? "" : "at the start: ");
		_cleanup_free_ char *msg = describe_archive_error(r, where);

		return refuse(r, first ? -EINVAL : -EIO, "%s", msg);
	}
	raw = archive_entry_pathname(ae);
	if (raw == NULL)
		raw = archive_entry_pathname_utf8(ae);
	if (raw == NULL)
		return refuse(r, -EINVAL, "an entry without a usable path (entry %llu)",
		    (unsigned long long)r->n_entries + 1);
	if ((e = check_ratio(r, raw)) < 0)
		return e;
	if ((e = count_entry(r, raw)) < 0)
		return e;
	if (strlen(raw) > r->lim.max_path)
		return refuse_entry(r, -ENAMETOOLONG, raw, "path longer than %zu bytes", r->lim.max_path);
	if (raw[0] != '/' && strstr(raw, "..") == NULL && raw[strspn(raw, "./")] == '\0' &&
	    archive_entry_filetype(ae) == AE_IFDIR && archive_entry_hardlink(ae) == NULL)
		return 1;	/* "./": the folder tar was run in */
	if (bundle_path_normalise(raw, r->lim.max_path, &norm, &why) < 0)
		return refuse_entry(r, -EINVAL, raw, "%s", why);

	type = archive_entry_filetype(ae);
	if (archive_entry_hardlink(ae))
		return refuse_type(r, raw, "hard link");
	if (type != AE_IFREG && type != AE_IFDIR)
		return refuse_type(r, raw, type_name(type));
	*is_dir = type == AE_IFDIR;
	*size = *is_dir ? 0 : (uint64_t)(archive_entry_size(ae) > 0 ? archive_entry_size(ae) : 0);

	slash = strchr(norm, '/');
	if (r->probing) {
		/* Where manifest.json is decides the layout: "top/manifest.json", or at the root. */
		if (!*is_dir && strcmp(norm, BUNDLE_MANIFEST) == 0) {
			r->flat = true;
			r->topdir = xstrdup(".");
		} else if (!*is_dir && slash && strcmp(slash + 1, BUNDLE_MANIFEST) == 0)
			r->topdir = xstrndup(norm, (size_t)(slash - norm));
		else {
			if (*is_dir && slash == NULL)
				r->pre_rootdirs++;
			else
				r->pre_other++;
			if (json_object_get(r->found, norm))
				return refuse_entry(r, -EINVAL, raw, "duplicate path");
			json_object_set_new(r->found, norm, json_boolean(!*is_dir));
			if (!*is_dir && (e = count_size(r, raw, *size)) < 0)
				return e;
			*relpath = xstrdup(norm);
			return 1;
		}
		if (!*is_dir && (e = count_size(r, raw, *size)) < 0)
			return e;
		*relpath = xstrdup(BUNDLE_MANIFEST);
		return 1;
	}
	if (r->flat) {
		if (json_object_get(r->found, norm))
			return refuse_entry(r, -EINVAL, raw, "duplicate path");
		if (!*is_dir && (e = count_size(r, raw, *size)) < 0)
			return e;
		*relpath = xstrdup(norm);
		return 1;
	}
	if (r->topdir == NULL)
		r->topdir = slash ? xstrndup(norm, (size_t)(slash - norm)) : xstrdup(norm);
	if (slash == NULL) {
		if (!*is_dir && strcmp(norm, r->topdir) != 0) {
			/* a stray file beside the top folder (notes.txt): not the bundle's, passed over */
			if ((e = count_size(r, raw, *size)) < 0)
				return e;
			return 1;
		}
		if (!*is_dir)
			return refuse_entry(r, -EINVAL, raw, "not inside a top directory");
		if (strcmp(norm, r->topdir) != 0)
			return refuse_entry(r, -EINVAL, raw, "a second top directory (the first is '%s'); "
			    "a bundle is one folder: re-pack only it",
			    r->topdir);
		if (r->top_seen)
			return refuse_entry(r, -EINVAL, raw, "duplicate path");
		r->top_seen = true;
		return 1;
	}
	if ((size_t)(slash - norm) != strlen(r->topdir) || strncmp(norm, r->topdir, (size_t)(slash - norm)) != 0)
		return refuse_entry(r, -EINVAL, raw, "a second top directory (the first is '%s'); "
		    "a bundle is one folder: re-pack only it", r->topdir);
	if (json_object_get(r->found, slash + 1))
		return refuse_entry(r, -EINVAL, raw, "duplicate path");
	if (!*is_dir && (e = count_size(r, raw, *size)) < 0)
		return e;
	*relpath = xstrdup(slash + 1);
	return 1;
}

/* Reads data of the current archive entry, checking the ratio as it goes. */
static ssize_t
archive_data(struct bundle_reader *r, void *buf, size_t len)
{
	la_ssize_t n = archive_read_data(r->a, buf, len);
	int e;

	if (n < 0) {
		_cleanup_free_ char *shown = cur_shown(r);

		return archive_refuse(r, shown);
	}
	if ((e = check_ratio(r, NULL)) < 0)
		return e;
	return n;
}

/* Reads the current archive entry's data to its end without keeping it. */
/* Skips the current entry's data while probing (no entry is open yet). */
static int
archive_drain_raw(struct bundle_reader *r)
{
	if (archive_read_data_skip(r->a) != ARCHIVE_OK) {
		_cleanup_free_ char *msg = describe_archive_error(r, "");

		return refuse(r, -EIO, "%s", msg);
	}
	return check_ratio(r, "(before manifest.json)");
}

static int
archive_drain(struct bundle_reader *r)
{
	ssize_t n;

	while ((n = archive_data(r, r->scratch, SCRATCH)) > 0)
		;
	return (int)n;
}

/* Finds manifest.json (reopening the archive when it was not first) and parses it. */
static int
archive_open_manifest(struct bundle_reader *r, char **errmsg)
{
	bool first = true, not_first = false;
	int e;

	if ((e = archive_start(r, errmsg)) < 0)
		return e;
	r->probing = true;
	for (;;) {
		_cleanup_free_ char *rel = NULL;
		bool is_dir = false;
		uint64_t size = 0;

		e = archive_header(r, &rel, &is_dir, &size, first);
		first = false;
		if (e < 0)
			goto fail;
		if (e == 0) {
			e = refuse(r, -ENOENT, BUNDLE_MANIFEST " is missing");
			goto fail;
		}
		if (rel == NULL)
			continue;
		if (r->topdir == NULL) {
			/* not manifest.json yet: only counted and skipped; read again once the layout is known */
			if ((e = archive_drain_raw(r)) < 0)
				goto fail;
			continue;
		}
		r->probing = false;
		start_entry(r, rel, is_dir, size);
		if (strcmp(rel, BUNDLE_MANIFEST) == 0) {
			_cleanup_free_ char *data = NULL;
			size_t len = 0;
			ssize_t n;

			if (size > r->lim.max_manifest) {
				e = refuse_entry(r, -EFBIG, rel, "%llu bytes, over the cap of %zu for manifest.json",
				    (unsigned long long)size, r->lim.max_manifest);
				goto fail;
			}
			data = xmalloc((size_t)size + 1);
			while (len < size && (n = archive_data(r, data + len, (size_t)size - len)) > 0)
				len += (size_t)n;
			if (r->broken) {
				e = r->broken;
				goto fail;
			}
			if ((e = parse_manifest(r, data, len)) < 0)
				goto fail;
			r->cur_open = false;
			break;
		}
		not_first = true;
		if ((e = archive_drain(r)) < 0)
			goto fail;
	}
	/* Anything but the top folder (or "./") before manifest.json: read it all again. */
	if (r->pre_other > 0 || r->pre_rootdirs > 0)
		not_first = true;
	if (not_first) {
		/* a bundle re-tarred by hand: read it again from the start, manifest in hand */
		json_object_clear(r->found);
		r->n_entries = 0;
		r->total = 0;
		r->top_seen = false;
		r->replay = true;
		if ((e = archive_start(r, errmsg)) < 0)
			return e;
		free(r->cur_path);
		r->cur_path = NULL;
	}
	/* cur_path stays BUNDLE_MANIFEST: an error in the next header is "after entry '.../manifest.json'" */
	sha256_done(&r->hash);
	return 0;
fail:
	*errmsg = xstrdup(r->err);
	return e;
}

static int
archive_next(struct bundle_reader *r, struct br_entry *ent)
{
	int e;

	for (;;) {
		_cleanup_free_ char *rel = NULL;
		bool is_dir = false;
		uint64_t size = 0;

		e = archive_header(r, &rel, &is_dir, &size, false);
		if (e <= 0)
			return e;
		if (rel == NULL)
			continue;
		if (r->replay && !is_dir && strcmp(rel, BUNDLE_MANIFEST) == 0 &&
		    json_object_get(r->found, BUNDLE_MANIFEST) == NULL) {
			/* the manifest itself, parsed already */
			json_object_set_new(r->found, BUNDLE_MANIFEST, json_true());
			free(r->cur_path);
			r->cur_path = xstrdup(rel);
			if ((e = archive_drain(r)) < 0)
				return e;
			continue;
		}
		start_entry(r, rel, is_dir, size);
		*ent = (struct br_entry){r->cur_path, is_dir, size, r->cur_listed};
		return 1;
	}
}

/* ---- directory input ------------------------------------------------------ */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists a folder's names (sorted, without . and ..).  fd stays open and owned by the caller. */
static int
list_dir(struct bundle_reader *r, int fd, const char *shown, char ***names, size_t *n)
{
	DIR *d;
	struct dirent *de;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		int err = errno;

		if (dfd >= 0)
			close(dfd);
		return refuse_entry(r, -err, shown, "cannot list: %s", strerror(err));
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n >= r->lim.max_entries) {
			closedir(d);
			return refuse_entry(r, -E2BIG, shown, "more than %llu entries in the bundle",
			    (unsigned long long)r->lim.max_entries);
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*names = xreallocarray(*names, cap, sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof(**names), cmp_names);
	return 0;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * Opens name in dirfd without following a link, checks it is still the
 * regular file or folder fstatat() saw.  Returns the fd or a negative errno
 * (refused, naming shown).
 */
static int
open_checked(struct bundle_reader *r, int dirfd, const char *name, const char *shown,
    const struct stat *seen, struct stat *st)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK;
	int fd;

	if (S_ISDIR(seen->st_mode))
		flags |= O_DIRECTORY;
	fd = openat(dirfd, name, flags);
	if (fd < 0) {
		if (errno == ELOOP)
			return refuse_type(r, shown, "symbolic link");
		return refuse_entry(r, -errno, shown, "cannot open: %s", strerror(errno));
	}
	if (fstat(fd, st) < 0 || st->st_dev != seen->st_dev || st->st_ino != seen->st_ino ||
	    (st->st_mode & S_IFMT) != (seen->st_mode & S_IFMT)) {
		close(fd);
		return refuse_entry(r, -EAGAIN, shown, "changed while being read");
	}
	return fd;
}

/* Classifies what fstatat() saw: 0 for a regular file (one link) or folder, else refused. */
static int
check_stat(struct bundle_reader *r, const char *shown, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return 0;
	if (!S_ISREG(st->st_mode))
		return refuse_type(r, shown, type_name(st->st_mode & S_IFMT));
	if (st->st_nlink > 1)
		return refuse_type(r, shown, "hard link");
	return 0;
}

static int
dir_push(struct bundle_reader *r, int fd, const char *prefix, const char *shown)
{
	struct dir_level *l;
	int e;

	if (r->depth == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->stack = xreallocarray(r->stack, r->cap, sizeof(*r->stack));
	}
	l = &r->stack[r->depth];
	*l = (struct dir_level){.fd = fd, .prefix = xstrdup(prefix)};
	e = list_dir(r, fd, shown, &l->names, &l->n);
	r->depth++;
	return e;
}

static void
dir_pop(struct bundle_reader *r)
{
	struct dir_level *l = &r->stack[--r->depth];

	close(l->fd);
	free_names(l->names, l->n);
	free(l->prefix);
}

/* Reads manifest.json of the top folder topfd. */
static int
dir_read_manifest(struct bundle_reader *r, int topfd)
{
	_cleanup_free_ char *shown = xasprintf("%s/%s", r->topdir, BUNDLE_MANIFEST);
	_cleanup_free_ char *data = NULL;
	_cleanup_close_ int fd = -1;
	struct stat seen, st;
	size_t len = 0;
	int e;

	if (fstatat(topfd, BUNDLE_MANIFEST, &seen, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return refuse(r, -ENOENT, BUNDLE_MANIFEST " is missing");
		return refuse_entry(r, -errno, shown, "%s", strerror(errno));
	}
	if ((e = check_stat(r, shown, &seen)) < 0)
		return e;
	if (S_ISDIR(seen.st_mode))
		return refuse_entry(r, -EISDIR, shown, "a folder, not a file");
	if ((uint64_t)seen.st_size > r->lim.max_manifest)
		return refuse_entry(r, -EFBIG, shown, "%lld bytes, over the cap of %zu for manifest.json",
		    (long long)seen.st_size, r->lim.max_manifest);
	fd = open_checked(r, topfd, BUNDLE_MANIFEST, shown, &seen, &st);
	if (fd < 0)
		return fd;
	data = xmalloc(r->lim.max_manifest + 1);
	for (;;) {
		ssize_t n = read(fd, data + len, r->lim.max_manifest + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return refuse_entry(r, -errno, shown, "cannot read: %s", strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > r->lim.max_manifest)
			return refuse_entry(r, -EFBIG, shown, "over the cap of %zu bytes for manifest.json",
			    r->lim.max_manifest);
	}
	json_object_set_new(r->found, BUNDLE_MANIFEST, json_true());
	r->n_entries++;
	return parse_manifest(r, data, len);
}

/* Opens a directory input: the top folder itself, or a folder holding only the top folder. */
static int
dir_open(struct bundle_reader *r, int fd, const char *path, char **errmsg)
{
	struct stat st;
	int e;

	if (fstatat(fd, BUNDLE_MANIFEST, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		_cleanup_free_ char *real = realpath(path, NULL);
		const char *slash = real ? strrchr(real, '/') : NULL;

		r->topdir = xstrdup(slash && slash[1] ? slash + 1 : "bundle");
	} else {
		char **names = NULL;
		size_t n = 0;
		struct stat seen;
		int top;

		if ((e = list_dir(r, fd, ".", &names, &n)) < 0)
			goto fail;
		if (n == 0) {
			free_names(names, n);
			e = refuse(r, -ENOENT, BUNDLE_MANIFEST " is missing (the folder is empty)");
			goto fail;
		}
		{
			/* Beside the top folder there may be other things (notes.txt): the top folder is the one
			 * folder holding manifest.json. */
			size_t hit = n, hits = 0, dir = n, dirs = 0;

			for (size_t k = 0; k < n; k++) {
				struct stat ds, ms;
				_cleanup_free_ char *mp = xasprintf("%s/%s", names[k], BUNDLE_MANIFEST);

				if (fstatat(fd, names[k], &ds, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(ds.st_mode))
					continue;
				dirs++;
				dir = k;
				if (fstatat(fd, mp, &ms, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(ms.st_mode)) {
					hits++;
					hit = k;
				}
			}
			if (hits == 0 && dirs == 1) {
				/* the one folder beside stray files: it is the bundle, checked as such */
				hits = 1;
				hit = dir;
			}
			if (hits == 1) {
				char *keep = names[hit];

				names[hit] = names[0];
				names[0] = keep;
				for (size_t k = 1; k < n; k++)
					free(names[k]);
				n = 1;
			} else if (hits > 1) {
				e = refuse(r, -EINVAL, "%zu bundles in this folder; give one of their folders", hits);
				free_names(names, n);
				goto fail;
			} else if (n > 1 || fstatat(fd, names[0], &seen, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(seen.st_mode)) {
				e = refuse(r, -ENOENT, BUNDLE_MANIFEST " is missing: not in this folder, nor in a folder "
				    "inside it; give the bundle's folder or its .tar.gz");
				free_names(names, n);
				goto fail;
			}
		}
		if (n > 1) {
			e = refuse_entry(r, -EINVAL, names[1], "a second top directory (the first is '%s'); "
			    "a bundle is one folder: re-pack only it",
			    names[0]);
			free_names(names, n);
			goto fail;
		}
		r->topdir = TAKE_PTR(names[0]);
		free_names(names, n);
		if (fstatat(fd, r->topdir, &seen, AT_SYMLINK_NOFOLLOW) < 0) {
			e = refuse_entry(r, -errno, r->topdir, "%s", strerror(errno));
			goto fail;
		}
		if ((e = check_stat(r, r->topdir, &seen)) < 0)
			goto fail;
		if (!S_ISDIR(seen.st_mode)) {
			e = refuse_entry(r, -EINVAL, r->topdir, "not inside a top directory");
			goto fail;
		}
		top = open_checked(r, fd, r->topdir, r->topdir, &seen, &st);
		if (top < 0) {
			e = top;
			goto fail;
		}
		close(fd);
		fd = top;
	}
	{
		_cleanup_free_ char *norm = NULL;
		const char *why;

		if (bundle_path_normalise(r->topdir, r->lim.max_path, &norm, &why) < 0) {
			e = refuse_entry(r, -EINVAL, r->topdir, "%s", why);
			goto fail;
		}
	}
	if ((e = dir_read_manifest(r, fd)) < 0)
		goto fail;
	if ((e = dir_push(r, fd, "", r->topdir)) < 0) {
		*errmsg = xstrdup(r->err);
		return e;
	}
	return 0;
fail:
	close(fd);
	*errmsg = xstrdup(r->err);
	return e;
}

static int
dir_next(struct bundle_reader *r, struct br_entry *ent)
{
	for (;;) {
		struct dir_level *l;
		_cleanup_free_ char *rel = NULL, *shown = NULL, *norm = NULL;
		const char *name, *why;
		struct stat seen, st;
		int fd, e;

		if (r->depth == 0)
			return 0;
		l = &r->stack[r->depth - 1];
		if (l->i == l->n) {
			dir_pop(r);
			continue;
		}
		name = l->names[l->i++];
		if (r->depth == 1 && strcmp(name, BUNDLE_MANIFEST) == 0)
			continue;
		rel = l->prefix[0] ? xasprintf("%s/%s", l->prefix, name) : xstrdup(name);
		shown = xasprintf("%s/%s", r->topdir, rel);
		if ((e = count_entry(r, shown)) < 0)
			return e;
		if (strlen(shown) > r->lim.max_path)
			return refuse_entry(r, -ENAMETOOLONG, shown, "path longer than %zu bytes", r->lim.max_path);
		if (bundle_path_normalise(rel, r->lim.max_path, &norm, &why) < 0)
			return refuse_entry(r, -EINVAL, shown, "%s", why);
		if (fstatat(l->fd, name, &seen, AT_SYMLINK_NOFOLLOW) < 0)
			return refuse_entry(r, -errno, shown, "%s", strerror(errno));
		if ((e = check_stat(r, shown, &seen)) < 0)
			return e;
		if (S_ISDIR(seen.st_mode) && r->depth > MAX_DIR_DEPTH)
			return refuse_entry(r, -ELOOP, shown, "folders nested deeper than %d", MAX_DIR_DEPTH);
		if (S_ISREG(seen.st_mode) && (e = count_size(r, shown, (uint64_t)seen.st_size)) < 0)
			return e;
		fd = open_checked(r, l->fd, name, shown, &seen, &st);
		if (fd < 0)
			return fd;
		start_entry(r, rel, S_ISDIR(st.st_mode), S_ISDIR(st.st_mode) ? 0 : (uint64_t)st.st_size);
		if (S_ISDIR(st.st_mode)) {
			if ((e = dir_push(r, fd, rel, shown)) < 0)
				return e;
		} else
			r->cur_fd = fd;
		*ent = (struct br_entry){r->cur_path, r->cur_is_dir, r->cur_size, r->cur_listed};
		return 1;
	}
}

static ssize_t
dir_data(struct bundle_reader *r, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(r->cur_fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int err = errno;
		_cleanup_free_ char *shown = cur_shown(r);

		return refuse_entry(r, -err, shown, "cannot read: %s", strerror(err));
	}
	if (r->cur_read + (uint64_t)n > r->cur_size) {
		_cleanup_free_ char *shown = cur_shown(r);

		return refuse_entry(r, -EAGAIN, shown, "grew while being read");
	}
	return n;
}

/* ---- the reader ------------------------------------------------------------ */

static struct bundle_reader *
reader_new(const struct bundle_limits *lim)
{
	struct bundle_reader *r = xcalloc(1, sizeof(*r));

	if (lim)
		r->lim = *lim;
	else
		bundle_limits_default(&r->lim);
	r->fd = -1;
	r->cur_fd = -1;
	r->found = json_object();
	r->scratch = xmalloc(SCRATCH);
	return r;
}

int
br_open(struct bundle_reader **ret, const char *path, const struct bundle_limits *lim, char **errmsg)
{
	struct bundle_reader *r;
	struct stat st;
	int fd, e;

	*ret = NULL;
	*errmsg = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = -errno;
		*errmsg = xasprintf("cannot open: %s", strerror(errno));
		return e;
	}
	if (fstat(fd, &st) < 0) {
		e = -errno;
		*errmsg = xasprintf("cannot stat: %s", strerror(errno));
		close(fd);
		return e;
	}
	r = reader_new(lim);
	if (S_ISDIR(st.st_mode)) {
		r->is_dir = true;
		e = dir_open(r, fd, path, errmsg);
	} else if (S_ISREG(st.st_mode)) {
		r->fd = fd;
		e = archive_open_manifest(r, errmsg);
	} else {
		close(fd);
		*errmsg = xstrdup("not a regular file or a directory");
		e = -EINVAL;
	}
	if (e < 0) {
		br_free(r);
		return e;
	}
	*ret = r;
	return 0;
}

int
br_open_memory(struct bundle_reader **ret, const void *data, size_t len,
    const struct bundle_limits *lim, char **errmsg)
{
	struct bundle_reader *r = reader_new(lim);
	int e;

	*ret = NULL;
	*errmsg = NULL;
	r->mem = data;
	r->mem_len = len;
	e = archive_open_manifest(r, errmsg);
	if (e < 0) {
		br_free(r);
		return e;
	}
	*ret = r;
	return 0;
}

int
br_open_fd(struct bundle_reader **ret, int fd, size_t max_stream, const struct bundle_limits *lim, char **errmsg)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int e;

	*ret = NULL;
	*errmsg = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		/* a file behind the descriptor (< bundle.tar.gz): read in place, like br_open() */
		struct bundle_reader *r = reader_new(lim);

		r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (r->fd < 0) {
			e = -errno;
			*errmsg = xasprintf("cannot read: %s", strerror(errno));
			br_free(r);
			return e;
		}
		e = archive_open_manifest(r, errmsg);
		if (e < 0) {
			br_free(r);
			return e;
		}
		*ret = r;
		return 0;
	}
	/* A pipe: held in memory (never on disk), up to max_stream bytes, then read as a buffer. */
	for (;;) {
		ssize_t n;

		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = -errno;
			*errmsg = xasprintf("cannot read: %s", strerror(errno));
			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_stream) {
			*errmsg = xasprintf("more than %zu MiB on standard input: save the bundle to a file and "
			    "give its name", max_stream >> 20);
			free(buf);
			return -EFBIG;
		}
	}
	e = br_open_memory(ret, buf, len, lim, errmsg);
	if (e < 0) {
		free(buf);
		return e;
	}
	(*ret)->owned_mem = buf;
	return 0;
}

void
br_free(struct bundle_reader *r)
{
	if (r == NULL)
		return;
	archive_read_free(r->a);
	if (r->fd >= 0)
		close(r->fd);
	if (r->cur_fd >= 0)
		close(r->cur_fd);
	while (r->depth > 0)
		dir_pop(r);
	free(r->stack);
	for (size_t i = 0; i < r->n_fails; i++)
		free(r->fails[i].path);
	free(r->fails);
	sha256_done(&r->hash);
	json_decref(r->manifest);
	json_decref(r->listed);
	json_decref(r->found);
	free(r->topdir);
	free(r->rawbuf);
	free(r->owned_mem);
	free(r->cur_path);
	free(r->err);
	free(r->scratch);
	gzr_free(r->gz);
	free(r);
}

const json_t *
br_manifest(const struct bundle_reader *r)
{
	return r->manifest;
}

const char *
br_topdir(const struct bundle_reader *r)
{
	return r->topdir;
}

bool
br_is_directory(const struct bundle_reader *r)
{
	return r->is_dir;
}

const char *
br_error(const struct bundle_reader *r)
{
	return r->err;
}

ssize_t
br_read(struct bundle_reader *r, void *buf, size_t len)
{
	ssize_t n;

	if (r->broken)
		return r->broken;
	if (!r->cur_open || len == 0)
		return 0;
	n = r->is_dir ? dir_data(r, buf, len) : archive_data(r, buf, len);
	if (n < 0)
		return n;
	if (n == 0) {
		if (r->is_dir) {
			close(r->cur_fd);
			r->cur_fd = -1;
		}
		finish_entry(r);
		return 0;
	}
	sha256_update(&r->hash, buf, (size_t)n);
	r->cur_read += (uint64_t)n;
	return n;
}

int
br_next(struct bundle_reader *r, struct br_entry *e)
{
	int k;

	if (r->broken)
		return r->broken;
	if (r->done)
		return 0;
	/* an entry the caller did not read to the end is read (and verified) now */
	while (r->cur_open) {
		ssize_t n = br_read(r, r->scratch, SCRATCH);

		if (n < 0)
			return (int)n;
	}
	k = r->is_dir ? dir_next(r, e) : archive_next(r, e);
	if (k == 0)
		r->done = true;
	return k;
}

int
br_read_all(struct bundle_reader *r, size_t max, char **data, size_t *len)
{
	struct buf b = {0};
	ssize_t n;

	*data = NULL;
	*len = 0;
	if (r->cur_open && r->cur_size > max) {
		_cleanup_free_ char *shown = cur_shown(r), *q = quote(shown);

		return set_err(r, -EFBIG, "entry '%s': larger than %zu bytes", q, max);
	}
	buf_grow(&b, (r->cur_size < max ? (size_t)r->cur_size : max) + 1);
	b.data[0] = '\0';
	for (;;) {
		if (b.cap - b.len < 4096)
			buf_grow(&b, b.cap);
		n = br_read(r, b.data + b.len, b.cap - b.len - 1);
		if (n < 0) {
			buf_free(&b);
			return (int)n;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.data[b.len] = '\0';
		if (b.len > max) {
			buf_free(&b);
			_cleanup_free_ char *shown = cur_shown(r), *q = quote(shown);

			return set_err(r, -EFBIG, "entry '%s': larger than %zu bytes", q, max);
		}
	}
	*data = buf_steal(&b, len);
	return 0;
}

enum br_verdict
br_verdict(const struct bundle_reader *r)
{
	return r->verdict;
}

const char *
br_verdict_name(enum br_verdict v)
{
	switch (v) {
	case BR_PENDING:
		return "not read to the end";
	case BR_VERIFIED:
		return "verified";
	case BR_UNLISTED:
		return "not listed in the manifest";
	case BR_SIZE_MISMATCH:
		return "size differs from the manifest";
	case BR_HASH_MISMATCH:
		return "SHA-256 differs from the manifest";
	}
	return "unknown";
}

unsigned
br_missing(const struct bundle_reader *r, void (*cb)(const char *path, void *userdata), void *userdata)
{
	json_t *item;
	size_t i;
	unsigned n = 0;

	json_array_foreach(json_object_get(r->manifest, "entries"), i, item) {
		const char *path = json_string_value(json_object_get(item, "path"));

		if (json_is_true(json_object_get(r->found, path)))
			continue;
		n++;
		if (cb)
			cb(path, userdata);
	}
	return n;
}

unsigned
br_failures(const struct bundle_reader *r, void (*cb)(const char *path, enum br_verdict, void *userdata),
    void *userdata)
{
	for (size_t i = 0; cb && i < r->n_fails; i++)
		cb(r->fails[i].path, r->fails[i].verdict, userdata);
	return (unsigned)r->n_fails;
}
