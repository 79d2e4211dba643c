/* ecs.c: the bundle's AWS ECS documents as flat records the `ecs` condition, messages and reports read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cleanup.h"
#include "ecsdoc.h"
#include "i18n.h"

/* One document kept: its kind, path and parse. */
struct ecs_docref {
	const char *path;	/* bundle path (borrowed from the model) */
	int	 kind;		/* enum ecs_doc */
	json_t	*doc;		/* parsed, or NULL when it does not parse */
};

/* Every record, built once per model. */
struct ecs_model {
	struct ecs_record *recs[_ECS_REC_MAX];
	size_t	 n[_ECS_REC_MAX];
	bool	 have[_ECS_DOC_MAX];	/* a readable document of the kind is in the bundle */
	char	*why[_ECS_DOC_MAX];	/* why the kind is not known (bad integrity, unparsable), or NULL */
	char	**pool;			/* strings handed out by ecs_intern() */
	size_t	 n_pool;
	json_t	*docs;			/* the parsed documents (own references) */
};

const char *
ecs_field(const struct ecs_record *rec, const char *name)
{
	for (size_t i = 0; i < rec->n; i++)
		if (strcmp(rec->names[i], name) == 0)
			return rec->values[i];
	return NULL;
}

static void
rec_set(struct ecs_record *rec, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	rec->names = xreallocarray(rec->names, rec->n + 1, sizeof(char *));
	rec->values = xreallocarray(rec->values, rec->n + 1, sizeof(char *));
	rec->names[rec->n] = xstrdup(name);
	/*
	 * Values are regex subjects: PCRE2's JIT reads up to 16 bytes at a time and may read past a
	 * subject's end; padding keeps those reads inside the allocation (valgrind-clean).
	 */
	{
		size_t len = strlen(value);
		char *v = xcalloc(1, len + 1 + 32);

		memcpy(v, value, len);
		rec->values[rec->n] = v;
	}
	rec->n++;
}

/* A JSON scalar as text: strings as they are, numbers in decimal, booleans as true/false. */
static void
rec_json(struct ecs_record *rec, const char *name, const json_t *v)
{
	char tmp[64];

	if (json_is_string(v))
		rec_set(rec, name, json_string_value(v));
	else if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
		rec_set(rec, name, tmp);
	} else if (json_is_real(v)) {
		snprintf(tmp, sizeof(tmp), "%.15g", json_real_value(v));
		rec_set(rec, name, tmp);
	} else if (json_is_boolean(v))
		rec_set(rec, name, json_is_true(v) ? "true" : "false");
}

static struct ecs_record *
rec_new(struct ecs_model *em, enum ecs_rec type, const char *path, const json_t *t)
{
	struct ecs_record *rec;
	uint64_t usec;

	em->recs[type] = xreallocarray(em->recs[type], em->n[type] + 1, sizeof(*em->recs[type]));
	rec = &em->recs[type][em->n[type]++];
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	rec->source = path;
	if (t != NULL && ecs_time(t, false, &usec) == 0)
		rec->time = usec;
	return rec;
}

/* "family:revision" from a task definition ARN (or the string itself). */
static const char *
td_short(const char *arn)
{
	return arn ? ecs_arn_tail(arn) : NULL;
}

static const char *
js(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
build_services(struct ecs_model *em, const char *path, const json_t *d)
{
	const json_t *s, *x;
	size_t i, k;

	json_array_foreach(json_object_get(d, "services"), i, s) {
		/* No time: when the service was created says nothing about a finding. */
		struct ecs_record *r = rec_new(em, ECS_REC_SERVICE, path, NULL);
		const char *svc = js(s, "serviceName");

		rec_set(r, "service", svc);
		rec_json(r, "status", json_object_get(s, "status"));
		rec_json(r, "desiredCount", json_object_get(s, "desiredCount"));
		rec_json(r, "runningCount", json_object_get(s, "runningCount"));
		rec_json(r, "pendingCount", json_object_get(s, "pendingCount"));
		rec_set(r, "taskDefinition", td_short(js(s, "taskDefinition")));
		rec_json(r, "launchType", json_object_get(s, "launchType"));
		rec_set(r, "cluster", js(s, "clusterArn") ? ecs_arn_tail(js(s, "clusterArn")) : NULL);
		json_array_foreach(json_object_get(s, "deployments"), k, x) {
			struct ecs_record *dr = rec_new(em, ECS_REC_DEPLOYMENT, path, json_object_get(x, "updatedAt"));

			rec_set(dr, "service", svc);
			rec_json(dr, "deployment", json_object_get(x, "id"));
			rec_json(dr, "status", json_object_get(x, "status"));
			rec_json(dr, "rolloutState", json_object_get(x, "rolloutState"));
			rec_json(dr, "rolloutStateReason", json_object_get(x, "rolloutStateReason"));
			rec_json(dr, "failedTasks", json_object_get(x, "failedTasks"));
			rec_json(dr, "desiredCount", json_object_get(x, "desiredCount"));
			rec_json(dr, "runningCount", json_object_get(x, "runningCount"));
			rec_json(dr, "pendingCount", json_object_get(x, "pendingCount"));
			rec_set(dr, "taskDefinition", td_short(js(x, "taskDefinition")));
		}
		json_array_foreach(json_object_get(s, "events"), k, x) {
			struct ecs_record *er = rec_new(em, ECS_REC_EVENT, path, json_object_get(x, "createdAt"));

			rec_set(er, "service", svc);
			rec_json(er, "message", json_object_get(x, "message"));
		}
	}
	json_array_foreach(json_object_get(d, "failures"), i, s) {
		struct ecs_record *r = rec_new(em, ECS_REC_SERVICE_FAILURE, path, NULL);

		rec_set(r, "service", js(s, "arn") ? ecs_arn_tail(js(s, "arn")) : NULL);
		rec_json(r, "arn", json_object_get(s, "arn"));
		rec_json(r, "reason", json_object_get(s, "reason"));
		rec_json(r, "detail", json_object_get(s, "detail"));
	}
}

/* The task role a task's overrides set, or NULL. */
static const char *
task_role_override(const json_t *t)
{
	return js(json_object_get(t, "overrides"), "taskRoleArn");
}

static void
build_tasks(struct ecs_model *em, const char *path, const json_t *d)
{
	const json_t *t, *c;
	size_t i, k;

	json_array_foreach(json_object_get(d, "tasks"), i, t) {
		const json_t *when = json_object_get(t, "stoppedAt");
		struct ecs_record *r;
		const char *id = js(t, "taskArn") ? ecs_arn_tail(js(t, "taskArn")) : NULL;
		const char *group = js(t, "group");
		const char *svc = group && strncmp(group, "service:", 8) == 0 ? group + 8 : NULL;

		if (when == NULL)
			when = json_object_get(t, "startedAt");
		if (when == NULL)
			when = json_object_get(t, "createdAt");
		r = rec_new(em, ECS_REC_TASK, path, when);
		rec_set(r, "task", id);
		rec_set(r, "service", svc);
		rec_json(r, "lastStatus", json_object_get(t, "lastStatus"));
		rec_json(r, "desiredStatus", json_object_get(t, "desiredStatus"));
		rec_json(r, "healthStatus", json_object_get(t, "healthStatus"));
		rec_json(r, "stopCode", json_object_get(t, "stopCode"));
		rec_json(r, "stoppedReason", json_object_get(t, "stoppedReason"));
		rec_set(r, "taskDefinition", td_short(js(t, "taskDefinitionArn")));
		rec_set(r, "taskRoleOverride", task_role_override(t));
		rec_json(r, "startedBy", json_object_get(t, "startedBy"));
		json_array_foreach(json_object_get(t, "containers"), k, c) {
			struct ecs_record *cr = rec_new(em, ECS_REC_CONTAINER, path, when);

			rec_set(cr, "task", id);
			rec_set(cr, "service", svc);
			rec_json(cr, "container", json_object_get(c, "name"));
			rec_json(cr, "lastStatus", json_object_get(c, "lastStatus"));
			rec_json(cr, "exitCode", json_object_get(c, "exitCode"));
			rec_json(cr, "reason", json_object_get(c, "reason"));
			rec_json(cr, "healthStatus", json_object_get(c, "healthStatus"));
			rec_json(cr, "stopCode", json_object_get(t, "stopCode"));
			rec_json(cr, "stoppedReason", json_object_get(t, "stoppedReason"));
			rec_set(cr, "taskDefinition", td_short(js(t, "taskDefinitionArn")));
			rec_json(cr, "taskLastStatus", json_object_get(t, "lastStatus"));
		}
	}
	json_array_foreach(json_object_get(d, "failures"), i, t) {
		struct ecs_record *r = rec_new(em, ECS_REC_TASK_FAILURE, path, NULL);

		rec_set(r, "task", js(t, "arn") ? ecs_arn_tail(js(t, "arn")) : NULL);
		rec_json(r, "arn", json_object_get(t, "arn"));
		rec_json(r, "reason", json_object_get(t, "reason"));
		rec_json(r, "detail", json_object_get(t, "detail"));
	}
}

static void
build_taskdef(struct ecs_model *em, const char *path, const json_t *d)
{
	const json_t *td = json_object_get(d, "taskDefinition"), *c, *e;
	_cleanup_free_ char *name = NULL;
	struct buf names = { 0 };
	struct ecs_record *r;
	size_t i, k;

	if (js(td, "family") && json_is_integer(json_object_get(td, "revision")))
		name = xasprintf("%s:%lld", js(td, "family"), (long long)json_integer_value(json_object_get(td, "revision")));
	else if (js(td, "taskDefinitionArn"))
		name = xstrdup(td_short(js(td, "taskDefinitionArn")));
	else if (js(td, "family"))
		name = xstrdup(js(td, "family"));
	/* No time: when it was registered says nothing about a finding. */
	r = rec_new(em, ECS_REC_TASK_DEFINITION, path, NULL);
	rec_set(r, "taskDefinition", name);
	rec_json(r, "family", json_object_get(td, "family"));
	rec_json(r, "revision", json_object_get(td, "revision"));
	rec_json(r, "taskRoleArn", json_object_get(td, "taskRoleArn"));
	rec_json(r, "executionRoleArn", json_object_get(td, "executionRoleArn"));
	rec_json(r, "networkMode", json_object_get(td, "networkMode"));
	json_array_foreach(json_object_get(td, "containerDefinitions"), i, c) {
		struct ecs_record *cr = rec_new(em, ECS_REC_CONTAINER_DEFINITION, path, NULL);
		const json_t *lc = json_object_get(c, "logConfiguration");

		buf_printf(&names, "%s%s", names.len ? ", " : "", js(c, "name") ? js(c, "name") : "?");
		rec_set(cr, "taskDefinition", name);
		rec_json(cr, "container", json_object_get(c, "name"));
		rec_json(cr, "image", json_object_get(c, "image"));
		rec_json(cr, "user", json_object_get(c, "user"));
		/* An omitted essential means essential. */
		rec_set(cr, "essential", json_is_false(json_object_get(c, "essential")) ? "false" : "true");
		rec_json(cr, "logDriver", json_object_get(lc, "logDriver"));
		rec_json(cr, "awslogsGroup", json_object_get(json_object_get(lc, "options"), "awslogs-group"));
		rec_set(cr, "healthCheck", json_is_object(json_object_get(c, "healthCheck")) ? "true" : NULL);
		json_array_foreach(json_object_get(c, "environment"), k, e)
			if (js(e, "name")) {
				_cleanup_free_ char *f = xasprintf("env:%s", js(e, "name"));

				rec_set(cr, f, "environment");
			}
		json_array_foreach(json_object_get(c, "secrets"), k, e)
			if (js(e, "name")) {
				_cleanup_free_ char *f = xasprintf("env:%s", js(e, "name"));

				rec_set(cr, f, "secrets");
			}
	}
	rec_set(r, "containers", names.data);
	buf_free(&names);
}

/* A task role override of any described task of this definition (tasks are built first). */
static void
link_overrides(struct ecs_model *em)
{
	for (size_t i = 0; i < em->n[ECS_REC_TASK_DEFINITION]; i++) {
		struct ecs_record *td = &em->recs[ECS_REC_TASK_DEFINITION][i];
		const char *name = ecs_field(td, "taskDefinition");

		for (size_t k = 0; k < em->n[ECS_REC_TASK]; k++) {
			const struct ecs_record *t = &em->recs[ECS_REC_TASK][k];
			const char *o = ecs_field(t, "taskRoleOverride"), *tn = ecs_field(t, "taskDefinition");

			if (o && name && tn && strcmp(name, tn) == 0 && ecs_field(td, "taskRoleOverride") == NULL)
				rec_set(td, "taskRoleOverride", o);
		}
	}
}

/* The model's ECS records, built on first use. */
static struct ecs_model *
ecs_model(struct model *m)
{
	struct ecs_model *em = m->ecs;
	int pass;

	if (em != NULL)
		return em;
	em = m->ecs = xcalloc(1, sizeof(*em));
	em->docs = json_array();
	/* Tasks before task definitions, so a definition learns its tasks' overrides. */
	for (pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < m->n_files; i++) {
			struct kfile *kf = &m->files[i];
			int kind = ecs_path_kind(kf->path);
			json_t *d;

			if (kind < 0 || (pass == 0) != (kind == ECS_DESCRIBE_TASKS) ||
			    (pass == 2) != (kind == ECS_DESCRIBE_TASK_DEFINITION))
				continue;
			if (kf->verdict != BR_VERIFIED && kf->verdict != BR_PENDING) {
				if (em->why[kind] == NULL)
					em->why[kind] = xasprintf(_("%s failed the integrity check (%s)"), kf->path,
					    br_verdict_name(kf->verdict));
				continue;
			}
			d = json_loadb(kf->data, kf->len, JSON_REJECT_DUPLICATES, NULL);
			if (d == NULL || ecs_doc_kind(d) != kind) {
				if (em->why[kind] == NULL)
					em->why[kind] = xasprintf(_("%s is not an aws ecs %s output"), kf->path,
					    ecs_doc_info[kind].name);
				json_decref(d);
				continue;
			}
			json_array_append_new(em->docs, d);
			em->have[kind] = true;
			if (kind == ECS_DESCRIBE_SERVICES)
				build_services(em, kf->path, d);
			else if (kind == ECS_DESCRIBE_TASKS)
				build_tasks(em, kf->path, d);
			else if (kind == ECS_DESCRIBE_TASK_DEFINITION)
				build_taskdef(em, kf->path, d);
		}
	link_overrides(em);
	return em;
}

void
ecs_model_free(struct ecs_model *em)
{
	if (em == NULL)
		return;
	for (size_t t = 0; t < _ECS_REC_MAX; t++) {
		for (size_t i = 0; i < em->n[t]; i++) {
			struct ecs_record *r = &em->recs[t][i];

			for (size_t k = 0; k < r->n; k++) {
				free(r->names[k]);
				free(r->values[k]);
			}
			free(r->names);
			free(r->values);
		}
		free(em->recs[t]);
	}
	for (size_t k = 0; k < _ECS_DOC_MAX; k++)
		free(em->why[k]);
	for (size_t k = 0; k < em->n_pool; k++)
		free(em->pool[k]);
	free(em->pool);
	json_decref(em->docs);
	free(em);
}

const char *
ecs_intern(struct model *m, char *s)
{
	struct ecs_model *em = ecs_model(m);

	em->pool = xreallocarray(em->pool, em->n_pool + 1, sizeof(*em->pool));
	em->pool[em->n_pool++] = s;
	return s;
}

bool
ecs_away_bundle(const struct model *m)
{
	return json_is_true(json_object_get(json_object_get(json_object_get(m->manifest, "collection"), "ecs"),
	    "away"));
}

bool
ecs_holds(struct model *m, int doc)
{
	return doc >= 0 && doc < _ECS_DOC_MAX && ecs_model(m)->have[doc];
}

bool
model_is_ecs(struct model *m)
{
	const json_t *s = model_source(m, ONBOARDING_CONFIG_ENV);
	struct ecs_model *em = ecs_model(m);

	if (ecs_away_bundle(m))
		return true;
	for (int k = 0; k < _ECS_DOC_MAX; k++)
		if (em->have[k])
			return true;
	/* The config came from the environment (a task), not from the host's file. */
	return s != NULL && json_is_string(json_object_get(s, "status")) &&
	    strcmp(json_string_value(json_object_get(s, "status")), "ok") == 0 &&
	    model_file(m, BUNDLE_CONFIG_ROOT ONBOARDING_CONFIG) == NULL;
}

int
ecs_records(struct model *m, enum ecs_rec type, const struct ecs_record **recs, size_t *n, char **why)
{
	struct ecs_model *em = ecs_model(m);
	int doc = ecs_rec_doc(type);
	const json_t *srcs = json_object_get(m->manifest, "sources"), *s;
	const char *status = NULL, *detail = NULL, *sname = NULL;
	size_t i;

	*recs = em->recs[type];
	*n = em->n[type];
	*why = NULL;
	if (em->have[doc])
		return 0;
	if (em->why[doc] != NULL) {
		*why = xstrdup(em->why[doc]);
		return -ENODATA;
	}
	/* The collector tried and found nothing (a service without tasks): known to be empty. */
	json_array_foreach(srcs, i, s) {
		const char *nm = json_string_value(json_object_get(s, "name"));
		_cleanup_free_ char *p = nm ? xasprintf("%s.json", nm) : NULL;

		if (p == NULL || ecs_path_kind(p) != doc)
			continue;
		sname = nm;
		status = json_string_value(json_object_get(s, "status"));
		detail = json_string_value(json_object_get(s, "detail"));
		if (status && strcmp(status, "unavailable") == 0)
			return 0;
	}
	if (sname != NULL)
		*why = xasprintf("%s: %s (%s)", sname, status ? status : "?", detail ? detail : "");
	else
		*why = xstrdup(doc == ECS_DESCRIBE_SERVICES ? _("no ECS service state in the bundle (aws ecs "
		    "describe-services): collect with triage-collect --ecs-cluster CLUSTER --ecs-service SERVICE, or "
		    "pass the saved output with --ecs-json") : doc == ECS_DESCRIBE_TASKS ? _("no ECS task state in "
		    "the bundle (aws ecs describe-tasks): collect with triage-collect --ecs-cluster CLUSTER "
		    "--ecs-service SERVICE, or pass the saved output with --ecs-json") : _("no ECS task definition in "
		    "the bundle (aws ecs describe-task-definition): collect with triage-collect --ecs-cluster CLUSTER "
		    "--ecs-service SERVICE, or pass the saved output with --ecs-json"));
	return -ENODATA;
}

char *
ecs_record_text(const struct ecs_record *r)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s", ecs_rec_name(r->type));
	for (size_t i = 0; i < r->n; i++)
		buf_printf(&b, "%s%s=%s", i ? ", " : " ", r->names[i], r->values[i]);
	return buf_steal(&b, NULL);
}

/* Characters a name in an AWS console or CLI step may hold; anything else from the bundle is replaced. */
static void
add_safe(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addc(b, (strchr("-_.:/@+", *s) || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z')) ? *s : '?');
}

int
ecs_fact(struct model *m, const char *name, struct buf *b)
{
	struct ecs_model *em = ecs_model(m);
	const json_t *e = json_object_get(json_object_get(m->manifest, "collection"), "ecs");
	const char *v = NULL;
	const struct ecs_record *svc = em->n[ECS_REC_SERVICE] ? &em->recs[ECS_REC_SERVICE][0] : NULL;
	const struct ecs_record *td = em->n[ECS_REC_TASK_DEFINITION] ? &em->recs[ECS_REC_TASK_DEFINITION][0] : NULL;

	if (strcmp(name, "service") == 0)
		v = svc ? ecs_field(svc, "service") : js(e, "service");
	else if (strcmp(name, "cluster") == 0)
		v = svc && ecs_field(svc, "cluster") ? ecs_field(svc, "cluster") : js(e, "cluster");
	else if (strcmp(name, "taskDefinition") == 0)
		v = td ? ecs_field(td, "taskDefinition") : svc ? ecs_field(svc, "taskDefinition") : NULL;
	else if (strcmp(name, "family") == 0) {
		v = td ? ecs_field(td, "family") : NULL;
		if (v == NULL && svc && ecs_field(svc, "taskDefinition")) {
			const char *t = ecs_field(svc, "taskDefinition"), *colon = strchr(t, ':');

			if (colon) {
				_cleanup_free_ char *f = xstrndup(t, (size_t)(colon - t));

				add_safe(b, f);
				return 1;
			}
			v = t;
		}
	} else if (strcmp(name, "region") == 0)
		v = js(e, "region");
	else
		return -EINVAL;
	if (v == NULL)
		return 0;
	add_safe(b, v);
	return 1;
}

void
ecs_summary(struct model *m, void (*row)(const char *section, const char *key, const char *value, void *ud),
    void *ud)
{
	struct ecs_model *em = ecs_model(m);
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < em->n[ECS_REC_SERVICE]; i++) {
		const struct ecs_record *r = &em->recs[ECS_REC_SERVICE][i];

		buf_reset(&b);
		buf_printf(&b, "%s, %s desired, %s running, %s pending; task definition %s",
		    ecs_field(r, "status") ? ecs_field(r, "status") : "?",
		    ecs_field(r, "desiredCount") ? ecs_field(r, "desiredCount") : "?",
		    ecs_field(r, "runningCount") ? ecs_field(r, "runningCount") : "?",
		    ecs_field(r, "pendingCount") ? ecs_field(r, "pendingCount") : "?",
		    ecs_field(r, "taskDefinition") ? ecs_field(r, "taskDefinition") : "?");
		row(_("Service"), ecs_field(r, "service") ? ecs_field(r, "service") : "?", b.data, ud);
	}
	for (i = 0; i < em->n[ECS_REC_SERVICE_FAILURE]; i++) {
		const struct ecs_record *r = &em->recs[ECS_REC_SERVICE_FAILURE][i];

		buf_reset(&b);
		buf_printf(&b, "describe-services failure: %s%s%s", ecs_field(r, "reason") ? ecs_field(r, "reason") : "?",
		    ecs_field(r, "detail") ? ", " : "", ecs_field(r, "detail") ? ecs_field(r, "detail") : "");
		row(_("Service"), ecs_field(r, "service") ? ecs_field(r, "service") : "?", b.data, ud);
	}
	for (i = 0; i < em->n[ECS_REC_DEPLOYMENT]; i++) {
		const struct ecs_record *r = &em->recs[ECS_REC_DEPLOYMENT][i];
		char tb[RFC3339_MAX];

		buf_reset(&b);
		buf_printf(&b, "%s, rollout %s%s%s%s, %s failed tasks, %s running of %s; %s%s",
		    ecs_field(r, "status") ? ecs_field(r, "status") : "?",
		    ecs_field(r, "rolloutState") ? ecs_field(r, "rolloutState") : "(none)",
		    ecs_field(r, "rolloutStateReason") ? " (" : "",
		    ecs_field(r, "rolloutStateReason") ? ecs_field(r, "rolloutStateReason") : "",
		    ecs_field(r, "rolloutStateReason") ? ")" : "",
		    ecs_field(r, "failedTasks") ? ecs_field(r, "failedTasks") : "0",
		    ecs_field(r, "runningCount") ? ecs_field(r, "runningCount") : "?",
		    ecs_field(r, "desiredCount") ? ecs_field(r, "desiredCount") : "?",
		    ecs_field(r, "taskDefinition") ? ecs_field(r, "taskDefinition") : "?",
		    r->time ? " (updated " : "");
		if (r->time)
			buf_printf(&b, "%s)", time_rfc3339(r->time, false, tb));
		row(_("Deployment"), ecs_field(r, "deployment") ? ecs_field(r, "deployment") : "?", b.data, ud);
	}
	for (i = 0; i < em->n[ECS_REC_TASK]; i++) {
		const struct ecs_record *r = &em->recs[ECS_REC_TASK][i];
		const char *id = ecs_field(r, "task");
		char tb[RFC3339_MAX];

		buf_reset(&b);
		buf_printf(&b, "%s (desired %s), health %s", ecs_field(r, "lastStatus") ? ecs_field(r, "lastStatus") : "?",
		    ecs_field(r, "desiredStatus") ? ecs_field(r, "desiredStatus") : "?",
		    ecs_field(r, "healthStatus") ? ecs_field(r, "healthStatus") : "?");
		if (ecs_field(r, "stopCode") || ecs_field(r, "stoppedReason"))
			buf_printf(&b, "; stopped: %s (%s)", ecs_field(r, "stoppedReason") ? ecs_field(r, "stoppedReason") : "?",
			    ecs_field(r, "stopCode") ? ecs_field(r, "stopCode") : "?");
		if (r->time)
			buf_printf(&b, " at %s", time_rfc3339(r->time, false, tb));
		for (size_t k = 0; k < em->n[ECS_REC_CONTAINER]; k++) {
			const struct ecs_record *c = &em->recs[ECS_REC_CONTAINER][k];

			if (c->source != r->source || !id || !ecs_field(c, "task") || strcmp(id, ecs_field(c, "task")) != 0)
				continue;
			buf_printf(&b, "; %s: %s", ecs_field(c, "container") ? ecs_field(c, "container") : "?",
			    ecs_field(c, "lastStatus") ? ecs_field(c, "lastStatus") : "?");
			if (ecs_field(c, "exitCode"))
				buf_printf(&b, ", exit %s", ecs_field(c, "exitCode"));
			if (ecs_field(c, "healthStatus"))
				buf_printf(&b, ", health %s", ecs_field(c, "healthStatus"));
			if (ecs_field(c, "reason"))
				buf_printf(&b, ", %s", ecs_field(c, "reason"));
		}
		row(_("Task"), id ? id : "?", b.data, ud);
	}
	for (i = 0; i < em->n[ECS_REC_TASK_DEFINITION]; i++) {
		const struct ecs_record *r = &em->recs[ECS_REC_TASK_DEFINITION][i];
		const char *name = ecs_field(r, "taskDefinition");

		buf_reset(&b);
		buf_printf(&b, "networkMode %s, task role %s, containers: %s",
		    ecs_field(r, "networkMode") ? ecs_field(r, "networkMode") : "(not set: bridge)",
		    ecs_field(r, "taskRoleArn") ? ecs_field(r, "taskRoleArn") : "(none)",
		    ecs_field(r, "containers") ? ecs_field(r, "containers") : "(none)");
		for (size_t k = 0; k < em->n[ECS_REC_CONTAINER_DEFINITION]; k++) {
			const struct ecs_record *c = &em->recs[ECS_REC_CONTAINER_DEFINITION][k];

			if (c->source != r->source || !ecs_field(c, "container") ||
			    strcmp(ecs_field(c, "container"), ECS_AGENT_CONTAINER) != 0)
				continue;
			buf_printf(&b, "; %s: image %s, user %s, ONBOARDING_CONFIG %s", ECS_AGENT_CONTAINER,
			    ecs_field(c, "image") ? ecs_field(c, "image") : "?",
			    ecs_field(c, "user") ? ecs_field(c, "user") : "(not set)",
			    ecs_field(c, "env:ONBOARDING_CONFIG") ? ecs_field(c, "env:ONBOARDING_CONFIG") : "(not set)");
		}
		row(_("Task definition"), name ? name : "?", b.data, ud);
	}
	buf_free(&b);
}

int
ecs_agent_state(const struct model *cm, struct buf *b)
{
	struct model *m = (struct model *)cm;	/* the records are a cache */
	struct ecs_model *em = ecs_model(m);
	const struct ecs_record *svc = em->n[ECS_REC_SERVICE] ? &em->recs[ECS_REC_SERVICE][0] : NULL;
	unsigned running = 0, stopped = 0;
	const struct ecs_record *last_agent = NULL;

	if (svc == NULL && em->n[ECS_REC_TASK] == 0)
		return 0;
	if (svc)
		buf_printf(b, _("ECS service %s: %s, %s of %s tasks running"), ecs_field(svc, "service") ?
		    ecs_field(svc, "service") : "?", ecs_field(svc, "status") ? ecs_field(svc, "status") : "?",
		    ecs_field(svc, "runningCount") ? ecs_field(svc, "runningCount") : "?",
		    ecs_field(svc, "desiredCount") ? ecs_field(svc, "desiredCount") : "?");
	for (size_t i = 0; i < em->n[ECS_REC_TASK]; i++) {
		const char *st = ecs_field(&em->recs[ECS_REC_TASK][i], "lastStatus");

		running += st && strcmp(st, "RUNNING") == 0;
		stopped += st && strcmp(st, "STOPPED") == 0;
	}
	for (size_t i = 0; i < em->n[ECS_REC_CONTAINER]; i++) {
		const struct ecs_record *c = &em->recs[ECS_REC_CONTAINER][i];

		if (ecs_field(c, "container") && strcmp(ecs_field(c, "container"), ECS_AGENT_CONTAINER) == 0 &&
		    (last_agent == NULL || c->time >= last_agent->time))
			last_agent = c;
	}
	if (em->n[ECS_REC_TASK])
		buf_printf(b, _("%stasks described: %u running, %u stopped"), svc ? "; " : "", running, stopped);
	if (last_agent) {
		buf_printf(b, _("; the latest %s container: %s"), ECS_AGENT_CONTAINER,
		    ecs_field(last_agent, "lastStatus") ? ecs_field(last_agent, "lastStatus") : "?");
		if (ecs_field(last_agent, "exitCode"))
			buf_printf(b, _(", exit code %s"), ecs_field(last_agent, "exitCode"));
		if (ecs_field(last_agent, "healthStatus"))
			buf_printf(b, _(", health %s"), ecs_field(last_agent, "healthStatus"));
	}
	return 1;
}
