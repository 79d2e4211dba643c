/* report-html.c: one self-contained HTML file: inline CSS and SVG, no script, strict CSP, every bundle byte escaped. */
#include <errno.h>
#include <string.h>

#include "analyze.h"
#include "cleanup.h"
#include "escape.h"

#define TL_COLS		60	/* columns of the timeline */
#define TL_W		1040	/* SVG width */
#define TL_BAR_H	110	/* height of the tallest bar */

static const char css[] =
	":root{--crit:#b3261e;--err:#d9480f;--warn:#b7791f;--info:#1c64b8;--ok:#2b8a3e;--fg:#1d232b;"
	"--muted:#5b6675;--line:#d9dee5;--bg:#f5f7fa;--card:#fff}"
	"*{box-sizing:border-box}"
	"body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,'Segoe UI',"
	"Roboto,'Helvetica Neue',Arial,sans-serif}"
	"main{max-width:1120px;margin:0 auto;padding:24px 28px 48px}"
	/* a long host or file name wraps rather than making the page scroll sideways */
	"h1,.meta span,td{overflow-wrap:anywhere;min-width:0}"
	"h1{font-size:24px;margin:0 0 6px}h2{font-size:18px;margin:32px 0 12px}h3{font-size:16px;margin:0}"
	"h4{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:14px 0 6px}"
	"code,pre,.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:13px}"
	"code{background:#eef1f5;padding:1px 5px;border-radius:4px}"
	"pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}"
	".top{background:#1d2733;color:#fff;padding:22px 0 18px}"
	".top main{padding-top:0;padding-bottom:0}"
	".meta{display:flex;flex-wrap:wrap;gap:6px 28px;margin:8px 0 0;color:#c9d3df;font-size:14px}"
	".meta b{color:#fff;font-weight:600}"
	".state{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:13px}"
	".state.bad{background:#f8d7d4;color:#8a1c14}.state.good{background:#d3f0da;color:#1d5e2c}"
	".state.unknown{background:#e4e7eb;color:#3d4652}"
	".tiles{display:flex;gap:12px;margin:20px 0 4px;flex-wrap:wrap}"
	".tile{flex:1;min-width:150px;background:var(--card);border:1px solid var(--line);border-radius:8px;"
	"padding:10px 14px;border-top:4px solid var(--line)}"
	".tile .n{font-size:28px;font-weight:700;line-height:1.1}.tile .l{color:var(--muted);font-size:13px}"
	".tile.critical{border-top-color:var(--crit)}.tile.error{border-top-color:var(--err)}"
	".tile.warning{border-top-color:var(--warn)}.tile.info{border-top-color:var(--info)}"
	".tile.zero .n{color:#aab3bf}"
	".verdict{font-size:16px;margin:14px 0 0}"
	".toc{margin:10px 0 0;padding:0;list-style:none}.toc li{margin:3px 0}"
	".toc a{color:var(--fg);text-decoration:none}.toc a:hover{text-decoration:underline}"
	".card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 16px}"
	".finding{border-left:6px solid var(--line)}"
	".finding.critical{border-left-color:var(--crit)}.finding.error{border-left-color:var(--err)}"
	".finding.warning{border-left-color:var(--warn)}.finding.info{border-left-color:var(--info)}"
	".fhead{display:flex;align-items:center;gap:10px;flex-wrap:wrap}"
	".badge{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.05em;color:#fff;"
	"padding:2px 8px;border-radius:4px;background:var(--muted)}"
	".badge.critical{background:var(--crit)}.badge.error{background:var(--err)}"
	".badge.warning{background:var(--warn)}.badge.info{background:var(--info)}"
	".rid{color:var(--muted);font-size:13px}"
	".msg{font-size:15.5px;margin:10px 0 4px}"
	".when{color:var(--muted);font-size:13px;margin:0}"
	".remedy{background:#f3f8f4;border:1px solid #cfe6d5;border-radius:6px;padding:2px 14px 8px;margin-top:12px}"
	".remedy p{margin:6px 0}.remedy ul{margin:6px 0;padding-left:22px}"
	"table{border-collapse:collapse;width:100%;font-size:13.5px}"
	"th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}"
	"th{color:var(--muted);font-weight:600;font-size:12.5px;text-transform:uppercase;letter-spacing:.03em}"
	"table.ev td.t,table.ev td.s{white-space:nowrap;color:var(--muted);font-size:12.5px}"
	"table.ev td pre{font-size:12.5px}table.ev td:last-child{width:100%}"
	".gap{color:var(--muted);font-style:italic;text-align:center}"
	"details{margin:0 0 12px}summary{cursor:pointer;font-weight:600}"
	"details.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 18px}"
	"details.panel>summary{font-size:16px}"
	".links{margin:8px 0 0;padding-left:20px;font-size:13.5px}"
	"a{color:#1c5fb8}"
	".ok{color:var(--ok);font-weight:600}.bad{color:var(--crit);font-weight:600}"
	".kv td:first-child{width:260px;color:var(--muted)}"
	".tl svg{width:100%;height:auto;display:block}"
	".legend{display:flex;gap:18px;font-size:12.5px;color:var(--muted);margin-top:6px;flex-wrap:wrap}"
	".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}"
	"footer{color:var(--muted);font-size:12.5px;margin-top:28px}";

/* Chinese pages name CJK fonts first, so that the glyphs come from one family whatever the system's default. */
static const char css_zh[] =
	"body{font-family:system-ui,-apple-system,'Noto Sans CJK SC','Source Han Sans SC','PingFang SC',"
	"'Microsoft YaHei','WenQuanYi Micro Hei',sans-serif}";

static const char *const level_color[TL_LEVELS] = { "#c92a2a", "#e8a317", "#8fa4b8", "#cfd8e3" };
static const char *const level_name[TL_LEVELS] = {
	N_("error or worse"), N_("warning (level)"), N_("notice / info"), N_("debug (level)"),
};

/* The timeline's level names, in the current language ("warning (level)" reads "warning" in English). */
static const char *
level_label(size_t k)
{
	const char *t = _(level_name[k]);

	if (t == level_name[k] && (k == 1 || k == 3))
		return k == 1 ? "warning" : "debug";
	return t;
}
static const char *const sev_color[] = { "#b3261e", "#d9480f", "#b7791f", "#1c64b8" };

static void
h(struct buf *b, const char *s)
{
	if (s != NULL)
		esc_html(b, s, strlen(s));
}

static void
hn(struct buf *b, const char *s, size_t len)
{
	esc_html(b, s, len);
}

/* Inline markdown of a remedy: `code`, **bold**, *em*, [text](http-url); the rest escaped. */
static void
md_inline_html(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, start = 0;

	while (i < len) {
		const char *close;
		size_t rest = len - i;

		if (s[i] == '`' && (close = memchr(s + i + 1, '`', rest - 1)) != NULL) {
			hn(b, s + start, i - start);
			buf_adds(b, "<code>");
			hn(b, s + i + 1, (size_t)(close - s - i - 1));
			buf_adds(b, "</code>");
			i = start = (size_t)(close - s) + 1;
		} else if (rest > 2 && s[i] == '*' && s[i + 1] == '*' &&
		    (close = memmem(s + i + 2, rest - 2, "**", 2)) != NULL) {
			hn(b, s + start, i - start);
			buf_adds(b, "<strong>");
			hn(b, s + i + 2, (size_t)(close - s - i - 2));
			buf_adds(b, "</strong>");
			i = start = (size_t)(close - s) + 2;
		} else if (rest > 1 && s[i] == '*' && s[i + 1] != ' ' &&
		    (close = memchr(s + i + 1, '*', rest - 1)) != NULL) {
			hn(b, s + start, i - start);
			buf_adds(b, "<em>");
			hn(b, s + i + 1, (size_t)(close - s - i - 1));
			buf_adds(b, "</em>");
			i = start = (size_t)(close - s) + 1;
		} else if (s[i] == '[') {
			const char *mid = memmem(s + i, rest, "](", 2), *end;

			if (mid != NULL && (end = memchr(mid + 2, ')', (size_t)(s + len - mid - 2))) != NULL &&
			    url_is_safe(mid + 2, (size_t)(end - mid - 2))) {
				hn(b, s + start, i - start);
				buf_adds(b, "<a href=\"");
				hn(b, mid + 2, (size_t)(end - mid - 2));
				buf_adds(b, "\" rel=\"noreferrer noopener\">");
				hn(b, s + i + 1, (size_t)(mid - s - i - 1));
				buf_adds(b, "</a>");
				i = start = (size_t)(end - s) + 1;
			} else
				i++;
		} else
			i++;
	}
	hn(b, s + start, len - start);
}

/* A remedy's small markdown: paragraphs and "- " lists, with inline markup. */
static void
md_block_html(struct buf *b, const char *s)
{
	const char *p = s, *nl;
	struct buf para = { 0 };
	bool in_list = false, in_item = false;

	for (;; p = nl + 1) {
		size_t len;
		const char *q;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		q = p;
		while (q < p + len && (*q == ' ' || *q == '\t'))
			q++;
		if (q == p + len || (q[0] == '-' && q + 1 < p + len && q[1] == ' ')) {
			/* A blank line or a new item ends the paragraph or item so far. */
			if (para.len > 0) {
				buf_adds(b, in_item ? "" : "<p>");
				md_inline_html(b, para.data, para.len);
				buf_adds(b, in_item ? "</li>" : "</p>");
				buf_reset(&para);
			} else if (in_item)
				buf_adds(b, "</li>");
			in_item = false;
			if (q == p + len) {
				if (in_list) {
					buf_adds(b, "</ul>");
					in_list = false;
				}
			} else {
				if (!in_list) {
					buf_adds(b, "<ul>");
					in_list = true;
				}
				buf_adds(b, "<li>");
				in_item = true;
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
		buf_adds(b, in_item ? "" : "<p>");
		md_inline_html(b, para.data, para.len);
		buf_adds(b, in_item ? "</li>" : "</p>");
	} else if (in_item)
		buf_adds(b, "</li>");
	if (in_list)
		buf_adds(b, "</ul>");
	buf_free(&para);
}

static const char *
sev_class(enum severity s)
{
	return severity_name(s);
}

static void
evidence_table(struct buf *b, const struct finding *f)
{
	char tb[RFC3339_MAX];
	size_t i;

	buf_adds(b, "<table class=\"ev\"><tbody>");
	for (i = 0; i < f->n_ev; i++) {
		const struct evidence *e = &f->ev[i];

		if (i == EVIDENCE_HEAD && f->ev_total > f->n_ev)
			buf_printf(b, _("<tr><td colspan=\"3\" class=\"gap\">&#8943; %lu more &#8943;</td></tr>"),
			    f->ev_total - f->n_ev);
		buf_adds(b, "<tr><td class=\"t\">");
		h(b, report_time(e->time, tb));
		buf_adds(b, "</td><td class=\"s\">");
		h(b, e->source);
		if (e->line)
			buf_printf(b, ":%lu", e->line);
		buf_adds(b, "</td><td><pre>");
		hn(b, e->text, e->len);
		buf_adds(b, "</pre></td></tr>");
	}
	buf_adds(b, "</tbody></table>");
}

static void
finding_html(struct buf *b, const struct finding *f, size_t n)
{
	const struct rule *r = f->rule;
	char tb[RFC3339_MAX];
	size_t i;

	buf_printf(b, "<article class=\"card finding %s\" id=\"f%zu\"><div class=\"fhead\"><span class=\"badge %s\">%s</span><h3>",
	    sev_class(r->severity), n, sev_class(r->severity), severity_label(r->severity));
	h(b, rule_title(r));
	buf_printf(b, "</h3><span class=\"rid mono\">%s</span>", r->id);
	html_support_change(b, f);
	buf_adds(b, "</div><p class=\"msg\">");
	h(b, f->message);
	buf_adds(b, "</p>");
	if (f->first) {
		buf_adds(b, "<p class=\"when\">");
		buf_printf(b, P_("%lu line", "%lu lines", f->count), f->count);
		buf_adds(b, " · ");
		h(b, _("first seen "));
		h(b, time_human(f->first, tb));
		if (f->last && f->last != f->first) {
			buf_adds(b, " · ");
			h(b, _("last seen "));
			h(b, time_human(f->last, tb));
		}
		buf_adds(b, "</p>");
	}
	if (rule_remedy(r) != NULL && rule_remedy(r)[0] != '\0') {
		buf_printf(b, "<div class=\"remedy\"><h4>%s</h4>", _("What to do"));
		md_block_html(b, rule_remedy(r));
		buf_adds(b, "</div>");
	}
	if (f->n_ev > 0) {
		buf_printf(b, "<h4>%s", _("Evidence"));
		if (f->ev_total > f->n_ev)
			buf_printf(b, _(" &#8212; %zu of %lu: the first %d and the last %d"), f->n_ev, f->ev_total,
			    EVIDENCE_HEAD, EVIDENCE_TAIL);
		buf_adds(b, "</h4>");
		evidence_table(b, f);
	}
	if (r->n_links > 0) {
		buf_adds(b, "<ul class=\"links\">");
		for (i = 0; i < r->n_links; i++) {
			buf_adds(b, "<li><a href=\"");
			h(b, r->links[i]);
			buf_adds(b, "\" rel=\"noreferrer noopener\">");
			h(b, r->links[i]);
			buf_adds(b, "</a></li>");
		}
		buf_adds(b, "</ul>");
	}
	buf_adds(b, "</article>");
}

/* x of time t in [lo, hi] mapped to [x0, x0 + w]. */
static double
tx(uint64_t t, uint64_t lo, uint64_t hi, double x0, double w)
{
	if (t <= lo)
		return x0;
	if (t >= hi)
		return x0 + w;
	return x0 + w * (double)(t - lo) / (double)(hi - lo);
}

/* The timeline's plot: its time range, the entries per column and level, and where it is drawn. */
struct tl_plot {
	uint64_t lo, hi;			/* the time axis (at least 20 s) */
	uint32_t col[TL_COLS][TL_LEVELS];	/* entries per column and level */
	unsigned long top;			/* the tallest column */
	double	 x0, w, base;			/* left edge, width and baseline of the bars */
};

/* Folds the model's fine buckets into TL_COLS columns over a readable range. */
static void
tl_plot_init(struct tl_plot *p, const struct timeline *tl)
{
	size_t i, k;

	memset(p, 0, sizeof(*p));
	p->x0 = 250;
	p->w = TL_W - 270;
	p->base = 20 + TL_BAR_H;
	p->lo = tl->min;
	p->hi = tl->max;
	/* A short journal still gets a readable axis: at least 20 s, centred on its entries. */
	if (p->hi - p->lo < 20 * USEC_PER_SEC) {
		uint64_t pad = (20 * USEC_PER_SEC - (p->hi - p->lo)) / 2;

		p->lo = p->lo > pad ? p->lo - pad : 0;
		p->hi = p->hi + pad;
	}
	for (i = 0; i < TL_FINE; i++) {
		uint64_t t = tl->t0 + (uint64_t)((double)tl->width * (i + 0.5));
		size_t c;

		if (tl->n[i][0] + tl->n[i][1] + tl->n[i][2] + tl->n[i][3] == 0)
			continue;
		if (t < p->lo)
			t = p->lo;
		if (t > p->hi)
			t = p->hi;
		c = (size_t)((double)(t - p->lo) / (double)(p->hi - p->lo + 1) * TL_COLS);
		if (c >= TL_COLS)
			c = TL_COLS - 1;
		for (k = 0; k < TL_LEVELS; k++)
			p->col[c][k] += tl->n[i][k];
	}
	for (i = 0; i < TL_COLS; i++) {
		unsigned long sum = (unsigned long)p->col[i][0] + p->col[i][1] + p->col[i][2] + p->col[i][3];

		if (sum > p->top)
			p->top = sum;
	}
}

/* The axis, a stacked bar per column (one colour per level) and the times under it. */
static void
tl_bars(struct buf *b, const struct tl_plot *p)
{
	double x0 = p->x0, w = p->w, cw = w / TL_COLS, base = p->base;
	char t1[HTIME_MAX], t2[HTIME_MAX], t3[HTIME_MAX];
	size_t i, k;

	buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa5b1\"/>", x0, base, x0 + w, base);
	buf_printf(b, "<text x=\"%.1f\" y=\"24\" font-size=\"11\" fill=\"#5b6675\" text-anchor=\"end\">%lu</text>", x0 - 6, p->top);
	buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6675\" text-anchor=\"end\">0</text>", x0 - 6, base);
	for (i = 0; i < TL_COLS; i++) {
		double y = base;

		for (k = 0; k < TL_LEVELS; k++) {
			double hgt;

			if (p->col[i][k] == 0)
				continue;
			hgt = (double)p->col[i][k] / (double)p->top * TL_BAR_H;
			if (hgt < 1.5)
				hgt = 1.5;
			y -= hgt;
			buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%u %s</title></rect>",
			    x0 + i * cw + 0.5, y, cw - 1, hgt, level_color[k], p->col[i][k], level_label(k));
		}
	}
	buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6675\">", x0, base + 16);
	h(b, time_human(p->lo, t1));
	buf_printf(b, "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6675\" text-anchor=\"middle\">", x0 + w / 2, base + 16);
	h(b, time_human(p->lo + (p->hi - p->lo) / 2, t3));
	buf_printf(b, "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6675\" text-anchor=\"end\">", x0 + w, base + 16);
	h(b, time_human(p->hi, t2));
	buf_adds(b, "</text>");
}

/* One row per finding from the journal: its span and its evidence lines. */
static void
tl_spans(struct buf *b, const struct tl_plot *p, const struct analysis *a)
{
	double x0 = p->x0, w = p->w;
	char t1[HTIME_MAX], t2[HTIME_MAX];
	unsigned marks = 0;
	size_t i, k;

	for (i = 0; i < a->n_findings; i++) {
		const struct finding *f = &a->findings[i];
		double y = p->base + 34 + marks * 18, xa, xb;
		const char *c = sev_color[f->rule->severity < 4 ? f->rule->severity : 3];

		if (!f->first)
			continue;
		marks++;
		xa = tx(f->first, p->lo, p->hi, x0, w);
		xb = tx(f->last ? f->last : f->first, p->lo, p->hi, x0, w);
		buf_printf(b, "<g><title>%s: ", f->rule->id);
		h(b, time_human(f->first, t1));
		h(b, _(" to "));
		h(b, time_human(f->last ? f->last : f->first, t2));
		buf_printf(b, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\" stroke-linecap=\"round\" opacity=\".45\"/>",
		    xa, y, xb < xa + 1 ? xa + 1 : xb, y, c);
		for (k = 0; k < f->n_ev; k++)
			if (f->ev[k].time)
				buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>",
				    tx(f->ev[k].time, p->lo, p->hi, x0, w), y, c);
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\" text-anchor=\"end\">%s</text></g>",
		    x0 - 6, y + 4, c, f->rule->id);
	}
}

/* The agent's journal over time as an inline SVG (bars per level, a row per finding), and its legend. */
static void
timeline(struct buf *b, const struct report_view *v)
{
	const struct analysis *a = v->a;
	const struct timeline *tl = v->tl;
	struct tl_plot p;
	size_t i, k, rows = 0;

	buf_printf(b, "<h2 id=\"timeline\">%s</h2><div class=\"card tl\">", _("Timeline of the journal"));
	if (tl == NULL || tl->total == 0) {
		buf_printf(b, "<p>%s</p></div>", _("No journal entries with a timestamp in the bundle."));
		return;
	}
	tl_plot_init(&p, tl);
	for (i = 0; i < a->n_findings; i++)
		if (a->findings[i].first)
			rows++;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"%s\">",
	    TL_W, (size_t)p.base + 36 + rows * 18, _("journal entries over time"));
	tl_bars(b, &p);
	tl_spans(b, &p, a);
	buf_adds(b, "</svg><div class=\"legend\">");
	for (k = 0; k < TL_LEVELS; k++)
		buf_printf(b, "<span><span class=\"sw\" style=\"background:%s\"></span>%s</span>", level_color[k], level_label(k));
	buf_adds(b, "<span>");
	buf_printf(b, _("%lu entries; the agent's level word (error, warn, info) is used when the line has one"), tl->total);
	buf_adds(b, "</span></div></div>");
}

static void
kv_row(struct buf *b, const char *k, const char *v)
{
	buf_adds(b, "<tr><td>");
	h(b, k);
	buf_adds(b, "</td><td class=\"mono\">");
	h(b, v);
	buf_adds(b, "</td></tr>");
}

/* A unit property as text; *Timestamp properties (usec) as RFC 3339 too.  Free it. */
static char *
prop_text(const char *key, const json_t *v)
{
	size_t kl = strlen(key);
	char tb[RFC3339_MAX];

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (kl > 9 && strcmp(key + kl - 9, "Timestamp") == 0 && json_is_integer(v) && json_integer_value(v) > 0)
		return xasprintf("%s (%lld)", time_rfc3339((uint64_t)json_integer_value(v), false, tb),
		    (long long)json_integer_value(v));
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static void
unit_panel(struct buf *b, const struct report_view *view)
{
	static const char *const keys[] = {
		"LoadState", "ActiveState", "SubState", "Result", "NRestarts", "MainPID", "ExecMainStatus",
		"ExecMainCode", "UnitFileState", "FragmentPath", "ActiveEnterTimestamp", "InactiveEnterTimestamp",
	};
	const json_t *u = view->agent_unit, *v;
	const char *key;
	size_t i;

	buf_printf(b, "<details class=\"panel\" open><summary>%s" AGENT_UNIT "</summary>", _("Unit status: "));
	if (u == NULL) {
		buf_adds(b, "<p>");
		h(b, view->agent_state);
		buf_adds(b, "</p></details>");
		return;
	}
	buf_adds(b, "<table class=\"kv\"><tbody>");
	for (i = 0; i < ELEMENTSOF(keys); i++) {
		char *t;

		if ((v = json_object_get(u, keys[i])) == NULL)
			continue;
		t = prop_text(keys[i], v);
		kv_row(b, keys[i], t ? t : "");
		free(t);
	}
	buf_printf(b, "</tbody></table><details><summary>%s</summary><table class=\"kv\"><tbody>", _("Every property"));
	json_object_foreach((json_t *)u, key, v) {
		char *t = prop_text(key, v);

		kv_row(b, key, t ? t : "");
		free(t);
	}
	buf_adds(b, "</tbody></table></details></details>");
}

static void
config_panel(struct buf *b, const struct report_view *v)
{
	size_t i;

	buf_printf(b, "<details class=\"panel\"><summary>%s</summary>", _("Configuration (as collected, redacted)"));
	for (i = 0; i < v->n_config; i++) {
		const struct kfile *kf = v->config[i];

		buf_adds(b, "<h4>");
		h(b, kf->path + 6);
		buf_adds(b, "</h4><pre class=\"card\">");
		hn(b, kf->data, kf->len);
		buf_adds(b, "</pre>");
	}
	if (v->n_config == 0)
		buf_printf(b, "<p>%s</p>", _("No configuration file in the bundle."));
	buf_adds(b, "</details>");
}

/* The collector's probes (resolve, TCP connect) as a table, or why there are none. */
static void
probes(struct buf *b, const struct report_view *v)
{
	const json_t *pj = v->probes, *p;
	size_t i;

	buf_printf(b, "<h4>%s</h4>", _("The collector's probes"));
	if (json_array_size(json_object_get(pj, "probes")) == 0) {
		const char *d = v->probes_detail;

		buf_printf(b, "<p>%s", _("No probe results"));
		if (d) {
			buf_adds(b, _(": "));
			h(b, d);
		}
		buf_printf(b, "%s</p>", _("."));
	} else {
		buf_adds(b, _("<table><thead><tr><th>Host</th><th>Port</th><th>Resolve</th><th>Addresses</th><th>TCP connect</th></tr></thead><tbody>"));
		json_array_foreach(json_object_get(pj, "probes"), i, p) {
			const json_t *res = json_object_get(p, "resolve"), *x;
			size_t k;

			buf_adds(b, "<tr><td class=\"mono\">");
			h(b, json_string_value(json_object_get(p, "host")));
			buf_printf(b, "</td><td>%lld</td><td>", (long long)json_integer_value(json_object_get(p, "port")));
			if (json_is_true(json_object_get(res, "ok")))
				buf_printf(b, "<span class=\"ok\">%s</span>", C_("probe", "ok"));
			else {
				buf_printf(b, "<span class=\"bad\">%s</span> ", C_("probe", "failed"));
				h(b, json_string_value(json_object_get(res, "error")));
			}
			buf_adds(b, "</td><td class=\"mono\">");
			json_array_foreach(json_object_get(res, "addresses"), k, x) {
				if (k)
					buf_adds(b, ", ");
				h(b, json_string_value(x));
			}
			buf_adds(b, "</td><td>");
			json_array_foreach(json_object_get(p, "connect"), k, x) {
				if (k)
					buf_adds(b, "<br>");
				h(b, json_string_value(json_object_get(x, "address")));
				if (json_is_true(json_object_get(x, "ok")))
					buf_printf(b, " <span class=\"ok\">%s</span>", C_("probe", "ok"));
				else
					buf_printf(b, " <span class=\"bad\">%s</span> ", C_("probe", "failed"));
				h(b, json_string_value(json_object_get(x, "error")));
			}
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table>");
	}
}

static void
resolver_panel(struct buf *b, const struct report_view *v)
{
	const struct kfile *kf = v->resolv_conf;
	size_t i;

	buf_printf(b, "<details class=\"panel\" open><summary>%s</summary>", _("Resolver and probes"));
	if (kf != NULL) {
		buf_adds(b, "<h4>resolv.conf</h4><pre class=\"card\">");
		hn(b, kf->data, kf->len);
		buf_adds(b, "</pre>");
	} else
		buf_printf(b, "<p>%s</p>", _("resolv.conf is not in the bundle."));
	for (i = 0; i < v->n_resolver; i++) {
		buf_adds(b, "<details><summary>");
		h(b, v->resolver[i]->path + 9);
		buf_adds(b, "</summary><pre class=\"card\">");
		hn(b, v->resolver[i]->data, v->resolver[i]->len);
		buf_adds(b, "</pre></details>");
	}
	probes(b, v);
	buf_adds(b, "</details>");
}

/* The manifest's entries, each verified or with its problem, then problems with files it does not list. */
static void
entries_table(struct buf *b, const struct report_view *v)
{
	size_t i;

	buf_printf(b, "</tbody></table><h4>%s</h4><table><thead>%s</thead><tbody>", _("Entries (SHA-256 checked while reading)"),
	    _("<tr><th>Path</th><th>Size</th><th>SHA-256</th><th>Check</th></tr>"));
	for (i = 0; i < v->n_entries; i++) {
		const struct view_entry *e = &v->entries[i];

		buf_adds(b, "<tr><td class=\"mono\">");
		h(b, e->path);
		buf_printf(b, "</td><td>%lld</td><td class=\"mono\" title=\"", e->size);
		h(b, e->sha256);
		buf_adds(b, "\">");
		if (e->sha256 != NULL)
			hn(b, e->sha256, strlen(e->sha256) > 16 ? 16 : strlen(e->sha256));
		buf_adds(b, "&#8230;</td><td>");
		if (e->problem) {
			buf_adds(b, "<span class=\"bad\">");
			h(b, e->problem);
			buf_adds(b, "</span>");
		} else
			buf_printf(b, "<span class=\"ok\">%s</span>", _("verified"));
		buf_adds(b, "</td></tr>");
	}
	for (i = 0; i < v->n_integrity; i++) {
		buf_adds(b, "<tr><td class=\"mono\">");
		h(b, v->integrity[i].path);
		buf_adds(b, "</td><td></td><td></td><td><span class=\"bad\">");
		h(b, v->integrity[i].problem);
		buf_adds(b, "</span></td></tr>");
	}
}

/* The manifest's redactions: per file, how many values and by which rule. */
static void
redactions_table(struct buf *b, const struct report_view *v)
{
	const json_t *x;
	const char *key;
	size_t i;

	buf_printf(b, "</tbody></table><h4>%s</h4>", _("Redactions (values never stored)"));
	if (v->n_redactions == 0)
		buf_printf(b, "<p>%s</p>", _("None recorded."));
	else {
		buf_printf(b, "<table><thead>%s</thead><tbody>", _("<tr><th>File</th><th>Values</th><th>By rule</th></tr>"));
		for (i = 0; i < v->n_redactions; i++) {
			bool first = true;

			buf_adds(b, "<tr><td class=\"mono\">");
			h(b, v->redactions[i].path);
			buf_printf(b, "</td><td>%lld</td><td>", v->redactions[i].count);
			json_object_foreach((json_t *)v->redactions[i].rules, key, x) {
				buf_adds(b, first ? "" : ", ");
				h(b, key);
				buf_printf(b, " %lld", (long long)json_integer_value(x));
				first = false;
			}
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table>");
	}
}

static void
manifest_panel(struct buf *b, const struct report_view *v)
{
	size_t i;

	buf_printf(b, "<details class=\"panel\"><summary>%s</summary><h4>%s</h4><table><thead>%s</thead><tbody>",
	    _("Manifest: sources, entries, redactions"), _("Sources"),
	    _("<tr><th>Source</th><th>Status</th><th>Detail</th></tr>"));
	for (i = 0; i < v->n_sources; i++) {
		const struct view_source *s = &v->sources[i];

		buf_adds(b, "<tr><td class=\"mono\">");
		h(b, s->name);
		buf_printf(b, "</td><td class=\"%s\">", s->status && strcmp(s->status, "ok") == 0 ? "ok" : "bad");
		h(b, s->label);
		buf_adds(b, "</td><td>");
		h(b, s->detail);
		buf_adds(b, "</td></tr>");
	}
	entries_table(b, v);
	redactions_table(b, v);
	if (v->n_gaps > v->n_gap_sources) {
		buf_printf(b, "<h4>%s</h4><ul>", _("Not collected on purpose (secrets)"));
		for (i = v->n_gap_sources; i < v->n_gaps; i++) {
			buf_adds(b, "<li><code>");
			h(b, v->gaps[i].source);
			buf_printf(b, "</code>%s", _(": "));
			h(b, v->gaps[i].detail);
			buf_adds(b, "</li>");
		}
		buf_adds(b, "</ul>");
	}
	buf_adds(b, "</details>");
}

/* The document's head (CSP, no script, the styles) and the dark band: host, collection time, agent, bundle. */
static void
page_head(struct buf *b, const struct report_view *v)
{
	static const char *const agent_class[] = {
		[AGENT_UNKNOWN] = "unknown", [AGENT_GOOD] = "good", [AGENT_BAD] = "bad",
	};

	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">", lang_tag(lang_get()));
	buf_adds(b, ""
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
	    "<meta name=\"referrer\" content=\"no-referrer\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	h(b, _("Triage report: "));
	h(b, v->hostname ? v->hostname : _("unknown host"));
	buf_printf(b, "</title><style>%s%s</style></head><body>\n", css, lang_get() == LANG_ZH ? css_zh : "");

	buf_adds(b, "<div class=\"top\"><main><h1>");
	h(b, _("Triage report: "));
	h(b, v->hostname ? v->hostname : _("unknown host"));
	buf_adds(b, "</h1><div class=\"meta\"><span>");
	h(b, _("Collected "));
	buf_adds(b, "<b>");
	h(b, v->collected_at ? v->collected_human : _("unknown"));
	buf_adds(b, "</b></span><span>");
	h(b, _("Agent "));
	buf_printf(b, "<span class=\"state %s\">", agent_class[v->agent]);
	h(b, v->agent_state);
	buf_adds(b, "</span></span><span>");
	h(b, _("Bundle "));
	buf_adds(b, "<b class=\"mono\">");
	/* the bundle's file name: the analyst's folders are not the reader's business */
	if (strcmp(v->bundle_path, "-") == 0)
		h(b, _("standard input"));
	else {
		_cleanup_free_ char *p = xstrdup(v->bundle_path);
		size_t l = strlen(p);

		while (l > 1 && p[l - 1] == '/')
			p[--l] = '\0';
		h(b, strrchr(p, '/') && strrchr(p, '/')[1] ? strrchr(p, '/') + 1 : p);
	}
	buf_adds(b, "</b></span></div></main></div><main>\n");
}

/* A tile per severity with its count, then the verdict or a table of contents of the findings. */
static void
overview(struct buf *b, const struct report_view *v)
{
	const struct analysis *a = v->a;
	size_t i;

	buf_adds(b, "<div class=\"tiles\">");
	for (i = 0; i < SEV_NONE; i++)
		buf_printf(b, "<div class=\"tile %s%s\"><div class=\"n\">%u</div><div class=\"l\">%s</div></div>",
		    severity_name((enum severity)i), v->counts[i] ? "" : " zero", v->counts[i],
		    severity_label((enum severity)i));
	buf_adds(b, "</div>");
	if (a->n_findings == 0) {
		buf_printf(b, "<p class=\"verdict\">%s</p>", _("No findings: none of the rules matched this bundle."));
		return;
	}
	buf_adds(b, "<ol class=\"toc\">");
	for (i = 0; i < a->n_findings; i++) {
		buf_printf(b, "<li><span class=\"badge %s\">%s</span> <a href=\"#f%zu\">",
		    sev_class(a->findings[i].rule->severity), severity_label(a->findings[i].rule->severity), i + 1);
		h(b, rule_title(a->findings[i].rule));
		buf_printf(b, "</a> <span class=\"rid\">%s &#183; %lu</span></li>", a->findings[i].rule->id,
		    a->findings[i].count);
	}
	buf_adds(b, "</ol>");
}

/* The rules not evaluated, what the collector could not collect (sources), and the engine's notes. */
static void
gaps_and_notes(struct buf *b, const struct report_view *v)
{
	const struct analysis *a = v->a;
	size_t i;

	if (a->n_not_eval > 0) {
		buf_printf(b, "<h2>%s</h2><div class=\"card\"><table><thead>%s</thead><tbody>", _("Not evaluated"),
		    _("<tr><th>Rule</th><th>Why</th></tr>"));
		for (i = 0; i < a->n_not_eval; i++) {
			buf_printf(b, "<tr><td class=\"mono\">%s</td><td>", a->not_eval[i].rule->id);
			h(b, a->not_eval[i].reason);
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table></div>");
	}
	/* Files skipped on purpose are in the manifest panel. */
	if (v->n_gap_sources > 0) {
		buf_printf(b, "<h2>%s</h2><div class=\"card\"><table><thead>%s</thead><tbody>",
		    _("What the collector could not collect"), _("<tr><th>Source</th><th>Status</th><th>Detail</th></tr>"));
		for (i = 0; i < v->n_gap_sources; i++) {
			buf_adds(b, "<tr><td class=\"mono\">");
			h(b, v->gaps[i].source);
			buf_adds(b, "</td><td>");
			h(b, v->gaps[i].label);
			buf_adds(b, "</td><td>");
			h(b, v->gaps[i].detail);
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table></div>");
	}
	if (a->n_notes > 0) {
		buf_printf(b, "<h2>%s</h2><div class=\"card\"><ul>", _("Notes"));
		for (i = 0; i < a->n_notes; i++) {
			buf_adds(b, "<li>");
			h(b, a->notes[i]);
			buf_adds(b, "</li>");
		}
		buf_adds(b, "</ul></div>");
	}
}

int
report_html(FILE *out, const struct report_view *v)
{
	const struct analysis *a = v->a;
	struct buf b = { 0 };
	size_t i;

	page_head(&b, v);
	html_support_head(&b, v);
	overview(&b, v);
	timeline(&b, v);
	if (a->n_findings > 0) {
		buf_printf(&b, "<h2 id=\"findings\">%s</h2>\n", _("Findings"));
		for (i = 0; i < a->n_findings; i++) {
			finding_html(&b, &a->findings[i], i + 1);
			buf_addc(&b, '\n');
		}
	}
	html_support_sections(&b, v);
	gaps_and_notes(&b, v);

	buf_printf(&b, "<h2>%s</h2>\n", _("What the bundle holds"));
	report_ecs(&b, v, /* html= */ true);
	unit_panel(&b, v);
	resolver_panel(&b, v);
	config_panel(&b, v);
	manifest_panel(&b, v);
	buf_adds(&b, "<footer>");
	buf_printf(&b, _("Generated by triage-analyze %s. This file is self-contained: no script, no external resource."),
	    TRIAGE_VERSION);
	html_support_footer(&b, v);
	buf_adds(&b, "</footer></main></body></html>\n");
	if (fwrite(b.data, 1, b.len, out) != b.len) {
		buf_free(&b);
		return -EIO;
	}
	buf_free(&b);
	return 0;
}
