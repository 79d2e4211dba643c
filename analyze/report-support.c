/* report-support.c: the report parts of --baseline, --suppress and -r replacements, in every format. */
#include <string.h>

#include "analyze.h"
#include "escape.h"

static void
inl(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_md_inline(b, s, strlen(s));
}

static void
cell(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_md_table(b, s, strlen(s));
}

static void
h(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_html(b, s, strlen(s));
}

static void
counts(const struct analysis *a, size_t *n_new, size_t *n_pers)
{
	size_t i;

	*n_new = *n_pers = 0;
	for (i = 0; i < a->n_findings; i++)
		if (a->findings[i].change == CHANGE_NEW)
			(*n_new)++;
		else if (a->findings[i].change == CHANGE_PERSISTING)
			(*n_pers)++;
}

/* The baseline was collected after the bundle: said, since "resolved" then reads backwards. */
static bool
baseline_later(const struct analysis *a)
{
	const struct baseline *bl = a->baseline;

	return bl->collected_at != NULL && a->m->collected_at != NULL &&
	    strcmp(bl->collected_at, a->m->collected_at) > 0;
}

static const char *
or_absent(const char *s)
{
	return s != NULL ? s : "(absent)";
}

/* ---- markdown ------------------------------------------------------------ */

void
md_support_head(struct buf *b, const struct analysis *a)
{
	const struct baseline *bl = a->baseline;
	size_t n_new, n_pers;

	if (bl == NULL)
		return;
	counts(a, &n_new, &n_pers);
	buf_adds(b, "**Baseline** ");
	inl(b, bl->path);
	buf_adds(b, " (host ");
	inl(b, bl->hostname ? bl->hostname : "unknown");
	buf_adds(b, ", collected ");
	inl(b, bl->collected_at ? bl->collected_at : "unknown");
	buf_printf(b, "): %zu new, %zu persisting, %zu resolved, %zu %s in the snapshot\n\n", n_new, n_pers,
	    bl->n_resolved, bl->n_changes, bl->n_changes == 1 ? "change" : "changes");
	if (baseline_later(a))
		buf_adds(b, "Note: the baseline was collected after this bundle.\n\n");
}

void
md_support_count(struct buf *b, const struct finding *f)
{
	if (f->change == CHANGE_NEW)
		buf_adds(b, " (new)");
	else if (f->change == CHANGE_PERSISTING)
		buf_printf(b, " (persisting, was %lu)", f->count_before);
}

void
md_support_sections(struct buf *b, const struct analysis *a)
{
	const struct baseline *bl = a->baseline;
	size_t i;

	if (bl != NULL) {
		buf_adds(b, "## Resolved since the baseline\n\n");
		if (bl->n_resolved == 0)
			buf_adds(b, "None: every finding of the baseline is still here.\n\n");
		else {
			buf_adds(b, "| Severity | Rule | Title | Count before |\n| --- | --- | --- | ---: |\n");
			for (i = 0; i < bl->n_resolved; i++) {
				const struct finding *f = &bl->resolved[i];

				buf_printf(b, "| %s | `%s` | ", severity_name(f->rule->severity), f->rule->id);
				cell(b, f->rule->title);
				buf_printf(b, " | %lu |\n", f->count);
			}
			buf_addc(b, '\n');
		}
		buf_adds(b, "## What changed since the baseline\n\n");
		if (bl->n_changes == 0)
			buf_adds(b, "Nothing in the unit state, the configuration, the resolver or the probes.\n\n");
		else {
			buf_adds(b, "| What | Key | Baseline | Now |\n| --- | --- | --- | --- |\n");
			for (i = 0; i < bl->n_changes; i++) {
				const struct bchange *c = &bl->changes[i];

				buf_printf(b, "| %s | ", c->what);
				cell(b, c->key);
				buf_adds(b, " | ");
				if (c->redacted)
					buf_adds(b, "redacted in both, not comparable | redacted in both, not comparable");
				else {
					cell(b, or_absent(c->before));
					buf_adds(b, " | ");
					cell(b, or_absent(c->after));
				}
				buf_adds(b, " |\n");
			}
			buf_addc(b, '\n');
		}
	}
	if (a->n_suppressed > 0 || a->n_suppress_notes > 0) {
		buf_adds(b, "## Suppressed\n\n");
		if (a->n_suppressed > 0) {
			buf_adds(b, "Expected findings (--suppress); they do not count for the exit status.\n\n"
			    "| Severity | Rule | Message | Count | Reason | Expires |\n| --- | --- | --- | ---: | --- | --- |\n");
			for (i = 0; i < a->n_suppressed; i++) {
				const struct suppressed *s = &a->suppressed[i];

				buf_printf(b, "| %s | `%s` | ", severity_name(s->f.rule->severity), s->f.rule->id);
				cell(b, s->f.message);
				buf_printf(b, " | %lu | ", s->f.count);
				cell(b, s->reason);
				buf_adds(b, " | ");
				cell(b, s->expires);
				buf_adds(b, " |\n");
			}
			buf_addc(b, '\n');
		}
		for (i = 0; i < a->n_suppress_notes; i++) {
			buf_adds(b, "- ");
			inl(b, a->suppress_notes[i]);
			buf_addc(b, '\n');
		}
		if (a->n_suppress_notes > 0)
			buf_addc(b, '\n');
	}
}

/* The rules' origin: which built-in rules a file replaced. */
void
md_support_footer(struct buf *b, const struct analysis *a)
{
	const struct ruleset *rs = a->m->rs;
	size_t i;

	for (i = 0; rs != NULL && i < rs->n_replaced; i++) {
		const char *tab = strchr(rs->replaced[i], '\t');

		buf_printf(b, "_Rule `%.*s` comes from ", (int)(tab - rs->replaced[i]), rs->replaced[i]);
		inl(b, tab + 1);
		buf_adds(b, " and replaces the built-in rule of that id._\n");
	}
}

/* ---- HTML --------------------------------------------------------------------- */

void
html_support_head(struct buf *b, const struct analysis *a)
{
	const struct baseline *bl = a->baseline;
	size_t n_new, n_pers;

	if (bl == NULL)
		return;
	counts(a, &n_new, &n_pers);
	buf_adds(b, "<div class=\"card\"><b>Baseline</b> <span class=\"mono\">");
	h(b, bl->path);
	buf_adds(b, "</span> (host ");
	h(b, bl->hostname ? bl->hostname : "unknown");
	buf_adds(b, ", collected ");
	h(b, bl->collected_at ? bl->collected_at : "unknown");
	buf_printf(b, "): <b>%zu new</b>, %zu persisting, <b>%zu resolved</b>, %zu %s in the snapshot", n_new,
	    n_pers, bl->n_resolved, bl->n_changes, bl->n_changes == 1 ? "change" : "changes");
	if (baseline_later(a))
		buf_adds(b, "<br>Note: the baseline was collected after this bundle.");
	buf_adds(b, "</div>");
}

void
html_support_change(struct buf *b, const struct finding *f)
{
	if (f->change == CHANGE_NEW)
		buf_adds(b, "<span class=\"badge\">NEW</span>");
	else if (f->change == CHANGE_PERSISTING)
		buf_printf(b, "<span class=\"rid\">persisting, %lu before</span>", f->count_before);
}

void
html_support_sections(struct buf *b, const struct analysis *a)
{
	const struct baseline *bl = a->baseline;
	size_t i;

	if (bl != NULL) {
		buf_adds(b, "<h2>Resolved since the baseline</h2><div class=\"card\">");
		if (bl->n_resolved == 0)
			buf_adds(b, "<p>None: every finding of the baseline is still here.</p>");
		else {
			buf_adds(b, "<table><thead><tr><th>Severity</th><th>Rule</th><th>Title</th><th>Count before</th></tr></thead><tbody>");
			for (i = 0; i < bl->n_resolved; i++) {
				const struct finding *f = &bl->resolved[i];

				buf_printf(b, "<tr><td><span class=\"badge %s\">%s</span></td><td class=\"mono\">%s</td><td>",
				    severity_name(f->rule->severity), severity_name(f->rule->severity), f->rule->id);
				h(b, f->rule->title);
				buf_printf(b, "</td><td>%lu</td></tr>", f->count);
			}
			buf_adds(b, "</tbody></table>");
		}
		buf_adds(b, "</div><h2>What changed since the baseline</h2><div class=\"card\">");
		if (bl->n_changes == 0)
			buf_adds(b, "<p>Nothing in the unit state, the configuration, the resolver or the probes.</p>");
		else {
			buf_adds(b, "<table><thead><tr><th>What</th><th>Key</th><th>Baseline</th><th>Now</th></tr></thead><tbody>");
			for (i = 0; i < bl->n_changes; i++) {
				const struct bchange *c = &bl->changes[i];

				buf_printf(b, "<tr><td>%s</td><td class=\"mono\">", c->what);
				h(b, c->key);
				if (c->redacted)
					buf_adds(b, "</td><td colspan=\"2\">redacted in both, not comparable</td></tr>");
				else {
					buf_adds(b, "</td><td class=\"mono\">");
					h(b, or_absent(c->before));
					buf_adds(b, "</td><td class=\"mono\">");
					h(b, or_absent(c->after));
					buf_adds(b, "</td></tr>");
				}
			}
			buf_adds(b, "</tbody></table>");
		}
		buf_adds(b, "</div>");
	}
	if (a->n_suppressed > 0 || a->n_suppress_notes > 0) {
		buf_adds(b, "<h2>Suppressed</h2><div class=\"card\">");
		if (a->n_suppressed > 0) {
			buf_adds(b, "<p>Expected findings (--suppress); they do not count for the exit status.</p>"
			    "<table><thead><tr><th>Severity</th><th>Rule</th><th>Message</th><th>Count</th><th>Reason</th>"
			    "<th>Expires</th></tr></thead><tbody>");
			for (i = 0; i < a->n_suppressed; i++) {
				const struct suppressed *s = &a->suppressed[i];

				buf_printf(b, "<tr><td><span class=\"badge %s\">%s</span></td><td class=\"mono\">%s</td><td>",
				    severity_name(s->f.rule->severity), severity_name(s->f.rule->severity), s->f.rule->id);
				h(b, s->f.message);
				buf_printf(b, "</td><td>%lu</td><td>", s->f.count);
				h(b, s->reason);
				buf_adds(b, "</td><td>");
				h(b, s->expires);
				buf_adds(b, "</td></tr>");
			}
			buf_adds(b, "</tbody></table>");
		}
		if (a->n_suppress_notes > 0) {
			buf_adds(b, "<ul>");
			for (i = 0; i < a->n_suppress_notes; i++) {
				buf_adds(b, "<li>");
				h(b, a->suppress_notes[i]);
				buf_adds(b, "</li>");
			}
			buf_adds(b, "</ul>");
		}
		buf_adds(b, "</div>");
	}
}

void
html_support_footer(struct buf *b, const struct analysis *a)
{
	const struct ruleset *rs = a->m->rs;
	size_t i;

	for (i = 0; rs != NULL && i < rs->n_replaced; i++) {
		const char *tab = strchr(rs->replaced[i], '\t');

		buf_printf(b, "<br>Rule <code>%.*s</code> comes from ", (int)(tab - rs->replaced[i]), rs->replaced[i]);
		h(b, tab + 1);
		buf_adds(b, " and replaces the built-in rule of that id.");
	}
}

/* ---- JSON ---------------------------------------------------------------------- */

static json_t *
jtext(const char *s)
{
	struct buf b = { 0 };
	json_t *j;

	if (s == NULL)
		return json_null();
	esc_text(&b, s, strlen(s), /* keep_newlines= */ true);
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return j;
}

void
json_support(json_t *doc, const struct analysis *a)
{
	const struct baseline *bl = a->baseline;
	const struct ruleset *rs = a->m->rs;
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; i < a->n_suppressed; i++) {
		o = report_finding_json(&a->suppressed[i].f);
		json_object_set_new(o, "reason", jtext(a->suppressed[i].reason));
		json_object_set_new(o, "expires", jtext(a->suppressed[i].expires));
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "suppressed", arr);
	if (a->n_suppress_notes > 0) {
		arr = json_array();
		for (i = 0; i < a->n_suppress_notes; i++)
			json_array_append_new(arr, jtext(a->suppress_notes[i]));
		json_object_set_new(doc, "suppressions_not_applied", arr);
	}
	if (bl != NULL) {
		o = json_object();
		json_object_set_new(o, "path", jtext(bl->path));
		json_object_set_new(o, "hostname", jtext(bl->hostname));
		json_object_set_new(o, "collected_at", jtext(bl->collected_at));
		json_object_set_new(doc, "baseline", o);
		arr = json_array();
		for (i = 0; i < bl->n_resolved; i++)
			json_array_append_new(arr, report_finding_json(&bl->resolved[i]));
		json_object_set_new(doc, "resolved", arr);
		arr = json_array();
		for (i = 0; i < bl->n_changes; i++) {
			const struct bchange *c = &bl->changes[i];

			o = json_object();
			json_object_set_new(o, "what", json_string(c->what));
			json_object_set_new(o, "key", jtext(c->key));
			if (c->redacted)
				json_object_set_new(o, "comparable", json_false());
			json_object_set_new(o, "before", c->redacted ? json_string("redacted in both, not comparable") : jtext(c->before));
			json_object_set_new(o, "after", c->redacted ? json_string("redacted in both, not comparable") : jtext(c->after));
			json_array_append_new(arr, o);
		}
		json_object_set_new(doc, "changes", arr);
	}
	if (rs != NULL && rs->n_replaced > 0) {
		arr = json_array();
		for (i = 0; i < rs->n_replaced; i++) {
			const char *tab = strchr(rs->replaced[i], '\t');

			o = json_object();
			json_object_set_new(o, "rule", json_stringn(rs->replaced[i], (size_t)(tab - rs->replaced[i])));
			json_object_set_new(o, "file", jtext(tab + 1));
			json_array_append_new(arr, o);
		}
		json_object_set_new(doc, "rules_replaced", arr);
	}
}
