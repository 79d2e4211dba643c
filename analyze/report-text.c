/* report-text.c: the report for a terminal: findings wrapped to its width, coloured on a tty, bundle text escaped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analyze.h"
#include "escape.h"
#include "i18n.h"
#include "termtext.h"

enum report_color report_color = COLOR_AUTO;

/* Every label the report prints, in one place: msgids of po/zh_CN.po, translated with _() where used. */
static const struct {
	const char *triage_of;		/* "Triage of HOST" */
	const char *collected;		/* ", collected TIME" */
	const char *agent;		/* "Agent: STATE" */
	const char *bundle;		/* "Bundle: PATH" */
	const char *found;		/* "What we found:" */
	const char *nothing;		/* after it, when no rule fired */
	const char *todo;		/* "What to do:" */
	const char *evidence;		/* "Evidence" */
	const char *evidence_some;	/* "Evidence (%zu of %lu lines):" */
	const char *see;		/* "See:" */
	const char *rule;		/* "rule ID" */
	const char *from_to;		/* " from T1 to T2" */
	const char *at;			/* " at T" */
	const char *not_checked;	/* the not_evaluated section */
	const char *notes;		/* the notes section */
} L = {
	.triage_of = N_("Triage of"),
	.collected = N_("collected"),
	.agent = N_("Agent:"),
	.bundle = N_("Bundle:"),
	.found = N_("What we found:"),
	.nothing = N_("no problem the rules know of."),
	.todo = N_("What to do:"),
	.evidence = N_("Evidence:"),
	.evidence_some = N_("Evidence (%zu of %lu lines):"),
	.see = N_("See:"),
	.rule = N_("rule"),
	.from_to = N_("from %s to %s"),
	.at = N_("at %s"),
	.not_checked = N_("Not checked (the bundle lacks what these rules read):"),
	.notes = N_("Notes:"),
};

/* A label and the blank after it; none after a fullwidth colon, which has its own space. */
static void
label(struct buf *b, const char *pre, const char *text, const char *post)
{
	size_t n = strlen(text);

	buf_adds(b, pre);
	buf_adds(b, text);
	buf_adds(b, post);
	if (n < 3 || strcmp(text + n - 3, "\xef\xbc\x9a") != 0)
		buf_addc(b, ' ');
}

/* SGR styles; empty strings when colour is off. */
struct style {
	const char *bold, *dim, *reset;
	const char *sev[SEV_NONE];
};

static const struct style colour = {
	.bold = "\x1b[1m",
	.dim = "\x1b[2m",
	.reset = "\x1b[0m",
	.sev = { "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m" },
};
static const struct style plain = { "", "", "", { "", "", "", "" } };

#define IND_BODY	3	/* a finding's text under its title */
#define IND_SUB		5	/* remedy and evidence under their labels */
#define IND_EV		7	/* an evidence line's text under its time and source */
#define EV_SHOWN	3	/* evidence lines shown per finding */
#define EV_LINES	3	/* screen lines for one evidence text (the bundle has all of it) */
#define WIDTH_MIN	20
#define WIDTH_MAX	1000

/* The columns to wrap to: the terminal's, else $COLUMNS, else 80. */
static size_t
text_width(FILE *f)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");
	size_t w = 80;

	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		w = ws.ws_col;
	else if (c != NULL && *c != '\0') {
		char *end;
		unsigned long v = strtoul(c, &end, 10);

		if (*end == '\0' && v > 0)
			w = v > WIDTH_MAX ? WIDTH_MAX : v;
	}
	return w < WIDTH_MIN ? WIDTH_MIN : w;
}

/* Colour on a terminal unless NO_COLOR (non-empty) or TERM=dumb; --color=always|never decide. */
static bool
text_colour(FILE *f)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (report_color != COLOR_AUTO)
		return report_color == COLOR_ALWAYS;
	if (nc != NULL && *nc != '\0')
		return false;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f));
}

/* Appends untrusted text as one escaped line. */
static void
esc(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_term(b, s, strlen(s));
}

/* Wraps the paragraph p (already escaped and styled) into b, then empties p. */
static void
flush(struct buf *b, struct buf *p, size_t width, size_t indent, size_t hang)
{
	term_wrap(b, p->data ? p->data : "", p->len, width, indent, hang);
	buf_reset(p);
}

/* A remedy's inline markdown for a terminal: `code` kept, **bold** bold, *em* and links as text. */
static void
md_inline(struct buf *b, const char *s, size_t len, const struct style *st)
{
	size_t i = 0, start = 0;

	while (i < len) {
		const char *close;
		size_t rest = len - i;

		if (s[i] == '`' && (close = memchr(s + i + 1, '`', rest - 1)) != NULL) {
			esc_term(b, s + start, i - start);
			esc_term(b, s + i, (size_t)(close - s - i) + 1);
			i = start = (size_t)(close - s) + 1;
		} else if (rest > 2 && s[i] == '*' && s[i + 1] == '*' &&
		    (close = memmem(s + i + 2, rest - 2, "**", 2)) != NULL) {
			esc_term(b, s + start, i - start);
			buf_adds(b, st->bold);
			esc_term(b, s + i + 2, (size_t)(close - s - i - 2));
			buf_adds(b, st->reset);
			i = start = (size_t)(close - s) + 2;
		} else if (rest > 1 && s[i] == '*' && s[i + 1] != ' ' &&
		    (close = memchr(s + i + 1, '*', rest - 1)) != NULL) {
			esc_term(b, s + start, i - start);
			esc_term(b, s + i + 1, (size_t)(close - s - i - 1));
			i = start = (size_t)(close - s) + 1;
		} else if (s[i] == '[') {
			const char *mid = memmem(s + i, rest, "](", 2), *end;

			if (mid != NULL && (end = memchr(mid + 2, ')', (size_t)(s + len - mid - 2))) != NULL &&
			    url_is_safe(mid + 2, (size_t)(end - mid - 2))) {
				esc_term(b, s + start, i - start);
				esc_term(b, s + i + 1, (size_t)(mid - s - i - 1));
				buf_adds(b, " (");
				esc_term(b, mid + 2, (size_t)(end - mid - 2));
				buf_addc(b, ')');
				i = start = (size_t)(end - s) + 1;
			} else
				i++;
		} else
			i++;
	}
	esc_term(b, s + start, len - start);
}

/* A remedy's small markdown (docs/rules.md): paragraphs and "- " items, wrapped under IND_SUB. */
static void
remedy(struct buf *b, const char *s, size_t width, const struct style *st)
{
	const char *p = s, *nl;
	struct buf para = { 0 }, out = { 0 };
	bool item = false;

	for (;; p = nl + 1) {
		size_t len;
		const char *q;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		for (q = p; q < p + len && (*q == ' ' || *q == '\t'); q++)
			;
		if (q == p + len || (q[0] == '-' && q + 1 < p + len && q[1] == ' ')) {
			if (para.len > 0) {
				md_inline(&out, para.data, para.len, st);
				flush(b, &out, width, IND_SUB, item ? IND_SUB + 2 : IND_SUB);
				buf_reset(&para);
			}
			item = q != p + len;
			if (item) {
				buf_adds(&para, "- ");
				buf_add(&para, q + 2, (size_t)(p + len - q - 2));
			}
		} else {
			if (para.len > 0)
				buf_addc(&para, ' ');
			buf_add(&para, q, (size_t)(p + len - q));
		}
		if (nl == NULL)
			break;
	}
	if (para.len > 0) {
		md_inline(&out, para.data, para.len, st);
		flush(b, &out, width, IND_SUB, item ? IND_SUB + 2 : IND_SUB);
	}
	buf_free(&para);
	buf_free(&out);
}

/* One evidence line: its time and place, then its text, clipped to EV_LINES screen lines. */
static void
evidence(struct buf *b, const struct evidence *e, size_t width, const struct style *st)
{
	struct buf p = { 0 }, t = { 0 };
	char tb[HTIME_MAX];
	size_t cols = width > IND_EV ? (width - IND_EV) * EV_LINES : 1;

	buf_adds(&p, st->dim);
	if (e->time) {
		buf_adds(&p, time_human(e->time, tb));
		buf_addc(&p, ' ');
	}
	esc(&p, e->source);
	if (e->line)
		buf_printf(&p, ":%lu", e->line);
	buf_adds(&p, st->reset);
	flush(b, &p, width, IND_SUB, IND_EV);
	esc_term(&t, e->text, e->len);
	/* Clipping measures the escaped text: a line of controls cannot push it past the limit. */
	term_clip(&p, t.data ? t.data : "", t.len, cols);
	flush(b, &p, width, IND_EV, IND_EV);
	buf_free(&p);
	buf_free(&t);
}

static void
finding(struct buf *b, const struct finding *f, size_t n, size_t width, const struct style *st)
{
	const struct rule *r = f->rule;
	struct buf p = { 0 };
	char t1[HTIME_MAX], t2[HTIME_MAX];
	size_t i, shown, pick[EV_SHOWN];

	buf_printf(&p, "%zu. %s%s%s  %s", n, st->sev[r->severity], severity_heading(r->severity), st->reset, st->bold);
	esc(&p, rule_title(r));
	buf_adds(&p, st->reset);
	flush(b, &p, width, 0, IND_BODY);
	esc(&p, f->message);
	flush(b, &p, width, IND_BODY, IND_BODY);
	if (rule_remedy(r) != NULL && rule_remedy(r)[0] != '\0') {
		buf_printf(&p, "%s%s%s", st->bold, _(L.todo), st->reset);
		flush(b, &p, width, IND_BODY, IND_BODY);
		remedy(b, rule_remedy(r), width, st);
	}
	if (f->n_ev > 0) {
		/* The first lines and the last: where it started and that it still happens. */
		shown = f->n_ev < EV_SHOWN ? f->n_ev : EV_SHOWN;
		for (i = 0; i < shown; i++)
			pick[i] = i;
		if (f->n_ev > EV_SHOWN)
			pick[EV_SHOWN - 1] = f->n_ev - 1;
		if (f->ev_total > shown)
			buf_printf(&p, _(L.evidence_some), shown, f->ev_total);
		else
			buf_adds(&p, _(L.evidence));
		flush(b, &p, width, IND_BODY, IND_BODY);
		for (i = 0; i < shown; i++)
			evidence(b, &f->ev[pick[i]], width, st);
	}
	if (r->n_links > 0) {
		size_t see;

		label(&p, "", _(L.see), "");
		see = term_width(p.data, p.len);
		for (i = 0; i < r->n_links; i++) {
			buf_adds(&p, i > 0 ? " " : "");
			esc(&p, r->links[i]);
		}
		flush(b, &p, width, IND_BODY, IND_BODY + see);
	}
	buf_printf(&p, "%s%s ", st->dim, _(L.rule));
	esc(&p, r->id);
	if (f->first) {
		buf_adds(&p, " · ");
		buf_printf(&p, P_("%lu line", "%lu lines", f->count), f->count);
		buf_addc(&p, ' ');
		if (f->last && f->last != f->first)
			buf_printf(&p, _(L.from_to), time_human(f->first, t1), time_human(f->last, t2));
		else
			buf_printf(&p, _(L.at), time_human(f->first, t1));
	}
	text_support_change(&p, f);
	buf_adds(&p, st->reset);
	flush(b, &p, width, IND_BODY, IND_BODY);
	buf_addc(b, '\n');
	buf_free(&p);
}

/*
 * The rules not evaluated, one line per reason.  On a bundle that is not from
 * AWS ECS the ECS rules make one short line: a customer on a VM has nothing to
 * do about them (the markdown and JSON reports list each with its reason).
 */
static void
not_checked(struct buf *b, const struct report_view *v, size_t width, const struct style *st)
{
	const struct analysis *a = v->a;
	const bool *skip = v->not_eval_ecs;
	struct buf p = { 0 };
	size_t i, k, n_skip = v->n_not_eval_ecs;

	if (a->n_not_eval == 0)
		return;
	buf_printf(&p, "%s%s%s", st->bold, _(L.not_checked), st->reset);
	flush(b, &p, width, 0, 2);
	for (i = 0; i < a->n_not_eval; i++) {
		const char *why = a->not_eval[i].reason ? a->not_eval[i].reason : "";
		bool seen = skip[i], more = false;

		for (k = 0; k < i && !seen; k++)
			seen = !skip[k] && strcmp(a->not_eval[k].reason ? a->not_eval[k].reason : "", why) == 0;
		if (seen)
			continue;
		buf_adds(&p, "- ");
		for (k = i; k < a->n_not_eval; k++)
			if (!skip[k] && strcmp(a->not_eval[k].reason ? a->not_eval[k].reason : "", why) == 0) {
				buf_adds(&p, more ? ", " : "");
				esc(&p, a->not_eval[k].rule->id);
				more = true;
			}
		buf_adds(&p, ": ");
		esc(&p, why);
		flush(b, &p, width, 2, 4);
	}
	if (n_skip > 0) {
		buf_adds(&p, "- ");
		buf_printf(&p, P_("%zu AWS ECS rule: this bundle is not from an ECS task",
		    "%zu AWS ECS rules: this bundle is not from an ECS task", n_skip), n_skip);
		flush(b, &p, width, 2, 4);
	}
	buf_addc(b, '\n');
	buf_free(&p);
}

/* Who, when, the agent's state, the bundle; then the baseline's line. */
static void
head(struct buf *b, const struct report_view *v, size_t width, const struct style *st)
{
	struct buf p = { 0 };

	buf_printf(&p, "%s%s ", st->bold, _(L.triage_of));
	esc(&p, v->hostname ? v->hostname : "?");
	buf_adds(&p, st->reset);
	if (v->collected_human != NULL) {
		buf_printf(&p, ", %s ", _(L.collected));
		esc(&p, v->collected_human);
	}
	flush(b, &p, width, 0, 2);
	label(&p, "", _(L.agent), "");
	esc(&p, v->agent_state);
	flush(b, &p, width, 0, 2);
	label(&p, "", _(L.bundle), "");
	esc(&p, v->bundle_path);
	flush(b, &p, width, 0, 2);
	text_support_head(b, v, width);
	buf_addc(b, '\n');
	buf_free(&p);
}

/* "What we found:" and the count of each severity. */
static void
verdict(struct buf *b, const struct report_view *v, size_t width, const struct style *st)
{
	const struct analysis *a = v->a;
	struct buf p = { 0 };
	bool first = true;
	size_t i;

	label(&p, st->bold, _(L.found), st->reset);
	if (a->n_findings == 0)
		buf_adds(&p, _(L.nothing));
	else {
		buf_printf(&p, P_("%zu problem", "%zu problems", a->n_findings), a->n_findings);
		buf_adds(&p, " (");
		for (i = 0; i < SEV_NONE; i++)
			if (v->counts[i]) {
				buf_adds(&p, first ? "" : _(", "));
				buf_printf(&p, _("%u %s"), v->counts[i], severity_label((enum severity)i));
				first = false;
			}
		buf_addc(&p, ')');
	}
	flush(b, &p, width, 0, 2);
	buf_addc(b, '\n');
	buf_free(&p);
}

int
report_text(FILE *out, const struct report_view *v)
{
	const struct analysis *a = v->a;
	const struct style *st = text_colour(out) ? &colour : &plain;
	size_t width = text_width(out), i;
	struct buf b = { 0 }, p = { 0 };

	head(&b, v, width, st);
	verdict(&b, v, width, st);
	for (i = 0; i < a->n_findings; i++)
		finding(&b, &a->findings[i], i + 1, width, st);
	text_support_sections(&b, v, width);

	not_checked(&b, v, width, st);
	if (a->n_notes > 0) {
		buf_printf(&p, "%s%s%s", st->bold, _(L.notes), st->reset);
		flush(&b, &p, width, 0, 2);
		for (i = 0; i < a->n_notes; i++) {
			buf_adds(&p, "- ");
			esc(&p, a->notes[i]);
			flush(&b, &p, width, 2, 4);
		}
		buf_addc(&b, '\n');
	}
	text_support_footer(&b, v, width);
	/* No blank line at the end: the collector prints its own last line after the report. */
	if (b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '\n')
		b.data[--b.len] = '\0';
	buf_free(&p);
	if (b.len > 0 && fwrite(b.data, 1, b.len, out) != b.len) {
		buf_free(&b);
		return -EIO;
	}
	buf_free(&b);
	return 0;
}
