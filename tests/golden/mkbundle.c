/* mkbundle.c: test helper: builds a real bundle with the common/ writer from a spec folder.
 *
 *   mkbundle SPEC OUT.tar.gz
 *
 * SPEC/manifest.json holds manifest keys to set (host, collected_at, collection, skipped,
 * redactions) and "sources": [{name, status, detail, ...extra keys}]; every file under
 * SPEC/files/ becomes an entry at its relative path.  Used by tests/golden and tests/unit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "cleanup.h"
#include "xalloc.h"

static int
add_tree(struct bundle_writer *w, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int r = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]);
		_cleanup_free_ char *r2 = rel[0] ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		struct stat st;

		if (r == 0 && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = add_tree(w, path, r2);
			else {
				FILE *f = fopen(path, "re");
				struct buf b = { 0 };
				char chunk[65536];
				size_t got;

				if (f == NULL) {
					r = -errno;
				} else {
					while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
						buf_add(&b, chunk, got);
					fclose(f);
					r = bw_add(w, r2, b.data ? b.data : "", b.len);
					buf_free(&b);
				}
			}
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int
main(int argc, char *argv[])
{
	struct bundle_writer *w = NULL;
	_cleanup_free_ char *mpath = NULL, *fdir = NULL, *top = NULL;
	char *errmsg = NULL;
	json_t *spec, *man, *v, *s;
	json_error_t jerr;
	const char *key, *base;
	size_t i;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: mkbundle SPEC OUT.tar.gz\n");
		return 2;
	}
	mpath = xasprintf("%s/manifest.json", argv[1]);
	fdir = xasprintf("%s/files", argv[1]);
	spec = json_load_file(mpath, 0, &jerr);
	if (spec == NULL) {
		fprintf(stderr, "mkbundle: %s: %s\n", mpath, jerr.text);
		return 1;
	}
	base = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
	top = xstrdup(base);
	if (strlen(top) > 7 && strcmp(top + strlen(top) - 7, ".tar.gz") == 0)
		top[strlen(top) - 7] = '\0';
	r = bw_open(&w, argv[2], top, &errmsg);
	if (r < 0) {
		fprintf(stderr, "mkbundle: %s: %s\n", argv[2], errmsg);
		return 1;
	}
	man = bw_manifest(w);
	json_object_foreach(spec, key, v) {
		if (strcmp(key, "sources") == 0)
			continue;
		json_object_set(man, key, v);
	}
	json_array_foreach(json_object_get(spec, "sources"), i, s) {
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *st = json_string_value(json_object_get(s, "status"));
		const char *detail = json_string_value(json_object_get(s, "detail"));
		enum source_status status = SOURCE_OK;
		json_t *o;
		const char *k;
		json_t *x;

		if (st && strcmp(st, "unavailable") == 0)
			status = SOURCE_UNAVAILABLE;
		else if (st && strcmp(st, "error") == 0)
			status = SOURCE_ERROR;
		else if (st && strcmp(st, "truncated") == 0)
			status = SOURCE_TRUNCATED;
		bw_source(w, name, status, "%s", detail ? detail : "");
		o = bw_source_object(w, name);
		json_object_foreach(s, k, x)
			if (strcmp(k, "name") && strcmp(k, "status") && strcmp(k, "detail"))
				json_object_set(o, k, x);
	}
	r = add_tree(w, fdir, "");
	if (r < 0) {
		fprintf(stderr, "mkbundle: %s: %s\n", fdir, bw_error(w) ? bw_error(w) : strerror(-r));
		bw_free(w);
		return 1;
	}
	r = bw_commit(w, NULL, &errmsg);
	if (r < 0) {
		fprintf(stderr, "mkbundle: %s: %s\n", argv[2], errmsg);
		bw_free(w);
		return 1;
	}
	bw_free(w);
	json_decref(spec);
	return 0;
}
