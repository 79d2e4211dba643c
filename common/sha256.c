/* sha256.c: SHA-256 for bundle entries, through nettle (never hand-rolled). */
#include <stdlib.h>

#include <nettle/sha2.h>

#include "xalloc.h"

/* nettle names its functions sha256_init... through macros; ours keep those names. */
#undef sha256_init
#undef sha256_update
#undef sha256_digest

#include "sha256.h"

void
sha256_init(struct sha256 *h)
{
	struct sha256_ctx *ctx = xmalloc(sizeof(*ctx));

	nettle_sha256_init(ctx);
	h->md = ctx;
}

void
sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len > 0)
		nettle_sha256_update(h->md, len, data);
}

void
sha256_final_hex(struct sha256 *h, char hex[static SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t md[SHA256_DIGEST_SIZE];

	nettle_sha256_digest(h->md, sizeof(md), md);
	for (unsigned i = 0; i < sizeof(md); i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[SHA256_HEX_LEN] = '\0';
	sha256_done(h);
}

void
sha256_done(struct sha256 *h)
{
	if (h == NULL || h->md == NULL)
		return;
	free(h->md);
	h->md = NULL;
}

void
sha256_hex(const void *data, size_t len, char hex[static SHA256_HEX_LEN + 1])
{
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, data, len);
	sha256_final_hex(&h, hex);
}
