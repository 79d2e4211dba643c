/* report-ecs.c: the AWS ECS state (service, deployments, tasks, task definition) for the markdown and HTML reports. */
#include <string.h>

#include "analyze.h"
#include "escape.h"
#include "i18n.h"

struct rows {
	struct buf *b;
	unsigned n;
	bool html;
};

static void
row(const char *section, const char *key, const char *value, void *ud)
{
	struct rows *r = ud;

	if (r->n++ == 0 && r->html)
		buf_printf(r->b, "<details class=\"panel\" open><summary>%s</summary><table class=\"kv\"><tbody>",
		    _("AWS ECS: service, deployments, tasks, task definition"));
	else if (r->n == 1)
		buf_printf(r->b, "## %s\n\n| | %s | %s |\n| --- | --- | --- |\n", _("What the bundle holds: AWS ECS"),
		    _("Name"), _("State"));
	if (r->html) {
		buf_adds(r->b, "<tr><td>");
		esc_html(r->b, section, strlen(section));
		buf_adds(r->b, "</td><td class=\"mono\">");
		esc_html(r->b, key, strlen(key));
		buf_adds(r->b, "</td><td>");
		esc_html(r->b, value, strlen(value));
		buf_adds(r->b, "</td></tr>");
	} else {
		buf_adds(r->b, "| ");
		esc_md_table(r->b, section, strlen(section));
		buf_adds(r->b, " | ");
		esc_md_table(r->b, key, strlen(key));
		buf_adds(r->b, " | ");
		esc_md_table(r->b, value, strlen(value));
		buf_adds(r->b, " |\n");
	}
}

void
report_ecs(struct buf *b, const struct model *m, bool html)
{
	struct rows r = { .b = b, .html = html };

	/* The records are built on first use and cached in the model. */
	ecs_summary((struct model *)m, row, &r);
	if (r.n > 0)
		buf_adds(b, html ? "</tbody></table></details>" : "\n");
}

static void
jrow(const char *section, const char *key, const char *value, void *ud)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(section));
	json_object_set_new(o, "name", json_string(key));
	json_object_set_new(o, "state", json_string(value));
	json_array_append_new(ud, o);
}

void
report_ecs_json(json_t *doc, const struct model *m)
{
	json_t *arr = json_array();
	enum lang l = lang_get();

	/* The kinds are keys for automation: always English. */
	lang_set(LANG_EN);
	ecs_summary((struct model *)m, jrow, arr);
	lang_set(l);
	if (json_array_size(arr) > 0)
		json_object_set_new(doc, "ecs", arr);
	else
		json_decref(arr);
}
