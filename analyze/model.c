/* model.c: queries on the bundle model (its files, parsed YAML, manifest sources); used by every later stage, calls none. */
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

struct kfile *
model_file(const struct model *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n_files; i++)
		if (strcmp(m->files[i].path, path) == 0)
			return &m->files[i];
	return NULL;
}

const struct ynode *
kfile_yaml(struct kfile *kf)
{
	unsigned line, col;
	char *msg = NULL;

	if (kf->tried)
		return kf->tree;
	kf->tried = true;
	if (ytree_parse(kf->data, kf->len, &kf->tree, &line, &col, &msg) < 0) {
		kf->parse_error = xasprintf("line %u: %s", line, msg);
		free(msg);
	}
	return kf->tree;
}

const json_t *
model_source(const struct model *m, const char *name)
{
	const json_t *srcs = json_object_get(m->manifest, "sources"), *s;
	size_t i;

	json_array_foreach(srcs, i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return s;
	}
	return NULL;
}
