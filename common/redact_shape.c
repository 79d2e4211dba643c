/*
 * redact_shape.c: value shapes that never carry a secret (durations, a closed
 * vocabulary, numbers, host names, addresses, lowercase relative paths, URLs
 * without userinfo or query).  The lowest layer of redaction: the pattern rules
 * (secretpat.c) and default-deny (redact_deny.c) both use it; it uses neither.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "redact_shape.h"

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

bool
shape_vocab(const char *v, size_t n)
{
	for (size_t i = 0; i < ELEMENTSOF(vocab); i++)
		if (strlen(vocab[i]) == n && strncasecmp(v, vocab[i], n) == 0)
			return true;
	return false;
}

/* 30s, 1h30m, 500ms, 2.5s, 24h: Go and systemd durations. */
bool
shape_duration(const char *v, size_t n)
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
bool
shape_number(const char *v, size_t n)
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

/* Changes between upper and lower case in a run of letters. */
static size_t
case_changes(const char *v, size_t n, size_t *up, size_t *lo)
{
	size_t c = 0;

	*up = *lo = 0;
	for (size_t i = 0; i < n; i++) {
		*up += isupper((unsigned char)v[i]) != 0;
		*lo += islower((unsigned char)v[i]) != 0;
		if (i > 0 && isalpha((unsigned char)v[i]) && isalpha((unsigned char)v[i - 1]) &&
		    !isupper((unsigned char)v[i]) != !isupper((unsigned char)v[i - 1]))
			c++;
	}
	return c;
}

/* A DNS name of two labels or more, the last alphabetic: onboarding.example.invalid. */
bool
shape_hostname(const char *v, size_t n)
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
		{
			size_t up, lo;

			if (case_changes(v + s, i - s, &up, &lo) >= 3)
				return false;	/* "fOXQaKi.GcnyPGi": random letters, no host */
		}
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
bool
shape_ip(const char *v, size_t n)
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
bool
shape_hostport(const char *v, size_t n)
{
	const char *c = memrchr(v, ':', n);
	size_t h;

	if (c == NULL)
		return false;
	h = (size_t)(c - v);
	return h > 0 && shape_number(c + 1, n - h - 1) && c[1] != '-' &&
	    (shape_hostname(v, h) || shape_ip(v, h) || (h == 9 && memcmp(v, "localhost", 9) == 0));
}

/* secrets/jwt-token: lowercase path segments (letters, digits, '.', '-', '_'), one '/' at least. */
bool
shape_relpath(const char *v, size_t n)
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

/*
 * A run of letters and digits made of words: a lower-case start, then capitalised words
 * of two lower-case letters or more, acronyms and numbers ("AgentToken2", "DigiCert",
 * "HTTPServer", "URLs").  Random base64 rarely is: "M25nVpZPxqMhQ" has "n" after digits.
 */
static bool
run_of_words(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n && islower((unsigned char)v[i]))
		i++;
	while (i < n) {
		size_t u = i, l;

		if (isdigit((unsigned char)v[i])) {
			while (i < n && isdigit((unsigned char)v[i]))
				i++;
			continue;
		}
		if (!isupper((unsigned char)v[i]))
			return false;	/* lower case after digits */
		while (i < n && isupper((unsigned char)v[i]))
			i++;
		u = i - u;
		l = i;
		while (i < n && islower((unsigned char)v[i]))
			i++;
		l = i - l;
		if (l == 1 && !(i == n && u >= 2))
			return false;	/* "Vp", "Mh": one lower-case letter between capitals */
	}
	return true;
}

bool
shape_mixed_case(const char *v, size_t n)
{
	size_t up, lo, i;

	for (i = 0; i < n && isalpha((unsigned char)v[i]); i++)
		;
	return i == n && n >= 8 && case_changes(v, n, &up, &lo) >= 3 && up >= 2 && lo >= 2;
}

/* Letters only, 8 or more, both cases changing 3 times or more, not words: "krpMPOBvgaevnt". */
static bool
random_letters(const char *v, size_t n)
{
	return shape_mixed_case(v, n) && !run_of_words(v, n);
}

bool
shape_random_segment(const char *v, size_t n)
{
	size_t digits = 0, plus = 0;

	for (size_t i = 0; i < n; i++) {
		digits += isdigit((unsigned char)v[i]) != 0;
		plus += v[i] == '+';
	}
	if (n >= 8 && digits > 0 && plus > 0)
		return true;	/* base64 */
	/* the runs between '-', '_', '.' and '+': one of 8 or more with digits and both cases, not words */
	for (size_t s = 0, e; s < n; s = e + 1) {
		size_t d = 0, up = 0, lo = 0;

		for (e = s; e < n && strchr("-_.+", v[e]) == NULL; e++) {
			d += isdigit((unsigned char)v[e]) != 0;
			up += isupper((unsigned char)v[e]) != 0;
			lo += islower((unsigned char)v[e]) != 0;
		}
		if (e - s >= 8 && d > 0 && up > 0 && lo > 0 && !run_of_words(v + s, e - s))
			return true;
		if (random_letters(v + s, e - s))
			return true;
	}
	return false;
}

/* One NO_PROXY item: a host, ".domain", "*.domain", an address or a CIDR block, host:port, "*". */
static bool
hostlist_item(const char *v, size_t n)
{
	const char *slash = memchr(v, '/', n);

	if (n == 1 && v[0] == '*')
		return true;
	if (n > 2 && v[0] == '*' && v[1] == '.')
		v++, n--;
	if (n > 1 && v[0] == '.')
		v++, n--;
	if (slash != NULL) {
		size_t h = (size_t)(slash - v);

		return shape_ip(v, n) || (h > 0 && shape_ip(v, h) && shape_number(slash + 1, n - h - 1));
	}
	return shape_hostname(v, n) || shape_ip(v, n) || shape_hostport(v, n) ||
	    (n == 9 && memcmp(v, "localhost", 9) == 0);
}

bool
shape_hostlist(const char *v, size_t n)
{
	size_t items = 0;

	for (size_t s = 0, e; s <= n; s = e + 1) {
		for (e = s; e < n && v[e] != ',' && v[e] != ' '; e++)
			;
		if (e > s) {
			if (!hostlist_item(v + s, e - s))
				return false;
			items++;
		}
	}
	return items >= 1 && memchr(v, ',', n) != NULL;
}

bool
shape_settings(const char *v, size_t n)
{
	size_t items = 0;

	for (size_t s = 0, e; s < n; s = e + 1) {
		const char *eq;
		size_t kl, vl;

		for (e = s; e < n && v[e] != ','; e++)
			;
		eq = memchr(v + s, '=', e - s);
		if (eq == NULL)
			return false;
		kl = (size_t)(eq - (v + s));
		vl = e - s - kl - 1;
		if (kl == 0 || kl > 32 || vl == 0 || vl > 5)
			return false;
		for (size_t i = s; i < s + kl; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '_')
				return false;
		if (!(vl <= 2 && isdigit((unsigned char)eq[1]) && (vl == 1 || isdigit((unsigned char)eq[2]))) &&
		    !(vl == 2 && strncasecmp(eq + 1, "on", 2) == 0) && !(vl == 3 && strncasecmp(eq + 1, "off", 3) == 0) &&
		    !(vl == 4 && strncasecmp(eq + 1, "true", 4) == 0) && !(vl == 5 && strncasecmp(eq + 1, "false", 5) == 0))
			return false;
		items++;
	}
	return items >= 1;
}

bool
shape_random_run(const char *v, size_t n, bool consonants)
{
	size_t consonant_runs = 0;

	if (shape_random_segment(v, n))
		return true;
	for (size_t s = 0, e; s < n; s = e + 1) {
		size_t d = 0, a = 0, run = 0, best = 0;

		for (e = s; e < n && strchr("-_.:/", v[e]) == NULL; e++) {
			unsigned char c = (unsigned char)v[e];

			d += isdigit(c) != 0;
			a += isalpha(c) != 0;
			run = isalpha(c) && strchr("aeiouyAEIOUY", c) == NULL ? run + 1 : 0;
			best = run > best ? run : best;
		}
		if (e - s >= 16 && d >= 2 && a >= 2)
			return true;	/* a hex or base32 token: 0c854a78379c914b890d... */
		if (e - s >= 24)
			return true;
		if (consonants && best >= 4 && e - s >= 8)
			return true;	/* "ZSXJUSWUUZNG": four consonants running in a long word */
		consonant_runs += best >= 4;
	}
	return consonants && consonant_runs >= 2;	/* "RTTQJ_GSGPZ_INXYE": groups of random capitals */
}

/* scheme://[userinfo@]host[:port][/path][?query]: the parts; false when v is no URL. */
bool
shape_url_split(const char *v, size_t n, struct shape_url *u)
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
bool
shape_url_hostpath_ok(const char *v, struct shape_url *u)
{
	size_t hl = u->rest - u->host_s;

	if (hl == 0)
		return true;	/* file:///x */
	if (!(shape_hostname(v + u->host_s, hl) || shape_hostport(v + u->host_s, hl) ||
	    shape_ip(v + u->host_s, hl) || (hl >= 9 && memcmp(v + u->host_s, "localhost", 9) == 0) ||
	    (v[u->host_s] == '[')))
		return false;
	for (size_t i = u->rest, run = 0, digits = 0, letters = 0, seg = u->rest; i < u->q; i++) {
		if (!isalnum((unsigned char)v[i]) && strchr("/._~-%:@+", v[i]) == NULL)
			return false;
		/* a key split by '-' or '_' (base64url: .../webhooks/ID/M25nVpZPxqMhQ_x02mx0y...) */
		if (v[i] == '/')
			seg = i + 1;
		else if ((i + 1 == u->q || v[i + 1] == '/') && shape_random_segment(v + seg, i + 1 - seg))
			return false;
		if (isalnum((unsigned char)v[i])) {
			run++;
			digits += isdigit((unsigned char)v[i]) != 0;
			letters += isalpha((unsigned char)v[i]) != 0;
			/* a webhook's key in its path (.../webhooks/ID/TOKEN, PagerDuty's
			 * integration key): 16 or more letters and digits mixed, unbroken */
			if (run >= 16 && digits > 0 && letters > 0)
				return false;
		} else
			run = digits = letters = 0;
	}
	return true;
}

bool
redact_deny_harmless(const char *v, size_t n)
{
	struct shape_url u;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	return shape_duration(v, n) || shape_vocab(v, n) || shape_relpath(v, n) ||
	    (shape_url_split(v, n, &u) && u.ui_e == u.ui_s && u.q == n && shape_url_hostpath_ok(v, &u));
}
