/* report-ecs.c: the AWS ECS state (service, deployments, tasks, task definition) for the markdown, HTML and JSON reports. */
#include <string.h>

#include "analyze.h"
#include "escape.h"
#include "i18n.h"

void
report_ecs(struct buf *b, const struct report_view *v, bool html)
{
	size_t i;

	if (v->n_ecs == 0)
		return;
	if (html)
		buf_printf(b, "<details class=\"panel\" open><summary>%s</summary><table class=\"kv\"><tbody>",
		    _("AWS ECS: service, deployments, tasks, task definition"));
	else
		buf_printf(b, "## %s\n\n| | %s | %s |\n| --- | --- | --- |\n", _("What the bundle holds: AWS ECS"),
		    _("Name"), _("State"));
	for (i = 0; i < v->n_ecs; i++) {
		const struct view_ecs_row *r = &v->ecs[i];

		if (html) {
			buf_adds(b, "<tr><td>");
			esc_html(b, r->section, strlen(r->section));
			buf_adds(b, "</td><td class=\"mono\">");
			esc_html(b, r->key, strlen(r->key));
			buf_adds(b, "</td><td>");
			esc_html(b, r->value, strlen(r->value));
			buf_adds(b, "</td></tr>");
		} else {
			buf_adds(b, "| ");
			esc_md_table(b, r->section, strlen(r->section));
			buf_adds(b, " | ");
			esc_md_table(b, r->key, strlen(r->key));
			buf_adds(b, " | ");
			esc_md_table(b, r->value, strlen(r->value));
			buf_adds(b, " |\n");
		}
	}
	buf_adds(b, html ? "</tbody></table></details>" : "\n");
}

void
report_ecs_json(json_t *doc, const struct report_view *v)
{
	json_t *arr;
	size_t i;

	/* The kinds are keys for automation: always English. */
	if (v->n_ecs_en == 0)
		return;
	arr = json_array();
	for (i = 0; i < v->n_ecs_en; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(v->ecs_en[i].section));
		json_object_set_new(o, "name", json_string(v->ecs_en[i].key));
		json_object_set_new(o, "state", json_string(v->ecs_en[i].value));
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "ecs", arr);
}
