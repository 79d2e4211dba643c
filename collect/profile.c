/* profile.c: the collection profile (YAML, libyaml's document API), sizes and durations. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "cleanup.h"
#include "collect.h"
#include "timeutil.h"

#define PROFILE_MAX (1024 * 1024)

bool
strv_contains(const struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return true;
	return false;
}

void
strv_add(struct strv *s, const char *str)
{
	s->v = xreallocarray(s->v, s->n + 2, sizeof(char *));
	s->v[s->n++] = xstrdup(str);
	s->v[s->n] = NULL;
}

void
strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int
parse_size(const char *s, uint64_t *ret)
{
	/* Binary multiples, any case, with or without B/iB: 20M, 1.5M, 10m, 1g, 500KiB, 2GB. */
	static const struct { const char *sfx; uint64_t mul; } units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", 1024 }, { "kb", 1024 }, { "kib", 1024 },
		{ "m", 1024 * 1024 }, { "mb", 1024 * 1024 }, { "mib", 1024 * 1024 },
		{ "g", 1024ULL * 1024 * 1024 }, { "gb", 1024ULL * 1024 * 1024 }, { "gib", 1024ULL * 1024 * 1024 },
		{ "t", 1024ULL * 1024 * 1024 * 1024 }, { "tb", 1024ULL * 1024 * 1024 * 1024 },
		{ "tib", 1024ULL * 1024 * 1024 * 1024 },
	};
	char *end;
	double v;

	if (s == NULL || !(isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]))))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -EINVAL;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (strcasecmp(end, units[i].sfx) == 0) {
			double b = v * (double)units[i].mul;

			if (b >= 1.8e19)
				return -EINVAL;	/* out of range */
			if (units[i].mul == 1 && b != (double)(uint64_t)b)
				return -EINVAL;	/* a fraction of a byte */
			*ret = (uint64_t)(b + 0.5);
			return 0;
		}
	return -EINVAL;
}

/* Parsing state: the document and where the first error was. */
struct pp {
	yaml_document_t *doc;	/* the loaded document */
	char		*err;	/* first error, "line N: ..." */
};

static void
pp_err(struct pp *p, yaml_node_t *n, const char *fmt, const char *key)
{
	if (p->err == NULL)
		p->err = xasprintf("line %lu: %s '%s'", n ? (unsigned long)n->start_mark.line + 1 : 0UL, fmt, key);
}

static const char *
scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Reads a scalar or a sequence of scalars into out. */
static void
get_list(struct pp *p, yaml_node_t *n, const char *key, struct strv *out)
{
	if (n->type == YAML_SCALAR_NODE) {
		strv_add(out, scalar(n));
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		pp_err(p, n, "expected a list for", key);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(p->doc, *it);
		const char *s = scalar(e);

		if (s == NULL) {
			pp_err(p, e, "expected strings in", key);
			return;
		}
		strv_add(out, s);
	}
}

static void
get_duration(struct pp *p, yaml_node_t *n, const char *key, uint64_t *out)
{
	const char *s = scalar(n);

	if (s == NULL || time_span_parse(s, 1, UINT64_MAX, out) < 0)
		pp_err(p, n, "expected a duration like 30s, 5m or 24h for", key);
}

/* Calls fn for each key/value of a mapping. */
#define FOREACH_PAIR(p, n, k, v)							\
	for (yaml_node_pair_t *_pr_##k = (n)->data.mapping.pairs.start;			\
	     _pr_##k < (n)->data.mapping.pairs.top &&					\
	     ((k) = scalar(yaml_document_get_node((p)->doc, _pr_##k->key)), 		\
	      (v) = yaml_document_get_node((p)->doc, _pr_##k->value), 1); _pr_##k++)

static void
parse_probe(struct pp *p, yaml_node_t *n, struct profile *pr)
{
	struct profile_probe pb = { .default_port = 15443 };
	const char *k;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE) {
		pp_err(p, n, "expected a mapping in", "probes");
		return;
	}
	FOREACH_PAIR(p, n, k, v) {
		const char *s = scalar(v);

		if (k == NULL || s == NULL) {
			pp_err(p, v, "expected a string for", k ? k : "?");
			continue;
		}
		if (strcmp(k, "config") == 0)
			pb.config = xstrdup(s);
		else if (strcmp(k, "host") == 0)
			pb.host_key = xstrdup(s);
		else if (strcmp(k, "port") == 0)
			pb.port_key = xstrdup(s);
		else if (strcmp(k, "origin") == 0)
			pb.origin = xstrdup(s);
		else if (strcmp(k, "env") == 0)
			pb.env = xstrdup(s);
		else if (strcmp(k, "default_port") == 0) {
			char *end;
			unsigned long port = strtoul(s, &end, 10);

			if (*end != '\0' || port == 0 || port > 65535)
				pp_err(p, v, "expected a port number for", k);
			pb.default_port = (unsigned)port;
		} else
			pp_err(p, v, "unknown key in probes:", k);
	}
	if (pb.config == NULL || pb.host_key == NULL) {
		pp_err(p, n, "a probe needs", "config and host");
		free(pb.config), free(pb.host_key), free(pb.port_key), free(pb.origin), free(pb.env);
		return;
	}
	if (pb.origin == NULL)
		pb.origin = xstrdup(pb.host_key);
	pr->probes = xreallocarray(pr->probes, pr->n_probes + 1, sizeof(*pr->probes));
	pr->probes[pr->n_probes++] = pb;
}

static void
parse_top(struct pp *p, yaml_node_t *root, struct profile *pr)
{
	const char *k, *k2;
	yaml_node_t *v, *v2;

	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		pp_err(p, root, "expected a mapping at the top", "");
		return;
	}
	FOREACH_PAIR(p, root, k, v) {
		if (k == NULL) {
			pp_err(p, v, "expected a string key", "");
		} else if (strcmp(k, "name") == 0) {
			/* informative only */
		} else if (strcmp(k, "units") == 0) {
			get_list(p, v, k, &pr->units);
		} else if (strcmp(k, "resolver") == 0) {
			get_list(p, v, k, &pr->resolver);
		} else if (strcmp(k, "config") == 0 && v->type == YAML_MAPPING_NODE) {
			FOREACH_PAIR(p, v, k2, v2) {
				if (k2 && strcmp(k2, "expect") == 0)
					get_list(p, v2, k2, &pr->config_expect);
				else if (k2 && strcmp(k2, "include") == 0)
					get_list(p, v2, k2, &pr->config_include);
				else if (k2 && strcmp(k2, "secret") == 0)
					get_list(p, v2, k2, &pr->secret_globs);
				else if (k2 && strcmp(k2, "secret_names") == 0)
					get_list(p, v2, k2, &pr->secret_names);
				else if (k2 && strcmp(k2, "env") == 0)
					get_list(p, v2, k2, &pr->env);
				else
					pp_err(p, v2, "unknown key in config:", k2 ? k2 : "?");
			}
		} else if (strcmp(k, "probes") == 0 && v->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
				parse_probe(p, yaml_document_get_node(p->doc, *it), pr);
		} else if (strcmp(k, "journal") == 0 && v->type == YAML_MAPPING_NODE) {
			FOREACH_PAIR(p, v, k2, v2) {
				if (k2 && strcmp(k2, "window") == 0)
					get_duration(p, v2, k2, &pr->window_usec);
				else
					pp_err(p, v2, "unknown key in journal:", k2 ? k2 : "?");
			}
		} else if (strcmp(k, "budget") == 0 && v->type == YAML_MAPPING_NODE) {
			FOREACH_PAIR(p, v, k2, v2) {
				if (k2 && strcmp(k2, "max_size") == 0) {
					if (scalar(v2) == NULL || parse_size(scalar(v2), &pr->max_size) < 0)
						pp_err(p, v2, "expected a size like 50M for", k2);
				} else
					pp_err(p, v2, "unknown key in budget:", k2 ? k2 : "?");
			}
		} else if (strcmp(k, "timeouts") == 0 && v->type == YAML_MAPPING_NODE) {
			FOREACH_PAIR(p, v, k2, v2) {
				if (k2 && strcmp(k2, "bus") == 0)
					get_duration(p, v2, k2, &pr->bus_timeout_usec);
				else if (k2 && strcmp(k2, "probe") == 0)
					get_duration(p, v2, k2, &pr->probe_timeout_usec);
				else if (k2 && strcmp(k2, "source") == 0)
					get_duration(p, v2, k2, &pr->source_timeout_usec);
				else if (k2 && strcmp(k2, "run") == 0)
					get_duration(p, v2, k2, &pr->run_timeout_usec);
				else
					pp_err(p, v2, "unknown key in timeouts:", k2 ? k2 : "?");
			}
		} else {
			pp_err(p, v, "unknown or malformed key", k);
		}
	}
}

int
profile_parse(const char *text, size_t len, const char *name, struct profile **ret, char **errmsg)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct profile *pr;
	struct pp p = { .doc = &doc };

	if (len > PROFILE_MAX) {
		*errmsg = xstrdup("larger than 1 MiB");
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&parser)) {
		*errmsg = xstrdup("cannot initialise the YAML parser");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		*errmsg = xasprintf("line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "not valid YAML");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	pr = xcalloc(1, sizeof(*pr));
	pr->name = xstrdup(name);
	pr->window_usec = 24 * 3600 * USEC_PER_SEC;
	pr->max_size = 50ULL * 1024 * 1024;
	pr->bus_timeout_usec = 5 * USEC_PER_SEC;
	pr->probe_timeout_usec = 5 * USEC_PER_SEC;
	pr->source_timeout_usec = 120 * USEC_PER_SEC;
	pr->run_timeout_usec = 300 * USEC_PER_SEC;
	parse_top(&p, yaml_document_get_root_node(&doc), pr);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (p.err) {
		*errmsg = p.err;
		profile_free(pr);
		return -EINVAL;
	}
	*ret = pr;
	return 0;
}

void
profile_free(struct profile *pr)
{
	if (pr == NULL)
		return;
	free(pr->name);
	strv_free(&pr->units);
	strv_free(&pr->config_expect);
	strv_free(&pr->config_include);
	strv_free(&pr->secret_globs);
	strv_free(&pr->secret_names);
	strv_free(&pr->resolver);
	strv_free(&pr->env);
	for (size_t i = 0; i < pr->n_probes; i++) {
		free(pr->probes[i].config);
		free(pr->probes[i].host_key);
		free(pr->probes[i].port_key);
		free(pr->probes[i].origin);
		free(pr->probes[i].env);
	}
	free(pr->probes);
	free(pr);
}
