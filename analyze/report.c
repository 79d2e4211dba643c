/* report.c: what the report writers share (times, statuses). */
#include <string.h>

#include "analyze.h"
#include "timeutil.h"

const char *
report_time(uint64_t usec, char buf[static RFC3339_MAX])
{
	if (usec == 0) {
		buf[0] = '\0';
		return buf;
	}
	return time_rfc3339(usec, false, buf);
}

const char *
report_collected_at(const struct model *m, char buf[static HTIME_MAX])
{
	uint64_t t;

	if (m->collected_at == NULL)
		return NULL;
	/* English shows the manifest's own text; other languages their time format. */
	if (lang_get() == LANG_EN || time_parse_rfc3339(m->collected_at, &t) < 0 || t == 0)
		return m->collected_at;
	return time_human(t, buf);
}

const char *
report_status(const char *st)
{
	return source_status_label(st);
}
