/*
 * pemblock.c: a private key printed one line per log entry.
 *
 * A program that prints a PEM or PGP private key to stdout (cat key.pem in an ExecStartPre=, a
 * container that echoes its key) gives journald one entry per line, and docker, CRI and CloudWatch
 * one record per line: the pattern rules see "-----BEGIN RSA PRIVATE KEY-----" alone, then lines of
 * base64 that look like nothing.  This tracker follows one stream (a unit's journal, a --log-file
 * stream) and says which lines belong to an open block, so that they are redacted whole.
 *
 * A block opens at a BEGIN line whose label names a private or secret key, an encrypted key or a
 * certificate request, with no END after it in the same text; also at a BEGIN line with no
 * closing dashes (cut short, or its label split over two entries) unless it names a public
 * object.  While it is open, a line that looks like a block's line (base64, an armor header such
 * as "Proc-Type:" or "Comment:" before the first base64 line, a PGP checksum "=AbCd", or a line
 * holding a run of 16+ base64 characters after a prefix or inside quotes) is redacted; other
 * lines are left to the usual rules (another process may write in between).  The block closes
 * at its END line, or PEM_MAX_LINES lines after the BEGIN line: the
 * largest keys printed in practice (RSA 8192 PEM, a PGP RSA 4096 key with a subkey, 64 or 76
 * characters a line) take 100 to 130 lines, so a block without its END (the output cut short)
 * cannot swallow base64-looking lines of the log for ever, only for about twice the largest key.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "pemblock.h"
#include "redact.h"
#include "xalloc.h"

#define BEGIN_MARK	"-----BEGIN "
#define END_MARK	"-----END "

bool
pemblock_maybe(const char *s, size_t len)
{
	return memmem(s, len, BEGIN_MARK, sizeof(BEGIN_MARK) - 1) != NULL;
}

/* A label whose body is secret: "RSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK", "ENCRYPTED PRIVATE KEY"... */
static bool
secret_label(const char *l, size_t n)
{
	static const char *const words[] = { "PRIVATE", "SECRET", "ENCRYPTED", "CERTIFICATE REQUEST" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (memmem(l, n, words[i], strlen(words[i])) != NULL)
			return true;
	return false;
}

/* The rest of a BEGIN line with no closing dashes names a certificate, a public key or parameters. */
static bool
public_label(const char *l, size_t n)
{
	static const char *const words[] = { "CERTIFICATE", "PUBLIC", "CRL", "PARAMETERS", "PKCS7", "CMS" };

	if (secret_label(l, n))
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (memmem(l, n, words[i], strlen(words[i])) != NULL)
			return true;
	return false;
}

static bool
b64ch(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=';
}

/* Letters of one case only, shorter than 40: a word, not a line of base64. */
static bool
plain_word(const char *s, size_t n)
{
	bool up = false, lo = false;

	if (n >= 40)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isupper(c))
			up = true;
		else if (islower(c))
			lo = true;
		else
			return false;
	}
	return !(up && lo);
}

/*
 * A line of a block's body: base64 (not a plain word: it has a digit, a '+', '/' or '=', both
 * cases, or 40+ characters), an armor header before the body, or a prefix and then a base64 word
 * of 16+ characters.  [*off, *end): the secret part.
 */
static bool
body_line(const char *s, size_t len, bool body_seen, size_t *off, size_t *end, bool *is_b64)
{
	size_t a = 0, e = len, i, last;

	*is_b64 = false;
	while (a < e && isspace((unsigned char)s[a]))
		a++;
	while (e > a && isspace((unsigned char)s[e - 1]))
		e--;
	*off = a;
	*end = e;
	if (a == e)
		return true;	/* a blank line (PGP armor has one after its headers) */
	for (i = a; i < e && b64ch((unsigned char)s[i]); i++)
		;
	if (i == e && !plain_word(s + a, e - a)) {
		*is_b64 = true;
		return true;
	}
	if (!body_seen) {
		/* "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,...", "Comment: ..." */
		for (i = a; i < e && (isalnum((unsigned char)s[i]) || s[i] == '-'); i++)
			;
		if (i > a && isalpha((unsigned char)s[a]) && i + 1 < e && s[i] == ':' && s[i + 1] == ' ')
			return true;
	}
	/*
	 * "2026-11-30 10:00:01 MIIEowIBAAKCAQEA...": a prefix, then the base64, also in quotes or
	 * after '=' (logfmt msg="MIIE...", a JSON line {"msg":"MIIE..."}): the run of base64
	 * characters that ends the line (before closing quotes and brackets), 16 or more, that is
	 * no plain word.  A run in the middle of a line (a path, an id) is another process's text.
	 */
	for (last = e; last > a && memchr("\"'`,;}])>", s[last - 1], 9) != NULL; last--)
		;
	for (i = last; last > a && b64ch((unsigned char)s[last - 1]); last--)
		;
	if (i - last >= 16 && !plain_word(s + last, i - last)) {
		*off = last;
		*end = i;
		*is_b64 = true;
	}
	return *is_b64;
}

bool
pemblock_line(struct pemblock *b, const char *s, size_t len, size_t *from, size_t *to)
{
	size_t ls = 0, rs = SIZE_MAX, re = 0;

	*from = *to = 0;
	if (b->lines == 0 && !pemblock_maybe(s, len))
		return false;
	while (ls <= len) {
		const char *nl = memchr(s + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - s) : len, off, end;
		bool is_b64;

		if (b->lines > 0) {
			if (memmem(s + ls, le - ls, END_MARK, sizeof(END_MARK) - 1) != NULL)
				b->lines = 0;
			else if (++b->lines > PEM_MAX_LINES)
				b->lines = 0;
			else if (body_line(s + ls, le - ls, b->body_seen, &off, &end, &is_b64) && end > off) {
				if (rs == SIZE_MAX)
					rs = ls + off;
				re = ls + end;
				b->body_seen |= is_b64;
			}
		} else {
			const char *bg = memmem(s + ls, le - ls, BEGIN_MARK, sizeof(BEGIN_MARK) - 1);

			if (bg != NULL) {
				const char *lab = bg + sizeof(BEGIN_MARK) - 1, *lend = s + le;
				const char *close = memmem(lab, (size_t)(lend - lab), "-----", 5);

				/* a BEGIN line cut short or split over two entries: open unless it names a public object */
				if (close == NULL ? !public_label(lab, (size_t)(lend - lab)) :
				    secret_label(lab, (size_t)(close - lab)) &&
				    memmem(close + 5, (size_t)(lend - close - 5), END_MARK, sizeof(END_MARK) - 1) == NULL) {
					b->lines = 1;
					b->body_seen = false;
				}
			}
		}
		if (nl == NULL)
			break;
		ls = le + 1;
	}
	if (rs == SIZE_MAX)
		return false;
	*from = rs;
	*to = re;
	return true;
}

void
pemblock_redact(struct redactor *r, struct buf *out, const char *s, size_t len, size_t from, size_t to)
{
	buf_reset(out);
	buf_add(out, s, from);
	buf_adds(out, redact_value(r, "private-key", s + from, to - from));
	buf_add(out, s + to, len - to);
}
