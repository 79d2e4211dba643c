/* report-html.c: one self-contained HTML file (written in the next commit). */
#include <errno.h>

#include "analyze.h"

int
report_html(FILE *f, const struct analysis *a)
{
	(void)f;
	(void)a;
	return -ENOTSUP;
}
