/* yaml.c: YAML documents (rules, collected configs) as small trees with line and column. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "analyze.h"

void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->value);
	free(n);
}

static struct ynode *
ynode_new(enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = (unsigned)mark->line + 1;
	n->col = (unsigned)mark->column + 1;
	return n;
}

static void
ynode_push(struct ynode *parent, struct ynode *kid)
{
	/* Capacity is 4, then each power of two reached doubles it. */
	if (parent->n == 0 || (parent->n >= 4 && (parent->n & (parent->n - 1)) == 0))
		parent->kids = xreallocarray(parent->kids, parent->n == 0 ? 4 : parent->n * 2,
		    sizeof(*parent->kids));
	parent->kids[parent->n++] = kid;
}

static void
set_error(const yaml_parser_t *p, unsigned *line, unsigned *col, char **msg)
{
	const yaml_mark_t *m = &p->problem_mark;

	*line = (unsigned)m->line + 1;
	*col = (unsigned)m->column + 1;
	if (p->context != NULL)
		*msg = xasprintf("%s %s", p->problem ? p->problem : "invalid YAML", p->context);
	else
		*msg = xstrdup(p->problem ? p->problem : "invalid YAML");
}

int
ytree_parse(const char *data, size_t len, struct ynode **ret, unsigned *line,
    unsigned *col, char **msg)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct ynode *stack[YAML_MAX_DEPTH + 2];
	struct ynode *root = NULL, *n;
	size_t depth = 0, nodes = 0;
	bool done = false, in_doc = false;
	int r = 0;

	*ret = NULL;
	*msg = NULL;
	*line = *col = 0;
	if (!yaml_parser_initialize(&p)) {
		*msg = xstrdup("cannot initialise the YAML parser");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			set_error(&p, line, col, msg);
			r = -EINVAL;
			break;
		}
		n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			in_doc = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			/* Only the first document counts. */
			done = true;
			break;
		case YAML_SCALAR_EVENT:
			n = ynode_new(YN_SCALAR, &ev.start_mark);
			n->value = xmemdup(ev.data.scalar.value, ev.data.scalar.length);
			n->len = ev.data.scalar.length;
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_ALIAS_EVENT:
			n = ynode_new(YN_ALIAS, &ev.start_mark);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			n = ynode_new(ev.type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP,
			    &ev.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n != NULL) {
			if (++nodes > YAML_MAX_NODES) {
				*line = n->line;
				*col = n->col;
				*msg = xstrdup("too many nodes");
				ynode_free(n);
				yaml_event_delete(&ev);
				r = -E2BIG;
				break;
			}
			if (depth > 0)
				ynode_push(stack[depth - 1], n);
			else if (root == NULL)
				root = n;
			else
				ynode_free(n);	/* cannot happen within one document */
			if (n->kind == YN_SEQ || n->kind == YN_MAP) {
				if (depth >= YAML_MAX_DEPTH) {
					*line = n->line;
					*col = n->col;
					*msg = xasprintf("nested deeper than %d levels", YAML_MAX_DEPTH);
					yaml_event_delete(&ev);
					r = -E2BIG;
					break;
				}
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	(void)in_doc;
	if (r < 0) {
		ynode_free(root);
		return r;
	}
	if (root == NULL) {
		yaml_mark_t m = { 0 };

		root = ynode_new(YN_MAP, &m);
	}
	*ret = root;
	return 0;
}

const struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	size_t i, klen = strlen(key);

	if (map == NULL || map->kind != YN_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i];

		if (k->kind == YN_SCALAR && k->len == klen && memcmp(k->value, key, klen) == 0)
			return map->kids[i + 1];
	}
	return NULL;
}

const struct ynode *
ynode_path(const struct ynode *root, const char *dotted)
{
	const struct ynode *n = root;
	const char *p = dotted, *dot;
	char key[256];
	size_t l;

	while (n != NULL && *p != '\0') {
		dot = strchr(p, '.');
		l = dot ? (size_t)(dot - p) : strlen(p);
		if (l >= sizeof(key))
			return NULL;
		memcpy(key, p, l);
		key[l] = '\0';
		n = ynode_get(n, key);
		p += l;
		if (*p == '.')
			p++;
	}
	return n;
}
