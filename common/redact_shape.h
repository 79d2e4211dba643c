/* redact_shape.h: value shapes that never carry a secret (redact_shape.c). */
#ifndef TRIAGE_REDACT_SHAPE_H
#define TRIAGE_REDACT_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

/* Each is true when v (n bytes, not NUL-terminated) has the shape. */
bool shape_vocab(const char *v, size_t n);	/* debug, enabled, aws, internet, tls, ... */
bool shape_duration(const char *v, size_t n);	/* 30s, 1h30m, 500ms */
bool shape_number(const char *v, size_t n);	/* up to 5 integer digits, or a decimal */
bool shape_hostname(const char *v, size_t n);	/* a DNS name of two labels or more */
bool shape_ip(const char *v, size_t n);		/* IPv4 or IPv6, optional /prefix */
bool shape_hostport(const char *v, size_t n);	/* host:port with a harmless host */
bool shape_relpath(const char *v, size_t n);	/* secrets/jwt-token: lowercase names and '/' */
/* One segment of a path: a key or a password, not a name, when a run of it (between '-', '_', '.')
 * of 8 or more mixes digits with both cases and is not words ("M25nVpZPxqMhQ_x02m..." is one,
 * "AgentToken2.json", "OnboardingAgent-Linux-x86_64.tar.gz" are none), or it is base64 with '+'. */
bool shape_random_segment(const char *v, size_t n);
/* Letters only, at least 8, two or more of each case and three or more changes of case: "XVYWUYaBnSqfQK"
 * (and a name run together, "DbPasswordRef"); "Kubernetes", "TLSConfig", "PostgreSQL", "dbPassword" are not. */
bool shape_mixed_case(const char *v, size_t n);
/* NO_PROXY: hosts, .domains, addresses, CIDR blocks, host:port, joined by ',' (blanks allowed). */
bool shape_hostlist(const char *v, size_t n);
/* A run between '-', '_', '.', ':', '/' that looks random: shape_random_segment(), 16+ with digits and
 * letters, 24+; with consonants (for upper-case constants, where words do not run together): four
 * consonants running in a word of 8+ ("ZSXJUSWUUZNG"), or two groups with such runs. */
bool shape_random_run(const char *v, size_t n, bool consonants);
/* GODEBUG: name=N,name=on: settings whose values are 1-2 digits or on/off/true/false. */
bool shape_settings(const char *v, size_t n);

/* The parts of scheme://[userinfo@]host[:port][/path][?query], as offsets into the value. */
struct shape_url {
	size_t	 scheme_end;	/* after "://" */
	size_t	 ui_s, ui_e;	/* userinfo, empty when none */
	size_t	 host_s, rest;	/* host start; path start (or end) */
	size_t	 q;		/* '?' or '#' position, or n */
};

/* Splits v into u; false when v is no URL. */
bool shape_url_split(const char *v, size_t n, struct shape_url *u);
/* True when the URL's host[:port] and path look like names. */
bool shape_url_hostpath_ok(const char *v, struct shape_url *u);

/* True for shapes that never carry a secret, whatever the key: durations, a closed vocabulary, lowercase relative paths, URLs without userinfo or query. */
bool redact_deny_harmless(const char *v, size_t len);

#endif
