/* redact_yaml.c: structure-aware YAML (and JSON) redaction on libyaml's event stream; aliases stay aliases. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "cleanup.h"
#include "redact.h"
#include "secretpat.h"
#include "xalloc.h"


/* One open collection. */
struct ylevel {
	bool		 map;		/* a mapping (else a sequence) */
	bool		 expect_key;	/* mapping: the next node is a key */
	bool		 blanket;	/* every scalar inside is a secret */
	const char	*bkind;		/* kind for blanket redaction */
	bool		 pair;		/* {name: <secret-like>, value: ...}: "value" is secret */
	enum key_class	 pair_kc;	/* class of that name */
	const char	*pair_kind;	/* kind of that name */
	enum key_class	 kc;		/* mapping: class of the current key */
	const char	*kind;		/* its kind */
	bool		 key_is_value;	/* the current key is "value" */
	bool		 key_is_name;	/* the current key is "name" or "key" (dry pass) */
	enum key_class	 name_kc;	/* dry pass: class of this mapping's name/key value */
	const char	*name_kind;	/* its kind */
	size_t		 ordinal;	/* mapping: its number in document order */
	int32_t		 anchor;	/* dry pass: index of this collection's anchor, or -1 */
	const char	*flag_kind;	/* sequence: the previous item was a secret flag */
	bool		 flow;		/* written in flow style ({...} or [...]): JSON-shaped */
	char		*key;		/* mapping: the current key's text, or NULL */
	char		*name_val;	/* mapping: its name:/key: member's value (an env pair's name) */
};

/* An anchor name, and the anchors aliased inside its node (dry pass). */
struct anchor {
	char		*name;		/* the anchor */
	int32_t		*kids;		/* anchors aliased within its node */
	size_t		 nkids;		/* used entries of kids */
	size_t		 capkids;	/* allocated entries of kids */
	bool		 marked;	/* its node must be redacted */
};

/* A mapping {name: X, value: Y} whose X is secret-like. */
struct pairinfo {
	enum key_class	 kc;		/* class of X, KEY_NONE if not a secret pair */
	const char	*kind;		/* kind of X */
	char		*name;		/* X itself, or NULL */
};

/* What the node about to come is. */
struct nodectx {
	bool		 is_key;	/* a mapping key */
	bool		 secret;	/* its scalars are secrets (subject to kc's rule) */
	enum key_class	 kc;		/* how sure */
	const char	*kind;		/* marker kind */
	const char	*rule;		/* rule name for the counts */
	bool		 blanket;	/* a collection here is secret throughout */
};

struct ystate {
	struct redactor	*r;
	redact_counts	*counts;
	bool		 dry;		/* settling pass: no output */
	bool		 json;		/* input was JSON: write block style */
	bool		 deny;		/* default-deny: keep only what the schema or a shape allows */
	yaml_emitter_t	*em;		/* output (not dry) */
	struct ylevel	*lv;		/* open collections */
	size_t		 depth;		/* used entries of lv */
	size_t		 caplv;		/* allocated entries of lv */
	size_t		 nmaps;		/* mappings started so far */
	struct pairinfo	*pairs;		/* per mapping, from the dry pass: is it a secret pair */
	size_t		 cappairs;	/* allocated entries of pairs */
	struct anchor	*anchors;	/* every anchor name seen */
	size_t		 nanchors;	/* used entries of anchors */
	size_t		 capanchors;	/* allocated entries of anchors */
	int32_t		*ahash;		/* open-addressing index into anchors, -1 free */
	size_t		 ahsize;	/* entries of ahash, a power of two */
	size_t		 aliases;	/* alias nodes seen */
	char		*error;		/* "line N: problem" */
};


static uint32_t
name_hash(const char *n)
{
	uint32_t h = 2166136261u;

	while (*n != '\0')
		h = (h ^ (unsigned char)*n++) * 16777619u;
	return h;
}

/* The index of anchor name, created when create is set; -1 if absent. */
static int32_t
anchor_get(struct ystate *st, const yaml_char_t *name, bool create)
{
	size_t mask, i;

	if (name == NULL || st->ahsize == 0) {
		if (name == NULL || !create)
			return -1;
		st->ahsize = 64;
		st->ahash = xmalloc(st->ahsize * sizeof(*st->ahash));
		memset(st->ahash, 0xff, st->ahsize * sizeof(*st->ahash));
	}
	mask = st->ahsize - 1;
	for (i = name_hash((const char *)name) & mask; st->ahash[i] >= 0; i = (i + 1) & mask)
		if (strcmp(st->anchors[st->ahash[i]].name, (const char *)name) == 0)
			return st->ahash[i];
	if (!create)
		return -1;
	if (st->nanchors == st->capanchors) {
		st->capanchors = st->capanchors ? st->capanchors * 2 : 16;
		st->anchors = xreallocarray(st->anchors, st->capanchors, sizeof(*st->anchors));
	}
	st->anchors[st->nanchors] = (struct anchor){ .name = xstrdup((const char *)name) };
	st->ahash[i] = (int32_t)st->nanchors++;
	if (st->nanchors * 2 > st->ahsize) {
		size_t j;

		st->ahsize *= 2;
		free(st->ahash);
		st->ahash = xmalloc(st->ahsize * sizeof(*st->ahash));
		memset(st->ahash, 0xff, st->ahsize * sizeof(*st->ahash));
		mask = st->ahsize - 1;
		for (j = 0; j < st->nanchors; j++) {
			for (i = name_hash(st->anchors[j].name) & mask; st->ahash[i] >= 0;
			    i = (i + 1) & mask)
				;
			st->ahash[i] = (int32_t)j;
		}
	}
	return (int32_t)st->nanchors - 1;
}

static bool
is_marked(struct ystate *st, const yaml_char_t *anchor)
{
	int32_t a = anchor_get(st, anchor, false);

	return a >= 0 && st->anchors[a].marked;
}

/* Marks every anchor aliased, directly or not, inside a marked one. */
static void
close_marks(struct ystate *st)
{
	int32_t *stack = xreallocarray(NULL, st->nanchors + 1, sizeof(*stack));
	size_t n = 0, i, k;
	bool *seen = xcalloc(st->nanchors + 1, sizeof(*seen));

	for (i = 0; i < st->nanchors; i++)
		if (st->anchors[i].marked) {
			stack[n++] = (int32_t)i;
			seen[i] = true;
		}
	while (n > 0) {
		struct anchor *a = &st->anchors[stack[--n]];

		a->marked = true;
		for (k = 0; k < a->nkids; k++)
			if (!seen[a->kids[k]]) {
				seen[a->kids[k]] = true;
				stack[n++] = a->kids[k];
			}
	}
	free(seen);
	free(stack);
}

static void
node_ctx(struct ystate *st, const yaml_char_t *anchor, struct nodectx *nc)
{
	const struct ylevel *top = st->depth > 0 ? &st->lv[st->depth - 1] : NULL;

	memset(nc, 0, sizeof(*nc));
	if (top != NULL && top->map && top->expect_key) {
		nc->is_key = true;
	} else if (top != NULL && top->blanket) {
		nc->secret = true;
		nc->kc = KEY_STRONG;
		nc->kind = top->bkind;
		nc->rule = "yaml-key";
	} else if (top != NULL && top->map && top->pair && top->key_is_value) {
		nc->secret = true;
		nc->kc = top->pair_kc;
		nc->kind = top->pair_kind;
		nc->rule = "yaml-name-value";
	} else if (top != NULL && top->map && top->kc != KEY_NONE) {
		nc->secret = true;
		nc->kc = top->kc;
		nc->kind = top->kind;
		nc->rule = "yaml-key";
	} else if (top != NULL && !top->map && top->flag_kind != NULL) {
		nc->secret = true;
		nc->kc = KEY_STRONG;
		nc->kind = top->flag_kind;
		nc->rule = "yaml-arg";
	}
	if (!nc->is_key && is_marked(st, anchor)) {
		if (!nc->secret || nc->kc < KEY_MEDIUM) {
			nc->kc = KEY_STRONG;
			nc->kind = nc->kind != NULL ? nc->kind : "secret";
		}
		nc->secret = true;
		nc->rule = "yaml-anchor";
	}
	nc->blanket = nc->secret && nc->kc >= KEY_MEDIUM;
}

/* After a whole node (scalar, alias or collection) under the top level. */
static void
node_done(struct ystate *st)
{
	struct ylevel *top;

	if (st->depth == 0)
		return;
	top = &st->lv[st->depth - 1];
	if (top->map) {
		if (top->expect_key) {
			top->expect_key = false;
		} else {
			top->expect_key = true;
			free(top->key);
			top->key = NULL;
			top->kc = KEY_NONE;
			top->kind = NULL;
			top->key_is_value = top->key_is_name = false;
		}
	} else
		top->flag_kind = NULL;
}

static bool
emit(struct ystate *st, yaml_event_t *ev)
{
	if (st->dry) {
		yaml_event_delete(ev);
		return true;
	}
	if (!yaml_emitter_emit(st->em, ev)) {
		st->error = xasprintf("cannot write YAML: %s",
		    st->em->problem != NULL ? st->em->problem : "emitter error");
		return false;
	}
	return true;
}

/* Replaces a scalar event's value (the anchor stays; a redacted value loses its tag). */
static bool
emit_scalar(struct ystate *st, yaml_event_t *ev, const char *val, size_t len, bool redacted)
{
	yaml_event_t ne;
	yaml_scalar_style_t style = ev->data.scalar.style;
	int ok;

	if (redacted && style != YAML_SINGLE_QUOTED_SCALAR_STYLE &&
	    style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		style = YAML_PLAIN_SCALAR_STYLE;
	/* In a flow collection (a JSON file kept as it was written) a marker in place of null, a
	 * number or a boolean is a double-quoted string, so the file stays JSON as well as YAML. */
	if (redacted && st->depth > 0 && st->lv[st->depth - 1].flow)
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	ok = yaml_scalar_event_initialize(&ne, ev->data.scalar.anchor,
	    redacted ? NULL : ev->data.scalar.tag, (yaml_char_t *)val, (int)len,
	    redacted ? 1 : ev->data.scalar.plain_implicit,
	    redacted ? 1 : ev->data.scalar.quoted_implicit, style);
	yaml_event_delete(ev);
	if (!ok) {
		st->error = xstrdup("cannot write YAML: out of memory");
		return false;
	}
	return emit(st, &ne);
}

static bool
scalar_eq(const yaml_event_t *ev, const char *w)
{
	return ev->data.scalar.length == strlen(w) &&
	    strncasecmp((const char *)ev->data.scalar.value, w, ev->data.scalar.length) == 0;
}

/* JSON strings that read the same as a plain YAML scalar lose their quotes. */
static void
json_plain(yaml_event_t *ev)
{
	static const char *const special[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
	};
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length, i;

	if (ev->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE || len == 0 || len > 256 ||
	    !(isalpha((unsigned char)v[0]) || v[0] == '_'))
		return;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("_.-/", v[i]) == NULL)
			return;
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strlen(special[i]) == len && strncasecmp(v, special[i], len) == 0)
			return;
	ev->data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
	ev->data.scalar.plain_implicit = 1;
}

/*
 * A key that reads as a name, not as a secret: up to four words joined by '_', '-',
 * '.' or a camelCase break, each letters (the first lowercase unless the key is
 * ALL_CAPS) with at most two digits at its end: clientId, dd_service, X-Api-Key,
 * DB_HOST, v2, --token.  Used for the keys of a mapping under a secret-like key.
 */
static bool
key_word(const char *v, size_t n)
{
	size_t i = 0, words = 0;
	bool upper = true;

	while (n > 1 && v[0] == '-' && i < 2)	/* a flag as a key: --token */
		v++, n--, i++;
	if (n == 0 || n > 40)
		return false;
	for (i = 0; i < n; i++)
		if (islower((unsigned char)v[i]))
			upper = false;
	i = 0;
	while (i < n) {
		size_t letters = 0, digits = 0;

		if (v[i] == '_' || v[i] == '-' || v[i] == '.')
			i++;
		if (i < n && isupper((unsigned char)v[i]) && !upper) {
			i++;
			letters++;
		}
		while (i < n && (upper ? isupper((unsigned char)v[i]) : islower((unsigned char)v[i]))) {
			i++;
			letters++;
		}
		while (i < n && isdigit((unsigned char)v[i])) {
			i++;
			digits++;
		}
		if (letters == 0 || digits > 2 || ++words > 4)
			return false;
		if (i < n && !(v[i] == '_' || v[i] == '-' || v[i] == '.' || (!upper && isupper((unsigned char)v[i]))))
			return false;
	}
	return true;
}

/* The place of the node about to come: "/a/-/b" (keys joined by '/', '-' a sequence item). */
static void
node_path(const struct ystate *st, struct buf *b, const char **key)
{
	buf_reset(b);
	buf_adds(b, "");
	*key = NULL;
	for (size_t d = 0; d < st->depth; d++) {
		const struct ylevel *l = &st->lv[d];

		if (l->map) {
			buf_addc(b, '/');
			for (const char *c = l->key ? l->key : "?"; *c; c++)
				buf_addc(b, *c == '/' ? '_' : *c);
			*key = l->key;
		} else
			buf_adds(b, "/-");
	}
}

/* Default-deny for a value scalar: NULL when it stays, else its replacement. */
static char *
deny_scalar(struct ystate *st, const struct nodectx *nc, const char *v, size_t len)
{
	struct buf path = { 0 };
	const char *key;
	char *rep;

	node_path(st, &path, &key);
	if (st->depth > 0) {
		const struct ylevel *top = &st->lv[st->depth - 1];

		/* {name: X, value: V}: V is judged under X's name */
		if (top->map && top->name_val != NULL && top->key != NULL &&
		    strcasecmp(top->key, "value") == 0)
			key = top->name_val;
	}
	if (nc->secret)
		rep = redact_deny_secret(st->r, path.data, nc->kc, nc->kind, v, len, st->counts);
	else
		rep = redact_deny_value(st->r, path.data, key, key ? strlen(key) : 0, v, len, st->counts);
	buf_free(&path);
	return rep;
}

static bool
on_scalar(struct ystate *st, yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct ylevel *top = st->depth > 0 ? &st->lv[st->depth - 1] : NULL;
	struct nodectx nc;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	const char *flag_kind = NULL, *m;

	if (st->json)
		json_plain(ev);
	node_ctx(st, ev->data.scalar.anchor, &nc);
	if (nc.is_key) {
		free(top->key);
		top->key = xstrndup(v, len);
		top->kc = secretpat_key_class(v, len, &top->kind);
		top->key_is_value = scalar_eq(ev, "value");
		top->key_is_name = scalar_eq(ev, "name") || scalar_eq(ev, "key");
		/* a key inside a secret mapping (apiKeys: {KEY: service-a}) may be the secret itself */
		if (!st->dry && st->deny && top->blanket && !key_word(v, len)) {
			m = redact_value(st->r, top->bkind != NULL ? top->bkind : "secret", v, len);
			redact_count(st->counts, "yaml-mapping-key");
			node_done(st);
			return emit_scalar(st, ev, m, strlen(m), true);
		}
	} else if (top != NULL && top->map && top->key_is_name) {
		enum key_class c = secretpat_key_class(v, len, &top->name_kind);

		if (st->dry && top->name_val == NULL)
			top->name_val = xstrndup(v, len);

		if (c != KEY_NONE)
			top->name_kc = c;
	}
	if (top != NULL && !top->map && !nc.secret && !secretpat_is_secret_flag(v, len, &flag_kind))
		flag_kind = NULL;

	(void)plain;
	(void)m;
	if (!nc.is_key && !st->dry && st->deny) {
		/* default-deny: kept only by the schema or a harmless shape */
		_cleanup_free_ char *rep = deny_scalar(st, &nc, v, len);

		node_done(st);
		if (top != NULL && !top->map)
			top->flag_kind = rep == NULL ? flag_kind : NULL;
		if (rep != NULL)
			return emit_scalar(st, ev, rep, strlen(rep), true);
		goto patterns;
	}
	if (!nc.is_key && nc.secret && !(plain && secretpat_value_trivial(v, len)) &&
	    (len > 0 || !plain) && secretpat_value_wanted(nc.kc, v, len, false)) {
		node_done(st);
		if (st->dry) {
			yaml_event_delete(ev);
			return true;
		}
		m = redact_value(st->r, nc.kind, v, len);
		redact_count(st->counts, nc.rule);
		return emit_scalar(st, ev, m, strlen(m), true);
	}
	/* not secret by position: the text patterns still apply */
	node_done(st);
	if (top != NULL && !top->map)
		top->flag_kind = flag_kind;
patterns:
	if (!st->dry && len > 0 && redact_text_maybe(v, len)) {
		_cleanup_free_ char *out = NULL;
		size_t outlen;

		redact_text(st->r, v, len, &out, &outlen, st->counts);
		if (outlen != len || memcmp(out, v, len) != 0)
			return emit_scalar(st, ev, out, outlen, false);
	}
	return emit(st, ev);
}

static bool
on_alias(struct ystate *st, yaml_event_t *ev)
{
	struct nodectx nc;

	node_ctx(st, NULL, &nc);
	if (++st->aliases > REDACT_YAML_MAX_ALIASES) {
		st->error = xasprintf("line %zu: more than %d aliases", ev->start_mark.line + 1,
		    REDACT_YAML_MAX_ALIASES);
		yaml_event_delete(ev);
		return false;
	}
	if (st->depth > 0 && st->lv[st->depth - 1].map && st->lv[st->depth - 1].key_is_name &&
	    !nc.is_key)
		st->lv[st->depth - 1].name_kc = KEY_STRONG;	/* {name: *x, ...}: assume the worst */
	if (st->dry) {
		int32_t a = anchor_get(st, ev->data.alias.anchor, true);
		size_t d;

		if (!nc.is_key && nc.secret)
			st->anchors[a].marked = true;
		/* every open anchored collection contains this alias */
		for (d = 0; d < st->depth; d++) {
			struct anchor *o;

			if (st->lv[d].anchor < 0 || st->lv[d].anchor == a)
				continue;
			o = &st->anchors[st->lv[d].anchor];
			if (o->nkids > 0 && o->kids[o->nkids - 1] == a)
				continue;
			if (o->nkids == o->capkids) {
				o->capkids = o->capkids ? o->capkids * 2 : 4;
				o->kids = xreallocarray(o->kids, o->capkids, sizeof(*o->kids));
			}
			o->kids[o->nkids++] = a;
		}
	}
	node_done(st);
	return emit(st, ev);
}

static bool
on_start(struct ystate *st, yaml_event_t *ev, bool map)
{
	const yaml_char_t *anchor = map ? ev->data.mapping_start.anchor :
	    ev->data.sequence_start.anchor;
	struct nodectx nc;
	struct ylevel *l;
	const struct ylevel *top;

	if (st->depth >= REDACT_YAML_MAX_DEPTH) {
		st->error = xasprintf("line %zu: nesting deeper than %d levels",
		    ev->start_mark.line + 1, REDACT_YAML_MAX_DEPTH);
		yaml_event_delete(ev);
		return false;
	}
	node_ctx(st, anchor, &nc);
	if (st->depth == st->caplv) {
		st->caplv = st->caplv ? st->caplv * 2 : 16;
		st->lv = xreallocarray(st->lv, st->caplv, sizeof(*st->lv));
	}
	top = st->depth > 0 ? &st->lv[st->depth - 1] : NULL;
	l = &st->lv[st->depth];
	memset(l, 0, sizeof(*l));
	l->anchor = st->dry ? anchor_get(st, anchor, anchor != NULL) : -1;
	l->map = map;
	l->expect_key = map;
	l->flow = !st->json && (map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE :
	    ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE);
	l->blanket = nc.blanket || (top != NULL && top->blanket && !nc.is_key);
	l->bkind = nc.kind != NULL ? nc.kind : (top != NULL ? top->bkind : NULL);
	if (l->blanket && l->bkind == NULL)
		l->bkind = "secret";
	if (map) {
		l->ordinal = st->nmaps++;
		if (!st->dry && l->ordinal < st->cappairs && st->pairs[l->ordinal].name != NULL)
			l->name_val = xstrdup(st->pairs[l->ordinal].name);
		if (!st->dry && l->ordinal < st->cappairs && st->pairs[l->ordinal].kc != KEY_NONE) {
			l->pair = true;
			l->pair_kc = st->pairs[l->ordinal].kc;
			l->pair_kind = st->pairs[l->ordinal].kind;
		}
	}
	st->depth++;
	if (st->json) {
		if (map)
			ev->data.mapping_start.style = YAML_BLOCK_MAPPING_STYLE;
		else
			ev->data.sequence_start.style = YAML_BLOCK_SEQUENCE_STYLE;
	}
	return emit(st, ev);
}

static bool
on_end(struct ystate *st, yaml_event_t *ev)
{
	struct ylevel *l = &st->lv[st->depth - 1];

	if (st->dry && l->map) {
		if (l->ordinal >= st->cappairs) {
			size_t n = st->cappairs ? st->cappairs : 64;

			while (n <= l->ordinal)
				n *= 2;
			st->pairs = xreallocarray(st->pairs, n, sizeof(*st->pairs));
			memset(st->pairs + st->cappairs, 0, (n - st->cappairs) * sizeof(*st->pairs));
			st->cappairs = n;
		}
		st->pairs[l->ordinal].kc = l->name_kc;
		st->pairs[l->ordinal].kind = l->name_kind != NULL ? l->name_kind : "secret";
		free(st->pairs[l->ordinal].name);
		st->pairs[l->ordinal].name = TAKE_PTR(l->name_val);
	}
	free(l->key);
	l->key = NULL;
	free(l->name_val);
	l->name_val = NULL;
	st->depth--;
	node_done(st);
	return emit(st, ev);
}

/* Adds the numbers of from into to (json_object_update() would replace them). */
static void
merge_counts(redact_counts *to, redact_counts *from)
{
	const char *k;
	json_t *v, *old;

	json_object_foreach(from, k, v) {
		old = json_object_get(to, k);
		json_object_set_new(to, k, json_integer(json_integer_value(v) +
		    (old != NULL ? json_integer_value(old) : 0)));
	}
}

static int
yaml_write(void *data, unsigned char *buffer, size_t size)
{
	buf_add(data, buffer, size);
	return 1;
}

/* One pass over the input: dry (settle anchors and pairs) or emitting. */
static bool
run_pass(struct ystate *st, const char *in, size_t len, struct buf *out)
{
	yaml_parser_t parser;
	yaml_emitter_t emitter;
	bool ok = true, done = false;

	for (size_t d = 0; d < st->depth; d++) {
		free(st->lv[d].key);
		st->lv[d].key = NULL;
		free(st->lv[d].name_val);
		st->lv[d].name_val = NULL;
	}
	st->depth = 0;
	st->nmaps = 0;
	st->aliases = 0;
	if (!yaml_parser_initialize(&parser)) {
		st->error = xstrdup("out of memory");
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)in, len);
	if (!st->dry) {
		if (!yaml_emitter_initialize(&emitter)) {
			yaml_parser_delete(&parser);
			st->error = xstrdup("out of memory");
			return false;
		}
		yaml_emitter_set_output(&emitter, yaml_write, out);
		yaml_emitter_set_unicode(&emitter, 1);
		yaml_emitter_set_width(&emitter, -1);
		yaml_emitter_set_indent(&emitter, 2);
		st->em = &emitter;
	}
	while (ok && !done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.context != NULL)
				st->error = xasprintf("line %zu: %s %s", parser.problem_mark.line + 1,
				    parser.problem != NULL ? parser.problem : "syntax error",
				    parser.context);
			else
				st->error = xasprintf("line %zu: %s", parser.problem_mark.line + 1,
				    parser.problem != NULL ? parser.problem : "syntax error");
			ok = false;
			break;
		}
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			ok = on_scalar(st, &ev);
			break;
		case YAML_ALIAS_EVENT:
			ok = on_alias(st, &ev);
			break;
		case YAML_MAPPING_START_EVENT:
			ok = on_start(st, &ev, true);
			break;
		case YAML_SEQUENCE_START_EVENT:
			ok = on_start(st, &ev, false);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			ok = on_end(st, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			ok = emit(st, &ev);
			break;
		default:
			ok = emit(st, &ev);
			break;
		}
	}
	if (!st->dry) {
		if (ok && !yaml_emitter_flush(&emitter)) {
			st->error = xstrdup("cannot write YAML");
			ok = false;
		}
		yaml_emitter_delete(&emitter);
		st->em = NULL;
	}
	yaml_parser_delete(&parser);
	return ok;
}

/* Parses text fully without output; true when it is well-formed YAML. */
static bool
parses(const char *in, size_t len)
{
	yaml_parser_t parser;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&parser))
		return false;
	yaml_parser_set_input_string(&parser, (const unsigned char *)in, len);
	while (!done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			ok = false;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ok;
}

/* ---- default-deny for YAML that does not parse: line by line ---- */

static void deny_region(struct redactor *, struct buf *, const char *, size_t, size_t, const char *,
    size_t, redact_counts *, int);

/* The end of a flow item starting at p (a top-level ',' or the closing bracket), quotes respected. */
static size_t
flow_item_end(const char *in, size_t p, size_t e)
{
	int depth = 0;
	char q = 0;

	for (; p < e; p++) {
		char c = in[p];

		if (q != 0) {
			if (c == '\\' && q == '"' && p + 1 < e)
				p++;
			else if (c == q)
				q = 0;
		} else if (c == '"' || c == '\'')
			q = c;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth-- == 0)
			return p;
		else if (c == ',' && depth == 0)
			return p;
	}
	return e;
}

/* A "key:" at p (plain or quoted key, then ':' and a blank or the end): the offset after ':'. */
static size_t
key_colon(const char *in, size_t p, size_t e, size_t *ks, size_t *ke)
{
	size_t q = p;

	if (q < e && (in[q] == '"' || in[q] == '\'')) {
		char c = in[q++];

		*ks = q;
		while (q < e && in[q] != c)
			q++;
		*ke = q;
		if (q >= e)
			return 0;
		q++;
	} else {
		*ks = q;
		while (q < e && in[q] != ':' && in[q] != '{' && in[q] != '[' && in[q] != ',' &&
		    in[q] != '"' && in[q] != '\'' && in[q] != '#')
			q++;
		*ke = q;
		while (*ke > *ks && (in[*ke - 1] == ' ' || in[*ke - 1] == '\t'))
			(*ke)--;
	}
	if (q < e && in[q] == ':' && (q + 1 == e || in[q + 1] == ' ' || in[q + 1] == '\t') && *ke > *ks)
		return q + 1;
	return 0;
}

/* One value region [s, e): a flow collection, "key: value", or one scalar. */
static void
deny_region(struct redactor *r, struct buf *b, const char *in, size_t s, size_t e, const char *key,
    size_t keylen, redact_counts *counts, int depth)
{
	size_t ks, ke, v;

	while (s < e && (in[s] == ' ' || in[s] == '\t'))
		buf_addc(b, in[s++]);
	while (e > s && (in[e - 1] == ' ' || in[e - 1] == '\t' || in[e - 1] == '\r'))
		e--;
	if (s >= e)
		return;
	if (depth < 32 && (in[s] == '{' || in[s] == '[')) {
		size_t p = s + 1;

		buf_addc(b, in[s]);
		while (p < e) {
			size_t q = flow_item_end(in, p, e);

			deny_region(r, b, in, p, q, key, keylen, counts, depth + 1);
			if (q < e)
				buf_addc(b, in[q]);
			p = q + 1;
		}
		return;
	}
	if (depth < 32 && (v = key_colon(in, s, e, &ks, &ke)) != 0) {
		buf_add(b, in + s, v - s);
		deny_region(r, b, in, v, e, in + ks, ke - ks, counts, depth + 1);
		return;
	}
	{
		size_t vs = s, ve = e;
		_cleanup_free_ char *rep = NULL;
		char q = 0;

		if (ve - vs >= 2 && (in[vs] == '"' || in[vs] == '\'') && in[ve - 1] == in[vs]) {
			q = in[vs];
			vs++;
			ve--;
		} else if (in[vs] == '"' || in[vs] == '\'') {
			q = in[vs];	/* an open quote: the value runs to the end */
			vs++;
		}
		if (vs < ve && (in[vs] == '&' || in[vs] == '*' || in[vs] == '!' || in[vs] == '|' ||
		    in[vs] == '>')) {
			/* an anchor, alias, tag or block indicator: judge what follows it */
			size_t w = vs;

			while (w < ve && in[w] != ' ')
				w++;
			if (w >= ve && (in[vs] == '*' || in[vs] == '|' || in[vs] == '>')) {
				buf_add(b, in + s, e - s);
				return;
			}
			if (w < ve) {
				buf_add(b, in + s, w - s);
				deny_region(r, b, in, w, e, key, keylen, counts, depth + 1);
				return;
			}
		}
		rep = redact_deny_value(r, NULL, key, keylen, in + vs, ve - vs, counts);
		if (rep == NULL) {
			buf_add(b, in + s, e - s);
			return;
		}
		buf_addc(b, q ? q : '"');
		buf_adds(b, rep);
		buf_addc(b, q ? q : '"');
	}
}

static void
fallback_deny(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts)
{
	struct buf b = { 0 };
	size_t p = 0, midlen;
	_cleanup_free_ char *mid = NULL;

	buf_grow(&b, len + 64);
	while (p < len) {
		const char *nl = memchr(in + p, '\n', len - p);
		size_t e = nl != NULL ? (size_t)(nl - in) : len, q = p;

		while (q < e && (in[q] == ' ' || (in[q] == '-' && q + 1 < e && in[q + 1] == ' ') ||
		    (in[q] == '-' && q + 1 == e)))
			q++;
		buf_add(&b, in + p, q - p);
		if (q < e && in[q] == '#') {
			buf_addc(&b, '#');	/* a comment: its words go */
			redact_count(counts, "comments");
		} else if (e - q >= 3 && (memcmp(in + q, "---", 3) == 0 || memcmp(in + q, "...", 3) == 0))
			buf_add(&b, in + q, e - q);
		else if (q < e && in[q] == '%')
			buf_add(&b, in + q, e - q);
		else {
			/* a trailing comment after a blank goes too */
			size_t c = q, end = e;
			char qq = 0;

			for (; c < e; c++) {
				if (qq) {
					if (in[c] == qq)
						qq = 0;
				} else if (in[c] == '"' || in[c] == '\'')
					qq = in[c];
				else if (in[c] == '#' && c > q && (in[c - 1] == ' ' || in[c - 1] == '\t')) {
					end = c;
					break;
				}
			}
			deny_region(r, &b, in, q, end, NULL, 0, counts, 0);
			if (end < e)
				buf_addc(&b, '#');
		}
		if (nl != NULL)
			buf_addc(&b, '\n');
		p = e + 1;
	}
	mid = buf_steal(&b, &midlen);
	redact_text(r, mid, midlen, out, outlen, counts);
}

static int
redact_structured(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts, char **parse_error, bool json)
{
	struct ystate st = { .r = r, .counts = counts, .json = json, .deny = true };
	struct buf b = { 0 };
	_cleanup_free_ char *emitted = NULL;
	size_t emittedlen, i;
	bool ok = true;
	json_t *scratch = NULL;

	if (parse_error != NULL)
		*parse_error = NULL;
	if (len > REDACT_YAML_MAX_BYTES) {
		st.error = xasprintf("input is %zu bytes, more than the %u MiB limit; redacted as text",
		    len, REDACT_YAML_MAX_BYTES >> 20);
		ok = false;
	}
	/* a dry pass: which mappings are secret pairs, which anchors hold secrets */
	if (ok) {
		st.dry = true;
		ok = run_pass(&st, in, len, NULL);
		close_marks(&st);
	}
	if (ok) {
		/* counts only from the real pass, and only if it succeeds */
		scratch = json_object();
		st.dry = false;
		st.counts = scratch;
		ok = run_pass(&st, in, len, &b);
	}
	if (ok) {
		_cleanup_free_ char *final = NULL;
		size_t finallen;

		emitted = buf_steal(&b, &emittedlen);
		/* the pattern rules once more over the written text, as the leak check reads it */
		redact_text(r, emitted, emittedlen, &final, &finallen, scratch);
		if ((finallen != emittedlen || memcmp(final, emitted, emittedlen) != 0) &&
		    !parses(final, finallen)) {
			st.error = xstrdup("redacted output does not parse; redacted as text");
			ok = false;
		} else {
			/* comments dropped count as redactions too ("comments": N) */
			if (!json) {
				unsigned nc = redact_yaml_comment_count(in, len);

				if (nc > 0)
					json_object_set_new(scratch, "comments", json_integer(nc));
			}
			if (counts != NULL)
				merge_counts(counts, scratch);
			*out = TAKE_PTR(final);
			if (outlen != NULL)
				*outlen = finallen;
		}
	}
	json_decref(scratch);
	buf_free(&b);
	for (i = 0; i < st.depth; i++) {
		free(st.lv[i].key);
		free(st.lv[i].name_val);
	}
	free(st.lv);
	for (i = 0; i < st.cappairs; i++)
		free(st.pairs[i].name);
	free(st.pairs);
	for (i = 0; i < st.nanchors; i++) {
		free(st.anchors[i].name);
		free(st.anchors[i].kids);
	}
	free(st.anchors);
	free(st.ahash);
	if (ok) {
		free(st.error);
		return 0;
	}
	fallback_deny(r, in, len, out, outlen, counts);
	if (parse_error != NULL)
		*parse_error = st.error;
	else
		free(st.error);
	return 1;
}

/*
 * Redacts YAML through libyaml's events: secret-like keys, {name, value}
 * pairs, secret flags in argument lists, anchors of secrets; comments are
 * dropped.  0, or 1 with *parse_error when it fell back to the text rules.
 */
int
redact_yaml(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts, char **parse_error)
{
	return redact_structured(r, in, len, out, outlen, counts, parse_error, false);
}

/* JSON read by libyaml (JSON is nearly YAML), written as block-style YAML. */
int
redact_json_config(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts, char **parse_error)
{
	return redact_structured(r, in, len, out, outlen, counts, parse_error, true);
}

/* ---- comments ---- */

struct range {
	size_t	sl, sc, el, ec;	/* start line/column, end line/column (libyaml marks) */
};

static bool
before(size_t l1, size_t c1, size_t l2, size_t c2)
{
	return l1 < l2 || (l1 == l2 && c1 < c2);
}

unsigned
redact_yaml_comment_count(const char *in, size_t len)
{
	yaml_parser_t parser;
	struct range *rg = NULL;
	size_t nrg = 0, caprg = 0, ri = 0, i, line = 0, col = 0, errline = SIZE_MAX;
	unsigned n = 0;
	char q = 0;

	if (len <= REDACT_YAML_MAX_BYTES && yaml_parser_initialize(&parser)) {
		yaml_parser_set_input_string(&parser, (const unsigned char *)in, len);
		for (;;) {
			yaml_token_t tok;

			if (!yaml_parser_scan(&parser, &tok)) {
				errline = parser.problem_mark.line;
				break;
			}
			if (tok.type == YAML_STREAM_END_TOKEN) {
				yaml_token_delete(&tok);
				break;
			}
			if (tok.type == YAML_SCALAR_TOKEN) {
				if (nrg == caprg) {
					caprg = caprg ? caprg * 2 : 64;
					rg = xreallocarray(rg, caprg, sizeof(*rg));
				}
				rg[nrg++] = (struct range){ tok.start_mark.line, tok.start_mark.column,
				    tok.end_mark.line, tok.end_mark.column };
			}
			yaml_token_delete(&tok);
		}
		yaml_parser_delete(&parser);
	} else
		errline = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\n') {
			line++;
			col = 0;
			q = 0;
			continue;
		}
		if ((c & 0xc0) == 0x80)
			continue;	/* UTF-8 continuation: libyaml counts characters */
		while (ri < nrg && !before(line, col, rg[ri].el, rg[ri].ec))
			ri++;
		if (line >= errline || errline == SIZE_MAX) {
			bool inside = ri < nrg && !before(line, col, rg[ri].sl, rg[ri].sc);

			if (line >= errline) {
				if (q != 0 && c == (unsigned char)q)
					q = 0;
				else if (q == 0 && (c == '"' || c == '\''))
					q = (char)c;
				inside = q != 0;
			}
			if (c == '#' && !inside && (i == 0 || in[i - 1] == ' ' || in[i - 1] == '\t' ||
			    in[i - 1] == '\n' || in[i - 1] == '\r')) {
				const char *nl = memchr(in + i, '\n', len - i);

				n++;
				if (nl == NULL)
					break;
				i = (size_t)(nl - in) - 1;	/* the rest of the line is the comment */
			}
		} else if (c == '#' && !(ri < nrg && !before(line, col, rg[ri].sl, rg[ri].sc)) &&
		    (i == 0 || in[i - 1] == ' ' || in[i - 1] == '\t' || in[i - 1] == '\n' ||
		    in[i - 1] == '\r')) {
			const char *nl = memchr(in + i, '\n', len - i);

			n++;
			if (nl == NULL)
				break;
			i = (size_t)(nl - in) - 1;
		}
		col++;
	}
	free(rg);
	return n;
}
