/* test_msg.c: the programs' one message function: line format, escaping, and the worst level for the exit status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "msg.h"
#include "xalloc.h"

/* Runs fn with stderr going to a temporary file; returns what it printed (free it). */
static char *
captured(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		buf_add(&b, chunk, n);
	fclose(tmp);
	return b.data ? buf_steal(&b, NULL) : xstrdup("");
}

static void
say_levels(void)
{
	msg(MSG_STYLE, "rules.yaml", 3, 7, "title: ends with a period");
	msg(MSG_WARNING, "bundle.tar.gz", 0, 0, "%s: skipped", "journal/x.jsonl");
	msg(MSG_ERROR, "bundle.tar.gz", 0, 0, "not a bundle");
	msg(MSG_BADARG, NULL, 0, 0, "--format: unknown format '%s'", "xml");
	msg(MSG_WARNING, "s.yaml", 12, 0, "line without column");
}

/* One line per message: PROG: FILE[:LINE[:COL]]: [label: ]TEXT; errors carry no label. */
static void
test_format(void **state)
{
	char *out;

	(void)state;
	msg_init("prog");
	assert_int_equal(msg_worst(), MSG_OK);
	out = captured(say_levels);
	assert_string_equal(out,
	    "prog: rules.yaml:3:7: style: title: ends with a period\n"
	    "prog: bundle.tar.gz: warning: journal/x.jsonl: skipped\n"
	    "prog: bundle.tar.gz: not a bundle\n"
	    "prog: --format: unknown format 'xml'\n"
	    "prog: s.yaml:12: warning: line without column\n");
	free(out);
}

static void
say_style_then_warning(void)
{
	msg(MSG_WARNING, NULL, 0, 0, "w");
	msg(MSG_STYLE, NULL, 0, 0, "s");
}

static void
say_error(void)
{
	msg(MSG_ERROR, "f", 0, 0, "e");
	msg(MSG_WARNING, NULL, 0, 0, "w");
}

/* The worst level said so far, never lowered by a milder message later. */
static void
test_worst(void **state)
{
	char *out;

	(void)state;
	msg_init("prog");
	out = captured(say_style_then_warning);
	free(out);
	assert_int_equal(msg_worst(), MSG_WARNING);
	out = captured(say_error);
	free(out);
	assert_int_equal(msg_worst(), MSG_ERROR);
	msg_count(MSG_BADARG);
	assert_int_equal(msg_worst(), MSG_BADARG);
	msg_count(MSG_STYLE);
	assert_int_equal(msg_worst(), MSG_BADARG);
	msg_init("prog");	/* a new run starts clean */
	assert_int_equal(msg_worst(), MSG_OK);
}

static void
say_hostile(void)
{
	msg(MSG_ERROR, "evil\x1b[2J\n.tar.gz", 0, 0, "host '%s'", "a\x07\tb\xff");
}

/* A file name or text with control bytes or bad UTF-8 reaches the terminal escaped, on one line. */
static void
test_escaped(void **state)
{
	char *out;

	(void)state;
	msg_init("prog");
	out = captured(say_hostile);
	assert_string_equal(out, "prog: evil\\x1b[2J\\n.tar.gz: host 'a\\x07 b\xef\xbf\xbd'\n");
	assert_null(strchr(out, '\x1b'));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_worst),
		cmocka_unit_test(test_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
