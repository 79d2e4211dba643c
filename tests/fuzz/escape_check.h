/* escape_check.h: checks the escapers' promises (escape.h) on their output; shared by two fuzz targets. */
#ifndef TRIAGE_ESCAPE_CHECK_H
#define TRIAGE_ESCAPE_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Aborts (a fuzzer finding) with what went wrong. */
static void __attribute__((noreturn))
broken(const char *what, const char *out, size_t len, size_t at)
{
	fprintf(stderr, "escaper broke its promise: %s at byte %zu of %zu\n", what, at, len);
	(void)out;
	abort();
}

/*
 * Valid UTF-8 with no C0 control but those in allowed, no DEL, no C1 control
 * and no bidi control.  Strict decoding: no overlong forms, no surrogates.
 */
static void
check_clean_utf8(const char *out, size_t len, const char *allowed)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t i = 0, n, k;
	uint32_t c;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && (c == 0 || strchr(allowed, (int)c) == NULL)) || c == 0x7f)
				broken("a raw control character", out, len, i);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4, c &= 0x07;
		else
			broken("invalid UTF-8", out, len, i);
		if (i + n > len)
			broken("truncated UTF-8", out, len, i);
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				broken("invalid UTF-8", out, len, i);
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff))
			broken("overlong or surrogate UTF-8", out, len, i);
		if (c <= 0x9f)
			broken("a C1 control", out, len, i);
		if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
		    c == 0x200f || c == 0x061c)
			broken("a bidi control", out, len, i);
		i += n;
	}
}

#endif
