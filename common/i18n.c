/* i18n.c: choosing the language, and looking messages up in the gettext catalog built into the program. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "i18n.h"
#include "timeutil.h"

/*
 * po/zh_CN.po compiled by msgfmt at build time and assembled in by blob.S
 * (GNU .mo format), so a released program needs no catalog file.
 */
extern const unsigned char triage_catalog_zh[];

static enum lang cur = LANG_EN;

static bool
is_prefix_lang(const char *s, const char *code)
{
	size_t n = strlen(code);

	return strncasecmp(s, code, n) == 0 && (s[n] == '\0' || s[n] == '_' || s[n] == '-' || s[n] == '.' || s[n] == '@');
}

int
lang_parse(const char *s)
{
	if (s == NULL)
		return -EINVAL;
	if (is_prefix_lang(s, "zh"))
		return LANG_ZH;
	if (is_prefix_lang(s, "en") || strcmp(s, "C") == 0 || strcmp(s, "POSIX") == 0)
		return LANG_EN;
	return -EINVAL;
}

static const char *
nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

enum lang
lang_from_env(void)
{
	const char *loc = nonempty_env("LC_ALL"), *language;

	if (loc == NULL)
		loc = nonempty_env("LC_MESSAGES");
	if (loc == NULL)
		loc = nonempty_env("LANG");
	/* The C locale ignores LANGUAGE, as gettext does. */
	if (loc == NULL || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0 || strncmp(loc, "C.", 2) == 0)
		return LANG_EN;
	if ((language = nonempty_env("LANGUAGE")) != NULL) {
		const char *p = language;

		/* The first entry that names a language we have wins; others are skipped. */
		while (*p != '\0') {
			size_t n = strcspn(p, ":");
			char one[64];

			if (n > 0 && n < sizeof(one)) {
				int l;

				memcpy(one, p, n);
				one[n] = '\0';
				if ((l = lang_parse(one)) >= 0)
					return (enum lang)l;
			}
			p += n;
			if (*p == ':')
				p++;
		}
	}
	return lang_parse(loc) == LANG_ZH ? LANG_ZH : LANG_EN;
}

void
lang_set(enum lang l)
{
	cur = (unsigned)l < _LANG_MAX ? l : LANG_EN;
}

enum lang
lang_get(void)
{
	return cur;
}

const char *
lang_code(enum lang l)
{
	return l == LANG_ZH ? "zh" : "en";
}

const char *
lang_tag(enum lang l)
{
	return l == LANG_ZH ? "zh-CN" : "en";
}

/* ---- the .mo catalog ------------------------------------------------------ */

#define MO_MAGIC	0x950412deU
#define MO_SWAPPED	0xde120495U

static uint32_t
mo_u32(const unsigned char *mo, size_t off, bool swap)
{
	uint32_t v;

	memcpy(&v, mo + off, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* The translation of key (a msgid, or a plural entry's singular) in mo; NULL when absent. */
static const char *
mo_lookup(const unsigned char *mo, const char *key)
{
	uint32_t magic, n, orig, trans, lo, hi;
	bool swap;

	memcpy(&magic, mo, 4);
	if (magic != MO_MAGIC && magic != MO_SWAPPED)
		return NULL;
	swap = magic == MO_SWAPPED;
	n = mo_u32(mo, 8, swap);
	orig = mo_u32(mo, 12, swap);
	trans = mo_u32(mo, 16, swap);
	/* msgfmt sorts the original strings by strcmp; a plural entry's key is "singular\0plural". */
	lo = 0;
	hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *s = (const char *)mo + mo_u32(mo, orig + 8 * mid + 4, swap);
		int c = strcmp(key, s);

		if (c == 0) {
			uint32_t tlen = mo_u32(mo, trans + 8 * mid, swap);

			return tlen > 0 ? (const char *)mo + mo_u32(mo, trans + 8 * mid + 4, swap) : NULL;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
tr(const char *msgid)
{
	const char *t;

	if (cur == LANG_EN || msgid == NULL || msgid[0] == '\0')
		return msgid;
	t = mo_lookup(triage_catalog_zh, msgid);
	return t != NULL ? t : msgid;
}

const char *
trc(const char *ctx_msgid)
{
	const char *t, *id = strchr(ctx_msgid, '\004');

	if (cur != LANG_EN && (t = mo_lookup(triage_catalog_zh, ctx_msgid)) != NULL)
		return t;
	return id != NULL ? id + 1 : ctx_msgid;
}

const char *
trn(const char *singular, const char *plural, unsigned long n)
{
	const char *t;

	if (cur != LANG_EN && (t = mo_lookup(triage_catalog_zh, singular)) != NULL)
		return t;	/* Chinese has one form (nplurals=1): the first */
	return n == 1 ? singular : plural;
}

const char *
time_human(uint64_t usec, char buf[static HTIME_MAX])
{
	time_t t;
	struct tm tm;

	if (usec == 0) {
		buf[0] = '\0';
		return buf;
	}
	if (cur == LANG_EN)
		return time_rfc3339(usec, false, buf);
	t = (time_t)(usec / USEC_PER_SEC);
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, HTIME_MAX, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return time_rfc3339(usec, false, buf);
	return buf;
}
