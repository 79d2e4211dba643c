/* test_bundle_reader.c: the bundle reader against hostile and broken archives, each refused for its own reason. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "test_bundle_util.h"

static const char A_TXT[] = "alpha\n";
static const char B_TXT[] = "bravo bravo\n";

/* Opens b, reads it all and asserts it is refused with a message holding want. */
static void
expect_refused(struct ab *b, const struct bundle_limits *lim, const char *want)
{
	struct bundle_reader *r = NULL;
	char *err = NULL;
	const char *why = NULL;
	int e;

	e = ab_open(b, lim, &r, &err);
	if (e == 0)
		e = read_all_entries(r, &why);
	else
		why = err;
	if (e >= 0 || why == NULL || strstr(why, want) == NULL)
		fail_msg("wanted a refusal with \"%s\", got %d \"%s\"", want, e, why ? why : "(no message)");
	/* the refusal sticks */
	if (r != NULL) {
		struct br_entry ent;

		assert_true(br_next(r, &ent) < 0);
	}
	br_free(r);
	free(err);
	free(b->buf);
}

/* Opens the bytes as a bundle and asserts the refusal holds want. */
static void
expect_bytes_refused(const void *data, size_t len, const char *want)
{
	struct ab b = {.buf = xmemdup(data, len ? len : 1), .used = len};

	expect_refused(&b, NULL, want);
}

/* A good bundle: top/manifest.json listing a.txt and sub/b.txt, then both. */
static void
good(struct ab *b)
{
	json_t *m = mf_new();

	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	mf_list(m, "sub/b.txt", B_TXT, strlen(B_TXT));
	ab_begin(b, 1 << 20, true);
	ab_manifest(b, "top", m);
	ab_file(b, "top/a.txt", A_TXT, strlen(A_TXT));
	ab_file(b, "top/sub/b.txt", B_TXT, strlen(B_TXT));
	ab_end(b);
}

/* A good bundle plus one more entry (hostile) after the listed ones. */
static void
good_plus(struct ab *b, const char *path, mode_t type, const char *symlink, const char *hardlink)
{
	json_t *m = mf_new();

	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	ab_begin(b, 1 << 20, true);
	ab_manifest(b, "top", m);
	ab_file(b, "top/a.txt", A_TXT, strlen(A_TXT));
	ab_entry(b, path, type, A_TXT, strlen(A_TXT), symlink, hardlink);
	ab_end(b);
}

struct verdicts {
	unsigned verified, unlisted, size, hash, dirs;
	char	 bad[256];	/* the last path that did not verify */
};

static int
read_verdicts(struct ab *b, struct verdicts *v, struct bundle_reader **rp)
{
	struct bundle_reader *r;
	struct br_entry e;
	char *err = NULL, *data;
	size_t len;
	int k;

	memset(v, 0, sizeof(*v));
	k = ab_open(b, NULL, &r, &err);
	if (k < 0)
		fail_msg("refused: %s", err);
	while ((k = br_next(r, &e)) > 0) {
		if (e.is_dir) {
			v->dirs++;
			continue;
		}
		assert_int_equal(br_read_all(r, 1 << 20, &data, &len), 0);
		free(data);
		switch (br_verdict(r)) {
		case BR_VERIFIED:
			v->verified++;
			break;
		case BR_UNLISTED:
			v->unlisted++;
			snprintf(v->bad, sizeof(v->bad), "%s", e.path);
			break;
		case BR_SIZE_MISMATCH:
			v->size++;
			snprintf(v->bad, sizeof(v->bad), "%s", e.path);
			break;
		case BR_HASH_MISMATCH:
			v->hash++;
			snprintf(v->bad, sizeof(v->bad), "%s", e.path);
			break;
		case BR_PENDING:
			fail_msg("verdict pending after reading to the end");
		}
	}
	assert_int_equal(k, 0);
	*rp = r;
	return 0;
}

static void
test_good_bundle(void **state)
{
	struct ab b;
	struct verdicts v;
	struct bundle_reader *r;

	(void)state;
	good(&b);
	read_verdicts(&b, &v, &r);
	assert_int_equal(v.verified, 2);
	assert_int_equal(v.unlisted + v.size + v.hash, 0);
	assert_int_equal(br_missing(r, NULL, NULL), 0);
	assert_int_equal(br_failures(r, NULL, NULL), 0);
	assert_string_equal(br_topdir(r), "top");
	assert_string_equal(json_string_value(json_object_get(br_manifest(r), "format")), BUNDLE_FORMAT);
	br_free(r);
	free(b.buf);
}

static void
record_missing(const char *path, void *userdata)
{
	snprintf(userdata, 256, "%s", path);
}

static void
test_integrity_verdicts(void **state)
{
	struct ab b;
	struct verdicts v;
	struct bundle_reader *r;
	char missing[256] = "";
	json_t *m;

	(void)state;
	/* a changed byte: same size, other content */
	m = mf_new();
	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_file(&b, "top/a.txt", "alphA\n", 6);
	ab_end(&b);
	read_verdicts(&b, &v, &r);
	assert_int_equal(v.hash, 1);
	assert_string_equal(v.bad, "a.txt");
	assert_int_equal(br_failures(r, NULL, NULL), 1);
	assert_string_equal(br_verdict_name(BR_HASH_MISMATCH), "SHA-256 differs from the manifest");
	br_free(r);
	free(b.buf);

	/* a size that differs */
	m = mf_new();
	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_file(&b, "top/a.txt", "alpha, longer\n", 14);
	ab_end(&b);
	read_verdicts(&b, &v, &r);
	assert_int_equal(v.size, 1);
	br_free(r);
	free(b.buf);

	/* an entry the manifest does not list, and one it lists that is absent */
	m = mf_new();
	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	mf_list(m, "gone.txt", B_TXT, strlen(B_TXT));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_file(&b, "top/a.txt", A_TXT, strlen(A_TXT));
	ab_file(&b, "top/extra.txt", B_TXT, strlen(B_TXT));
	ab_end(&b);
	read_verdicts(&b, &v, &r);
	assert_int_equal(v.verified, 1);
	assert_int_equal(v.unlisted, 1);
	assert_string_equal(v.bad, "extra.txt");
	assert_int_equal(br_missing(r, record_missing, missing), 1);
	assert_string_equal(missing, "gone.txt");
	br_free(r);
	free(b.buf);
}

/* Entries skipped by br_next() without reading are still verified. */
static void
test_skipped_entries_verified(void **state)
{
	struct ab b;
	struct bundle_reader *r;
	struct br_entry e;
	char *err = NULL;
	json_t *m = mf_new();

	(void)state;
	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_file(&b, "top/a.txt", "ALPHA\n", 6);
	ab_end(&b);
	assert_int_equal(ab_open(&b, NULL, &r, &err), 0);
	assert_int_equal(br_next(r, &e), 1);
	assert_int_equal(br_verdict(r), BR_PENDING);
	assert_int_equal(br_next(r, &e), 0);
	assert_int_equal(br_failures(r, NULL, NULL), 1);
	br_free(r);
	free(b.buf);
}

static void
test_manifest_not_first(void **state)
{
	struct ab b;
	struct verdicts v;
	struct bundle_reader *r;
	json_t *m = mf_new();

	(void)state;
	/* as `tar czf` of an extracted bundle writes it: folders first, files in any order */
	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	mf_list(m, "sub/b.txt", B_TXT, strlen(B_TXT));
	ab_begin(&b, 1 << 20, true);
	ab_entry(&b, "./top/", AE_IFDIR, NULL, 0, NULL, NULL);
	ab_file(&b, "./top/a.txt", A_TXT, strlen(A_TXT));
	ab_entry(&b, "./top/sub/", AE_IFDIR, NULL, 0, NULL, NULL);
	ab_file(&b, "./top/sub/b.txt", B_TXT, strlen(B_TXT));
	ab_manifest(&b, "./top", m);
	ab_end(&b);
	read_verdicts(&b, &v, &r);
	assert_int_equal(v.verified, 2);
	assert_int_equal(v.dirs, 1);
	assert_int_equal(br_missing(r, NULL, NULL), 0);
	br_free(r);
	free(b.buf);
}

static void
test_unknown_major_version(void **state)
{
	struct ab b;
	json_t *m = mf_new();

	(void)state;
	json_object_set_new(m, "format_version", json_integer(2));
	json_object_set_new(m, "something_new", json_string("ignored"));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "unsupported format_version 2 (this triage reads 1)");
}

static void
test_unknown_keys_ignored(void **state)
{
	struct ab b;
	struct verdicts v;
	struct bundle_reader *r;
	json_t *m = mf_new();

	(void)state;
	json_object_set_new(m, "future_key", json_pack("{s:[i,i]}", "x", 1, 2));
	mf_list(m, "a.txt", A_TXT, strlen(A_TXT));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_file(&b, "top/a.txt", A_TXT, strlen(A_TXT));
	ab_end(&b);
	read_verdicts(&b, &v, &r);
	assert_int_equal(v.verified, 1);
	br_free(r);
	free(b.buf);
}

static void
test_unsafe_paths(void **state)
{
	struct ab b;

	(void)state;
	good_plus(&b, "top/x/../../etc/passwd", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/x/../../etc/passwd': path leaves the bundle");
	good_plus(&b, "../evil", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry '../evil': path leaves the bundle");
	good_plus(&b, "/etc/cron.d/evil", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry '/etc/cron.d/evil': absolute path");
	good_plus(&b, "top/bad\nname", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/bad\\x0aname': control character in path");
	good_plus(&b, "top/\xff\xfe", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "not valid UTF-8");
	/* a stray file beside the top folder is passed over (issue 12 item 7); a second folder is not */
	good_plus(&b, "loose.txt", AE_IFREG, NULL, NULL);
	{
		struct bundle_reader *r = NULL;
		char *err = NULL;
		const char *why = NULL;

		assert_int_equal(ab_open(&b, NULL, &r, &err), 0);
		assert_true(read_all_entries(r, &why) >= 0);
		assert_int_equal(br_failures(r, NULL, NULL), 0);
		br_free(r);
		free(err);
		free(b.buf);
	}
}

static void
test_link_and_device_types(void **state)
{
	struct ab b;

	(void)state;
	good_plus(&b, "top/link", AE_IFLNK, "/etc/shadow", NULL);
	expect_refused(&b, NULL, "entry 'top/link': symbolic link (only regular files and directories are allowed)");
	good_plus(&b, "top/hard", AE_IFREG, NULL, "top/a.txt");
	expect_refused(&b, NULL, "entry 'top/hard': hard link (only regular files and directories are allowed)");
	good_plus(&b, "top/null", AE_IFCHR, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/null': character device");
	good_plus(&b, "top/disk", AE_IFBLK, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/disk': block device");
	good_plus(&b, "top/fifo", AE_IFIFO, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/fifo': FIFO");
}

static void
test_duplicates_and_tops(void **state)
{
	struct ab b;

	(void)state;
	good_plus(&b, "top/a.txt", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/a.txt': duplicate path");
	good_plus(&b, "top/./a.txt", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/./a.txt': duplicate path");
	good_plus(&b, "top/manifest.json", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry 'top/manifest.json': duplicate path");
	good_plus(&b, "other/a.txt", AE_IFREG, NULL, NULL);
	expect_refused(&b, NULL, "entry 'other/a.txt': a second top directory (the first is 'top')");
	good_plus(&b, "other/", AE_IFDIR, NULL, NULL);
	expect_refused(&b, NULL, "entry 'other/': a second top directory");
}

static void
test_not_a_bundle(void **state)
{
	static const char text[] = "this is not gzip\n";
	struct ab b;

	(void)state;
	expect_bytes_refused("", 0, "empty file");
	expect_bytes_refused(text, strlen(text), "not a bundle: neither gzip-compressed nor a tar archive");

	/* a tar that is not compressed (a browser inflated it) is read as it is (issue 12 item 7) */
	ab_begin(&b, 1 << 20, false);
	ab_manifest(&b, "top", mf_new());
	ab_end(&b);
	{
		struct bundle_reader *r = NULL;
		char *err = NULL;
		const char *why = NULL;

		assert_int_equal(ab_open(&b, NULL, &r, &err), 0);
		assert_true(read_all_entries(r, &why) >= 0);
		assert_string_equal(br_topdir(r), "top");
		br_free(r);
		free(err);
		free(b.buf);
	}

	/* gzip, but no tar inside: libarchive's raw format writes just the compressed bytes */
	{
		struct archive *a = archive_write_new();
		struct archive_entry *ae = archive_entry_new();

		b.buf = xmalloc(4096);
		b.used = 0;
		archive_write_set_format_raw(a);
		archive_write_add_filter_gzip(a);
		archive_write_set_bytes_in_last_block(a, 1);
		archive_write_open_memory(a, b.buf, 4096, &b.used);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_write_header(a, ae);
		for (int i = 0; i < 100; i++)
			archive_write_data(a, text, strlen(text));
		archive_write_close(a);
		archive_write_free(a);
		archive_entry_free(ae);
		expect_refused(&b, NULL, "not a gzip-compressed tar: the gzip stream does not hold a tar archive");
	}
}

static void
test_truncated_gzip(void **state)
{
	struct ab b;
	char *big = xmalloc(1 << 20);
	json_t *m = mf_new();
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < (1 << 20); i++) {
		x = x * 1103515245 + 12345;
		big[i] = (char)('a' + (x >> 16) % 26);
	}
	mf_list(m, "big.txt", big, 1 << 20);
	ab_begin(&b, 2 << 20, true);
	ab_manifest(&b, "top", m);
	ab_file(&b, "top/big.txt", big, 1 << 20);
	ab_end(&b);
	free(big);
	/* cut in the middle of the entry's data, and just before the gzip trailer */
	{
		size_t full = b.used;

		b.used = full / 2;
		{
			struct ab c = {.buf = xmemdup(b.buf, b.used), .used = b.used};

			expect_refused(&c, NULL, "entry 'top/big.txt': truncated gzip stream after");
		}
		b.used = full - 4;
		expect_refused(&b, NULL, "truncated gzip stream after");
	}
	/* cut inside the gzip header */
	good(&b);
	b.used = 10;
	expect_refused(&b, NULL, "truncated gzip stream after 10 bytes");
}

static void
test_manifest_problems(void **state)
{
	struct ab b;
	json_t *m;
	char *deep;

	(void)state;
	/* missing */
	ab_begin(&b, 1 << 20, true);
	ab_file(&b, "top/a.txt", A_TXT, strlen(A_TXT));
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json is missing");

	/* not JSON */
	ab_begin(&b, 1 << 20, true);
	ab_file(&b, "top/manifest.json", "{\"format\": ", 11);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: not valid JSON");

	/* 100,000 '[': refused before jansson recurses */
	deep = xmalloc(100000);
	memset(deep, '[', 100000);
	ab_begin(&b, 1 << 20, true);
	ab_file(&b, "top/manifest.json", deep, 100000);
	ab_end(&b);
	free(deep);
	expect_refused(&b, NULL, "manifest.json: nested deeper than 64 levels");

	/* duplicate keys */
	ab_begin(&b, 1 << 20, true);
	ab_file(&b, "top/manifest.json", "{\"format\":\"a\",\"format\":\"b\"}", 27);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: not valid JSON");

	/* wrong types */
	m = mf_new();
	json_object_set_new(m, "format_version", json_string("1"));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: \"format_version\" is not an integer");

	m = mf_new();
	json_object_set_new(m, "entries", json_object());
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: \"entries\" is not an array");

	m = mf_new();
	json_array_append_new(json_object_get(m, "entries"),
	    json_pack("{s:s, s:i, s:s}", "path", "a.txt", "size", -1, "sha256", "00"));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: entries[0]: \"size\" is negative");

	m = mf_new();
	json_array_append_new(json_object_get(m, "entries"),
	    json_pack("{s:s, s:i, s:s}", "path", "../x", "size", 1, "sha256", "00"));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "path leaves the bundle");

	m = mf_new();
	json_object_del(m, "host");
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: \"host\" is missing");

	m = mf_new();
	json_object_set_new(m, "format", json_string("tar"));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: format is \"tar\"");

	m = mf_new();
	json_array_append_new(json_object_get(m, "sources"), json_pack("{s:s, s:i}", "name", "host", "status", 1));
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: sources[0]: \"status\" is not a string");

	ab_begin(&b, 1 << 20, true);
	ab_file(&b, "top/manifest.json", "[1]", 3);
	ab_end(&b);
	expect_refused(&b, NULL, "manifest.json: not a JSON object");
}

static void
test_caps(void **state)
{
	struct bundle_limits lim;
	struct ab b;
	char name[64];
	json_t *m;

	(void)state;
	/* too many entries */
	bundle_limits_default(&lim);
	lim.max_entries = 5;
	m = mf_new();
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "top/f%d", i);
		ab_file(&b, name, "x", 1);
	}
	ab_end(&b);
	expect_refused(&b, &lim, "entry 'top/f4': more than 5 entries in the bundle");

	/* one entry over the size cap, refused from its header */
	bundle_limits_default(&lim);
	lim.max_entry_size = 1000;
	{
		char *data = xcalloc(1, 2000);

		m = mf_new();
		mf_list(m, "big", data, 2000);
		ab_begin(&b, 1 << 20, true);
		ab_manifest(&b, "top", m);
		ab_file(&b, "top/big", data, 2000);
		ab_end(&b);
		free(data);
	}
	expect_refused(&b, &lim, "entry 'top/big': 2000 bytes, over the cap of 1000 per entry");

	/* all entries together over the total cap */
	bundle_limits_default(&lim);
	lim.max_total = 2500;
	m = mf_new();
	ab_begin(&b, 1 << 20, true);
	ab_manifest(&b, "top", m);
	for (int i = 0; i < 3; i++) {
		char data[1000] = {0};

		snprintf(name, sizeof(name), "top/part%d", i);
		ab_file(&b, name, data, sizeof(data));
	}
	ab_end(&b);
	expect_refused(&b, &lim, "entry 'top/part2': the bundle holds more than 2500 uncompressed bytes");

	/* a path over the cap */
	bundle_limits_default(&lim);
	lim.max_path = 20;
	good_plus(&b, "top/a-rather-long-name-for-a-file", AE_IFREG, NULL, NULL);
	expect_refused(&b, &lim, "path longer than 20 bytes");

	/* manifest.json over its cap */
	bundle_limits_default(&lim);
	lim.max_manifest = 100;
	good(&b);
	expect_refused(&b, &lim, "over the cap of 100 for manifest.json");
}

/* 200 MB of zeros compress about 1000:1; the reader must stop long before inflating them all. */
static void
test_ratio_bomb(void **state)
{
	static const size_t total = 200u << 20;
	struct ab b;
	struct sha256 h;
	char hex[SHA256_HEX_LEN + 1];
	char *zeros = xcalloc(1, 1 << 20);
	json_t *m = mf_new();
	struct archive_entry *ae;

	(void)state;
	sha256_init(&h);
	for (size_t i = 0; i < total; i += 1 << 20)
		sha256_update(&h, zeros, 1 << 20);
	sha256_final_hex(&h, hex);
	/* listed honestly: only the ratio gives it away */
	json_array_append_new(json_object_get(m, "entries"),
	    json_pack("{s:s, s:I, s:s}", "path", "zeros", "size", (json_int_t)total, "sha256", hex));
	ab_begin(&b, 4 << 20, true);
	ab_manifest(&b, "top", m);
	ae = archive_entry_new();
	archive_entry_set_pathname(ae, "top/zeros");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)total);
	archive_write_header(b.a, ae);
	for (size_t i = 0; i < total; i += 1 << 20)
		archive_write_data(b.a, zeros, 1 << 20);
	archive_entry_free(ae);
	ab_end(&b);
	free(zeros);
	assert_true(b.used < total / 500);
	expect_refused(&b, NULL, "entry 'top/zeros': compression ratio over 250:1");
}

static void
test_manifest_parse_direct(void **state)
{
	json_t *m = NULL;
	char *err = NULL;
	static const char ok[] =
	    "{\"format\":\"triage-bundle\",\"format_version\":1,\"collected_at\":\"2026-11-26T05:00:00Z\","
	    "\"host\":{\"hostname\":\"h\"},\"tool\":{\"name\":\"t\",\"version\":\"1\"},"
	    "\"entries\":[],\"sources\":[{\"name\":\"host\",\"status\":\"ok\",\"detail\":\"\",\"extra\":3}],"
	    "\"redactions\":[{\"path\":\"config/x\",\"count\":2,\"rules\":{\"yaml-key\":2}}]}";
	/* a '[' inside a string does not count toward depth */
	static const char strings[] = "[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]";

	(void)state;
	assert_int_equal(manifest_parse(ok, strlen(ok), NULL, &m, &err), 0);
	assert_non_null(m);
	json_decref(m);
	assert_int_equal(manifest_parse(strings, strlen(strings), NULL, &m, &err), -EINVAL);
	assert_non_null(strstr(err, "not a JSON object"));
	free(err);
}

static void
test_path_normalise(void **state)
{
	char *out;
	const char *why;

	(void)state;
	assert_int_equal(bundle_path_normalise("./a/./b//c/", 100, &out, &why), 0);
	assert_string_equal(out, "a/b/c");
	free(out);
	assert_int_equal(bundle_path_normalise("a/..", 100, &out, &why), -EINVAL);
	assert_string_equal(why, "path leaves the bundle");
	assert_int_equal(bundle_path_normalise("", 100, &out, &why), -EINVAL);
	assert_string_equal(why, "empty path");
	assert_int_equal(bundle_path_normalise("./", 100, &out, &why), -EINVAL);
	assert_int_equal(bundle_path_normalise("/a", 100, &out, &why), -EINVAL);
	assert_string_equal(why, "absolute path");
	assert_int_equal(bundle_path_normalise("abcdef", 5, &out, &why), -EINVAL);
	assert_string_equal(why, "path is too long");
	assert_int_equal(bundle_path_normalise("a/\xc3\xa9t\xc3\xa9", 100, &out, &why), 0);
	free(out);
	assert_int_equal(bundle_path_normalise("a/\xc0\xaf", 100, &out, &why), -EINVAL); /* overlong '/' */
	assert_string_equal(why, "path is not valid UTF-8");
	assert_int_equal(bundle_path_normalise("..a/b..", 100, &out, &why), 0);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_bundle),
		cmocka_unit_test(test_integrity_verdicts),
		cmocka_unit_test(test_skipped_entries_verified),
		cmocka_unit_test(test_manifest_not_first),
		cmocka_unit_test(test_unknown_major_version),
		cmocka_unit_test(test_unknown_keys_ignored),
		cmocka_unit_test(test_unsafe_paths),
		cmocka_unit_test(test_link_and_device_types),
		cmocka_unit_test(test_duplicates_and_tops),
		cmocka_unit_test(test_not_a_bundle),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_manifest_problems),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_ratio_bomb),
		cmocka_unit_test(test_manifest_parse_direct),
		cmocka_unit_test(test_path_normalise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
