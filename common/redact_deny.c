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
#include "redact_shape.h"
#include "secretpat.h"
#include "xalloc.h"

/*
 * Fields of the agent's schemas (OnboardingConfiguration, AgentConfiguration)
 * that support reads and that hold no secret, anchored at the document's root.
 * Paths join keys with '/' (a '/' inside a key reads '_'), a sequence item is
 * '-'; '*' is one key, never more (FNM_PATHNAME), so every entry names scalars
 * at one depth: a map or list under a kept field is judged by shape like any
 * other value.  Matched without regard to case.
 */
static const struct {
	const char	*path;
	const char	*why;
} schema[] = {
	{ "/apiVersion", "the document's schema" },
	{ "/kind", "the document's schema (rules read it)" },
	/* OnboardingConfiguration */
	{ "/onboardingEndpoint/host", "the onboarding endpoint (rules read it)" },
	{ "/onboardingEndpoint/port", "the onboarding endpoint (rules read it)" },
	{ "/onboardingEndpoint/transportSecurity/tls/sni", "TLS server name" },
	{ "/onboardingEndpoint/transportSecurity/tls/insecureSkipVerify", "TLS verification (rules read it)" },
	{ "/workloadGroup/namespace", "the WorkloadGroup (rules read it)" },
	{ "/workloadGroup/name", "the WorkloadGroup (rules read it)" },
	{ "/workload/labels/*", "workload labels" },
	{ "/settings/connectedOver", "network mode" },
	/* AgentConfiguration */
	{ "/host/custom/credential/-/plugin/name", "credential plugin name" },
	{ "/host/custom/credential/-/plugin/path", "credential plugin path" },
	{ "/host/custom/credential/-/plugin/env/-/name", "environment variable names" },
	{ "/sidecar/istio/revision", "sidecar settings" },
	{ "/sidecar/stdout", "sidecar settings" },
	{ "/sidecar/stderr", "sidecar settings" },
	{ "/sidecar/user/*", "sidecar settings" },
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
	return !shape_random_run(v, n, false);	/* a token under user: or *Name is no name */
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
	return !shape_random_run(v, n, true);	/* "ZSXJUSWUUZNG", "RTTQJ_GSGPZ_INXYE": a code, no enum */
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

const char *
redact_deny_schema(const char *path)
{
	for (size_t i = 0; i < ELEMENTSOF(schema); i++)
		if (fnmatch(schema[i].path, path, FNM_PATHNAME | FNM_CASEFOLD) == 0)
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
	struct shape_url u;
	size_t kl = 0;
	const char *k;

	if (n == 0 || secretpat_marker_len(v, n) == n)
		return "empty";
	if (is_bool(v, n))
		return "boolean";
	if (is_null(v, n))
		return "null";
	if (shape_duration(v, n))
		return "duration";
	if (shape_vocab(v, n))
		return "vocabulary";
	if (shape_url_split(v, n, &u) && u.ui_e == u.ui_s && u.q == n && shape_url_hostpath_ok(v, &u))
		return "url";
	if (shape_relpath(v, n) && kc != KEY_NONE)
		return "relative-path";
	if (kc >= KEY_MEDIUM)
		return NULL;
	if (path != NULL && redact_deny_schema(path) != NULL)
		return "schema";
	if (kc == KEY_WEAK && (shape_hostname(v, n) || shape_ip(v, n) || shape_hostport(v, n)))
		return "host";	/* --auth-server auth.corp.example.net:8443: a weak key's host */
	if (kc != KEY_NONE)
		return NULL;
	if (shape_number(v, n))
		return "number";
	if (shape_hostname(v, n) || shape_ip(v, n) || shape_hostport(v, n))
		return "host";
	if (shape_hostlist(v, n))
		return "host-list";
	if (shape_settings(v, n))
		return "settings";
	if (path_shape(v, n) && redact_path_exists(r, v, n))
		return "path-exists";
	if (is_flag(v, n))
		return "flag";
	if (is_region(v, n))
		return "region";
	if (is_constant(v, n))
		return "constant";
	if (shape_relpath(v, n))
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
	struct shape_url u;
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
	if (shape_url_split(v, n, &u) && shape_url_hostpath_ok(v, &u)) {
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
		cb("kept by the schema (a scalar at exactly this path from the root; * is one key)",
		    schema[i].path, userdata);
	cb("kept by shape: boolean", "true, false, yes, no, on, off", userdata);
	cb("kept by shape: null", "null, ~ (no value)", userdata);
	cb("kept by shape: duration", "30s, 1h30m, 500ms", userdata);
	cb("kept by shape: vocabulary", "debug, info, aws, internet, enabled, ...", userdata);
	cb("kept by shape: url", "https://host:port/path (no user, no password, no query)", userdata);
	cb("kept by shape: number (key not secret-like)", "up to 5 integer digits: 3, 15443, 0.5", userdata);
	cb("kept by shape: host (key not secret-like)", "onboarding.example.com, 192.0.2.10, host:443",
	    userdata);
	cb("kept by shape: host-list (key not secret-like)", "NO_PROXY=.corp.example.net,10.0.0.0/8,localhost",
	    userdata);
	cb("kept by shape: settings (key not secret-like)", "GODEBUG=x509ignoreCN=0,http2client=0", userdata);
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
