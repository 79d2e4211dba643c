/* fuzz_analyze.c: libFuzzer target for the whole analyzer: a well-formed bundle of fuzzed files, loaded, evaluated, reported. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/sha.h>

#include "analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/*
 * The input is files, each "PATH\n" then its bytes up to a "\n\x1e\n" separator
 * (so every mutation lands in a file, not in gzip or tar framing).  A file
 * named manifest.json gives the manifest's other keys (sources, host, ...);
 * format, format_version and entries are set here so that the bundle is
 * well-formed and every rule gets to read its inputs.
 */
#define SEP "\n\x1e\n"
#define MAX_FILES 32

static struct ruleset *rs;
static FILE *devnull;

static void
add_file(struct archive *a, const char *path, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	char *full = xasprintf("fuzz/%s", path);

	archive_entry_set_pathname(e, full);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_write_header(a, e);
	if (len > 0)
		archive_write_data(a, data, len);
	archive_entry_free(e);
	free(full);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len;
	const char *paths[MAX_FILES], *bodies[MAX_FILES];
	size_t plens[MAX_FILES], blens[MAX_FILES], n = 0, i, used = 0, cap = 4 * len + 65536;
	json_t *manifest = NULL, *entries;
	char *mtext, *fdpath, *errmsg = NULL, *buf;
	struct archive *a;
	struct model *m = NULL;
	int fd;

	if (len > (256 << 10))
		return 0;
	if (rs == NULL) {
		rs = ruleset_new();
		if (rules_load_builtin(rs) < 0 || rules_finish(rs) < 0)
			abort();
		devnull = fopen("/dev/null", "we");
	}

	while (p < end && n < MAX_FILES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sep;

		if (nl == NULL || nl == p)
			break;
		paths[n] = p;
		plens[n] = (size_t)(nl - p);
		bodies[n] = nl + 1;
		sep = memmem(nl + 1, (size_t)(end - nl - 1), SEP, 3);
		blens[n] = (size_t)((sep ? sep : end) - bodies[n]);
		p = sep ? sep + 3 : end;
		if (memchr(paths[n], '\0', plens[n]) == NULL)
			n++;
	}

	for (i = 0; i < n; i++)
		if (plens[i] == 13 && memcmp(paths[i], "manifest.json", 13) == 0) {
			json_decref(manifest);	/* the last one counts */
			manifest = json_loadb(bodies[i], blens[i], JSON_REJECT_DUPLICATES, NULL);
		}
	if (!json_is_object(manifest)) {
		json_decref(manifest);
		manifest = json_object();
	}
	json_object_set_new(manifest, "format", json_string(BUNDLE_FORMAT));
	json_object_set_new(manifest, "format_version", json_integer(BUNDLE_FORMAT_VERSION));
	entries = json_array();
	for (i = 0; i < n; i++) {
		unsigned char md[SHA256_DIGEST_LENGTH];
		char hex[2 * SHA256_DIGEST_LENGTH + 1], *path;

		if (plens[i] == 13 && memcmp(paths[i], "manifest.json", 13) == 0)
			continue;
		SHA256((const unsigned char *)bodies[i], blens[i], md);
		for (size_t k = 0; k < sizeof(md); k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		path = xstrndup(paths[i], plens[i]);
		json_array_append_new(entries, json_pack("{s:s, s:I, s:s}", "path", path,
		    "size", (json_int_t)blens[i], "sha256", hex));
		free(path);
	}
	json_object_set_new(manifest, "entries", entries);
	mtext = json_dumps(manifest, JSON_COMPACT);
	json_decref(manifest);

	/* The bundle: manifest first, then the files, as gzip-compressed tar in memory. */
	buf = xmalloc(cap);
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_memory(a, buf, cap, &used);
	add_file(a, "manifest.json", mtext, strlen(mtext));
	for (i = 0; i < n; i++) {
		char *path = xstrndup(paths[i], plens[i]);

		if (strcmp(path, "manifest.json") != 0)
			add_file(a, path, bodies[i], blens[i]);
		free(path);
	}
	archive_write_close(a);
	archive_write_free(a);
	free(mtext);

	fd = memfd_create("fuzz-bundle", MFD_CLOEXEC);
	if (fd < 0 || write(fd, buf, used) != (ssize_t)used)
		abort();
	free(buf);
	fdpath = xasprintf("/proc/self/fd/%d", fd);
	if (load_bundle(fdpath, rs, &m, &errmsg) >= 0) {
		int l;

		/* Each language: the Chinese templates and labels get the same hostile values. */
		for (l = 0; l < _LANG_MAX; l++) {
			struct analysis *an;
			struct report_view *v;

			lang_set((enum lang)l);
			an = evaluate(rs, m);
			v = report_view_new(an);
			for (i = 0; report_formats[i].name != NULL; i++)
				(void)report_formats[i].write(devnull, v);
			report_view_free(v);
			analysis_free(an);
		}
		lang_set(LANG_EN);
		model_free(m);
	}
	free(errmsg);
	free(fdpath);
	close(fd);
	return 0;
}
