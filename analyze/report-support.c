/* report-support.c: the report parts of --baseline, --suppress and -r replacements, in every format. */
#include <string.h>

#include "analyze.h"
#include "escape.h"
#include "termtext.h"

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

static const char *
or_absent(const char *s)
{
	return s != NULL ? s : _("(absent)");
}

/* ---- markdown ------------------------------------------------------------ */

void
md_support_head(struct buf *b, const struct report_view *v)
{
	const struct baseline *bl = v->a->baseline;

	if (bl == NULL)
		return;
	buf_printf(b, "**%s** ", _("Baseline"));
	inl(b, bl->path);
	buf_adds(b, _(" (host "));
	inl(b, bl->hostname ? bl->hostname : _("unknown"));
	buf_adds(b, _(", collected "));
	inl(b, bl->collected_at ? bl->collected_at : _("unknown"));
	buf_printf(b, P_("): %zu new, %zu persisting, %zu resolved, %zu change in the snapshot",
	    "): %zu new, %zu persisting, %zu resolved, %zu changes in the snapshot", bl->n_changes), v->n_new, v->n_persisting,
	    bl->n_resolved, bl->n_changes);
	buf_adds(b, "\n\n");
	if (v->baseline_later)
		buf_printf(b, "%s\n\n", _("Note: the baseline was collected after this bundle."));
}

void
md_support_count(struct buf *b, const struct finding *f)
{
	if (f->change == CHANGE_NEW)
		buf_adds(b, _(" (new)"));
	else if (f->change == CHANGE_PERSISTING)
		buf_printf(b, _(" (persisting, was %lu)"), f->count_before);
}

void
md_support_sections(struct buf *b, const struct report_view *v)
{
	const struct analysis *a = v->a;
	const struct baseline *bl = a->baseline;
	size_t i;

	if (bl != NULL) {
		buf_printf(b, "## %s\n\n", _("Resolved since the baseline"));
		if (bl->n_resolved == 0)
			buf_printf(b, "%s\n\n", _("None: every finding of the baseline is still here."));
		else {
			buf_printf(b, "%s\n| --- | --- | --- | ---: |\n", _("| Severity | Rule | Title | Count before |"));
			for (i = 0; i < bl->n_resolved; i++) {
				const struct finding *f = &bl->resolved[i];

				buf_printf(b, "| %s | `%s` | ", severity_label(f->rule->severity), f->rule->id);
				cell(b, rule_title(f->rule));
				buf_printf(b, " | %lu |\n", f->count);
			}
			buf_addc(b, '\n');
		}
		buf_printf(b, "## %s\n\n", _("What changed since the baseline"));
		if (bl->n_changes == 0)
			buf_printf(b, "%s\n\n", _("Nothing in the unit state, the configuration, the resolver or the probes."));
		else {
			buf_printf(b, "%s\n| --- | --- | --- | --- |\n", _("| What | Key | Baseline | Now |"));
			for (i = 0; i < bl->n_changes; i++) {
				const struct bchange *c = &bl->changes[i];

				buf_printf(b, "| %s | ", c->what);
				cell(b, c->key);
				buf_adds(b, " | ");
				if (c->redacted)
					buf_printf(b, "%s | %s", _("redacted in both, not comparable"), _("redacted in both, not comparable"));
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
		buf_printf(b, "## %s\n\n", _("Suppressed"));
		if (a->n_suppressed > 0) {
			buf_printf(b, "%s\n\n%s\n| --- | --- | --- | ---: | --- | --- |\n",
			    _("Expected findings (--suppress); they do not count for the exit status."),
			    _("| Severity | Rule | Message | Count | Reason | Expires |"));
			for (i = 0; i < a->n_suppressed; i++) {
				const struct suppressed *s = &a->suppressed[i];

				buf_printf(b, "| %s | `%s` | ", severity_label(s->f.rule->severity), s->f.rule->id);
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
md_support_footer(struct buf *b, const struct report_view *v)
{
	size_t i;

	for (i = 0; i < v->n_replaced; i++) {
		buf_adds(b, "_");
		buf_printf(b, _("Rule `%.*s` comes from "), (int)strlen(v->replaced[i].rule), v->replaced[i].rule);
		inl(b, v->replaced[i].file);
		buf_printf(b, "%s_\n", _(" and replaces the built-in rule of that id."));
	}
}

/* ---- HTML --------------------------------------------------------------------- */

void
html_support_head(struct buf *b, const struct report_view *v)
{
	const struct baseline *bl = v->a->baseline;

	if (bl == NULL)
		return;
	buf_printf(b, "<div class=\"card\"><b>%s</b> <span class=\"mono\">", _("Baseline"));
	h(b, bl->path);
	buf_adds(b, "</span>");
	h(b, _(" (host "));
	h(b, bl->hostname ? bl->hostname : _("unknown"));
	h(b, _(", collected "));
	h(b, bl->collected_at ? bl->collected_at : _("unknown"));
	buf_printf(b, P_("): <b>%zu new</b>, %zu persisting, <b>%zu resolved</b>, %zu change in the snapshot",
	    "): <b>%zu new</b>, %zu persisting, <b>%zu resolved</b>, %zu changes in the snapshot", bl->n_changes), v->n_new,
	    v->n_persisting, bl->n_resolved, bl->n_changes);
	if (v->baseline_later) {
		buf_adds(b, "<br>");
		h(b, _("Note: the baseline was collected after this bundle."));
	}
	buf_adds(b, "</div>");
}

void
html_support_change(struct buf *b, const struct finding *f)
{
	if (f->change == CHANGE_NEW)
		buf_printf(b, "<span class=\"badge\">%s</span>", C_("baseline", "NEW"));
	else if (f->change == CHANGE_PERSISTING)
		buf_printf(b, _("<span class=\"rid\">persisting, %lu before</span>"), f->count_before);
}

void
html_support_sections(struct buf *b, const struct report_view *v)
{
	const struct analysis *a = v->a;
	const struct baseline *bl = a->baseline;
	size_t i;

	if (bl != NULL) {
		buf_printf(b, "<h2>%s</h2><div class=\"card\">", _("Resolved since the baseline"));
		if (bl->n_resolved == 0)
			buf_printf(b, "<p>%s</p>", _("None: every finding of the baseline is still here."));
		else {
			buf_printf(b, "<table><thead>%s</thead><tbody>",
			    _("<tr><th>Severity</th><th>Rule</th><th>Title</th><th>Count before</th></tr>"));
			for (i = 0; i < bl->n_resolved; i++) {
				const struct finding *f = &bl->resolved[i];

				buf_printf(b, "<tr><td><span class=\"badge %s\">%s</span></td><td class=\"mono\">%s</td><td>",
				    severity_name(f->rule->severity), severity_label(f->rule->severity), f->rule->id);
				h(b, rule_title(f->rule));
				buf_printf(b, "</td><td>%lu</td></tr>", f->count);
			}
			buf_adds(b, "</tbody></table>");
		}
		buf_printf(b, "</div><h2>%s</h2><div class=\"card\">", _("What changed since the baseline"));
		if (bl->n_changes == 0)
			buf_printf(b, "<p>%s</p>", _("Nothing in the unit state, the configuration, the resolver or the probes."));
		else {
			buf_printf(b, "<table><thead>%s</thead><tbody>", _("<tr><th>What</th><th>Key</th><th>Baseline</th><th>Now</th></tr>"));
			for (i = 0; i < bl->n_changes; i++) {
				const struct bchange *c = &bl->changes[i];

				buf_printf(b, "<tr><td>%s</td><td class=\"mono\">", c->what);
				h(b, c->key);
				if (c->redacted)
					buf_printf(b, "</td><td colspan=\"2\">%s</td></tr>", _("redacted in both, not comparable"));
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
		buf_printf(b, "<h2>%s</h2><div class=\"card\">", _("Suppressed"));
		if (a->n_suppressed > 0) {
			buf_printf(b, "<p>%s</p><table><thead>%s</thead><tbody>",
			    _("Expected findings (--suppress); they do not count for the exit status."),
			    _("<tr><th>Severity</th><th>Rule</th><th>Message</th><th>Count</th><th>Reason</th><th>Expires</th></tr>"));
			for (i = 0; i < a->n_suppressed; i++) {
				const struct suppressed *s = &a->suppressed[i];

				buf_printf(b, "<tr><td><span class=\"badge %s\">%s</span></td><td class=\"mono\">%s</td><td>",
				    severity_name(s->f.rule->severity), severity_label(s->f.rule->severity), s->f.rule->id);
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
html_support_footer(struct buf *b, const struct report_view *v)
{
	size_t i;

	for (i = 0; i < v->n_replaced; i++) {
		buf_adds(b, "<br>");
		buf_printf(b, _("Rule <code>%.*s</code> comes from "), (int)strlen(v->replaced[i].rule), v->replaced[i].rule);
		h(b, v->replaced[i].file);
		h(b, _(" and replaces the built-in rule of that id."));
	}
}

/* ---- text (a terminal) ------------------------------------------------------------ */

static void
tesc(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_term(b, s, strlen(s));
}

static void
twrap(struct buf *b, struct buf *p, size_t width, size_t indent, size_t hang)
{
	term_wrap(b, p->data ? p->data : "", p->len, width, indent, hang);
	buf_reset(p);
}

void
text_support_head(struct buf *b, const struct report_view *v, size_t width)
{
	const struct baseline *bl = v->a->baseline;
	struct buf p = { 0 };

	if (bl == NULL)
		return;
	buf_printf(&p, "%s ", _("Baseline:"));
	tesc(&p, bl->path);
	buf_adds(&p, _(" ("));
	tesc(&p, bl->hostname ? bl->hostname : _("unknown host"));
	buf_adds(&p, ", ");
	tesc(&p, bl->collected_at ? bl->collected_at : _("unknown time"));
	buf_printf(&p, P_("): %zu new, %zu persisting, %zu resolved, %zu change in the snapshot",
	    "): %zu new, %zu persisting, %zu resolved, %zu changes in the snapshot", bl->n_changes), v->n_new, v->n_persisting,
	    bl->n_resolved, bl->n_changes);
	if (v->baseline_later)
		buf_adds(&p, _(" (the baseline was collected after this bundle)"));
	twrap(b, &p, width, 0, 2);
	buf_free(&p);
}

void
text_support_change(struct buf *b, const struct finding *f)
{
	if (f->change == CHANGE_NEW)
		buf_adds(b, _(" · new"));
	else if (f->change == CHANGE_PERSISTING)
		buf_printf(b, _(" · persisting (%lu before)"), f->count_before);
}

void
text_support_sections(struct buf *b, const struct report_view *v, size_t width)
{
	const struct analysis *a = v->a;
	const struct baseline *bl = a->baseline;
	struct buf p = { 0 };
	size_t i;

	if (bl != NULL) {
		buf_printf(b, "%s\n", _("Resolved since the baseline:"));
		if (bl->n_resolved == 0)
			buf_printf(b, "  %s\n", _("none: every finding of the baseline is still here."));
		for (i = 0; i < bl->n_resolved; i++) {
			const struct finding *f = &bl->resolved[i];

			buf_printf(&p, "- %s ", severity_label(f->rule->severity));
			tesc(&p, f->rule->id);
			buf_adds(&p, ": ");
			tesc(&p, rule_title(f->rule));
			buf_printf(&p, _(" (%lu before)"), f->count);
			twrap(b, &p, width, 2, 4);
		}
		buf_printf(b, "\n%s\n", _("What changed since the baseline:"));
		if (bl->n_changes == 0)
			buf_printf(b, "  %s\n", _("nothing in the unit state, the configuration, the resolver or the probes."));
		for (i = 0; i < bl->n_changes; i++) {
			const struct bchange *c = &bl->changes[i];

			buf_printf(&p, "- %s ", c->what);
			tesc(&p, c->key);
			buf_adds(&p, ": ");
			if (c->redacted)
				buf_adds(&p, _("redacted in both, not comparable"));
			else {
				tesc(&p, or_absent(c->before));
				buf_adds(&p, " -> ");
				tesc(&p, or_absent(c->after));
			}
			twrap(b, &p, width, 2, 4);
		}
		buf_addc(b, '\n');
	}
	if (a->n_suppressed > 0 || a->n_suppress_notes > 0) {
		buf_printf(b, "%s\n", _("Suppressed (expected; not counted for the exit status):"));
		for (i = 0; i < a->n_suppressed; i++) {
			const struct suppressed *s = &a->suppressed[i];

			buf_printf(&p, "- %s ", severity_label(s->f.rule->severity));
			tesc(&p, s->f.rule->id);
			buf_adds(&p, ": ");
			tesc(&p, s->reason);
			buf_printf(&p, _(" (until %s)"), s->expires);
			twrap(b, &p, width, 2, 4);
		}
		for (i = 0; i < a->n_suppress_notes; i++) {
			buf_adds(&p, "- ");
			tesc(&p, a->suppress_notes[i]);
			twrap(b, &p, width, 2, 4);
		}
		buf_addc(b, '\n');
	}
	buf_free(&p);
}

void
text_support_footer(struct buf *b, const struct report_view *v, size_t width)
{
	struct buf p = { 0 };
	size_t i;

	for (i = 0; i < v->n_replaced; i++) {
		buf_printf(&p, _("Rule %.*s comes from "), (int)strlen(v->replaced[i].rule), v->replaced[i].rule);
		tesc(&p, v->replaced[i].file);
		buf_adds(&p, _(" and replaces the built-in rule of that id."));
		twrap(b, &p, width, 0, 2);
	}
	buf_free(&p);
}
