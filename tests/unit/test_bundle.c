/* test_bundle.c: the bundle writer: round trips through our reader and GNU tar, atomic output, cleanup on failure and signals. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "test_bundle_util.h"

#define BIG_SIZE	(3u << 20)	/* a streamed entry of several MB, written in odd-sized pieces */

/* A scratch folder per test, removed afterwards. */
static int
setup_dir(void **state)
{
	char *d = xstrdup("/tmp/test-bundle.XXXXXX");

	if (mkdtemp(d) == NULL)
		return -1;
	*state = d;
	return 0;
}

static int
teardown_dir(void **state)
{
	char *cmd = xasprintf("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", (char *)*state, (char *)*state);
	int r = system(cmd);

	free(cmd);
	free(*state);
	return r == 0 ? 0 : -1;
}

/* Names in dir (hidden ones too), excluding . and ..; returns how many, the first in first. */
static unsigned
dir_count(const char *dir, char first[256])
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	assert_non_null(d);
	if (first)
		first[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n++ == 0 && first)
			snprintf(first, 256, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

/* Deterministic text-like data: compressible, but not trivially. */
static char *
make_data(size_t len, uint32_t seed)
{
	static const char *const words[] = {"onboarding", "agent", "lookup", "endpoint", "no such host",
	    "connection", "refused", "\n", "{\"MESSAGE\":", "42", "dns", " "};
	char *p = xmalloc(len);

	for (size_t i = 0; i < len;) {
		const char *w;
		size_t wl;

		seed = seed * 1103515245 + 12345;
		w = words[(seed >> 16) % ELEMENTSOF(words)];
		wl = strlen(w);
		if (wl > len - i)
			wl = len - i;
		memcpy(p + i, w, wl);
		i += wl;
	}
	return p;
}

/* Deterministic bytes that do not compress: gzip output is about as large as the input. */
static unsigned char *
make_random(size_t len, uint32_t seed)
{
	unsigned char *p = xmalloc(len);

	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (unsigned char)(seed >> 23);
	}
	return p;
}

struct content {
	const char *path;	/* relative to the top directory */
	const char *data;
	size_t	    len;
};

/* Writes the standard test bundle into path and returns what it holds (free ->data of the big one). */
static void
write_bundle(const char *path, struct content c[4])
{
	struct bundle_writer *w;
	struct bw_entry *e;
	char *err = NULL;
	char *big = make_data(BIG_SIZE, 7);
	uint64_t size = 0;
	size_t piece = 1;

	assert_int_equal(bw_open(&w, path, "triage-test-20261126T050000Z", &err), 0);
	assert_int_equal(bw_add(w, "host.json", "{\"hostname\":\"h\"}\n", 17), 0);
	assert_int_equal(bw_add(w, "config/etc/onboarding-agent/onboarding.config.yaml", "a: 1\n", 5), 0);
	assert_int_equal(bw_add(w, "resolver/empty", "", 0), 0);
	assert_int_equal(bw_entry_open(w, "journal/onboarding-agent.service.jsonl", &e), 0);
	for (size_t off = 0; off < BIG_SIZE; off += piece) {
		piece = piece * 3 + 1;
		if (piece > 200000)
			piece = 7;
		if (piece > BIG_SIZE - off)
			piece = BIG_SIZE - off;
		assert_int_equal(bw_entry_write(e, big + off, piece), 0);
	}
	assert_true(bw_entry_size(e) == BIG_SIZE);
	assert_int_equal(bw_entry_close(e), 0);
	assert_true(bw_bytes(w) == 17 + 5 + BIG_SIZE);

	bw_source(w, "host", SOURCE_OK, NULL);
	bw_source(w, "journal/onboarding-agent.service", SOURCE_ERROR, "first try");
	json_object_set_new(bw_source_object(w, "journal/onboarding-agent.service"), "entries", json_integer(3));
	bw_source(w, "journal/onboarding-agent.service", SOURCE_TRUNCATED, "over budget by %d bytes", 10);
	bw_redaction(w, "config/etc/onboarding-agent/onboarding.config.yaml", "yaml-key", 2);
	bw_redaction(w, "config/etc/onboarding-agent/onboarding.config.yaml", "jwt", 1);
	bw_redaction(w, "config/etc/onboarding-agent/onboarding.config.yaml", "yaml-key", 1);
	bw_skipped(w, "/etc/onboarding-agent/key.pem", "private key");
	json_object_set_new(json_object_get(bw_manifest(w), "host"), "hostname", json_string("customer-7"));
	assert_int_equal(bw_commit(w, &size, &err), 0);
	assert_true(size > 0);
	bw_free(w);

	c[0] = (struct content){"host.json", "{\"hostname\":\"h\"}\n", 17};
	c[1] = (struct content){"config/etc/onboarding-agent/onboarding.config.yaml", "a: 1\n", 5};
	c[2] = (struct content){"resolver/empty", "", 0};
	c[3] = (struct content){"journal/onboarding-agent.service.jsonl", big, BIG_SIZE};
}

/* Reads path (file or folder) with our reader and checks every entry against c. */
static void
check_with_reader(const char *path, const struct content c[4], bool is_dir)
{
	struct bundle_reader *r;
	struct br_entry e;
	char *err = NULL;
	unsigned files = 0;
	int k;

	if (br_open(&r, path, NULL, &err) < 0)
		fail_msg("refused: %s", err);
	assert_string_equal(br_topdir(r), "triage-test-20261126T050000Z");
	assert_int_equal(br_is_directory(r), is_dir);
	while ((k = br_next(r, &e)) > 0) {
		const struct content *want = NULL;
		char *data;
		size_t len;

		if (e.is_dir)
			continue;
		for (int i = 0; i < 4; i++)
			if (strcmp(c[i].path, e.path) == 0)
				want = &c[i];
		if (want == NULL)
			fail_msg("unexpected entry %s", e.path);
		assert_non_null(e.listed);
		assert_int_equal(br_read_all(r, 64 << 20, &data, &len), 0);
		assert_int_equal(len, want->len);
		assert_int_equal(data[len], '\0');
		if (len > 0)
			assert_memory_equal(data, want->data, len);
		assert_int_equal(br_verdict(r), BR_VERIFIED);
		free(data);
		files++;
	}
	assert_int_equal(k, 0);
	assert_int_equal(files, 4);
	assert_int_equal(br_missing(r, NULL, NULL), 0);
	assert_int_equal(br_failures(r, NULL, NULL), 0);
	br_free(r);
}

static void
test_round_trip(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	struct content c[4];
	struct stat st;
	struct bundle_reader *r;
	char *err = NULL, first[256];
	const json_t *m, *src;

	write_bundle(path, c);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(dir_count(dir, first), 1);	/* no temporary left */
	assert_string_equal(first, "b.tar.gz");
	check_with_reader(path, c, false);

	/* the manifest as written */
	assert_int_equal(br_open(&r, path, NULL, &err), 0);
	m = br_manifest(r);
	assert_int_equal(json_integer_value(json_object_get(m, "format_version")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "host"), "hostname")), "customer-7");
	assert_int_equal(json_array_size(json_object_get(m, "entries")), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(m, "entries"), 3), "path")),
	    "journal/onboarding-agent.service.jsonl");
	assert_int_equal(json_array_size(json_object_get(m, "sources")), 2);
	src = json_array_get(json_object_get(m, "sources"), 1);
	assert_string_equal(json_string_value(json_object_get(src, "status")), "truncated");
	assert_string_equal(json_string_value(json_object_get(src, "detail")), "over budget by 10 bytes");
	assert_int_equal(json_integer_value(json_object_get(src, "entries")), 3);
	src = json_array_get(json_object_get(m, "redactions"), 0);
	assert_int_equal(json_integer_value(json_object_get(src, "count")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(src, "rules"), "yaml-key")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(m, "skipped"), 0), "reason")),
	    "private key");
	assert_non_null(strstr(json_string_value(json_object_get(m, "collected_at")), "Z"));
	br_free(r);
	free((char *)c[3].data);
	free(path);
}

/* manifest.json is the first entry, as libarchive itself lists the archive. */
static void
test_manifest_first(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	struct content c[4];
	struct archive *a = archive_read_new();
	struct archive_entry *ae;

	write_bundle(path, c);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
	assert_int_equal(archive_read_next_header(a, &ae), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(ae), "triage-test-20261126T050000Z/manifest.json");
	assert_int_equal(archive_filter_code(a, 0), ARCHIVE_FILTER_GZIP);
	archive_read_free(a);
	free((char *)c[3].data);
	free(path);
}

/* GNU tar lists and extracts it; the files are byte-identical; the extracted folder reads back. */
static void
test_gnu_tar(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	char *out = xasprintf("%s/x", dir);
	char *top = xasprintf("%s/x/triage-test-20261126T050000Z", dir);
	char *cmd;
	struct content c[4];
	FILE *f;
	char line[512];
	unsigned listed = 0;

	write_bundle(path, c);
	cmd = xasprintf("tar tzf '%s'", path);
	f = popen(cmd, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		listed++;
		if (listed == 1)
			assert_string_equal(line, "triage-test-20261126T050000Z/manifest.json\n");
	}
	assert_int_equal(pclose(f), 0);
	assert_int_equal(listed, 5);
	free(cmd);

	assert_int_equal(mkdir(out, 0700), 0);
	cmd = xasprintf("tar xzf '%s' -C '%s'", path, out);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	for (int i = 0; i < 4; i++) {
		char *p = xasprintf("%s/%s", top, c[i].path);
		char *got = xmalloc(c[i].len + 1);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		ssize_t n;

		assert_true(fd >= 0);
		n = read(fd, got, c[i].len + 1);
		assert_int_equal(n, (ssize_t)c[i].len);
		if (n > 0)
			assert_memory_equal(got, c[i].data, c[i].len);
		close(fd);
		free(got);
		free(p);
	}
	/* the extracted folder: given as the top directory, and as its parent */
	check_with_reader(top, c, true);
	check_with_reader(out, c, true);
	/* re-tarred by hand with GNU tar (folders first, manifest.json somewhere in the middle) */
	cmd = xasprintf("cd '%s' && tar czf ../re.tar.gz --format=gnu triage-test-20261126T050000Z && "
	    "tar tzf ../re.tar.gz | head -1 | grep -qx 'triage-test-20261126T050000Z/'", out);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	cmd = xasprintf("%s/re.tar.gz", dir);
	check_with_reader(cmd, c, false);
	free(cmd);
	free((char *)c[3].data);
	free(path);
	free(out);
	free(top);
}

/* An extracted bundle with a symlink, FIFO, hard link or a second top folder is refused. */
static void
test_directory_hostile(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	char *out = xasprintf("%s/x", dir);
	char *top = xasprintf("%s/x/triage-test-20261126T050000Z", dir);
	char *cmd, *p, *err = NULL;
	struct content c[4];
	struct bundle_reader *r;
	const char *why;

	write_bundle(path, c);
	free((char *)c[3].data);
	assert_int_equal(mkdir(out, 0700), 0);
	cmd = xasprintf("tar xzf '%s' -C '%s'", path, out);
	assert_int_equal(system(cmd), 0);
	free(cmd);

	/* a symlink in place of a listed file */
	p = xasprintf("%s/host.json", top);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(br_open(&r, top, NULL, &err), 0);
	assert_true(read_all_entries(r, &why) < 0);
	assert_non_null(strstr(why, "/host.json': symbolic link (only regular files and directories are allowed)"));
	br_free(r);
	unlink(p);
	free(p);

	/* a FIFO (reading it would block) */
	p = xasprintf("%s/resolver/fifo", top);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(br_open(&r, top, NULL, &err), 0);
	assert_true(read_all_entries(r, &why) < 0);
	assert_non_null(strstr(why, "/resolver/fifo': FIFO"));
	br_free(r);
	unlink(p);
	free(p);

	/* a hard link to a file outside */
	p = xasprintf("%s/resolver/hard", top);
	assert_int_equal(link(path, p), 0);
	assert_int_equal(br_open(&r, top, NULL, &err), 0);
	assert_true(read_all_entries(r, &why) < 0);
	assert_non_null(strstr(why, "/resolver/hard': hard link"));
	br_free(r);
	unlink(p);
	free(p);

	/* manifest.json as a symlink */
	p = xasprintf("%s/manifest.json", top);
	cmd = xasprintf("mv '%s' '%s/m'", p, out);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	cmd = xasprintf("%s/m", out);
	assert_int_equal(symlink(cmd, p), 0);
	assert_true(br_open(&r, top, NULL, &err) < 0);
	assert_non_null(strstr(err, "manifest.json': symbolic link"));
	free(err);
	err = NULL;

	/* now the parent holds the top folder and a stray file "m": the folder is the bundle (issue 12
	 * item 7), and its symlinked manifest is still refused */
	assert_true(br_open(&r, out, NULL, &err) < 0);
	assert_non_null(strstr(err, "manifest.json': symbolic link"));
	free(err);
	free(cmd);
	free(p);
	free(path);
	free(out);
	free(top);
}

/* A path over tar's 100 bytes: pax from our writer, GNU long names from GNU tar; both read back. */
static void
test_long_paths(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	char rel[400];
	struct bundle_writer *w;
	struct bundle_reader *r;
	struct br_entry e;
	char *err = NULL, *cmd, *data;
	size_t len;

	snprintf(rel, sizeof(rel), "config/etc/%s/%s/file.yaml",
	    "a-very-long-folder-name-that-goes-on-and-on-and-on-and-on-and-on",
	    "and-another-very-long-folder-name-so-that-the-path-passes-a-hundred-and-fifty-bytes");
	assert_true(strlen(rel) > 150);
	assert_int_equal(bw_open(&w, path, "top", &err), 0);
	assert_int_equal(bw_add(w, rel, "k: v\n", 5), 0);
	assert_int_equal(bw_commit(w, NULL, &err), 0);
	bw_free(w);
	cmd = xasprintf("cd '%s' && tar xzf b.tar.gz && test \"$(cat 'top/%s')\" = 'k: v' && "
	    "tar czf gnu.tar.gz --format=gnu top", dir, rel);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	for (int i = 0; i < 2; i++) {
		char *p = i == 0 ? xstrdup(path) : xasprintf("%s/gnu.tar.gz", dir);

		if (br_open(&r, p, NULL, &err) < 0)
			fail_msg("refused: %s", err);
		do
			assert_int_equal(br_next(r, &e), 1);
		while (e.is_dir);
		assert_string_equal(e.path, rel);
		assert_int_equal(br_read_all(r, 100, &data, &len), 0);
		assert_string_equal(data, "k: v\n");
		assert_int_equal(br_verdict(r), BR_VERIFIED);
		free(data);
		br_free(r);
		free(p);
	}
	free(path);
}

static void
test_writer_refuses(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	struct bundle_writer *w;
	struct bw_entry *e, *e2;
	char *err = NULL;

	assert_int_equal(bw_open(&w, path, "a/b", &err), -EINVAL);
	free(err);
	assert_int_equal(bw_open(&w, path, "..", &err), -EINVAL);
	free(err);
	assert_int_equal(bw_open(&w, path, "top", &err), 0);
	assert_int_equal(bw_add(w, "../x", "x", 1), -EINVAL);
	assert_non_null(strstr(bw_error(w), "entry '../x': path leaves the bundle"));
	assert_int_equal(bw_add(w, "/abs", "x", 1), -EINVAL);
	assert_int_equal(bw_add(w, "a//b", "x", 1), -EINVAL);
	assert_int_equal(bw_add(w, "manifest.json", "x", 1), -EINVAL);
	assert_int_equal(bw_add(w, "a", "x", 1), 0);
	assert_int_equal(bw_add(w, "a", "x", 1), -EEXIST);
	assert_int_equal(bw_entry_open(w, "s", &e), 0);
	assert_int_equal(bw_entry_open(w, "t", &e2), -EBUSY);
	assert_int_equal(bw_add(w, "u", "x", 1), -EBUSY);
	assert_int_equal(bw_commit(w, NULL, &err), -EBUSY);
	free(err);
	bw_entry_discard(e);
	bw_free(w);
	assert_int_equal(dir_count(dir, NULL), 0);
	free(path);
}

/* Discarded entries leave no trace, whether still buffered or already in the spool file. */
static void
test_discard(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	struct bundle_writer *w;
	struct bw_entry *e;
	struct bundle_reader *r;
	struct br_entry ent;
	char *err = NULL, *data, *big = make_data(1 << 20, 3);
	size_t len;

	assert_int_equal(bw_open(&w, path, "top", &err), 0);
	assert_int_equal(bw_add(w, "keep1", "one", 3), 0);
	assert_int_equal(bw_entry_open(w, "drop-small", &e), 0);
	assert_int_equal(bw_entry_write(e, "zzz", 3), 0);
	bw_entry_discard(e);
	assert_int_equal(bw_entry_open(w, "drop-big", &e), 0);
	assert_int_equal(bw_entry_write(e, big, 1 << 20), 0);
	bw_entry_discard(e);
	assert_true(bw_bytes(w) == 3);
	assert_int_equal(bw_add(w, "keep2", "two", 3), 0);
	assert_int_equal(bw_commit(w, NULL, &err), 0);
	bw_free(w);

	assert_int_equal(br_open(&r, path, NULL, &err), 0);
	assert_int_equal(br_next(r, &ent), 1);
	assert_string_equal(ent.path, "keep1");
	assert_int_equal(br_read_all(r, 2, &data, &len), -EFBIG);	/* over the caller's max */
	assert_non_null(strstr(br_error(r), "entry 'top/keep1': larger than 2 bytes"));
	assert_int_equal(br_read_all(r, 100, &data, &len), 0);
	assert_string_equal(data, "one");
	free(data);
	assert_int_equal(br_next(r, &ent), 1);
	assert_string_equal(ent.path, "keep2");
	assert_int_equal(br_read_all(r, 100, &data, &len), 0);
	assert_string_equal(data, "two");
	assert_int_equal(br_verdict(r), BR_VERIFIED);
	free(data);
	assert_int_equal(br_next(r, &ent), 0);
	br_free(r);
	free(big);
	free(path);
}

static void
test_free_without_commit(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	struct bundle_writer *w;
	struct bw_entry *e;
	char *err = NULL, *big = make_data(1 << 20, 5);

	assert_int_equal(bw_open(&w, path, "top", &err), 0);
	assert_int_equal(bw_add(w, "a", big, 1 << 20), 0);
	assert_int_equal(bw_entry_open(w, "b", &e), 0);
	assert_int_equal(bw_entry_write(e, big, 1000), 0);
	bw_free(w);	/* with the entry still open */
	assert_int_equal(dir_count(dir, NULL), 0);
	free(big);
	free(path);
}

/* The rename fails (a folder holds the final name): the temporary file goes, the folder stays. */
static void
test_commit_rename_fails(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	char *inside = xasprintf("%s/b.tar.gz/keep", dir);
	struct bundle_writer *w;
	char *err = NULL, first[256];

	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(mkdir(inside, 0700), 0);
	assert_int_equal(bw_open(&w, path, "top", &err), 0);
	assert_int_equal(bw_add(w, "a", "x", 1), 0);
	assert_true(bw_commit(w, NULL, &err) < 0);
	assert_non_null(strstr(err, "rename"));
	free(err);
	bw_free(w);
	assert_int_equal(dir_count(dir, first), 1);
	assert_string_equal(first, "b.tar.gz");
	free(inside);
	free(path);
}

/*
 * A write fails half-way through the commit (the file size limit, EFBIG):
 * the child reports the failure and the folder is empty.
 */
static void
test_commit_write_fails(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct bundle_writer *w;
		char *err = NULL;
		unsigned char *rnd = make_random(1 << 20, 99);
		struct rlimit rl = {64 * 1024, 64 * 1024};
		int r;

		signal(SIGXFSZ, SIG_IGN);
		if (bw_open(&w, path, "top", &err) < 0 || bw_add(w, "random", rnd, 1 << 20) < 0)
			_exit(10);
		/* the spool is written; the bundle itself may not grow past 64 KiB */
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(11);
		r = bw_commit(w, NULL, &err);
		bw_free(w);
		_exit(r == -EFBIG ? 0 : 12);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(dir_count(dir, NULL), 0);
	free(path);
}

/*
 * A spool write that fails (file size limit, like a full disk) leaves the
 * writer usable, but the bundle is not committed: it would miss data it was
 * given (issue 12 item 5).  Nothing is left behind.
 */
static void
test_spool_failure_refuses_commit(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/b.tar.gz", dir);
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct bundle_writer *w;
		struct bundle_reader *r;
		struct br_entry e;
		char *err = NULL, *small = make_data(1000, 1);
		unsigned char *rnd = make_random(3 << 20, 5);
		struct rlimit rl = {2 << 20, 2 << 20};

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(10);
		if (bw_open(&w, path, "top", &err) < 0 || bw_add(w, "before", small, 1000) < 0 ||
		    bw_add(w, "one-mb", rnd, 1 << 20) < 0)
			_exit(11);
		if (bw_add(w, "too-big", rnd, 3 << 20) != -EFBIG || strstr(bw_error(w), "too-big") == NULL)
			_exit(12);
		/* The writer stays usable, but a bundle missing data it was given is never committed. */
		if (bw_bytes(w) != 1000 + (1 << 20) || bw_add(w, "after", small, 1000) < 0)
			_exit(13);
		if (bw_write_error(w) == NULL || strstr(bw_write_error(w), "too-big") == NULL)
			_exit(14);
		if (bw_commit(w, NULL, &err) != -EFBIG || strstr(err, "could not be written whole") == NULL ||
		    strstr(err, "too-big") == NULL)
			_exit(15);
		bw_free(w);
		/* Nothing is left behind: no bundle, no temporary file. */
		{
			DIR *d = opendir(dir);
			struct dirent *de;

			while (d && (de = readdir(d)) != NULL)
				if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
					_exit(16);
			if (d)
				closedir(d);
		}
		(void)r;
		(void)e;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(path);
}

static void
raise_on_progress(uint64_t done, uint64_t total, void *userdata)
{
	(void)done;
	(void)total;
	raise(*(int *)userdata);
}

/* A child killed by sig in the middle of writing leaves nothing in the folder. */
static void
signal_mid_write(const char *dir, int sig)
{
	char *path = xasprintf("%s/b.tar.gz", dir);
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct bundle_writer *w;
		char *err = NULL, *big = make_data(4 << 20, 11);

		bw_install_signal_cleanup();
		if (bw_open(&w, path, "top", &err) < 0 || bw_add(w, "first", big, 4 << 20) < 0 ||
		    bw_add(w, "second", big, 1 << 20) < 0)
			_exit(10);
		/* after the first entry is in the temporary bundle */
		bw_set_progress(w, raise_on_progress, &sig);
		bw_commit(w, NULL, &err);
		_exit(11);	/* not reached: the signal kills it */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status))
		fail_msg("child was not killed by signal %d (status %#x)", sig, status);
	assert_int_equal(WTERMSIG(status), sig);
	assert_int_equal(dir_count(dir, NULL), 0);
	free(path);
}

static void
test_sigterm_mid_write(void **state)
{
	signal_mid_write(*state, SIGTERM);
}

static void
test_sigint_mid_write(void **state)
{
	signal_mid_write(*state, SIGINT);
}

static void
test_compress_ratio(void **state)
{
	char *zeros = xcalloc(1, 1 << 20);
	unsigned char *rnd = xmalloc(1 << 16);
	char *text = make_data(1 << 20, 9);
	double rz, rr, rt;

	(void)state;
	for (size_t i = 0; i < (1 << 16); i++)
		rnd[i] = (unsigned char)(rand() >> 7);
	rz = bw_compress_ratio(zeros, 1 << 20);
	rr = bw_compress_ratio(rnd, 1 << 16);
	rt = bw_compress_ratio(text, 1 << 20);
	assert_true(rz > 0 && rz < 0.01);
	assert_true(rr > 0.95 && rr < 1.1);
	assert_true(rt > rz && rt < 0.6);
	assert_true(bw_compress_ratio("", 0) == 1.0);
	free(zeros);
	free(rnd);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_manifest_first, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_gnu_tar, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_directory_hostile, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_long_paths, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_writer_refuses, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_discard, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_free_without_commit, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_commit_rename_fails, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_commit_write_fails, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_spool_failure_refuses_commit, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_sigterm_mid_write, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_sigint_mid_write, setup_dir, teardown_dir),
		cmocka_unit_test(test_compress_ratio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
