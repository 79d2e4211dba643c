/* report.c: the table of output formats and what the writers share. */
#include <string.h>

#include "analyze.h"
#include "timeutil.h"

const struct report_format report_formats[] = {
	{ "markdown", report_markdown },
	{ "html", report_html },
	{ "json", report_json },
	{ "text", report_text },
	{ NULL, NULL },
};

const struct report_format *
report_format_find(const char *name)
{
	const struct report_format *f;

	for (f = report_formats; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	if (strcmp(name, "md") == 0)
		return &report_formats[0];
	return NULL;
}

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
