/* test_escape.c: the escapers keep hostile text inert in terminals, HTML and markdown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"

typedef void (*esc_fn)(struct buf *, const char *, size_t);

static char *
run(esc_fn fn, const char *s, size_t len)
{
	struct buf b = { 0 };

	fn(&b, s, len);
	return buf_steal(&b, NULL);
}

static void
text_keep(struct buf *b, const char *s, size_t len)
{
	esc_text(b, s, len, true);
}

static void
test_text(void **state)
{
	char *o;

	(void)state;
	o = run(text_keep, "a\x1b[31mred\x1b]8;;http://x/\x07z", 25);
	assert_string_equal(o, "a\\x1b[31mred\\x1b]8;;http://x/\\x07z");
	free(o);
	/* C1 CSI (U+009B), bidi override (U+202E), invalid UTF-8, NUL */
	o = run(text_keep, "\xc2\x9b" "1m \xe2\x80\xae" "abc \xff\xfe x\0y", 18);
	assert_string_equal(o, "\\u009b1m \\u202eabc \xef\xbf\xbd\xef\xbf\xbd x\\x00y");
	free(o);
	/* tabs and newlines kept, UTF-8 kept */
	o = run(text_keep, "\tn\xc3\xa9\n", 5);
	assert_string_equal(o, "\tn\xc3\xa9\n");
	free(o);
	/* overlong and surrogate encodings are invalid */
	o = run(text_keep, "\xc0\xaf\xed\xa0\x80", 5);
	assert_string_equal(o, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(o);
}

static void
test_html(void **state)
{
	char *o;

	(void)state;
	o = run(esc_html, "<script>alert('x')</script>&\"", 29);
	assert_string_equal(o, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
	free(o);
	o = run(esc_html, "\x1b[1m\xe2\x81\xa6", 7);
	assert_string_equal(o, "\\x1b[1m\\u2066");
	free(o);
}

static void
test_md_inline(void **state)
{
	char *o;

	(void)state;
	o = run(esc_md_inline, "vm-42 (running) 05:00:00Z", 25);
	assert_string_equal(o, "vm-42 (running) 05:00:00Z");
	free(o);
	o = run(esc_md_inline, "[x](javascript:alert(1)) <b>*a*_b_ `c` | ~d~ &amp;", 50);
	assert_string_equal(o, "\\[x\\](javascript\\:alert(1)) \\<b\\>\\*a\\*\\_b\\_ \\`c\\` \\| \\~d\\~ \\&amp;");
	free(o);
	/* a control byte shown as "\\x1d" must not complete "data" with what follows */
	o = run(esc_md_inline, "d\x1d" "ata:x", 7);
	assert_non_null(strstr(o, "ata\\:x"));
	free(o);
	/* syntax only at the start: heading, list, quote, ordered list */
	o = run(esc_md_inline, "# h", 3);
	assert_string_equal(o, "\\# h");
	free(o);
	o = run(esc_md_inline, "   # h", 6);
	assert_string_equal(o, "\\# h");
	free(o);
	o = run(esc_md_inline, "\n  - item", 9);
	assert_string_equal(o, "\\- item");
	free(o);
	o = run(esc_md_inline, " 1. x", 5);
	assert_string_equal(o, "1\\. x");
	free(o);
	o = run(esc_md_inline, "12. x", 5);
	assert_string_equal(o, "12\\. x");
	free(o);
	o = run(esc_md_inline, "a\nb\tc", 5);
	assert_string_equal(o, "a b c");
	free(o);
	o = run(esc_md_table, "a|b", 3);
	assert_string_equal(o, "a\\|b");
	free(o);
}

static void
test_fence(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(md_fence_len("abc", 3), 3);
	assert_int_equal(md_fence_len("a````b``", 8), 5);
	esc_md_fence(&b, "text", "x ```` y\n\x1b", 10);
	assert_string_equal(b.data, "`````text\nx ```` y\n\\x1b\n`````\n");
	buf_free(&b);
	esc_md_fence(&b, NULL, "", 0);
	assert_string_equal(b.data, "```\n```\n");
	buf_free(&b);
}

static void
test_url(void **state)
{
	(void)state;
	assert_true(url_is_safe("https://docs.example.com/a?b=c", 30));
	assert_true(url_is_safe("http://x", 8));
	assert_false(url_is_safe("javascript:alert(1)", 19));
	assert_false(url_is_safe("https://", 8));
	assert_false(url_is_safe("https://a b", 11));
	assert_false(url_is_safe("https://a\"onclick=x", 19));
	assert_false(url_is_safe("data:text/html,x", 16));
}

/* Every escaper produces valid UTF-8 with no control byte but TAB/LF, whatever the input. */
static void
test_random_inputs(void **state)
{
	static const esc_fn fns[] = { text_keep, esc_html, esc_md_inline, esc_md_table };
	unsigned seed = 12345;
	char in[256];
	size_t i, k, n, j;

	(void)state;
	for (i = 0; i < 3000; i++) {
		n = (seed = seed * 1103515245 + 12345) % sizeof(in);
		for (j = 0; j < n; j++)
			in[j] = (char)((seed = seed * 1103515245 + 12345) >> 16);
		for (k = 0; k < sizeof(fns) / sizeof(fns[0]); k++) {
			char *o = run(fns[k], in, n);
			const unsigned char *p = (const unsigned char *)o;

			for (; *p; p++) {
				assert_true(*p >= 0x20 || *p == '\t' || *p == '\n');
				assert_true(*p != 0x7f && *p != 0x1b);
			}
			free(o);
		}
	}
}

/* Empty input: every escaper's buffer is an empty C string (the summary's rows had unterminated ones). */
static void
test_empty_inputs(void **state)
{
	static const esc_fn fns[] = { text_keep, esc_html, esc_md_inline, esc_md_table, esc_term };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(fns) / sizeof(fns[0]); k++) {
		char *o = run(fns[k], "", 0);

		assert_string_equal(o, "");
		free(o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_md_inline),
		cmocka_unit_test(test_fence),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_random_inputs),
		cmocka_unit_test(test_empty_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
