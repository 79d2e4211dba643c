/* test_termtext.c: terminal text: widths (CJK two columns, marks none), escaping, wrapping and clipping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"
#include "termtext.h"

static char *
wrap(const char *s, size_t width, size_t indent, size_t hang)
{
	struct buf b = { 0 };

	term_wrap(&b, s, strlen(s), width, indent, hang);
	return buf_steal(&b, NULL);
}

static void
test_widths(void **state)
{
	(void)state;
	assert_int_equal(term_cpwidth('a'), 1);
	assert_int_equal(term_cpwidth(0x4e2d), 2);	/* 中 */
	assert_int_equal(term_cpwidth(0xac00), 2);	/* 가 */
	assert_int_equal(term_cpwidth(0xff21), 2);	/* fullwidth A */
	assert_int_equal(term_cpwidth(0x1f525), 2);	/* emoji */
	assert_int_equal(term_cpwidth(0x0301), 0);	/* combining acute */
	assert_int_equal(term_cpwidth(0x200b), 0);	/* zero width space */
	assert_int_equal(term_cpwidth(0x00e9), 1);	/* é */
	assert_int_equal(term_cpwidth(0x2026), 1);	/* … */
	assert_int_equal(term_width("中文ab", strlen("中文ab")), 6);
	assert_int_equal(term_width("\x1b[1;31mab\x1b[0m", strlen("\x1b[1;31mab\x1b[0m")), 2);
	assert_int_equal(term_width("e\xcc\x81", 3), 1);
}

static void
test_esc_term(void **state)
{
	struct buf b = { 0 };

	(void)state;
	esc_term(&b, "a\tb\nc\x1b[31md\xe2\x80\xae\xff", 15);
	assert_string_equal(b.data, "a b\\nc\\x1b[31md\\u202e\xef\xbf\xbd");
	buf_free(&b);
}

static void
test_wrap(void **state)
{
	char *o;

	(void)state;
	o = wrap("the quick brown fox jumps", 12, 2, 4);
	assert_string_equal(o, "  the quick\n    brown\n    fox\n    jumps\n");
	free(o);
	/* CJK: two columns each, a line of 10 holds five; never split inside a character. */
	o = wrap("中文中文中文中文", 10, 0, 0);
	assert_string_equal(o, "中文中文中\n文中文\n");
	free(o);
	/* Chinese breaks between characters, but never before a closing mark like "，". */
	o = wrap("甲乙丙，丁", 6, 0, 0);
	assert_string_equal(o, "甲乙\n丙，丁\n");
	free(o);
	/* Latin words stay whole; "（" stays with what follows it, "）" with what precedes it. */
	o = wrap("解析 onboarding.example.invalid（3 次）", 30, 0, 0);
	assert_string_equal(o, "解析\nonboarding.example.invalid（3\n次）\n");
	free(o);
	/* A wide character that would stick out moves to the next line. */
	o = wrap("abc中文", 4, 0, 0);
	assert_string_equal(o, "abc\n中文\n");
	free(o);
	/* A style open at a break is closed before it and opened again after the indent. */
	o = wrap("\x1b[1mbold words here\x1b[0m end", 10, 0, 2);
	assert_string_equal(o, "\x1b[1mbold words\x1b[0m\n  \x1b[1mhere\x1b[0m end\n");
	free(o);
	/* Raw controls are escaped by the wrapper too; an ESC that starts no SGR is no exception. */
	o = wrap("a\x1b]8;;x\x07 b", 40, 0, 0);
	assert_string_equal(o, "a\\x1b]8;;x\\x07 b\n");
	free(o);
	/* Styles carried over breaks are bounded: output stays linear in the input. */
	{
		struct buf in = { 0 }, out = { 0 };

		for (int k = 0; k < 3000; k++)
			buf_adds(&in, "\x1b[1m");
		for (int k = 0; k < 2000; k++)
			buf_adds(&in, "word ");
		term_wrap(&out, in.data, in.len, 40, 0, 2);
		assert_true(out.len < 2 * in.len);
		buf_free(&in);
		buf_free(&out);
	}
	o = wrap("   ", 10, 0, 0);
	assert_string_equal(o, "");
	free(o);
}

static void
test_clip(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_false(term_clip(&b, "short", 5, 10));
	assert_string_equal(b.data, "short");
	buf_reset(&b);
	assert_true(term_clip(&b, "0123456789abcdefghij", 20, 11));
	assert_string_equal(b.data, "0123\xe2\x80\xa6" "efghij");
	buf_reset(&b);
	/* Wide characters: never more columns than asked, never half a character. */
	assert_true(term_clip(&b, "中文中文中文中文中文", strlen("中文中文中文中文中文"), 9));
	assert_true(term_width(b.data, b.len) <= 9);
	assert_string_equal(b.data, "中\xe2\x80\xa6中文");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_esc_term),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_clip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
