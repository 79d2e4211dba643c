/* test_i18n.c: choosing the language, and the built-in gettext catalog's lookups. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "i18n.h"

extern const unsigned char triage_catalog_zh[];

static void
test_parse(void **state)
{
	(void)state;
	assert_int_equal(lang_parse("en"), LANG_EN);
	assert_int_equal(lang_parse("en_US.UTF-8"), LANG_EN);
	assert_int_equal(lang_parse("C"), LANG_EN);
	assert_int_equal(lang_parse("POSIX"), LANG_EN);
	assert_int_equal(lang_parse("zh"), LANG_ZH);
	assert_int_equal(lang_parse("zh_CN.UTF-8"), LANG_ZH);
	assert_int_equal(lang_parse("zh-CN"), LANG_ZH);
	assert_int_equal(lang_parse("zh_TW"), LANG_ZH);
	assert_int_equal(lang_parse("zh_CN.gb18030@euro"), LANG_ZH);
	assert_int_equal(lang_parse("ZH"), LANG_ZH);
	assert_int_equal(lang_parse("En"), LANG_EN);
	assert_int_equal(lang_parse("fr"), -EINVAL);
	assert_int_equal(lang_parse("zhx"), -EINVAL);
	assert_int_equal(lang_parse("english"), -EINVAL);
	assert_int_equal(lang_parse(""), -EINVAL);
	assert_int_equal(lang_parse(NULL), -EINVAL);
	assert_string_equal(lang_code(LANG_ZH), "zh");
	assert_string_equal(lang_tag(LANG_ZH), "zh-CN");
	assert_string_equal(lang_tag(LANG_EN), "en");
}

static enum lang
env_lang(const char *lc_all, const char *lc_messages, const char *lang, const char *language)
{
	const char *names[] = { "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE" };
	const char *values[] = { lc_all, lc_messages, lang, language };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (values[i] != NULL)
			setenv(names[i], values[i], 1);
		else
			unsetenv(names[i]);
	}
	return lang_from_env();
}

static void
test_env(void **state)
{
	(void)state;
	assert_int_equal(env_lang(NULL, NULL, NULL, NULL), LANG_EN);
	assert_int_equal(env_lang(NULL, NULL, "zh_CN.UTF-8", NULL), LANG_ZH);
	assert_int_equal(env_lang(NULL, NULL, "en_US.UTF-8", NULL), LANG_EN);
	assert_int_equal(env_lang(NULL, NULL, "de_DE.UTF-8", NULL), LANG_EN);
	/* LC_ALL, then LC_MESSAGES, then LANG; empty ones do not count. */
	assert_int_equal(env_lang("zh_CN.UTF-8", "en_US.UTF-8", "en_US.UTF-8", NULL), LANG_ZH);
	assert_int_equal(env_lang("en_US.UTF-8", "zh_CN.UTF-8", "zh_CN.UTF-8", NULL), LANG_EN);
	assert_int_equal(env_lang("", "zh_CN.UTF-8", "en_US.UTF-8", NULL), LANG_ZH);
	assert_int_equal(env_lang("", "", "zh_SG.UTF-8", NULL), LANG_ZH);
	/* LANGUAGE comes first, its first known entry wins, unless the locale is C. */
	assert_int_equal(env_lang(NULL, NULL, "en_US.UTF-8", "zh_CN:en"), LANG_ZH);
	assert_int_equal(env_lang(NULL, NULL, "zh_CN.UTF-8", "fr:en_GB:zh"), LANG_EN);
	assert_int_equal(env_lang(NULL, NULL, "en_US.UTF-8", "fr:de"), LANG_EN);
	assert_int_equal(env_lang(NULL, NULL, "zh_CN.UTF-8", "fr::de"), LANG_ZH);
	assert_int_equal(env_lang("C", NULL, "zh_CN.UTF-8", "zh_CN"), LANG_EN);
	assert_int_equal(env_lang(NULL, NULL, "C.UTF-8", "zh_CN"), LANG_EN);
	assert_int_equal(env_lang(NULL, NULL, "POSIX", "zh"), LANG_EN);
	assert_int_equal(env_lang(NULL, NULL, NULL, "zh"), LANG_EN);
	env_lang(NULL, NULL, NULL, NULL);
}

static void
test_lookup(void **state)
{
	static const char unknown[] = "a message nobody translated";
	const char *id = "Findings";

	(void)state;
	lang_set(LANG_EN);
	assert_ptr_equal(tr(id), id);
	assert_string_equal(trn("%lu line", "%lu lines", 1), "%lu line");
	assert_string_equal(trn("%lu line", "%lu lines", 2), "%lu lines");
	assert_string_equal(C_("severity", "critical"), "critical");
	lang_set(LANG_ZH);
	assert_string_equal(tr("Findings"), "发现的问题");
	assert_ptr_equal(tr(unknown), unknown);
	assert_string_equal(tr(""), "");
	assert_string_equal(trn("%lu line", "%lu lines", 1), "%lu 行");
	assert_string_equal(trn("%lu line", "%lu lines", 7), "%lu 行");
	assert_string_equal(trn("no such %lu", "no such %lus", 7), "no such %lus");
	assert_string_equal(C_("severity", "critical"), "严重");
	assert_string_equal(C_("source status", "unavailable"), "不可用");
	assert_string_equal(C_("no such context", "critical"), "critical");
	lang_set(LANG_EN);
}

static uint32_t
u32(size_t off)
{
	uint32_t v;

	memcpy(&v, triage_catalog_zh + off, 4);
	return v;
}

/* Every message of the catalog is found by the binary search, with its own translation. */
static void
test_whole_catalog(void **state)
{
	uint32_t n, orig, trans, i;

	(void)state;
	assert_true(u32(0) == 0x950412deU);
	n = u32(8);
	orig = u32(12);
	trans = u32(16);
	assert_true(n > 100);
	lang_set(LANG_ZH);
	for (i = 0; i < n; i++) {
		const char *o = (const char *)triage_catalog_zh + u32(orig + 8 * i + 4);
		const char *t = (const char *)triage_catalog_zh + u32(trans + 8 * i + 4);

		if (o[0] == '\0')
			continue;	/* the header */
		if (i > 0)
			assert_true(strcmp((const char *)triage_catalog_zh + u32(orig + 8 * (i - 1) + 4), o) < 0);
		if (strchr(o, '\004') != NULL)
			assert_ptr_equal(trc(o), t);
		else if (u32(orig + 8 * i) > strlen(o))	/* a plural entry: "singular\0plural" */
			assert_ptr_equal(trn(o, o + strlen(o) + 1, 2), t);
		else
			assert_ptr_equal(tr(o), t);
	}
	lang_set(LANG_EN);
}

static void
test_time_human(void **state)
{
	char buf[HTIME_MAX];

	(void)state;
	lang_set(LANG_EN);
	assert_string_equal(time_human(UINT64_C(1795669200000000), buf), "2026-11-26T05:00:00Z");
	assert_string_equal(time_human(0, buf), "");
	lang_set(LANG_ZH);
	assert_string_equal(time_human(UINT64_C(1795669200123456), buf), "2026-11-26 05:00:00 UTC");
	assert_string_equal(time_human(0, buf), "");
	lang_set(LANG_EN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_whole_catalog),
		cmocka_unit_test(test_time_human),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
