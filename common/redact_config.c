/*
 * redact_config.c: the configuration formats under default-deny (redact_deny.c):
 * unit files and drop-ins (Environment= values, Exec*= arguments), environment
 * files, argv arrays and a unit's D-Bus properties; and
 * the --dry-run description of it all.  Uses redact.c (markers, known values,
 * the pattern rules) and redact_deny.c; neither calls back here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "redact.h"
#include "secretpat.h"
#include "xalloc.h"

void
redact_describe(void (*cb)(const char *what, const char *example, void *userdata),
    void *userdata)
{
	cb("config files (YAML, JSON, env files, unit Environment= and Exec*= arguments)",
	    "default-deny: keys stay, a value stays only by one of the rules below", userdata);
	cb("keys inside a mapping under a secret-like key (apiKeys: {KEY: x})",
	    "stay only when they read as names (dbPassword, X-Api-Key, DB_HOST); others are redacted", userdata);
	redact_deny_describe(cb, userdata);
	cb("after every config is read", "each value redacted anywhere is removed from every file and "
	    "journal entry (as is, URL- and form-encoded, in lower case, JSON-escaped, base64, base64url, "
	    "UTF-16)", userdata);
	cb("free text (journal, log lines) and kept values", "the pattern rules:", userdata);
	secretpat_describe(cb, userdata);
}

/* ---- unit files ---- */

/* One word of a unit file line, as systemd splits it. */
struct uword {
	size_t		 rs, re;	/* raw bytes in the line, quotes included */
	struct buf	 content;	/* unquoted, unescaped */
	bool		 quoted;	/* had quotes */
};

/* A blank between words: space, tab, or a line continuation ("\\" newline). */
static bool
unit_blank(const char *s, size_t i, size_t e)
{
	return s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    (s[i] == '\\' && i + 1 < e && s[i + 1] == '\n');
}

/* Splits the next word at *p (blanks skipped by the caller); false at the end. */
static bool
unit_word(const char *s, size_t e, size_t *p, struct uword *w)
{
	size_t i = *p;
	char q = 0;

	buf_reset(&w->content);
	buf_add(&w->content, "", 0);
	w->rs = i;
	w->quoted = false;
	while (i < e) {
		char ch = s[i];

		if (q == 0 && unit_blank(s, i, e))
			break;
		if (q == 0 && (ch == '"' || ch == '\'')) {
			q = ch;
			w->quoted = true;
		} else if (q != 0 && ch == q)
			q = 0;
		else if (ch == '\\' && i + 1 < e && q != '\'') {
			buf_addc(&w->content, s[++i]);
		} else
			buf_addc(&w->content, ch);
		i++;
	}
	w->re = i;
	*p = i;
	return w->re > w->rs;
}

static void
add_quoted(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addc(b, '\\');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

/* Writes word w with its value part (from vo) replaced by marker, or text-redacted. */
static void
unit_emit(struct redactor *r, struct buf *b, const char *line, struct uword *w, size_t vo,
    const char *kind, redact_counts *counts, const char *rule)
{
	const char *c = w->content.data;
	size_t clen = w->content.len;
	_cleanup_free_ char *red = NULL;
	size_t redlen;
	struct buf tmp = { 0 };

	if (kind != NULL && vo < clen) {
		buf_add(&tmp, c, vo);
		buf_adds(&tmp, redact_value(r, kind, c + vo, clen - vo));
		redact_count(counts, rule);
	} else {
		redact_text(r, c, clen, &red, &redlen, counts);
		if (redlen == clen && memcmp(red, c, clen) == 0) {
			buf_add(b, line + w->rs, w->re - w->rs);
			return;
		}
		buf_add(&tmp, red, redlen);
	}
	if (w->quoted || memchr(tmp.data, ' ', tmp.len) || memchr(tmp.data, '\t', tmp.len))
		add_quoted(b, tmp.data, tmp.len);
	else
		buf_add(b, tmp.data, tmp.len);
	buf_free(&tmp);
}

/* Writes word w as its content up to vo, then rep, quoted when it must be. */
static void
unit_emit_rep(struct buf *b, struct uword *w, size_t vo, const char *rep)
{
	struct buf tmp = { 0 };

	buf_add(&tmp, w->content.data, vo);
	buf_adds(&tmp, rep);
	if (w->quoted || memchr(tmp.data, ' ', tmp.len) || memchr(tmp.data, '\t', tmp.len))
		add_quoted(b, tmp.data, tmp.len);
	else
		buf_add(b, tmp.data, tmp.len);
	buf_free(&tmp);
}

/* Environment= "A=1" B=2: every value is judged by default-deny under its variable's name. */
static void
unit_environment(struct redactor *r, struct buf *b, const char *s, size_t p, size_t e,
    redact_counts *counts)
{
	struct uword w = { 0 };

	while (p < e) {
		const char *c, *eq;

		while (p < e && unit_blank(s, p, e))
			buf_addc(b, s[p++]);
		if (!unit_word(s, e, &p, &w))
			break;
		c = w.content.data;
		eq = memchr(c, '=', w.content.len);
		if (eq != NULL) {
			size_t vo = (size_t)(eq - c) + 1;
			_cleanup_free_ char *rep = redact_deny_value(r, NULL, c, vo - 1, c + vo,
			    w.content.len - vo, counts);

			if (rep != NULL)
				unit_emit_rep(b, &w, vo, rep);
			else
				unit_emit(r, b, s, &w, 0, NULL, counts, NULL);
		} else {
			_cleanup_free_ char *rep = redact_deny_value(r, NULL, NULL, 0, c, w.content.len,
			    counts);

			if (rep != NULL)
				unit_emit_rep(b, &w, 0, rep);
			else
				unit_emit(r, b, s, &w, 0, NULL, counts, NULL);
		}
	}
	buf_free(&w.content);
}

/* ExecStart= and friends: the program stays; every argument is judged by default-deny. */
static void
unit_exec(struct redactor *r, struct buf *b, const char *s, size_t p, size_t e,
    redact_counts *counts)
{
	struct uword w = { 0 };
	struct buf flag = { 0 };
	bool first = true;

	while (p < e) {
		const char *c;
		_cleanup_free_ char *rep = NULL;

		while (p < e && unit_blank(s, p, e))
			buf_addc(b, s[p++]);
		if (!unit_word(s, e, &p, &w))
			break;
		c = w.content.data;
		if (first) {
			size_t k = 0;

			while (k < w.content.len && strchr("-@+!:|", c[k]) != NULL)
				k++;
			first = false;
			if (k < w.content.len && c[k] == '/' && memchr(c, ' ', w.content.len) == NULL) {
				buf_add(b, s + w.rs, w.re - w.rs);	/* the program */
				continue;
			}
		}
		rep = redact_deny_value(r, NULL, flag.len ? flag.data : NULL, flag.len, c, w.content.len,
		    counts);
		buf_reset(&flag);
		if (w.content.len > 1 && c[0] == '-' && memchr(c, '=', w.content.len) == NULL &&
		    rep == NULL)
			buf_add(&flag, c, w.content.len);	/* a flag: it names the next word */
		if (rep != NULL)
			unit_emit_rep(b, &w, 0, rep);
		else
			unit_emit(r, b, s, &w, 0, NULL, counts, NULL);
	}
	buf_free(&w.content);
	buf_free(&flag);
}

/*
 * SetCredential=ID:VALUE (and SetCredentialEncrypted=): the ID stays; the value is
 * the rest of the setting, blanks and all, and a credential: only a shape that
 * cannot carry a secret keeps it.  With id false (StandardInputText=,
 * StandardInputData=) the whole rest is the value.
 */
static void
unit_credential(struct redactor *r, struct buf *b, const char *s, size_t p, size_t e, bool id,
    redact_counts *counts)
{
	const char *colon = id ? memchr(s + p, ':', e - p) : NULL;
	size_t vs, ve = e;
	_cleanup_free_ char *rep = NULL;

	while (ve > p && (s[ve - 1] == ' ' || s[ve - 1] == '\t' || s[ve - 1] == '\r'))
		ve--;
	vs = colon != NULL ? (size_t)(colon - s) + 1 : p;
	buf_add(b, s + p, vs - p);
	rep = redact_deny_secret(r, NULL, KEY_STRONG, "credential", s + vs, ve - vs, counts);
	if (rep != NULL)
		buf_adds(b, rep);
	else
		buf_add(b, s + vs, ve - vs);
	buf_add(b, s + ve, e - ve);
}

/*
 * An environment file (NAME=value lines, "export NAME=value", comments): names
 * stay, every value (the whole rest of its line) is judged by default-deny.
 */
int
redact_env_file(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts)
{
	struct buf b = { 0 };
	size_t p = 0, midlen;
	_cleanup_free_ char *mid = NULL;

	buf_grow(&b, len + 64);
	while (p < len) {
		const char *nl = memchr(in + p, '\n', len - p);
		size_t e = nl != NULL ? (size_t)(nl - in) : len, k = p, ns, ne, vs, ve;

		while (k < e && (in[k] == ' ' || in[k] == '\t'))
			k++;
		buf_add(&b, in + p, k - p);
		if (k < e && in[k] == '#') {
			buf_addc(&b, '#');
			redact_count(counts, "comments");
			goto next;
		}
		if (e - k > 7 && memcmp(in + k, "export ", 7) == 0) {
			buf_add(&b, in + k, 7);
			k += 7;
		}
		ns = k;
		while (k < e && (isalnum((unsigned char)in[k]) || in[k] == '_' || in[k] == '.' || in[k] == '-'))
			k++;
		ne = k;
		while (k < e && (in[k] == ' ' || in[k] == '\t'))
			k++;
		if (ne == ns || k >= e || (in[k] != '=' && in[k] != ':')) {
			/* not an assignment: judged whole */
			_cleanup_free_ char *rep = redact_deny_value(r, NULL, NULL, 0, in + ns, e - ns, counts);

			buf_adds(&b, rep ? rep : "");
			if (rep == NULL)
				buf_add(&b, in + ns, e - ns);
			goto next;
		}
		k++;
		while (k < e && (in[k] == ' ' || in[k] == '\t'))
			k++;
		buf_add(&b, in + ns, k - ns);
		vs = k;
		ve = e;
		while (ve > vs && (in[ve - 1] == ' ' || in[ve - 1] == '\t' || in[ve - 1] == '\r'))
			ve--;
		{
			char q = 0;
			_cleanup_free_ char *rep = NULL;

			if (ve - vs >= 2 && (in[vs] == '"' || in[vs] == '\'') && in[ve - 1] == in[vs]) {
				q = in[vs];
				vs++;
				ve--;
			}
			rep = redact_deny_value(r, NULL, in + ns, ne - ns, in + vs, ve - vs, counts);
			if (q)
				buf_addc(&b, q);
			if (rep != NULL)
				buf_adds(&b, rep);
			else
				buf_add(&b, in + vs, ve - vs);
			if (q)
				buf_addc(&b, q);
		}
next:
		if (nl != NULL)
			buf_addc(&b, '\n');
		p = e + 1;
	}
	mid = buf_steal(&b, &midlen);
	return redact_text(r, mid, midlen, out, outlen, counts);
}

/*
 * A comment's text, [s, e) after its '#' or ';': replaced by one marker, never searched for
 * elsewhere (nobody vouched for it, and nothing says it is a secret).  The rules read no
 * comment, and a comment may say anything ("# deployed with token ...").
 */
static void
comment_text(struct redactor *r, struct buf *b, const char *in, size_t s, size_t e, redact_counts *counts)
{
	size_t t = e;

	while (s < e && (in[s] == ' ' || in[s] == '\t'))
		buf_addc(b, in[s++]);
	while (t > s && (in[t - 1] == ' ' || in[t - 1] == '\t' || in[t - 1] == '\r'))
		t--;
	if (t > s) {
		buf_adds(b, redact_value_here(r, "comment", in + s, t - s));
		redact_count(counts, "comment");
	}
	buf_add(b, in + t, e - t);
}

int
redact_comment_file(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts)
{
	struct buf b = { 0 };
	size_t p = 0;
	_cleanup_free_ char *mid = NULL;
	size_t midlen;

	buf_grow(&b, len + 64);
	while (p < len) {
		const char *nl = memchr(in + p, '\n', len - p);
		size_t e = nl != NULL ? (size_t)(nl - in) : len, k = p;
		const char *hash = NULL;

		while (k < e && (in[k] == ' ' || in[k] == '\t'))
			k++;
		/* a '#' at the line's start or after a blank starts a comment: "DNS=10.20.0.2#dns.example" is
		 * systemd's DNS-over-TLS server name, no comment */
		for (size_t h = k; h < e && hash == NULL; h++)
			if (in[h] == '#' && (h == k || in[h - 1] == ' ' || in[h - 1] == '\t'))
				hash = in + h;
		if (k < e && in[k] == ';')
			hash = in + k;
		if (hash != NULL) {
			size_t h = (size_t)(hash - in);

			buf_add(&b, in + p, h + 1 - p);
			comment_text(r, &b, in, h + 1, e, counts);
		} else
			buf_add(&b, in + p, e - p);
		if (nl != NULL)
			buf_addc(&b, '\n');
		p = e + 1;
	}
	mid = buf_steal(&b, &midlen);
	return redact_text(r, mid, midlen, out, outlen, counts);
}

#include "unit_keys.h"

static int
unit_key_cmp(const void *key, const void *elem)
{
	const struct { const char *s; size_t n; } *k = key;
	const char *e = *(const char *const *)elem;
	size_t el = strlen(e);
	int c = memcmp(k->s, e, k->n < el ? k->n : el);

	return c != 0 ? c : (k->n > el) - (k->n < el);
}

/* True for a setting systemd knows in [Unit], [Service] or [Install] (unit_keys.h). */
static bool
unit_key_known(const char *s, size_t n)
{
	struct { const char *s; size_t n; } k = { s, n };

	return bsearch(&k, unit_keys, ELEMENTSOF(unit_keys), sizeof(unit_keys[0]), unit_key_cmp) != NULL;
}

/*
 * Redacts a unit file: Environment= assignments by variable name, Exec*=
 * arguments by flag name, then everything by the pattern rules.
 */
int
redact_unit_file(struct redactor *r, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts)
{
	struct buf b = { 0 };
	size_t p = 0;
	_cleanup_free_ char *mid = NULL;
	size_t midlen;
	bool vendor = false;	/* in a section systemd does not read for a service ([X-...], ...) */

	buf_grow(&b, len + 64);
	while (p < len) {
		const char *nl = memchr(in + p, '\n', len - p);
		size_t e = nl != NULL ? (size_t)(nl - in) : len, k = p, eq;

		while (k < e && (in[k] == ' ' || in[k] == '\t'))
			k++;
		if (k < e && in[k] == '[')
			vendor = !((e - k >= 6 && memcmp(in + k, "[Unit]", 6) == 0) ||
			    (e - k >= 9 && memcmp(in + k, "[Service]", 9) == 0) ||
			    (e - k >= 9 && memcmp(in + k, "[Install]", 9) == 0));
		if (k < e && (in[k] == '#' || in[k] == ';')) {
			/* a comment line (systemd has no comment after a setting) */
			buf_add(&b, in + p, k + 1 - p);
			comment_text(r, &b, in, k + 1, e, counts);
			goto next;
		}
		for (eq = k; eq < e && in[eq] != '=' && in[eq] != ' ' && in[eq] != '\t'; eq++)
			;
		/* "Key = value" is allowed too */
		{
			size_t q = eq;

			while (q < e && (in[q] == ' ' || in[q] == '\t'))
				q++;
			if (q < e && in[q] == '=') {
				size_t v = q + 1;

				while (v < e && (in[v] == ' ' || in[v] == '\t'))
					v++;
				/* assignments: Environment=, LogExtraFields=, UnsetEnvironment= (NAME or NAME=VALUE) */
				bool env = (eq - k == 11 && memcmp(in + k, "Environment", 11) == 0) ||
				    (eq - k == 14 && memcmp(in + k, "LogExtraFields", 14) == 0) ||
				    (eq - k == 16 && memcmp(in + k, "UnsetEnvironment", 16) == 0);
				bool exec = eq - k > 4 && memcmp(in + k, "Exec", 4) == 0;
				bool cred = (eq - k == 13 && memcmp(in + k, "SetCredential", 13) == 0) ||
				    (eq - k == 22 && memcmp(in + k, "SetCredentialEncrypted", 22) == 0);
				/* what the service reads on stdin (text, or base64): the whole rest of the line */
				bool stdin_data = (eq - k == 17 && (memcmp(in + k, "StandardInputText", 17) == 0 ||
				    memcmp(in + k, "StandardInputData", 17) == 0));

				/*
				 * free text anyone writes, vendor settings and settings systemd does not
				 * know (a misspelled Enviroment=): the whole value by default-deny
				 */
				bool whole = vendor || !unit_key_known(in + k, eq - k) ||
				    (eq - k == 11 && memcmp(in + k, "Description", 11) == 0);

				/* continuation lines belong to the setting */
				while ((env || exec || cred || stdin_data || whole) && nl != NULL && e > p && in[e - 1] == '\\') {
					nl = memchr(in + e + 1, '\n', len - e - 1);
					e = nl != NULL ? (size_t)(nl - in) : len;
				}
				if (env) {
					buf_add(&b, in + p, v - p);
					unit_environment(r, &b, in, v, e, counts);
					goto next;
				}
				if (exec) {
					buf_add(&b, in + p, v - p);
					unit_exec(r, &b, in, v, e, counts);
					goto next;
				}
				if (cred || stdin_data) {
					buf_add(&b, in + p, v - p);
					unit_credential(r, &b, in, v, e, cred, counts);
					goto next;
				}
				if (whole) {
					size_t ve = e;
					_cleanup_free_ char *rep = NULL;

					while (ve > v && (in[ve - 1] == ' ' || in[ve - 1] == '\t' || in[ve - 1] == '\r'))
						ve--;
					rep = redact_deny_value(r, NULL, in + k, eq - k, in + v, ve - v, counts);
					if (rep != NULL) {
						buf_add(&b, in + p, v - p);
						buf_adds(&b, rep);
						buf_add(&b, in + ve, e - ve);
						goto next;
					}
				}
			}
		}
		buf_add(&b, in + p, e - p);
next:
		if (nl != NULL)
			buf_addc(&b, '\n');
		p = e + 1;
	}
	/* then the pattern rules over everything (idempotent on what is done) */
	mid = buf_steal(&b, &midlen);
	return redact_text(r, mid, midlen, out, outlen, counts);
}

/* One argv array of an Exec* property: the program stays, every argument by default-deny. */
unsigned
redact_argv_deny(struct redactor *r, json_t *argv, redact_counts *counts)
{
	const char *flag = NULL;
	unsigned n = 0;
	size_t i;
	json_t *e;

	json_array_foreach(argv, i, e) {
		const char *a = json_string_value(e);
		size_t al = json_string_length(e);
		_cleanup_free_ char *rep = NULL;

		if (a == NULL || i == 0) {
			flag = NULL;
			continue;
		}
		rep = redact_deny_value(r, NULL, flag, flag ? strlen(flag) : 0, a, al, counts);
		flag = rep == NULL && al > 1 && a[0] == '-' && memchr(a, '=', al) == NULL ? a : NULL;
		if (rep != NULL) {
			json_array_set_new(argv, i, json_string(rep));
			n++;
		}
	}
	return n;
}

/* "NAME=VALUE" (a D-Bus Environment entry): the name stays, VALUE by default-deny; NULL when it stays. */
static char *
deny_assignment(struct redactor *r, const char *a, size_t len, redact_counts *counts)
{
	const char *eq = memchr(a, '=', len);
	_cleanup_free_ char *rep = NULL;

	if (eq == NULL)
		return redact_deny_value(r, NULL, NULL, 0, a, len, counts);
	rep = redact_deny_value(r, NULL, a, (size_t)(eq - a), eq + 1, len - (size_t)(eq - a) - 1, counts);
	return rep != NULL ? xasprintf("%.*s=%s", (int)(eq - a), a, rep) : NULL;
}

/* A D-Bus byte array (JSON array of 0..255) as bytes in *b; false when v is no such array. */
static bool
json_bytes(json_t *v, struct buf *b)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return false;
	buf_reset(b);
	buf_add(b, "", 0);
	json_array_foreach(v, i, e) {
		json_int_t x = json_integer_value(e);

		if (!json_is_integer(e) || x < 0 || x > 255)
			return false;
		buf_addc(b, (char)x);
	}
	return true;
}

/* A string array of "NAME=VALUE" (Environment, UnsetEnvironment): values by default-deny. */
static unsigned
deny_env_array(struct redactor *r, json_t *v, redact_counts *counts)
{
	unsigned n = 0;
	size_t i;
	json_t *e;

	json_array_foreach(v, i, e) {
		_cleanup_free_ char *rep = NULL;

		if (!json_is_string(e) || (rep = deny_assignment(r, json_string_value(e), json_string_length(e),
		    counts)) == NULL)
			continue;
		json_array_set_new(v, i, json_string(rep));
		n++;
	}
	return n;
}

unsigned
redact_unit_props(struct redactor *r, json_t *props, redact_counts *counts)
{
	struct buf b = { 0 };
	const char *k;
	json_t *v, *e;
	unsigned n = 0;
	size_t i;

	json_object_foreach(props, k, v) {
		if ((strcmp(k, "Environment") == 0 || strcmp(k, "UnsetEnvironment") == 0) && json_is_array(v)) {
			n += deny_env_array(r, v, counts);
		} else if (strncmp(k, "Exec", 4) == 0 && json_is_array(v)) {
			/* [[path, [argv...], ignore, ...], ...] */
			json_array_foreach(v, i, e)
				if (json_is_array(e) && json_is_array(json_array_get(e, 1)))
					n += redact_argv_deny(r, json_array_get(e, 1), counts);
		} else if (strcmp(k, "Description") == 0 && json_is_string(v)) {
			/* free text anyone may write: kept only by a shape, as a config value */
			_cleanup_free_ char *rep = redact_deny_value(r, NULL, NULL, 0, json_string_value(v),
			    json_string_length(v), counts);

			if (rep != NULL) {
				json_string_set(v, rep);
				n++;
			}
		} else if ((strcmp(k, "SetCredential") == 0 || strcmp(k, "SetCredentialEncrypted") == 0) &&
		    json_is_array(v)) {
			/* [[id, [bytes...]], ...]: the id stays, the value is a credential */
			json_array_foreach(v, i, e) {
				json_t *val = json_array_get(e, 1);
				_cleanup_free_ char *rep = NULL;

				if (!json_bytes(val, &b) || b.len == 0)
					continue;
				rep = redact_deny_secret(r, NULL, KEY_STRONG, "credential", b.data, b.len, counts);
				if (rep != NULL) {
					json_array_set_new(e, 1, json_string(rep));
					n++;
				}
			}
		} else if (strcmp(k, "LogExtraFields") == 0 && json_is_array(v)) {
			/* [[bytes of "NAME=VALUE"], ...]: the name stays, VALUE by default-deny, written as a string */
			json_array_foreach(v, i, e) {
				_cleanup_free_ char *rep = NULL;
				json_t *s;

				if (!json_bytes(e, &b))
					continue;
				rep = deny_assignment(r, b.data, b.len, counts);
				s = json_stringn(rep != NULL ? rep : b.data, rep != NULL ? strlen(rep) : b.len);
				if (s == NULL)	/* not UTF-8: the whole field goes */
					s = json_string(redact_value(r, "value", b.data, b.len));
				json_array_set_new(v, i, s);
				n += rep != NULL;
			}
		} else if (strcmp(k, "StandardInputData") == 0 && json_bytes(v, &b) && b.len > 0) {
			/* StandardInputData=/StandardInputText=: whatever the service reads on stdin */
			json_object_set_new(props, k, json_string(redact_value(r, "value", b.data, b.len)));
			redact_count(counts, "default-deny");
			n++;
		}
	}
	buf_free(&b);
	return n;
}

