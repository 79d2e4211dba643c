/* view.c: what every report shows, prepared once from the analysis, the model and the manifest (the writers read only this). */
#include <string.h>

#include "analyze.h"

/* True when the rule reads AWS ECS documents (an `ecs:` condition anywhere in its `when`). */
static bool
reads_ecs(const struct cond *c)
{
	size_t i;

	if (c == NULL)
		return false;
	if (c->kind == COND_ECS)
		return true;
	for (i = 0; i < c->n_kids; i++)
		if (reads_ecs(c->kids[i]))
			return true;
	return false;
}

static void
add_gap(struct report_view *v, const char *source, const char *status, const char *label, const char *detail,
    bool skipped)
{
	struct view_gap *g;

	v->gaps = xreallocarray(v->gaps, v->n_gaps + 1, sizeof(*v->gaps));
	g = &v->gaps[v->n_gaps++];
	g->source = source;
	g->status = status;
	g->label = label;
	g->detail = detail;
	g->skipped = skipped;
}

/* The manifest's sources (each once) and what could not be collected: sources not ok, then files skipped. */
static void
view_sources(struct report_view *v, const json_t *manifest)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(manifest, "sources"), i, s) {
		const char *st = json_string_value(json_object_get(s, "status"));
		struct view_source *vs;

		v->sources = xreallocarray(v->sources, v->n_sources + 1, sizeof(*v->sources));
		vs = &v->sources[v->n_sources++];
		vs->name = json_string_value(json_object_get(s, "name"));
		vs->status = st;
		vs->label = source_status_label(st);
		vs->detail = json_string_value(json_object_get(s, "detail"));
		if (st != NULL && strcmp(st, "ok") != 0) {
			add_gap(v, vs->name, st, vs->label, vs->detail, /* skipped= */ false);
			v->n_gap_sources++;
		}
	}
	json_array_foreach(json_object_get(manifest, "skipped"), i, s)
		add_gap(v, json_string_value(json_object_get(s, "path")), "skipped", _("skipped"),
		    json_string_value(json_object_get(s, "reason")), /* skipped= */ true);
}

/* The problem found with an entry while reading, or NULL. */
static const char *
entry_problem(const struct model *m, const char *path)
{
	size_t i;

	for (i = 0; path != NULL && i < m->n_integrity; i++)
		if (strcmp(m->integrity[i].path, path) == 0)
			return m->integrity[i].problem;
	return NULL;
}

/* The manifest's entries with their integrity, and its redactions. */
static void
view_entries(struct report_view *v, const struct model *m)
{
	const json_t *e;
	size_t i;

	v->n_entries = json_array_size(json_object_get(m->manifest, "entries"));
	v->entries = xcalloc(v->n_entries ? v->n_entries : 1, sizeof(*v->entries));
	json_array_foreach(json_object_get(m->manifest, "entries"), i, e) {
		v->entries[i].path = json_string_value(json_object_get(e, "path"));
		v->entries[i].size = (long long)json_integer_value(json_object_get(e, "size"));
		v->entries[i].sha256 = json_string_value(json_object_get(e, "sha256"));
		v->entries[i].problem = entry_problem(m, v->entries[i].path);
	}
	v->n_redactions = json_array_size(json_object_get(m->manifest, "redactions"));
	v->redactions = xcalloc(v->n_redactions ? v->n_redactions : 1, sizeof(*v->redactions));
	json_array_foreach(json_object_get(m->manifest, "redactions"), i, e) {
		v->redactions[i].path = json_string_value(json_object_get(e, "path"));
		v->redactions[i].count = (long long)json_integer_value(json_object_get(e, "count"));
		v->redactions[i].rules = json_object_get(e, "rules");
	}
}

struct ecs_rows {
	struct view_ecs_row *rows;
	size_t	 n;
};

static void
ecs_row(const char *section, const char *key, const char *value, void *ud)
{
	struct ecs_rows *r = ud;

	r->rows = xreallocarray(r->rows, r->n + 1, sizeof(*r->rows));
	r->rows[r->n].section = xstrdup(section);
	r->rows[r->n].key = xstrdup(key);
	r->rows[r->n].value = xstrdup(value);
	r->n++;
}

/* The AWS ECS state, in the report's language and in English (the JSON report's kinds are keys). */
static void
view_ecs(struct report_view *v, struct model *m)
{
	struct ecs_rows r = { 0 };
	enum lang l = lang_get();

	/* The records are built on first use and cached in the model. */
	ecs_summary(m, ecs_row, &r);
	v->ecs = r.rows;
	v->n_ecs = r.n;
	memset(&r, 0, sizeof(r));
	lang_set(LANG_EN);
	ecs_summary(m, ecs_row, &r);
	lang_set(l);
	v->ecs_en = r.rows;
	v->n_ecs_en = r.n;
}

/* "ID\tFILE" of rs->replaced, split once. */
static void
view_replaced(struct report_view *v, const struct ruleset *rs)
{
	size_t i;

	if (rs == NULL || rs->n_replaced == 0)
		return;
	v->replaced = xcalloc(rs->n_replaced, sizeof(*v->replaced));
	for (i = 0; i < rs->n_replaced; i++) {
		const char *tab = strchr(rs->replaced[i], '\t');

		v->replaced[i].rule = xstrndup(rs->replaced[i], (size_t)(tab - rs->replaced[i]));
		v->replaced[i].file = tab + 1;
	}
	v->n_replaced = rs->n_replaced;
}

/* The bundle's collection time for people: the manifest's own text in English, the language's time format otherwise. */
static const char *
collected_human(const struct model *m, char buf[static HTIME_MAX])
{
	uint64_t t;

	if (m->collected_at == NULL)
		return NULL;
	if (lang_get() == LANG_EN || time_parse_rfc3339(m->collected_at, &t) < 0 || t == 0)
		return m->collected_at;
	return time_human(t, buf);
}

/* What the HTML's panels show of the bundle: the unit, config and resolver files, the probes. */
static void
view_files(struct report_view *v, const struct model *m)
{
	const struct kfile *kf;
	size_t i;

	v->integrity = m->integrity;
	v->n_integrity = m->n_integrity;
	v->tl = m->tl_used ? &m->tl : NULL;
	v->agent_unit = model_unit(m, AGENT_UNIT);
	v->config = xcalloc(m->n_files ? m->n_files : 1, sizeof(*v->config));
	v->resolver = xcalloc(m->n_files ? m->n_files : 1, sizeof(*v->resolver));
	for (i = 0; i < m->n_files; i++) {
		kf = &m->files[i];
		if (BUNDLE_IN_DIR(kf->path, BUNDLE_DIR_CONFIG))
			v->config[v->n_config++] = kf;
		else if (BUNDLE_IN_DIR(kf->path, BUNDLE_DIR_RESOLVER) && strcmp(kf->path, BUNDLE_PATH_RESOLV_CONF) != 0 &&
		    strcmp(kf->path, BUNDLE_PATH_PROBES) != 0)
			v->resolver[v->n_resolver++] = kf;
	}
	v->resolv_conf = model_file(m, BUNDLE_PATH_RESOLV_CONF);
	if ((kf = model_file(m, BUNDLE_PATH_PROBES)) != NULL)
		v->probes = json_loadb(kf->data, kf->len, JSON_REJECT_DUPLICATES, NULL);
	for (i = 0; i < v->n_sources; i++) {
		const char *sn = v->sources[i].name;

		if (sn != NULL && (strcmp(sn, "probes") == 0 || strncmp(sn, "probe/", 6) == 0)) {
			v->probes_detail = v->sources[i].detail;
			break;
		}
	}
}

struct report_view *
report_view_new(const struct analysis *a)
{
	struct report_view *v = xcalloc(1, sizeof(*v));
	const struct model *m = a->m;
	const json_t *u = model_unit(m, AGENT_UNIT);
	const char *active = json_string_value(json_object_get(u, "ActiveState"));
	bool ecs;
	size_t i;

	v->a = a;
	v->hostname = m->hostname;
	v->collected_at = m->collected_at;
	v->collected_human = collected_human(m, v->collected_buf);
	v->bundle_path = m->bundle_path;
	v->agent_state = agent_state(m);
	v->agent = u == NULL ? AGENT_UNKNOWN : active && strcmp(active, "active") == 0 ? AGENT_GOOD : AGENT_BAD;
	for (i = 0; i < a->n_findings; i++) {
		v->counts[a->findings[i].rule->severity]++;
		if (a->findings[i].change == CHANGE_NEW)
			v->n_new++;
		else if (a->findings[i].change == CHANGE_PERSISTING)
			v->n_persisting++;
	}
	/* The baseline was collected after the bundle: said, since "resolved" then reads backwards. */
	v->baseline_later = a->baseline != NULL && a->baseline->collected_at != NULL && m->collected_at != NULL &&
	    strcmp(a->baseline->collected_at, m->collected_at) > 0;
	view_sources(v, m->manifest);
	view_entries(v, m);
	view_files(v, m);
	view_replaced(v, m->rs);
	view_ecs(v, (struct model *)m);
	ecs = model_is_ecs((struct model *)m);
	if (a->n_not_eval > 0)
		v->not_eval_ecs = xcalloc(a->n_not_eval, sizeof(*v->not_eval_ecs));
	for (i = 0; i < a->n_not_eval; i++)
		if (!ecs && reads_ecs(a->not_eval[i].rule->when)) {
			v->not_eval_ecs[i] = true;
			v->n_not_eval_ecs++;
		}
	return v;
}

static void
ecs_rows_free(struct view_ecs_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].section);
		free(rows[i].key);
		free(rows[i].value);
	}
	free(rows);
}

void
report_view_free(struct report_view *v)
{
	size_t i;

	if (v == NULL)
		return;
	free(v->agent_state);
	free(v->sources);
	free(v->gaps);
	free(v->entries);
	free(v->redactions);
	for (i = 0; i < v->n_replaced; i++)
		free(v->replaced[i].rule);
	free(v->replaced);
	ecs_rows_free(v->ecs, v->n_ecs);
	ecs_rows_free(v->ecs_en, v->n_ecs_en);
	free(v->not_eval_ecs);
	free(v->config);
	free(v->resolver);
	json_decref(v->probes);
	free(v);
}
