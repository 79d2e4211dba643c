/* redact.c: the redactor (keyed markers, remembered values), text and unit-file redaction, verification. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <iconv.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>

#include "cleanup.h"
#include "redact.h"
#include "secretpat.h"
#include "xalloc.h"

/* Values shorter than this are not searched for by redact_verify(): too many chance hits. */
#define VERIFY_MIN_PLAIN	4
/* Base64 forms are searched only by stable parts at least this long. */
#define VERIFY_MIN_B64		8
/* Above this many search strings, one hashed pass replaces memmem() per string. */
#define VERIFY_MEMMEM_MAX	16
/*
 * Plain words and numbers shorter than this are found only as whole words: "agent" is not
 * removed from "onboarding-agent" or "config.agent.onboarding", "2026" not from
 * "2026-11-30T10:00:00Z".  Longer values, and short ones that are no plain word (6+ bytes
 * mixing letters with digits, symbols or both cases: substantial()), are found anywhere.
 */
#define WHOLE_WORD_MAX		12

/* One value redacted so far. */
struct rvalue {
	char		*val;		/* the secret itself (wiped when freed) */
	size_t		 len;		/* its length */
	unsigned char	 mac[32];	/* HMAC-SHA256(key, val) */
	uint64_t	 hash;		/* a fast hash of val, for lookups */
	const char	*kind;		/* kind of its first redaction (static string) */
	char		 marker[48];	/* "<redacted:KIND:xxxxxx>" */
	bool		 local;		/* redacted where it was, not searched for elsewhere */
};

/* One string redact_verify() looks for. */
struct needle {
	char		*s;		/* bytes to find */
	size_t		 len;		/* their length, >= 4 */
	size_t		 value;		/* index into redactor.values */
	const char	*form;		/* "as is", "base64-encoded", "URL-encoded", "JSON-escaped" */
	int32_t		 next;		/* next needle in the same hash bucket, or -1 */
	uint8_t		 whole;		/* 0 anywhere; WORD_* flags: found only as a whole word */
};

enum {
	WORD_WHOLE = 1,		/* a whole word: not inside a longer one, nor a mapping key */
	WORD_DIGITS = 2,	/* a number of up to 6 digits: ':' and '/' join it too (times, dates, ports) */
};

struct redactor {
	unsigned char	 key[32];	/* per-bundle random key; never stored */
	struct rvalue	*values;	/* every value redacted so far */
	size_t		 nvalues;	/* used entries of values */
	size_t		 capvalues;	/* allocated entries of values */
	uint32_t	*tab;		/* open-addressing index by hash: value index + 1, 0 free */
	size_t		 tabsize;	/* entries of tab, a power of two */
	struct needle	*needles;	/* verify's search strings */
	size_t		 nneedles;	/* used entries of needles */
	size_t		 capneedles;	/* allocated entries of needles */
	size_t		 indexed;	/* values already turned into needles */
	int32_t		*heads;		/* 65536 bucket heads by the first 4 bytes, or NULL */
	uint64_t	 used[1024];	/* a bit per bucket that has a head: 8 KiB, read per byte */
	bool		(*path_exists)(const char *, void *);	/* see redactor_set_path_check() */
	void		*path_ud;	/* its userdata */
};

void
redactor_set_path_check(struct redactor *r, bool (*exists)(const char *, void *), void *userdata)
{
	r->path_exists = exists;
	r->path_ud = userdata;
}

bool
redact_path_exists(struct redactor *r, const char *path, size_t len)
{
	char *p;
	bool ok;

	if (r == NULL || r->path_exists == NULL || len == 0 || len > 4096 || memchr(path, '\0', len))
		return false;
	p = xstrndup(path, len);
	ok = r->path_exists(p, r->path_ud);
	free(p);
	return ok;
}

static void
fill_random(unsigned char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int fd;

	while (got < n) {
		r = getrandom(p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && got < n) {
		r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	if (got < n)
		abort();	/* no randomness: markers could be brute-forced */
}

/* Creates a redactor with a fresh random key.  Free with redactor_free(). */
struct redactor *
redactor_new(void)
{
	struct redactor *r = xcalloc(1, sizeof(*r));

	fill_random(r->key, sizeof(r->key));
	r->tabsize = 64;
	r->tab = xcalloc(r->tabsize, sizeof(*r->tab));
	return r;
}

/* Wipes the key and every remembered value, then frees; accepts NULL. */
void
redactor_free(struct redactor *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nvalues; i++) {
		explicit_bzero(r->values[i].val, r->values[i].len);
		free(r->values[i].val);
	}
	for (i = 0; i < r->nneedles; i++) {
		explicit_bzero(r->needles[i].s, r->needles[i].len);
		free(r->needles[i].s);
	}
	explicit_bzero(r->key, sizeof(r->key));
	free(r->values);
	free(r->needles);
	free(r->heads);
	free(r->tab);
	free(r);
}

/* FNV-1a, 64 bits: a lookup key only; the marker comes from the HMAC. */
static uint64_t
fast_hash(const char *v, size_t len)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)v[i]) * 1099511628211u;
	return h;
}

static void
tab_insert(struct redactor *r, size_t idx)
{
	size_t mask = r->tabsize - 1, i = r->values[idx].hash & mask;

	while (r->tab[i] != 0)
		i = (i + 1) & mask;
	r->tab[i] = (uint32_t)idx + 1;
}

static void index_one(struct redactor *r, size_t i);

static const char *
value_entry(struct redactor *r, const char *kind, const char *v, size_t len, bool local)
{
	unsigned char mac[SHA256_DIGEST_SIZE];
	struct hmac_sha256_ctx hc;
	uint64_t h = fast_hash(v, len);
	size_t mask, i;
	struct rvalue *e;

	mask = r->tabsize - 1;
	for (i = h & mask; r->tab[i] != 0; i = (i + 1) & mask) {
		e = &r->values[r->tab[i] - 1];
		if (e->hash == h && e->len == len && memcmp(e->val, v, len) == 0) {
			if (e->local && !local) {
				/* redacted for itself before, a secret now: searched for from now on */
				e->local = false;
				if ((size_t)(r->tab[i] - 1) < r->indexed)
					index_one(r, r->tab[i] - 1);
			}
			return e->marker;
		}
	}
	hmac_sha256_set_key(&hc, sizeof(r->key), r->key);
	hmac_sha256_update(&hc, len, (const uint8_t *)v);
	hmac_sha256_digest(&hc, sizeof(mac), mac);
	if (r->nvalues == r->capvalues) {
		r->capvalues = r->capvalues ? r->capvalues * 2 : 16;
		r->values = xreallocarray(r->values, r->capvalues, sizeof(*r->values));
	}
	e = &r->values[r->nvalues];
	e->val = xmemdup(v, len);
	e->len = len;
	memcpy(e->mac, mac, sizeof(mac));
	e->hash = h;
	e->kind = kind != NULL ? kind : "secret";
	e->local = local;
	snprintf(e->marker, sizeof(e->marker), "<redacted:%.24s:%02x%02x%02x>", e->kind,
	    mac[0], mac[1], mac[2]);
	r->nvalues++;
	if (r->nvalues * 2 > r->tabsize) {
		free(r->tab);
		r->tabsize *= 2;
		r->tab = xcalloc(r->tabsize, sizeof(*r->tab));
		for (i = 0; i < r->nvalues; i++)
			tab_insert(r, i);
	} else
		tab_insert(r, r->nvalues - 1);
	return e->marker;
}

const char *
redact_value(struct redactor *r, const char *kind, const char *v, size_t len)
{
	return value_entry(r, kind, v, len, false);
}

const char *
redact_value_here(struct redactor *r, const char *kind, const char *v, size_t len)
{
	return value_entry(r, kind, v, len, true);
}

/* A port or a small number ("15443", "8443:"): 1 to 5 digits, maybe one sign of punctuation after. */
static bool
port_like(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len && i < 6 && isdigit((unsigned char)v[i]))
		i++;
	return i >= 1 && i <= 5 && (i == len || (i + 1 == len && ispunct((unsigned char)v[i])));
}

/* Adds one to counts[rule]; counts may be NULL. */
void
redact_count(redact_counts *counts, const char *rule)
{
	json_t *n;

	if (counts == NULL)
		return;
	n = json_object_get(counts, rule);
	json_object_set_new(counts, rule, json_integer((n != NULL ? json_integer_value(n) : 0) + 1));
}

/* ---- text ---- */

struct textctx {
	struct redactor	*r;
	const char	*in;
	struct buf	 out;
	size_t		 copied;
	redact_counts	*counts;
};

static void
text_hit(const struct secret_hit *h, void *userdata)
{
	struct textctx *t = userdata;

	if (t->out.data == NULL)
		buf_grow(&t->out, (size_t)(h->start - t->copied) + 256);
	buf_add(&t->out, t->in + t->copied, h->start - t->copied);
	/*
	 * A number a pattern took in free text ("auth-gw:15443: connect") is redacted there, and
	 * not searched for elsewhere: it would take every port and count out of the log.
	 */
	buf_adds(&t->out, value_entry(t->r, h->kind, t->in + h->start, h->end - h->start,
	    port_like(t->in + h->start, h->end - h->start)));
	t->copied = h->end;
	redact_count(t->counts, h->rule);
}

static int
hexval(unsigned char c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* The structure characters an escape below may stand for: what joins or quotes a key and its value. */
static bool
structural(int c)
{
	return c > 0 && strchr("\"'=:{}[],; ", c) != NULL;
}

/*
 * Length of an escape at in[i] that stands for a structure character (*c set), or 0:
 * HTML/XML entities (&quot; &#61; &#x3d;), URL encoding (%22 %3A), C and JSON escapes
 * (\x3d \u0022), and a terminal escape sequence (ESC [ ... final byte: *c = 0, dropped).
 */
static size_t
escape_at(const char *in, size_t len, size_t i, int *c)
{
	static const struct { const char *s; char c; } ent[] = {
		{ "&quot;", '"' }, { "&apos;", '\'' }, { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	};
	const unsigned char *u = (const unsigned char *)in;
	size_t j;

	*c = 0;
	if (u[i] == 0x1b && i + 1 < len && u[i + 1] == '[') {
		for (j = i + 2; j < len && j - i < 32 && !(u[j] >= 0x40 && u[j] <= 0x7e); j++)
			;
		return j < len && j - i < 32 ? j + 1 - i : 0;
	}
	if (u[i] == '&') {
		for (size_t k = 0; k < sizeof(ent) / sizeof(ent[0]); k++)
			if (len - i >= strlen(ent[k].s) && memcmp(in + i, ent[k].s, strlen(ent[k].s)) == 0) {
				*c = ent[k].c;
				return strlen(ent[k].s);
			}
		if (i + 3 < len && u[i + 1] == '#') {
			int v = 0, base = (u[i + 2] == 'x' || u[i + 2] == 'X') ? 16 : 10, d;

			for (j = i + 2 + (base == 16); j < len && j - i < 8 && (d = hexval(u[j])) >= 0 && d < base; j++)
				v = v * base + d;
			if (j < len && u[j] == ';' && structural(v)) {
				*c = v;
				return j + 1 - i;
			}
		}
		return 0;
	}
	if (u[i] == '%' && i + 2 < len && hexval(u[i + 1]) >= 0 && hexval(u[i + 2]) >= 0) {
		int v = hexval(u[i + 1]) * 16 + hexval(u[i + 2]);

		if (structural(v)) {
			*c = v;
			return 3;
		}
		return 0;
	}
	if (u[i] == '\\' && i + 3 < len && u[i + 1] == 'x' && hexval(u[i + 2]) >= 0 && hexval(u[i + 3]) >= 0) {
		int v = hexval(u[i + 2]) * 16 + hexval(u[i + 3]);

		if (structural(v)) {
			*c = v;
			return 4;
		}
	}
	return 0;
}

/* The text with the escapes above decoded, when it holds any (false: none). */
static bool
decode_structure(const char *in, size_t len, struct buf *b)
{
	bool any = false;
	size_t i = 0, m;
	int c;

	while (i < len) {
		if ((in[i] == '&' || in[i] == '%' || in[i] == '\\' || in[i] == 0x1b) &&
		    (m = escape_at(in, len, i, &c)) > 0) {
			if (!any)
				buf_add(b, in, i);
			any = true;
			if (c != 0)
				buf_addc(b, (char)c);
			i += m;
		} else {
			if (any)
				buf_addc(b, in[i]);
			i++;
		}
	}
	return any;
}

/* A pattern hit in the decoded text: its value is learned, to be found in the text as written. */
static void
learn_hit(const struct secret_hit *h, void *userdata)
{
	struct textctx *t = userdata;

	(void)value_entry(t->r, h->kind, t->in + h->start, h->end - h->start,
	    port_like(t->in + h->start, h->end - h->start));
	redact_count(t->counts, h->rule);
}

bool
redact_text_encoded(const char *in, size_t len)
{
	struct buf b = { 0 };
	bool hit;

	/* the decoding first: most text holds no escape, and it returns without a copy */
	if (!decode_structure(in, len, &b) || !secretpat_maybe(in, len)) {
		buf_free(&b);
		return false;
	}
	hit = secretpat_scan(b.data, b.len, NULL, NULL) > 0;
	buf_free(&b);
	return hit;
}

/*
 * Redacts free text by the pattern rules; *out (free it) gets the result.
 * Text without a trigger costs one scan and one copy.  A text whose keys and
 * values are joined by escapes ({&quot;password&quot;:&quot;V&quot;}, password\x3dV,
 * payload=%7B%22password%22%3A%22V%22%7D, colour codes) is scanned decoded: the
 * values found there are learned and removed from the text as written.
 */
int
redact_text(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts)
{
	struct textctx t = { .r = r, .in = in, .counts = counts };

	if (secretpat_scan(in, len, text_hit, &t) == 0) {
		struct buf d = { 0 };
		char *kn = NULL;
		size_t kl = 0;

		if (decode_structure(in, len, &d) && secretpat_maybe(in, len)) {
			struct textctx u = { .r = r, .in = d.data, .counts = counts };

			if (secretpat_scan(d.data, d.len, learn_hit, &u) > 0 &&
			    redact_known(r, in, len, &kn, &kl) > 0) {
				buf_free(&d);
				*out = kn;
				if (outlen != NULL)
					*outlen = kl;
				return 0;
			}
		}
		buf_free(&d);
		*out = xmemdup(in, len);
		if (outlen != NULL)
			*outlen = len;
		return 0;
	}
	buf_add(&t.out, in + t.copied, len - t.copied);
	*out = buf_steal(&t.out, outlen);
	return 0;
}

bool
redact_text_maybe(const char *in, size_t len)
{
	return secretpat_maybe(in, len);
}

bool
redact_key_is_secret(const char *key, size_t len)
{
	return secretpat_key_class(key, len, NULL) != KEY_NONE;
}

/* ---- JSON values ---- */

/* "NAME=value" with an environment-like, secret-like NAME: the whole value goes. */
static bool
env_assignment(struct redactor *r, json_t *v, redact_counts *counts)
{
	const char *s = json_string_value(v), *eq, *kind;
	size_t len = json_string_length(v), i, vo;
	struct buf b = { 0 };

	eq = memchr(s, '=', len);
	if (eq == NULL || eq == s)
		return false;
	for (i = 0; s + i < eq; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || (i > 0 && s[i] == '.')))
			return false;
	vo = (size_t)(eq - s) + 1;
	if (!secretpat_value_wanted(secretpat_key_class(s, (size_t)(eq - s), &kind), s + vo,
	    len - vo, false))
		return false;
	buf_add(&b, s, vo);
	buf_adds(&b, redact_value(r, kind, s + vo, len - vo));
	json_string_set(v, b.data);
	buf_free(&b);
	redact_count(counts, "key-value");
	return true;
}

/*
 * A scalar under key class kc (or inside a secret collection): its marker as
 * a new string (numbers become strings), or NULL when it stays.
 */
static json_t *
json_marker(struct redactor *r, json_t *v, enum key_class kc, const char *kind, bool blanket)
{
	_cleanup_free_ char *num = NULL;
	const char *s;
	size_t len;

	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
		if (!blanket && !secretpat_value_wanted(kc, s, len, false))
			return NULL;
	} else if (json_is_integer(v) || json_is_real(v)) {
		if (!blanket && kc < KEY_MEDIUM)
			return NULL;
		num = json_is_integer(v) ? xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v)) :
		    xasprintf("%.17g", json_real_value(v));
		s = num;
		len = strlen(num);
	} else
		return NULL;
	if (secretpat_value_trivial(s, len))
		return NULL;
	return json_string(redact_value(r, kind != NULL ? kind : "secret", s, len));
}

static unsigned json_walk(struct redactor *, json_t *, bool, redact_counts *);

/* One member or element: redacted as a whole, or walked. */
static unsigned
json_child(struct redactor *r, json_t *e, enum key_class kc, const char *kind, bool blanket,
    json_t **replace, redact_counts *counts, const char *rule)
{
	*replace = NULL;
	if (json_is_string(e) || json_is_number(e)) {
		*replace = (blanket || kc != KEY_NONE) ? json_marker(r, e, kc, kind, blanket) : NULL;
		if (*replace != NULL) {
			redact_count(counts, rule);
			return 1;
		}
	}
	return json_walk(r, e, blanket || (kc >= KEY_MEDIUM && !json_is_string(e)), counts);
}

static unsigned
json_walk(struct redactor *r, json_t *v, bool blanket, redact_counts *counts)
{
	unsigned n = 0;
	json_t *e, *rep;
	size_t i;

	if (json_is_string(v) && !blanket) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);

		if (env_assignment(r, v, counts))
			return 1;
		if (redact_text_maybe(s, len)) {
			_cleanup_free_ char *out = NULL;
			size_t outlen;

			redact_text(r, s, len, &out, &outlen, counts);
			if (outlen != len || memcmp(out, s, len) != 0) {
				json_string_setn(v, out, outlen);
				n = 1;
			}
		}
	} else if (json_is_array(v)) {
		const char *pending = NULL, *fk;

		json_array_foreach(v, i, e) {
			bool flag = json_is_string(e) && json_string_value(e)[0] == '-';

			if (pending != NULL && json_is_string(e) && !flag) {
				n += json_child(r, e, KEY_STRONG, pending, true, &rep, counts, "json-arg");
				pending = NULL;
			} else {
				pending = NULL;
				if (flag && secretpat_is_secret_flag(json_string_value(e),
				    json_string_length(e), &fk))
					pending = fk;
				n += json_child(r, e, KEY_NONE, NULL, blanket, &rep, counts, "json-key");
			}
			if (rep != NULL)
				json_array_set_new(v, i, rep);
		}
	} else if (json_is_object(v)) {
		static const char *const names[] = { "name", "Name", "NAME", "key", "Key" };
		static const char *const values[] = { "value", "Value", "VALUE" };
		enum key_class pc = KEY_NONE;
		const char *pkind = NULL, *k;
		void *tmp;

		for (i = 0; i < ELEMENTSOF(names) && pc == KEY_NONE; i++) {
			e = json_object_get(v, names[i]);
			if (json_is_string(e))
				pc = secretpat_key_class(json_string_value(e), json_string_length(e),
				    &pkind);
		}
		json_object_foreach_safe(v, tmp, k, e) {
			const char *ck;
			enum key_class c = secretpat_key_class(k, strlen(k), &ck);
			bool isvalue = false;

			for (i = 0; i < ELEMENTSOF(values); i++)
				isvalue |= strcmp(k, values[i]) == 0;
			if (isvalue && pc != KEY_NONE) {
				c = pc;
				ck = pkind;
			}
			n += json_child(r, e, c, ck, blanket, &rep, counts,
			    isvalue && pc != KEY_NONE ? "json-name-value" : "json-key");
			if (rep != NULL)
				json_object_set_new(v, k, rep);
		}
	}
	return n;
}

unsigned
redact_json_value(struct redactor *r, json_t *v, redact_counts *counts)
{
	return json_walk(r, v, false, counts);
}

/* ---- verification ---- */

static char *
b64(const unsigned char *s, size_t n)
{
	size_t olen = 4 * ((n + 2) / 3);
	char *o = xmalloc(olen + 1);

	base64_encode_raw(o, n, s);
	o[olen] = '\0';
	return o;
}

static uint32_t load4(const char *p);
static uint32_t h16(uint32_t w);

/* Links needle i into its bucket (the newest first, as a rebuild in index order would). */
static void
link_needle(struct redactor *r, size_t i)
{
	uint32_t h = h16(load4(r->needles[i].s));

	r->needles[i].next = r->heads[h];
	r->heads[h] = (int32_t)i;
	r->used[h >> 6] |= UINT64_C(1) << (h & 63);
}

/*
 * Adds a search string (taking s), once: a string already there only widens its
 * whole-word flag.  Past VERIFY_MEMMEM_MAX strings they are kept in buckets by
 * their first 4 bytes, linked as they come: finding a duplicate and indexing
 * stay linear in the number of distinct values.
 */
static void
add_needle(struct redactor *r, char *s, size_t len, size_t value, const char *form, uint8_t whole)
{
	struct needle *nd = NULL;

	if (r->heads != NULL) {
		for (int32_t n = r->heads[h16(load4(s))]; n >= 0 && nd == NULL; n = r->needles[n].next)
			if (r->needles[n].len == len && memcmp(r->needles[n].s, s, len) == 0)
				nd = &r->needles[n];
	} else
		for (size_t i = 0; i < r->nneedles && nd == NULL; i++)
			if (r->needles[i].len == len && memcmp(r->needles[i].s, s, len) == 0)
				nd = &r->needles[i];
	if (nd != NULL) {
		nd->whole &= whole;	/* found anywhere if either value is */
		free(s);
		return;
	}
	if (r->nneedles == r->capneedles) {
		r->capneedles = r->capneedles ? r->capneedles * 2 : 64;
		r->needles = xreallocarray(r->needles, r->capneedles, sizeof(*r->needles));
	}
	r->needles[r->nneedles++] = (struct needle){ s, len, value, form, -1, whole };
	if (r->heads != NULL)
		link_needle(r, r->nneedles - 1);
	else if (r->nneedles > VERIFY_MEMMEM_MAX) {
		r->heads = xmalloc(65536 * sizeof(*r->heads));
		memset(r->heads, 0xff, 65536 * sizeof(*r->heads));
		memset(r->used, 0, sizeof(r->used));
		for (size_t i = 0; i < r->nneedles; i++)
			link_needle(r, i);
	}
}

static uint32_t
load4(const char *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

static uint32_t
h16(uint32_t w)
{
	return (w * 2654435761u) >> 16;
}

/*
 * 12+ bytes, or 6+ with a digit, a symbol, both cases or a non-ASCII byte: not a plain word.
 * A capital first letter alone does not count ("Onboarding", "Failed" are words: searched for
 * anywhere, and folded to lower case, they would eat every "onboarding" of the bundle).
 */
static bool
substantial(const char *v, size_t n)
{
	bool up = false, lo = false, other = false;

	if (n >= 12)
		return true;
	if (n < 6)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (isupper(c))
			up |= i > 0;
		else if (islower(c))
			lo = true;
		else if (c != '-' && c != '_' && c != '.')
			other = true;
	}
	return other || (up && lo);
}

/*
 * The other spellings of value i that programs write: folded to lower case (and then
 * percent-encoded, in lower case), form encoding ('+' for a blank, both cases), JSON with
 * every non-ASCII character escaped (Python's json.dumps; also inside a JSON string), and
 * base64url at each alignment.
 */
static void
index_spellings(struct redactor *r, size_t i, uint8_t whole)
{
	static const char hex[] = "0123456789ABCDEF0123456789abcdef";
	const struct rvalue *v = &r->values[i];
	const unsigned char *p = (const unsigned char *)v->val;
	size_t j, a;

	if (v->len < VERIFY_MIN_PLAIN)
		return;
	/*
	 * percent-encoding, lower case (the whole text folded to lower case, as some programs
	 * log a URL: base32 and hex secrets read the same); form encoding, upper and lower case
	 */
	for (unsigned form = 0; form < 3; form++) {
		struct buf u = { 0 };
		const char *hx = form == 1 ? hex : hex + 16;
		bool changed = false;

		if (form == 0 && v->len < 8)
			continue;	/* a short word folded would match too much */
		for (j = 0; j < v->len; j++) {
			if (form == 0 && isupper(p[j])) {
				buf_addc(&u, (char)tolower(p[j]));
				changed = true;
			} else if (isalnum(p[j]) || strchr("-._~", p[j]) != NULL)
				buf_addc(&u, (char)p[j]);
			else if (form > 0 && p[j] == ' ') {
				buf_addc(&u, '+');
				changed = true;
			} else {
				buf_addc(&u, '%');
				buf_addc(&u, hx[p[j] >> 4]);
				buf_addc(&u, hx[p[j] & 15]);
				changed |= form == 0 ? isalpha((unsigned char)hx[p[j] >> 4]) ||
				    isalpha((unsigned char)hx[p[j] & 15]) : false;
			}
		}
		if (changed) {
			size_t ul = u.len;

			add_needle(r, buf_steal(&u, NULL), ul, i, form == 0 ? "in lower case" : "form-encoded", whole);
		}
		buf_free(&u);
	}
	/* JSON with \uXXXX for every character past ASCII (valid UTF-8 only) */
	{
		struct buf js = { 0 };
		bool wide = false, bad = false;

		for (j = 0; j < v->len && !bad;) {
			unsigned c = p[j], cp, n;

			if (c < 0x80) {
				if (c == '"' || c == '\\')
					buf_addc(&js, '\\');
				if (c < 0x20)
					buf_printf(&js, "\\u%04x", c);
				else
					buf_addc(&js, (char)c);
				j++;
				continue;
			}
			/* n continuation bytes follow a lead byte */
			n = c >= 0xf8 ? 0 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
			if (n == 0 || j + n >= v->len) {
				bad = true;
				break;
			}
			cp = c & (0x3fu >> n);
			for (unsigned k = 1; k <= n && !bad; k++) {
				bad = (p[j + k] & 0xc0) != 0x80;
				cp = cp << 6 | (p[j + k] & 0x3fu);
			}
			if (bad)
				break;
			if (cp >= 0x10000)
				buf_printf(&js, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
				    0xdc00 + ((cp - 0x10000) & 0x3ff));
			else
				buf_printf(&js, "\\u%04x", cp);
			wide = true;
			j += n + 1;
		}
		if (wide && !bad) {
			struct buf j2 = { 0 };
			size_t jl = js.len;

			/* and as a JSON string holds that text (a journal line written to .jsonl): \\u30b9 */
			for (j = 0; j < js.len; j++) {
				if (js.data[j] == '\\' || js.data[j] == '"')
					buf_addc(&j2, '\\');
				buf_addc(&j2, js.data[j]);
			}
			jl = j2.len;
			add_needle(r, buf_steal(&j2, NULL), jl, i, "JSON-escaped twice", whole);
			jl = js.len;
			add_needle(r, buf_steal(&js, NULL), jl, i, "JSON-escaped", whole);
		}
		buf_free(&js);
	}
	/* as other programs escape it: Go's HTML-safe JSON, XML/HTML entities, shell, systemd */
	for (unsigned form = 0; form < 6; form++) {
		struct buf e = { 0 };
		bool changed = false;

		for (j = 0; j < v->len; j++) {
			unsigned char c = p[j];
			const char *rep = NULL;
			char tmp[16];

			switch (form) {
			case 0:	/* Go json.Marshal: \" \\ and \u0026 \u003c \u003e */
				if (c == '&' || c == '<' || c == '>')
					rep = c == '&' ? "\\u0026" : c == '<' ? "\\u003c" : "\\u003e";
				else if (c == '"' || c == '\\') {
					snprintf(tmp, sizeof(tmp), "\\%c", c);
					rep = tmp;
				}
				break;
			case 1:	/* XML and HTML, named */
				rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" :
				    c == '\'' ? "&#39;" : NULL;
				break;
			case 2:	/* HTML, numeric */
				if (c == '&' || c == '<' || c == '>' || c == '"' || c == '\'') {
					snprintf(tmp, sizeof(tmp), "&#%u;", c);
					rep = tmp;
				}
				break;
			case 3:	/* shell: printf %q, a backslash before each special character */
				if (strchr(" \"'\\$`!&|;()<>*?[]{}#~", c) != NULL && c != '\0') {
					snprintf(tmp, sizeof(tmp), "\\%c", c);
					rep = tmp;
				}
				break;
			case 4:	/* shell: inside single quotes, ' as '\'' */
				rep = c == '\'' ? "'\\''" : NULL;
				break;
			case 5:	/* systemd unit files: % as %% */
				rep = c == '%' ? "%%" : NULL;
				break;
			}
			if (rep != NULL) {
				buf_adds(&e, rep);
				changed = true;
			} else
				buf_addc(&e, (char)c);
		}
		if (changed) {
			size_t el = e.len;
			static const char *const names[] = {
				"Go-JSON-escaped", "XML-escaped", "HTML-escaped", "shell-escaped", "shell-quoted",
				"systemd-escaped",
			};

			add_needle(r, buf_steal(&e, NULL), el, i, names[form], whole);
		}
		buf_free(&e);
	}
	/* base64url: '-' and '_' for '+' and '/' */
	for (a = 0; a < 3 && a < v->len; a++) {
		size_t n = (v->len - a) / 3 * 3;
		char *b;

		if (n / 3 * 4 < VERIFY_MIN_B64)
			continue;
		b = b64(p + a, n);
		if (strpbrk(b, "+/") == NULL) {
			free(b);
			continue;
		}
		for (char *q = b; *q; q++)
			*q = *q == '+' ? '-' : *q == '/' ? '_' : *q;
		add_needle(r, b, n / 3 * 4, i, "base64url-encoded", 0);
	}
}

/* Turns value i into search strings. */
static void
index_one(struct redactor *r, size_t i)
{
	const struct rvalue *v = &r->values[i];
	struct buf u = { 0 }, js = { 0 };
	bool uchanged = false, jchanged = false, digits = v->len > 0;
	uint8_t whole = 0;
	size_t j, a;

	/*
	 * Default-deny also redacts plain words it cannot vouch for ("failed",
	 * "admin"): searching for those everywhere would eat unit states and log
	 * text.  Such a value is looked for only when it has some substance.
	 */
	if (v->local || (strcmp(v->kind, "value") == 0 && !substantial(v->val, v->len)))
		return;
	for (j = 0; j < v->len; j++)
		digits = digits && isdigit((unsigned char)v->val[j]);
	/*
	 * A short plain word or number ("agent", "2026") is found only as a whole word; a short
	 * value that is no plain word ("s3cr3t", "Pa$$w0rd") is found anywhere, glued to other
	 * text too ("user-s3cr3t"): when unsure, redact.
	 */
	if (v->len < WHOLE_WORD_MAX && (digits || !substantial(v->val, v->len)))
		whole = (uint8_t)(WORD_WHOLE | (digits && v->len <= 6 ? WORD_DIGITS : 0));
	{
		if (v->len >= VERIFY_MIN_PLAIN)
			add_needle(r, xmemdup(v->val, v->len), v->len, i, "as is", whole);
		for (j = 0; j < v->len; j++) {
			unsigned char c = (unsigned char)v->val[j];

			if (isalnum(c) || strchr("-._~", c) != NULL)
				buf_addc(&u, (char)c);
			else {
				buf_printf(&u, "%%%02X", c);
				uchanged = true;
			}
			if (c == '"' || c == '\\') {
				buf_addc(&js, '\\');
				buf_addc(&js, (char)c);
				jchanged = true;
			} else if (c == '\n' || c == '\t' || c == '\r') {
				buf_addc(&js, '\\');
				buf_addc(&js, c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
				jchanged = true;
			} else if (c < 0x20) {
				buf_printf(&js, "\\u%04x", c);
				jchanged = true;
			} else
				buf_addc(&js, (char)c);
		}
		if (uchanged && v->len >= VERIFY_MIN_PLAIN) {
			size_t ul = u.len;

			add_needle(r, buf_steal(&u, NULL), ul, i, "URL-encoded", whole);
		}
		if (jchanged && v->len >= VERIFY_MIN_PLAIN) {
			size_t jl = js.len;

			add_needle(r, buf_steal(&js, NULL), jl, i, "JSON-escaped", whole);
		}
		buf_free(&u);
		buf_free(&js);
		/* UTF-16, both byte orders (a file or journal field written so) */
		if (v->len >= VERIFY_MIN_PLAIN) {
			static const char *const enc[] = { "UTF-16LE", "UTF-16BE" };

			for (a = 0; a < 2; a++) {
				iconv_t cd = iconv_open(enc[a], "UTF-8");
				char *in = v->val, *o, *ob;
				size_t il = v->len, ol = v->len * 4 + 4;

				if (cd == (iconv_t)-1)
					continue;
				ob = o = xmalloc(ol);
				if (iconv(cd, &in, &il, &o, &ol) != (size_t)-1 && il == 0)
					add_needle(r, ob, (size_t)(o - ob), i, "UTF-16", 0);
				else
					free(ob);
				iconv_close(cd);
			}
		}
		index_spellings(r, i, whole);
		/* base64 at each of the 3 alignments: the part that depends on v alone */
		for (a = 0; a < 3 && a < v->len; a++) {
			size_t n = (v->len - a) / 3 * 3;

			if (n / 3 * 4 >= VERIFY_MIN_B64)
				add_needle(r, b64((const unsigned char *)v->val + a, n), n / 3 * 4, i,
				    "base64-encoded", 0);
		}
	}
}

/* Turns new values into search strings (add_needle() keeps the buckets current). */
static void
index_values(struct redactor *r)
{
	if (r->indexed == r->nvalues)
		return;		/* nothing written: another thread may be reading (collect/jsonl.c) */
	for (size_t i = r->indexed; i < r->nvalues; i++)
		index_one(r, i);
	r->indexed = r->nvalues;
}

void
redact_prepare(struct redactor *r)
{
	index_values(r);
}

static unsigned
line_of(const char *buf, size_t pos)
{
	unsigned line = 1;
	const char *p = buf, *end = buf + pos, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p = nl + 1;
	}
	return line;
}

/* True if [i, i + n) lies inside a redaction marker: "1234" in "<redacted:pin:a1234f>" is no leak. */
static bool
in_marker(const char *buf, size_t len, size_t i, size_t n)
{
	size_t back = i > 48 ? i - 48 : 0, j;

	for (j = i + 1; j-- > back;) {
		if (buf[j] == '>' && j < i)
			return false;
		if (buf[j] == '<') {
			size_t m = secretpat_marker_len(buf + j, len - j);

			return m > 0 && i + n <= j + m;
		}
	}
	return false;
}

static bool
wordch(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* '.' and '-' join two words into one (host names, versions, dates); for a number ':' and '/' too. */
static bool
joiner(unsigned char c, uint8_t whole)
{
	return c == '.' || c == '-' || ((whole & WORD_DIGITS) && (c == ':' || c == '/'));
}

/*
 * True when buf[i, i + n) is a whole word: no word character (or a word joined by '.' or '-')
 * right before or after it, and not a mapping key ("agent:" at the start of a line, "{agent: x",
 * "\"agent\":").  A JSON escape before it ("\tagent") counts as a blank.
 */
static bool
whole_word(const char *buf, size_t len, size_t i, size_t n, uint8_t whole)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t e = i + n, k;

	if (i > 0 && wordch(b[i])) {
		unsigned char c = b[i - 1];

		if (wordch(c)) {
			bool esc = (i >= 2 && b[i - 2] == '\\' && strchr("ntrbf", c) != NULL) ||
			    (i >= 6 && b[i - 6] == '\\' && b[i - 5] == 'u' && isxdigit(b[i - 4]) &&
			    isxdigit(b[i - 3]) && isxdigit(b[i - 2]));

			if (!esc)
				return false;
		} else if (joiner(c, whole) && i >= 2 && wordch(b[i - 2]))
			return false;
	}
	if (e < len && wordch(b[e - 1])) {
		unsigned char c = b[e];

		if (wordch(c))
			return false;
		if (joiner(c, whole) && e + 1 < len && wordch(b[e + 1]))
			return false;
	}
	/* a mapping key: [quote] ':' then a blank or the end, after only blanks, '-', '{' or ',' on its line */
	k = e;
	if (k < len && (b[k] == '"' || b[k] == '\''))
		k++;
	else if (k + 1 < len && b[k] == '\\' && b[k + 1] == '"')
		k += 2;		/* \"agent\": inside a JSON string */
	if (k < len && b[k] == ':' && (k + 1 == len || isspace(b[k + 1]) || b[k + 1] == '"' ||
	    b[k + 1] == '{' || b[k + 1] == '[')) {
		size_t j = i;

		while (j > 0 && (b[j - 1] == '"' || b[j - 1] == '\'' || b[j - 1] == '\\'))
			j--;
		while (j > 0 && (b[j - 1] == ' ' || b[j - 1] == '\t'))
			j--;
		if (j == 0 || b[j - 1] == '\n' || b[j - 1] == '{' || b[j - 1] == ',' ||
		    (b[j - 1] == '-' && (j == 1 || isspace(b[j - 2]))))
			return false;
	}
	return true;
}

/* The first needle found in buf outside markers, or -1; *pos gets where. */
static ssize_t
find_needle(const struct redactor *r, const char *buf, size_t len, size_t *pos)
{
	size_t i, best = SIZE_MAX;
	ssize_t which = -1;

	if (r->heads == NULL) {
		for (i = 0; i < r->nneedles; i++) {
			const struct needle *nd = &r->needles[i];
			const char *f = memmem(buf, len, nd->s, nd->len);

			while (f != NULL && (in_marker(buf, len, (size_t)(f - buf), nd->len) ||
			    (nd->whole && !whole_word(buf, len, (size_t)(f - buf), nd->len, nd->whole))))
				f = memmem(f + 1, len - (size_t)(f + 1 - buf), nd->s, nd->len);
			if (f != NULL && (size_t)(f - buf) < best) {
				best = (size_t)(f - buf);
				which = (ssize_t)i;
			}
		}
		*pos = best;
		return which;
	}
	for (i = 0; i + 4 <= len; i++) {
		uint32_t h = h16(load4(buf + i));
		int32_t n;

		/* the bitmap stays in L1; the 256 KiB heads table is read only on a hit */
		if (!(r->used[h >> 6] & (UINT64_C(1) << (h & 63))))
			continue;
		n = r->heads[h];

		while (n >= 0) {
			const struct needle *nd = &r->needles[n];

			if (nd->len <= len - i && memcmp(buf + i, nd->s, nd->len) == 0 &&
			    !in_marker(buf, len, i, nd->len) &&
			    (!nd->whole || whole_word(buf, len, i, nd->len, nd->whole))) {
				*pos = i;
				return n;
			}
			n = nd->next;
		}
	}
	return -1;
}

struct firsthit {
	bool		 found;
	size_t		 pos;
	const char	*kind;
};

static void
first_hit(const struct secret_hit *h, void *userdata)
{
	struct firsthit *f = userdata;

	if (!f->found) {
		f->found = true;
		f->pos = h->start;
		f->kind = h->kind;
	}
}

/*
 * Looks in buf for every value redacted so far (as is, URL-encoded,
 * JSON-escaped, base64 at any alignment; values under 4 bytes are not
 * searched, base64 forms only by stable parts of 8+ characters) and for the
 * secret patterns.  0 clean; 1 with *why naming kind and line, never the value.
 */
int
redact_verify(struct redactor *r, const char *buf, size_t len, char **why)
{
	struct firsthit f = { 0 };
	size_t pos = 0;
	ssize_t n;

	*why = NULL;
	(void)secretpat_scan(buf, len, first_hit, &f);
	index_values(r);
	n = find_needle(r, buf, len, &pos);
	if (n >= 0 && (!f.found || pos < f.pos)) {
		const struct needle *nd = &r->needles[n];

		*why = xasprintf("line %u: a value redacted as %s elsewhere appears (%s)",
		    line_of(buf, pos), r->values[nd->value].kind, nd->form);
		return 1;
	}
	if (f.found) {
		*why = xasprintf("line %u: %s pattern", line_of(buf, f.pos), f.kind);
		return 1;
	}
	return 0;
}

unsigned
redact_known(struct redactor *r, const char *buf, size_t len, char **out, size_t *outlen)
{
	struct buf b = { 0 };
	size_t pos = 0, at;
	unsigned n = 0;
	ssize_t k;

	*out = NULL;
	index_values(r);
	while (pos < len && (k = find_needle(r, buf + pos, len - pos, &at)) >= 0) {
		const struct needle *nd = &r->needles[k];

		buf_add(&b, buf + pos, at);
		buf_adds(&b, r->values[nd->value].marker);
		pos += at + nd->len;
		n++;
	}
	if (n == 0)
		return 0;
	buf_add(&b, buf + pos, len - pos);
	*out = buf_steal(&b, outlen);
	return n;
}

/* ---- one text before redaction ---- */

const char *
text_bom(const void *p, size_t n, size_t *marklen)
{
	static const struct {
		const char	*bom;
		size_t		 n;
		const char	*enc;
	} boms[] = {	/* UTF-32LE before UTF-16LE: its mark starts with the other's */
		{ "\xff\xfe\x00\x00", 4, "UTF-32LE" }, { "\x00\x00\xfe\xff", 4, "UTF-32BE" },
		{ "\xff\xfe", 2, "UTF-16LE" }, { "\xfe\xff", 2, "UTF-16BE" }, { "\xef\xbb\xbf", 3, "UTF-8" },
	};

	for (size_t i = 0; i < ELEMENTSOF(boms); i++)
		if (n >= boms[i].n && memcmp(p, boms[i].bom, boms[i].n) == 0) {
			*marklen = boms[i].n;
			return boms[i].enc;
		}
	*marklen = 0;
	return NULL;
}

int
redact_transcode(const char *in, size_t len, char **out, size_t *outlen, const char **from)
{
	iconv_t cd;
	char *ip, *op, *ob;
	size_t il, ol, cap, mark;

	*out = NULL;
	*from = text_bom(in, len, &mark);
	if (*from == NULL)
		return 0;
	if (strcmp(*from, "UTF-8") == 0) {
		*out = xmemdup(in + mark, len - mark);
		*outlen = len - mark;
		return 1;
	}
	cd = iconv_open("UTF-8", *from);
	if (cd == (iconv_t)-1)
		return -errno;
	ip = (char *)in + mark;
	il = len - mark;
	cap = il * 2 + 16;
	ob = op = xmalloc(cap + 1);
	ol = cap;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		int e = errno;

		iconv_close(cd);
		free(ob);
		return -(e ? e : EILSEQ);
	}
	iconv_close(cd);
	*outlen = (size_t)(op - ob);
	ob[*outlen] = '\0';
	*out = ob;
	return 1;
}

struct scanctx {
	const char	*buf;
	size_t		 pos;		/* where line was counted up to */
	unsigned	 line;		/* line number at pos */
	void		(*cb)(unsigned, const char *, void *);
	void		*userdata;
};

static void
scan_hit(const struct secret_hit *h, void *userdata)
{
	struct scanctx *s = userdata;
	const char *p = s->buf + s->pos, *end = s->buf + h->start, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		s->line++;
		p = nl + 1;
	}
	s->pos = h->start;
	if (s->cb != NULL)
		s->cb(s->line, h->kind, s->userdata);
	/* count lines inside the hit too, so the next line number is right */
	p = s->buf + h->start;
	end = s->buf + h->end;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		s->line++;
		p = nl + 1;
	}
	s->pos = h->end;
}

unsigned
secret_scan(const char *buf, size_t len,
    void (*cb)(unsigned line, const char *kind, void *userdata), void *userdata)
{
	struct scanctx s = { .buf = buf, .line = 1, .cb = cb, .userdata = userdata };

	return secretpat_scan(buf, len, scan_hit, &s);
}
