/* report-json.c: the JSON report of CONTRACT.md (schema triage-report/1), plus summary and integrity. */
#include <errno.h>
#include <string.h>

#include "analyze.h"
#include "escape.h"

/* A JSON string of untrusted bytes: terminal-safe, valid UTF-8. */
static json_t *
jtext(const char *s, size_t len)
{
	struct buf b = { 0 };
	json_t *j;

	esc_text(&b, s ? s : "", s ? len : 0, /* keep_newlines= */ true);
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return j;
}

static json_t *
jstr(const char *s)
{
	return s ? jtext(s, strlen(s)) : json_null();
}

static json_t *
jtime(uint64_t usec)
{
	char tb[RFC3339_MAX];

	return usec ? json_string(report_time(usec, tb)) : json_null();
}

json_t *
report_finding_json(const struct finding *f)
{
	const struct rule *r = f->rule;
	json_t *o = json_object(), *ev = json_array(), *links = json_array();
	size_t i;

	json_object_set_new(o, "rule", json_string(r->id));
	json_object_set_new(o, "severity", json_string(severity_name(r->severity)));
	json_object_set_new(o, "title", jstr(rule_title(r)));
	json_object_set_new(o, "message", jstr(f->message));
	json_object_set_new(o, "count", json_integer((json_int_t)f->count));
	json_object_set_new(o, "first_seen", jtime(f->first));
	json_object_set_new(o, "last_seen", jtime(f->last));
	for (i = 0; i < f->n_ev; i++) {
		const struct evidence *e = &f->ev[i];
		json_t *eo = json_object();

		json_object_set_new(eo, "source", jstr(e->source));
		/* Always present, null when the evidence is not a line (a unit property, a probe). */
		json_object_set_new(eo, "line", e->line ? json_integer((json_int_t)e->line) : json_null());
		json_object_set_new(eo, "time", jtime(e->time));
		json_object_set_new(eo, "text", jtext(e->text, e->len));
		json_array_append_new(ev, eo);
	}
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "evidence_total", json_integer((json_int_t)f->ev_total));
	json_object_set_new(o, "remedy", jstr(rule_remedy(r) ? rule_remedy(r) : ""));
	for (i = 0; i < r->n_links; i++)
		json_array_append_new(links, jstr(r->links[i]));
	json_object_set_new(o, "links", links);
	if (f->change != CHANGE_NONE) {
		json_object_set_new(o, "change", json_string(f->change == CHANGE_NEW ? "new" : "persisting"));
		json_object_set_new(o, "count_before", json_integer((json_int_t)f->count_before));
	}
	return o;
}

/* "integrity": verified, and the problems found while reading. */
static json_t *
integrity_json(const struct report_view *v)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(o, "verified", json_boolean(v->n_integrity == 0));
	for (i = 0; i < v->n_integrity; i++) {
		json_t *p = json_object();

		json_object_set_new(p, "path", jstr(v->integrity[i].path));
		json_object_set_new(p, "problem", jstr(v->integrity[i].problem));
		json_array_append_new(arr, p);
	}
	json_object_set_new(o, "problems", arr);
	return o;
}

/* "not_collected": sources not ok, then files skipped. */
static json_t *
not_collected_json(const struct report_view *v)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < v->n_gaps; i++) {
		const struct view_gap *g = &v->gaps[i];
		json_t *o = json_object();

		json_object_set_new(o, "source", jstr(g->source));
		json_object_set_new(o, "status", g->skipped ? json_string(g->status) : jstr(g->status));
		json_object_set_new(o, "detail", jstr(g->detail));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
report_json_doc(const struct report_view *v)
{
	const struct analysis *a = v->a;
	json_t *doc = json_object(), *b = json_object(), *sum = json_object(), *arr, *o;
	size_t i;

	json_object_set_new(doc, "schema", json_string("triage-report/1"));
	json_object_set_new(b, "path", jstr(v->bundle_path));
	json_object_set_new(b, "hostname", jstr(v->hostname));
	json_object_set_new(b, "collected_at", jstr(v->collected_at));
	json_object_set_new(b, "agent_state", jstr(v->agent_state));
	json_object_set_new(doc, "bundle", b);
	for (i = 0; i < SEV_NONE; i++)
		json_object_set_new(sum, severity_name((enum severity)i), json_integer(v->counts[i]));
	json_object_set_new(doc, "summary", sum);
	arr = json_array();
	for (i = 0; i < a->n_findings; i++)
		json_array_append_new(arr, report_finding_json(&a->findings[i]));
	json_object_set_new(doc, "findings", arr);
	arr = json_array();
	for (i = 0; i < a->n_not_eval; i++) {
		o = json_object();
		json_object_set_new(o, "rule", json_string(a->not_eval[i].rule->id));
		json_object_set_new(o, "reason", jstr(a->not_eval[i].reason));
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "not_evaluated", arr);
	json_support(doc, v);
	json_object_set_new(doc, "integrity", integrity_json(v));
	json_object_set_new(doc, "not_collected", not_collected_json(v));
	arr = json_array();
	for (i = 0; i < a->n_notes; i++)
		json_array_append_new(arr, jstr(a->notes[i]));
	json_object_set_new(doc, "notes", arr);
	/* The language of title, message, remedy, reason and notes ("en" or "zh"); keys and ids never change. */
	json_object_set_new(doc, "lang", json_string(lang_code(lang_get())));
	report_ecs_json(doc, v);
	return doc;
}

/* The --suppress and --baseline parts of the JSON report (support). */
void
json_support(json_t *doc, const struct report_view *v)
{
	const struct analysis *a = v->a;
	const struct baseline *bl = a->baseline;
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; i < a->n_suppressed; i++) {
		o = report_finding_json(&a->suppressed[i].f);
		json_object_set_new(o, "reason", jstr(a->suppressed[i].reason));
		json_object_set_new(o, "expires", jstr(a->suppressed[i].expires));
		json_array_append_new(arr, o);
	}
	json_object_set_new(doc, "suppressed", arr);
	if (a->n_suppress_notes > 0) {
		arr = json_array();
		for (i = 0; i < a->n_suppress_notes; i++)
			json_array_append_new(arr, jstr(a->suppress_notes[i]));
		json_object_set_new(doc, "suppressions_not_applied", arr);
	}
	if (bl != NULL) {
		o = json_object();
		json_object_set_new(o, "path", jstr(bl->path));
		json_object_set_new(o, "hostname", jstr(bl->hostname));
		json_object_set_new(o, "collected_at", jstr(bl->collected_at));
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
			json_object_set_new(o, "key", jstr(c->key));
			if (c->redacted)
				json_object_set_new(o, "comparable", json_false());
			json_object_set_new(o, "before", c->redacted ? json_string("redacted in both, not comparable") : jstr(c->before));
			json_object_set_new(o, "after", c->redacted ? json_string("redacted in both, not comparable") : jstr(c->after));
			json_array_append_new(arr, o);
		}
		json_object_set_new(doc, "changes", arr);
	}
	if (v->n_replaced > 0) {
		arr = json_array();
		for (i = 0; i < v->n_replaced; i++) {
			o = json_object();
			json_object_set_new(o, "rule", json_string(v->replaced[i].rule));
			json_object_set_new(o, "file", jstr(v->replaced[i].file));
			json_array_append_new(arr, o);
		}
		json_object_set_new(doc, "rules_replaced", arr);
	}
}

int
report_json(FILE *f, const struct report_view *v)
{
	json_t *doc = report_json_doc(v);
	int r;

	r = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (r < 0)
		return -EIO;
	fputc('\n', f);
	return 0;
}
