/* bundle.h: writing and reading triage bundles (format version 1, docs/bundle-format.md). */
#ifndef TRIAGE_BUNDLE_H
#define TRIAGE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define BUNDLE_FORMAT		"triage-bundle"
#define BUNDLE_FORMAT_VERSION	1
#include "bundle_paths.h"	/* BUNDLE_MANIFEST and the other bundle paths */

enum source_status {
	SOURCE_OK,
	SOURCE_UNAVAILABLE,
	SOURCE_ERROR,
	SOURCE_TRUNCATED,
};

const char *source_status_name(enum source_status);

/* ---- writer ---------------------------------------------------------- */

struct bundle_writer;
struct bw_entry;

/*
 * Starts a bundle that will appear at path when bw_commit() succeeds.
 * topdir is the single top directory inside the archive (e.g. the file
 * name without .tar.gz).  Nothing appears under path before the commit;
 * temporary files live in path's folder and are unlinked by bw_free(),
 * on failure, and on SIGINT/SIGTERM (see bw_install_signal_cleanup()).
 * Returns 0 or a negative errno; *errmsg (free it) says why.
 * Destroy with bw_free().
 */
int bw_open(struct bundle_writer **ret, const char *path, const char *topdir,
    char **errmsg);

/*
 * Like bw_open(), for an output that cannot be renamed into (standard output,
 * a pipe, a device): the bundle is built in tmpdir and bw_commit() copies it
 * to fd only once it is complete.  fd stays the caller's.
 */
int bw_open_stream(struct bundle_writer **ret, int fd, const char *tmpdir, const char *topdir,
    char **errmsg);

/* Frees the writer; if not committed, removes every temporary file. Accepts NULL. */
void bw_free(struct bundle_writer *);

/*
 * Installs SIGINT/SIGTERM handlers that unlink the temporary files of every
 * open writer and then die of the signal.  Call once from main().
 */
void bw_install_signal_cleanup(void);

/* Adds a whole entry from memory.  relpath is relative to the top directory. */
int bw_add(struct bundle_writer *, const char *relpath, const void *data, size_t len);

/*
 * Adds an entry of unknown length, written piecewise (the journal).
 * The data is spooled; size and SHA-256 are computed as it is written.
 * bw_entry_close() finishes it; bw_entry_discard() drops it.
 * An entry of the same writer may not be open twice at once.
 */
int bw_entry_open(struct bundle_writer *, const char *relpath, struct bw_entry **ret);
int bw_entry_write(struct bw_entry *, const void *data, size_t len);
int bw_entry_close(struct bw_entry *);
void bw_entry_discard(struct bw_entry *);
/* Bytes written to the open entry so far. */
uint64_t bw_entry_size(const struct bw_entry *);

/*
 * Records a source the collector tried (manifest "sources"); detail is
 * printf-style, NULL for an empty one.  Called again for the same name, it
 * updates status and detail and keeps the object's other keys.
 */
void bw_source(struct bundle_writer *, const char *name, enum source_status,
    const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Returns the source object for name (created if needed, with status "ok" and
 * an empty detail) so that callers can add keys (e.g. "first_cursor",
 * "entries", "omitted").  Borrowed reference.
 */
json_t *bw_source_object(struct bundle_writer *, const char *name);

/* Adds n redactions by rule to file relpath (manifest "redactions"). */
void bw_redaction(struct bundle_writer *, const char *relpath, const char *rule, unsigned n);

/* Records a file deliberately not collected (manifest "skipped": path and reason, never contents). */
/* Adds n to redactions[relpath].kept[rule]: values default-deny kept, by the rule that kept them. */
void bw_kept(struct bundle_writer *, const char *relpath, const char *rule, unsigned n);
void bw_skipped(struct bundle_writer *, const char *path, const char *reason);

/*
 * The message of the last failed bw_add()/bw_entry_*() call (naming the entry),
 * or NULL.  Valid until the next call on the writer.
 */
const char *bw_error(const struct bundle_writer *);

/*
 * Calls cb during bw_commit() after each entry is written (done and total are
 * uncompressed bytes), e.g. for a progress line.  cb == NULL removes it.
 */
void bw_set_progress(struct bundle_writer *,
    void (*cb)(uint64_t done, uint64_t total, void *userdata), void *userdata);

/* The manifest under construction; callers may set keys (host, tool, ...). Borrowed. */
json_t *bw_manifest(struct bundle_writer *);

/*
 * Takes a closed entry out of the bundle again (a source found to be unread
 * after all must not look like an empty file).  0 or -ENOENT.
 */
int bw_remove(struct bundle_writer *, const char *relpath);

/*
 * The first failure to write the writer's temporary data (a full disk, an I/O
 * error), naming the entry, or NULL.  Once set, bw_commit() refuses: a bundle
 * missing data it read is not written.
 */
const char *bw_write_error(const struct bundle_writer *);

/* Uncompressed bytes added so far (all entries, including open ones). */
uint64_t bw_bytes(const struct bundle_writer *);

/*
 * Compresses sample as the writer would and returns compressed/original size
 * (e.g. 0.08), so a caller can trim to a budget before committing.
 */
double bw_compress_ratio(const void *sample, size_t len);

/*
 * Writes manifest.json (first) and every entry into the tar.gz, fsyncs, and
 * renames it to its final name with mode 0600.  After a failure nothing is
 * left behind.  Returns 0 or a negative errno, *errmsg says why.
 * Sets *final_size to the bundle's size in bytes when not NULL.
 */
int bw_commit(struct bundle_writer *, uint64_t *final_size, char **errmsg);

/* ---- reader ---------------------------------------------------------- */

/*
 * Caps on untrusted bundles; bundle_limits_default() gives the documented
 * defaults (docs/bundle-format.md says why each).
 */
struct bundle_limits {
	uint64_t max_entries;		/* entries in the archive, directories included (10,000) */
	uint64_t max_entry_size;	/* uncompressed bytes of one entry (2 GiB) */
	uint64_t max_total;		/* uncompressed bytes in all (4 GiB) */
	uint64_t max_ratio;		/* uncompressed / compressed bytes, checked while streaming (250) */
	size_t	 max_path;		/* bytes in an entry path, top directory included (1,024) */
	size_t	 max_manifest;		/* bytes of manifest.json (16 MiB) */
	unsigned max_json_depth;	/* nesting of manifest.json (64) */
};

#define BUNDLE_MAX_ENTRIES	UINT64_C(10000)
#define BUNDLE_MAX_ENTRY_SIZE	(UINT64_C(2) << 30)
#define BUNDLE_MAX_TOTAL	(UINT64_C(4) << 30)
#define BUNDLE_MAX_RATIO	UINT64_C(250)
#define BUNDLE_MAX_PATH		((size_t)1024)
#define BUNDLE_MAX_MANIFEST	((size_t)16 << 20)
#define BUNDLE_MAX_JSON_DEPTH	64u
/* The ratio is only judged past this many uncompressed bytes (small tars are mostly padding). */
#define BUNDLE_RATIO_FLOOR	(UINT64_C(1) << 20)

void bundle_limits_default(struct bundle_limits *);

struct bundle_reader;

/* One entry of the bundle, valid until the next br_next(). */
struct br_entry {
	const char *path;		/* relative to the top directory, normalised */
	bool	    is_dir;		/* a directory entry (no data) */
	uint64_t    size;		/* size the archive header declares */
	const json_t *listed;		/* its object in manifest "entries", or NULL */
};

/* Integrity of an entry, known once its data has been read to the end. */
enum br_verdict {
	BR_PENDING,		/* not read to the end yet */
	BR_VERIFIED,		/* listed, size and SHA-256 as in the manifest */
	BR_UNLISTED,		/* not in the manifest */
	BR_SIZE_MISMATCH,
	BR_HASH_MISMATCH,
};

/*
 * Opens a bundle: a .tar.gz file, or a directory extracted from one.
 * Reads and checks manifest.json (format, version, types) before anything else.
 * A structure problem (unsafe path, link, device, caps, corrupt gzip, not tar,
 * bad manifest) fails with a negative errno and *errmsg naming the entry and
 * the problem, e.g. "entry 'b/../x': path leaves the bundle".
 * Destroy with br_free().
 */
int br_open(struct bundle_reader **ret, const char *path,
    const struct bundle_limits *, char **errmsg);

/* The same from a buffer in memory (fuzzing, tests).  The buffer must outlive the reader. */
int br_open_memory(struct bundle_reader **ret, const void *data, size_t len,
    const struct bundle_limits *, char **errmsg);

/*
 * The same from a descriptor (standard input): a regular file is read in place; a pipe is
 * held in memory (never written to disk) up to max_stream bytes (more is -EFBIG).
 */
int br_open_fd(struct bundle_reader **ret, int fd, size_t max_stream,
    const struct bundle_limits *, char **errmsg);

void br_free(struct bundle_reader *);

/* The parsed, checked manifest.  Borrowed. */
const json_t *br_manifest(const struct bundle_reader *);

/* The top directory's name. */
const char *br_topdir(const struct bundle_reader *);

/*
 * Advances to the next entry (manifest.json is not returned).  Returns 1 and
 * fills *e, 0 at the end, or a negative errno on a structure problem
 * (then br_error() says what; the bundle must be refused).
 */
int br_next(struct bundle_reader *, struct br_entry *e);

/*
 * Reads up to len bytes of the current entry's data.  Returns bytes read,
 * 0 at the end of the entry (its verdict is then final), or a negative
 * errno (br_error() says what).  The data is hashed as it is read; entries
 * skipped by br_next() are hashed too.
 */
ssize_t br_read(struct bundle_reader *, void *buf, size_t len);

/*
 * Reads the current entry whole, up to max bytes (more is -EFBIG).
 * *data is NUL-terminated; free it.
 */
int br_read_all(struct bundle_reader *, size_t max, char **data, size_t *len);

/* The current entry's verdict (BR_PENDING until read to the end; BR_VERIFIED for a directory). */
enum br_verdict br_verdict(const struct bundle_reader *);

/* A short phrase for a verdict, e.g. "SHA-256 differs from the manifest". */
const char *br_verdict_name(enum br_verdict);

/*
 * After br_next() returned 0: calls cb for each path the manifest lists that
 * the archive did not hold.  Returns how many.
 */
unsigned br_missing(const struct bundle_reader *,
    void (*cb)(const char *path, void *userdata), void *userdata);

/* The last error message (valid until the next call), or NULL. */
const char *br_error(const struct bundle_reader *);

/*
 * After br_next() returned 0: calls cb (may be NULL) for each entry whose
 * verdict was not BR_VERIFIED (unlisted, size or SHA-256 mismatch), in archive
 * order.  Returns how many.  Directories are never listed and never counted.
 */
unsigned br_failures(const struct bundle_reader *,
    void (*cb)(const char *path, enum br_verdict, void *userdata), void *userdata);

/* True when the bundle was opened from an extracted directory rather than a .tar.gz. */
bool br_is_directory(const struct bundle_reader *);

/* ---- manifest -------------------------------------------------------- */

/*
 * Parses and checks a manifest from untrusted bytes: a JSON object, depth and
 * size within limits, "format" and a known major "format_version", the types
 * of every key CONTRACT.md fixes.  Returns 0 and a new reference in *ret, or
 * a negative errno and *errmsg.
 */
int manifest_parse(const void *data, size_t len, const struct bundle_limits *,
    json_t **ret, char **errmsg);

/*
 * The checks of manifest_parse() on a manifest already in memory (the writer
 * runs them before committing, so it never writes what the reader refuses).
 * Returns 0, or -EINVAL and *errmsg.
 */
int manifest_check(const json_t *, const struct bundle_limits *, char **errmsg);

/*
 * Normalises an untrusted entry path: strips leading "./", drops "." and empty
 * components, refuses "..", absolute and empty paths, control characters,
 * invalid UTF-8 and paths over max bytes.  Returns 0 and *out (free it), or
 * -EINVAL and *why, a static phrase such as "path leaves the bundle".
 */
int bundle_path_normalise(const char *in, size_t max, char **out, const char **why);

#endif
