/* redact.h: removing secrets from configs, unit files and log text, and proving it. */
#ifndef TRIAGE_REDACT_H
#define TRIAGE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "redact_shape.h"	/* redact_deny_harmless() */

/*
 * A redactor holds one bundle's random key (never stored) and every value it
 * has redacted so far, so that the same secret gets the same marker in every
 * file, e.g. "<redacted:token:3fa1c2>", and so that redact_verify() can look
 * for each of them.  Destroy with redactor_free().
 */
struct redactor;

struct redactor *redactor_new(void);
void redactor_free(struct redactor *);

/*
 * Counts of one file's redactions by rule, e.g. {"yaml-key": 3, "jwt": 1},
 * filled by the functions below (they add to it).  Rules are named for the
 * manifest; never values.
 */
typedef json_t redact_counts;

/* Adds one to counts[rule]; counts may be NULL. */
void redact_count(redact_counts *counts, const char *rule);

/*
 * Redacts a YAML file (libyaml events; aliases never expanded; comments
 * dropped, and counted in counts as "comments": N).  On success *out is the
 * re-emitted YAML (NUL-terminated, free it) and 0 is returned.  When the input does not parse, the text is redacted by
 * the pattern rules instead, *out holds that, *parse_error describes the
 * problem ("line 4: mapping values are not allowed here"), and 1 is returned.
 * Input over the size cap or nesting too deep is refused the same way.
 */
int redact_yaml(struct redactor *, const char *in, size_t len, char **out,
    size_t *outlen, redact_counts *counts, char **parse_error);

/*
 * Redacts JSON text (ONBOARDING_CONFIG given as JSON) the same way as YAML,
 * writing YAML out.  Same returns as redact_yaml().
 */
int redact_json_config(struct redactor *, const char *in, size_t len, char **out,
    size_t *outlen, redact_counts *counts, char **parse_error);

/*
 * Redacts free text with the pattern rules: PEM keys, JWTs, AWS keys,
 * Authorization headers, URL passwords, key=value / key: value pairs with
 * secret-like keys, "password is X".  Returns 0; *out as above.
 * Fast path: text with no trigger costs one scan and no copy beyond *out.
 */
int redact_text(struct redactor *, const char *in, size_t len, char **out,
    size_t *outlen, redact_counts *counts);

/*
 * Redacts a systemd unit file or drop-in: Environment=, ExecStart= arguments
 * and every value by the pattern rules; the text of a comment line ('#' or ';')
 * becomes a marker.  Returns 0; *out as above.
 */
int redact_unit_file(struct redactor *, const char *in, size_t len, char **out,
    size_t *outlen, redact_counts *counts);

/*
 * Redacts an environment file (NAME=value lines): names stay, values by
 * default-deny, comments dropped.  Returns 0; *out as above.
 */
int redact_env_file(struct redactor *, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts);

/*
 * Redacts a text file with '#' comments (the resolver's files: hosts, resolv.conf,
 * nsswitch.conf, resolved.conf): the text of every comment (from '#' to the end of
 * the line, or a line starting with ';') becomes a marker, then the pattern rules run
 * over the rest.  Returns 0; *out as above.
 */
int redact_comment_file(struct redactor *, const char *in, size_t len, char **out, size_t *outlen,
    redact_counts *counts);

/*
 * True when text might hold something redact_text() would change; a cheap
 * prefilter for hot paths (journal fields).  Never false when it would.
 */
bool redact_text_maybe(const char *in, size_t len);

/*
 * Scans what is about to be written for every value redacted so far (as is,
 * base64-encoded, URL-encoded) and for the secret patterns.  Returns 0 when
 * clean, 1 on a hit with *why (free it) naming the kind and line, never the
 * value.
 */
int redact_verify(struct redactor *, const char *buf, size_t len, char **why);

/*
 * The analyzer's leak check: calls cb for each secret pattern found in buf
 * (1-based line, the pattern's kind, e.g. "private-key").  Redaction markers
 * never match.  Returns the number of hits.
 */
unsigned secret_scan(const char *buf, size_t len,
    void (*cb)(unsigned line, const char *kind, void *userdata), void *userdata);

/* True if a key name is secret-like (password, client_secret, privateKey, ...). */
bool redact_key_is_secret(const char *key, size_t len);

/*
 * Records v as a secret of the given kind ("password", "token", ...) and
 * returns its marker, e.g. "<redacted:password:3fa1c2>" (owned by the
 * redactor, valid until redactor_free()).  A value seen before keeps the kind
 * and marker it got first, so the same secret reads the same everywhere.
 */
const char *redact_value(struct redactor *, const char *kind, const char *v, size_t len);
/*
 * As redact_value(), but v is not searched for in other files and entries: a value
 * redacted where it stands only because no rule vouched for it (an ECS label, a log
 * option), or a port a pattern took in free text.  A later redact_value() of the same
 * value makes it searched for.
 */
const char *redact_value_here(struct redactor *, const char *kind, const char *v, size_t len);

/*
 * Redacts a JSON value in place (D-Bus properties, env configs already
 * parsed): string members of secret-like keys, {name, value} pairs, secret
 * flags in string arrays ("--token", "V"), "NAME=value" strings with a
 * secret-like NAME (the whole value, blanks and all), and every string by the
 * pattern rules.  A secret-like key over an object or array redacts every
 * string in it.  Returns the number of values redacted.
 */
unsigned redact_json_value(struct redactor *, json_t *v, redact_counts *counts);

/*
 * Counts the comments in a YAML text (libyaml drops them, and a comment can
 * hold a secret, so redact_yaml() never carries them through); for the
 * manifest's "comments_dropped".  '#' inside scalars does not count.
 */
unsigned redact_yaml_comment_count(const char *in, size_t len);

/*
 * Default-deny (redact_deny.c).  path: the value's place in its document, keys
 * joined by '/' from the root ("/onboardingEndpoint/host"), '-' for a sequence
 * item, or NULL; key: the name it is stored under (its class decides which
 * shapes are trusted).  Returns NULL when the value stays as it is (counted as
 * "kept:<rule>" in counts), else what to write instead (free it).
 */
char *redact_deny_value(struct redactor *, const char *path, const char *key, size_t keylen,
    const char *v, size_t len, redact_counts *counts);
/* The same for a value already known to sit under a secret-like name of class kc (secretpat.h). */
char *redact_deny_secret(struct redactor *, const char *path, int kc, const char *kind,
    const char *v, size_t len, redact_counts *counts);
/* "schema" when path is in the schema allowlist, else NULL. */
const char *redact_deny_schema(const char *path);
/* Lists the schema allowlist and the shape rules (for --dry-run and the docs). */
void redact_deny_describe(void (*cb)(const char *what, const char *example, void *userdata),
    void *userdata);


/*
 * Default-deny for a unit's D-Bus properties, after redact_json_value():
 * Environment and UnsetEnvironment values (names stay), Exec* arguments (the
 * program stays), Description, SetCredential values (ids stay), LogExtraFields
 * values (names stay; written as strings) and StandardInputData.
 * Returns the number of values redacted.
 */
unsigned redact_unit_props(struct redactor *, json_t *props, redact_counts *counts);

/*
 * Default-deny for one argv array of strings (an Exec* property's, an ECS
 * container's command or entryPoint): the first item, the program, stays;
 * every argument the allowlist or its shape does not keep becomes a marker.
 * Returns the number of values redacted.
 */
unsigned redact_argv_deny(struct redactor *, json_t *argv, redact_counts *counts);

/*
 * How "a path that exists" is decided (the collector checks its --root tree);
 * without it, no absolute path is kept for existing.
 */
void redactor_set_path_check(struct redactor *, bool (*exists)(const char *path, void *userdata),
    void *userdata);
bool redact_path_exists(struct redactor *, const char *path, size_t len);

/*
 * Replaces every value redacted so far, wherever it appears in buf (as is,
 * URL-encoded, JSON-escaped, base64 at each alignment, UTF-16), by its
 * marker.  *out is NULL when nothing was found (buf is clean of them), else
 * the new text (free it).  Returns how many occurrences were replaced.
 */
unsigned redact_known(struct redactor *, const char *buf, size_t len, char **out, size_t *outlen);
/* True when in, with the escapes that may join a key and its value decoded (&quot; %22 \\x3d,
 * colour codes), holds a secret pattern that the text as written does not show. */
bool redact_text_encoded(const char *in, size_t len);

/*
 * Turns the values redacted so far into redact_verify()'s and redact_known()'s
 * search strings now.  Until the next value is redacted, those two then only
 * read the redactor, so threads may call them at once (collect/jsonl.c).
 */
void redact_prepare(struct redactor *);

/*
 * A text with a byte-order mark (UTF-16/32 either order, or UTF-8) as UTF-8
 * without it: 1 with *out (free it) and *from ("UTF-16LE", ...), 0 when there
 * is no mark (nothing to do), -errno when it does not decode.
 */
int redact_transcode(const char *in, size_t len, char **out, size_t *outlen, const char **from);

/*
 * The byte-order mark p starts with (n bytes): its iconv name ("UTF-32LE",
 * "UTF-16BE", ..., "UTF-8") with *marklen set, or NULL when there is none.
 */
const char *text_bom(const void *p, size_t n, size_t *marklen);

/* Limits of redact_yaml(): larger or deeper input is refused (returns 1). */
#define REDACT_YAML_MAX_BYTES	(16u << 20)	/* input size */
#define REDACT_YAML_MAX_DEPTH	256		/* nested collections */
#define REDACT_YAML_MAX_ALIASES	10000		/* alias nodes */

/* Lists the secret-like key words and pattern kinds (for --dry-run). */
void redact_describe(void (*cb)(const char *what, const char *example, void *userdata),
    void *userdata);

#endif
