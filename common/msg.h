/* msg.h: a program's one message function (mandoc's mandoc_msg): severity, file, line, text. */
#ifndef TRIAGE_MSG_H
#define TRIAGE_MSG_H

#include <stdarg.h>
#include <stdbool.h>

/*
 * How bad a message is, least first.  The worst level said in a run sets the
 * exit status; each program maps it to its own codes (msg_worst()).
 */
enum msg_level {
	MSG_OK,		/* nothing said yet */
	MSG_STYLE,	/* a matter of style: the run still succeeds */
	MSG_WARNING,	/* something skipped or guessed: the run goes on and succeeds */
	MSG_ERROR,	/* bad input or a failed write: the result is refused */
	MSG_BADARG,	/* bad usage: an option or argument is wrong */
	_MSG_LEVEL_MAX,
};

/* The program name every line starts with ("triage-analyze"); set once, at start. */
void msg_init(const char *prog);

/*
 * Prints one line on stderr and remembers its level:
 *   PROG: [FILE[:LINE[:COL]]: ][warning: |style: ]TEXT
 * file is where the problem is (a path as given, printed bare: it is the
 * location, not prose); NULL when it is no file's.  line and col are 1-based,
 * 0 when unknown.  Errors carry no label, so that every error line reads
 * "PROG: FILE: what is wrong".  Strings the user gave go in quotes inside TEXT
 * ('%s'), as do paths named in the prose.  The common/ library never calls it:
 * the programs report each error once.
 */
void msg(enum msg_level, const char *file, unsigned long line, unsigned long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void vmsg(enum msg_level, const char *file, unsigned long line, unsigned long col, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* Remembers a level without printing (a problem the program reported some other way). */
void msg_count(enum msg_level);
/* The worst level said (or counted) so far; MSG_OK when nothing was. */
enum msg_level msg_worst(void);

#endif
