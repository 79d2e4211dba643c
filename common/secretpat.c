/* secretpat.c: finding secrets in text (PCRE2, compiled once, JIT) and judging key names. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "secretpat.h"
#include "redact.h"

/*
 * A prefilter finds every place a secret could start: fixed stems, most of
 * them case-insensitive words, looked up by their first two bytes in a table
 * (one load per byte of text), then by the third byte (one bit per set); a
 * small anchored pattern or plain code then decides.  Text without a stem
 * costs one pass and nothing else.  Every two-byte prefix a stem adds costs
 * each place it occurs in text: a key word's stem starts at a rare pair
 * inside the word ("fresh" for refresh, "slo" for heslo, not "re", "he"),
 * since do_word() takes the whole key around it.
 */
enum {
	T_MARKER = 1,	/* "<redacted:" */
	T_PEM,		/* "-----BEGIN " */
	T_JWT,		/* "eyJ" */
	T_AKID,		/* AKIA / ASIA / A3Tx */
	T_URL,		/* "://user:pass@" */
	T_B64PEM,	/* base64 of "PRIVATE KEY-", in its three alignments */
	T_AWS,		/* "aws": a 40-character secret key may follow */
	T_BEARER,	/* "bearer" */
	T_WORD,		/* a secret-like key word */
	T_VENDOR,	/* a vendor's token with a fixed prefix: ghp_, xoxb-, sk_live_, AIza, ... */
	T_QSIG,		/* a URL's signature parameter: SAS "sig=", "X-Amz-Signature=" */
	T_HOOK,		/* a webhook URL whose path is the secret: hooks.slack.com/services/... */
	T_DSN,		/* a Go MySQL DSN: user:PASSWORD@tcp(host:port)/db */
	T_CLIUSER,	/* " -u user:PASSWORD" (curl), " -pPASSWORD" (mysql) */
	T_CLIFLAG,	/* " -a V" (redis-cli), " -w V" (ldapsearch), " -c V" (snmpwalk) */
	T_BOT,		/* a Telegram bot token in a URL path: /bot123456:TOKEN/ */
	T_ORACLE,	/* jdbc:oracle:thin:user/PASSWORD@host */
	T_AT,		/* user:PASSWORD@host:port, user/PASSWORD@host with no scheme */
	T_UESC,		/* a key spelled with \u escapes: {"pa\u0073sword": "X"} */
	T_QKEY,		/* a URL query's key= or code=: ?key=V, &code=V */
	T_CMD,		/* a command whose positional argument is a password: htpasswd -b, rabbitmqctl add_user, ... */
};

/* One stem: '?' in a word stands for any one byte but a newline, or none. */
struct stem {
	const char	*s;	/* the stem */
	bool		 icase;	/* compared case-insensitively (ASCII) */
	int		 type;	/* T_* */
};

static const struct stem stems[] = {
	{ "<redacted:", false, T_MARKER },
	{ "-----BEGIN ", false, T_PEM },
	/* commands before the key words they hold ("secret set" before "secret") */
	{ "tpasswd ", false, T_CMD },	/* htpasswd (not at "ht": every "http") */
	{ "d_user ", false, T_CMD },	/* rabbitmqctl add_user USER PASS */
	{ "| chpasswd", false, T_CMD },	/* echo USER:PASS | chpasswd */
	{ "r-secrets set ", false, T_CMD },	/* dotnet user-secrets set KEY VALUE */
	{ "secret set ", false, T_CMD },	/* gh secret set NAME --body V, az keyvault secret set --value V */
	{ "t-parameter ", false, T_CMD },	/* aws ssm put-parameter --value V */
	{ "kv put ", false, T_CMD },	/* vault kv put PATH k=V ... */
	{ "ias set ", false, T_CMD },	/* mc alias set NAME URL ACCESS SECRET */
	{ "vault write ", false, T_CMD },
	{ "sl passwd ", false, T_CMD },	/* openssl passwd */
	{ "securestring ", true, T_CMD },	/* ConvertTo-SecureString 'V' -AsPlainText */
	{ " /p:", false, T_CMD },	/* xfreerdp /p:V */
	{ "eyJ", false, T_JWT },
	{ "AKIA", false, T_AKID },
	{ "ASIA", false, T_AKID },
	{ "A3T", false, T_AKID },
	{ "://", false, T_URL },
	{ "UFJJVkFURSBLRVkt", false, T_B64PEM },
	{ "UklWQVRFIEtF", false, T_B64PEM },
	{ "SVZBVEUgS0VZ", false, T_B64PEM },
	{ "aws", true, T_AWS },
	{ "bearer", true, T_BEARER },
	{ "pass", true, T_WORD },
	{ "_key", true, T_WORD },
	{ "pin", true, T_WORD },
	{ "otp", true, T_WORD },
	{ "seed", true, T_WORD },
	{ "salt", true, T_WORD },
	{ "dsn", true, T_WORD },
	{ "kennw", true, T_WORD },
	{ "wachtw", true, T_WORD },
	{ "pw", true, T_WORD },		/* pw, pwd, LDAP_BIND_PW */
	{ "secret", true, T_WORD },
	{ "token", true, T_WORD },
	{ "api?key", true, T_WORD },
	{ "access?key", true, T_WORD },
	{ "private?key", true, T_WORD },
	{ "priv", true, T_WORD },	/* privkey, priv (after private?key: "private key" first) */
	{ "cred", true, T_WORD },
	{ "auth", true, T_WORD },
	{ "cookie", true, T_WORD },
	{ "session", true, T_WORD },
	{ "account?key", true, T_WORD },
	{ "signing?key", true, T_WORD },
	{ "cryption?key", true, T_WORD },	/* encryption_key (not at "en": a frequent pair) */
	{ "cryption", true, T_WORD },	/* encryption_iv */
	{ "hmac", true, T_WORD },
	{ "nonce", true, T_WORD },
	{ "csrf", true, T_WORD },
	{ "xsrf", true, T_WORD },
	{ "cvv", true, T_WORD },
	{ "cvc", true, T_WORD },
	{ "fresh", true, T_WORD },	/* refresh (not at "re") */
	{ "_code", true, T_WORD },	/* recovery_code, backup_codes (not exit_code: key_class) */
	{ "Code", false, T_WORD },	/* pairingCode, recoveryCodes (not exitCode: key_class) */
	{ "Key", false, T_WORD },	/* bootstrapKey, signingKeyRef (not publicKey: key_class) */
	{ "e_id", true, T_WORD },	/* VAULT_ROLE_ID, role_id (not at "ro": "error") */
	{ "eId", false, T_WORD },	/* roleId */
	{ "munity", true, T_WORD },	/* SNMP community (not at "co") */
	/* "password" in other languages (key_class's password_words), UTF-8 */
	{ "contrase", true, T_WORD },
	{ "clave", true, T_WORD },
	{ "senha", true, T_WORD },
	{ "senord", true, T_WORD },	/* lösenord */
	{ "parol", true, T_WORD },
	{ "jelsz", true, T_WORD },
	{ "slo", true, T_WORD },	/* heslo, geslo (not at "he", "ge") */
	{ "zinka", true, T_WORD },	/* lozinka */
	{ "gskode", true, T_WORD },	/* adgangskode */
	{ "salasana", true, T_WORD },
	{ "has\xc5\x82o", true, T_WORD },	/* hasło */
	{ "\xc5\x9fifre", false, T_WORD },	/* şifre */
	{ "\xc5\x9eifre", false, T_WORD },	/* Şifre */
	{ "\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb", false, T_WORD },	/* парол(ь) */
	{ "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb", false, T_WORD },	/* Парол(ь) */
	{ "\xd1\x82\xd0\xbe\xd0\xba\xd0\xb5\xd0\xbd", false, T_WORD },	/* токен */
	{ "\xd0\xa2\xd0\xbe\xd0\xba\xd0\xb5\xd0\xbd", false, T_WORD },	/* Токен */
	{ "\xce\xba\xcf\x89\xce\xb4\xce\xb9\xce\xba", false, T_WORD },	/* κωδικ(ός) */
	{ "\xce\x9a\xcf\x89\xce\xb4\xce\xb9\xce\xba", false, T_WORD },	/* Κωδικ(ός) */
	{ "\xd7\xa1\xd7\x99\xd7\xa1\xd7\x9e", false, T_WORD },	/* סיסמ(ה) */
	{ "\xd8\xa7\xd9\x84\xd9\x85\xd8\xb1\xd9\x88\xd8\xb1", false, T_WORD },	/* (كلمة) المرور */
	{ "kh\xe1\xba\xa9u", true, T_WORD },	/* (mật) khẩu */
	{ "\xe0\xb8\xa3\xe0\xb8\xab\xe0\xb8\xb1\xe0\xb8\xaa", false, T_WORD },	/* รหัส(ผ่าน) */
	{ "\xe0\xa4\xaa\xe0\xa4\xbe\xe0\xa4\xb8\xe0\xa4\xb5", false, T_WORD },	/* पासव(र्ड) */
	{ "\xe5\xaf\x86", false, T_WORD },	/* 密: 密码 密碼 密钥 秘密 */
	{ "\xe7\xa7\x98", false, T_WORD },	/* 秘: 秘钥 秘密鍵 */
	{ "\xe5\x8f\xa3\xe4\xbb\xa4", false, T_WORD },	/* 口令 */
	{ "\xe4\xbb\xa4\xe7\x89\x8c", false, T_WORD },	/* 令牌 */
	{ "\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf", false, T_WORD },	/* パスワ(ード) */
	{ "\xe3\x83\x88\xe3\x83\xbc\xe3\x82\xaf", false, T_WORD },	/* トーク(ン) */
	{ "\xeb\xb9\x84\xeb\xb0\x80", false, T_WORD },	/* 비밀(번호) */
	{ "\xec\x95\x94\xed\x98\xb8", false, T_WORD },	/* 암호 */
	{ "\xed\x86\xa0\xed\x81\xb0", false, T_WORD },	/* 토큰 */
	{ "master?key", true, T_WORD },
	{ "tified?by", true, T_WORD },	/* SQL: IDENTIFIED BY (not at "ie": tried, denied) */
	/* key, secret and token in other languages (key_class's other_key_words) */
	{ "hiav", true, T_WORD },	/* chiave (it; not at "ch") */
	{ "segret", true, T_WORD },	/* segreta, segreto (it) */
	{ "-key", true, T_WORD },	/* Ocp-Apim-Subscription-Key, X-Webhook-Key */
	{ "?key=", false, T_QKEY },	/* ?key=V (Google and others: in a query the key is one) */
	{ "&key=", false, T_QKEY },
	{ "?code=", false, T_QKEY },	/* ?code=V (OAuth's authorization code) */
	{ "&code=", false, T_QKEY },
	{ "chave", true, T_WORD },	/* palavra-chave, chave (pt) */
	{ "klucz", true, T_WORD },	/* klucz (pl) */
	{ "sleutel", true, T_WORD },	/* sleutel (nl) */
	{ "geheim", true, T_WORD },	/* geheim, Geheimnis (de, nl) */
	{ "jeton", true, T_WORD },	/* jeton (fr) */
	{ "sandi", true, T_WORD },	/* kata sandi (id) */
	{ "psk", true, T_WORD },	/* pre-shared keys: psk=, wifi-sec.psk, PresharedKey */
	{ "shared?key", true, T_WORD },
	{ "schl\xc3\xbcssel", true, T_WORD },	/* Schlüssel (de) */
	{ "Schl\xc3\xbcssel", false, T_WORD },
	{ "cl\xc3\xa9", true, T_WORD },	/* clé (fr) */
	{ "\xd1\x81\xd0\xb5\xd0\xba\xd1\x80\xd0\xb5\xd1\x82", false, T_WORD },	/* секрет */
	{ "\xd0\xa1\xd0\xb5\xd0\xba\xd1\x80\xd0\xb5\xd1\x82", false, T_WORD },	/* Секрет */
	{ "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", false, T_WORD },	/* ключ */
	{ "\xd0\x9a\xd0\xbb\xd1\x8e\xd1\x87", false, T_WORD },	/* Ключ */
	{ "\xd8\xb1\xd9\x85\xd8\xb2", false, T_WORD },	/* رمز (fa, ar) */
	{ "\xe6\x9a\x97\xe8\xa8\xbc", false, T_WORD },	/* 暗証(番号) */
	{ "\xcf\x83\xcf\x85\xce\xbd\xce\xb8\xce\xb7\xce\xbc\xce\xb1\xcf\x84", false, T_WORD },	/* συνθηματ(ικό) */	/* SQL's IDENTIFIED BY 'V' (not at "id": "identity", "ide") */
	{ "licen", true, T_WORD },	/* license=V, licence_key */
	{ "ghp_", false, T_VENDOR },
	{ "gho_", false, T_VENDOR },
	{ "ghu_", false, T_VENDOR },
	{ "ghs_", false, T_VENDOR },
	{ "ghr_", false, T_VENDOR },
	{ "github_pat_", false, T_VENDOR },
	{ "glpat-", false, T_VENDOR },
	{ "xox", false, T_VENDOR },
	{ "xapp-", false, T_VENDOR },
	{ "sk_live_", false, T_VENDOR },
	{ "rk_live_", false, T_VENDOR },
	{ "sk_test_", false, T_VENDOR },
	{ "rk_test_", false, T_VENDOR },
	{ "AIza", false, T_VENDOR },
	{ "npm_", false, T_VENDOR },
	{ "hvs.", false, T_VENDOR },
	{ "hvb.", false, T_VENDOR },
	{ "SG.", false, T_VENDOR },
	{ "pypi-AgE", false, T_VENDOR },
	{ "sig=", false, T_QSIG },
	{ "Signature=", false, T_QSIG },
	{ "signatur", true, T_WORD },	/* signature=V (after "Signature=": a query's signature) */
	{ "hooks.slack.com/", false, T_HOOK },
	{ "@tcp(", false, T_DSN },
	{ " -u ", false, T_CLIUSER },
	{ " -U ", false, T_CLIUSER },	/* smbclient -U USER%PASS */
	{ " -p", false, T_CLIUSER },
	{ "@unix(", false, T_DSN },
	{ " -a ", false, T_CLIFLAG },
	{ " -w ", false, T_CLIFLAG },
	{ " -c ", false, T_CLIFLAG },
	{ " -P ", false, T_CLIFLAG },	/* sqlcmd, ipmitool, zip, unzip */
	{ " -N ", false, T_CLIFLAG },	/* ssh-keygen's new passphrase */
	{ " -k ", false, T_CLIFLAG },	/* openssl enc */
	{ "/bot", false, T_BOT },
	{ ":thin:", false, T_ORACLE },
	{ "@", false, T_AT },		/* one byte: any second byte (after @tcp( and @unix() */
	{ "\\u00", false, T_UESC },
};

#define NSTEMS (sizeof(stems) / sizeof(stems[0]))
/* A stem set is a bit mask of STEM_WORDS 64-bit words: bit i of word w is stems[64 * w + i]. */
#define STEM_WORDS ((NSTEMS + 63) / 64)
/* Distinct stem sets (one per group of two-byte prefixes that start the same stems); index 0: none. */
#define STEM_SETS 256

/* Per two-byte prefix (first byte low): an index into stem_sets, 0 for none. */
static uint8_t stem_index[65536];
static uint64_t stem_sets[STEM_SETS][STEM_WORDS];
/* Per set: bit b set when a stem of the set may have byte b third (most two-byte hits end here). */
static uint8_t stem_third[STEM_SETS][32];

/* Marks in third[] the bytes stem st allows third. */
static void
stem_third_bytes(const struct stem *st, uint8_t *third)
{
	unsigned c, b;

	if (st->s[1] == '\0' || st->s[2] == '\0' || st->s[2] == '?' || st->s[1] == '?') {
		memset(third, 0xff, 32);	/* any byte (or none) */
		return;
	}
	c = (unsigned char)st->s[2];
	third[c >> 3] |= (uint8_t)(1u << (c & 7));
	if (st->icase) {
		b = (unsigned)toupper((int)c);
		third[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
}

static void
stem_table(void)
{
	size_t i, nsets = 1;
	unsigned a, b;
	uint64_t (*acc)[STEM_WORDS] = calloc(65536, sizeof(*acc));	/* only during setup */

	if (acc == NULL)
		abort();
	_Static_assert(STEM_SETS - 1 <= UINT8_MAX, "stem_index holds a set's number in a byte");

	for (i = 0; i < NSTEMS; i++) {
		unsigned char c0 = (unsigned char)stems[i].s[0], c1 = (unsigned char)stems[i].s[1];

		if (c1 == '\0') {
			/* a one-byte stem: every two-byte prefix it starts */
			for (b = 0; b < 256; b++)
				acc[c0 | b << 8][i / 64] |= UINT64_C(1) << (i % 64);
			continue;
		}
		for (a = 0; a < 2; a++)
			for (b = 0; b < 2; b++) {
				unsigned x = a ? (unsigned)toupper(c0) : c0;
				unsigned y = b ? (unsigned)toupper(c1) : c1;

				if (!stems[i].icase && (a || b))
					continue;
				acc[x | y << 8][i / 64] |= UINT64_C(1) << (i % 64);
			}
	}
	for (i = 0; i < 65536; i++) {
		size_t k, w, any = 0;

		for (w = 0; w < STEM_WORDS; w++)
			any |= acc[i][w] != 0;
		if (!any)
			continue;
		for (k = 1; k < nsets && memcmp(stem_sets[k], acc[i], sizeof(acc[i])) != 0; k++)
			;
		if (k == nsets) {
			if (nsets == STEM_SETS)
				abort();	/* a constant table: test_redact would fail */
			memcpy(stem_sets[nsets], acc[i], sizeof(acc[i]));
			for (w = 0; w < NSTEMS; w++)
				if (acc[i][w / 64] & UINT64_C(1) << (w % 64))
					stem_third_bytes(&stems[w], stem_third[nsets]);
			nsets++;
		}
		stem_index[i] = (uint8_t)k;
	}
	free(acc);
}

/* A byte in ASCII lower case (tolower() without the locale's table: stems are ASCII or UTF-8). */
static inline unsigned
ascii_lower(unsigned c)
{
	return c - 'A' < 26 ? c + ('a' - 'A') : c;
}

/*
 * After "scheme://" (at q): the '@' that ends the user info, or 0 when there is none.  A
 * password after "user:" may hold what a URL may not, as people log it: '/' and blanks
 * ("app:AwZAc+S9E4/9eHV==@db", "app:a b c@db"); the user is a plain name (no '.': then it
 * is a host), and "host:8443/x@y" is a host, a port and a path.
 */
static size_t
url_userinfo_at(const char *in, size_t len, size_t q)
{
	size_t colon = 0;

	for (size_t e = q; e < len && e - q <= 256; e++) {
		unsigned char c = (unsigned char)in[e];

		if (c == '@')
			return e;
		if (c == ':' && colon == 0) {
			size_t d = e + 1;

			while (d < len && d - e <= 6 && isdigit((unsigned char)in[d]))
				d++;
			/* a port: 1-5 digits, then the end, '/', a blank, or punctuation that ends a
			 * sentence ("db:5432. Contact dba@...", "rabbitmq:5672: refused") */
			if (d > e + 1 && d - e <= 6 && (d == len || in[d] == '/' || isspace((unsigned char)in[d]) ||
			    (strchr(".,:;)!?", in[d]) != NULL && (d + 1 == len || isspace((unsigned char)in[d + 1]) ||
			    in[d + 1] == '/'))))
				return 0;
			colon = e;
		}
		if (isspace(c) && e > q && strchr(".,:;)!?", in[e - 1]) != NULL)
			return 0;	/* prose: "cache:down. mail ops@..." */
		if (c == '\n' || c == '\r' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<' ||
		    c == '>' || c == '[' || c == '(' || c == ',' || c == ';')
			return 0;
		if ((c == '/' || isspace(c)) && (colon == 0 || memchr(in + q, '.', colon - q) != NULL))
			return 0;	/* no "user:" before it: a host and a path, or prose */
	}
	return 0;
}

/* Length of stem st at in[p], or 0 when it does not match there. */
static size_t
stem_match(const struct stem *st, const char *in, size_t len, size_t p)
{
	const char *w = st->s;
	size_t q = p;

	for (; *w != '\0'; w++) {
		if (*w == '?' && st->icase) {
			/* optional separator: "apiKey", "api_key", "api key" */
			if (q < len && in[q] != '\n' && w[1] != '\0' &&
			    ascii_lower((unsigned char)in[q]) != (unsigned char)w[1])
				q++;
			continue;
		}
		if (q >= len)
			return 0;
		if (st->icase ? ascii_lower((unsigned char)in[q]) != (unsigned char)*w : in[q] != *w)
			return 0;
		q++;
	}
	if (st->type == T_AKID && st->s[2] == 'T') {
		if (q >= len || !(isupper((unsigned char)in[q]) || isdigit((unsigned char)in[q])))
			return 0;
		q++;
	}
	if (st->type == T_URL) {
		/* only with userinfo: "://user:pass@" within 256 bytes */
		size_t e = url_userinfo_at(in, len, q);

		if (e == 0)
			return 0;
		q = e + 1;
	}
	return q - p;
}

/* The first stem of set k that matches at p: sets [*ts, *te) and returns its type, or 0. */
static int
set_match(uint8_t k, const char *in, size_t len, size_t p, size_t *ts, size_t *te)
{
	for (size_t w = 0; w < STEM_WORDS; w++)
		for (uint64_t set = stem_sets[k][w]; set != 0; set &= set - 1) {
			const struct stem *st = &stems[64 * w + (size_t)__builtin_ctzll(set)];
			size_t m = stem_match(st, in, len, p);

			if (m > 0) {
				*ts = p;
				*te = p + m;
				return st->type;
			}
		}
	return 0;
}

/*
 * The leftmost stem at or after off: sets [*ts, *te) and returns its type, or
 * 0.  Per byte: the set of the two-byte prefix (0: none, whose third-byte
 * bits are all clear) and the third byte's bit, then one branch that is
 * rarely taken.
 */
static int
find_trigger(const char *in, size_t len, size_t off, size_t *ts, size_t *te)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t p;
	int type;

	if (len < 2)
		return 0;
	for (p = off; p + 2 < len; p++) {
		uint8_t k = stem_index[u[p] | (unsigned)u[p + 1] << 8];

		if (__builtin_expect((stem_third[k][u[p + 2] >> 3] >> (u[p + 2] & 7)) & 1, 0) &&
		    (type = set_match(k, in, len, p, ts, te)) != 0)
			return type;
	}
	/* the last two bytes: only a stem of two bytes or one can end there */
	for (; p + 1 < len; p++) {
		uint8_t k = stem_index[u[p] | (unsigned)u[p + 1] << 8];

		if (k != 0 && (type = set_match(k, in, len, p, ts, te)) != 0)
			return type;
	}
	return 0;
}

/* A whole PEM private key block, or, when it has no END line, its body. */
static const char pem_src[] =
	"-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----"
	"(?:[\\s\\S]{0,65535}?-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----"
	"|(?:[A-Za-z0-9+/=:,. \\t\\r\\n-]++|\\\\[nrt])*+)";

static const char jwt_src[] = "eyJ[A-Za-z0-9_-]{4,}(?:\\.[A-Za-z0-9_-]*){2,4}";
static const char akid_src[] = "(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])";

/*
 * Tokens whose prefix names the vendor: GitHub (classic and fine-grained),
 * GitLab, Slack (bot, user, app), Stripe secret and restricted keys, Google
 * API keys.  The lengths are the vendors' shortest; the end is not followed by
 * another token character.
 */
static const char vendor_src[] =
	"(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255}|glpat-[A-Za-z0-9_-]{20,64}"
	"|xox[abposr]-[A-Za-z0-9-]{10,255}|xapp-[0-9]-[A-Za-z0-9-]{10,255}"
	"|[rs]k_(?:live|test)_[A-Za-z0-9]{16,255}|AIza[A-Za-z0-9_-]{35}|npm_[A-Za-z0-9]{36}"
	"|hv[sb]\\.[A-Za-z0-9_-]{24,255}|SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}"
	"|pypi-AgE[A-Za-z0-9_-]{50,255})(?![A-Za-z0-9_-])";

/* The secret part of a webhook URL: its path. */
static const char hook_src[] =
	"hooks\\.slack\\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_-]{16,255})";

static pcre2_code *re_pem, *re_jwt, *re_akid, *re_vendor, *re_hook;
static pthread_once_t re_once = PTHREAD_ONCE_INIT;
static pthread_key_t md_key;	/* frees a thread's match data when the thread ends */
static _Thread_local pcre2_match_data *tls_md;

static void
md_free(void *md)
{
	pcre2_match_data_free(md);
}

static pcre2_code *
compile(const char *src, uint32_t flags)
{
	pcre2_code *re;
	int errcode;
	PCRE2_SIZE erroff;

	re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, flags, &errcode, &erroff, NULL);
	if (re == NULL)
		abort();	/* the patterns are constants: a failure is a bug */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* interpreter if JIT is unavailable */
	return re;
}

static void
compile_all(void)
{
	stem_table();
	if (pthread_key_create(&md_key, md_free) != 0)
		abort();
	re_pem = compile(pem_src, PCRE2_ANCHORED);
	re_jwt = compile(jwt_src, PCRE2_ANCHORED);
	re_akid = compile(akid_src, PCRE2_ANCHORED);
	re_vendor = compile(vendor_src, PCRE2_ANCHORED);
	re_hook = compile(hook_src, PCRE2_ANCHORED);
}

static pcre2_match_data *
md_get(void)
{
	pthread_once(&re_once, compile_all);
	if (tls_md == NULL) {
		tls_md = pcre2_match_data_create(4, NULL);
		if (tls_md == NULL)
			abort();
		(void)pthread_setspecific(md_key, tls_md);
	}
	return tls_md;
}

/* Runs re at off; on a match sets [*s, *e) of group g and returns true. */
static bool
run(pcre2_code *re, pcre2_match_data *md, const char *in, size_t len, size_t off, int g,
    size_t *s, size_t *e)
{
	PCRE2_SIZE *ov;
	int rc;

	rc = pcre2_match(re, (PCRE2_SPTR)in, len, off, 0, md, NULL);
	if (rc <= g)
		return false;
	ov = pcre2_get_ovector_pointer(md);
	if (ov[2 * g] == PCRE2_UNSET)
		return false;
	*s = ov[2 * g];
	*e = ov[2 * g + 1];
	return true;
}

/* ---- key names ---- */

/* Key endings that name something about a secret, not the secret itself. */
static const char *const key_suffix_ok[] = {
	"file", "files", "path", "paths", "dir", "directory", "name", "names", "ref", "type",
	"method", "mode", "ttl", "timeout", "expiry", "expires", "expiration", "expiresin",
	"expiresat", "seconds", "duration", "interval", "lifetime", "length", "size", "count",
	"enabled", "disabled", "required", "header", "headers", "audience", "issuer", "endpoint",
	"url", "uri", "host", "port", "format", "algorithm", "kind", "source", "provider",
	"plugin", "plugins", "policy", "version", "prefix", "location", "store", "env", "var",
	"scope", "scopes", "cache", "rotation", "field", "keyref", "secretref",
};

static bool
ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* Naive search: keys are short, and memmem()'s setup costs more than it saves. */
static bool
contains(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w), i, j;

	for (i = 0; i + m <= n; i++) {
		if (s[i] != w[0])
			continue;
		for (j = 1; j < m && s[i + j] == w[j]; j++)
			;
		if (j == m)
			return true;
	}
	return false;
}

static enum key_class key_class_uncached(const char *key, size_t len, const char **kind);

/*
 * "Password" in other languages, as it appears in a key (lower case, no
 * separator; UTF-8): a key holding one is a password's (KEY_STRONG).
 */
static const char *const password_words[] = {
	"passwort", "kennwort", "contrasena", "contrase\xc3\xb1" /* contraseña */, "contrasenya",
	"motdepasse", "palavrapasse", "wachtwoord", "salasana", "adgangskode", "l\xc3\xb6senord" /* lösenord */,
	"losenord", "has\xc5\x82o" /* hasło */, "jelsz\xc3\xb3" /* jelszó */, "lozinka",
	"parol\xc4\x83" /* parolă */, "\xc5\x9fifre" /* şifre */, "\xc5\x9eifre" /* Şifre */,
	"\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c" /* пароль */,
	"\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c" /* Пароль */,
	"\xce\xba\xcf\x89\xce\xb4\xce\xb9\xce\xba" /* κωδικ(ός) */,
	"\xce\x9a\xcf\x89\xce\xb4\xce\xb9\xce\xba" /* Κωδικ(ός) */,
	"\xd7\xa1\xd7\x99\xd7\xa1\xd7\x9e" /* סיסמ(ה/א) */,
	"\xd8\xa7\xd9\x84\xd9\x85\xd8\xb1\xd9\x88\xd8\xb1" /* (كلمة) المرور */,
	"kh\xe1\xba\xa9u" /* (mật) khẩu */,
	"\xe0\xb8\xa3\xe0\xb8\xab\xe0\xb8\xb1\xe0\xb8\xaa\xe0\xb8\x9c\xe0\xb9\x88\xe0\xb8\xb2\xe0\xb8\x99" /* รหัสผ่าน */,
	"\xe0\xa4\xaa\xe0\xa4\xbe\xe0\xa4\xb8\xe0\xa4\xb5\xe0\xa4\xb0\xe0\xa5\x8d\xe0\xa4\xa1" /* पासवर्ड */,
	"\xe5\xaf\x86\xe7\xa0\x81" /* 密码 */, "\xe5\xaf\x86\xe7\xa2\xbc" /* 密碼 */,
	"\xe5\x8f\xa3\xe4\xbb\xa4" /* 口令 */,
	"\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89" /* パスワード */,
	"\xeb\xb9\x84\xeb\xb0\x80\xeb\xb2\x88\xed\x98\xb8" /* 비밀번호 */,
	"\xec\x95\x94\xed\x98\xb8" /* 암호 */,
	"requirepass", "masterauth",
};

/* Key, secret, token and licence in other languages, as words of a key (UTF-8): a secret's (KEY_MEDIUM). */
static const char *const other_key_words[] = {
	"chiave", "chiavi", "segreta", "segreto", "klucz", "tajny", "tajne", "sleutel", "geheim", "geheime",
	"geheimnis", "jeton", "jetons", "chave", "palavrachave", "sandi", "katasandi", "psk", "presharedkey",
	"sharedkey", "licencia", "licenca", "licen\303\247a" /* licença */, "lizenz", "lizenzschl\xc3\xbcssel",
	"schl\xc3\xbcssel", "zugangsschl\xc3\xbcssel", "cl\xc3\xa9" /* clé */, "secr\xc3\xa8te" /* secrète */,
	"\xd1\x81\xd0\xb5\xd0\xba\xd1\x80\xd0\xb5\xd1\x82" /* секрет */,
	"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87" /* ключ */,
	"\xd8\xb1\xd9\x85\xd8\xb2" /* رمز */,
	"\xe6\x9a\x97\xe8\xa8\xbc\xe7\x95\xaa\xe5\x8f\xb7" /* 暗証番号 */,
	"\xcf\x83\xcf\x85\xce\xbd\xce\xb8\xce\xb7\xce\xbc\xce\xb1\xcf\x84\xce\xb9\xce\xba\xcf\x8c" /* συνθηματικό */,
};

/* Short ones, as whole words of the key ("cacheslot" holds no "heslo"). */
static const char *const password_key_words[] = {
	"senha", "senhas", "clave", "claves", "parola", "parole", "parool", "parol", "passord", "haslo",
	"heslo", "geslo", "sifre", "jelszo",
};

/* Secrets and tokens in other languages (UTF-8). */
static const char *const secret_words[] = {
	"\xe7\xa7\x98\xe5\xaf\x86" /* 秘密 */, "\xe5\xaf\x86\xe9\x92\xa5" /* 密钥 */,
	"\xe5\xaf\x86\xe9\x91\xb0" /* 密鑰 */, "\xe7\xa7\x98\xe9\x92\xa5" /* 秘钥 */,
	"\xe7\xa7\x98\xe5\xaf\x86\xe9\x8d\xb5" /* 秘密鍵 */,
};
static const char *const token_words[] = {
	"\xd1\x82\xd0\xbe\xd0\xba\xd0\xb5\xd0\xbd" /* токен */,
	"\xd0\xa2\xd0\xbe\xd0\xba\xd0\xb5\xd0\xbd" /* Токен */,
	"\xe3\x83\x88\xe3\x83\xbc\xe3\x82\xaf\xe3\x83\xb3" /* トークン */,
	"\xe4\xbb\xa4\xe7\x89\x8c" /* 令牌 */, "\xed\x86\xa0\xed\x81\xb0" /* 토큰 */,
};

/*
 * Whole words of a key that name a secret of their own (KEY_MEDIUM): one-time
 * codes, MACs, nonces, card codes, private keys by another name.
 */
static const char *const secret_key_words[] = {
	"pin", "otp", "seed", "salt", "dsn", "mnemonic", "pincode", "totp", "hotp", "hmac", "nonce",
	"csrf", "xsrf", "cvv", "cvc", "cvv2", "cvc2", "privkey", "priv", "sig", "iv", "ssn",
	"community", "roleid",
};

/* CODE/CODES after one of these: a one-time or recovery code (exit_code, status_code are none). */
static const char *const code_owner_words[] = {
	"recovery", "backup", "activation", "verification", "mfa", "otp", "auth", "authorization",
	"pairing", "enrollment", "enrolment", "unlock", "reset", "security", "invite", "invitation",
	"device", "sms", "access", "confirmation", "redeem", "promo", "voucher", "license", "licence",
	"bootstrap", "join", "registration", "onboarding", "setup", "login", "signin", "user",
};

static bool
contains_any(const char *s, size_t n, const char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++)
		if (contains(s, n, list[i]))
			return true;
	return false;
}

static bool
word_in(const char *w, const char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++)
		if (!strcmp(w, list[i]))
			return true;
	return false;
}

/* DBPASS, PGPASS, ROOTPASS: what the password is for, then "pass" (not "bypass", "compass"). */
static bool
pass_suffix(const char *norm, size_t n)
{
	static const char *const pre[] = {
		"db", "pg", "my", "sql", "mysql", "redis", "mongo", "root", "admin", "user", "ldap",
		"smtp", "mail", "ftp", "proxy", "vnc", "wifi", "key", "store", "app", "service", "api",
	};

	if (n < 6 || !ends_with(norm, n, "pass"))
		return false;
	for (size_t i = 0; i < ELEMENTSOF(pre); i++)
		if (strlen(pre[i]) + 4 == n && memcmp(norm, pre[i], n - 4) == 0)
			return true;
	return false;
}

/* Keys repeat (every log line says "credential"): a small per-thread cache. */
#define KEY_CACHE	256
#define KEY_CACHE_LEN	40
struct key_cache_entry {
	uint8_t		 len;			/* 0: empty */
	uint8_t		 cls;			/* enum key_class */
	const char	*kind;			/* its kind */
	char		 key[KEY_CACHE_LEN];	/* the key bytes */
};
static _Thread_local struct key_cache_entry key_cache[KEY_CACHE];

enum key_class
secretpat_key_class(const char *key, size_t len, const char **kind)
{
	struct key_cache_entry *e;
	uint32_t h = 2166136261u;
	enum key_class c;
	const char *k;
	size_t i;

	if (len == 0 || len >= KEY_CACHE_LEN)
		return key_class_uncached(key, len, kind);
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	e = &key_cache[h % KEY_CACHE];
	if (e->len == len && memcmp(e->key, key, len) == 0) {
		if (kind != NULL)
			*kind = e->kind;
		return (enum key_class)e->cls;
	}
	c = key_class_uncached(key, len, &k);
	e->len = (uint8_t)len;
	e->cls = (uint8_t)c;
	e->kind = k;
	memcpy(e->key, key, len);
	if (kind != NULL)
		*kind = k;
	return c;
}

/*
 * Lower-cases a key's letters, digits and UTF-8 bytes into norm, run together
 * ("Client-Secret" -> "clientsecret"; *n bytes, no NUL), and splits it into at most
 * 16 words at separators and camelCase ("clientSecret" -> client, secret; the
 * first 31 bytes of each, NUL-terminated; *nw of them).  len is at most 120.
 */
static void
key_split(const char *key, size_t len, char norm[static 128], size_t *n, char words[16][32], size_t *nw)
{
	size_t wl = 0;

	*n = *nw = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)key[i];
		bool brk;

		/* bytes of a UTF-8 sequence belong to the word: "contraseña", "密码" */
		if (!isalnum(ch) && ch < 0x80) {
			if (wl > 0 && *nw < 16) {
				words[*nw][wl] = '\0';
				(*nw)++;
			}
			wl = 0;
			continue;
		}
		brk = i > 0 && isupper(ch) && (islower((unsigned char)key[i - 1]) ||
		    (i + 1 < len && islower((unsigned char)key[i + 1]) &&
		    isupper((unsigned char)key[i - 1])));
		if (brk && wl > 0 && *nw < 16) {
			words[*nw][wl] = '\0';
			(*nw)++;
			wl = 0;
		}
		norm[(*n)++] = (char)tolower(ch);
		if (wl < 31 && *nw < 16)
			words[*nw][wl++] = (char)tolower(ch);
	}
	if (wl > 0 && *nw < 16) {
		words[*nw][wl] = '\0';
		(*nw)++;
	}
}

/* Whether a normalized key names something about a secret, not the secret: its ending (..._FILE, ..._TTL) or a systemd setting naming credentials. */
static bool
key_names_no_secret(const char *norm, size_t n)
{
	for (size_t i = 0; i < sizeof(key_suffix_ok) / sizeof(key_suffix_ok[0]); i++)
		if (ends_with(norm, n, key_suffix_ok[i]))
			return true;
	/* AWS Secrets Manager (secretsmanager:GetSecretValue, arn:aws:secretsmanager:...), GCP's Secret Manager */
	if ((n == 14 && memcmp(norm, "secretsmanager", 14) == 0) || (n == 13 && memcmp(norm, "secretmanager", 13) == 0))
		return true;
	/* systemd's LoadCredential= / ImportCredential= / ConditionCredential= name credentials */
	return (n >= 4 && memcmp(norm, "load", 4) == 0) || (n >= 6 && memcmp(norm, "import", 6) == 0) ||
	    (n >= 9 && memcmp(norm, "condition", 9) == 0) || (n >= 6 && memcmp(norm, "assert", 6) == 0);
}

/* The class of a normalized key by the secret stems it contains anywhere ("dbpassword", "xaccesstoken"); KEY_NONE if none. */
static enum key_class
key_class_by_stem(const char *norm, size_t n, const char **k)
{
	if (contains(norm, n, "password") || contains(norm, n, "passwd") ||
	    contains(norm, n, "passphrase") || contains_any(norm, n, password_words, ELEMENTSOF(password_words)))
		return *k = "password", KEY_STRONG;
	if (contains_any(norm, n, secret_words, ELEMENTSOF(secret_words)))
		return *k = "secret", KEY_STRONG;
	if (contains_any(norm, n, token_words, ELEMENTSOF(token_words)))
		return *k = "token", KEY_MEDIUM;
	if (contains(norm, n, "secretaccesskey") || contains(norm, n, "awssecret") ||
	    contains(norm, n, "secretkey"))
		return *k = contains(norm, n, "aws") || contains(norm, n, "access") ?
		    "aws-secret-key" : "secret", KEY_STRONG;
	if (contains(norm, n, "privatekey"))
		return *k = "private-key", KEY_STRONG;
	if (contains(norm, n, "secret"))
		return *k = "secret", KEY_STRONG;
	if (contains(norm, n, "accesskeyid"))
		return *k = "aws-access-key", KEY_MEDIUM;
	if (contains(norm, n, "apikey") || contains(norm, n, "accesskey") ||
	    contains(norm, n, "accountkey"))
		return *k = "api-key", KEY_STRONG;
	if (contains(norm, n, "signingkey") || contains(norm, n, "encryptionkey") ||
	    contains(norm, n, "masterkey"))
		return *k = "secret", KEY_STRONG;
	if (contains(norm, n, "token"))
		return *k = "token", KEY_MEDIUM;
	if (contains(norm, n, "cookie"))
		return *k = "cookie", KEY_MEDIUM;
	if (contains(norm, n, "bearer"))
		return *k = "bearer", KEY_MEDIUM;
	if (contains(norm, n, "sessionid") || contains(norm, n, "sessionkey"))
		return *k = "session", KEY_WEAK;
	if (ends_with(norm, n, "storepass") || ends_with(norm, n, "keypass"))
		return *k = "password", KEY_MEDIUM;	/* keytool -srcstorepass, -destkeypass */
	if (pass_suffix(norm, n) || contains(norm, n, "passcode") ||
	    contains(norm, n, "connectionstring"))
		return *k = "password", KEY_MEDIUM;
	return KEY_NONE;
}

/*
 * The class of a key with no secret stem, by its whole words: X_KEY (a key of something),
 * short words for a password (senha, pwd), secrets of their own (pin, otp, recovery code),
 * auth and credentials; KEY_NONE if none.
 */
static enum key_class
key_class_by_words(char words[16][32], size_t nw, const char **k)
{
	static const char *const not_secret_key[] = {
		"public", "primary", "foreign", "sort", "partition", "routing", "idempotency",
		"cache", "lookup", "object", "group", "shard", "row", "index", "unique", "map",
		"hash", "dedup", "host", "ssh-host", "label", "annotation", "config", "metadata",
	};
	enum key_class c = KEY_NONE;
	size_t i;

	/* SSH_KEY, HMAC_KEY, LICENSE_KEY, ..._ISSUER_KEY: a key of something */
	if (nw >= 2 && !strcmp(words[nw - 1], "key")) {
		bool named = false;

		for (i = 0; i < ELEMENTSOF(not_secret_key) && !named; i++)
			named = !strcmp(words[nw - 2], not_secret_key[i]);
		if (!named)
			c = KEY_MEDIUM, *k = "secret";
	}
	for (i = 0; i < nw && c == KEY_NONE; i++) {
		const char *w = words[i];

		if (word_in(w, password_key_words, ELEMENTSOF(password_key_words)))
			c = KEY_STRONG, *k = "password";
		else if (word_in(w, secret_key_words, ELEMENTSOF(secret_key_words)) ||
		    ((!strcmp(w, "code") || !strcmp(w, "codes")) && i > 0 &&
		    word_in(words[i - 1], code_owner_words, ELEMENTSOF(code_owner_words))) ||
		    (!strcmp(w, "id") && i > 0 && !strcmp(words[i - 1], "role")))
			c = KEY_MEDIUM, *k = "secret";
		else if (word_in(w, other_key_words, ELEMENTSOF(other_key_words)) ||
		    (i == 0 && nw == 1 && contains_any(w, strlen(w), other_key_words, ELEMENTSOF(other_key_words)) &&
		    strlen(w) > 4))
			c = KEY_STRONG, *k = "secret";	/* a key word in another language: no English prose after it */
		else if (!strcmp(w, "signature") || !strcmp(w, "license") || !strcmp(w, "licence"))
			c = KEY_MEDIUM, *k = w[0] == 's' ? "signature" : "license";	/* one word: no blanks */
		else if (!strcmp(w, "refresh") && nw == 1)
			c = KEY_MEDIUM, *k = "token";
		else if (!strcmp(w, "passin") || !strcmp(w, "passout"))
			c = KEY_STRONG, *k = "password";	/* openssl -passin pass:V */
		else if (!strcmp(w, "pwd") || !strcmp(w, "pass") || !strcmp(w, "pw"))
			c = KEY_MEDIUM, *k = "password";
		else if (!strcmp(w, "auth") || !strcmp(w, "authorization") ||
		    !strcmp(w, "authz"))
			c = KEY_WEAK, *k = "credential";
		else if (!strcmp(w, "credential") || !strcmp(w, "credentials") ||
		    !strcmp(w, "cred") || !strcmp(w, "creds"))
			c = KEY_WEAK, *k = "credential";
	}
	return c;
}

static enum key_class
key_class_uncached(const char *key, size_t len, const char **kind)
{
	char norm[128], words[16][32];
	size_t n = 0, nw = 0;
	const char *k = NULL;
	enum key_class c = KEY_NONE;

	while (len > 0 && (*key == '-' || *key == '"' || *key == '\'')) {
		key++;
		len--;
	}
	if (len > 0 && len <= 120) {
		key_split(key, len, norm, &n, words, &nw);
		if (n > 0 && !key_names_no_secret(norm, n) && (c = key_class_by_stem(norm, n, &k)) == KEY_NONE)
			c = key_class_by_words(words, nw, &k);
	}
	if (kind != NULL)
		*kind = k;
	return c;
}

size_t
secretpat_marker_len(const char *p, size_t avail)
{
	size_t i = 10, kl = 0, h = 0;

	if (avail < 10 || memcmp(p, "<redacted:", 10) != 0)
		return 0;
	while (i < avail && kl < 32 && (islower((unsigned char)p[i]) || p[i] == '-' ||
	    isdigit((unsigned char)p[i]))) {
		i++;
		kl++;
	}
	if (kl == 0 || i >= avail || p[i] != ':')
		return 0;
	i++;
	while (i < avail && h < 6 && isxdigit((unsigned char)p[i]) && !isupper((unsigned char)p[i])) {
		i++;
		h++;
	}
	if (h != 6 || i >= avail || p[i] != '>')
		return 0;
	return i + 1;
}

static bool
word_eq(const char *v, size_t len, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncasecmp(v, list[i], len) == 0)
			return true;
	return false;
}

bool
secretpat_value_trivial(const char *v, size_t len)
{
	static const char *const triv[] = {
		"~", "null", "nil", "true", "false", "yes", "no", "on", "off", "\"\"", "''", "[]", "{}",
		"<nil>", "none",
	};

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
		len--;
	if (len <= 2)
		return true;	/* "1", "0": flags and counts; nothing to guess either */
	if (secretpat_marker_len(v, len) == len)
		return true;
	return word_eq(v, len, triv, sizeof(triv) / sizeof(triv[0]));
}

/* Words that follow "password is" / "secret:" in messages, not secrets. */
static bool
prose_word(const char *v, size_t len)
{
	static const char *const prose[] = {
		"required", "missing", "empty", "invalid", "incorrect", "wrong", "expired", "not",
		"set", "unset", "none", "too", "being", "the", "a", "an", "present", "valid",
		"correct", "ok", "blank", "configured", "provided", "specified", "changed",
		"updated", "accepted", "rejected", "denied", "for", "of", "from", "to", "in", "is",
		"was", "and", "or", "must", "should", "will", "has", "have", "mismatch", "error",
		"failed", "found", "given", "expected", "unknown", "unavailable", "refreshed",
		"revoked", "ignored", "stored", "saved", "loaded", "cached", "disabled", "enabled",
		"bad", "good", "weak", "strong", "short", "long", "old", "new", "same", "different",
		"reused", "locked", "unlocked", "needed", "optional", "mandatory", "used", "sent",
		"reset", "unknown", "known", "generated", "random", "encrypted", "hashed", "shown",
		"hidden", "masked", "redacted", "ok", "okay", "accepted", "checked", "verified",
		"this", "that", "it", "not", "no", "yes", "now", "then", "also", "only", "still",
		"really", "always", "never", "set", "given",
	};

	while (len > 0 && strchr(".,;:!?)", v[len - 1]) != NULL)
		len--;
	return word_eq(v, len, prose, sizeof(prose) / sizeof(prose[0]));
}

/*
 * Random-looking: no blank, at least 6 bytes, and symbols, or two digits, or
 * a digit among mixed case; or long.  "aws-ec2-credential" is a name.
 */
static bool
looks_secret(const char *v, size_t len)
{
	bool sym = false, up = false, lo = false;
	size_t i, digits = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (isspace(ch))
			return false;
		if (isdigit(ch))
			digits++;
		else if (isupper(ch))
			up = true;
		else if (islower(ch))
			lo = true;
		else if (ch != '-' && ch != '_' && ch != '.')
			sym = true;
	}
	return (len >= 6 && (sym || digits >= 2 || (digits > 0 && up && lo))) || len >= 20;
}

/*
 * Letters of three scripts or more in one word (ASCII, other Latin, Greek, Cyrillic, Hebrew and
 * Arabic, kana, CJK, Hangul, the rest): "щåжéååkxzz" is random; "Müller", "密钥", "пароль" are words.
 */
static bool
mixed_scripts(const char *v, size_t len)
{
	unsigned seen = 0, n = 0;

	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)v[i];
		uint32_t cp;
		size_t l;
		unsigned sc;

		if (c < 0x80) {
			if (!isalpha(c))
				return false;
			cp = c;
			l = 1;
		} else if ((c & 0xe0) == 0xc0 && i + 1 < len) {
			cp = (uint32_t)(c & 0x1f) << 6 | ((unsigned char)v[i + 1] & 0x3f);
			l = 2;
		} else if ((c & 0xf0) == 0xe0 && i + 2 < len) {
			cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)((unsigned char)v[i + 1] & 0x3f) << 6 |
			    ((unsigned char)v[i + 2] & 0x3f);
			l = 3;
		} else
			return false;	/* 4-byte sequences (emoji) and broken UTF-8: no opinion */
		sc = cp < 0x80 ? 0 : cp < 0x370 ? 1 : cp < 0x400 ? 2 : cp < 0x530 ? 3 : cp < 0x800 ? 4 :
		    cp >= 0x3040 && cp < 0x3100 ? 5 : cp >= 0x4e00 && cp < 0xa000 ? 6 :
		    cp >= 0xac00 && cp < 0xd7b0 ? 7 : 8;
		if (!(seen & (1u << sc)))
			n++;
		seen |= 1u << sc;
		i += l;
	}
	return n >= 3;
}

/*
 * "/etc/creds/token", "/run/key.pem": names a file, not a secret (and the
 * journal names the same path: redacting it would withhold those entries).
 * Two slashes, or one and an extension; "/Pa55w0rd" is no path, nor is a value
 * with a random-looking segment ("/xCrp/RMh4nCoDq5Hz+I8Vp1", shape_random_segment()).
 */
static bool
abs_path(const char *v, size_t len)
{
	size_t i, slashes = 0;
	bool dot = false;

	if (len < 2 || v[0] != '/' || v[1] == '/')
		return false;
	for (i = 0; i < len; i++) {
		if (v[i] == '/') {
			size_t e = i + 1;

			while (e < len && v[e] != '/')
				e++;
			/* unpadded base64 or a password that starts with '/': "/xCrp/RMh4nCoDq5Hz+I8Vp1" */
			if (shape_random_segment(v + i + 1, e - i - 1))
				return false;
			slashes++;
		}
		else if (v[i] == '.' && slashes > 0 && i > 1 && v[i - 1] != '/')
			dot = true;
		else if (!isalnum((unsigned char)v[i]) && strchr("_-@+", v[i]) == NULL)
			return false;
	}
	return slashes >= 2 || dot;
}

/*
 * "passwd: files systemd" in nsswitch.conf: NSS source names and actions,
 * not a password.
 */
static bool
nss_sources(const char *v, size_t len)
{
	static const char *const src[] = {
		"files", "systemd", "db", "nis", "nisplus", "sss", "ldap", "compat", "dns",
		"myhostname", "mymachines", "resolve", "winbind", "hesiod", "extrausers", "cache",
		"mdns", "mdns4", "mdns6", "mdns_minimal", "mdns4_minimal", "mdns6_minimal", "wins",
		"altfiles", "usrfiles", "oslogin", "libvirt", "libvirt_guest",
	};
	size_t i = 0, words = 0;

	while (i < len) {
		size_t a, b;

		while (i < len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i >= len)
			break;
		a = i;
		while (i < len && v[i] != ' ' && v[i] != '\t')
			i++;
		b = i;
		if (v[a] == '[' && v[b - 1] == ']' && memchr(v + a, '=', b - a) != NULL)
			continue;	/* [NOTFOUND=return] */
		if (!word_eq(v + a, b - a, src, sizeof(src) / sizeof(src[0])))
			return false;
		words++;
	}
	return words > 0;
}

bool
secretpat_value_wanted(enum key_class c, const char *v, size_t len, bool loose)
{
	if (c == KEY_NONE || secretpat_value_trivial(v, len))
		return false;
	if (abs_path(v, len) || nss_sources(v, len) || redact_deny_harmless(v, len))
		return false;
	/* --auth-server auth.corp.example.net:8443: a weak key's host */
	if (c == KEY_WEAK && (shape_hostname(v, len) || shape_ip(v, len) || shape_hostport(v, len)))
		return false;
	/* in prose, a secret has some substance: "password: }" ends a JSON string */
	if (loose) {
		size_t i, alnum = 0;

		for (i = 0; i < len; i++)
			alnum += isalnum((unsigned char)v[i]) != 0;
		if (len < 3 || alnum == 0)
			return false;
	}
	/* in prose a word's closing punctuation is none of it: "token is forbidden:" */
	while (loose && len > 1 && strchr(".,;:!?)", v[len - 1]) != NULL)
		len--;
	switch (c) {
	case KEY_STRONG:
		return !loose || !prose_word(v, len);
	case KEY_MEDIUM:
		return !loose || looks_secret(v, len) || shape_mixed_case(v, len) || mixed_scripts(v, len);
	case KEY_WEAK:
		return looks_secret(v, len) || shape_mixed_case(v, len) || mixed_scripts(v, len);
	default:
		return false;
	}
}

bool
secretpat_is_secret_flag(const char *s, size_t len, const char **kind)
{
	if (len < 2 || s[0] != '-' || memchr(s, '=', len) != NULL || memchr(s, ' ', len) != NULL)
		return false;
	return secretpat_key_class(s, len, kind) >= KEY_MEDIUM;
}

/* ---- the scanner ---- */

struct scan {
	const char	*in;
	size_t		 len;
	pcre2_match_data *md;
	void		(*cb)(const struct secret_hit *, void *);
	void		*userdata;
	unsigned	 hits;
	size_t		 floor;	/* end of the last hit: nothing reaches back over it */
};

static void
hit(struct scan *s, size_t start, size_t end, const char *kind, const char *rule)
{
	struct secret_hit h = { start, end, kind, rule };

	if (h.start < s->floor)
		h.start = s->floor;
	if (end <= h.start)
		return;
	s->floor = end;
	s->hits++;
	if (s->cb != NULL)
		s->cb(&h, s->userdata);
}

static bool only_markers(const char *, size_t);

/*
 * A quote at p, escaped any number of times ("\"", "\\\"" once JSON-encoded
 * again): the length of the sequence, 0 if none.  *q gets the quote; when
 * *q is set on entry only that quote counts.
 */
static size_t
quote_seq(const char *in, size_t len, size_t p, char *q)
{
	size_t j = p;

	while (j < len && in[j] == '\\' && j - p < 16)
		j++;
	if (j >= len || (in[j] != '"' && in[j] != '\'') || (*q != 0 && in[j] != *q))
		return 0;
	*q = in[j];
	return j - p + 1;
}

static bool
is_keych(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/*
 * Punctuation and spaces outside ASCII that end a word as a blank or ':'
 * would: U+2000-U+203F (spaces, dashes, curly quotes), U+3000-U+3011 (CJK
 * space, "、", "。", brackets) and the fullwidth forms U+FF01-U+FF1F ("：",
 * "＝", "，", "（"): their length at in[p] (3), else 0.
 */
static size_t
wide_punct(const char *in, size_t len, size_t p)
{
	const unsigned char *u = (const unsigned char *)in + p;

	if (p + 3 > len)
		return 0;
	if ((u[0] == 0xe2 && u[1] == 0x80) || (u[0] == 0xe3 && u[1] == 0x80 && u[2] <= 0x91) ||
	    (u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x81 && u[2] <= 0x9f))
		return 3;
	return 0;
}

/* A byte of a key at in[p]: ASCII name characters and UTF-8 letters ("contraseña", "密码"). */
static inline bool
keych_at(const char *in, size_t len, size_t p)
{
	unsigned char c = (unsigned char)in[p];

	if (c < 0x80)
		return is_keych(c);
	/* inside wide punctuation: its lead byte is at most two bytes back */
	for (size_t b = p > 2 ? p - 2 : 0; b <= p; b++)
		if (wide_punct(in, len, b) > 0 && b + 3 > p)
			return false;
	return true;
}

static bool
is_b64(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=';
}

static bool
is_b64url(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-';
}

static size_t
eol(const char *in, size_t len, size_t p)
{
	const char *nl = memchr(in + p, '\n', len - p);

	return nl != NULL ? (size_t)(nl - in) : len;
}

/* A base64 run holding an encoded "PRIVATE KEY": extend over the run and its wrapped lines. */
static size_t
do_b64pem(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t a = ts, b = te;

	while (a > 0 && is_b64((unsigned char)in[a - 1]))
		a--;
	for (;;) {
		size_t q, r;

		while (b < s->len && is_b64((unsigned char)in[b]))
			b++;
		/* a wrapped line: newline (or "\n" escape), optional indent, all base64 */
		q = b;
		if (q < s->len && in[q] == '\r')
			q++;
		if (q < s->len && in[q] == '\n')
			q++;
		else if (q + 1 < s->len && in[q] == '\\' && in[q + 1] == 'n')
			q += 2;
		else
			break;
		while (q < s->len && (in[q] == ' ' || in[q] == '\t'))
			q++;
		r = q;
		while (r < s->len && is_b64((unsigned char)in[r]))
			r++;
		if (r - q < 4 || (r < s->len && !isspace((unsigned char)in[r]) &&
		    in[r] != '\\' && in[r] != '"' && in[r] != '\''))
			break;
		b = r;
	}
	hit(s, a, b, "private-key", "pem-base64");
	return b;
}

static size_t
do_jwt(struct scan *s, size_t ts, size_t te)
{
	size_t ms, me, i, parts = 1, p2 = 0, cur = 0;

	if (ts > 0 && (is_b64url((unsigned char)s->in[ts - 1]) || s->in[ts - 1] == '+' ||
	    s->in[ts - 1] == '/'))
		return te;
	if (!run(re_jwt, s->md, s->in, s->len, ts, 0, &ms, &me))
		return te;
	for (i = ms; i < me; i++) {
		if (s->in[i] == '.') {
			if (parts == 2)
				p2 = cur;
			parts++;
			cur = 0;
		} else
			cur++;
	}
	if (parts == 2)
		p2 = cur;
	/* trailing '.' of a sentence is not a part */
	if (me - ms >= 1 && s->in[me - 1] == '.' && parts > 3) {
		me--;
		parts--;
	}
	if (parts < 3 || me - ms < 24 || (p2 < 4 && parts != 5))
		return te;
	hit(s, ms, me, "jwt", "jwt");
	return me;
}

/*
 * A token that starts with a fixed prefix (stem) and is not the tail of a
 * longer word (underscore: whether '_' counts as part of a word); re decides.
 */
static size_t
do_prefixed(struct scan *s, size_t ts, size_t te, bool underscore, pcre2_code *re, const char *kind,
    const char *rule)
{
	size_t ms, me;

	if (ts > 0 && (isalnum((unsigned char)s->in[ts - 1]) || (underscore && s->in[ts - 1] == '_')))
		return te;
	if (!run(re, s->md, s->in, s->len, ts, 0, &ms, &me))
		return te;
	hit(s, ms, me, kind, rule);
	return me;
}

/* The word (or quoted string) at p, up to a blank or quote: sets [*vs, *ve). */
static void
next_word(const char *in, size_t len, size_t p, size_t *vs, size_t *ve)
{
	char q = 0;
	size_t m = quote_seq(in, len, p, &q), e;

	if (m > 0) {
		for (e = p + m; e + m <= len && in[e] != '\n' && memcmp(in + e, in + p, m) != 0; e++)
			;
		if (e + m <= len && in[e] != '\n') {
			*vs = p + m;
			*ve = e;
			return;
		}
	}
	for (e = p; e < len && !isspace((unsigned char)in[e]) && in[e] != '"' && in[e] != '\'' &&
	    !(in[e] == '\\' && e + 1 < len && strchr("nrt\"'", in[e + 1]) != NULL); e++)
		;
	*vs = p;
	*ve = e;
}

/* The start of the line holding p: back to a newline, floor, or at most max bytes. */
static size_t
line_back(const char *in, size_t floor, size_t p, size_t max)
{
	size_t b = p;

	while (b > floor && p - b < max && in[b - 1] != '\n')
		b--;
	return b;
}

/*
 * Command lines in text whose flag takes a password as the next word, known
 * by the program named earlier on the line: "redis-cli -a V", "ldapsearch -w V",
 * "snmpwalk -c V" (a community), "docker login -p V", "sshpass -p V".
 */
static size_t
do_cliflag(struct scan *s, size_t ts, size_t te, char f)
{
	static const struct {
		char		 flag;
		const char	*program;
	} progs[] = {
		{ 'a', "redis-cli" }, { 'w', "ldap" }, { 'c', "snmp" }, { 'p', " login " },
		{ 'p', "sshpass" }, { 'p', "mongo" }, { 'p', " -u " }, { 'p', "psexec" },
		{ 'P', "sqlcmd" }, { 'P', "bcp " }, { 'P', "ipmitool" }, { 'P', "zip" }, { 'P', "smbpasswd" },
		{ 'N', "ssh-keygen" }, { 'k', "openssl" }, { 'K', "openssl" },
	};
	const char *in = s->in;
	size_t b = line_back(in, 0, ts, 1024), p = te, vs, ve, i;
	bool known = false;

	for (i = 0; i < ELEMENTSOF(progs) && !known; i++)
		known = progs[i].flag == f && memmem(in + b, ts - b, progs[i].program, strlen(progs[i].program)) != NULL;
	if (!known)
		return te;
	while (p < s->len && (in[p] == ' ' || in[p] == '\t'))
		p++;
	if (p >= s->len || in[p] == '-' || secretpat_marker_len(in + p, s->len - p) > 0)
		return te;
	next_word(in, s->len, p, &vs, &ve);
	if (ve <= vs || secretpat_value_trivial(in + vs, ve - vs) ||
	    secretpat_marker_len(in + vs, ve - vs) > 0)
		return te;
	hit(s, vs, ve, f == 'c' ? "secret" : "password", "cli-password");
	return ve;
}

/* In a word [ws, we): the '=' of a NAME=VALUE (a name of letters, digits, '_', '.', '-'), or NULL. */
static const char *
kv_eq(const char *in, size_t ws, size_t we)
{
	const char *eq = memchr(in + ws, '=', we - ws);

	if (eq == NULL || eq == in + ws || (size_t)(eq - in) + 1 >= we || eq[1] == '=')
		return NULL;	/* no name, no value, or base64 padding */
	for (const char *q = in + ws; q < eq; q++)
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '.' && *q != '-')
			return NULL;
	return eq;
}

/* The n-th word (from 1) at or after p on its line that is no option ("-x", "/x:"), or false. */
static bool
positional(const char *in, size_t len, size_t p, unsigned n, bool opt_arg, size_t *vs, size_t *ve)
{
	size_t e = eol(in, len, p);

	while (p < e) {
		while (p < e && (in[p] == ' ' || in[p] == '\t'))
			p++;
		if (p >= e || in[p] == '|' || in[p] == ';' || in[p] == '&')
			return false;
		next_word(in, e, p, vs, ve);
		if (*ve <= p)
			return false;
		if (in[p] == '-' && !(in[p + 1] >= '0' && in[p + 1] <= '9' && !opt_arg)) {
			p = *ve;	/* an option */
			continue;
		}
		if (--n == 0)
			return true;
		p = *ve + (*ve < e && (in[*ve] == '"' || in[*ve] == '\''));
	}
	return false;
}

/* The value [*vs, *ve) of one command form, found between te (after its stem) and e (its line's end). */
struct cmdarg {
	struct scan	*s;
	size_t		 ts, te, e;
	size_t		*vs, *ve;
};

/* htpasswd -b FILE USER PASS (-bn: USER PASS): only in batch mode is the password on the line. */
static bool
cmd_htpasswd(struct cmdarg *a)
{
	const char *in = a->s->in;
	bool batch = false, nofile = false;

	for (size_t p = a->te; p < a->e; p++)
		if (in[p] == '-' && (p == a->te || in[p - 1] == ' '))
			for (size_t q = p + 1; q < a->e && isalpha((unsigned char)in[q]); q++) {
				batch |= in[q] == 'b';
				nofile |= in[q] == 'n';
			}
	return batch && positional(in, a->s->len, a->te, nofile ? 2 : 3, false, a->vs, a->ve);
}

/* rabbitmqctl add_user USER PASS, dotnet user-secrets set KEY VALUE. */
static bool
cmd_second(struct cmdarg *a)
{
	return positional(a->s->in, a->s->len, a->te, 2, false, a->vs, a->ve);
}

/* echo USER:PASS | chpasswd: the word before the pipe, after its ':'. */
static bool
cmd_chpasswd(struct cmdarg *a)
{
	const char *in = a->s->in, *colon;
	size_t b = line_back(in, a->s->floor, a->ts, 512), w;

	for (w = a->ts; w > b && (in[w - 1] == ' ' || in[w - 1] == '\t'); w--)
		;
	*a->ve = w;
	while (w > b && !isspace((unsigned char)in[w - 1]))
		w--;
	colon = memchr(in + w, ':', *a->ve - w);
	if (colon == NULL || (size_t)(colon - in) + 1 >= *a->ve)
		return false;
	*a->vs = (size_t)(colon - in) + 1;
	return true;
}

/* gh/az ... secret set, aws ssm put-parameter: the word after --value or --body (or after '='). */
static bool
cmd_value_flag(struct cmdarg *a)
{
	const char *in = a->s->in;

	for (size_t p = a->te; p + 7 < a->e; p++)
		if (in[p] == '-' && in[p + 1] == '-' && (strncmp(in + p, "--value", 7) == 0 ||
		    strncmp(in + p, "--body", 6) == 0)) {
			size_t q = p + (in[p + 2] == 'v' ? 7 : 6);

			if (q < a->e && (in[q] == ' ' || in[q] == '=')) {
				next_word(in, a->e, q + 1, a->vs, a->ve);
				return *a->ve > *a->vs;
			}
		}
	return false;
}

/* openssl passwd [-1|-5|-6|-apr1|-salt X|-in F ...] PASS: the first word that is no option. */
static bool
cmd_openssl_passwd(struct cmdarg *a)
{
	const char *in = a->s->in;

	for (size_t p = a->te; p < a->e;) {
		while (p < a->e && in[p] == ' ')
			p++;
		next_word(in, a->e, p, a->vs, a->ve);
		if (*a->ve <= p)
			return false;
		if (in[p] != '-')
			return true;
		{
			size_t n = *a->ve - *a->vs;
			bool arg = (n == 5 && strncmp(in + *a->vs, "-salt", 5) == 0) ||
			    (n == 3 && strncmp(in + *a->vs, "-in", 3) == 0);

			p = *a->ve;
			if (arg) {
				while (p < a->e && in[p] == ' ')
					p++;
				next_word(in, a->e, p, a->vs, a->ve);
				p = *a->ve;
			}
		}
	}
	return false;
}

/* mc alias set NAME URL ACCESS SECRET. */
static bool
cmd_fourth(struct cmdarg *a)
{
	return positional(a->s->in, a->s->len, a->te, 4, false, a->vs, a->ve);
}

/* ConvertTo-SecureString [-String] 'V', xfreerdp /p:V. */
static bool
cmd_next_word(struct cmdarg *a)
{
	const char *in = a->s->in;
	size_t p = a->te;

	if (in[a->ts] != ' ') {		/* ConvertTo-SecureString: a quoted string */
		if (p + 8 < a->e && strncasecmp(in + p, "-String ", 8) == 0)
			p += 8;
		if (p >= a->e || (in[p] != '\'' && in[p] != '"'))
			return false;
	}
	next_word(in, a->e, p, a->vs, a->ve);
	return *a->ve > *a->vs;
}

/* vault kv put / vault write PATH k=V ...: each value a secret; consul kv put PATH VALUE when the
 * path's last part names a secret.  Where to resume. */
static size_t
cmd_kv(struct scan *s, size_t te, size_t e)
{
	const char *in = s->in;
	size_t ps, pe, vs, ve, p, n = 0;

	if (positional(in, s->len, te, 1, false, &ps, &pe) && kv_eq(in, ps, pe) == NULL &&
	    positional(in, s->len, te, 2, false, &vs, &ve) && kv_eq(in, vs, ve) == NULL) {
		const char *slash = memrchr(in + ps, '/', pe - ps);
		size_t ks = slash ? (size_t)(slash - in) + 1 : ps;

		if (secretpat_key_class(in + ks, pe - ks, NULL) == KEY_NONE || secretpat_marker_len(in + vs, ve - vs) > 0)
			return te;
		hit(s, vs, ve, "secret", "cli-password");
		return ve;
	}
	for (p = te; p < e;) {
		size_t ws, we;
		const char *eq;

		while (p < e && (in[p] == ' ' || in[p] == '\t'))
			p++;
		next_word(in, e, p, &ws, &we);
		if (we <= p)
			break;
		eq = kv_eq(in, ws, we);
		if (in[ws] != '-' && eq != NULL && secretpat_marker_len(eq + 1, (size_t)(in + we - eq - 1)) == 0) {
			hit(s, (size_t)(eq - in) + 1, we, "secret", "cli-password");
			n++;
		}
		p = we + (we < e && (in[we] == '"' || in[we] == '\''));
	}
	return n > 0 ? p : te;
}

/*
 * Commands traced by a shell whose password is an argument, not a flag's (the
 * T_CMD stems): each form's function finds the value on the stem's line.
 */
static size_t
do_cmd(struct scan *s, size_t ts, size_t te)
{
	static const struct {
		const char	*stem;
		bool		(*find)(struct cmdarg *);
	} forms[] = {
		{ "tpasswd ", cmd_htpasswd }, { "d_user ", cmd_second },
		{ "r-secrets set ", cmd_second }, { "| chpasswd", cmd_chpasswd },
		{ "secret set ", cmd_value_flag }, { "t-parameter ", cmd_value_flag },
		{ "sl passwd ", cmd_openssl_passwd }, { "securestring ", cmd_next_word },
		{ " /p:", cmd_next_word }, { "ias set ", cmd_fourth },
	};
	const char *in = s->in;
	size_t e = eol(in, s->len, te), vs = 0, ve = 0;
	struct cmdarg a = { s, ts, te, e, &vs, &ve };
	bool found = false;

	if (strncmp(in + ts, "kv put ", 7) == 0 || strncmp(in + ts, "vault write ", 12) == 0)
		return cmd_kv(s, te, e);
	for (size_t i = 0; i < ELEMENTSOF(forms) && !found; i++)
		if (strncasecmp(in + ts, forms[i].stem, strlen(forms[i].stem)) == 0)
			found = forms[i].find(&a);
	if (!found || ve <= vs || secretpat_marker_len(in + vs, ve - vs) > 0 ||
	    secretpat_value_trivial(in + vs, ve - vs))
		return te;
	hit(s, vs, ve, "password", "cli-password");
	return ve;
}

/* ?key=V, &code=V: a query's API key or OAuth authorization code, to the next '&', blank or quote. */
static size_t
do_qkey(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t e = te;

	(void)ts;
	while (e < s->len && !isspace((unsigned char)in[e]) && strchr("&#\"'<>", in[e]) == NULL)
		e++;
	if (e - te < 6 || secretpat_marker_len(in + te, s->len - te) > 0 || secretpat_value_trivial(in + te, e - te))
		return te;
	hit(s, te, e, "secret", "url-query");
	return e;
}

/* https://api.telegram.org/bot123456789:TOKEN/sendMessage: the bot's token is the path. */
static size_t
do_bot(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t p = te, d, e;

	(void)ts;
	for (d = p; d < s->len && isdigit((unsigned char)in[d]); d++)
		;
	if (d - p < 3 || d >= s->len || in[d] != ':')
		return te;
	for (e = d + 1; e < s->len && !isspace((unsigned char)in[e]) && strchr("/?#\"'&\\<", in[e]) == NULL; e++)
		;
	if (e - d - 1 < 8)
		return te;
	hit(s, d + 1, e, "token", "bot-token");
	return e;
}

/*
 * user:PASSWORD@proxy:3128 and Oracle's user/PASSWORD@db:1521/SID with no
 * scheme: at an '@' followed by a host (a letter in it; then a port of 1 to 5
 * digits, a path or the word's end), the word before it is a user name, ':'
 * or '/', and the password.  Not an e-mail address after a label
 * ("email:a@b.c"), an image digest (nginx:1.25@sha256:...), a module path
 * (golang.org/x/net@v0.17.0) or a URL (T_URL's).
 */
static size_t
do_at(struct scan *s, size_t ts, size_t te)
{
	static const char *const labels[] = {
		"email", "mail", "mailto", "from", "to", "cc", "bcc", "sender", "recipient", "contact",
		"owner", "author", "user", "username", "login", "account", "principal", "upn", "sip", "sips",
		"tel", "xmpp", "pkg", "urn", "git", "ssh",
	};
	const char *in = s->in;
	size_t len = s->len, w0 = ts, u, h, e, d;
	bool letter = false;

	while (w0 > s->floor && ts - w0 <= 256 && !isspace((unsigned char)in[w0 - 1]) &&
	    strchr("\"'([,=;`", in[w0 - 1]) == NULL)
		w0--;
	if (ts - w0 > 256 || memchr(in + w0, '>', ts - w0) != NULL)
		return te;	/* a marker before the '@' ("u:<redacted:...>@h"): done already */
	for (u = w0; u < ts && (isalnum((unsigned char)in[u]) || strchr("_.-$#", in[u]) != NULL); u++)
		;
	if (u == w0 || u - w0 > 64 || u + 1 >= ts || (in[u] != ':' && in[u] != '/'))
		return te;
	if ((in[u] == ':' && in[u + 1] == '/') || (in[u] == '/' && memchr(in + w0, '.', u - w0) != NULL) ||
	    word_eq(in + w0, u - w0, labels, ELEMENTSOF(labels)))
		return te;
	for (h = e = ts + 1; e < len && (isalnum((unsigned char)in[e]) || in[e] == '.' || in[e] == '-'); e++)
		letter |= isalpha((unsigned char)in[e]) != 0;
	if (e - h < 2 || !letter)
		return te;
	if (e < len && in[e] == ':') {
		for (d = e + 1; d < len && isdigit((unsigned char)in[d]) && d - e <= 6; d++)
			;
		if (d - e - 1 < 1 || d - e - 1 > 5 || (d < len && isalnum((unsigned char)in[d])))
			return te;
	} else if (e < len && !isspace((unsigned char)in[e]) && strchr("/\"',;)]}", in[e]) == NULL)
		return te;
	hit(s, u + 1, ts, "password", "userinfo");
	return ts + 1;
}

/* \u00XX with XX an ASCII byte at in[p]: that byte, else -1. */
static int
uesc_at(const char *in, size_t len, size_t p)
{
	unsigned v = 0;

	if (p + 6 > len || in[p] != '\\' || in[p + 1] != 'u' || in[p + 2] != '0' || in[p + 3] != '0')
		return -1;
	for (size_t i = p + 4; i < p + 6; i++) {
		if (!isxdigit((unsigned char)in[i]))
			return -1;
		v = v * 16 + (unsigned)(isdigit((unsigned char)in[i]) ? in[i] - '0' : tolower((unsigned char)in[i]) - 'a' + 10);
	}
	return v < 0x80 ? (int)v : -1;
}

/*
 * {"pa\u0073sword": "X"}: a quoted key spelled (partly) with \u escapes, as
 * some JSON encoders write it or to dodge a filter: decoded, judged by its
 * name, and its quoted string value redacted.
 */
static size_t
do_uesc(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t len = s->len, a = ts, b = ts, n = 0, q, ve;
	char key[64];
	const char *kind;
	enum key_class c;

	while (a > s->floor) {
		if (a >= 6 && uesc_at(in, len, a - 6) >= 0)
			a -= 6;
		else if (is_keych((unsigned char)in[a - 1]))
			a--;
		else
			break;
	}
	while (b < len) {
		if (uesc_at(in, len, b) >= 0)
			b += 6;
		else if (is_keych((unsigned char)in[b]))
			b++;
		else
			break;
	}
	if (a == 0 || in[a - 1] != '"' || b >= len || in[b] != '"' || b - a > 6 * sizeof(key))
		return te;
	for (q = a; q < b && n < sizeof(key); n++) {
		int ch = uesc_at(in, len, q);

		key[n] = ch >= 0 ? (char)ch : in[q];
		q += ch >= 0 ? 6 : 1;
	}
	if (q < b || (c = secretpat_key_class(key, n, &kind)) < KEY_MEDIUM)
		return b;
	for (q = b + 1; q < len && (in[q] == ' ' || in[q] == '\t'); q++)
		;
	if (q >= len || in[q] != ':')
		return b;
	for (q++; q < len && (in[q] == ' ' || in[q] == '\t'); q++)
		;
	if (q >= len || in[q] != '"')
		return b;
	for (ve = q + 1; ve < len && in[ve] != '"' && in[ve] != '\n'; ve++)
		if (in[ve] == '\\' && ve + 1 < len)
			ve++;
	if (ve >= len || in[ve] != '"' || !secretpat_value_wanted(c, in + q + 1, ve - q - 1, false))
		return b;
	hit(s, q + 1, ve, kind, "key-value");
	return ve + 1;
}

/* jdbc:oracle:thin:user/PASSWORD@host:1521/SID: the password runs from the '/' to the last '@'. */
static size_t
do_oracle(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t p = te, slash, at = 0, e;

	(void)ts;
	for (slash = p; slash < s->len && (isalnum((unsigned char)in[slash]) || strchr("_$#.-", in[slash]) != NULL); slash++)
		;
	if (slash == p || slash >= s->len || in[slash] != '/')
		return te;
	for (e = slash + 1; e < s->len && !isspace((unsigned char)in[e]) && in[e] != '"' && in[e] != '\''; e++)
		if (in[e] == '@')
			at = e;
	if (at <= slash + 1 || secretpat_marker_len(in + slash + 1, at - slash - 1) == at - slash - 1)
		return te;
	hit(s, slash + 1, at, "password", "dsn");
	return at;
}

/*
 * A signature in a URL's query ("?sv=...&sig=X", "&X-Amz-Signature=X"): it
 * grants access as a password would.  The value runs to the next parameter.
 */
static size_t
do_qsig(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t ps = ts, ve;

	while (ps > 0 && ts - ps < 32 && (isalnum((unsigned char)in[ps - 1]) || in[ps - 1] == '-'))
		ps--;
	if (ps == 0 || (in[ps - 1] != '?' && in[ps - 1] != '&'))
		return te;
	for (ve = te; ve < s->len && !isspace((unsigned char)in[ve]) && in[ve] != '&' && in[ve] != '#' &&
	    in[ve] != '"' && in[ve] != '\'' && in[ve] != '\\' && in[ve] != '<'; ve++)
		;
	if (ve - te < 8)
		return te;
	hit(s, te, ve, "signature", "url-signature");
	return ve;
}

static size_t
do_hook(struct scan *s, size_t ts, size_t te)
{
	size_t ms, me;

	if (!run(re_hook, s->md, s->in, s->len, ts, 1, &ms, &me))
		return te;
	hit(s, ms, me, "webhook", "webhook-url");
	return me;
}

static bool
is_b64std(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/';
}

/* Within 64 bytes after "aws" on the same line: a run of exactly 40 base64 characters, mixed. */
static size_t
do_aws(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t p = te, lim = te + 64 + 40 < s->len ? te + 64 + 40 : s->len;

	(void)ts;
	while (p < lim && in[p] != '\n') {
		size_t a = p, b, i;
		bool up = false, lo = false, dg = false;

		if (!is_b64std((unsigned char)in[p])) {
			p++;
			continue;
		}
		for (b = a; b < s->len && is_b64std((unsigned char)in[b]); b++)
			;
		p = b;
		if (b - a != 40 || a - te > 64 || (a > 0 && in[a - 1] == '=') ||
		    (b < s->len && in[b] == '='))
			continue;
		/* another trigger in between speaks first: hits stay in order */
		{
			size_t x, y;

			if (find_trigger(in, a, te, &x, &y) != 0)
				return te;
		}
		for (i = a; i < b; i++) {
			unsigned char c = (unsigned char)in[i];

			up |= isupper(c) != 0;
			lo |= islower(c) != 0;
			dg |= isdigit(c) || c == '/' || c == '+';
		}
		if (!(up && lo && dg))
			continue;
		hit(s, a, b, "aws-secret-key", "aws-secret-key");
		return b;
	}
	return te;
}

/*
 * Command lines in text: "-u user:PASSWORD" (curl, wget) and "-pPASSWORD"
 * (mysql, where -p takes its value attached) after a "-u" on the same line.
 */
static size_t
do_cliuser(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t p = te, e;

	e = p;
	while (e < s->len && !isspace((unsigned char)in[e]) && in[e] != '"' && in[e] != '\'' && in[e] != '\\')
		e++;
	if (in[ts + 2] == 'p' && p < s->len && (in[p] == ' ' || in[p] == '\t'))
		return do_cliflag(s, ts, te, 'p');
	if (in[ts + 2] == 'u' || in[ts + 2] == 'U') {
		const char *c = memchr(in + p, ':', e - p);

		/* lftp -u USER,PASS; smbclient -U USER%PASS */
		if (c == NULL && in[ts + 2] == 'u')
			c = memchr(in + p, ',', e - p);
		if (c == NULL && in[ts + 2] == 'U')
			c = memchr(in + p, '%', e - p);
		if (c == NULL || c == in + p || (size_t)(c - in) + 1 >= e || (*c == ':' && c[1] == '/'))
			return te;	/* (user:/path is no password) */
		if (secretpat_marker_len(c + 1, (size_t)(in + e - c - 1)) > 0)
			return te;
		hit(s, (size_t)(c - in) + 1, e, "password", "cli-user");
		return e;
	}
	/* -pVALUE: attached, 4+ bytes, and a -u earlier on the line; else the scan goes on at
	 * the 'p' ("-passin 'pass:V'": a key of its own) */
	if (e - p < 4 || !(isalnum((unsigned char)in[p]) || (unsigned char)in[p] >= 0x80) ||
	    secretpat_marker_len(in + p, e - p) > 0)
		return ts + 2;
	/* "-password V", "-passin V": a flag (of lower-case letters) that names a secret, not -p and its value */
	{
		size_t q = p;

		while (q < e && islower((unsigned char)in[q]))
			q++;
		if (q == e && secretpat_key_class(in + ts + 1, e - ts - 1, NULL) != KEY_NONE)
			return ts + 2;
	}
	{
		size_t b = line_back(in, 0, ts, 1024);	/* at most 1 KiB back: a long line of -p words stays linear */

		if (memmem(in + b, ts - b, " -u", 3) == NULL && memmem(in + b, ts - b, "mysql", 5) == NULL &&
		    memmem(in + b, ts - b, "sshpass", 7) == NULL && memmem(in + b, ts - b, "7z", 2) == NULL)
			return ts + 2;
	}
	hit(s, p, e, "password", "cli-password");
	return e;
}

/* in[ks..ke) is a lower-case DNS name with two dots or more, followed by ':' and a port of 1 to 5
 * digits that ends the word: host:port. */
static bool
host_port_at(const char *in, size_t len, size_t ks, size_t ke)
{
	size_t dots = 0, p, d;

	if (ke >= len || in[ke] != ':' || !isalpha((unsigned char)in[ks]) || in[ke - 1] == '.')
		return false;
	for (p = ks; p < ke; p++) {
		unsigned char ch = (unsigned char)in[p];

		if (ch == '.') {
			if (in[p - 1] == '.' || in[p - 1] == '-')
				return false;
			dots++;
		} else if (!(islower(ch) || isdigit(ch) || ch == '-'))
			return false;
	}
	for (d = 0, p = ke + 1; p < len && isdigit((unsigned char)in[p]) && d < 6; p++)
		d++;
	if (dots < 2 || d < 1 || d > 5 || (p < len && isalnum((unsigned char)in[p])))
		return false;
	/* a property path ends in its key (spring.datasource.password:1234); a host in its domain */
	for (p = ke; p > ks && in[p - 1] != '.'; p--)
		;
	return secretpat_key_class(in + p, ke - p, NULL) == KEY_NONE;
}

/*
 * "dial tcp auth-gw:15443: connect", "auth:8443/v1": a short host name (lower
 * case, digits, '-') and a port of 1 to 5 digits followed by ':' or '/'; or
 * by the end of the word when the name has a '-' or '.' ("pin:1234" stays a
 * key and its value).
 */
static bool
short_host_port_at(const char *in, size_t len, size_t ks, size_t ke)
{
	size_t p, d;
	bool mark = false;

	if (ke >= len || in[ke] != ':' || !islower((unsigned char)in[ks]))
		return false;
	for (p = ks; p < ke; p++) {
		unsigned char ch = (unsigned char)in[p];

		if (ch == '-' || ch == '.')
			mark = true;
		else if (!(islower(ch) || isdigit(ch)))
			return false;
	}
	for (d = 0, p = ke + 1; p < len && isdigit((unsigned char)in[p]) && d < 6; p++)
		d++;
	if (d < 1 || d > 5)
		return false;
	if (p < len && (in[p] == ':' || in[p] == '/'))
		return true;
	if (!mark || !(p == len || isspace((unsigned char)in[p]) || strchr("\"',;)]}", in[p]) != NULL))
		return false;
	/* spring.datasource.password:48213, db-password:1234: the last part names a secret */
	for (p = ke; p > ks && in[p - 1] != '.' && in[p - 1] != '-'; p--)
		;
	return secretpat_key_class(in + p, ke - p, NULL) == KEY_NONE;
}

/* user:PASSWORD@tcp(host:port)/db: the password runs back from '@' to the user's ':'. */
static size_t
do_dsn(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t p = ts, colon = 0;

	while (p > s->floor && !isspace((unsigned char)in[p - 1]) && in[p - 1] != '"' &&
	    in[p - 1] != '\'' && in[p - 1] != '=' && ts - p < 512) {
		p--;
		if (in[p] == ':' && colon == 0)
			colon = p;
	}
	/* the first ':' of the word ends the user; the password may hold more */
	for (size_t q = p; q < ts; q++)
		if (in[q] == ':') {
			colon = q;
			break;
		}
	if (colon == 0 || colon + 1 >= ts)
		return te;
	if (secretpat_marker_len(in + colon + 1, ts - colon - 1) == ts - colon - 1)
		return te;
	hit(s, colon + 1, ts, "password", "dsn");
	return te;
}

static size_t
do_url(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t ui = ts + 3, at = te - 1, p, colon;

	/* the last '@' of the authority: a password may hold a raw '@' */
	for (p = te; p < s->len && !isspace((unsigned char)in[p]) && in[p] != '/' &&
	    in[p] != '?' && in[p] != '#' && in[p] != '"' && in[p] != '\''; p++)
		if (in[p] == '@')
			at = p;
	/* a marker in the user info: redacted already (or text around one that was) */
	for (p = ui; p < at; p++)
		if (in[p] == '<' && secretpat_marker_len(in + p, at - p) > 0)
			return te;
	for (colon = ui; colon < at && in[colon] != ':'; colon++)
		;
	if (colon >= at && at > ui && (at - ui >= 16 || looks_secret(in + ui, at - ui))) {
		/* https://TOKEN@host: a user part alone that looks like a token is one */
		hit(s, ui, at, "url-userinfo", "url-password");
		return at + 1;
	}
	if (colon >= at || colon + 1 == at)
		return te;
	hit(s, colon + 1, at, "url-password", "url-password");
	return at + 1;
}

static bool not_credential(const char *v, size_t n);

/* A token after "Bearer", "Basic", ...: no blank, at least 8 bytes, not all letters. */
static size_t
token_end(const char *in, size_t len, size_t p)
{
	while (p < len && !isspace((unsigned char)in[p]) && in[p] != '"' && in[p] != '\'' &&
	    in[p] != ',' && in[p] != '\\')
		p++;
	return p;
}

static size_t
do_bearer(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	size_t p = te, e, i;
	bool ok = false;

	if (ts > 0 && isalnum((unsigned char)in[ts - 1]))
		return te;
	if (p >= s->len || (in[p] != ' ' && in[p] != '\t'))
		return te;
	while (p < s->len && (in[p] == ' ' || in[p] == '\t'))
		p++;
	if (secretpat_marker_len(in + p, s->len - p) > 0)
		return p + secretpat_marker_len(in + p, s->len - p);
	e = token_end(in, s->len, p);
	if (e - p < 8 || not_credential(in + p, e - p))
		return te;
	for (i = p; i < e; i++)
		if (!isalpha((unsigned char)in[i]))
			ok = true;
	if (!ok)
		return te;
	hit(s, p, e, "bearer", "bearer");
	return e;
}

/*
 * A quoted Kubernetes object name in an API error: 'secret "NAME" not found', 'secrets "NAME"
 * is forbidden', '... already exists', '... is invalid': NAME is a DNS-1123 name.
 */
static bool
k8s_object_name(const char *in, size_t len, size_t vs, size_t ve)
{
	static const char *const tails[] = { " not found", " is forbidden", " already exists", " is invalid" };

	if (ve + 1 < len && in[ve] == '\\' && in[ve + 1] == '"')
		ve++;	/* secrets \"NAME\" is forbidden: inside a JSON string */
	if (vs == 0 || ve >= len || in[vs - 1] != '"' || in[ve] != '"' || ve - vs > 253)
		return false;
	for (size_t i = vs; i < ve - (in[ve - 1] == '\\'); i++)
		if (!(islower((unsigned char)in[i]) || isdigit((unsigned char)in[i]) || in[i] == '-' || in[i] == '.'))
			return false;
	for (size_t i = 0; i < ELEMENTSOF(tails); i++)
		if (len - ve - 1 >= strlen(tails[i]) && strncmp(in + ve + 1, tails[i], strlen(tails[i])) == 0)
			return true;
	return false;
}

/*
 * After an auth scheme word, what is no credential: a word of prose ("token is expired"),
 * the next key=value pair ("token_type=Bearer expires_in=3600"), a protocol ("HTTP/1.1").
 */
static bool
not_credential(const char *v, size_t n)
{
	size_t i = 0;

	if (prose_word(v, n) || (n >= 5 && strncmp(v, "HTTP/", 5) == 0))
		return true;
	if (n > 0 && (isalpha((unsigned char)v[0]) || v[0] == '_')) {
		while (i < n && (isalnum((unsigned char)v[i]) || v[i] == '_'))
			i++;
		return i + 1 < n && v[i] == '=' && v[i + 1] != '=';
	}
	return false;
}

/* True if v holds nothing but markers, blanks, quotes and flow punctuation: done already. */
static bool
only_markers(const char *v, size_t n)
{
	size_t i = 0, m;
	bool any = false;

	while (i < n) {
		if ((m = secretpat_marker_len(v + i, n - i)) > 0) {
			i += m;
			any = true;
		} else if (strchr(" \t[]{},\"'", v[i]) != NULL && v[i] != '\0')
			i++;
		else
			return false;
	}
	return any;
}

static const char *const auth_schemes[] = {
	"bearer", "basic", "token", "digest", "negotiate", "apikey", "hoba", "mutual",
	"aws4-hmac-sha256",
};

/* Letters, '_' and '-' only: a key name, not a blob that holds one. */
static bool
plain_word(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)w[i]) && w[i] != '_' && w[i] != '-')
			return false;
	return true;
}

/*
 * What the parts of do_word() learn about a secret-like key in text and the
 * value after it.  A part returns GO_ON when the scan goes on to the next
 * part, else the offset to resume from (nothing more to do at this key).
 */
#define GO_ON SIZE_MAX

struct kv {
	size_t		 ks, ke;	/* the key: in[ks..ke) */
	enum key_class	 c;		/* its class */
	const char	*kind;		/* its marker kind */
	const char	*rule;		/* the manifest's rule: "key-value", "free-text", "flag" */
	char		 oq;		/* the quote that opens before the key, or 0 */
	size_t		 oqlen;		/* that quote with its escapes ("\\\"": 2) */
	bool		 opened;	/* a quote opens before the key: "key... */
	bool		 quoted_key;	/* and closes after it: "key" */
	bool		 line_start;	/* nothing but blanks (and a "- ") before the key on its line */
	bool		 flag;		/* --key */
	bool		 query;		/* ?key= or &key= in a URL */
	bool		 colon;		/* key: value */
	bool		 to_eol;	/* the value runs to the end of the line (YAML) */
	bool		 loose;		/* prose: the value must look like a secret */
	bool		 flagarg;	/* --key VALUE: the next word */
	bool		 directive;	/* "requirepass VALUE", "AUTH VALUE": the next word */
	bool		 blank;		/* "loaded secret VALUE from": prose, the next word if it looks random */
	bool		 ident;		/* "id_token: VALUE": a name from code, not prose */
	bool		 xml;		/* <key>VALUE</key> */
	bool		 to_quote;	/* "Header-Name: VALUE": to the quote that opened before the key */
	bool		 golist;	/* map[x-api-key:[VALUE]] (gRPC metadata): the value ends at ']' */
	bool		 sql;		/* IDENTIFIED BY VALUE: the next word, quoted or not */
	bool		 gofield;	/* &{Endpoint:x Token:VALUE Insecure:false}: a Go %+v dump's field */
	size_t		 p;		/* the separator, then the value's first byte */
	size_t		 vs, ve;	/* the value: in[vs..ve) */
	size_t		 after;		/* where the scan resumes after the value */
	size_t		 te;		/* the stem's end: where the scan resumes when there is no value */
};

/*
 * The whole key around the stem ("EXT_JWT_CLIENT_SECRET", "--client-secret",
 * "aws.secretKey"); a long word (a base64 blob) that holds the stem is
 * skipped whole, once.
 */
static size_t
kv_key(struct scan *s, size_t ts, size_t te, struct kv *k)
{
	const char *in = s->in;
	size_t len = s->len, ks = ts, ke = te, i;
	bool wide = false;

	while (ks > s->floor && ts - ks < 256 && keych_at(in, len, ks - 1)) {
		/* stop at a JSON escape: "\tpassword" is a tab, then the key */
		if (ks >= 2 && in[ks - 2] == '\\' && strchr("ntrbfu", in[ks - 1]) != NULL)
			break;
		ks--;
	}
	while (ke < len && ke - te < 256 && keych_at(in, len, ke))
		ke++;
	for (i = ks; i < ke && !wide; i++)
		wide = (unsigned char)in[i] >= 0x80;
	/* a run of CJK text has no blanks: past 64 bytes (21 characters) it is a sentence, not a key */
	if (ke - ks > (wide ? 64 : 128) || (ks > s->floor && keych_at(in, len, ks - 1) &&
	    !(ks >= 2 && in[ks - 2] == '\\')) || (ke < len && keych_at(in, len, ke))) {
		while (ke < len && keych_at(in, len, ke))
			ke++;
		return ke;
	}
	k->ks = ks;
	k->ke = ke;
	k->c = secretpat_key_class(in + ks, ke - ks, &k->kind);
	if (k->c != KEY_NONE && ks > s->floor && in[ks - 1] == ':') {
		/* inside an ARN ("arn:aws:secretsmanager:...:secret:db-AbCdEf"): names, no key and value */
		size_t w = ks;

		while (w > s->floor && ks - w < 256 && !isspace((unsigned char)in[w - 1]) && in[w - 1] != '"' &&
		    in[w - 1] != '\'' && in[w - 1] != '=')
			w--;
		if (ks - w >= 4 && strncmp(in + w, "arn:", 4) == 0)
			return ke;
	}
	if (k->c == KEY_NONE && ke - ks >= 13 && strncasecmp(in + ks, "identified", 10) == 0 &&
	    (in[ks + 10] == ' ' || in[ks + 10] == '\t') && strncasecmp(in + ke - 2, "by", 2) == 0 &&
	    (in[ke - 3] == ' ' || in[ke - 3] == '\t')) {
		k->c = KEY_STRONG;	/* SQL: CREATE USER u IDENTIFIED BY 'V', ALTER USER u IDENTIFIED BY V */
		k->kind = "password";
		k->sql = true;
	}
	if (k->c == KEY_NONE && ke - ks == 5 && strncasecmp(in + ks, "passe", 5) == 0) {
		/* French "mot de passe" (and "mots de passe"): the words before it are the key's */
		for (i = 7; i <= 8; i++)
			if (ks >= i + s->floor && strncasecmp(in + ks - i, i == 7 ? "mot de " : "mots de ", i) == 0 &&
			    (ks - i == s->floor || !keych_at(in, len, ks - i - 1))) {
				k->ks = ks -= i;
				k->c = KEY_STRONG;
				k->kind = "password";
				break;
			}
	}
	if (k->c == KEY_NONE)
		return wide ? ke : te;	/* other stems inside an ASCII word still count */
	/* "https://auth.corp.example.com:8443": a host name, not a key */
	if ((ks >= 3 && memcmp(in + ks - 3, "://", 3) == 0) || (ks >= 1 && in[ks - 1] == '@'))
		return ke;
	/* "dial tcp token-svc.corp.example.net:15443: ...": a lower-case DNS name of three labels or more
	 * and a port, not a key and its value (the connection rules read that port) */
	if (host_port_at(in, len, ks, ke) || short_host_port_at(in, len, ks, ke))
		return ke;
	return GO_ON;
}

/* What stands around the key: a flag's dashes, quotes, a URL query, the start of a line. */
static void
kv_context(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t ks = k->ks, i, m;

	k->flag = in[ks] == '-' && (ks == 0 || isspace((unsigned char)in[ks - 1]) ||
	    strchr("\"'=[,", in[ks - 1]) != NULL);
	if (ks > 0 && (in[ks - 1] == '"' || in[ks - 1] == '\'')) {
		k->opened = true;
		k->oq = in[ks - 1];
		for (k->oqlen = 1; k->oqlen < ks && k->oqlen < 16 && in[ks - 1 - k->oqlen] == '\\'; k->oqlen++)
			;
	}
	k->query = ks > 0 && (in[ks - 1] == '?' || in[ks - 1] == '&');

	k->p = k->ke;
	if (k->opened && (m = quote_seq(in, s->len, k->p, &k->oq)) > 0) {
		k->quoted_key = true;
		k->p += m;
	}

	/* line start: only blanks, and maybe a "- " list marker, before the key */
	i = k->opened ? ks - k->oqlen : ks;
	while (i > 0 && (in[i - 1] == ' ' || in[i - 1] == '\t'))
		i--;
	if (i > 0 && in[i - 1] == '-' && (i == 1 || strchr(" \t\n", in[i - 2]) != NULL)) {
		i--;
		while (i > 0 && (in[i - 1] == ' ' || in[i - 1] == '\t'))
			i--;
	}
	k->line_start = i == 0 || in[i - 1] == '\n';
	/* where a JSON-encoded text began, or had a line break: a journal line as the collector wrote it */
	if (!k->line_start && i >= 2 && in[i - 1] == 'n' && in[i - 2] == '\\' && (i < 3 || in[i - 3] != '\\'))
		k->line_start = true;
	if (!k->line_start && k->opened && k->oqlen == 1 && k->oq == '"' && !k->quoted_key) {
		size_t j = ks - 1;

		while (j > 0 && in[j - 1] == ' ')
			j--;
		if (j > 0 && (in[j - 1] == ':' || in[j - 1] == '['))
			k->line_start = true;
	}
}

/* token[X]: the bracketed word is the value. */
static size_t
kv_bracketed(struct scan *s, struct kv *k, size_t te)
{
	const char *in = s->in;
	size_t p = k->p, q = p + 1;

	while (q < s->len && in[q] != ']' && in[q] != '\n' && in[q] != '[' && q - p < 512)
		q++;
	if (q < s->len && in[q] == ']' && q > p + 1 && memchr(in + p + 1, '<', q - p - 1) == NULL &&
	    memchr(in + p + 1, '\'', q - p - 1) == NULL && memchr(in + p + 1, '"', q - p - 1) == NULL &&
	    secretpat_value_wanted(k->c, in + p + 1, q - p - 1, false)) {
		hit(s, p + 1, q, k->kind, "free-text");
		return q + 1;
	}
	return te;
}

/* "X-Auth-Token", "PRIVATE-TOKEN", "X-API-Key": an HTTP header's name (each part after a dash capitalised). */
static bool
header_name(const char *k, size_t n)
{
	bool dash = false, start = true;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)k[i];

		if (ch == '-') {
			if (start)
				return false;
			dash = start = true;
		} else if (!isalnum(ch) || (start && !isupper(ch)))
			return false;
		else
			start = false;
	}
	return dash && !start;
}

/*
 * GITHUB_TOKEN, refreshToken, id_token: a name from code or the environment
 * (an inner '_' or a camelCase hump), not a word of prose: "id_token: X"
 * mid-line is a setting, whatever X looks like.
 */
static bool
identifier_key(const char *k, size_t n)
{
	for (size_t i = 1; i + 1 < n; i++)
		if ((k[i] == '_' && isalnum((unsigned char)k[i - 1])) ||
		    (isupper((unsigned char)k[i]) && islower((unsigned char)k[i - 1])))
			return true;
	return false;
}

/*
 * A setting's dotted path whose last part names a secret ("wifi-sec.psk",
 * "default.aws_secret_access_key"): code, not prose; a host name
 * ("secrets.corp.example.net") ends in no such part.
 */
static bool
dotted_key(const char *k, size_t n)
{
	size_t last = 0;

	for (size_t i = 0; i < n; i++) {
		if (k[i] == '.')
			last = i + 1;
		else if (!isalnum((unsigned char)k[i]) && k[i] != '_' && k[i] != '-')
			return false;
	}
	return last > 1 && last < n && secretpat_key_class(k + last, n - last, NULL) != KEY_NONE;
}

/* At p: ["," ] ["] value ["] (= | :), the value of a name/value pair ({"name":"API_KEY","value":V},
 * <add key="ApiKey" value="V"/>); its length, else 0. */
static size_t
value_member(const char *in, size_t len, size_t p)
{
	size_t q = p, m;
	char qc = 0;

	if (q < len && in[q] == ',')
		q++;
	while (q < len && (in[q] == ' ' || in[q] == '\t'))
		q++;
	m = quote_seq(in, len, q, &qc);
	q += m;
	if (q + 5 > len || strncasecmp(in + q, "value", 5) != 0)
		return 0;
	q += 5;
	if (m > 0) {
		if (quote_seq(in, len, q, &qc) != m)
			return 0;
		q += m;
	}
	while (q < len && (in[q] == ' ' || in[q] == '\t'))
		q++;
	if (q >= len || (in[q] != '=' && in[q] != ':'))
		return 0;
	return q + 1 - p;
}

/*
 * Keys whose value follows a blank: redis.conf's "requirepass V" and
 * "masterauth V", Redis "AUTH [user] V", SNMP "community V", and a .netrc
 * line's "password V" after "login U".
 */
static bool
blank_directive(const char *in, size_t len, const struct kv *k)
{
	static const char *const words[] = {
		"requirepass", "masterauth", "community", "rocommunity", "rwcommunity", "rocommunity6",
		"rwcommunity6",
	};
	const char *key = in + k->ks;
	size_t n = k->ke - k->ks, b;

	(void)len;
	if (word_eq(key, n, words, ELEMENTSOF(words)) || (n == 4 && memcmp(key, "AUTH", 4) == 0))
		return true;
	if (!(n == 8 && strncasecmp(key, "password", 8) == 0) && !(n == 6 && strncasecmp(key, "passwd", 6) == 0))
		return false;
	b = line_back(in, 0, k->ks, 512);
	return memmem(in + b, k->ks - b, "login ", 6) != NULL;
}

/* Kinds whose value is one word: a licence key, a signature ("license: expired on ..." is prose). */
static bool
one_word_kind(const char *kind)
{
	return kind != NULL && (strcmp(kind, "license") == 0 || strcmp(kind, "signature") == 0);
}

/* Key:V in a Go %+v dump: a capitalised field after '{' or a blank, no blank after the colon, a '{' open before it. */
static bool
go_field(struct scan *s, struct kv *k, size_t colon)
{
	const char *in = s->in;
	size_t b = line_back(in, s->floor, k->ks, 512);
	const char *open;

	if (k->ks == 0 || (in[k->ks - 1] != '{' && in[k->ks - 1] != ' ') || !isupper((unsigned char)in[k->ks]) ||
	    colon + 1 >= s->len || isspace((unsigned char)in[colon + 1]))
		return false;
	open = memrchr(in + b, '{', k->ks - b);
	return open != NULL && memchr(open, '}', (size_t)(in + k->ks - open)) == NULL;
}

/* A key word in another language (its words, lower-cased): senha, clave, Kennwort, jeton, 密码, ... */
static bool
foreign_key(const char *key, size_t len)
{
	char norm[128], words[16][32];
	size_t n = 0, nw = 0;

	if (len == 0 || len > 120)
		return false;
	key_split(key, len, norm, &n, words, &nw);
	for (size_t i = 0; i < nw; i++)
		if (word_in(words[i], password_key_words, ELEMENTSOF(password_key_words)) ||
		    word_in(words[i], other_key_words, ELEMENTSOF(other_key_words)) ||
		    contains_any(words[i], strlen(words[i]), password_words, ELEMENTSOF(password_words)))
			return true;
	return false;
}

/*
 * After a key word in another language, its other words and the verb before the value:
 * "clave de acceso: V", "senha do banco: V", "jeton d'accès : V", "parola d'ordine è V",
 * "Kennwort lautet V", "رمز عبور: V".  Up to two words of letters (and apostrophes), then
 * ':' or '=' (a blank before it allowed), or a verb.  Returns the separator's position, or p.
 */
static size_t
foreign_key_rest(const char *in, size_t len, size_t p)
{
	static const char *const verbs[] = {
		"lautet", "ist", "est", "es", "\xc3\xa8" /* è */, "\xc3\xa9" /* é */, "era", "war", "is",
	};
	size_t q = p;

	for (int w = 0; w < 3 && q < len; w++) {
		size_t ws = q;

		while (q < len && q - ws < 24 && (isalpha((unsigned char)in[q]) || in[q] == '\'' ||
		    (unsigned char)in[q] >= 0x80))
			q++;
		if (q == ws || q - ws >= 24)
			return p;
		if (word_eq(in + ws, q - ws, verbs, ELEMENTSOF(verbs)) && q < len && in[q] == ' ')
			return q + 1;	/* the value follows the verb */
		while (q < len && (in[q] == ' ' || in[q] == '\t'))
			q++;
		if (q < len && (in[q] == ':' || in[q] == '='))
			return q;
		if (w == 2)
			break;
	}
	return p;
}

/* The key starts a prompt: at its line's start, or after Enter, New, Retype, Confirm, Current, Old. */
static bool
prompt_start(struct scan *s, struct kv *k)
{
	static const char *const verbs[] = { "enter", "new", "retype", "confirm", "current", "old", "verify" };
	const char *in = s->in;
	size_t b = k->ks, w;

	if (k->line_start)
		return true;
	while (b > s->floor && (in[b - 1] == ' ' || in[b - 1] == '\t'))
		b--;
	for (w = b; w > s->floor && isalpha((unsigned char)in[w - 1]); w--)
		;
	return b > w && (w == s->floor || in[w - 1] == '\n' || in[w - 1] == ' ' || in[w - 1] == '\t') &&
	    word_eq(in + w, b - w, verbs, ELEMENTSOF(verbs));
}

/*
 * What joins the key to its value: '=', "=>", ':', ":=", " is ", " was ",
 * a quoted string after the key, "[", or a flag's blank.  Sets the rule and
 * how loosely the value is judged.
 */
static size_t
kv_separator(struct scan *s, struct kv *k, size_t te)
{
	const char *in = s->in;
	size_t len = s->len, p = k->p, m;

	k->after = p;
	while (p < len && (in[p] == ' ' || in[p] == '\t'))
		p++;
	/* SQL: IDENTIFIED WITH mysql_native_password BY 'V' (AS 'hash'): the quoted string is the value */
	if (p > k->after && k->c == KEY_STRONG && p + 3 < len && (strncasecmp(in + p, "by", 2) == 0 ||
	    strncasecmp(in + p, "as", 2) == 0) && (in[p + 2] == ' ' || in[p + 2] == '\t')) {
		size_t q = p + 2;

		while (q < len && (in[q] == ' ' || in[q] == '\t'))
			q++;
		if (q < len && (in[q] == '\'' || in[q] == '"'))
			p = q;
	}
	/* "clave de acceso: V", "Kennwort lautet V": a key in another language, in more words */
	if (p > k->after && k->c >= KEY_MEDIUM && foreign_key(in + k->ks, k->ke - k->ks)) {
		size_t q = foreign_key_rest(in, len, p);

		if (q != p && (in[q] == ':' || in[q] == '='))
			p = q;
		else if (q != p) {
			k->p = q;	/* after the verb: the value, as after "is" */
			k->loose = true;
			k->rule = "free-text";
			return GO_ON;
		}
	}
	/* "ключ API: V", "chiave API: V": the key's word, then API */
	if (p > k->after && k->c >= KEY_MEDIUM && p + 4 < len && strncasecmp(in + p, "api", 3) == 0 &&
	    (in[p + 3] == ':' || in[p + 3] == '='))
		p += 3;
	/* a prompt echoed: "Password for user agent: V", "Enter passphrase for /root/.ssh/id_rsa: V" */
	if (p > k->after && k->c == KEY_STRONG && p + 4 < len && strncasecmp(in + p, "for ", 4) == 0 &&
	    prompt_start(s, k)) {
		size_t q = p + 4, e = eol(in, len, p);

		while (q < e && q - p < 160 && in[q] != ':' && in[q] != '=' && in[q] != '"')
			q++;
		if (q + 1 < e && in[q] == ':' && (in[q + 1] == ' ' || in[q + 1] == '\t'))
			p = q;
	}
	k->p = p;
	if (k->sql && p > k->after && p < len && in[p] != '\'' && in[p] != '"' && in[p] != '\n' &&
	    in[p] != '\r' && in[p] != ';') {
		k->flagarg = true;	/* IDENTIFIED BY tiger: the next word, whatever it looks like */
		k->rule = "free-text";
		k->p = p;
		return GO_ON;
	}
	if (p == k->after && p < len && in[p] == '>' && k->ks > 0 && in[k->ks - 1] == '<') {
		p++;		/* <password>V</password> */
		k->xml = true;
	} else if (p + 3 <= len && memcmp(in + p, "\xef\xbc\x9d", 3) == 0) {
		p += 3;		/* fullwidth "＝" */
	} else if (p == k->after && p + 3 <= len && in[p] == '%' && in[p + 1] == '3' &&
	    (in[p + 2] == 'D' || in[p + 2] == 'd')) {
		p += 3;		/* "password%3DV" inside a URL-encoded parameter */
		k->query = true;
	} else if (p < len && in[p] == '=') {
		if (p + 1 < len && in[p + 1] == '=')
			return te;
		p += (p + 1 < len && in[p + 1] == '>') ? 2 : 1;
	} else if ((p < len && in[p] == ':') || (p + 3 <= len && memcmp(in + p, "\xef\xbc\x9a", 3) == 0)) {
		if (in[p] != ':')
			p += 3;	/* fullwidth "：" (CJK text) */
		else if (p + 1 < len && in[p + 1] == ':')
			return te;
		else if (p + 2 < len && in[p + 1] == '/' && in[p + 2] == '/')
			return te;
		else
			p += (p + 1 < len && in[p + 1] == '=') ? 2 : 1;
		k->colon = true;
		if (!k->quoted_key && header_name(in + k->ks, k->ke - k->ks)) {
			/* "X-Auth-Token: V", "PRIVATE-TOKEN: V": a header's value, whatever it looks like */
			k->to_quote = k->opened;
			k->rule = "free-text";
		} else if (!k->quoted_key && go_field(s, k, p)) {
			k->gofield = true;	/* printed by code: the value whatever it looks like, to the next field */
			k->rule = "free-text";
		} else if (!k->quoted_key && !k->line_start) {
			k->loose = true;
			k->rule = "free-text";
			/* "GITHUB_TOKEN: X", "refreshToken: X": judged as a password's value in prose */
			k->ident = !k->flag && identifier_key(in + k->ks, k->ke - k->ks);
		} else if (k->line_start && !k->quoted_key && !one_word_kind(k->kind)) {
			k->to_eol = true;
		} else if (k->line_start && !k->quoted_key) {
			k->loose = true;	/* "license: expired on ...": judged as prose */
			k->rule = "free-text";
		}
	} else if (p > k->after && p + 2 < len && (in[p] == 'i' || in[p] == 'I') &&
	    (in[p + 1] == 's' || in[p + 1] == 'S') && (in[p + 2] == ' ' || in[p + 2] == '\t')) {
		p += 2;
		k->loose = true;
		k->rule = "free-text";
	} else if (p > k->after && p + 3 < len && strncasecmp(in + p, "was", 3) == 0 &&
	    (in[p + 3] == ' ' || in[p + 3] == '\t')) {
		p += 3;		/* "password was X" */
		k->loose = true;
		k->rule = "free-text";
	} else if (p > k->after && k->c >= KEY_MEDIUM && p < len && (in[p] == '"' ||
	    (in[p] == '\'' && k->c == KEY_STRONG)) && !k->quoted_key && !k->opened) {
		/* invalid token "X", SQL's WITH PASSWORD 'X': the quoted string is the value */
		k->rule = "free-text";
	} else if (p == k->after && k->c >= KEY_MEDIUM && p < len && in[p] == '[' && !k->quoted_key &&
	    k->ke - k->ks <= 32 && plain_word(in + k->ks, k->ke - k->ks)) {
		return kv_bracketed(s, k, te);
	} else if (k->flag && p > k->after && p < len && in[p] != '-' && in[p] != '\n' &&
	    in[p] != '\r' && !k->quoted_key) {
		k->flagarg = true;
		k->rule = "flag";
	} else if (k->quoted_key && (m = value_member(in, len, p)) > 0) {
		p += m;		/* {"name":"API_KEY","value":"V"}, key="ApiKey" value="V" */
	} else if (p > k->after && p < len && !k->quoted_key && !k->opened && !k->flag &&
	    in[p] != '\n' && in[p] != '\r' && blank_directive(in, len, k)) {
		k->directive = true;
		k->loose = true;	/* "AUTH failed", "community string" are no values */
		k->c = KEY_STRONG;
		if (k->kind == NULL || strcmp(k->kind, "password") != 0)
			k->kind = k->ke - k->ks == 4 ? "password" : "secret";
		k->rule = "free-text";
		if (k->ke - k->ks == 4) {
			/* AUTH [user] V: the last of one or two words to the line's end */
			size_t e = eol(in, len, p), w2 = p;

			while (w2 < e && in[w2] != ' ' && in[w2] != '\t')
				w2++;
			while (w2 < e && (in[w2] == ' ' || in[w2] == '\t'))
				w2++;
			if (w2 < e && in[w2] != '\r') {
				size_t w3 = w2;

				while (w3 < e && !isspace((unsigned char)in[w3]))
					w3++;
				while (w3 < e && isspace((unsigned char)in[w3]))
					w3++;
				if (w3 < e)
					return te;	/* prose: "AUTH failed for user x" */
				p = w2;
			}
		}
	} else if (p > k->after && p < len && k->c >= KEY_MEDIUM && !k->quoted_key && !k->opened &&
	    !k->flag && (plain_word(in + k->ks, k->ke - k->ks) || dotted_key(in + k->ks, k->ke - k->ks)) &&
	    (isalnum((unsigned char)in[p]) ||
	    in[p] == '/' || in[p] == '+' ||	/* base64 may start so; a path is kept by kv_judge */
	    (unsigned char)in[p] >= 0x80 || secretpat_marker_len(in + p, len - p) > 0)) {
		k->blank = true;	/* "secret X", "token X": judged in kv_judge */
		k->loose = true;
		k->rule = "free-text";
	} else
		return te;
	if (k->flag && !k->loose)
		k->rule = "flag";
	k->p = p;
	return GO_ON;
}

/*
 * From the separator to the value's first byte: blanks, YAML node properties
 * ("&anchor", "!tag"; an "*alias" is no value), a pretty-printed JSON value
 * on the next line, a marker (done already), the quote that closes a string
 * the key stood in, and a gRPC metadata list ("[Basic X]").
 */
static size_t
kv_value_start(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t len = s->len, p = k->p, i, m;

	while (p < len && (in[p] == ' ' || in[p] == '\t'))
		p++;
	/* YAML node properties (&anchor, !tag, *alias) only where YAML stands: a line's key, not prose */
	if (k->colon && (k->line_start || k->quoted_key)) {
		while (p < len && (in[p] == '&' || in[p] == '!')) {
			size_t q = p + 1;

			while (q < len && !isspace((unsigned char)in[q]))
				q++;
			if (q >= len || in[q] == '\n' || in[q] == '\r')
				return q;
			p = q;
			while (p < len && (in[p] == ' ' || in[p] == '\t'))
				p++;
		}
		if (p < len && in[p] == '*') {
			size_t q = p + 1;

			while (q < len && is_keych((unsigned char)in[q]))
				q++;
			if (q > p + 1 && (q == len || isspace((unsigned char)in[q]) ||
			    strchr(",]}", in[q]) != NULL))
				return q;
		}
	}
	/* pretty-printed JSON: "password":<newline and indent>"X" */
	if (k->colon && k->quoted_key && p < len && (in[p] == '\n' || in[p] == '\r')) {
		size_t q = p;

		while (q < len && (in[q] == '\n' || in[q] == '\r' || in[q] == ' ' || in[q] == '\t'))
			q++;
		if (q < len && in[q] == '"' && q - p < 256) {
			/* a string, not the next key ("k":) */
			size_t z = q + 1;

			while (z < len && in[z] != '"' && in[z] != '\n')
				z += in[z] == '\\' && z + 1 < len ? 2 : 1;
			for (z++; z < len && (in[z] == ' ' || in[z] == '\t'); z++)
				;
			if (z >= len || in[z] != ':')
				p = q;
		}
	}
	if (p >= len || in[p] == '\n' || in[p] == '\r')
		return p;
	if ((m = secretpat_marker_len(in + p, len - p)) > 0)
		return p + m;
	/* "token=" inside a quoted string: that quote closes the string, no value */
	if (k->opened && !k->quoted_key && quote_seq(in, len, p, &k->oq) > 0)
		return p + 1;
	/* map[authorization:[Basic X]] (gRPC metadata): the list holds the value */
	if (in[p] == '[' && p + 1 < len && isalpha((unsigned char)in[p + 1])) {
		for (i = p + 1; i < len && isalpha((unsigned char)in[i]); i++)
			;
		if (i < len && in[i] == ' ' && word_eq(in + p + 1, i - p - 1, auth_schemes,
		    sizeof(auth_schemes) / sizeof(auth_schemes[0])))
			p++;
	}
	/* map[x-api-key:[VALUE]]: a Go map's list of unquoted strings, the value inside; printed
	 * by code, not prose (no leniency for a plain word), and a list under "authorization"
	 * holds a credential */
	if (in[p] == '[' && k->colon && !k->to_eol && !k->quoted_key && !k->opened && k->c >= KEY_WEAK &&
	    p + 1 < len && !isspace((unsigned char)in[p + 1]) && strchr("\"'[]{\\", in[p + 1]) == NULL) {
		for (i = p + 1; i < len && in[i] != ']' && in[i] != '[' && in[i] != '\n' && in[i] != '\r'; i++)
			;
		if (i < len && in[i] == ']') {
			p++;
			k->golist = true;
			k->loose = false;
			if (k->c < KEY_MEDIUM)
				k->c = KEY_MEDIUM;
		}
	}
	k->p = p;
	return GO_ON;
}

/*
 * credentials: {user: admin, key: X} (a Go or YAML flow map in text, unquoted
 * member names): under a secret-like name every member's value is secret,
 * but for names that only name (user, name, type, ...).
 */
static size_t
kv_flow_map(struct scan *s, struct kv *k)
{
	static const char *const naming[] = {
		"user", "username", "name", "type", "kind", "id", "region", "provider", "host",
		"port", "url", "scope", "issuer", "audience", "expiry", "expires", "ttl",
	};
	const char *in = s->in;
	size_t p = k->p, e = eol(in, s->len, p), q = p + 1, close;
	const char *cb = memchr(in + p, '}', e - p);

	if (cb == NULL || memchr(in + p + 1, '{', (size_t)(cb - in) - p - 1) != NULL ||
	    memchr(in + p, '"', (size_t)(cb - in) - p) != NULL)
		return GO_ON;
	close = (size_t)(cb - in);
	while (q < close) {
		size_t ns = q, ne, vs2, ve2;

		while (ns < close && (in[ns] == ' ' || in[ns] == ','))
			ns++;
		for (ne = ns; ne < close && in[ne] != ':' && in[ne] != ','; ne++)
			;
		if (ne >= close || in[ne] != ':') {
			q = ne + 1;
			continue;
		}
		for (vs2 = ne + 1; vs2 < close && in[vs2] == ' '; vs2++)
			;
		for (ve2 = vs2; ve2 < close && in[ve2] != ','; ve2++)
			;
		q = ve2 + 1;
		while (ve2 > vs2 && in[ve2 - 1] == ' ')
			ve2--;
		if (ve2 <= vs2 || word_eq(in + ns, ne - ns, naming, ELEMENTSOF(naming)) ||
		    secretpat_value_trivial(in + vs2, ve2 - vs2) ||
		    redact_deny_harmless(in + vs2, ve2 - vs2) ||
		    secretpat_marker_len(in + vs2, ve2 - vs2) == ve2 - vs2 ||
		    memchr(in + vs2, '<', ve2 - vs2) != NULL)
			continue;
		hit(s, vs2, ve2, k->kind, "free-text");
	}
	return close + 1;
}

static bool holds_marker(const char *in, size_t len, size_t vs, size_t ve);

static const char *const naming_members[] = {
	"user", "username", "name", "type", "kind", "id", "region", "provider", "host",
	"port", "url", "scope", "issuer", "audience", "expiry", "expires", "ttl", "version",
	"rotation", "created", "updated", "path", "file", "level", "msg",
};

/* After a '{': a quoted member name ("data", 'data', \"data\"), blanks before it allowed. */
static bool
json_members_follow(const char *in, size_t len, size_t p)
{
	while (p < len && (in[p] == ' ' || in[p] == '\t'))
		p++;
	return p < len && (in[p] == '"' || in[p] == '\'' || (in[p] == '\\' && p + 1 < len && in[p + 1] == '"'));
}

/*
 * "secret":{"data":"V","version":3}, {'secret': {'data': 'V'}}: under a secret-like key
 * a JSON (or Python) object on the same line holds secrets in every string that is no
 * member name, at any depth, but for members that only name (user, type, version, ...).
 * Numbers and booleans stay.  Returns the end of the object, or GO_ON when it does not
 * close on the line.
 */
static size_t
kv_json_object(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t e = eol(in, s->len, k->p), p, depth = 0, ns = 0, ne = 0;

	for (p = k->p; p < e; p++) {
		char c = in[p];
		bool esc = c == '\\' && p + 1 < e && in[p + 1] == '"';
		size_t qs, q, after, w;

		if (c == '{' || c == '[') {
			depth++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth <= 1)
				return p + 1;
			depth--;
			continue;
		}
		if (c != '"' && c != '\'' && !esc)
			continue;
		qs = esc ? p + 2 : p + 1;
		for (q = qs; q < e; q++) {
			if (esc ? (in[q] == '\\' && q + 1 < e && in[q + 1] == '"') : in[q] == c)
				break;
			if (in[q] == '\\')
				q++;
		}
		if (q >= e)
			return GO_ON;
		after = esc ? q + 2 : q + 1;
		for (w = after; w < e && (in[w] == ' ' || in[w] == '\t'); w++)
			;
		if (w < e && in[w] == ':') {
			ns = qs;	/* a member's name */
			ne = q;
		} else if (q > qs && !(ne > ns && word_eq(in + ns, ne - ns, naming_members, ELEMENTSOF(naming_members))) &&
		    secretpat_value_wanted(k->c, in + qs, q - qs, false) && !holds_marker(in, s->len, qs, q))
			hit(s, qs, q, k->kind, "free-text");
		p = after - 1;
	}
	return GO_ON;
}

/* {"tokens":["V","W"]}: under a token or password key, every string of a JSON list is one. */
static size_t
kv_string_list(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t len = s->len, e = eol(in, len, k->p), q = k->p + 1, m, z;
	char qc;

	for (;;) {
		while (q < e && (in[q] == ' ' || in[q] == ','))
			q++;
		if (q >= e || in[q] == ']')
			return q < e ? q + 1 : e;
		qc = '"';
		if ((m = quote_seq(in, len, q, &qc)) == 0)
			return k->p + 1;	/* not a list of strings: its members speak for themselves */
		for (z = q + m; z + m <= e && memcmp(in + z, in + q, m) != 0; z++)
			if (m == 1 && in[z] == '\\' && z + 1 < e)
				z++;
		if (z + m > e)
			return k->p + 1;
		if (secretpat_marker_len(in + q + m, z - q - m) != z - q - m &&
		    secretpat_value_wanted(k->c, in + q + m, z - q - m, false))
			hit(s, q + m, z, k->kind, "key-value");
		q = z + m;
	}
}

/*
 * Where the value ends: a quoted string (an escaped quote closes as it
 * opened), or up to a terminator that depends on the context: the end of
 * the line (YAML), a blank, a quote, a JSON escape, a JSON delimiter after a
 * quoted key, a URL query's '&'.
 */
static void
kv_value_end(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t len = s->len, p = k->p, vs, ve, after, m;
	bool unclosed = false;

	vs = ve = after = p;
	if (k->xml || (k->to_quote && in[p] != '"' && in[p] != '\'')) {
		/* <key>V</key>: to the next tag; "Header: V": to the quote that closes the header */
		size_t e = eol(in, len, p);
		const char *q = k->xml ? memchr(in + p, '<', e - p) : memchr(in + p, k->oq, e - p);

		ve = q != NULL ? (size_t)(q - in) : e;
		while (!k->xml && q != NULL && ve > p && in[ve - 1] == '\\')
			ve--;	/* the closing quote's escapes: \" */
		while (ve > p && isspace((unsigned char)in[ve - 1]))
			ve--;
		k->vs = p;
		k->ve = ve;
		k->after = ve;
		return;
	}
	if (in[p] == '\\' && (m = quote_seq(in, len, p, &(char){ 0 })) > 0) {
		/* an escaped quote opens: the same sequence closes */
		size_t e = eol(in, len, p);
		const char *qs = in + p;

		vs = p + m;
		for (ve = vs; ve + m <= e && memcmp(in + ve, qs, m) != 0; ve++)
			;
		if (ve + m > e)
			unclosed = true;
		else
			after = ve + m;
	} else if (in[p] == '"' || in[p] == '\'') {
		char q = in[p];
		size_t e = eol(in, len, p);

		vs = p + 1;
		for (ve = vs; ve < e && in[ve] != q; ve++)
			if (q == '"' && in[ve] == '\\' && ve + 1 < e)
				ve++;
		if (ve >= e)
			unclosed = true;
		else
			after = ve + 1;
	}
	if (unclosed || (in[p] != '"' && in[p] != '\'' && !(in[p] == '\\' && vs > p))) {
		/* unquoted, or a quote that never closes on this line: up to a terminator */
		if (!unclosed)
			vs = p;
		if (k->to_eol && !unclosed) {
			ve = eol(in, len, p);
			/* "- 'key: value'": the quoted scalar ends before the line does */
			if (k->opened) {
				const char *q = memchr(in + vs, k->oq, ve - vs);

				if (q != NULL)
					ve = (size_t)(q - in) - (q > in + vs && q[-1] == '\\');
			}
			while (ve > vs && isspace((unsigned char)in[ve - 1]))
				ve--;
		} else {
			for (ve = vs; ve < len; ve++) {
				unsigned char ch = (unsigned char)in[ve];

				if (isspace(ch) || ch == '"' || (ch == '\'' && k->oq == '\''))
					break;
				/* JSON escapes end a value: "\t" was a tab before encoding */
				if (ch == '\\' && ve + 1 < len && strchr("tnr\"'\\", in[ve + 1]) != NULL)
					break;
				if (k->quoted_key && (ch == ',' || ch == '}' || ch == ']'))
					break;
				if (k->golist && ch == ']')
					break;
				if (k->query && (ch == '&' || ch == '#' || (ch == '%' && ve + 2 < len &&
				    in[ve + 1] == '2' && (in[ve + 2] == '6' || in[ve + 2] == '3'))))
					break;	/* "&", "#", or encoded "%26", "%23" */
			}
		}
		after = ve;
	}
	k->vs = vs;
	k->ve = ve;
	k->after = after;
}

/*
 * A value holding a marker had a secret inside it redacted, and was itself
 * judged not secret: judging it again, marker and all, would redact twice.
 */
static bool
holds_marker(const char *in, size_t len, size_t vs, size_t ve)
{
	const char *mk = memmem(in + vs, ve - vs, "<redacted:", 10);

	while (mk != NULL) {
		if (secretpat_marker_len(mk, (size_t)(in + len - mk)) > 0)
			return true;
		mk = memmem(mk + 1, (size_t)(in + ve - mk - 1), "<redacted:", 10);
	}
	return false;
}

/* A YAML block scalar in text: "key: |" and the lines indented under it. */
static size_t
kv_block_scalar(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t len = s->len, bol = k->ks, col, q = k->ve, last = k->ve, first = 0;

	while (bol > 0 && in[bol - 1] != '\n')
		bol--;
	col = (k->opened ? k->ks - 1 : k->ks) - bol;
	while (q < len) {
		size_t ls = q + 1, ind = 0, le;

		if (in[q] != '\n')
			break;
		le = eol(in, len, ls);
		while (ls + ind < le && in[ls + ind] == ' ')
			ind++;
		if (ls + ind < le && in[ls + ind] != '\r' && ind <= col)
			break;
		if (ls + ind < le && in[ls + ind] != '\r') {
			if (first == 0)
				first = ls + ind;
			last = le;
		}
		q = le;
	}
	if (first == 0)
		return k->ve;
	hit(s, first, last, k->kind, "key-value");
	return last;
}

/* "Authorization: Bearer X": the scheme stays, the credentials go. */
static size_t
kv_auth_scheme(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t len = s->len, vs = k->vs, i, m;

	bool authkey = k->ke - k->ks >= 13 && strncasecmp(in + k->ke - 13, "authorization", 13) == 0;

	for (i = vs; i < len && (isalnum((unsigned char)in[i]) || in[i] == '-'); i++)
		;
	/* a known scheme, or under an Authorization key any word of letters (SSWS, SharedKey, ...) */
	if (i > vs && i < len && (in[i] == ' ' || in[i] == '\t') && (word_eq(in + vs, i - vs,
	    auth_schemes, sizeof(auth_schemes) / sizeof(auth_schemes[0])) || (authkey && i - vs >= 2 &&
	    i - vs <= 24 && isalpha((unsigned char)in[vs]) && !prose_word(in + vs, i - vs)))) {
		bool whole = strncasecmp(in + vs, "digest", 6) == 0 || k->to_eol || k->ve > i;
		size_t t = i, e;

		while (t < len && (in[t] == ' ' || in[t] == '\t'))
			t++;
		if ((m = secretpat_marker_len(in + t, len - t)) > 0)
			return t + m;
		if (whole)
			e = k->ve;
		else if (k->ke - k->ks >= 13 && strncasecmp(in + k->ke - 13, "authorization", 13) == 0 &&
		    (k->ke - k->ks == 13 || in[k->ke - 14] == '-' || in[k->ke - 14] == '_') &&
		    !looks_secret(in + t, token_end(in, len, t) - t)) {
			/*
			 * credentials (Authorization, Proxy-Authorization) whose first word is
			 * no random token ("Bearer correct horse battery") run to the end of
			 * the line, blanks and all, or to the quote or bracket that closes the
			 * value (gRPC metadata: map[authorization:[Bearer a b c] x-id:[..]]);
			 * a token is one word
			 */
			e = t;
			while (e < len && in[e] != '\n' && in[e] != '\r' && in[e] != '"' && in[e] != ']')
				e++;
			while (e > t && (in[e - 1] == ' ' || in[e - 1] == '\t'))
				e--;
		} else
			e = token_end(in, len, t);
		if (e > t && !whole && not_credential(in + t, e - t))
			return k->after;	/* "token: token is expired", "token_type=Bearer expires_in=3600" */
		if (e > t) {
			hit(s, t, e, strncasecmp(in + vs, "basic", 5) == 0 ? "basic-auth" : "bearer",
			    "authorization");
			return e > k->after ? e : k->after;
		}
		return k->after;
	}
	return GO_ON;
}

/*
 * Values that look like one but are none: a number under a quoted key (a
 * JSON count), "Token=ExpiredToken" (an error code naming the key's own
 * subject), and whatever secretpat_value_wanted() lets pass (what stays is
 * scanned like any text).
 */
static size_t
kv_judge(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t vs = k->vs, ve = k->ve, i;
	bool alpha = ve - vs >= 4 && ve - vs <= 64;

	/* "count": 3 in JSON text: numbers under quoted keys are counts, not secrets ("3", not "\"3\"") */
	if (k->quoted_key && vs == k->p && in[k->p] != '"' && in[k->p] != '\'') {
		for (i = vs; i < ve && isdigit((unsigned char)in[i]); i++)
			;
		if (i == ve)
			return ve;
	}
	if (k->flagarg)
		k->loose = false;
	if (k->ke - k->ks >= 6 && strncmp(in + k->ks, "secret", 6) == 0 && k->ke - k->ks <= 7 &&
	    k8s_object_name(in, s->len, vs, ve))
		return k->after;	/* secret "onboarding-token" not found: a Kubernetes object's name */
	if (k->sql && vs == k->p) {
		if (prose_word(in + vs, ve - vs))
			return k->after;	/* "identified by the proxy": prose, not SQL */
		while (ve > vs + 1 && (in[ve - 1] == ';' || in[ve - 1] == ','))
			ve--;		/* the statement's end is no part of it */
		k->ve = k->after = ve;
	}
	/* openssl -passin env:VAR / file:PATH / fd:N / stdin name where the password is, not it */
	if (k->ke - k->ks >= 6 && strncasecmp(in + k->ke - 6, "passin", 6) == 0 &&
	    (strncmp(in + vs, "env:", 4) == 0 || strncmp(in + vs, "file:", 5) == 0 ||
	    strncmp(in + vs, "fd:", 3) == 0 || (ve - vs == 5 && strncmp(in + vs, "stdin", 5) == 0)))
		return k->after;
	if (k->ke - k->ks >= 7 && strncasecmp(in + k->ke - 7, "passout", 7) == 0 &&
	    (strncmp(in + vs, "env:", 4) == 0 || strncmp(in + vs, "file:", 5) == 0 ||
	    strncmp(in + vs, "fd:", 3) == 0 || (ve - vs == 6 && strncmp(in + vs, "stdout", 6) == 0)))
		return k->after;
	for (i = vs; i < ve && alpha; i++)
		alpha = isalpha((unsigned char)in[i]) != 0;
	if (alpha && k->kind != NULL && strcmp(k->kind, "token") == 0 &&
	    memmem(in + vs, ve - vs, "Token", 5) != NULL)
		return k->after;
	if (k->blank) {
		/* prose with no separator: only a word with digits that looks random, or a long one */
		size_t n = ve - vs, digits = 0;

		while (n > 0 && strchr(".,;:!?)", in[vs + n - 1]) != NULL)
			n--;
		for (i = vs; i < vs + n; i++)
			digits += isdigit((unsigned char)in[i]) != 0;
		/* after a key from code ("config set npmAuthToken V"), any word that is no prose */
		bool code = (identifier_key(in + k->ks, k->ke - k->ks) || dotted_key(in + k->ks, k->ke - k->ks)) &&
		    n >= 8 && !prose_word(in + vs, n);
		bool mixed = shape_mixed_case(in + vs, n) || mixed_scripts(in + vs, n) || code;

		if (code)
			k->loose = false;

		if (not_credential(in + vs, n))
			return k->te;	/* "POST /oauth2/token HTTP/1.1", "Bearer expires_in=3600": no value */
		if (n < 6 || !(looks_secret(in + vs, n) || mixed) || (digits == 0 && n < 20 && !mixed) ||
		    (n >= 4 && strncmp(in + vs, "arn:", 4) == 0))
			return k->te;	/* no value: the key's own word is scanned on */
		k->ve = ve = vs + n;
		k->after = ve;
	}
	if (k->directive) {
		static const char *const nouns[] = {
			"string", "strings", "name", "names", "edition", "version", "support", "mismatch",
		};

		if (word_eq(in + vs, ve - vs, nouns, ELEMENTSOF(nouns)))
			return k->after;
	}
	if (!secretpat_value_wanted(k->ident && k->c == KEY_MEDIUM ? KEY_STRONG : k->c, in + vs, ve - vs,
	    k->loose))
		return vs;
	return GO_ON;
}

/*
 * Whole values: an unquoted password does not end at a blank ("password=a b c"):
 * it runs to the end of its line, a ';' field end, or the end of the
 * (JSON-encoded) string that holds it.
 */
static void
kv_whole_value(struct scan *s, struct kv *k)
{
	const char *in = s->in;
	size_t len = s->len, vs = k->vs, ve = k->ve, p = k->p, i, x;
	bool in_sq;

	for (i = vs; i < ve && isalpha((unsigned char)in[i]); i++)
		;
	/*
	 * A flag inside a single-quoted command ("sh -c 'login --password=a b c'") runs to the
	 * quote: the nearest quote before the key on its line (at most 4 KiB back) opens one when
	 * a blank, '=' or the line's start is before it; an apostrophe ("can't") does not.
	 */
	in_sq = false;
	for (x = k->ks; x > s->floor && k->ks - x < 4096 && in[x - 1] != '\n'; x--)
		if (in[x - 1] == '\'') {
			in_sq = x - 1 == s->floor || in[x - 2] == ' ' || in[x - 2] == '\t' || in[x - 2] == '=' ||
			    in[x - 2] == '\n';
			break;
		}
	if (!((k->c == KEY_STRONG || k->gofield || (k->c == KEY_MEDIUM && k->kind != NULL &&
	    strcmp(k->kind, "secret") == 0)) && !k->query && !k->flagarg && !k->directive && !k->xml &&
	    !k->blank &&
	    !k->to_quote && (!k->flag || k->opened || in_sq) &&
	    !k->to_eol && k->after == ve && vs == p && in[p] != '"' && in[p] != '\'' && i == ve &&
	    ve < len && in[ve] == ' '))
		return;
	x = ve;
	while (x < len) {
		unsigned char ch = (unsigned char)in[x];

		if (ch == ' ') {
			/* the next word is another setting ("B=1", "key:"): the value ended */
			size_t w = x + 1;

			while (w < len && (isalnum((unsigned char)in[w]) || in[w] == '_' ||
			    in[w] == '-' || in[w] == '.'))
				w++;
			if (w > x + 1 && w < len && (in[w] == '=' || in[w] == ':'))
				break;
		}

		if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ';' || ch == '"' ||
		    (ch == '\'' && (k->oq == '\'' || in_sq)) || (ch == '}' && k->gofield))
			break;
		if (ch == '\\' && x + 1 < len && strchr("tnr\"'\\", in[x + 1]) != NULL)
			break;
		if (ch == '<' && secretpat_marker_len(in + x, len - x) > 0)
			break;
		x++;
	}
	while (x > ve && in[x - 1] == ' ')
		x--;
	k->after = k->ve = x;
}

/* The value of a secret-like key; returns where to resume. */
static size_t
do_word(struct scan *s, size_t ts, size_t te)
{
	const char *in = s->in;
	struct kv k = { .rule = "key-value", .te = te };
	size_t r;

	if ((r = kv_key(s, ts, te, &k)) != GO_ON)
		return r;
	kv_context(s, &k);
	if ((r = kv_separator(s, &k, te)) != GO_ON)
		return r;
	if ((r = kv_value_start(s, &k)) != GO_ON)
		return r;
	if (in[k.p] == '{' && k.c >= KEY_WEAK && json_members_follow(in, s->len, k.p + 1) &&
	    (r = kv_json_object(s, &k)) != GO_ON)
		return r;
	if (in[k.p] == '{' && !k.quoted_key && k.p + 1 < s->len && isalpha((unsigned char)in[k.p + 1]) &&
	    (r = kv_flow_map(s, &k)) != GO_ON)
		return r;
	if (in[k.p] == '[' && k.c >= KEY_MEDIUM && !k.to_eol && k.p + 1 < s->len &&
	    (in[k.p + 1] == '"' || in[k.p + 1] == '\\'))
		return kv_string_list(s, &k);
	/*
	 * An inline JSON object or array: its members speak for themselves.  After '=' or a
	 * flag, or in prose, a bracket that opens no quoted member is the value's first
	 * character ("password=[Xy9...", "token: {Qz..."): a password manager's value.
	 */
	if ((in[k.p] == '{' || in[k.p] == '[') && !k.to_eol &&
	    ((k.colon && (k.line_start || k.quoted_key)) || json_members_follow(in, s->len, k.p + 1) ||
	    (k.p + 1 < s->len && strchr("[{]}\n\r", in[k.p + 1]) != NULL)))
		return k.p + 1;
	/* a quote that closes a JSON string ("...password=\"}"): no value here */
	if (in[k.p] == '"' && (k.p + 1 == s->len || strchr(",}]:\n\r", in[k.p + 1]) != NULL))
		return k.p + 1;
	kv_value_end(s, &k);
	if (k.ve <= k.vs)
		return k.after;
	if (only_markers(in + k.vs, k.ve - k.vs))
		return k.after;
	if (holds_marker(in, s->len, k.vs, k.ve))
		return k.vs;
	if (k.to_eol && (in[k.vs] == '|' || in[k.vs] == '>') && k.ve - k.vs <= 4)
		return kv_block_scalar(s, &k);
	if ((r = kv_auth_scheme(s, &k)) != GO_ON)
		return r;
	if ((r = kv_judge(s, &k)) != GO_ON)
		return r;
	kv_whole_value(s, &k);
	hit(s, k.vs, k.ve, k.kind, k.rule);
	return k.after;
}

unsigned
secretpat_scan(const char *in, size_t len,
    void (*cb)(const struct secret_hit *, void *userdata), void *userdata)
{
	struct scan s = { .in = in, .len = len, .cb = cb, .userdata = userdata };
	size_t off = 0;

	s.md = md_get();
	while (off < len) {
		size_t ts, te, next;
		int g = find_trigger(in, len, off, &ts, &te);

		if (g == 0)
			break;
		switch (g) {
		case T_MARKER: {
			size_t m = secretpat_marker_len(in + ts, len - ts);

			next = m > 0 ? ts + m : te;
			break;
		}
		case T_PEM: {
			size_t ms, me;
			int rc = pcre2_match(re_pem, (PCRE2_SPTR)in, len, ts, 0, s.md, NULL);

			if (rc > 0) {
				PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s.md);

				ms = ov[0];
				me = ov[1];
			} else if (rc != PCRE2_ERROR_NOMATCH &&
			    memmem(in + ts, len - ts < 80 ? len - ts : 80, "PRIVATE KEY", 11) != NULL) {
				/* a limit hit on a huge block: its body is base64, take it all */
				ms = ts;
				for (me = te; me < len && (isalnum((unsigned char)in[me]) ||
				    strchr("+/=:,. \t\r\n-\\", in[me]) != NULL); me++)
					;
			} else
				ms = me = 0;
			if (me > ms) {
				hit(&s, ms, me, "private-key", "pem");
				next = me;
			} else
				next = te;
			break;
		}
		case T_JWT:
			next = do_jwt(&s, ts, te);
			break;
		case T_AKID:
			next = do_prefixed(&s, ts, te, false, re_akid, "aws-access-key", "aws-access-key");
			/* its secret key often follows (AKIA... SECRET): as after "aws" */
			if (next > te)
				next = do_aws(&s, ts, next);
			break;
		case T_DSN:
			next = do_dsn(&s, ts, te);
			break;
		case T_CLIUSER:
			next = do_cliuser(&s, ts, te);
			break;
		case T_CLIFLAG:
			next = do_cliflag(&s, ts, te, in[ts + 2]);
			break;
		case T_CMD:
			next = do_cmd(&s, ts, te);
			break;
		case T_QKEY:
			next = do_qkey(&s, ts, te);
			break;
		case T_BOT:
			next = do_bot(&s, ts, te);
			break;
		case T_ORACLE:
			next = do_oracle(&s, ts, te);
			break;
		case T_AT:
			next = do_at(&s, ts, te);
			break;
		case T_UESC:
			next = do_uesc(&s, ts, te);
			break;
		case T_VENDOR:
			next = do_prefixed(&s, ts, te, true, re_vendor, "token", "vendor-token");
			break;
		case T_QSIG:
			next = do_qsig(&s, ts, te);
			break;
		case T_HOOK:
			next = do_hook(&s, ts, te);
			break;
		case T_URL:
			next = do_url(&s, ts, te);
			break;
		case T_B64PEM:
			next = do_b64pem(&s, ts, te);
			break;
		case T_AWS:
			next = do_aws(&s, ts, te);
			break;
		case T_BEARER:
			next = do_word(&s, ts, te);
			if (next <= te)
				next = do_bearer(&s, ts, te);
			break;
		default:
			next = do_word(&s, ts, te);
			break;
		}
		off = next > off ? next : off + 1;
	}
	return s.hits;
}

bool
secretpat_maybe(const char *in, size_t len)
{
	size_t ts, te;

	pthread_once(&re_once, compile_all);
	return find_trigger(in, len, 0, &ts, &te) != 0;
}

void
secretpat_describe(void (*cb)(const char *what, const char *example, void *userdata),
    void *userdata)
{
	cb("key word (any case and separator)", "password, passwd, passphrase, pwd, pass", userdata);
	cb("key word (any case and separator)", "secret, client_secret, clientSecret", userdata);
	cb("key word (any case and separator)", "token, access_token, apikey, api_key, access_key",
	    userdata);
	cb("key word (any case and separator)", "private_key, privateKey, secret_access_key",
	    userdata);
	cb("key word (any case and separator)", "AccountKey, signing_key, encryption_key, master_key",
	    userdata);
	cb("key word (any case and separator)", "password in other languages: passwort, kennwort, "
	    "contraseña, senha, clave, mot de passe, wachtwoord, lösenord, adgangskode, passord, "
	    "salasana, hasło, heslo, geslo, lozinka, jelszó, parola, parol, şifre, пароль, κωδικός, "
	    "סיסמה, كلمة المرور, mật khẩu, รหัสผ่าน, पासवर्ड, 密码, 密碼, 口令, パスワード, 비밀번호, 암호, "
	    "requirepass, masterauth", userdata);
	cb("key word (any case and separator)", "secrets and tokens in other languages: 秘密, 密钥, "
	    "秘密鍵, токен, トークン, 令牌, 토큰", userdata);
	cb("key word (whole word of the key)", "pw, pin, pincode, otp, totp, hotp, seed, salt, dsn, "
	    "mnemonic, hmac, nonce, csrf, xsrf, cvv, cvc, privkey, priv, sig, iv, ssn, community, "
	    "role id, refresh, recovery/backup/activation/... code(s), *_KEY", userdata);
	cb("key word (when the value looks random)", "credential(s), auth, authorization, session id",
	    userdata);
	cb("key word (any case and separator)", "cookie, bearer", userdata);
	cb("kept: keys ending in", "file, path, dir, name, type, url, ttl, timeout, ... (they name, not hold)",
	    userdata);
	cb("YAML pair", "{name: EXT_JWT_CLIENT_SECRET, value: ...}", userdata);
	cb("argument", "--client-secret=V, --token V", userdata);
	cb("pattern", "PEM private key block (also one-line and \\n-escaped)", userdata);
	cb("pattern", "base64-encoded PEM private key (LS0tLS1CRUdJTi...)", userdata);
	cb("pattern", "JWT (eyJ....eyJ....signature)", userdata);
	cb("pattern", "AWS access key id (AKIA..., ASIA...) and 40-character secret key near \"aws\"",
	    userdata);
	cb("pattern", "Authorization: Bearer|Basic ..., Bearer <token>", userdata);
	cb("pattern", "vendor tokens: GitHub ghp_/gho_/ghu_/ghs_/ghr_/github_pat_, GitLab glpat-, "
	    "Slack xox?-/xapp-, Stripe sk_/rk_live_/test_, Google AIza..., npm_, Vault hvs./hvb., "
	    "SendGrid SG., PyPI pypi-", userdata);
	cb("pattern", "a URL's signature parameter (Azure SAS sig=, X-Amz-Signature=) and a Slack "
	    "webhook's path", userdata);
	cb("pattern", "password in a URL: scheme://user:PASSWORD@host", userdata);
	cb("pattern", "headers X-Auth-Token: V, PRIVATE-TOKEN: V; XML <password>V</password>, "
	    "<add key=\"ApiKey\" value=\"V\"/>; {\"name\":\"DB_PASSWORD\",\"value\":\"V\"}; "
	    "{\"tokens\":[\"V\"]}", userdata);
	cb("pattern", "tools: .netrc password V after login, Redis AUTH V / requirepass V / masterauth V / "
	    "redis-cli -a V, ldapsearch -w V, snmpwalk -c V, community V, docker login -p V, "
	    "sshpass -p V, jdbc:oracle:thin:user/V@host, user/V@db, user:V@proxy:3128, Telegram /botID:V/, "
	    "password%3DV", userdata);
	cb("pattern", "key=value, key: value, \"key\": \"value\", \"password is X\" with a secret-like key",
	    userdata);
	cb("comments", "YAML comments are dropped", userdata);
}
