/*
 * redact_deny.c: default-deny for configuration values.  Keys and structure stay;
 * a value is kept only when the schema allowlist names its field, or when its
 * shape proves it harmless; every other value is redacted, whatever its key says.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "redact.h"
#include "secretpat.h"
#include "xalloc.h"

/*
 * Fields of the agent's schemas (OnboardingConfiguration, AgentConfiguration)
 * that support reads and that hold no secret.  Paths join keys with '/', a
 * sequence item is '-'; '*' matches anything, also across '/'.  Matched
 * without regard to case.
 */
static const struct {
	const char	*path;
	const char	*why;
} schema[] = {
	{ "/apiVersion", "the document's schema" },
	{ "*/kind", "the document's schema" },
	{ "*/onboardingEndpoint/host", "the onboarding endpoint (rules read it)" },
	{ "*/onboardingEndpoint/port", "the onboarding endpoint (rules read it)" },
	{ "*/transportSecurity/tls/sni", "TLS server name" },
	{ "*/transportSecurity/tls/insecureSkipVerify", "TLS verification (rules read it)" },
	{ "*/transportSecurity/plaintext*", "transport mode" },
	{ "*/workloadGroup/namespace", "the WorkloadGroup (rules read it)" },
	{ "*/workloadGroup/name", "the WorkloadGroup (rules read it)" },
	{ "*/labels/*", "workload labels" },
	{ "*/connectedOver", "network mode" },
	{ "*/plugin/name", "credential plugin name" },
	{ "*/plugin/path", "credential plugin path" },
	{ "*/env/-/name", "environment variable names" },
	{ "*/sidecar/istio/*", "sidecar settings" },
	{ "*/sidecar/stdout", "sidecar settings" },
	{ "*/sidecar/stderr", "sidecar settings" },
	{ "*/sidecar/user/*", "sidecar settings" },
};

/* Words of a closed vocabulary (log levels, modes, providers): never a secret. */
static const char *const vocab[] = {
	"debug", "info", "warn", "warning", "error", "trace", "fatal", "panic", "notice", "critical",
	"none", "auto", "default", "always", "never", "ifnotpresent", "enabled", "disabled",
	"enable", "disable", "strict", "permissive", "required", "optional", "internet", "vpc",
	"aws", "gcp", "azure", "ecs", "eks", "ec2", "gke", "aks", "vault", "k8s", "kubernetes", "tls",
	"mtls", "plaintext", "simple", "mutual", "istio", "json", "text", "console", "yaml", "tcp",
	"udp", "http", "https", "grpc", "http2", "ipv4", "ipv6", "dual", "file", "files", "stdout",
	"stderr", "journal", "syslog", "local", "remote", "primary", "secondary", "active", "passive",
};

static bool
is_bool(const char *v, size_t n)
{
	static const char *const w[] = { "true", "false", "yes", "no", "on", "off", "y", "n" };

	for (size_t i = 0; i < ELEMENTSOF(w); i++)
		if (strlen(w[i]) == n && strncasecmp(v, w[i], n) == 0)
			return true;
	return false;
}

/* YAML's null (JSON's null): no value, so nothing to hide. */
static bool
is_null(const char *v, size_t n)
{
	return (n == 1 && v[0] == '~') || (n == 4 && strncasecmp(v, "null", 4) == 0);
}

static bool
in_vocab(const char *v, size_t n)
{
	for (size_t i = 0; i < ELEMENTSOF(vocab); i++)
		if (strlen(vocab[i]) == n && strncasecmp(v, vocab[i], n) == 0)
			return true;
	return false;
}

/* 30s, 1h30m, 500ms, 2.5s, 24h: Go and systemd durations. */
static bool
is_duration(const char *v, size_t n)
{
	size_t i = 0, units = 0;

	while (i < n) {
		size_t d = i;

		while (i < n && (isdigit((unsigned char)v[i]) || v[i] == '.'))
			i++;
		if (i == d || i == n)
			return false;
		d = i;
		while (i < n && isalpha((unsigned char)v[i]))
			i++;
		if (i - d == 0 || i - d > 4)
			return false;
		{
			static const char *const u[] = { "ns", "us", "ms", "s", "m", "h", "d", "w",
				"sec", "min", "hr", "day", "days", "ms" };
			bool ok = false;

			for (size_t k = 0; k < ELEMENTSOF(u) && !ok; k++)
				ok = strlen(u[k]) == i - d && strncmp(v + d, u[k], i - d) == 0;
			if (!ok)
				return false;
		}
		units++;
	}
	return units > 0;
}

/* -12, 3, 15443, 0.5: counts, ports, ratios (up to 5 integer digits). */
static bool
is_number(const char *v, size_t n)
{
	size_t i = 0, d = 0;

	if (i < n && (v[i] == '-' || v[i] == '+'))
		i++;
	while (i < n && isdigit((unsigned char)v[i]))
		i++, d++;
	if (d == 0 || d > 5)
		return false;
	if (i < n && v[i] == '.') {
		size_t f = 0;

		for (i++; i < n && isdigit((unsigned char)v[i]); i++)
			f++;
		if (f == 0 || f > 6)
			return false;
	}
	return i == n;
}

/* A DNS name of two labels or more, the last alphabetic: onboarding.example.invalid. */
static bool
is_hostname(const char *v, size_t n)
{
	size_t labels = 0, i = 0, last = 0;
	bool alpha_last = false;

	if (n == 0 || n > 253)
		return false;
	while (i < n) {
		size_t s = i;
		bool alpha = true;

		while (i < n && (isalnum((unsigned char)v[i]) || v[i] == '-')) {
			if (!isalpha((unsigned char)v[i]))
				alpha = false;
			i++;
		}
		if (i == s || i - s > 63 || v[s] == '-' || v[i - 1] == '-')
			return false;
		labels++;
		last = s;
		alpha_last = alpha && i - s >= 2;
		if (i < n && v[i] != '.')
			return false;
		if (i < n)
			i++;
		if (i == n && v[n - 1] == '.')
			return false;
	}
	(void)last;
	return labels >= 2 && alpha_last;
}

/* 192.0.2.10, 10.0.0.0/8, ::1, fd00::1. */
static bool
is_ip(const char *v, size_t n)
{
	size_t i, dots = 0, colons = 0;

	if (n < 2 || n > 45)
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] == '.')
			dots++;
		else if (v[i] == ':')
			colons++;
		else if (v[i] == '/')
			break;
		else if (!(isdigit((unsigned char)v[i]) || (colons > 0 && isxdigit((unsigned char)v[i]))))
			return false;
	}
	if (i < n)
		for (size_t k = i + 1; k < n; k++)
			if (!isdigit((unsigned char)v[k]))
				return false;
	return (dots == 3 && colons == 0) || (colons >= 2 && dots == 0);
}

/* host:port with a harmless host. */
static bool
is_hostport(const char *v, size_t n)
{
	const char *c = memrchr(v, ':', n);
	size_t h;

	if (c == NULL)
		return false;
	h = (size_t)(c - v);
	return h > 0 && is_number(c + 1, n - h - 1) && c[1] != '-' &&
	    (is_hostname(v, h) || is_ip(v, h) || (h == 9 && memcmp(v, "localhost", 9) == 0));
}

/* secrets/jwt-token: lowercase path segments (letters, digits, '.', '-', '_'), one '/' at least. */
static bool
is_relpath(const char *v, size_t n)
{
	size_t i, slashes = 0, seg = 0;

	if (n < 3 || v[0] == '/' || v[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '/') {
			if (seg < 2)
				return false;
			slashes++;
			seg = 0;
		} else if (islower(c) || isdigit(c) || c == '-' || c == '_' || c == '.')
			seg++;
		else
			return false;
	}
	return slashes > 0 && seg >= 2;
}

/* An absolute path: segments of [A-Za-z0-9._@+-], no blanks. */
static bool
path_shape(const char *v, size_t n)
{
	if (n < 2 || v[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("/._-@+:", v[i]) == NULL)
			return false;
	return true;
}

/* An identifier: my-plugin, vm-workload-group, v5, canary-1-20. */
static bool
is_ident(const char *v, size_t n)
{
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("-_.:/", v[i]) == NULL)
			return false;
	return true;
}

/* us-east-1, eu-west-2, us-gov-west-1: a cloud region. */
static bool
is_region(const char *v, size_t n)
{
	size_t i = 0, parts = 0;

	if (n < 6 || n > 20 || !islower((unsigned char)v[0]) || !islower((unsigned char)v[1]) || v[2] != '-' ||
	    !isdigit((unsigned char)v[n - 1]) || v[n - 2] != '-')
		return false;

	while (i < n) {
		size_t s = i;

		while (i < n && islower((unsigned char)v[i]))
			i++;
		if (i == s) {
			while (i < n && isdigit((unsigned char)v[i]))
				i++;
			return i == n && i > s && parts >= 2;
		}
		parts++;
		if (i >= n || v[i] != '-')
			return false;
		i++;
	}
	return false;
}

/*
 * ENV_NAME, INTERNET, ISTIO_MUTUAL, AES256: upper case, digits and '_', in words an
 * enum spells: letters only up to 12, with digits up to 6.  A long run (a base32
 * TOTP seed JBSWY3DPEHPK3PXP, a licence key QWERTYUIOPASDFGZ) is no constant.
 */
static bool
is_constant(const char *v, size_t n)
{
	size_t seg = 0, i;
	bool digits = false;

	if (n < 2 || n > 48 || !isupper((unsigned char)v[0]))
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || v[i] == '_') {
			if (seg == 0 || seg > (digits ? 6u : 12u))
				return false;
			seg = 0;
			digits = false;
		} else if (isupper((unsigned char)v[i]))
			seg++;
		else if (isdigit((unsigned char)v[i])) {
			seg++;
			digits = true;
		} else
			return false;
	}
	return true;
}

/* --verbose, --config, -v: a flag without a value. */
static bool
is_flag(const char *v, size_t n)
{
	size_t i;

	if (n == 2 && v[0] == '-' && isalpha((unsigned char)v[1]))
		return true;
	if (n < 3 || v[0] != '-' || v[1] != '-' || !isalpha((unsigned char)v[2]))
		return false;
	for (i = 2; i < n; i++)
		if (!islower((unsigned char)v[i]) && !isdigit((unsigned char)v[i]) && v[i] != '-' &&
		    !isupper((unsigned char)v[i]))
			return false;
	return true;
}

struct urlparts {
	size_t	 scheme_end;	/* after "://" */
	size_t	 ui_s, ui_e;	/* userinfo, empty when none */
	size_t	 host_s, rest;	/* host start; path start (or end) */
	size_t	 q;		/* '?' or '#' position, or n */
};

/* scheme://[userinfo@]host[:port][/path][?query]: the parts; false when v is no URL. */
static bool
url_split(const char *v, size_t n, struct urlparts *u)
{
	size_t i = 0, at = 0, hs;

	while (i < n && (isalnum((unsigned char)v[i]) || v[i] == '+' || v[i] == '-' || v[i] == '.'))
		i++;
	if (i == 0 || i + 3 > n || memcmp(v + i, "://", 3) != 0 || !isalpha((unsigned char)v[0]))
		return false;
	u->scheme_end = i + 3;
	for (i = u->scheme_end; i < n && v[i] != '/' && v[i] != '?' && v[i] != '#'; i++)
		if (v[i] == '@')
			at = i;
	u->rest = i;
	if (at) {
		u->ui_s = u->scheme_end;
		u->ui_e = at;
		hs = at + 1;
	} else {
		u->ui_s = u->ui_e = 0;
		hs = u->scheme_end;
	}
	u->host_s = hs;
	for (u->q = u->rest; u->q < n && v[u->q] != '?' && v[u->q] != '#'; u->q++)
		;
	return true;
}

/* The host[:port] and path of a URL are harmless when they look like names. */
static bool
url_hostpath_ok(const char *v, struct urlparts *u)
{
	size_t hl = u->rest - u->host_s;

	if (hl == 0)
		return true;	/* file:///x */
	if (!(is_hostname(v + u->host_s, hl) || is_hostport(v + u->host_s, hl) ||
	    is_ip(v + u->host_s, hl) || (hl >= 9 && memcmp(v + u->host_s, "localhost", 9) == 0) ||
	    (v[u->host_s] == '[')))
		return false;
	for (size_t i = u->rest; i < u->q; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("/._~-%:@+", v[i]) == NULL)
			return false;
	return true;
}

/* The key ends with word w, any case, after a separator or a camelCase break (or is w). */
static bool
key_ends(const char *k, size_t kl, const char *w)
{
	size_t wl = strlen(w);

	if (kl < wl || strncasecmp(k + kl - wl, w, wl) != 0)
		return false;
	if (kl == wl)
		return true;
	return !isalnum((unsigned char)k[kl - wl - 1]) || isupper((unsigned char)k[kl - wl]);
}

/* The key's last component of path ("/a/b/c" -> "c"). */
static const char *
last_key(const char *path, size_t *len)
{
	const char *s = strrchr(path, '/');

	s = s ? s + 1 : path;
	*len = strlen(s);
	return s;
}

bool
redact_deny_harmless(const char *v, size_t n)
{
	struct urlparts u;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	return is_duration(v, n) || in_vocab(v, n) || is_relpath(v, n) ||
	    (url_split(v, n, &u) && u.ui_e == u.ui_s && u.q == n && url_hostpath_ok(v, &u));
}

const char *
redact_deny_schema(const char *path)
{
	for (size_t i = 0; i < ELEMENTSOF(schema); i++)
		if (fnmatch(schema[i].path, path, FNM_CASEFOLD) == 0)
			return "schema";
	return NULL;
}

/*
 * Why v is kept, or NULL.  keyclass: how secret-like its key is; a secret-like
 * key trusts only shapes that cannot carry a secret (booleans, durations, a
 * closed vocabulary, a relative path of lowercase names, a URL without
 * userinfo or query).
 */
static const char *
keep_rule(struct redactor *r, const char *path, const char *key, size_t keylen, enum key_class kc,
    const char *v, size_t n)
{
	struct urlparts u;
	size_t kl = 0;
	const char *k;

	if (n == 0 || secretpat_marker_len(v, n) == n)
		return "empty";
	if (is_bool(v, n))
		return "boolean";
	if (is_null(v, n))
		return "null";
	if (is_duration(v, n))
		return "duration";
	if (in_vocab(v, n))
		return "vocabulary";
	if (url_split(v, n, &u) && u.ui_e == u.ui_s && u.q == n && url_hostpath_ok(v, &u))
		return "url";
	if (is_relpath(v, n) && kc != KEY_NONE)
		return "relative-path";
	if (kc >= KEY_MEDIUM)
		return NULL;
	if (path != NULL && redact_deny_schema(path) != NULL)
		return "schema";
	if (kc != KEY_NONE)
		return NULL;
	if (is_number(v, n))
		return "number";
	if (is_hostname(v, n) || is_ip(v, n) || is_hostport(v, n))
		return "host";
	if (path_shape(v, n) && redact_path_exists(r, v, n))
		return "path-exists";
	if (is_flag(v, n))
		return "flag";
	if (is_region(v, n))
		return "region";
	if (is_constant(v, n))
		return "constant";
	if (is_relpath(v, n))
		return "relative-path";
	if (key != NULL) {
		k = key;
		kl = keylen;
	} else
		k = path != NULL ? last_key(path, &kl) : "";
	if (key_ends(k, kl, "file") || key_ends(k, kl, "path") || key_ends(k, kl, "dir") ||
	    key_ends(k, kl, "directory") || key_ends(k, kl, "config") || key_ends(k, kl, "conf"))
		return path_shape(v, n) && !memmem(v, n, "//", 2) ? "file-reference" : NULL;
	if (key_ends(k, kl, "name") && is_ident(v, n))
		return "identifier";
	if ((kl == 4 && strncasecmp(k, "name", 4) == 0) || (kl == 7 && strncasecmp(k, "version", 7) == 0) ||
	    (kl == 6 && strncasecmp(k, "region", 6) == 0) || (kl == 4 && strncasecmp(k, "user", 4) == 0) ||
	    (kl == 8 && strncasecmp(k, "username", 8) == 0) || (kl == 8 && strncasecmp(k, "revision", 8) == 0))
		return is_ident(v, n) ? "identifier" : NULL;
	return NULL;
}

/*
 * One value under default-deny.  Returns NULL when v stays as it is (counted
 * as "kept:<rule>"), else a new string to write instead (free it): the marker,
 * or for a URL its parts with userinfo and query redacted, for "--flag=V" the
 * flag with V judged alone.
 */
static char *
deny_value(struct redactor *r, const char *path, const char *key, size_t keylen, enum key_class kc,
    const char *kind, const char *v, size_t n, redact_counts *counts)
{
	const char *rule;
	struct urlparts u;
	char kept[48];

	rule = keep_rule(r, path, key, keylen, kc, v, n);
	if (rule != NULL) {
		snprintf(kept, sizeof(kept), "kept:%s", rule);
		redact_count(counts, kept);
		return NULL;
	}
	/* --flag=V: the flag stays, V is judged under the flag's name */
	if (n > 3 && v[0] == '-') {
		const char *eq = memchr(v, '=', n);

		if (eq != NULL && is_flag(v, (size_t)(eq - v))) {
			size_t fl = (size_t)(eq - v) + 1;
			const char *fk = NULL;
			enum key_class fc = secretpat_key_class(v, fl - 1, &fk);
			char *sub = deny_value(r, NULL, v, fl - 1, fc > kc ? fc : kc, fk ? fk : kind, eq + 1,
			    n - fl, counts);
			struct buf b = { 0 };

			if (sub == NULL)
				return NULL;
			buf_add(&b, v, fl);
			buf_adds(&b, sub);
			free(sub);
			return buf_steal(&b, NULL);
		}
	}
	/* a URL keeps scheme, host, port and path; userinfo and query go */
	if (url_split(v, n, &u) && url_hostpath_ok(v, &u)) {
		struct buf b = { 0 };

		buf_add(&b, v, u.scheme_end);
		if (u.ui_e > u.ui_s) {
			/* user:password keeps the user; a lone user part may be a token: it goes */
			const char *colon = memchr(v + u.ui_s, ':', u.ui_e - u.ui_s);
			size_t ps = colon ? (size_t)(colon - v) + 1 : u.ui_s;

			buf_add(&b, v + u.ui_s, ps - u.ui_s);
			if (u.ui_e > ps)
				buf_adds(&b, redact_value(r, colon ? "url-password" : "url-userinfo", v + ps,
				    u.ui_e - ps));
			buf_addc(&b, '@');
			redact_count(counts, "default-deny");
		}
		buf_add(&b, v + u.host_s, u.q - u.host_s);
		if (u.q < n) {
			buf_addc(&b, v[u.q]);
			buf_adds(&b, redact_value(r, "url-query", v + u.q + 1, n - u.q - 1));
			redact_count(counts, "default-deny");
		}
		return buf_steal(&b, NULL);
	}
	redact_count(counts, kc != KEY_NONE ? "key" : "default-deny");
	return xstrdup(redact_value(r, kind != NULL ? kind : "value", v, n));
}

char *
redact_deny_value(struct redactor *r, const char *path, const char *key, size_t keylen,
    const char *v, size_t n, redact_counts *counts)
{
	enum key_class kc = KEY_NONE;
	const char *kind = NULL;

	if (key != NULL && keylen > 0)
		kc = secretpat_key_class(key, keylen, &kind);
	return deny_value(r, path, key, keylen, kc, kind, v, n, counts);
}

char *
redact_deny_secret(struct redactor *r, const char *path, int kc, const char *kind, const char *v,
    size_t n, redact_counts *counts)
{
	return deny_value(r, path, NULL, 0, (enum key_class)kc, kind, v, n, counts);
}

void
redact_deny_describe(void (*cb)(const char *what, const char *example, void *userdata), void *userdata)
{
	for (size_t i = 0; i < ELEMENTSOF(schema); i++)
		cb("kept by the schema", schema[i].path, userdata);
	cb("kept by shape: boolean", "true, false, yes, no, on, off", userdata);
	cb("kept by shape: null", "null, ~ (no value)", userdata);
	cb("kept by shape: duration", "30s, 1h30m, 500ms", userdata);
	cb("kept by shape: vocabulary", "debug, info, aws, internet, enabled, ...", userdata);
	cb("kept by shape: url", "https://host:port/path (no user, no password, no query)", userdata);
	cb("kept by shape: number (key not secret-like)", "up to 5 integer digits: 3, 15443, 0.5", userdata);
	cb("kept by shape: host (key not secret-like)", "onboarding.example.com, 192.0.2.10, host:443",
	    userdata);
	cb("kept by shape: path-exists (key not secret-like)", "an absolute path that exists on the host",
	    userdata);
	cb("kept by shape: flag", "--verbose, -v", userdata);
	cb("kept by shape: constant (key not secret-like)", "INTERNET, LOG_LEVEL", userdata);
	cb("kept by shape: relative-path", "secrets/jwt-token (lowercase names)", userdata);
	cb("kept by shape: region", "us-east-1, eu-west-2", userdata);
	cb("kept by shape: file reference (key ends in file, path, dir, config)",
	    "/etc/onboarding-agent/ca.pem under caFile, EXT_JWT_TOKEN_FILE, --config", userdata);
	cb("kept by shape: identifier under a *name, version, revision, user or username key",
	    "my-plugin, v5, canary-1-20, onboarding-tls under secretName", userdata);
	cb("everything else", "redacted (default-deny), whatever its key says", userdata);
}
