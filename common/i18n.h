/* i18n.h: the language of messages and reports, and the translations built into the programs. */
#ifndef TRIAGE_I18N_H
#define TRIAGE_I18N_H

#include <stdint.h>

/* The languages triage speaks; English is the msgid itself. */
enum lang {
	LANG_EN,
	LANG_ZH,	/* Simplified Chinese (po/zh_CN.po) */
	_LANG_MAX,
};

/*
 * Parses a --lang value: "en", "zh", or a locale name of either
 * ("zh_CN.UTF-8", "zh-CN", "en_US").  Returns the language or -EINVAL.
 */
int lang_parse(const char *s);
/*
 * The language of the environment as gettext chooses it: the first non-empty
 * of LC_ALL, LC_MESSAGES, LANG names the locale; unless that is C or POSIX,
 * LANGUAGE (a colon list) comes first.  Any zh locale is Chinese; English
 * when nothing known is set.
 */
enum lang lang_from_env(void);
/* Sets the process's language (once, at start: the reports and messages follow it). */
void lang_set(enum lang);
enum lang lang_get(void);
/* "en" or "zh" (the JSON report's "lang"). */
const char *lang_code(enum lang);
/* The HTML lang attribute: "en" or "zh-CN". */
const char *lang_tag(enum lang);

/*
 * The translation of msgid in the current language, from the catalog built
 * into the program; msgid itself in English or when it is not translated.
 * The result is static: never free it.
 */
const char *tr(const char *msgid) __attribute__((format_arg(1)));
/* The same for a message with a count: singular or plural in English, the one form in Chinese. */
const char *trn(const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(1), format_arg(2)));

/* The translation of "ctx\004msgid" (gettext's msgctxt), else msgid: for short words in two senses. */
const char *trc(const char *ctx_msgid) __attribute__((format_arg(1)));

#define _(s)		tr(s)
#define C_(c, s)	trc(c "\004" s)
#define P_(s, p, n)	trn((s), (p), (n))
#define N_(s)		(s)	/* marks a string for the catalog; translate it with _() where used */

/*
 * A time for people: RFC 3339 in English ("2026-11-26T07:23:04Z"), and
 * "2026-11-26 07:23:04 UTC" in Chinese.  "" for 0.
 */
#define HTIME_MAX	64
const char *time_human(uint64_t usec, char buf[static HTIME_MAX]);

#endif
