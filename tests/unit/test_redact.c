/* test_redact.c: redaction leaks nothing planted in the corpus, keeps what analysis needs, stays bounded. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <yaml.h>

#include "cleanup.h"
#include "redact.h"
#include "xalloc.h"

#define CORPUS "tests/redact/corpus"

static const char *const corpus_files[] = {
	"agent.config.yaml", "onboarding.config.yaml", "onboarding-agent.service", "10-env.conf",
	"env-agent-config.json", "env-onboarding-config.json", "journal.txt",
};

static char *
top_path(const char *rel)
{
	const char *top = getenv("TRIAGE_TOP");

	return top != NULL ? xasprintf("%s/%s", top, rel) : xstrdup(rel);
}

static char *
slurp(const char *rel, size_t *lenp)
{
	char *path = top_path(rel);
	FILE *f = fopen(path, "re");
	struct buf b = { 0 };
	char tmp[65536];
	size_t n;

	if (f == NULL)
		fail_msg("cannot open %s (run from the top of the tree or set TRIAGE_TOP)", path);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	free(path);
	return buf_steal(&b, lenp);
}

/* Non-comment, non-empty lines of a list file. */
static char **
read_list(const char *rel, size_t *np)
{
	size_t len, n = 0;
	char *text = slurp(rel, &len), *line, *save = NULL;
	char **v = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xstrdup(line);
	}
	free(text);
	*np = n;
	return v;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool
ends(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Redacts one corpus file the way the collector does; returns the output. */
static char *
redact_file(struct redactor *r, const char *name, const char *in, size_t len, size_t *outlen,
    json_t *counts)
{
	char *out = NULL, *err = NULL;
	int rc;

	if (ends(name, ".yaml")) {
		rc = redact_yaml(r, in, len, &out, outlen, counts, &err);
		assert_int_equal(rc, 0);
	} else if (ends(name, ".json")) {
		rc = redact_json_config(r, in, len, &out, outlen, counts, &err);
		assert_int_equal(rc, 0);
	} else if (ends(name, ".service") || ends(name, ".conf")) {
		assert_int_equal(redact_unit_file(r, in, len, &out, outlen, counts), 0);
	} else {
		/* a journal: MESSAGE by MESSAGE, as the collector calls it */
		struct buf b = { 0 };
		size_t p = 0;

		while (p < len) {
			const char *nl = memchr(in + p, '\n', len - p);
			size_t e = nl != NULL ? (size_t)(nl - in) : len, ol;
			char *o;

			if (redact_text_maybe(in + p, e - p)) {
				assert_int_equal(redact_text(r, in + p, e - p, &o, &ol, counts), 0);
				buf_add(&b, o, ol);
				free(o);
			} else
				buf_add(&b, in + p, e - p);
			buf_addc(&b, '\n');
			p = e + 1;
		}
		out = buf_steal(&b, outlen);
	}
	free(err);
	return out;
}

static char *
b64(const char *s, size_t n)
{
	char *o = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)o, (const unsigned char *)s, (int)n);
	return o;
}

static char *
urlenc(const char *s)
{
	struct buf b = { 0 };

	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr("-._~", *s) != NULL)
			buf_addc(&b, *s);
		else
			buf_printf(&b, "%%%02X", (unsigned char)*s);
	}
	return buf_steal(&b, NULL);
}

/* Fails if value appears in out as is, URL-encoded, or base64 at any alignment. */
static void
assert_absent(const char *file, const char *out, size_t outlen, const char *value)
{
	size_t vl = strlen(value), a;
	char *u = urlenc(value);

	if (memmem(out, outlen, value, vl) != NULL)
		fail_msg("%s: planted value \"%s\" survived", file, value);
	if (memmem(out, outlen, u, strlen(u)) != NULL)
		fail_msg("%s: planted value \"%s\" survived URL-encoded", file, value);
	free(u);
	for (a = 0; a < 3 && a < vl; a++) {
		size_t n = (vl - a) / 3 * 3;
		char *e;

		if (n < 6)
			continue;
		e = b64(value + a, n);
		if (memmem(out, outlen, e, strlen(e)) != NULL)
			fail_msg("%s: planted value \"%s\" survived base64-encoded", file, value);
		free(e);
	}
}

static void
test_corpus_no_leaks(void **state)
{
	struct redactor *r = redactor_new();
	json_t *counts = json_object();
	size_t np, i, j;
	char **planted = read_list("tests/redact/planted.txt", &np);
	unsigned total_redacted = 0;

	(void)state;
	assert_true(np >= 60);
	for (i = 0; i < sizeof(corpus_files) / sizeof(corpus_files[0]); i++) {
		char *rel = xasprintf(CORPUS "/%s", corpus_files[i]);
		size_t len, outlen;
		char *in = slurp(rel, &len), *out;
		char *why = NULL;

		out = redact_file(r, corpus_files[i], in, len, &outlen, counts);
		for (j = 0; j < np; j++)
			assert_absent(corpus_files[i], out, outlen, planted[j]);
		/* what the collector checks before writing */
		if (redact_verify(r, out, outlen, &why) != 0)
			fail_msg("%s: verify: %s", corpus_files[i], why);
		assert_int_equal(secret_scan(out, outlen, NULL, NULL), 0);
		free(in);
		free(out);
		free(rel);
	}
	/* every planted value was seen and redacted somewhere */
	{
		const char *k;
		json_t *v;

		json_object_foreach(counts, k, v)
			total_redacted += (unsigned)json_integer_value(v);
	}
	assert_true(total_redacted >= np - 2);
	free_list(planted, np);
	json_decref(counts);
	redactor_free(r);
}

static void
test_corpus_keeps(void **state)
{
	struct redactor *r = redactor_new();
	size_t nk, i, j;
	char **keep = read_list("tests/redact/keep.txt", &nk);
	bool *seen = xcalloc(nk, sizeof(*seen));

	(void)state;
	for (i = 0; i < sizeof(corpus_files) / sizeof(corpus_files[0]); i++) {
		char *rel = xasprintf(CORPUS "/%s", corpus_files[i]);
		size_t len, outlen;
		char *in = slurp(rel, &len), *out;

		out = redact_file(r, corpus_files[i], in, len, &outlen, NULL);
		for (j = 0; j < nk; j++) {
			if (memmem(in, len, keep[j], strlen(keep[j])) == NULL)
				continue;
			seen[j] = true;
			if (memmem(out, outlen, keep[j], strlen(keep[j])) == NULL)
				fail_msg("%s: keep value \"%s\" was lost", corpus_files[i], keep[j]);
		}
		free(in);
		free(out);
		free(rel);
	}
	for (j = 0; j < nk; j++)
		if (!seen[j])
			fail_msg("keep value \"%s\" is in no corpus file", keep[j]);
	free(seen);
	free_list(keep, nk);
	redactor_free(r);
}

/* The shape of a YAML stream: event types, mapping keys, alias names. */
static char *
yaml_shape(const char *in, size_t len)
{
	yaml_parser_t p;
	struct buf b = { 0 };
	bool stack[512];	/* per level: mapping expecting a key */
	bool ismap[512];
	size_t depth = 0;
	bool done = false;

	assert_true(yaml_parser_initialize(&p));
	yaml_parser_set_input_string(&p, (const unsigned char *)in, len);
	while (!done) {
		yaml_event_t ev;
		bool key;

		if (!yaml_parser_parse(&p, &ev))
			fail_msg("does not parse: line %zu: %s", p.problem_mark.line + 1, p.problem);
		key = depth > 0 && ismap[depth - 1] && stack[depth - 1];
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			if (key)
				buf_printf(&b, "K(%s)", (const char *)ev.data.scalar.value);
			else
				buf_adds(&b, "S");
			break;
		case YAML_ALIAS_EVENT:
			buf_printf(&b, "A(%s)", (const char *)ev.data.alias.anchor);
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			buf_adds(&b, ev.type == YAML_MAPPING_START_EVENT ? "{" : "[");
			assert_true(depth < 512);
			ismap[depth] = ev.type == YAML_MAPPING_START_EVENT;
			stack[depth] = true;
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			buf_adds(&b, ev.type == YAML_MAPPING_END_EVENT ? "}" : "]");
			depth--;
			break;
		case YAML_DOCUMENT_START_EVENT:
			buf_adds(&b, "<doc>");
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		/* a finished node flips its mapping between key and value */
		if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
		    ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			if (depth > 0 && ismap[depth - 1])
				stack[depth - 1] = !stack[depth - 1];
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return buf_steal(&b, NULL);
}

static void
check_same_shape(const char *name, const char *in, size_t len)
{
	struct redactor *r = redactor_new();
	char *out = NULL, *err = NULL, *s1, *s2;
	size_t outlen;
	int rc;

	rc = ends(name, ".json") ? redact_json_config(r, in, len, &out, &outlen, NULL, &err) :
	    redact_yaml(r, in, len, &out, &outlen, NULL, &err);
	if (rc != 0)
		fail_msg("%s: %s", name, err);
	s1 = yaml_shape(in, len);
	s2 = yaml_shape(out, outlen);
	if (strcmp(s1, s2) != 0)
		fail_msg("%s: structure changed:\n%s\n%s", name, s1, s2);
	free(s1);
	free(s2);
	free(out);
	free(err);
	redactor_free(r);
}

static void
test_yaml_structure(void **state)
{
	static const char *const extra[] = {
		"a: &x {password: p4ss-w0rd-1, list: [1, 2]}\nb: *x\nc: [*x, *x]\n",
		"- {name: API_TOKEN, value: t0k3n-v4lue}\n- {value: v4lue-f1rst, name: TOKEN}\n",
		"secret:\n  nested:\n    - a: 1\n      b: [x, y]\n    - &q 'quoted'\n  k: *q\n",
		"? complex key\n: password-like value\n? [a, b]\n: {token: c0mplex-t0k3n}\n",
		"%YAML 1.1\n---\nk: !!str v\npassword: !!binary aGVsbG8gd29ybGQ=\n...\n---\nx: 1\n",
		"token: |-\n  line one\n  line 2\nother: >+\n  folded\n\n",
		"args: [--token, sec-ret-1, --client-secret=s3c, --flag, --password]\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(corpus_files) / sizeof(corpus_files[0]); i++) {
		char *rel;
		size_t len;
		char *in;

		if (!ends(corpus_files[i], ".yaml") && !ends(corpus_files[i], ".json"))
			continue;
		rel = xasprintf(CORPUS "/%s", corpus_files[i]);
		in = slurp(rel, &len);
		check_same_shape(corpus_files[i], in, len);
		free(in);
		free(rel);
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		check_same_shape("extra.yaml", extra[i], strlen(extra[i]));
}

static char *
redact_named(struct redactor *r, const char *name)
{
	char *rel = xasprintf(CORPUS "/%s", name), *in, *out;
	size_t len, outlen;

	in = slurp(rel, &len);
	out = redact_file(r, name, in, len, &outlen, NULL);
	free(in);
	free(rel);
	return out;
}

static void
test_same_marker_across_files(void **state)
{
	static const char shared[] = "Pl4nt-shared-across-files-0029";
	struct redactor *r = redactor_new(), *r2 = redactor_new();
	char *a = redact_named(r, "agent.config.yaml");
	char *b = redact_named(r, "onboarding.config.yaml");
	char *c = redact_named(r, "10-env.conf");
	char *a2 = redact_named(r2, "agent.config.yaml");
	char *m = xstrdup(redact_value(r, "password", shared, strlen(shared)));
	const char *m2 = redact_value(r2, "password", shared, strlen(shared));

	(void)state;
	assert_non_null(strstr(m, "<redacted:password:"));
	assert_non_null(strstr(a, m));
	assert_non_null(strstr(b, m));
	assert_non_null(strstr(c, m));
	/* another bundle: another key, other markers */
	assert_string_not_equal(m, m2);
	assert_null(strstr(a2, m));
	assert_non_null(strstr(a2, m2));
	free(a);
	free(b);
	free(c);
	free(a2);
	free(m);
	redactor_free(r);
	redactor_free(r2);
}

static void
test_verify_catches_reinserted(void **state)
{
	static const char secret[] = "Pl4nt-verify-me/0099+x";
	static const char yaml[] = "password: Pl4nt-verify-me/0099+x\nhost: h.example.invalid\n";
	struct redactor *r = redactor_new();
	char *out, *why = NULL, *u, *e;
	size_t outlen, a;
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(redact_yaml(r, yaml, strlen(yaml), &out, &outlen, NULL, NULL), 0);
	assert_int_equal(redact_verify(r, out, outlen, &why), 0);
	assert_null(why);

	/* as is */
	buf_printf(&b, "%sline: %s\n", out, secret);
	assert_int_equal(redact_verify(r, b.data, b.len, &why), 1);
	assert_non_null(strstr(why, "line 3"));
	assert_null(strstr(why, secret));
	free(why);
	/* URL-encoded */
	u = urlenc(secret);
	buf_reset(&b);
	buf_printf(&b, "x\n?q=%s\n", u);
	assert_int_equal(redact_verify(r, b.data, b.len, &why), 1);
	assert_non_null(strstr(why, "URL-encoded"));
	assert_non_null(strstr(why, "line 2"));
	free(why);
	free(u);
	/* base64 behind 0, 1 or 2 bytes of something else */
	for (a = 0; a < 3; a++) {
		char pre[64];

		snprintf(pre, sizeof(pre), "%.*s%s", (int)a, "zz", secret);
		e = b64(pre, strlen(pre));
		buf_reset(&b);
		buf_printf(&b, "data: %s\n", e);
		assert_int_equal(redact_verify(r, b.data, b.len, &why), 1);
		assert_non_null(strstr(why, "base64"));
		assert_null(strstr(why, secret));
		free(why);
		free(e);
	}
	/* a short value inside another marker's hash is no leak */
	(void)redact_value(r, "password", "a1b2", 4);
	buf_reset(&b);
	buf_adds(&b, "x: <redacted:token:a1b2ff>\n");
	assert_int_equal(redact_verify(r, b.data, b.len, &why), 0);
	buf_adds(&b, "y: a1b2\n");
	assert_int_equal(redact_verify(r, b.data, b.len, &why), 1);
	assert_non_null(strstr(why, "line 2"));
	free(why);
	/* a secret pattern nobody redacted yet */
	buf_reset(&b);
	buf_adds(&b, "ok\nAuthorization: Bearer abcdef0123456789\n");
	assert_int_equal(redact_verify(r, b.data, b.len, &why), 1);
	assert_non_null(strstr(why, "line 2"));
	assert_null(strstr(why, "abcdef0123456789"));
	free(why);
	buf_free(&b);
	free(out);
	redactor_free(r);
}

/* Many values: verify switches to its hashed scan, and must still find each. */
static void
test_verify_many_values(void **state)
{
	struct redactor *r = redactor_new();
	char val[64], *why = NULL, *e;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		snprintf(val, sizeof(val), "many-secret-%03d-xyz", i);
		(void)redact_value(r, "token", val, strlen(val));
	}
	assert_int_equal(redact_verify(r, "nothing here\n", 13, &why), 0);
	for (i = 0; i < 200; i += 37) {
		char buf[256];

		snprintf(val, sizeof(val), "many-secret-%03d-xyz", i);
		snprintf(buf, sizeof(buf), "a\nb\nc %s d\n", val);
		assert_int_equal(redact_verify(r, buf, strlen(buf), &why), 1);
		assert_non_null(strstr(why, "line 3"));
		free(why);
		e = b64(val + 1, strlen(val) - 1);
		snprintf(buf, sizeof(buf), "k: %s\n", e);
		assert_int_equal(redact_verify(r, buf, strlen(buf), &why), 1);
		free(why);
		free(e);
	}
	redactor_free(r);
}

/* Redacted text is quiet under the leak check and redacting it again changes nothing. */
static void
test_idempotent(void **state)
{
	static const char *const texts[] = {
		"password=a1b2c3 token: x9y8z7 Authorization: Bearer abc123def456\n",
		"https://u:p4ss@h.example.invalid/ and eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz\n",
		"{\"secret\": \"s3\", \"apiKey\": 12345, \"x\": \"password is hunter22\"}\n",
		"AKIAABCDEFGHIJKLMNOP aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
		"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\nkey: |\n  abc\n",
		"  - password: &a p1\n  - token: *a\n  cookie: a=b; c=d\n",
		"--token t0ken --client-secret=s3c \"--password p4ss\"\n",
		"set-cookie: sid=abc123; Path=/\nLS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t\n",
	};
	struct redactor *r = redactor_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *o1, *o2;
		size_t l1, l2;

		assert_int_equal(redact_text(r, texts[i], strlen(texts[i]), &o1, &l1, NULL), 0);
		assert_int_equal(redact_text(r, o1, l1, &o2, &l2, NULL), 0);
		if (l1 != l2 || memcmp(o1, o2, l1) != 0)
			fail_msg("not idempotent:\n%s\n%s", o1, o2);
		if (secret_scan(o1, l1, NULL, NULL) != 0)
			fail_msg("leak check fires on redacted text:\n%s", o1);
		assert_true(l1 != strlen(texts[i]) || memcmp(o1, texts[i], l1) != 0);
		free(o1);
		free(o2);
	}
	redactor_free(r);
}

/* The agent's own lines, and sentences around secrets without a value, pass unchanged. */
static void
test_keep_lines(void **state)
{
	size_t nk, i;
	char **keep = read_list("tests/redact/keep.txt", &nk);
	struct redactor *r = redactor_new();

	(void)state;
	for (i = 0; i < nk; i++) {
		char *o;
		size_t ol;

		assert_int_equal(redact_text(r, keep[i], strlen(keep[i]), &o, &ol, NULL), 0);
		if (ol != strlen(keep[i]) || memcmp(o, keep[i], ol) != 0)
			fail_msg("changed: \"%s\" -> \"%s\"", keep[i], o);
		assert_int_equal(secret_scan(keep[i], strlen(keep[i]), NULL, NULL), 0);
		free(o);
	}
	free_list(keep, nk);
	redactor_free(r);
}

/* redact_text_maybe() is never false where redact_text() would change something. */
static void
test_maybe_is_safe(void **state)
{
	struct redactor *r = redactor_new();
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(corpus_files) / sizeof(corpus_files[0]); i++) {
		char *rel = xasprintf(CORPUS "/%s", corpus_files[i]);
		char *in = slurp(rel, &len);
		size_t p = 0;

		while (p < len) {
			const char *nl = memchr(in + p, '\n', len - p);
			size_t e = nl != NULL ? (size_t)(nl - in) : len, ol;
			char *o;

			assert_int_equal(redact_text(r, in + p, e - p, &o, &ol, NULL), 0);
			if (!redact_text_maybe(in + p, e - p))
				assert_true(ol == e - p && memcmp(o, in + p, ol) == 0);
			free(o);
			p = e + 1;
		}
		free(in);
		free(rel);
	}
	assert_false(redact_text_maybe("plain line with nothing", 23));
	assert_false(redact_text_maybe("https://onboarding.example.invalid:15443/x", 42));
	assert_true(redact_text_maybe("https://u:p@h", 13));
	redactor_free(r);
}

static void
test_key_classes(void **state)
{
	static const char *const secret[] = {
		"password", "Password", "PASSWD", "pwd", "db_pass", "secret", "client_secret",
		"Client-Secret", "clientSecret", "client.secret", "CLIENT_SECRET", "EXT_JWT_CLIENT_SECRET",
		"token", "access_token", "apikey", "api_key", "x-api-key", "apiKey", "access_key",
		"secret_access_key", "AWS_SECRET_ACCESS_KEY", "private_key", "privateKey",
		"credential", "credentials", "auth", "authorization", "Authorization", "cookie",
		"Set-Cookie", "session_id", "sessionId", "bearer", "--client-secret", "--token",
		"passphrase", "clientsecret",
	};
	static const char *const plain[] = {
		"host", "port", "name", "path", "secretName", "tokenFile", "token_path", "PASSWORD_FILE",
		"credentialsFile", "author", "authority", "authentication", "authenticated", "OnboardingPolicy",
		"sessionTimeout", "insecureSkipVerify", "transportSecurity", "LoadCredential",
		"_AUDIT_SESSION", "SESSION", "key", "passthrough", "bypass", "token_type", "auth_mode",
		"secretKeyRef", "caFile", "plugin", "workloadGroup",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (!redact_key_is_secret(secret[i], strlen(secret[i])))
			fail_msg("\"%s\" should be secret-like", secret[i]);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (redact_key_is_secret(plain[i], strlen(plain[i])))
			fail_msg("\"%s\" should not be secret-like", plain[i]);
}

/* Each text form, alone: what goes and what stays. */
static void
test_text_forms(void **state)
{
	static const struct {
		const char *in, *gone, *kept, *kind;
	} cases[] = {
		{ "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAK\nQQQ=\n-----END RSA PRIVATE KEY-----\n",
		  "MIIEpAIBAAK", NULL, "private-key" },
		{ "k -----BEGIN PRIVATE KEY----- MIIEvQIB -----END PRIVATE KEY----- k", "MIIEvQIB",
		  NULL, "private-key" },
		{ "{\"key\":\"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE\\n-----END EC PRIVATE KEY-----\\n\"}",
		  "MHcCAQEE", "{\"key\":\"", "private-key" },
		{ "truncated -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nQQQQ", "MIIEvQIBADAN", "truncated",
		  "private-key" },
		{ "data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTg==", "LS0tLS1CRUdJTi",
		  "data: ", "private-key" },
		{ "ca: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJ", NULL, "LS0tLS1CRUdJTiBDRVJU", NULL },
		{ "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz end", "c2lnbmF0dXJlMTIz",
		  " end", "jwt" },
		{ "id AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE", "id ", "aws-access-key" },
		{ "aws_secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "aws_secret=",
		  NULL },
		{ "AWS key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "AWS key",
		  "aws-secret-key" },
		{ "Authorization: Bearer abc.def-123", "abc.def-123", "Authorization: Bearer ", "bearer" },
		{ "authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "Basic ", "basic-auth" },
		{ "curl -H 'Bearer 0123456789abcdef'", "0123456789abcdef", "Bearer ", "bearer" },
		{ "amqp://guest:gu3st@mq.example.invalid:5672/", "gu3st", "amqp://guest:", "url-password" },
		{ "http://u:p@ss@h.example.invalid/x", "p@ss", "@h.example.invalid/x", "url-password" },
		{ "client_secret=abc123 next", "abc123", " next", "secret" },
		{ "--client-secret=abc123", "abc123", "--client-secret=", "secret" },
		{ "run --token abc124 --v", "abc124", "--token ", "token" },
		{ "\"password\": \"p w d\"", "p w d", "\"password\": \"", "password" },
		{ "the password is hunter22.", "hunter22", "the password is ", "password" },
		{ "secret: s3kr1t", "s3kr1t", "secret: ", "secret" },
		{ "url?token=abc123&x=1", "abc123", "&x=1", "token" },
		{ "password: |\n  line1\n  line2\nnext: 1\n", "line2", "next: 1", "password" },
		{ "check token: invalid", NULL, "token: invalid", NULL },
		{ "password is required", NULL, "password is required", NULL },
		{ "failed to refresh token: context deadline exceeded", NULL, "context", NULL },
		{ "credential: aws-ec2-credential", NULL, "aws-ec2-credential", NULL },
		{ "\"rules\": {\"url-password\": 1, \"aws-secret-key\": 2, \"bearer\": 3}", NULL,
		  "\"bearer\": 3", NULL },
		{ "\"password\": \"123456\"", "123456", NULL, "password" },
		{ "privateKey: /etc/onboarding-agent/key.pem", NULL, "/etc/onboarding-agent/key.pem", NULL },
		{ "password=/Pa55w0rd", "/Pa55w0rd", NULL, "password" },
		{ "passwd:         files systemd\nshadow:         files\nhosts: files [NOTFOUND=return] dns\n",
		  NULL, "passwd:         files systemd", NULL },
		{ "[Socket]\nPassCredentials=yes\nPassSecurity=yes\nConditionCredential=passwd.hashed-password.root\n",
		  NULL, "PassCredentials=yes", NULL },
		{ "net.ipv4.tcp_syncookies=1", NULL, "tcp_syncookies=1", NULL },
		{ "# Max number of login retries if password is bad. This", NULL, "is bad.", NULL },
		{ "LoadCredential=token:/etc/creds/token", NULL, "/etc/creds/token", NULL },
		{ "clone with ghp_16C7e42F292c6912E7710c838347Ae178B4a done", "16C7e42F292c6912E7710c838347Ae178B4a",
		  " done", "token" },
		{ "pat github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV",
		  "mnopqrstuvwxyz0123456789", "pat ", "token" },
		{ "slack=xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "AbCdEfGhIjKl", NULL, "token" },
		{ "Stripe: sk_live_51H8xYzAbCdEfGhIjKlMnOp.", "51H8xYzAbCdEf", "Stripe: ", "token" },
		{ "\"key\":\"AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q\"", "SyA1b2C3d4E5f6G7", "\"key\":\"", "token" },
		{ "(glpat-xYz012345678901234567)", "xYz0123456789", ")", "token" },
		{ "AccountName=acme;AccountKey=q8Zr4mN0pLk3Vb7XwY2sT6uH==;", "q8Zr4mN0pLk3", "AccountName=acme;",
		  "api-key" },
		{ "JWT_SIGNING_KEY=s1gn1ng-k3y-v4lu3", "s1gn1ng-k3y-v4lu3", "JWT_SIGNING_KEY=", "secret" },
		{ "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 ok", "AbCdEfGhIjKl", " ok", "token" },
		{ "VAULT_ADDR=x hvs.CAESIJ0123456789abcdefghijklmnopqrstuv", "CAESIJ0123", "VAULT_ADDR=x ", "token" },
		{ "https://acct.blob.core.windows.net/c?sv=2020-08-04&sr=b&sig=AbC0123%2Bxyz%3D&se=2026",
		  "AbC0123", "&se=2026", "signature" },
		{ "GET /o?X-Amz-Credential=AK%2F1&X-Amz-Signature=0a1b2c3d4e5f60718293a4b5c6d7e8f9 HTTP/1.1",
		  "0a1b2c3d4e5f", " HTTP/1.1", "signature" },
		{ "hook https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx sent",
		  "abcdefghijklmnop", "https://hooks.slack.com/services/", "webhook" },
		/* prefixes inside words, or too short to be tokens */
		{ "design=ok; the sig= field; MSG.x.y; signal sig=short", NULL, "sig=short", NULL },
		{ "the ghp_ prefix and ghp_short, task_test_runner, disk_live_backup, xoxo", NULL,
		  "ghp_short, task_test_runner", NULL },
		{ "AIzaTooShort and mask_live_x", NULL, "AIzaTooShort", NULL },
		/* a host named like a secret keeps its port; a property path ending in one does not */
		{ "dial tcp token-svc.corp.example.net:15443: connect: connection refused", NULL,
		  "token-svc.corp.example.net:15443: connect", NULL },
		{ "spring.datasource.password:48213 set", "48213", "spring.datasource.password:", "password" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct redactor *r = redactor_new();	/* a value keeps its first kind */
		char *o;
		size_t ol;

		assert_int_equal(redact_text(r, cases[i].in, strlen(cases[i].in), &o, &ol, NULL), 0);
		if (cases[i].gone != NULL && strstr(o, cases[i].gone) != NULL)
			fail_msg("case %zu: \"%s\" survived: %s", i, cases[i].gone, o);
		if (cases[i].kept != NULL && strstr(o, cases[i].kept) == NULL)
			fail_msg("case %zu: \"%s\" lost: %s", i, cases[i].kept, o);
		if (cases[i].kind != NULL) {
			char *k = xasprintf("<redacted:%s:", cases[i].kind);

			if (strstr(o, k) == NULL)
				fail_msg("case %zu: no %s marker: %s", i, cases[i].kind, o);
			free(k);
		}
		if (cases[i].gone == NULL && strcmp(o, cases[i].in) != 0 && cases[i].kind == NULL &&
		    strstr(cases[i].in, "aws_secret") == NULL)
			fail_msg("case %zu: changed: %s", i, o);
		free(o);
		redactor_free(r);
	}
}

/*
 * Free text: key names nobody listed in English, "password" in other
 * languages, each in N=V, N: V, "N":"V" and --N V.  Most of these stems sit
 * beyond the first 64 of the prefilter.
 */
static void
test_free_text_names(void **state)
{
	static const struct {
		const char *name;
		bool strong;	/* a password's name: in prose too, whatever the value looks like */
	} names[] = {
		{ "pw", false }, { "privkey", false }, { "hmac", false }, { "nonce", false },
		{ "csrf", false }, { "refresh", false }, { "totp", false }, { "pincode", false },
		{ "cvv", false }, { "recovery_code", false }, { "backup_codes", false },
		{ "activation_code", false }, { "encryption_iv", false }, { "VAULT_ROLE_ID", false },
		{ "\xd1\x82\xd0\xbe\xd0\xba\xd0\xb5\xd0\xbd", false },	/* токен */
		{ "\xe3\x83\x88\xe3\x83\xbc\xe3\x82\xaf\xe3\x83\xb3", false },	/* トークン */
		{ "contrase\xc3\xb1" "a", true }, { "clave", true }, { "senha", true },
		{ "l\xc3\xb6senord", true }, { "has\xc5\x82o", true }, { "parola", true },
		{ "\xc5\x9fifre", true }, { "\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", true },
		{ "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", true },
		{ "\xe5\xaf\x86\xe7\xa0\x81", true }, { "\xe5\x8f\xa3\xe4\xbb\xa4", true },
		{ "\xe5\xaf\x86\xe9\x92\xa5", true },	/* 密钥 */
		{ "\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89", true },
		{ "\xeb\xb9\x84\xeb\xb0\x80\xeb\xb2\x88\xed\x98\xb8", true }, { "jelsz\xc3\xb3", true },
		{ "heslo", true }, { "\xce\xba\xcf\x89\xce\xb4\xce\xb9\xce\xba\xcf\x8c\xcf\x82", true },
		{ "passwort", true }, { "adgangskode", true },
	};
	static const char *const forms[] = {
		"warn\tagent\tsettings %s=%s applied", "login failed, %s: %s", "{\"%s\":\"%s\"}",
		"/usr/bin/tool --%s %s --verbose", "\xe7\x99\xbb\xe5\xbd\x95\xe5\xa4\xb1\xe8\xb4\xa5 %s\xef\xbc\x9a%s",
	};
	static const char *const values[] = { "hUnterTwoXyzQw", "4c1d9e0b7a2f", "Zk7Q/a+b9=" };
	static const char *const harmless[] = {
		"exit_code=137 status_code=503 error_code=42", "retrying in 5s: connection refused",
		"the slot heslop cacheslot=3 has_login=yes", "enclave=sgx autoclave=on",
		"refresh_interval=30s", "refresh=true", "passorder=1",
	};
	size_t i, j, k;

	(void)state;
	for (i = 0; i < ELEMENTSOF(names); i++)
		for (j = 0; j < ELEMENTSOF(forms); j++)
			for (k = 0; k < ELEMENTSOF(values); k++) {
				struct redactor *r;
				char *in, *o;
				size_t ol;

				/* in prose ("pw: X"), an English name's value must look random: letters only do not */
				if ((j == 1 || j == 4) && k == 0 && !names[i].strong)
					continue;
				r = redactor_new();
				in = xasprintf(forms[j], names[i].name, values[k]);

				if (!redact_text_maybe(in, strlen(in)))
					fail_msg("prefilter misses: %s", in);
				assert_int_equal(redact_text(r, in, strlen(in), &o, &ol, NULL), 0);
				if (strstr(o, values[k]) != NULL || strstr(o, "<redacted:") == NULL)
					fail_msg("kept: %s", o);
				free(o);
				free(in);
				redactor_free(r);
			}
	for (i = 0; i < ELEMENTSOF(harmless); i++) {
		struct redactor *r = redactor_new();
		char *o;
		size_t ol;

		assert_int_equal(redact_text(r, harmless[i], strlen(harmless[i]), &o, &ol, NULL), 0);
		if (strcmp(o, harmless[i]) != 0)
			fail_msg("changed: %s -> %s", harmless[i], o);
		free(o);
		redactor_free(r);
	}
}

/* Tools and formats whose secret has no key=value shape; and look-alikes that stay. */
static void
test_tool_forms(void **state)
{
	static const struct {
		const char *in, *gone, *kept;
	} cases[] = {
		{ "request headers: X-Auth-Token: hUnterTwoXyzQw", "hUnterTwoXyzQw", "X-Auth-Token: " },
		{ "curl --header \"PRIVATE-TOKEN: abc def ghi\" https://gitlab.example.invalid/api/v4", "def ghi",
		  "\" https://gitlab.example.invalid/api/v4" },
		{ "{\"m\":\"curl -H \\\"PRIVATE-TOKEN: abc def\\\" https://g\"}", "abc def", "\\\" https://g" },
		{ "jdbc:oracle:thin:app/hUnterTwoXyzQw@db.example.invalid:1521/ORCL", "hUnterTwoXyzQw",
		  "@db.example.invalid:1521/ORCL" },
		{ "exec ldapsearch -x -D cn=agent,dc=corp -w hUnterTwoXyzQw -b dc=corp", "hUnterTwoXyzQw", " -b dc=corp" },
		{ "snmpwalk -v2c -c hUnterTwoXyzQw 10.1.2.3", "hUnterTwoXyzQw", " 10.1.2.3" },
		{ "snmp: community hUnterTwoXyzQw rejected by 10.1.2.3", "hUnterTwoXyzQw", " rejected by" },
		{ "redis> AUTH hUnterTwoXyzQw", "hUnterTwoXyzQw", "AUTH " },
		{ "redis> AUTH default hUnterTwoXyzQw", "hUnterTwoXyzQw", "AUTH default " },
		{ "exec redis-cli -h cache -a 'hUnter Two' ping", "hUnter Two", "' ping" },
		{ "redis.conf: requirepass hUnterTwoXyzQw", "hUnterTwoXyzQw", "requirepass " },
		{ "machine git.example.invalid login agent password hUnterTwoXyzQw", "hUnterTwoXyzQw", "login agent" },
		{ "config: <password>a b c d</password>", "a b c d", "</password>" },
		{ "config: <add key=\"ApiKey\" value=\"hUnterTwoXyzQw\" />", "hUnterTwoXyzQw", "\" />" },
		{ "env [{\"name\":\"DB_PASSWORD\",\"value\":\"hUnterTwoXyzQw\"},{\"name\":\"LOG_LEVEL\",\"value\":\"debug\"}]",
		  "hUnterTwoXyzQw", "\"value\":\"debug\"" },
		{ "cb?state=password%3DhUnterTwoXyzQw%26x%3D1", "hUnterTwoXyzQw", "%26x%3D1" },
		{ "payload: \"{\\\"password\\\":\\\"12345678901\\\"}\"", "12345678901", NULL },
		{ "exec docker login -u agent -p hUnterTwoXyzQw registry.example.invalid", "hUnterTwoXyzQw",
		  " registry.example.invalid" },
		{ "sshpass -p hUnterTwoXyzQw ssh agent@bastion", "hUnterTwoXyzQw", " ssh agent@bastion" },
		/* grpc-go metadata as a Go map: the value inside the list, the brackets and the next key kept */
		{ "metadata: map[:authority:[h:15443] x-api-key:[hUnterTwoXyzQw] content-type:[application/grpc]]",
		  "hUnterTwoXyzQw", "] content-type:[application/grpc]]" },
		{ "md=map[authorization:[hunterTwoxyzqw]]", "hunterTwoxyzqw", "]]" },
		{ "map[x-auth-token:[abcdefghijklmn] user-agent:[grpc-go/1.59.0]]", "abcdefghijklmn", "] user-agent:[grpc-go/1.59.0]]" },
		{ "map[content-type:[application/grpc] user-agent:[grpc-go/1.59.0]]", NULL,
		  "map[content-type:[application/grpc] user-agent:[grpc-go/1.59.0]]" },
		/* one-time codes: camelCase and more owners */
		{ "{\"msg\": \"paired\", \"pairingCode\": \"abcdefghijklmn\"}", "abcdefghijklmn", "\"}" },
		{ "level=info enrollmentCode=hunterTwoxyzqw x=1", "hunterTwoxyzqw", " x=1" },
		{ "level=info bootstrap_code=\"12345678901\"", "12345678901", NULL },
		{ "exited: exitCode=137 statusCode=503", NULL, "exitCode=137 statusCode=503" },
		/* SQL echoed by an init script: the quoted string after PASSWORD, blanks and all */
		{ "psql: CREATE USER app WITH PASSWORD 'hunter two xyz' VALID UNTIL 'infinity';", "hunter two",
		  "' VALID UNTIL 'infinity';" },
		{ "refresh {\"tokens\":[\"hUnterTwoXyzQw\",\"x9y8z7w6\"]}", "x9y8z7w6", "{\"tokens\":[\"" },
		{ "GET https://api.telegram.org/bot123456789:hUnterTwoXyzQw/sendMessage", "hUnterTwoXyzQw",
		  "/sendMessage" },
		{ "\xe7\x99\xbb\xe5\xbd\x95\xe5\xa4\xb1\xe8\xb4\xa5\xef\xbc\x8c\xe5\xaf\x86\xe7\xa0\x81\xef\xbc\x9ahUnterTwoXyzQw",
		  "hUnterTwoXyzQw", NULL },
		/* look-alikes: ports, other programs' -p/-c/-a, prose */
		{ "ssh -p 22 agent@host; redis-cli -h cache -p 6379 ping; sh -c 'echo hi'; tar -c -a -w x", NULL,
		  "-p 6379 ping" },
		{ "AUTH failed for user x; snmp community string is wrong", NULL, "community string" },
		{ "password authentication is disabled; using key-based auth", NULL, "password authentication" },
		{ "\"count\": 3, \"password\": 5, \"X-Request-Id\": 42", NULL, "\"password\": 5" },
		{ "GET /bot/status 200; thin: client", NULL, "/bot/status" },
		{ "dial tcp auth-gw:15443: connect: connection refused; GET http://token:8443/x", NULL,
		  "auth-gw:15443: connect" },
		{ "pin:12345678", "12345678", "pin:" },
		/* CJK text has no blanks: a sentence is no key, a key before '=' still is */
		{ "\xe8\xbf\x9e\xe6\x8e\xa5\xe5\xa4\xb1\xe8\xb4\xa5\xe5\xaf\x86\xe9\x92\xa5\xe5\xb7\xb2\xe5\x8a\xa0\xe8\xbd\xbd"
		  "\xe7\x94\xa8\xe6\x88\xb7\xe7\x99\xbb\xe5\xbd\x95\xe6\x88\x90\xe5\x8a\x9f\xe7\xa7\x98\xe5\xaf\x86 ok", NULL, " ok" },
		{ "\xe7\x99\xbb\xe5\xbd\x95\xe5\xa4\xb1\xe8\xb4\xa5\xef\xbc\x8c\xe5\xaf\x86\xe7\xa0\x81=hUnterTwoXyzQw", "hUnterTwoXyzQw", NULL },
		{ "debug {\"pa\\u0073sword\": \"hUnterTwoXyzQw\"}", "hUnterTwoXyzQw", "{\"pa\\u0073sword\": \"" },
		{ "{\"msg\":\"\\u003cb\\u003e hi \\u0026 bye\", \"name\\u0073\": \"plain\"}", NULL, "\\u0026 bye" },
		{ "connecting to u:hUnter%2FTwo@proxy.example.invalid:3128", "hUnter", "@proxy.example.invalid:3128" },
		{ "connecting to app/hUnterTwoXy@dbhost.example.invalid:1521/ORCL", "hUnterTwoXy",
		  "@dbhost.example.invalid:1521/ORCL" },
		{ "email:john@example.com nginx:1.25@sha256:0123456789abcdef golang.org/x/net@v0.17.0 "
		  "git@github.com:org/repo.git user@1000.service pkg:npm/foo@1.0.0 \"@timestamp\"", NULL,
		  "email:john@example.com" },
		{ "env GITHUB_TOKEN: hUnterTwoXyzQw ok", "hUnterTwoXyzQw", " ok" },
		{ "settings refreshToken: hUnterTwoXyzQw, id_token: qWertyUiopAsdf", "qWertyUiopAsdf", "id_token: " },
		{ "failed to refresh token: context deadline exceeded; api_key: missing; id_token: ExpiredToken",
		  NULL, "api_key: missing" },
		{ "loaded secret 8d281a96-8be1-4a25-b434-c1c6488b7857 from the store", "8d281a96", " from the store" },
		{ "loaded secret /0lC+Tn84/iU/OY2pyCJoZay1g== from the store", "0lC+Tn84", " from the store" },
		{ "loaded secret +0lCTn84iUOY2pyCJoZay1g from the store", "0lCTn84", " from the store" },
		{ "loaded secret /run/secrets/db-password from the store", NULL, "/run/secrets/db-password" },
		{ "debug\tagent\tAuthorization: Bearer cpabtc zeotw bnjlykn whog", "zeotw", "Authorization: Bearer " },
		{ "call failed md=map[authorization:[Bearer qsnyr reriplm aqpgeoa] x-request-id:[abc]]", "reriplm",
		  "] x-request-id:[abc]]" },
		{ "log {\"authorization\": \"Basic zyrpfo ajlrif\", \"path\": \"/v1\"}", "ajlrif", "\"path\": \"/v1\"" },
		{ "sent Proxy-Authorization: Basic skcn wgms kpiugd", "kpiugd", "Proxy-Authorization: Basic " },
		{ "password hunter22.", "hunter22", "." },
		{ "api key missing: set ONBOARDING_API_KEY; token has expired; secret v2 rotated; token 2 of 3", NULL,
		  "secret v2 rotated" },
		{ "failed to fetch secret arn:aws:ssm:us-east-1:123456789012:parameter/agent/x", NULL,
		  "secret arn:aws:ssm" },
		{ "mysql: CREATE USER 'app'@'%' IDENTIFIED BY 'qWertyUiopAsdf';", "qWertyUiopAsdf", "';" },
		{ "row modified by admin; identified by the proxy", NULL, "modified by admin" },
		{ "connexion refusee, mot de passe : qWertyUiopAsdf", "qWertyUiopAsdf", "mot de passe : " },
		{ "les mots de passe sont vides; passe 2 ok", NULL, "passe 2 ok" },
		{ "webhook rejected: signature=qWertyUiopAsdf timestamp=1764496800", "qWertyUiopAsdf",
		  " timestamp=1764496800" },
		{ "licensing: activating license=qWertyUiopAsdf for host pay-vm-07", "qWertyUiopAsdf", " for host" },
		{ "loaded secret XVYWUYaBnSqfQK from the store", "XVYWUYaBnSqfQK", " from the store" },
		{ "loaded secret Kubernetes from the store; secret PostgreSQL and secret dbPassword", NULL,
		  "secret PostgreSQL" },
		{ "loaded secret \xd1\x89\xc3\xa5\xd0\xb6\xc3\xa9kxzz from the store", "kxzz", " from the store" },
		{ "loaded secret M\xc3\xbcller from the store; secret \xe5\xaf\x86\xe9\x92\xa5 ok", NULL,
		  "M\xc3\xbcller" },
		{ "aws_secret_access_key = /xCrp/RMh4nCoDq5HzqDBJKpUox+I8Vp1gI2Gd3b", "RMh4nCoDq5", "= " },
		{ "dial mongodb+srv://app:AwZAc+S9E4/9eHVEvqyy0g==@cluster0.example.invalid/x failed", "9eHVEvqyy0g",
		  "@cluster0.example.invalid/x failed" },
		{ "ftp://anon:a b c@ftp.example.net/ up", "a b c", "@ftp.example.net/ up" },
		{ "GET https://host.example:8443/a@b ok; redis://cache:6379 down, mail ops@example.com", NULL,
		  "cache:6379 down" },
		{ "exec: openssl pkcs12 -in agent.p12 -passin 'pass:PSeDPHywPafMNmGB' -nodes", "PSeDPHywPafMNmGB",
		  "' -nodes" },
		{ "+ htpasswd -b -c /etc/nginx/.htpasswd admin UPkYEoFiMCEKsp", "UPkYEoFiMCEKsp", " admin " },
		{ "+ echo agent:UPkYEoFiMCEKsp | chpasswd", "UPkYEoFiMCEKsp", "echo agent:" },
		{ "+ gh secret set DEPLOY_KEY --body UPkYEoFiMCEKsp --repo corp/agent", "UPkYEoFiMCEKsp", " --repo corp/agent" },
		{ "+ vault kv put secret/agent/db value=UPkYEoFiMCEKsp", "UPkYEoFiMCEKsp", "secret/agent/db value=" },
		{ "net use Z: \\\\srv\\x /persistent:yes", NULL, "/persistent:yes" },
		{ "{&quot;password&quot;:&quot;UPkYEoFiMCEKsp&quot;}", "UPkYEoFiMCEKsp", "{&quot;password&quot;:&quot;" },
		{ "payload=%7B%22password%22%3A%22UPkYEoFiMCEKsp%22%7D", "UPkYEoFiMCEKsp", "%22%7D" },
		{ "GET /x?address=x&key=UPkYEoFiMCEKsp HTTP/1.1", "UPkYEoFiMCEKsp", " HTTP/1.1" },
		{ "{\"level\":\"debug\",\"secret\":{\"data\":\"UPkYEoFiMCEKsp\",\"version\":3}}", "UPkYEoFiMCEKsp",
		  "\"version\":3" },
		{ "Enter passphrase for /root/.ssh/id_rsa: UPkYEoFiMCEKsp", "UPkYEoFiMCEKsp", "/root/.ssh/id_rsa: " },
		{ "invalid password for user bob: access denied", NULL, "access denied" },
		{ "login password=[Xy9abcDEF12 ok", "Xy9abcDEF12", " ok" },
		{ "token_type=Bearer expires_in=3600 scope=onboarding", NULL, "expires_in=3600" },
		{ "secrets \"onboarding-token\" is forbidden: User \"system:serviceaccount:payments:agent\"", NULL,
		  "\"onboarding-token\"" },
		{ "CannotStartContainerError: exec: sh -c 'login --password=sqobcl jziluoy oasieg' failed", "jziluoy",
		  "' failed" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ELEMENTSOF(cases); i++) {
		struct redactor *r = redactor_new();
		char *o;
		size_t ol;

		if (cases[i].gone != NULL && !redact_text_maybe(cases[i].in, strlen(cases[i].in)))
			fail_msg("case %zu: prefilter misses: %s", i, cases[i].in);
		assert_int_equal(redact_text(r, cases[i].in, strlen(cases[i].in), &o, &ol, NULL), 0);
		if (cases[i].gone != NULL && (strstr(o, cases[i].gone) != NULL || strstr(o, "<redacted:") == NULL))
			fail_msg("case %zu: \"%s\" survived: %s", i, cases[i].gone, o);
		if (cases[i].kept != NULL && strstr(o, cases[i].kept) == NULL)
			fail_msg("case %zu: \"%s\" lost: %s", i, cases[i].kept, o);
		if (cases[i].gone == NULL && strcmp(o, cases[i].in) != 0)
			fail_msg("case %zu: changed: %s", i, o);
		free(o);
		redactor_free(r);
	}
}

/* A PEM block far beyond the regex's window, with and without its END line. */
static void
test_huge_pem(void **state)
{
	struct redactor *r = redactor_new();
	struct buf b = { 0 };
	char *o;
	size_t ol, i;
	int end;

	(void)state;
	for (end = 0; end < 2; end++) {
		buf_reset(&b);
		buf_adds(&b, "key: -----BEGIN RSA PRIVATE KEY-----\n");
		for (i = 0; i < 20000; i++)
			buf_adds(&b, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n");
		if (end)
			buf_adds(&b, "-----END RSA PRIVATE KEY-----\n");
		assert_int_equal(redact_text(r, b.data, b.len, &o, &ol, NULL), 0);
		assert_true(ol < 100);
		assert_null(strstr(o, "MIIEvQ"));
		assert_int_equal(secret_scan(b.data, b.len, NULL, NULL), 1);
		free(o);
	}
	buf_free(&b);
	redactor_free(r);
}

static void *
scan_thread(void *arg)
{
	static const char text[] = "Authorization: Bearer abcdef123456\npassword=hunter22\n";

	*(unsigned *)arg = secret_scan(text, strlen(text), NULL, NULL);
	return NULL;
}

/* Short-lived threads scan too (the analyzer's workers); LeakSanitizer checks they leave nothing. */
static void
test_threads(void **state)
{
	pthread_t th[4];
	unsigned hits[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, scan_thread, &hits[i]), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(hits[i], 2);
	}
}

/*
 * The collector redacts each journal field, then writes it JSON-encoded and
 * verifies that: encoding must not make redacted text look like a leak.
 */
static void
test_verify_json_encoded(void **state)
{
	static const char *const extra[] = {
		"msg=\"token=\\\"abc123\\\"\"",
		"level=info msg=\"password is \\\"hunter22\\\"\"",
		"x {\"client_secret\": \"s3\"}",
		"a\tb password=x1y2z3\tnext",
		"pwd='abc' next",
		"secret: \"a b c\"",
		"auth: some words here",
		"token: context\tdeadline exceeded",
		"--client-secret=",
		"failed to refresh token:",
		"cookie: a=b\nset-cookie: c=d",
	};
	struct redactor *r = redactor_new();
	size_t len, i, n = 0, p = 0;
	char *journal = slurp(CORPUS "/journal.txt", &len);
	const char *lines[64];

	(void)state;
	while (p < len && n < 48) {
		const char *nl = memchr(journal + p, '\n', len - p);
		size_t e = nl != NULL ? (size_t)(nl - journal) : len;

		journal[e] = '\0';
		lines[n++] = journal + p;
		p = e + 1;
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		lines[n++] = extra[i];
	for (i = 0; i < n; i++) {
		char *o, *js, *why = NULL;
		size_t ol;
		json_t *obj = json_object();

		assert_int_equal(redact_text(r, lines[i], strlen(lines[i]), &o, &ol, NULL), 0);
		json_object_set_new(obj, "__REALTIME_TIMESTAMP", json_string("1795669200000000"));
		json_object_set_new(obj, "MESSAGE", json_stringn(o, ol));
		json_object_set_new(obj, "_PID", json_string("1234"));
		js = json_dumps(obj, JSON_COMPACT);
		if (redact_verify(r, js, strlen(js), &why) != 0)
			fail_msg("withheld (%s): %s", why, js);
		free(js);
		free(o);
		json_decref(obj);
	}
	free(journal);
	redactor_free(r);
}

struct hits {
	unsigned	 n;
	unsigned	 lines[16];
	const char	*kinds[16];
};

static void
on_hit(unsigned line, const char *kind, void *userdata)
{
	struct hits *h = userdata;

	if (h->n < 16) {
		h->lines[h->n] = line;
		h->kinds[h->n] = kind;
	}
	h->n++;
}

static void
test_secret_scan(void **state)
{
	static const char text[] =
	    "ok\n"
	    "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
	    "x <redacted:token:3fa1c2> <redacted:private-key:000000> <redacted:basic-auth:abcdef>\n"
	    "password: <redacted:password:123456>\n"
	    "Authorization: Bearer <redacted:bearer:aaaaaa>\n"
	    "https://u:<redacted:url-password:bbbbbb>@h/\n"
	    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz\n";
	struct hits h = { 0 };

	(void)state;
	assert_int_equal(secret_scan(text, strlen(text), on_hit, &h), 2);
	assert_int_equal(h.lines[0], 2);
	assert_string_equal(h.kinds[0], "private-key");
	assert_int_equal(h.lines[1], 9);
	assert_string_equal(h.kinds[1], "jwt");
}

static void
test_counts_and_comments(void **state)
{
	static const char yaml[] =
	    "# top comment password: c0mment\n"
	    "a: 'has # no comment'  # but this is one\n"
	    "b: \"x#y\"\n"
	    "c: |\n  # inside a block scalar\n"
	    "token: t0k3n-123 # trailing\n"
	    "url: http://x/#frag\n";
	struct redactor *r = redactor_new();
	json_t *counts = json_object();
	char *out, *err = NULL;
	size_t ol;

	(void)state;
	assert_int_equal(redact_yaml_comment_count(yaml, strlen(yaml)), 3);
	assert_int_equal(redact_yaml(r, yaml, strlen(yaml), &out, &ol, counts, &err), 0);
	assert_null(strstr(out, "c0mment"));
	assert_null(strstr(out, "trailing"));
	assert_null(strstr(out, "t0k3n-123"));
	assert_int_equal(json_integer_value(json_object_get(counts, "key")), 1);
	assert_int_equal(json_integer_value(json_object_get(counts, "comments")), 3);
	free(out);
	json_decref(counts);
	redactor_free(r);
}

static void
test_unparseable_falls_back(void **state)
{
	static const char bad[] = "a: 1\nb: [unclosed\npassword: hunter22\n  - x: : :\n";
	struct redactor *r = redactor_new();
	char *out, *err = NULL;
	size_t ol;

	(void)state;
	assert_int_equal(redact_yaml(r, bad, strlen(bad), &out, &ol, NULL, &err), 1);
	assert_non_null(err);
	assert_true(strncmp(err, "line ", 5) == 0);
	assert_null(strstr(out, "hunter22"));
	assert_non_null(strstr(out, "a: 1"));
	free(out);
	free(err);
	redactor_free(r);
}

/* An agent config with one typo: its {name, value} items are still redacted. */
static void
test_unparseable_pairs(void **state)
{
	static const char bad[] =
	    "host:\n  custom:\n    credential:\n    - plugin:\n        env:\n"
	    "        - name: EXT_JWT_CLIENT_SECRET\n          args:\n          - a\n"
	    "          value: fallback-secret-1\n"
	    "        - value: \"fallback-rev-2\"\n          name: API_TOKEN\n"
	    "        - name: ONBOARDING_HOST\n          value: keep.example.invalid\n"
	    "   bad: [indent\n";
	struct redactor *r = redactor_new();
	json_t *counts = json_object();
	char *out, *err = NULL;
	size_t ol;

	(void)state;
	assert_int_equal(redact_yaml(r, bad, strlen(bad), &out, &ol, counts, &err), 1);
	assert_null(strstr(out, "fallback-secret-1"));
	assert_null(strstr(out, "fallback-rev-2"));
	assert_non_null(strstr(out, "keep.example.invalid"));
	assert_non_null(strstr(out, "EXT_JWT_CLIENT_SECRET"));
	/* default-deny: every value that is not harmless goes, the host stays */
	assert_true(json_integer_value(json_object_get(counts, "default-deny")) >= 2);
	free(out);
	free(err);
	json_decref(counts);
	redactor_free(r);
}

/* A URL is kept only when its path looks like names: a key split by '-' or '_' is none. */
static void
test_url_path_keys(void **state)
{
	static const char *const kept[] = {
		"https://onboard.corp.example.net:15443/v1/onboarding",
		"https://auth.corp.example.com:8443/realms/prod",
		"https://discord.com/api/webhooks/112233445566778899",
		"https://api.example.net/tenants/3fa85f64-5717-4562-b3fc-2c963f66afa6/status",
		"https://repo.example.net/onboarding-agent-2024-01/Release",
	};
	static const char *const gone[] = {
		"https://discord.com/api/webhooks/112233445566778899/M25nVpZPxqMhQ_x02mx0yLVHzfYz-mloaEWLTUdYtXM",
		"https://hooks.example.net/x/PZ4I4jbW-WqusBEKBL3M_1Z0yz4wf2a-GjAiGlUCZbk",
		"https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue",
		"https://example.net/files/a+b1c2d3e4",
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(kept); i++)
		if (!redact_deny_harmless(kept[i], strlen(kept[i])))
			fail_msg("not kept: %s", kept[i]);
	for (size_t i = 0; i < ELEMENTSOF(gone); i++)
		if (redact_deny_harmless(gone[i], strlen(gone[i])))
			fail_msg("kept: %s", gone[i]);
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void
test_hostile_alias_bomb(void **state)
{
	struct buf b = { 0 };
	struct redactor *r = redactor_new();
	char *out, *err = NULL;
	size_t ol;
	int i, j;
	long before = maxrss_kb();

	(void)state;
	buf_adds(&b, "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (i = 1; i < 30; i++) {
		buf_printf(&b, "l%d: &l%d [", i, i);
		for (j = 0; j < 9; j++)
			buf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
		buf_adds(&b, "]\n");
	}
	buf_adds(&b, "password: *l29\n");
	assert_int_equal(redact_yaml(r, b.data, b.len, &out, &ol, NULL, &err), 0);
	/* not expanded: the output is about as big as the input */
	assert_true(ol < 4 * b.len);
	assert_non_null(strstr(out, "*l28"));
	/* the bomb hangs off a secret: its leaves are redacted, aliases stay */
	assert_null(strstr(out, "lol"));
	assert_true(maxrss_kb() - before < 200 * 1024);
	free(out);
	buf_free(&b);
	redactor_free(r);
}

static void
test_hostile_alias_count(void **state)
{
	struct buf b = { 0 };
	struct redactor *r = redactor_new();
	char *out, *err = NULL;
	size_t ol;
	int i;

	(void)state;
	buf_adds(&b, "a: &a x\nb: [");
	for (i = 0; i <= REDACT_YAML_MAX_ALIASES; i++)
		buf_adds(&b, "*a, ");
	buf_adds(&b, "*a]\n");
	assert_int_equal(redact_yaml(r, b.data, b.len, &out, &ol, NULL, &err), 1);
	assert_non_null(strstr(err, "aliases"));
	free(out);
	free(err);
	buf_free(&b);
	redactor_free(r);
}

static void
test_hostile_deep(void **state)
{
	struct buf b = { 0 };
	struct redactor *r = redactor_new();
	char *out, *err = NULL;
	size_t ol;
	int i;
	long before = maxrss_kb();

	(void)state;
	for (i = 0; i < 10000; i++)
		buf_adds(&b, "[{a: ");
	for (i = 0; i < 10000; i++)
		buf_adds(&b, "}]");
	assert_int_equal(redact_yaml(r, b.data, b.len, &out, &ol, NULL, &err), 1);
	assert_non_null(strstr(err, "nesting deeper than 256"));
	assert_true(maxrss_kb() - before < 200 * 1024);
	free(out);
	free(err);
	/* block style, 2000 deep: refused the same way */
	buf_reset(&b);
	for (i = 0; i < 2000; i++)
		buf_printf(&b, "%*s- \n", i, "");
	err = NULL;
	assert_int_equal(redact_yaml(r, b.data, b.len, &out, &ol, NULL, &err), 1);
	assert_non_null(strstr(err, "nesting"));
	free(out);
	free(err);
	buf_free(&b);
	redactor_free(r);
}

static void
test_hostile_huge_scalar(void **state)
{
	size_t n = 100u << 20;
	char *in = xmalloc(n + 8), *out, *err = NULL;
	struct redactor *r = redactor_new();
	size_t ol;
	long before;

	(void)state;
	memcpy(in, "k: \"", 4);
	memset(in + 4, 'x', n);
	memcpy(in + 4 + n, "\"\n", 2);
	before = maxrss_kb();
	assert_int_equal(redact_yaml(r, in, n + 6, &out, &ol, NULL, &err), 1);
	assert_non_null(strstr(err, "limit"));
	/* default-deny redacts the huge value; the text fallback copies once: far below 1 GiB */
	assert_true(ol < 64);
	assert_null(memmem(out, ol, "xxxxxxxx", 8));
	assert_true(maxrss_kb() - before < 1024 * 1024);
	free(out);
	free(err);
	free(in);
	redactor_free(r);
}

/* D-Bus properties and parsed env configs as JSON trees. */
static void
test_json_value(void **state)
{
	static const char in[] =
	    "{\"Environment\": [\"CLIENT_SECRET=a b c1\", \"HOST=onboarding.example.invalid\"],"
	    " \"ExecStart\": [[\"/usr/bin/agent\", [\"/usr/bin/agent\", \"--token\", \"t0k3n-abc\","
	    "   \"--client-secret=s3c-abc\", \"--config\", \"/etc/a.yaml\"], false]],"
	    " \"env\": [{\"name\": \"API_KEY\", \"value\": \"k3y-abc\"},"
	    "   {\"value\": \"/run/token\", \"name\": \"TOKEN_FILE\"}],"
	    " \"password\": 987654321, \"secrets\": {\"a\": \"x1-zz\", \"b\": [1, \"y2-zz\"]},"
	    " \"note\": \"Authorization: Bearer abcdef123456\", \"Port\": 15443}";
	static const char *const gone[] = {
		"a b c1", "t0k3n-abc", "s3c-abc", "k3y-abc", "987654321", "x1-zz", "y2-zz",
		"abcdef123456",
	};
	static const char *const kept[] = {
		"HOST=onboarding.example.invalid", "/usr/bin/agent", "--token", "--client-secret=",
		"/etc/a.yaml", "/run/token", "TOKEN_FILE", "API_KEY", "CLIENT_SECRET=", "15443",
		"Authorization: Bearer ",
	};
	struct redactor *r = redactor_new();
	json_t *counts = json_object(), *v = json_loads(in, 0, NULL);
	char *out;
	size_t i;

	(void)state;
	assert_non_null(v);
	assert_int_equal(redact_json_value(r, v, counts), 8);	/* not the 1: too short to matter */
	out = json_dumps(v, JSON_COMPACT);
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (strstr(out, gone[i]) != NULL)
			fail_msg("\"%s\" survived: %s", gone[i], out);
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (strstr(out, kept[i]) == NULL)
			fail_msg("\"%s\" lost: %s", kept[i], out);
	assert_int_equal(secret_scan(out, strlen(out), NULL, NULL), 0);
	free(out);
	json_decref(v);
	json_decref(counts);
	redactor_free(r);
}

/* Fragments that meet in odd ways: random texts built of them must redact idempotently. */
static const char *const frags[] = {
	"password", "Password", "token", "secret", "client_secret", "--token", "--client-secret",
	"api_key", "auth", "authorization", "Authorization", "credential", "cookie", "bearer",
	"Bearer", "Basic", "session_id", "pwd", "aws", "AWS", "=", ":", ": ", " is ", " ", "  ",
	"\"", "'", "\\\"", "{", "}", "[", "]", ",", ";", "&", "?", "abc123", "hunter22", "x",
	"/etc/path", "eyJhbGciOiJIUzI1NiJ9", ".", "eyJzdWIiOiIxIn0", "c2lnbmF0dXJlMTIz",
	"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "https://", "user",
	"@host.example", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "MIIEv", "\n",
	"\\n", "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t", "UFJJVkFURSBLRVkt",
	"<redacted:token:abcdef>", "<redacted:", "- ", "&a ", "*a", "!tag ", "|", ">", "#", "null",
	"true", "required", "the", "\t", "=>", "::", ":=", "==", "tokenFile", "secretName",
	"LoadCredential",
};

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_random_text_idempotent(void **state)
{
	struct redactor *r = redactor_new();
	uint32_t seed = 12345;
	int i, k, n;

	(void)state;
	for (i = 0; i < 20000; i++) {
		struct buf b = { 0 };
		char *o1, *o2;
		size_t l1, l2;

		n = 1 + (int)(rnd(&seed) % 14);
		buf_adds(&b, "");
		for (k = 0; k < n; k++)
			buf_adds(&b, frags[rnd(&seed) % (sizeof(frags) / sizeof(frags[0]))]);
		redact_text(r, b.data, b.len, &o1, &l1, NULL);
		redact_text(r, o1, l1, &o2, &l2, NULL);
		if (l1 != l2 || memcmp(o1, o2, l1) != 0)
			fail_msg("not idempotent:\n in: %s\n o1: %s\n o2: %s", b.data, o1, o2);
		if (secret_scan(o1, l1, NULL, NULL) != 0)
			fail_msg("leak check fires on redacted text:\n in: %s\n o1: %s", b.data, o1);
		/* the prefilter never says no where redaction acts */
		if (!redact_text_maybe(b.data, b.len) && (l1 != b.len || memcmp(o1, b.data, l1) != 0))
			fail_msg("prefilter missed: %s", b.data);
		free(o1);
		free(o2);
		buf_free(&b);
	}
	redactor_free(r);
}

/* Random flow documents: redacted YAML parses, keeps its shape, and the leak check is quiet. */
static void
random_node(struct buf *b, uint32_t *seed, int depth)
{
	static const char *const keys[] = {
		"password", "Client-Secret", "token", "name", "value", "args", "env", "host", "auth",
		"credential", "cookie", "note", "secretName", "tokenFile", "api_key", "session_id",
		"plugin", "path", "bearer", "authorization", "--token", "key",
	};
	static const char *const vals[] = {
		"abc123", "hunter22", "x", "/etc/path",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz", "AKIAIOSFODNN7EXAMPLE",
		"https://u:p4ss@h.example", "-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----",
		"null", "true", "", "required", "--token", "--client-secret=abc1", "token: abc123",
		"password is x1y2z3", "Bearer abcdef123456", "CLIENT_SECRET", "TOKEN_FILE", "a: b",
		"#notcomment", "multi\\nline", "<redacted:token:abcdef>", "secret=s3cr3t99",
		"credential: aws-ec2-credential", "\\\"dq\\\"", "{x}", "'q'",
	};
	uint32_t r = rnd(seed) % 100;
	int i, n;

	if (depth > 4 || r < 50) {
		if (r % 10 == 0)
			buf_printf(b, "&a%u ", rnd(seed) % 20);
		buf_printf(b, "\"%s\"", vals[rnd(seed) % (sizeof(vals) / sizeof(vals[0]))]);
		return;
	}
	n = (int)(rnd(seed) % 5);
	buf_adds(b, r < 75 ? "{" : "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_adds(b, ", ");
		if (r < 75)
			buf_printf(b, "\"%s\": ", keys[rnd(seed) % (sizeof(keys) / sizeof(keys[0]))]);
		random_node(b, seed, depth + 1);
	}
	buf_adds(b, r < 75 ? "}" : "]");
}

static void
test_random_yaml(void **state)
{
	uint32_t seed = 777;
	int i;

	(void)state;
	for (i = 0; i < 1500; i++) {
		struct buf b = { 0 };

		buf_adds(&b, "{\"host\": ");
		random_node(&b, &seed, 1);
		buf_adds(&b, ", \"x\": ");
		random_node(&b, &seed, 1);
		buf_adds(&b, "}\n");
		/* as YAML (flow kept) and as JSON (written in block style) */
		check_same_shape("random.yaml", b.data, b.len);
		check_same_shape("random.json", b.data, b.len);
		{
			struct redactor *r = redactor_new();
			char *out, *err = NULL;
			size_t ol;

			assert_int_equal(redact_json_config(r, b.data, b.len, &out, &ol, NULL, &err), 0);
			if (secret_scan(out, ol, NULL, NULL) != 0)
				fail_msg("leak check fires on redacted YAML:\n%s\n%s", b.data, out);
			free(out);
			redactor_free(r);
		}
		buf_free(&b);
	}
}

/* The schema allowlist is anchored at the root and names scalars at one depth (issue 11). */
static void
test_schema_anchored(void **state)
{
	static const char *const kept[] = {
		"/kind", "/apiVersion", "/onboardingEndpoint/host", "/ONBOARDINGENDPOINT/PORT",
		"/onboardingEndpoint/transportSecurity/tls/sni", "/workloadGroup/name", "/workload/labels/team",
		"/workload/labels/app.kubernetes.io_part-of", "/settings/connectedOver",
		"/host/custom/credential/-/plugin/name", "/host/custom/credential/-/plugin/env/-/name",
		"/sidecar/istio/revision", "/sidecar/stdout", "/sidecar/user/uid",
	};
	static const char *const redacted[] = {
		"/settings/kind", "/settings/nested/kind", "/x/onboardingEndpoint/host", "/workload/labels/extra/x",
		"/workload/labels/list/-", "/settings/labels/clave", "/host/custom/credential/-/plugin/labels/note",
		"/sidecar/istio/meshConfig/caCert", "/sidecar/istio/extraEnv/-/value", "/sidecar/istio/proxyToken",
		"/sidecar/user/profile/enrol", "/onboardingEndpoint/transportSecurity/tls/caCert",
		"/host/custom/credential/-/plugin/env/-/value", "/env/-/name/x", "/kind/x", "kind", "",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (redact_deny_schema(kept[i]) == NULL)
			fail_msg("schema should keep %s", kept[i]);
	for (size_t i = 0; i < sizeof(redacted) / sizeof(redacted[0]); i++)
		if (redact_deny_schema(redacted[i]) != NULL)
			fail_msg("schema should not keep %s", redacted[i]);
	/* and through the YAML redactor: the same words deeper are redacted */
	{
		static const char doc[] = "kind: AgentConfiguration\nsettings:\n  nested:\n    kind: QwErTyUiOpAsDfGh\n"
		    "sidecar:\n  istio:\n    revision: canary\n    meshConfig: {caCert: ZxCvBnMaSdFgHjKl}\n";
		struct redactor *r = redactor_new();
		char *out, *err = NULL;
		size_t ol;

		assert_int_equal(redact_yaml(r, doc, sizeof(doc) - 1, &out, &ol, NULL, &err), 0);
		assert_null(strstr(out, "QwErTyUiOpAsDfGh"));
		assert_null(strstr(out, "ZxCvBnMaSdFgHjKl"));
		assert_non_null(strstr(out, "kind: AgentConfiguration"));
		assert_non_null(strstr(out, "revision: canary"));
		free(out);
		redactor_free(r);
	}
}

/* redact_known() of buf: the result, or buf itself when nothing was replaced (static buffer). */
static const char *
known(struct redactor *r, const char *buf)
{
	static char res[512];
	char *out = NULL;
	size_t ol = 0;

	if (redact_known(r, buf, strlen(buf), &out, &ol) == 0)
		return buf;
	snprintf(res, sizeof(res), "%.*s", (int)ol, out);
	free(out);
	return res;
}

/* Short known values are whole words only; long ones are found anywhere; ports from free text never. */
static void
test_known_whole_words(void **state)
{
	struct redactor *r = redactor_new();
	char m[64], *why = NULL, *out = NULL;
	const char *res;

	(void)state;
	snprintf(m, sizeof(m), "%s", redact_value(r, "password", "agent", 5));
	(void)redact_value(r, "token", "onboarding", 10);
	(void)redact_value(r, "pin", "2026", 4);
	(void)redact_value(r, "token", "Zk3qT9vLx2Rw8sPa", 16);
	/* not inside longer words, dotted names, paths, timestamps, numbers or mapping keys */
	const char *keep[] = {
		"apiVersion: config.agent.onboarding.tetrate.io/v1alpha1",
		"onboardingEndpoint:\n  host: x",
		"ExecStart=/usr/local/bin/onboarding-agent --config /etc/onboarding-agent/a.yaml",
		"{\"time\": \"2026-11-30T10:20:26Z\", \"year\": \"12026\"}",
		"dial tcp 10.0.0.5:20261: refused at 10:2026",
		"agent:\n  onboarding: 1\n- agent: x\n",
		"{\"agent\": 1, \"onboarding\":\"x\"}",
		"useragent agents onboarding_x",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		assert_string_equal(known(r, keep[i]), keep[i]);
		assert_int_equal(redact_verify(r, keep[i], strlen(keep[i]), &why), 0);
		free(why);
		why = NULL;
	}
	/* as whole words they go, also after a JSON escape and inside quotes */
	res = known(r, "login as agent failed");
	assert_non_null(strstr(res, m));
	assert_null(strstr(res, " agent "));
	res = known(r, "{\"MESSAGE\":\"info\\tagent\\tready\"}");
	assert_non_null(strstr(res, m));
	res = known(r, "password: \"agent\"\npin=2026;");
	assert_null(strstr(res, "agent"));
	assert_null(strstr(res, "2026"));
	/* a short value that is no plain word is found glued to other text too */
	(void)redact_value(r, "password", "s3cr3t", 6);
	res = known(r, "login user-s3cr3t and s3cr3tly");
	assert_null(strstr(res, "s3cr3t"));
	/* a long value is found inside anything */
	res = known(r, "blob=xxZk3qT9vLx2Rw8sPayy");
	assert_null(strstr(res, "Zk3qT9vLx2Rw8sPa"));
	/* a capitalised word is a word: its other spellings (lower case) stay whole-word matches too */
	(void)redact_value(r, "password", "Onboarding", 10);
	assert_string_equal(known(r, "host: onboarding.example.com"), "host: onboarding.example.com");
	assert_string_equal(known(r, "the Workload Onboarding-Plane"), "the Workload Onboarding-Plane");
	assert_null(strstr(known(r, "login with Onboarding failed"), "Onboarding"));
	/* a port a pattern took in free text is redacted there, never searched for elsewhere */
	assert_int_equal(redact_text(r, "login password=15443 rejected", 30, &out, NULL, NULL), 0);
	assert_null(strstr(out, "15443"));
	free(out);
	assert_string_equal(known(r, "connecting to 10.0.0.5 port 15443 failed"), "connecting to 10.0.0.5 port 15443 failed");
	/* ... unless it is learned as a secret as well */
	(void)redact_value(r, "pin", "15443", 5);
	assert_null(strstr(known(r, "connecting to 10.0.0.5 port 15443 failed"), "15443"));
	/* redact_value_here(): the marker, not searched for */
	(void)redact_value_here(r, "label", "payments", 8);
	assert_string_equal(known(r, "namespace: payments"), "namespace: payments");
	redactor_free(r);
}

/* Comments of unit files and the resolver's files: their text becomes a marker, the rest stays. */
static void
test_comments(void **state)
{
	struct redactor *r = redactor_new();
	const char *unit = "[Unit]\n# deployed with token Qm9vYmFy plain\n  ; old: password hunter2\n"
	    "[Service]\nRestart=on-failure\n#\n";
	const char *hosts = "127.0.0.1 localhost\n10.1.2.3 vault.corp.example.net  # root token hunter2 \r\n"
	    "; not a comment in hosts but one in resolv.conf: hunter2\nnameserver 10.20.0.2 #x\nsearch corp.example.net\n";
	char *out = NULL;
	size_t ol = 0;
	json_t *counts = json_object();

	(void)state;
	assert_int_equal(redact_unit_file(r, unit, strlen(unit), &out, &ol, counts), 0);
	assert_null(strstr(out, "Qm9vYmFy"));
	assert_null(strstr(out, "hunter2"));
	assert_non_null(strstr(out, "[Unit]\n# <redacted:comment:"));
	assert_non_null(strstr(out, "\n  ; <redacted:comment:"));
	assert_non_null(strstr(out, "[Service]\nRestart=on-failure\n#\n"));
	free(out);
	assert_int_equal(redact_comment_file(r, hosts, strlen(hosts), &out, &ol, counts), 0);
	assert_null(strstr(out, "hunter2"));
	assert_non_null(strstr(out, "10.1.2.3 vault.corp.example.net  # <redacted:comment:"));
	assert_non_null(strstr(out, "> \r\n; <redacted:comment:"));
	assert_non_null(strstr(out, "\nnameserver 10.20.0.2 #<redacted:comment:"));
	assert_non_null(strstr(out, "\nsearch corp.example.net\n"));
	assert_int_equal(json_integer_value(json_object_get(counts, "comment")), 5);
	free(out);
	/* a comment is not searched for elsewhere */
	assert_int_equal(redact_known(r, "root token hunter2", 18, &out, &ol), 0);
	json_decref(counts);
	redactor_free(r);
}

/* A unit's D-Bus properties: every place systemd keeps a value someone wrote (issue 11). */
static void
test_unit_props_deny(void **state)
{
	static const char *const planted[] = {
		"QwErTyUiOpAsDfGh", "Zx Cv Bn Ma Sd", "LkJhGfDsAqWeRtY", "PoIuYtReWqAsDfG", "MnBvCxZaSdFgHjK",
		"PlOkIjUhYgTfRdE", "licence WsXeDcRfVtGbYhN", "UjMnHyTgBvFrEdC",
	};
	json_t *props = json_pack("{s:s, s:[s, s], s:[s], s:[[s, [s, s, s, s, s, s], b]], s:[[s, o]], s:[o], s:o, s:s}",
	    "Description", "Agent, licence WsXeDcRfVtGbYhN",
	    "Environment", "LICENCIA=QwErTyUiOpAsDfGh", "CLAVE=Zx Cv Bn Ma Sd",
	    "UnsetEnvironment", "OLD=LkJhGfDsAqWeRtY",
	    "ExecStart", "/bin/sh", "/bin/sh", "-c", "exec sleep 1", "agent", "--licencia", "PoIuYtReWqAsDfG", 0,
	    "SetCredential", "dbpass", json_pack("[i, i, i]", 'M', 'n', 'B'),
	    "LogExtraFields", json_pack("[i, i, i, i]", 'K', '=', 'v', 'V'),
	    "StandardInputData", json_pack("[i, i]", 'U', 'j'),
	    "ActiveState", "active");
	struct redactor *r = redactor_new();
	char *text;

	(void)state;
	assert_non_null(props);
	/* longer values planted into the byte arrays */
	{
		json_t *a = json_array(), *l = json_array(), *sd = json_array();

		for (const char *c = "MnBvCxZaSdFgHjK"; *c; c++)
			json_array_append_new(a, json_integer((unsigned char)*c));
		for (const char *c = "API_TOKEN=PlOkIjUhYgTfRdE"; *c; c++)
			json_array_append_new(l, json_integer((unsigned char)*c));
		for (const char *c = "UjMnHyTgBvFrEdC"; *c; c++)
			json_array_append_new(sd, json_integer((unsigned char)*c));
		json_array_set_new(json_array_get(json_object_get(props, "SetCredential"), 0), 1, a);
		json_array_set_new(json_object_get(props, "LogExtraFields"), 0, l);
		json_object_set_new(props, "StandardInputData", sd);
	}
	redact_json_value(r, props, NULL);
	redact_unit_props(r, props, NULL);
	text = json_dumps(props, JSON_SORT_KEYS);
	for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++)
		if (strstr(text, planted[i]) != NULL)
			fail_msg("%s survives in %s", planted[i], text);
	assert_non_null(strstr(text, "\"LICENCIA=<redacted:"));
	assert_non_null(strstr(text, "\"API_TOKEN=<redacted:"));
	assert_non_null(strstr(text, "\"dbpass\", \"<redacted:"));
	assert_non_null(strstr(text, "\"--licencia\""));
	assert_non_null(strstr(text, "\"ActiveState\": \"active\""));
	free(text);
	json_decref(props);
	redactor_free(r);
}

/* A known value in the other spellings programs write is found and replaced. */
static void
test_known_spellings(void **state)
{
	struct redactor *r = redactor_new();
	const char *forms[] = {
		"q=Zk3q+T9vL%2bx2%2fRw8sPa&x=1",			/* form encoding, hex in lower case */
		"q=Zk3q+T9vL%2Bx2%2FRw8sPa&x=1",			/* form encoding */
		"GET /p/zk3q%20t9vl%2bx2%2frw8spa HTTP/1.1",		/* folded to lower case */
		"blob WmszcSBUOXZMK3gyL1J3OHNQYQ",			/* base64 */
		"event {\"v\": \"\\u00e9\\u044f\\u5bc6\\ud83d\\ude00kz\"}",	/* JSON \\u, a surrogate pair */
		"{\"MESSAGE\":\"event {\\\"v\\\": \\\"\\\\u00e9\\\\u044f\\\\u5bc6\\\\ud83d\\\\ude00kz\\\"}\"}",
	};
	char *out = NULL, *why = NULL;
	size_t ol;

	(void)state;
	(void)redact_value(r, "token", "Zk3q T9vL+x2/Rw8sPa", 19);
	(void)redact_value(r, "token", "\xc3\xa9\xd1\x8f\xe5\xaf\x86\xf0\x9f\x98\x80kz", 13);
	(void)redact_value(r, "token", "a+b/c?d=ef>>gh", 14);	/* base64 of it has + and / */
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		assert_int_equal(redact_verify(r, forms[i], strlen(forms[i]), &why), 1);
		free(why);
		assert_true(redact_known(r, forms[i], strlen(forms[i]), &out, &ol) > 0);
		assert_int_equal(redact_verify(r, out, ol, &why), 0);
		free(out);
	}
	/* base64url of "a+b/c?d=ef>>gh" */
	assert_int_equal(redact_verify(r, "YStiL2M_ZD1lZj4-Z2g", 19, &why), 1);
	free(why);
	redactor_free(r);
}

/* Unit files: a setting systemd does not know, or a section it does not read, is judged by default-deny. */
static void
test_unit_unknown_settings(void **state)
{
	static const char unit[] = "[Unit]\nAfter=network-online.target\nWants=network-online.target\n"
	    "[Service]\nEnviroment=LICENCIA=QwErTyUiOpAsDfGh\nMemoryMax=512M\nUser=onboarding\n"
	    "Restart=on-failure\nZzz=PoIuYtReWqAsDfG\nAAA=MnBvCxZaSdFgHjK\n[Install]\nWantedBy=multi-user.target\n"
	    "[Timer]\nOnCalendar=LkJhGfDsAqWeRtY\n";
	struct redactor *r = redactor_new();
	char *out;
	size_t ol;

	(void)state;
	assert_int_equal(redact_unit_file(r, unit, sizeof(unit) - 1, &out, &ol, NULL), 0);
	/* the first and last names of the table, and names before, between and after them */
	assert_null(strstr(out, "QwErTyUiOpAsDfGh"));
	assert_null(strstr(out, "PoIuYtReWqAsDfG"));
	assert_null(strstr(out, "MnBvCxZaSdFgHjK"));
	assert_null(strstr(out, "LkJhGfDsAqWeRtY"));
	assert_non_null(strstr(out, "After=network-online.target\n"));
	assert_non_null(strstr(out, "MemoryMax=512M\n"));
	assert_non_null(strstr(out, "User=onboarding\n"));
	assert_non_null(strstr(out, "Restart=on-failure\n"));
	assert_non_null(strstr(out, "WantedBy=multi-user.target\n"));
	free(out);
	redactor_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_unknown_settings),
		cmocka_unit_test(test_unit_props_deny),
		cmocka_unit_test(test_schema_anchored),
		cmocka_unit_test(test_corpus_no_leaks),
		cmocka_unit_test(test_corpus_keeps),
		cmocka_unit_test(test_yaml_structure),
		cmocka_unit_test(test_same_marker_across_files),
		cmocka_unit_test(test_verify_catches_reinserted),
		cmocka_unit_test(test_verify_many_values),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_random_text_idempotent),
		cmocka_unit_test(test_random_yaml),
		cmocka_unit_test(test_keep_lines),
		cmocka_unit_test(test_maybe_is_safe),
		cmocka_unit_test(test_key_classes),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_free_text_names),
		cmocka_unit_test(test_tool_forms),
		cmocka_unit_test(test_secret_scan),
		cmocka_unit_test(test_huge_pem),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_verify_json_encoded),
		cmocka_unit_test(test_json_value),
		cmocka_unit_test(test_counts_and_comments),
		cmocka_unit_test(test_unparseable_falls_back),
		cmocka_unit_test(test_unparseable_pairs),
		cmocka_unit_test(test_hostile_alias_bomb),
		cmocka_unit_test(test_url_path_keys),
		cmocka_unit_test(test_hostile_alias_count),
		cmocka_unit_test(test_hostile_deep),
		cmocka_unit_test(test_hostile_huge_scalar),
		cmocka_unit_test(test_known_whole_words),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_known_spellings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
