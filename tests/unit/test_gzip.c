/* test_gzip.c: the multi-member gzip writer and reader, alone and in a bundle read back by gzip, GNU tar, Python and br_*. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <libdeflate.h>
#include <zlib.h>

#include "bundle.h"
#include "gzip_reader.h"
#include "gzip_writer.h"
#include "sha256.h"
#include "xalloc.h"

/* Log-like text that compresses about 10:1, deterministic. */
static char *
make_text(size_t len, uint32_t seed)
{
	static const char *const words[] = {"agent", "onboarding", "lookup", "no such host", "x509",
	    "\"MESSAGE\":", "127.0.0.53:53", "connection refused", "{\"__CURSOR\":\"s=", "\n"};
	char *p = xmalloc(len);
	size_t i = 0;

	while (i < len) {
		const char *w;
		size_t n;

		seed = seed * 1103515245 + 12345;
		w = words[(seed >> 16) % 10];
		n = strlen(w);
		if (n > len - i)
			n = len - i;
		memcpy(p + i, w, n);
		i += n;
		if (i < len && (seed >> 8) % 7 == 0)
			p[i++] = (char)('0' + (seed >> 20) % 10);
	}
	return p;
}

/* A file in /tmp, unlinked by the caller. */
static int
temp_file(char path[static 64])
{
	int fd;

	snprintf(path, 64, "/tmp/test-gzip.XXXXXX");
	fd = mkostemp(path, O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static char *
read_file(int fd, size_t *len)
{
	struct stat st;
	char *p;

	assert_int_equal(fstat(fd, &st), 0);
	p = xmalloc((size_t)st.st_size + 1);
	assert_int_equal(pread(fd, p, (size_t)st.st_size, 0), st.st_size);
	*len = (size_t)st.st_size;
	return p;
}

/* Inflates a whole multi-member stream with zlib (an independent reader).  Returns the bytes. */
static char *
zlib_inflate_all(const void *in, size_t len, size_t expect, unsigned *members)
{
	z_stream z = {0};
	char *out = xmalloc(expect + 1);
	int ret;

	*members = 0;
	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)expect + 1;
	for (;;) {
		ret = inflate(&z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			(*members)++;
			if (z.avail_in == 0)
				break;
			inflateReset(&z);
			continue;
		}
		assert_int_equal(ret, Z_OK);
	}
	assert_int_equal((size_t)((char *)z.next_out - out), expect);
	inflateEnd(&z);
	return out;
}

/* Reads a whole stream with gzr; checks the window bound.  Returns the bytes (length in *len) or NULL and *err. */
static char *
gzr_all(struct gzr *g, size_t *len, char **err)
{
	struct buf b = {0};
	const void *p;
	ssize_t n;

	*err = NULL;
	while ((n = gzr_read(g, &p)) > 0) {
		assert_true((size_t)n <= GZR_WINDOW);
		buf_add(&b, p, (size_t)n);
	}
	*len = b.len;
	if (n < 0) {
		*err = xstrdup(gzr_error(g));
		return buf_steal(&b, NULL);
	}
	assert_int_equal(gzr_out(g), b.len);
	return b.data ? buf_steal(&b, NULL) : xstrdup("");
}

/* Chunks compressed on two threads come out in order, one member per chunk, and match the estimate. */
static void
test_writer_members(void **state)
{
	size_t len = 5 * GZW_CHUNK + 12345, flen, back_len;
	char *text = make_text(len, 1), *file, *back, *err, path[64];
	int fd = temp_file(path);
	struct gzw *g = gzw_new(fd, 0, 2, GZW_LEVEL);
	uint64_t off;
	unsigned members;
	struct gzr *r;

	(void)state;
	/* odd-sized pieces, as a journal writes them */
	for (size_t i = 0, step = 1; i < len; i += step, step = step * 7 % 9001 + 1)
		assert_int_equal(gzw_write(g, text + i, step < len - i ? step : len - i), 0);
	assert_int_equal(gzw_sync(g, &off), 0);
	gzw_free(g);
	file = read_file(fd, &flen);
	assert_int_equal(off, flen);
	assert_int_equal(flen, gzw_compressed_size(text, len));
	assert_true(flen < len / 4);
	back = zlib_inflate_all(file, flen, len, &members);
	assert_int_equal(members, 6);
	assert_memory_equal(back, text, len);
	free(back);

	/* gzip(1) and Python agree */
	{
		char *cmd = xasprintf("gzip -t < %s && python3 -c 'import gzip,sys; "
		    "sys.exit(0 if len(gzip.open(\"%s\").read()) == %zu else 1)'", path, path, len);

		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	/* our reader, from the file and from memory */
	r = gzr_new_fd(fd);
	back = gzr_all(r, &back_len, &err);
	assert_null(err);
	assert_int_equal(back_len, len);
	assert_memory_equal(back, text, len);
	assert_int_equal(gzr_in(r), flen);
	free(back);
	gzr_free(r);
	r = gzr_new_memory(file, flen);
	back = gzr_all(r, &back_len, &err);
	assert_null(err);
	assert_memory_equal(back, text, len);
	free(back);
	gzr_free(r);

	free(file);
	free(text);
	close(fd);
	unlink(path);
}

static void
observe_cat(const void *data, size_t len, void *userdata)
{
	buf_add(userdata, data, len);
}

/* The observer sees every byte in order; gzw_copy appends members verbatim; gzw_sync ends a member. */
static void
test_writer_observe_copy(void **state)
{
	size_t len = 3 * GZW_CHUNK + 777, flen, alen, back_len;
	char *text = make_text(len, 2), *file, *afile, *back, *err, path[64], apath[64];
	int fd = temp_file(path), afd = temp_file(apath);
	struct gzw *g = gzw_new(afd, 0, 2, GZW_LEVEL);
	struct buf seen = {0};
	uint64_t off;
	unsigned members;

	(void)state;
	gzw_observe(g, observe_cat, &seen);
	assert_int_equal(gzw_write(g, text, len), 0);
	assert_int_equal(gzw_sync(g, &off), 0);
	gzw_observe(g, NULL, NULL);
	assert_int_equal(seen.len, len);
	assert_memory_equal(seen.data, text, len);
	gzw_free(g);
	buf_free(&seen);
	afile = read_file(afd, &alen);

	/* "head" member, the members of the first file copied, "tail" member */
	g = gzw_new(fd, 0, 0, GZW_LEVEL);
	assert_int_equal(gzw_write(g, "head", 4), 0);
	assert_int_equal(gzw_sync(g, NULL), 0);
	assert_int_equal(gzw_copy(g, afd, 0, alen), 0);
	assert_int_equal(gzw_write(g, "tail", 4), 0);
	assert_int_equal(gzw_sync(g, &off), 0);
	gzw_free(g);
	file = read_file(fd, &flen);
	assert_int_equal(off, flen);
	back = zlib_inflate_all(file, flen, len + 8, &members);
	assert_int_equal(members, 1 + 4 + 1);
	assert_memory_equal(back, "head", 4);
	assert_memory_equal(back + 4, text, len);
	assert_memory_equal(back + 4 + len, "tail", 4);
	free(back);
	{
		struct gzr *r = gzr_new_memory(file, flen);

		back = gzr_all(r, &back_len, &err);
		assert_null(err);
		assert_int_equal(back_len, len + 8);
		free(back);
		gzr_free(r);
	}
	free(file);
	free(afile);
	free(text);
	close(fd);
	close(afd);
	unlink(path);
	unlink(apath);
}

/* A write error sticks (later calls report it) until gzw_reset(). */
static void
test_writer_error(void **state)
{
	char path[64], *text = make_text(2 * GZW_CHUNK, 3);
	int fd = temp_file(path), ro = open(path, O_RDONLY | O_CLOEXEC);
	struct gzw *g = gzw_new(ro, 0, 2, GZW_LEVEL);
	uint64_t off = 99;
	int r;

	(void)state;
	r = gzw_write(g, text, 2 * GZW_CHUNK);
	assert_true(r == 0 || r == -EBADF);
	assert_int_equal(gzw_sync(g, &off), -EBADF);
	assert_int_equal(off, 0);
	assert_int_equal(gzw_write(g, "x", 1), 0);	/* buffered only */
	assert_int_equal(gzw_sync(g, NULL), -EBADF);
	gzw_reset(g, 0);
	assert_int_equal(gzw_sync(g, &off), 0);
	assert_int_equal(off, 0);
	gzw_free(g);
	free(text);
	close(ro);
	close(fd);
	unlink(path);
}

/* A gzip member made by zlib, of any size: the reader's streaming path. */
static char *
zlib_member(const void *data, size_t len, size_t *out_len)
{
	z_stream z = {0};
	size_t cap = len + len / 8 + 1024;
	char *out = xmalloc(cap);

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Members larger than the window (zlib), small ones (libdeflate), empty ones and trailing garbage. */
static void
test_reader_mixed(void **state)
{
	size_t big_len = 3 * GZR_WINDOW + 5, small_len = 1000, zl, sl, el, back_len;
	char *big = make_text(big_len, 4), *small = make_text(small_len, 5);
	char *zm = zlib_member(big, big_len, &zl), *em = zlib_member("", 0, &el), *sm;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	struct buf s = {0};
	char *back, *err, *expect;
	struct gzr *r;

	(void)state;
	sm = xmalloc(libdeflate_gzip_compress_bound(c, small_len));
	sl = libdeflate_gzip_compress(c, small, small_len, sm, libdeflate_gzip_compress_bound(c, small_len));
	buf_add(&s, sm, sl);
	buf_add(&s, em, el);
	buf_add(&s, zm, zl);
	buf_add(&s, sm, sl);
	buf_add(&s, "\0\0\0\0garbage", 11);
	expect = xmalloc(2 * small_len + big_len);
	memcpy(expect, small, small_len);
	memcpy(expect + small_len, big, big_len);
	memcpy(expect + small_len + big_len, small, small_len);

	r = gzr_new_memory(s.data, s.len);
	back = gzr_all(r, &back_len, &err);
	assert_null(err);
	assert_int_equal(back_len, 2 * small_len + big_len);
	assert_memory_equal(back, expect, back_len);
	assert_int_equal(gzr_in(r), s.len - 11);
	free(back);
	gzr_free(r);

	/* cut anywhere inside the stream: what came out is a prefix, then "truncated" */
	for (size_t cut = 5; cut < s.len - 11; cut += (s.len - 11) / 7) {
		r = gzr_new_memory(s.data, cut);
		back = gzr_all(r, &back_len, &err);
		assert_non_null(err);
		assert_non_null(strstr(err, "truncated gzip stream"));
		assert_true(back_len < 2 * small_len + big_len);
		assert_memory_equal(back, expect, back_len);
		free(back);
		free(err);
		gzr_free(r);
	}
	/* a CRC that does not match, in a small (libdeflate) and a big (zlib) member */
	{
		size_t crc_small = sl - 8, crc_big = sl + el + zl - 8;

		for (int i = 0; i < 2; i++) {
			char *bad = xmemdup(s.data, s.len);

			bad[i == 0 ? crc_small : crc_big] ^= 0x55;
			r = gzr_new_memory(bad, s.len);
			back = gzr_all(r, &back_len, &err);
			assert_non_null(err);
			assert_non_null(strstr(err, "corrupt gzip data"));
			assert_non_null(strstr(err, "incorrect data check"));
			free(back);
			free(err);
			gzr_free(r);
			free(bad);
		}
	}
	/* not gzip at all, and nothing */
	r = gzr_new_memory("plain text", 10);
	back = gzr_all(r, &back_len, &err);
	assert_non_null(strstr(err, "not gzip"));
	free(back);
	free(err);
	gzr_free(r);
	r = gzr_new_memory("", 0);
	back = gzr_all(r, &back_len, &err);
	assert_non_null(strstr(err, "empty"));
	free(back);
	free(err);
	gzr_free(r);

	libdeflate_free_compressor(c);
	buf_free(&s);
	free(expect);
	free(big);
	free(small);
	free(zm);
	free(em);
	free(sm);
}

/*
 * A bundle with an entry of several members and small ones: gzip -t, GNU tar
 * (extracted bytes compared), Python's tarfile and our reader accept it.
 */
static void
test_bundle_multi_member(void **state)
{
	char dir[] = "/tmp/test-gzip-bundle.XXXXXX";
	size_t big_len = 4 * GZW_CHUNK + 4321;
	char *big = make_text(big_len, 6), *path, *err = NULL, *cmd, *data;
	struct bundle_writer *w;
	struct bw_entry *e;
	struct bundle_reader *r;
	struct br_entry ent;
	size_t len;
	int n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/b.tar.gz", dir);
	assert_int_equal(bw_open(&w, path, "b", &err), 0);
	assert_int_equal(bw_add(w, "small.txt", "hello\n", 6), 0);
	assert_int_equal(bw_entry_open(w, "journal/big.jsonl", &e), 0);
	for (size_t i = 0; i < big_len; i += 4099)
		assert_int_equal(bw_entry_write(e, big + i, big_len - i < 4099 ? big_len - i : 4099), 0);
	assert_int_equal(bw_entry_close(e), 0);
	assert_int_equal(bw_add(w, "empty", "", 0), 0);
	assert_int_equal(bw_commit(w, NULL, &err), 0);
	bw_free(w);

	cmd = xasprintf("set -e; cd %s; gzip -t b.tar.gz; mkdir x; tar xzf b.tar.gz -C x; "
	    "test \"$(cat x/b/small.txt)\" = hello; test -f x/b/empty; test ! -s x/b/empty; "
	    "python3 -c 'import tarfile; t = tarfile.open(\"b.tar.gz\"); "
	    "assert [m.name for m in t][:2] == [\"b/manifest.json\", \"b/small.txt\"]; "
	    "assert t.extractfile(\"b/journal/big.jsonl\").read() == open(\"x/b/journal/big.jsonl\", \"rb\").read()'",
	    dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	{
		char *x = xasprintf("%s/x/b/journal/big.jsonl", dir);
		int fd = open(x, O_RDONLY | O_CLOEXEC);
		char *got = read_file(fd, &len);

		assert_int_equal(len, big_len);
		assert_memory_equal(got, big, big_len);
		free(got);
		close(fd);
		free(x);
	}

	assert_int_equal(br_open(&r, path, NULL, &err), 0);
	while (br_next(r, &ent) == 1) {
		assert_int_equal(br_read_all(r, 64 << 20, &data, &len), 0);
		if (strcmp(ent.path, "journal/big.jsonl") == 0) {
			assert_int_equal(len, big_len);
			assert_memory_equal(data, big, big_len);
		}
		assert_int_equal(br_verdict(r), BR_VERIFIED);
		free(data);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(br_failures(r, NULL, NULL), 0);
	br_free(r);

	cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_members),
		cmocka_unit_test(test_writer_observe_copy),
		cmocka_unit_test(test_writer_error),
		cmocka_unit_test(test_reader_mixed),
		cmocka_unit_test(test_bundle_multi_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
