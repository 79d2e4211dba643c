/* secretpat.h: secret patterns and secret-like key words, shared by the redactor and the leak check. */
#ifndef TRIAGE_SECRETPAT_H
#define TRIAGE_SECRETPAT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * How sure a key name makes us that its value is a secret.  STRONG values are
 * redacted wherever they stand (password, secret, private key, API key);
 * MEDIUM ones too, except in prose ("token: context deadline exceeded") where
 * the value must look like a secret; WEAK ones (credential, auth, session id)
 * only when the value looks like a secret (digits or symbols, or long).
 */
enum key_class {
	KEY_NONE,	/* not secret-like */
	KEY_WEAK,	/* credential, auth, authorization, session id */
	KEY_MEDIUM,	/* token, cookie, bearer, pwd, pass */
	KEY_STRONG,	/* password, secret, private key, api/access key */
};

/* Classifies a key name; *kind (may be NULL) gets the marker kind, e.g. "password". */
enum key_class secretpat_key_class(const char *key, size_t len, const char **kind);

/* True for values never worth redacting: empty, "~", "null", "true", "false", a marker. */
bool secretpat_value_trivial(const char *v, size_t len);

/*
 * Decides whether a value under a key of class c is redacted.  loose: the pair
 * was found in prose ("password is X", "token: X" mid-line), not in a
 * structure (YAML, key=value, "key": "value").
 */
bool secretpat_value_wanted(enum key_class c, const char *v, size_t len, bool loose);

/* If p starts a redaction marker "<redacted:KIND:xxxxxx>", its length; else 0. */
size_t secretpat_marker_len(const char *p, size_t avail);

/* One secret found in text: bytes [start, end) are to be replaced. */
struct secret_hit {
	size_t		 start;	/* first byte of the secret */
	size_t		 end;	/* one past its last byte */
	const char	*kind;	/* marker kind: "private-key", "jwt", "password", ... */
	const char	*rule;	/* rule name for the manifest: "pem", "key-value", ... */
};

/*
 * Finds the secrets in text, left to right, never overlapping, and calls cb
 * for each.  Offset 0 counts as the start of a line.  Markers never match.
 * Returns the number of hits.
 */
unsigned secretpat_scan(const char *in, size_t len,
    void (*cb)(const struct secret_hit *, void *userdata), void *userdata);

/* True when secretpat_scan() might find something (one prefilter pass). */
bool secretpat_maybe(const char *in, size_t len);

/* True if a sequence item like "--client-secret" or "-token" is a secret-like flag awaiting its value. */
bool secretpat_is_secret_flag(const char *s, size_t len, const char **kind);

/* Lists the key words and patterns for --dry-run (see redact_describe()). */
void secretpat_describe(void (*cb)(const char *what, const char *example, void *userdata),
    void *userdata);

#endif
