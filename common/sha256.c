/* sha256.c: SHA-256 for bundle entries, through libcrypto (never hand-rolled). */
#include <err.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sha256.h"

static void
crypto_fail(void)
{
	/* EVP_sha256() is always available; a failure here is an allocation failure. */
	errx(1, "out of memory (libcrypto)");
}

void
sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		crypto_fail();
	h->md = md;
}

void
sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(h->md, data, len) != 1)
		crypto_fail();
}

void
sha256_final_hex(struct sha256 *h, char hex[static SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->md, md, &n) != 1 || n != SHA256_HEX_LEN / 2)
		crypto_fail();
	for (unsigned i = 0; i < n; i++) {
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
	EVP_MD_CTX_free(h->md);
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
