/* msg.c: a program's one message function: every diagnostic line on stderr, and the worst level for the exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "msg.h"
#include "xalloc.h"

static const char *msg_prog = "triage";
static enum msg_level msg_max = MSG_OK;

void
msg_init(const char *prog)
{
	msg_prog = prog;
	msg_max = MSG_OK;
}

void
msg_count(enum msg_level level)
{
	if (level > msg_max && level < _MSG_LEVEL_MAX)
		msg_max = level;
}

enum msg_level
msg_worst(void)
{
	return msg_max;
}

void
vmsg(enum msg_level level, const char *file, unsigned long line, unsigned long col, const char *fmt, va_list ap)
{
	struct buf b = { 0 };
	char *text;

	msg_count(level);
	buf_printf(&b, "%s: ", msg_prog);
	if (file != NULL) {
		esc_term(&b, file, strlen(file));
		if (line > 0)
			buf_printf(&b, ":%lu", line);
		if (line > 0 && col > 0)
			buf_printf(&b, ":%lu", col);
		buf_adds(&b, ": ");
	}
	if (level == MSG_WARNING)
		buf_adds(&b, "warning: ");
	else if (level == MSG_STYLE)
		buf_adds(&b, "style: ");
	text = xvasprintf(fmt, ap);
	/* Paths and user strings may hold any byte: the terminal sees none of its controls. */
	esc_term(&b, text, strlen(text));
	buf_addc(&b, '\n');
	/* One write: lines of parallel workers do not interleave. */
	fwrite(b.data, 1, b.len, stderr);
	free(text);
	buf_free(&b);
}

void
msg(enum msg_level level, const char *file, unsigned long line, unsigned long col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(level, file, line, col, fmt, ap);
	va_end(ap);
}
