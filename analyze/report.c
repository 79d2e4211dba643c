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
