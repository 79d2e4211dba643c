/* journal.c: journal lines: a cheap raw scan, a sound prefilter, jansson for candidates, one pass per file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze.h"
#include "cleanup.h"
#include "timeutil.h"

#define EVIDENCE_TEXT_MAX	4096	/* bytes of a line kept as evidence */
#define CAPTURE_MAX		1024	/* bytes of a capture kept */

static inline const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The end of a JSON string whose contents start at p (the closing quote), or NULL. */
static const char *
string_end(const char *p, const char *end)
{
	const char *q, *b;

	while (p < end && (q = memchr(p, '"', (size_t)(end - p))) != NULL) {
		/* Escaped when preceded by an odd number of backslashes. */
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if (((q - b) & 1) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* Skips a scalar (number, true, false, null); returns the byte after it. */
static const char *
skip_scalar(const char *p, const char *end)
{
	while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
	    *p != '\r' && *p != '\n') {
		if (*p == '"' || *p == '{' || *p == '[' || *p == ':')
			return NULL;
		p++;
	}
	return p;
}

/* Skips an array of strings and scalars (no nesting); returns the byte after ']', or NULL. */
static const char *
skip_array(const char *p, const char *end)
{
	p++;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == ']')
			return p + 1;
		if (*p == '"') {
			p = string_end(p + 1, end);
			if (p == NULL)
				return NULL;
			p++;
		} else if ((p = skip_scalar(p, end)) == NULL)
			return NULL;
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p++;
		else if (p < end && *p == ']')
			return p + 1;
		else
			return NULL;
	}
}

static int
level_word(const char *s, size_t len)
{
	static const struct {
		const char *w;
		int level;
	} words[] = {
		{ "emerg", 0 }, { "panic", 0 }, { "fatal", 2 }, { "dpanic", 2 }, { "crit", 2 },
		{ "critical", 2 }, { "error", 3 }, { "err", 3 }, { "warn", 4 }, { "warning", 4 },
		{ "notice", 5 }, { "info", 6 }, { "debug", 7 },
	};
	size_t i;

	for (i = 0; i < ELEMENTSOF(words); i++)
		if (strlen(words[i].w) == len && strncasecmp(words[i].w, s, len) == 0)
			return words[i].level;
	return -1;
}

/* The agent's own level: the first or second tab-separated word of MESSAGE (raw: "\t"). */
static int
raw_level(const char *m, size_t len)
{
	const char *t;
	int k, lv;

	for (k = 0; k < 2; k++) {
		/* The level word is short: look for its "\t" in the first bytes only. */
		t = memchr(m, '\\', len < 42 ? len : 42);
		if (t == NULL || t + 1 >= m + len || t[1] != 't')
			return -1;
		if ((lv = level_word(m, (size_t)(t - m))) >= 0)
			return lv;
		len -= (size_t)(t - m) + 2;
		m = t + 2;
	}
	return -1;
}

void
journal_scan_line(const char *line, size_t len, struct jl_scan *out)
{
	const char *p = line, *end = line + len, *ks, *ke, *vs, *ve;
	size_t kl;

	memset(out, 0, sizeof(*out));
	out->priority = -1;
	out->level = -1;
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		goto done;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return;
		ks = p + 1;
		ke = memchr(ks, '"', (size_t)(end - ks));
		if (ke == NULL || memchr(ks, '\\', (size_t)(ke - ks)) != NULL)
			return;		/* keys with escapes: let jansson decide */
		kl = (size_t)(ke - ks);
		p = skip_ws(ke + 1, end);
		if (p >= end || *p != ':')
			return;
		p = skip_ws(p + 1, end);
		if (p >= end)
			return;
		if (*p == '"') {
			vs = p + 1;
			ve = string_end(vs, end);
			if (ve == NULL)
				return;
			p = ve + 1;
			if (kl == 7 && memcmp(ks, "MESSAGE", 7) == 0) {
				const char *b = vs;

				if (out->has_msg)
					return;	/* duplicate key */
				out->has_msg = true;
				out->msg_string = true;
				out->msg = vs;
				out->msg_len = (size_t)(ve - vs);
				out->mval = vs - 1;
				out->mval_len = (size_t)(ve - vs) + 2;
				while ((b = memchr(b, '\\', (size_t)(ve - b))) != NULL && b + 1 < ve) {
					if (b[1] == 'u')
						out->msg_unicode = true;
					b += 2;
				}
			} else if (kl == 20 && memcmp(ks, "__REALTIME_TIMESTAMP", 20) == 0) {
				uint64_t t = 0;
				const char *d;

				if (out->has_time || ve - vs == 0 || ve - vs > 19)
					return;
				for (d = vs; d < ve; d++) {
					if (*d < '0' || *d > '9')
						return;
					t = t * 10 + (uint64_t)(*d - '0');
				}
				out->has_time = true;
				out->time = t;
			} else if (kl == 8 && memcmp(ks, "PRIORITY", 8) == 0) {
				if (out->priority >= 0)
					return;
				if (ve - vs == 1 && *vs >= '0' && *vs <= '7')
					out->priority = *vs - '0';
			}
		} else {
			bool is_msg = kl == 7 && memcmp(ks, "MESSAGE", 7) == 0;
			const char *v0 = p;

			if (is_msg) {
				if (out->has_msg)
					return;
				out->has_msg = true;	/* a byte array or null: decoded only by jansson */
			}
			if (*p == '[')
				p = skip_array(p, end);
			else if (*p == '{')
				return;
			else
				p = skip_scalar(p, end);
			if (p == NULL)
				return;
			if (is_msg) {
				out->mval = v0;
				out->mval_len = (size_t)(p - v0);
			}
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}')
			break;
		return;
	}
done:
	p = skip_ws(p + 1, end);
	if (p != end)
		return;
	out->understood = true;
	if (out->msg_string && (out->level = raw_level(out->msg, out->msg_len)) >= 0)
		return;
	out->level = out->priority;
}

void
jl_entry_free(struct jl_entry *e)
{
	buf_free(&e->msg);
}

static int
parse_uint_field(const json_t *v, uint64_t max, uint64_t *ret)
{
	const char *s;
	char *end;
	unsigned long long x;

	if (json_is_integer(v) && json_integer_value(v) >= 0 && (uint64_t)json_integer_value(v) <= max) {
		*ret = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -EINVAL;
	*ret = x;
	return 0;
}

/* Decodes a MESSAGE value: a string, a byte array, or an array of those (repeated field). */
static bool
decode_message(const json_t *v, struct buf *out, unsigned depth)
{
	size_t i;
	json_t *x;

	if (json_is_string(v)) {
		buf_add(out, json_string_value(v), json_string_length(v));
		return true;
	}
	if (!json_is_array(v) || depth > 1)
		return false;
	if (json_array_size(v) > 0 && json_is_integer(json_array_get(v, 0))) {
		json_array_foreach(v, i, x) {
			json_int_t b = json_is_integer(x) ? json_integer_value(x) : -1;

			if (b < 0 || b > 255)
				return false;
			buf_addc(out, (char)b);
		}
		return true;
	}
	json_array_foreach(v, i, x) {
		if (i > 0)
			buf_addc(out, '\n');
		if (!decode_message(x, out, depth + 1))
			return false;
	}
	return json_array_size(v) > 0;
}

int
journal_parse_line(const char *line, size_t len, struct jl_entry *e)
{
	json_t *root, *v;
	json_error_t jerr;
	uint64_t x;

	buf_reset(&e->msg);
	e->has_msg = false;
	e->time = 0;
	e->priority = -1;
	root = json_loadb(line, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return -EINVAL;
	if (!json_is_object(root)) {
		json_decref(root);
		return -EINVAL;
	}
	if ((v = json_object_get(root, "MESSAGE")) != NULL)
		e->has_msg = decode_message(v, &e->msg, 0);
	if (!e->has_msg)
		buf_reset(&e->msg);
	if ((v = json_object_get(root, "__REALTIME_TIMESTAMP")) != NULL &&
	    parse_uint_field(v, UINT64_C(9999999999999999999), &x) == 0)
		e->time = x;
	if ((v = json_object_get(root, "PRIORITY")) != NULL && parse_uint_field(v, 7, &x) == 0)
		e->priority = (int)x;
	json_decref(root);
	return 0;
}

/*
 * Decodes the contents of a JSON string that is plain: printable ASCII, and
 * escapes only of the one-character kind.  Any conforming parser decodes such
 * a string to the same bytes.  Anything else (a \u escape, a byte over 0x7e,
 * a control byte, a backslash before another letter) returns false with out
 * empty, and jansson decides.  Most journal lines are plain; jansson would
 * cost a tree, an allocation per value, and UTF-8 checks on ASCII.
 */
static bool
plain_string(const char *s, size_t len, struct buf *out)
{
	const char *end = s + len, *p = s;
	char c;

	buf_reset(out);
	buf_add(out, s, 0);	/* an empty MESSAGE is "", not NULL, as from jansson */
	while (p < end) {
		const char *q = p;

		while (q < end && *q != '\\' && *q >= 0x20 && *q < 0x7f)
			q++;
		buf_add(out, p, (size_t)(q - p));
		if (q == end)
			break;
		if (*q != '\\' || q + 1 == end)
			goto complex;
		switch (q[1]) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		default:
			goto complex;
		}
		buf_addc(out, c);
		p = q + 2;
	}
	return true;
complex:
	buf_reset(out);
	return false;
}

int
journal_parse_scanned(const struct jl_scan *s, struct jl_entry *e)
{
	json_t *v;

	buf_reset(&e->msg);
	e->has_msg = false;
	e->time = s->has_time ? s->time : 0;
	e->priority = s->priority;
	if (!s->understood)
		return -EINVAL;
	if (!s->has_msg)
		return 0;
	if (s->msg_string && plain_string(s->msg, s->msg_len, &e->msg)) {
		e->has_msg = true;
		return 0;
	}
	v = json_loadb(s->mval, s->mval_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (v == NULL)
		return -EINVAL;
	e->has_msg = decode_message(v, &e->msg, 0);
	if (!e->has_msg)
		buf_reset(&e->msg);
	json_decref(v);
	return 0;
}

/* ---- one file, one pass --------------------------------------------------- */

void
evidence_clear(struct evidence *ev)
{
	free(ev->source);
	free(ev->text);
	memset(ev, 0, sizeof(*ev));
}

static void
evidence_set(struct evidence *ev, const char *source, unsigned long line, uint64_t time,
    const char *text, size_t len)
{
	evidence_clear(ev);
	ev->source = xstrdup(source);
	ev->line = line;
	ev->time = time;
	if (len > EVIDENCE_TEXT_MAX)
		len = EVIDENCE_TEXT_MAX;
	ev->text = xmemdup(text, len);
	ev->len = len;
}

static void
captures_clear(struct jresult *jr)
{
	size_t i;

	for (i = 0; i < jr->n_caps; i++) {
		free(jr->cap_names[i]);
		free(jr->cap_values[i]);
	}
	free(jr->cap_names);
	free(jr->cap_values);
	jr->cap_names = jr->cap_values = NULL;
	jr->n_caps = 0;
}

/* Keeps the named captures of the match just made. */
static void
captures_keep(struct jresult *jr, const struct regex *re, const char *s)
{
	uint32_t count = 0, size = 0, i;
	PCRE2_SPTR table;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
	uint32_t npairs = pcre2_get_ovector_count(re->md);

	pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
	if (count == 0)
		return;
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
	captures_clear(jr);
	jr->cap_names = xcalloc(count, sizeof(char *));
	jr->cap_values = xcalloc(count, sizeof(char *));
	for (i = 0; i < count; i++) {
		const unsigned char *ent = table + i * size;
		uint32_t g = ((uint32_t)ent[0] << 8) | ent[1];
		size_t a, b;

		if (g >= npairs || ov[2 * g] == PCRE2_UNSET)
			continue;
		a = ov[2 * g];
		b = ov[2 * g + 1];
		if (b < a)
			continue;
		if (b - a > CAPTURE_MAX)
			b = a + CAPTURE_MAX;
		jr->cap_names[jr->n_caps] = xstrdup((const char *)ent + 2);
		jr->cap_values[jr->n_caps] = xmemdup(s + a, b - a);
		jr->n_caps++;
	}
}

static void
record_match(struct jresult *jr, const char *source, unsigned long lineno, uint64_t time,
    const char *text, size_t len)
{
	jr->count++;
	if (time != 0) {
		if (jr->first == 0 || time < jr->first)
			jr->first = time;
		if (time > jr->last)
			jr->last = time;
	}
	if (jr->n_head < EVIDENCE_HEAD) {
		evidence_set(&jr->head[jr->n_head++], source, lineno, time, text, len);
		return;
	}
	evidence_set(&jr->tail[jr->tail_pos], source, lineno, time, text, len);
	jr->tail_pos = (jr->tail_pos + 1) % EVIDENCE_TAIL;
	if (jr->n_tail < EVIDENCE_TAIL)
		jr->n_tail++;
}

static void
timeline_add(struct timeline *tl, uint64_t t, int level)
{
	unsigned cls, i;
	uint64_t idx;

	cls = level < 0 ? 2 : level <= 3 ? 0 : level == 4 ? 1 : level <= 6 ? 2 : 3;
	if (tl->total == 0) {
		tl->t0 = t;
		tl->width = USEC_PER_SEC;
		tl->min = tl->max = t;
	}
	tl->total++;
	if (t < tl->min)
		tl->min = t;
	if (t > tl->max)
		tl->max = t;
	if (t < tl->t0)
		t = tl->t0;	/* out of order: into the first bucket */
	while ((idx = (t - tl->t0) / tl->width) >= TL_FINE) {
		for (i = 0; i < TL_FINE / 2; i++) {
			unsigned k;

			for (k = 0; k < TL_LEVELS; k++)
				tl->n[i][k] = tl->n[2 * i][k] + tl->n[2 * i + 1][k];
		}
		memset(tl->n[TL_FINE / 2], 0, sizeof(tl->n[0]) * (TL_FINE / 2));
		if (tl->width > UINT64_MAX / 4)
			return;
		tl->width *= 2;
	}
	if (tl->n[idx][cls] < UINT32_MAX)
		tl->n[idx][cls]++;
}

static int
entry_level(const struct jl_entry *e)
{
	const char *m = e->msg.data, *t;
	size_t len = e->msg.len;
	int k, lv;

	for (k = 0; k < 2 && m != NULL; k++) {
		t = memchr(m, '\t', len);
		if (t == NULL || t - m > 40)
			break;
		if ((lv = level_word(m, (size_t)(t - m))) >= 0)
			return lv;
		len -= (size_t)(t - m) + 1;
		m = t + 1;
	}
	return e->priority;
}

void
journal_line(struct model *m, struct journal_file *jf, const char *line, size_t len,
    unsigned long lineno)
{
	const struct ruleset *rs = m->rs;
	struct jl_scan s;
	struct jl_entry e = { 0 };
	unsigned char cand_small[64];
	unsigned char *cand = cand_small;
	size_t i;
	bool any = false;
	uint64_t t;

	jf->lines++;
	journal_scan_line(line, len, &s);
	if (s.understood && s.has_time) {
		timeline_add(&m->tl, s.time, s.level);
		m->tl_used = true;
		if (jf->first == 0 || s.time < jf->first)
			jf->first = s.time;
		if (s.time > jf->last)
			jf->last = s.time;
	}
	if (jf->n_res > sizeof(cand_small))
		cand = xcalloc(jf->n_res, 1);
	journal_may_match_all(rs, &s, jf->want, cand);
	for (i = 0; i < jf->n_res; i++)
		any |= cand[i];
	if (!any && s.understood)
		goto out;
	jf->parsed++;
	if ((s.understood ? journal_parse_scanned(&s, &e) : journal_parse_line(line, len, &e)) < 0) {
		jf->invalid++;
		goto out;
	}
	if (!e.has_msg)
		jf->invalid++;
	if (!s.understood && e.time != 0) {
		timeline_add(&m->tl, e.time, entry_level(&e));
		m->tl_used = true;
		if (jf->first == 0 || e.time < jf->first)
			jf->first = e.time;
		if (e.time > jf->last)
			jf->last = e.time;
	}
	if (!e.has_msg || !any)
		goto out;
	t = e.time;
	for (i = 0; i < jf->n_res; i++) {
		const struct cond_journal *c = rs->jconds[i];
		int r;

		if (!cand[i])
			continue;
		if (c->prio_min != 0 || c->prio_max != 7) {
			if (e.priority < c->prio_min || e.priority > c->prio_max)
				continue;
		}
		if (c->within != 0 && jf->slice_end != 0 && (t == 0 || t + c->within < jf->slice_end))
			continue;
		r = regex_match(rs, &c->re, e.msg.data, e.msg.len);
		if (r < 0) {
			jf->res[i]->limit_hits++;
			continue;
		}
		if (r == 0)
			continue;
		record_match(jf->res[i], jf->path, lineno, t, e.msg.data, e.msg.len);
		captures_keep(jf->res[i], &c->re, e.msg.data);
	}
out:
	if (cand != cand_small)
		free(cand);
	jl_entry_free(&e);
}

struct journal_run {
	struct model *m;
	struct journal_file *jf;
	struct buf carry;	/* a line split across chunks */
	bool	 skipping;	/* inside an overlong line */
	unsigned long lineno;	/* lines started */
};

struct journal_run *
journal_run_new(struct model *m, struct journal_file *jf)
{
	struct journal_run *run = xcalloc(1, sizeof(*run));

	run->m = m;
	run->jf = jf;
	return run;
}

void
journal_run_free(struct journal_run *run)
{
	if (run == NULL)
		return;
	buf_free(&run->carry);
	free(run);
}

static void
one_line(struct journal_run *run, const char *p, size_t len)
{
	run->lineno++;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	journal_line(run->m, run->jf, p, len, run->lineno);
}

void
journal_run_feed(struct journal_run *run, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (run->skipping) {
			if (nl == NULL)
				return;
			run->skipping = false;
			p = nl + 1;
			continue;
		}
		if (nl == NULL) {
			if (run->carry.len + (size_t)(end - p) > JOURNAL_LINE_MAX) {
				run->jf->too_long++;
				run->lineno++;
				run->skipping = true;
				buf_reset(&run->carry);
			} else
				buf_add(&run->carry, p, (size_t)(end - p));
			return;
		}
		if (run->carry.len > 0) {
			if (run->carry.len + (size_t)(nl - p) > JOURNAL_LINE_MAX) {
				run->jf->too_long++;
				run->lineno++;
			} else {
				buf_add(&run->carry, p, (size_t)(nl - p));
				one_line(run, run->carry.data, run->carry.len);
			}
			buf_reset(&run->carry);
		} else if ((size_t)(nl - p) > JOURNAL_LINE_MAX) {
			run->jf->too_long++;
			run->lineno++;
		} else
			one_line(run, p, (size_t)(nl - p));
		p = nl + 1;
	}
}

void
journal_run_end(struct journal_run *run)
{
	if (run->carry.len > 0 && !run->skipping)
		one_line(run, run->carry.data, run->carry.len);
	buf_reset(&run->carry);
}
