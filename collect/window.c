/* window.c: the journal slice: --since/--until read as journalctl reads them, resolved and checked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "collect.h"

int
window_option(struct options *o, int which, const char *arg, char **err)
{
	const char *opt = which == 's' ? "since" : "until";
	struct time_arg a;

	*err = NULL;
	if (time_arg_parse(arg, &a) < 0) {
		unsigned y, mo, d;
		char sep;

		if (sscanf(arg, "%4u-%2u-%2u%c", &y, &mo, &d, &sep) >= 3) {
			*err = xasprintf("--%s: '%s' is not a valid date and time (no such day or hour?)", opt, arg);
			return -EINVAL;
		}
		*err = xasprintf("--%s: cannot parse '%s' as a time (try 2026-11-26, '2026-11-26 05:00', "
		    "'19:00 UTC', -2h30m, '2 hours ago', @1764133200 or yesterday)", opt, arg);
		return -EINVAL;
	}
	if (a.kind == TIME_OFFSET && a.zero_span) {
		*err = xasprintf("--%s: '%s' is a span of zero; say 'now', or give a span such as -2h", opt, arg);
		return -EINVAL;
	}
	if (which == 's' && a.kind == TIME_OFFSET && a.offset > 0) {
		*err = xasprintf("--since: '%s' is in the future; a span before now is written -1h or "
		    "'1 hour ago'", arg);
		return -EINVAL;
	}
	/* Resolved against now for the sources that read them directly (ECS log events). */
	if (which == 's') {
		o->since = arg;
		o->since_arg = a;
		(void)time_arg_resolve(&a, time_now_usec(), &o->since_usec);
		o->since_usec = o->since_usec ? o->since_usec : 1;
	} else {
		o->until = arg;
		o->until_arg = a;
		(void)time_arg_resolve(&a, time_now_usec(), &o->until_usec);
		o->until_usec = o->until_usec ? o->until_usec : 1;
	}
	return 0;
}

int
window_resolve(struct ctx *c, char **err)
{
	struct options *o = c->opt;
	bool offline = o->root || o->journal_dir;
	uint64_t now = time_now_usec(), base = now, newest = 0, since, until;
	char t1[RFC3339_MAX], t2[RFC3339_MAX], tb[RFC3339_MAX];

	*err = NULL;
	if (offline) {
		/* A system tree's journal ends when it stopped: its "-2h" is two hours before that. */
		newest = journal_newest(c);
		if (newest)
			base = newest;
	}
	if (o->until && time_arg_resolve(&o->until_arg, base, &until) < 0) {
		*err = xasprintf("--until: '%s' is not a time this system can represent", o->until);
		return -EINVAL;
	}
	if (!o->until)
		until = base;
	if (o->since) {
		if (time_arg_resolve(&o->since_arg, base, &since) < 0) {
			*err = xasprintf("--since: '%s' is not a time this system can represent", o->since);
			return -EINVAL;
		}
		if (since > now) {
			*err = xasprintf("--since '%s' (%s) is in the future (now is %s)", o->since,
			    time_rfc3339(since, false, t1), time_rfc3339(now, false, t2));
			return -EINVAL;
		}
		/* An instant after the tree's newest entry: the window runs to now (and will be empty). */
		if (!o->until && since >= until)
			until = now;
	} else
		since = until > c->profile->window_usec ? until - c->profile->window_usec : 0;
	if (since >= until) {
		if (o->until && o->since)
			*err = xasprintf("--since '%s' (%s) is not before --until '%s' (%s): the window is %s",
			    o->since, time_rfc3339(since, false, t1), o->until, time_rfc3339(until, false, t2),
			    since == until ? "empty" : "reversed");
		else
			*err = xasprintf("the window from %s to %s is %s (%s%s%s%s)", time_rfc3339(since, false, t1),
			    time_rfc3339(until, false, t2), since == until ? "empty" : "reversed",
			    o->since ? "--since " : "--until ", o->since ? o->since : o->until,
			    offline && newest ? "; relative times count from the newest entry, " : "",
			    offline && newest ? time_rfc3339(newest, false, tb) : "");
		return -EINVAL;
	}
	c->since_usec = since;
	c->until_usec = until;
	c->window_set = true;
	if (o->since)
		o->since_usec = since ? since : 1;
	if (o->until)
		o->until_usec = until;
	return 0;
}
