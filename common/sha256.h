/* sha256.h: SHA-256 through nettle, incremental and one-shot. */
#ifndef TRIAGE_SHA256_H
#define TRIAGE_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN	64	/* lowercase hex digits, without the NUL */

/* An incremental hash.  sha256_init() starts it, sha256_done() frees it (accepts a zeroed one). */
struct sha256 {
	void *md;	/* struct sha256_ctx *, opaque so that callers need not include nettle */
};

/* Starts a hash.  Cannot fail (out of memory ends the program). */
void sha256_init(struct sha256 *);
/* Adds len bytes. */
void sha256_update(struct sha256 *, const void *data, size_t len);
/* Finishes the hash into hex (lowercase, NUL-terminated) and frees it. */
void sha256_final_hex(struct sha256 *, char hex[static SHA256_HEX_LEN + 1]);
/* Frees a hash that was not finished; accepts NULL contexts.  Safe after sha256_final_hex(). */
void sha256_done(struct sha256 *);
/* Hashes a buffer in one call. */
void sha256_hex(const void *data, size_t len, char hex[static SHA256_HEX_LEN + 1]);

#endif
