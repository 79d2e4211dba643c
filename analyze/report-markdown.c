/* report-markdown.c: the report for pasting into a ticket; log text stays inside its fences. */
#include <errno.h>
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

/*
 * The remedy is markdown from the rules file: kept as markdown, but terminal-
 * safe, with HTML neutralised and links other than http(s) unlinked.
 */
static void
remedy(struct buf *b, const char *s)
{
	struct buf t = { 0 };
	const char *p;

	esc_text(&t, s, strlen(s), /* keep_newlines= */ true);
	for (p = t.data ? t.data : ""; *p != '\0'; p++) {
		if (*p == '<')
			buf_adds(b, "&lt;");
		else if (*p == '>' && (p == t.data || p[-1] != '\n'))
			buf_adds(b, "&gt;");
		else if (p[0] == ']' && p[1] == '(') {
			const char *close = strchr(p + 2, ')');

			buf_addc(b, ']');
			if (close == NULL || !url_is_safe(p + 2, (size_t)(close - p - 2)))
				buf_addc(b, '\\');
		} else
			buf_addc(b, *p);
	}
	buf_free(&t);
	if (b->len > 0 && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
}

static void
evidence_block(struct buf *b, const struct finding *f)
{
	struct buf t = { 0 };
	char tb[RFC3339_MAX];
	size_t i;

	for (i = 0; i < f->n_ev; i++) {
		const struct evidence *e = &f->ev[i];

		if (i == EVIDENCE_HEAD && f->ev_total > f->n_ev)
			buf_printf(&t, _("... %lu more ...\n"), f->ev_total - f->n_ev);
		if (e->time)
			buf_printf(&t, "%s  ", report_time(e->time, tb));
		buf_adds(&t, e->source);
		if (e->line)
			buf_printf(&t, ":%lu", e->line);
		buf_adds(&t, "  ");
		buf_add(&t, e->text, e->len);
		buf_addc(&t, '\n');
	}
	esc_md_fence(b, "text", t.data ? t.data : "", t.len);
	buf_free(&t);
}

static void
finding(struct buf *b, const struct finding *f, size_t n)
{
	const struct rule *r = f->rule;
	char tb[RFC3339_MAX];
	size_t i;

	buf_printf(b, _("### %zu. %s: "), n, severity_heading(r->severity));
	inl(b, rule_title(r));
	buf_adds(b, "\n\n");
	buf_printf(b, _("Rule `%s`"), r->id);
	if (f->first) {
		buf_adds(b, " · ");
		buf_printf(b, P_("%lu line", "%lu lines", f->count), f->count);
		buf_adds(b, " · ");
		buf_printf(b, _("first seen %s"), time_human(f->first, tb));
	}
	if (f->last && f->last != f->first) {
		buf_adds(b, " · ");
		buf_printf(b, _("last seen %s"), time_human(f->last, tb));
	}
	buf_adds(b, "\n\n");
	inl(b, f->message);
	buf_adds(b, "\n\n");
	if (rule_remedy(r) != NULL && rule_remedy(r)[0] != '\0') {
		buf_printf(b, "**%s**\n\n", _("What to do"));
		remedy(b, rule_remedy(r));
		buf_addc(b, '\n');
	}
	if (r->n_links > 0) {
		buf_printf(b, "**%s**\n\n", _("Links"));
		for (i = 0; i < r->n_links; i++)
			buf_printf(b, "- <%s>\n", r->links[i]);	/* checked by url_is_safe() at load */
		buf_addc(b, '\n');
	}
	if (f->n_ev > 0) {
		if (f->ev_total > f->n_ev)
			buf_printf(b, _("**Evidence** (%zu of %lu: the first %d and the last %d)\n\n"), f->n_ev,
			    f->ev_total, EVIDENCE_HEAD, EVIDENCE_TAIL);
		else
			buf_printf(b, "**%s**\n\n", _("Evidence"));
		evidence_block(b, f);
		buf_addc(b, '\n');
	}
}

/* The title and the line under it: host, collection time, the agent's state, the bundle. */
static void
head(struct buf *b, const struct report_view *v)
{
	buf_printf(b, "# %s", _("Triage report: "));
	inl(b, v->hostname ? v->hostname : _("unknown host"));
	buf_printf(b, "\n\n**%s** ", _("Host"));
	inl(b, v->hostname ? v->hostname : _("unknown"));
	buf_printf(b, " · **%s** ", _("collected"));
	inl(b, v->collected_at ? v->collected_human : _("unknown"));
	buf_printf(b, " · **%s** ", _("agent"));
	inl(b, v->agent_state);
	buf_printf(b, " · **%s** ", _("bundle"));
	inl(b, v->bundle_path);
	buf_adds(b, "\n\n");
}

/* How many findings of each severity, the summary table and each finding. */
static void
findings(struct buf *b, const struct report_view *v)
{
	const struct analysis *a = v->a;
	bool first = true;
	size_t i;

	if (a->n_findings == 0) {
		buf_printf(b, "%s\n\n", _("No findings: none of the rules matched this bundle."));
		return;
	}
	buf_adds(b, "**");
	buf_printf(b, P_("%zu finding:", "%zu findings:", a->n_findings), a->n_findings);
	buf_adds(b, "** ");
	for (i = 0; i < SEV_NONE; i++)
		if (v->counts[i]) {
			buf_adds(b, first ? "" : _(", "));
			/* TRANSLATORS: a count of findings and their severity, e.g. "2 critical". */
			buf_printf(b, _("%u %s"), v->counts[i], severity_label((enum severity)i));
			first = false;
		}
	buf_printf(b, "\n\n## %s\n\n%s\n| --- | --- | --- | ---: |\n", _("Summary"),
	    _("| Severity | Rule | Title | Count |"));
	for (i = 0; i < a->n_findings; i++) {
		const struct finding *f = &a->findings[i];

		buf_printf(b, "| %s | `%s` | ", severity_label(f->rule->severity), f->rule->id);
		cell(b, rule_title(f->rule));
		buf_printf(b, " | %lu", f->count);
		md_support_count(b, f);
		buf_adds(b, " |\n");
	}
	buf_printf(b, "\n## %s\n\n", _("Findings"));
	for (i = 0; i < a->n_findings; i++)
		finding(b, &a->findings[i], i + 1);
}

/* The rules that could not be evaluated, and what the collector could not collect. */
static void
gaps(struct buf *b, const struct report_view *v)
{
	const struct analysis *a = v->a;
	size_t i;

	if (a->n_not_eval > 0) {
		buf_printf(b, "## %s\n\n%s\n\n%s\n| --- | --- |\n", _("Not evaluated"),
		    _("These rules need inputs the bundle does not have:"), _("| Rule | Why |"));
		for (i = 0; i < a->n_not_eval; i++) {
			buf_printf(b, "| `%s` | ", a->not_eval[i].rule->id);
			cell(b, a->not_eval[i].reason);
			buf_adds(b, " |\n");
		}
		buf_addc(b, '\n');
	}
	if (v->n_gaps == 0)
		return;
	buf_printf(b, "## %s\n\n%s\n| --- | --- | --- |\n", _("What the collector could not collect"),
	    _("| Source | Status | Detail |"));
	for (i = 0; i < v->n_gaps; i++) {
		const struct view_gap *g = &v->gaps[i];

		buf_adds(b, "| ");
		cell(b, g->source);
		if (g->skipped)
			buf_printf(b, " | %s | ", g->label);
		else {
			buf_adds(b, " | ");
			cell(b, g->label);
			buf_adds(b, " | ");
		}
		cell(b, g->detail);
		buf_adds(b, " |\n");
	}
	buf_addc(b, '\n');
}

int
report_markdown(FILE *out, const struct report_view *v)
{
	const struct analysis *a = v->a;
	struct buf b = { 0 };
	size_t i;

	head(&b, v);
	md_support_head(&b, v);
	findings(&b, v);
	report_ecs(&b, v, /* html= */ false);
	md_support_sections(&b, v);
	gaps(&b, v);

	if (a->n_notes > 0) {
		buf_printf(&b, "## %s\n\n", _("Notes"));
		for (i = 0; i < a->n_notes; i++) {
			buf_adds(&b, "- ");
			inl(&b, a->notes[i]);
			buf_addc(&b, '\n');
		}
		buf_addc(&b, '\n');
	}
	buf_adds(&b, "_");
	buf_printf(&b, _("Generated by triage-analyze %s."), TRIAGE_VERSION);
	buf_adds(&b, "_\n");
	md_support_footer(&b, v);
	if (fwrite(b.data, 1, b.len, out) != b.len) {
		buf_free(&b);
		return -EIO;
	}
	buf_free(&b);
	return 0;
}
