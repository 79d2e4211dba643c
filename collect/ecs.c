/* ecs.c: AWS ECS: saved `aws ecs` outputs (--ecs-json) or the read-only CLI calls (--ecs-cluster), redacted, under ecs/. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "collect.h"
#include "ecsdoc.h"
#include "i18n.h"
#include "msg.h"
#include "timeutil.h"

#define ECS_INPUT_MAX	(64u << 20)	/* one --ecs-json input or one CLI answer */
#define ECS_ERR_MAX	(64u << 10)	/* the CLI's stderr kept */
#define ECS_TASKS_MAX	100		/* describe-tasks takes at most 100 ids */
#define ECS_STREAMS_MAX	100		/* filter-log-events takes at most 100 stream names */
#define ECS_LOG_ITEMS	"20000"		/* log events fetched at most */

/* One ECS document: read from --ecs-json or answered by the CLI. */
struct ecs_doc_in {
	char	*label;		/* "--ecs-json FILE" or "aws ecs describe-services ..." */
	char	*suffix;	/* bundle file suffix ("-running") or NULL */
	json_t	*doc;		/* the parsed document (own reference) */
	int	 kind;		/* enum ecs_doc */
};

/* What collect_ecs() works from; freed by ecs_free(). */
struct ecs_state {
	struct ecs_doc_in *docs;
	size_t	 n;
	unsigned stored[_ECS_DOC_MAX];	/* files written per kind (for .2, .3 names) */
	struct strv names;		/* names the documents show openly (containers, services, families...) */
};

bool
ecs_away(const struct options *o)
{
	return o->ecs_json.n > 0 || o->ecs_cluster != NULL;
}

static void
state_add(struct ecs_state *st, const char *label, const char *suffix, json_t *doc, int kind)
{
	st->docs = xreallocarray(st->docs, st->n + 1, sizeof(*st->docs));
	st->docs[st->n++] = (struct ecs_doc_in){
		.label = xstrdup(label), .suffix = suffix ? xstrdup(suffix) : NULL, .doc = doc, .kind = kind,
	};
}

void
ecs_free(struct ctx *c)
{
	struct ecs_state *st = c->ecs;

	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->docs[i].label);
		free(st->docs[i].suffix);
		json_decref(st->docs[i].doc);
	}
	free(st->docs);
	strv_free(&st->names);
	free(st);
	c->ecs = NULL;
}

/* Reads a whole input ("-" is standard input), at most max bytes. */
static int
read_input(const char *path, size_t max, char **data, size_t *len)
{
	_cleanup_close_ int fd = -1;
	struct stat sb;

	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		return -EISDIR;
	return read_fd_max(fd, max, data, len);
}

/*
 * Parses one or more JSON documents (outputs appended to one file) from text.
 * Returns how many, or -EINVAL with *why (free it).
 */
static int
parse_docs(const char *text, size_t len, json_t ***ret, char **why)
{
	json_t **v = NULL;
	size_t n = 0, off = 0;

	*ret = NULL;
	for (;;) {
		json_error_t e;
		json_t *d;

		while (off < len && isspace((unsigned char)text[off]))
			off++;
		if (off >= len)
			break;
		d = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &e);
		if (d == NULL) {
			*why = n == 0 && (text[off] != '{' && text[off] != '[') ?
			    xstrdup("not JSON (save the output with --output json)") :
			    xasprintf("not valid JSON at line %d, column %d: %s", e.line, e.column, e.text);
			while (n > 0)
				json_decref(v[--n]);
			free(v);
			return -EINVAL;
		}
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = d;
		off += e.position;
	}
	if (n == 0) {
		*why = xstrdup("empty: no JSON document");
		return -EINVAL;
	}
	*ret = v;
	return (int)n;
}

/* The kind of one element a --query may leave bare: a service, a task, a task definition, a task ARN. */
static int
bare_kind(const json_t *o)
{
	if (json_is_string(o))
		return strstr(json_string_value(o), ":task/") ? ECS_LIST_TASKS : ECS_DOC_UNKNOWN;
	if (!json_is_object(o))
		return ECS_DOC_UNKNOWN;
	if (json_is_array(json_object_get(o, "containerDefinitions")))
		return ECS_DESCRIBE_TASK_DEFINITION;
	if (json_is_string(json_object_get(o, "serviceName")) && (json_object_get(o, "deployments") ||
	    json_object_get(o, "desiredCount") || json_object_get(o, "events")))
		return ECS_DESCRIBE_SERVICES;
	if (json_is_string(json_object_get(o, "taskArn")) && json_is_array(json_object_get(o, "containers")))
		return ECS_DESCRIBE_TASKS;
	return ECS_DOC_UNKNOWN;
}

/*
 * What `--query 'services[0]'`, `--query tasks` or `--query taskDefinition` leaves: a bare object
 * or a list of them, wrapped back into the command's shape.  Takes d; returns the document to use
 * (d itself when it is not one of those) and *kind.
 */
static json_t *
unwrap_query(json_t *d, int *kind)
{
	static const char *const key[] = {
		[ECS_DESCRIBE_SERVICES] = "services", [ECS_LIST_TASKS] = "taskArns",
		[ECS_DESCRIBE_TASKS] = "tasks", [ECS_DESCRIBE_TASK_DEFINITION] = "taskDefinition",
	};
	json_t *w, *arr;
	size_t i;
	int k = ECS_DOC_UNKNOWN;

	*kind = ECS_DOC_UNKNOWN;
	if (json_is_array(d) && json_array_size(d) > 0) {
		json_t *e;

		json_array_foreach(d, i, e) {
			int ek = bare_kind(e);

			if (ek < 0 || ek == ECS_DESCRIBE_TASK_DEFINITION || (k >= 0 && ek != k))
				return d;
			k = ek;
		}
		arr = json_incref(d);
	} else if ((k = bare_kind(d)) >= 0 && k != ECS_LIST_TASKS) {
		if (k == ECS_DESCRIBE_TASK_DEFINITION) {
			w = json_object();
			json_object_set_new(w, key[k], d);
			*kind = k;
			return w;
		}
		arr = json_array();
		json_array_append(arr, d);
	} else
		return d;
	w = json_object();
	json_object_set_new(w, key[k], arr);
	json_decref(d);
	*kind = k;
	return w;
}

int
ecs_read_inputs(struct ctx *c, char **errmsg)
{
	const struct strv *in = &c->opt->ecs_json;

	*errmsg = NULL;
	if (c->ecs == NULL)
		c->ecs = xcalloc(1, sizeof(*c->ecs));
	for (size_t i = 0; i < in->n; i++) {
		const char *path = in->v[i], *shown = strcmp(path, "-") == 0 ? "standard input" : path;
		_cleanup_free_ char *data = NULL, *why = NULL, *label = NULL;
		json_t **docs = NULL;
		size_t len;
		int r, n;

		r = read_input(path, ECS_INPUT_MAX, &data, &len);
		if (r < 0) {
			*errmsg = xasprintf("--ecs-json '%s': %s", shown, r == -EFBIG ? "larger than 64 MiB" :
			    file_errstr(r));
			return r;
		}
		n = parse_docs(data, len, &docs, &why);
		if (n < 0) {
			*errmsg = xasprintf("--ecs-json '%s': %s", shown, why);
			return -EINVAL;
		}
		label = xasprintf("--ecs-json %s", shown);
		for (int k = 0; k < n; k++) {
			int kind = ecs_doc_kind(docs[k]);

			if (kind == ECS_DOC_UNKNOWN && (docs[k] = unwrap_query(docs[k], &kind)) != NULL && kind >= 0)
				ctx_verbose(c, "--ecs-json '%s': a --query part, taken as %s", shown, ecs_doc_info[kind].name);
			char nth[32];

			snprintf(nth, sizeof(nth), "%d: ", k + 1);
			if (kind < 0) {
				struct buf keys = { 0 };
				const char *key;
				json_t *val;
				unsigned shownkeys = 0;

				json_object_foreach(docs[k], key, val) {
					if (shownkeys++ < 5)
						buf_printf(&keys, "%s'%s'", keys.len ? ", " : "", key);
				}
				if (kind == ECS_DOC_LOG_EVENTS)
					*errmsg = xasprintf("--ecs-json '%s': this is `aws logs` output (log events), not an "
					    "`aws ecs` one: pass it with --log-file", shown);
				else
					*errmsg = xasprintf("--ecs-json '%s': %s%snot a saved output of aws ecs "
					    "describe-services, list-tasks, describe-tasks or describe-task-definition "
					    "(%s%s)", shown, n > 1 ? "document " : "", n > 1 ? nth : "",
					    json_is_object(docs[k]) ? "its keys: " : "it is not a JSON object",
					    json_is_object(docs[k]) ? (keys.data ? keys.data : "none") : "");
				buf_free(&keys);
				for (int j = 0; j < n; j++)
					json_decref(docs[j]);
				free(docs);
				return -EINVAL;
			}
			state_add(c->ecs, label, NULL, docs[k], kind);
			/* Say what each input was taken for (the customer may have mixed files up). */
			if (c->opt->verbosity >= 0)
				msg(MSG_OK, NULL, 0, 0, _("--ecs-json '%s': the output of aws ecs %s"), shown,
				    ecs_doc_info[kind].name);
		}
		free(docs);
	}
	return 0;
}

/* ---- redaction ------------------------------------------------------------ */

/* Environment names whose values are configs: redacted like config files, kept readable. */
static bool
is_config_var(const char *name)
{
	return strcmp(name, "ONBOARDING_CONFIG") == 0 || strcmp(name, "AGENT_CONFIG") == 0;
}

/* True when s holds only PEM certificates (public), with real or escaped newlines. */
static bool
only_certificates(const char *s)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
	bool any = false;

	for (;;) {
		while (*s && (isspace((unsigned char)*s) || (s[0] == '\\' && s[1] == 'n')))
			s += *s == '\\' ? 2 : 1;
		if (*s == '\0')
			return any;
		if (strncmp(s, begin, sizeof(begin) - 1) != 0)
			return false;
		s += sizeof(begin) - 1;
		while (*s && *s != '-') {
			if (!(isalnum((unsigned char)*s) || *s == '+' || *s == '/' || *s == '=' || isspace((unsigned char)*s) ||
			    (s[0] == '\\' && s[1] == 'n')))
				return false;
			s += s[0] == '\\' ? 2 : 1;
		}
		if (strncmp(s, end, sizeof(end) - 1) != 0)
			return false;
		s += sizeof(end) - 1;
		any = true;
	}
}

/*
 * A config value (ONBOARDING_CONFIG, AGENT_CONFIG) redacted like a config file:
 * YAML out, or the pattern-redacted text when it does not parse.  Returns the
 * text (free it); *perr says why it does not parse.
 */
static char *
redact_config_text(struct ctx *c, const char *v, size_t len, json_t *counts, char **perr)
{
	const char *p = v;
	char *out = NULL;
	size_t outlen = 0;
	int r;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '{' || *p == '[')
		r = redact_json_config(c->red, v, len, &out, &outlen, counts, perr);
	else
		r = redact_yaml(c->red, v, len, &out, &outlen, counts, perr);
	if (r < 0 || out == NULL) {
		free(out);
		redact_count(counts, "ecs-config");
		return xstrdup(redact_value(c->red, "config", v, len));
	}
	return out;
}

/*
 * obj[key] becomes a marker.  local: the value is redacted only because nothing vouches for it
 * (a label, a log option, a tag under a harmless name): it is not searched for elsewhere, so a
 * label "team": "payments" cannot erase the workload group's namespace in ONBOARDING_CONFIG.
 */
static void
marker_as(struct ctx *c, json_t *obj, const char *key, const char *kind, json_t *counts, const char *rule,
    bool local)
{
	json_t *v = json_object_get(obj, key);
	const char *(*rv)(struct redactor *, const char *, const char *, size_t) =
	    local ? redact_value_here : redact_value;

	if (json_is_string(v) && json_string_length(v) > 0) {
		json_object_set_new(obj, key, json_string(rv(c->red, kind, json_string_value(v),
		    json_string_length(v))));
		redact_count(counts, rule);
	} else if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
		json_object_set_new(obj, key, json_string(redact_value(c->red, kind, "(not a string)", 14)));
		redact_count(counts, rule);
	}
}

static void
marker(struct ctx *c, json_t *obj, const char *key, const char *kind, json_t *counts, const char *rule)
{
	marker_as(c, obj, key, kind, counts, rule, false);
}

/*
 * A member under a name (a label, a log option, a {name, value} pair): under a harmless name a
 * value whose shape cannot carry a secret (a port, a host, a duration, ...) stays, any other is
 * redacted where it stands; under a secret-like name it is redacted and searched for everywhere.
 */
static void
marker_named(struct ctx *c, json_t *obj, const char *key, const char *name, const char *kind, json_t *counts,
    const char *rule)
{
	bool secret = name != NULL && redact_key_is_secret(name, strlen(name));
	const json_t *v = json_object_get(obj, key);

	if (!secret && json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		if (redact_deny_harmless(s, n) || shape_number(s, n) || shape_hostname(s, n) || shape_ip(s, n) ||
		    shape_hostport(s, n))
			return;
	}
	marker_as(c, obj, key, kind, counts, rule, !secret);
}

/* Collects the names ECS documents show in the open: an environment value equal to one is no secret. */
static void
public_names(struct strv *out, const json_t *v, const char *key, unsigned depth)
{
	static const char *const keys[] = {
		"name", "containerName", "serviceName", "family", "clusterArn", "serviceArn", "taskArn",
		"taskDefinitionArn", "taskDefinition", "group", "image", "networkMode", "launchType", "status",
		"lastStatus", "desiredStatus", "healthStatus", "launchType", "platformFamily",
	};
	const char *k;
	json_t *x;
	size_t i;

	if (depth > 32)
		return;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
			if (strcmp(k, "environment") != 0 && strcmp(k, "secrets") != 0)
				public_names(out, x, k, depth + 1);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			public_names(out, x, key, depth + 1);
	} else if (json_is_string(v) && key) {
		for (i = 0; i < ELEMENTSOF(keys); i++)
			if (strcmp(key, keys[i]) == 0) {
				const char *t = json_string_value(v);
				_cleanup_free_ char *copy = xstrdup(t);
				char *save = NULL;

				strv_add(out, t);
				/* The parts of ARNs, images and groups: "bookinfo", "ratings", "onboarding-agent", "1.8.0". */
				for (char *w = strtok_r(copy, ":/@", &save); w; w = strtok_r(NULL, ":/@", &save))
					strv_add(out, w);
				break;
			}
	}
}

/*
 * An environment value that is no secret, so it stays and is never a known value the whole
 * bundle is scrubbed of: a boolean, a port-sized number, or (under a name that is not secret-like)
 * a name the documents show openly (a container, the service, the cluster, an image part).
 */
static bool
env_value_public(struct ctx *c, const char *name, const char *v)
{
	size_t len = strlen(v), i;

	if (len == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0)
		return true;
	for (i = 0; i < len && i < 6 && v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i == len && len <= 5)
		return true;
	if (name && redact_key_is_secret(name, strlen(name)))
		return false;
	for (i = 0; c->ecs && i < c->ecs->names.n; i++)
		if (strcmp(c->ecs->names.v[i], v) == 0)
			return true;
	/* Anything else may be a secret (a lowercase word is one too): when unsure, redact. */
	return false;
}

/* environment: [{name, value}]: configs redacted as configs, certificates kept, every other value a marker. */
static void
redact_environment(struct ctx *c, json_t *arr, json_t *counts)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		json_t *v = json_object_get(e, "value");

		if (!json_is_object(e)) {
			json_array_set_new(arr, i, json_string(redact_value(c->red, "env", "?", 1)));
			redact_count(counts, "ecs-env");
			continue;
		}
		if (name && is_config_var(name) && json_is_string(v)) {
			_cleanup_free_ char *perr = NULL;
			char *t = redact_config_text(c, json_string_value(v), json_string_length(v), counts, &perr);

			json_object_set_new(e, "value", json_string(t));
			free(t);
		} else if (name && strcmp(name, "ONBOARDING_AGENT_ROOT_CERTS") == 0 && json_is_string(v) &&
		    only_certificates(json_string_value(v)))
			;	/* public certificates: kept */
		else if (json_is_string(v) && env_value_public(c, name, json_string_value(v)))
			redact_count(counts, "kept:ecs-env-public");
		else if (json_is_string(v) && name != NULL) {
			/* default-deny as a unit's Environment=: a URL, host:port, NO_PROXY list stay by shape */
			char *t = redact_deny_value(c->red, NULL, name, strlen(name), json_string_value(v),
			    json_string_length(v), counts);

			if (t != NULL) {
				json_object_set_new(e, "value", json_string(t));
				redact_count(counts, "ecs-env");
				free(t);
			}
		} else
			marker(c, e, "value", "env", counts, "ecs-env");
		/* Any other member is redacted too: only name and value are known. */
		{
			const char *k;
			json_t *x;
			void *tmp;

			json_object_foreach_safe(e, tmp, k, x)
				if (strcmp(k, "name") != 0 && strcmp(k, "value") != 0)
					marker(c, e, k, "env", counts, "ecs-env");
		}
	}
}

/* secrets / secretOptions: [{name, valueFrom}]: the name stays, the ARN goes. */
static void
redact_secret_refs(struct ctx *c, json_t *arr, json_t *counts)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		const char *k;
		json_t *x;
		void *tmp;

		if (!json_is_object(e)) {
			json_array_set_new(arr, i, json_string(redact_value(c->red, "secret-arn", "?", 1)));
			redact_count(counts, "ecs-secret-ref");
			continue;
		}
		json_object_foreach_safe(e, tmp, k, x)
			if (strcmp(k, "name") != 0)
				marker(c, e, k, "secret-arn", counts, "ecs-secret-ref");
	}
}

/* logConfiguration.options: the awslogs settings stay, any other driver option (tokens, URLs) goes. */
static void
redact_log_options(struct ctx *c, json_t *opts, json_t *counts)
{
	static const char *const keep[] = {
		"awslogs-group", "awslogs-region", "awslogs-stream-prefix", "awslogs-create-group",
		"awslogs-datetime-format", "awslogs-multiline-pattern", "mode", "max-buffer-size",
	};
	const char *k;
	json_t *x;
	void *tmp;

	json_object_foreach_safe(opts, tmp, k, x) {
		bool kept = false;

		for (size_t i = 0; i < ELEMENTSOF(keep); i++)
			kept |= strcmp(k, keep[i]) == 0;
		if (!kept)
			marker_named(c, opts, k, k, "log-option", counts, "ecs-log-option");
	}
}

static void redact_walk(struct ctx *c, json_t *v, const char *key, unsigned depth, json_t *counts);

/* Every string by the pattern rules; secret-like keys and the known secret places of ECS documents as markers. */
static void
redact_walk(struct ctx *c, json_t *v, const char *key, unsigned depth, json_t *counts)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		void *tmp;

		json_object_foreach_safe(v, tmp, k, x) {
			if (strcmp(k, "environment") == 0 && json_is_array(x))
				redact_environment(c, x, counts);
			else if ((strcmp(k, "command") == 0 || strcmp(k, "entryPoint") == 0) && json_is_array(x)) {
				/* a container's argv, as a unit's ExecStart: the program stays, arguments by default-deny */
				redact_argv_deny(c->red, x, counts);
				redact_walk(c, x, k, depth + 1, counts);
			} else if (((strcmp(k, "properties") == 0 && key && strcmp(key, "proxyConfiguration") == 0) ||
			    strcmp(k, "tags") == 0) && json_is_array(x)) {
				/* [{name|key, value}]: the names stay, a value may be anything (AuthToken, api-token) */
				size_t i;
				json_t *y;

				json_array_foreach(x, i, y)
					if (json_is_object(y)) {
						const json_t *nm = json_object_get(y, "name");

						if (!json_is_string(nm))
							nm = json_object_get(y, "key");
						if (json_is_string(nm))
							marker_named(c, y, "value", json_string_value(nm), "secret", counts,
							    "ecs-sensitive");
						else
							marker(c, y, "value", "secret", counts, "ecs-sensitive");
					}
			}
			else if ((strcmp(k, "secrets") == 0 || strcmp(k, "secretOptions") == 0) && json_is_array(x))
				redact_secret_refs(c, x, counts);
			else if (strcmp(k, "options") == 0 && key && strcmp(key, "logConfiguration") == 0 &&
			    json_is_object(x))
				redact_log_options(c, x, counts);
			else if (strcmp(k, "repositoryCredentials") == 0 || strcmp(k, "dockerLabels") == 0 ||
			    strcmp(k, "environmentFiles") == 0) {
				/* Every string below goes. */
				const char *k2;
				json_t *y;

				if (json_is_object(x) && strcmp(k, "dockerLabels") == 0)
					json_object_foreach(x, k2, y)
						marker_named(c, x, k2, k2, "label", counts, "ecs-sensitive");
				else if (json_is_object(x))
					json_object_foreach(x, k2, y)
						marker(c, x, k2, "secret", counts, "ecs-sensitive");
				else if (json_is_array(x)) {
					size_t i;

					json_array_foreach(x, i, y) {
						const char *k3;
						json_t *z;
						void *t3;

						if (json_is_object(y))
							json_object_foreach_safe(y, t3, k3, z)
								if (strcmp(k3, "type") != 0)
									marker(c, y, k3, "secret", counts, "ecs-sensitive");
					}
				} else
					marker(c, v, k, "secret", counts, "ecs-sensitive");
			} else if (json_is_string(x) && redact_key_is_secret(k, strlen(k)) &&
			    strcmp(k, "taskRoleArn") != 0 && strcmp(k, "executionRoleArn") != 0)
				marker(c, v, k, "secret", counts, "json-key");
			else if (depth >= 64 && (json_is_object(x) || json_is_array(x))) {
				/* Deeper than any ECS document: nothing below is looked at, so nothing is kept. */
				json_object_set_new(v, k, json_string(redact_value(c->red, "deep", "?", 1)));
				redact_count(counts, "ecs-deep");
			} else
				redact_walk(c, x, k, depth + 1, counts);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		bool next_secret = false;

		json_array_foreach(v, i, x) {
			if (next_secret && json_is_string(x)) {
				json_array_set_new(v, i, json_string(redact_value(c->red, "secret", json_string_value(x),
				    json_string_length(x))));
				redact_count(counts, "secret-flag");
				next_secret = false;
				continue;
			}
			next_secret = false;
			if (json_is_string(x)) {
				const char *s = json_string_value(x);
				const char *f = s;

				while (*f == '-')
					f++;
				if (f - s >= 1 && f - s <= 2 && strchr(f, '=') == NULL && redact_key_is_secret(f, strlen(f)))
					next_secret = true;
			}
			if (depth >= 64 && (json_is_object(x) || json_is_array(x))) {
				json_array_set_new(v, i, json_string(redact_value(c->red, "deep", "?", 1)));
				redact_count(counts, "ecs-deep");
			} else
				redact_walk(c, x, key, depth + 1, counts);
		}
	} else if (json_is_string(v)) {
		_cleanup_free_ char *out = NULL;
		size_t outlen = 0;

		if (redact_text_maybe(json_string_value(v), json_string_length(v)) &&
		    redact_text(c->red, json_string_value(v), json_string_length(v), &out, &outlen, counts) >= 0 &&
		    out != NULL && (outlen != json_string_length(v) || memcmp(out, json_string_value(v), outlen) != 0))
			json_string_setn(v, out, outlen);
	}
}

/* ---- what a document says, for the manifest ----------------------------- */

/* "v2 (ISO 8601)" or "v1 (epoch seconds)" from the first *At time found, or NULL. */
static const char *
time_form(const json_t *v, unsigned depth)
{
	const char *k, *r;
	json_t *x;
	size_t i;

	if (depth > 8)
		return NULL;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			size_t l = strlen(k);

			if (l > 2 && strcmp(k + l - 2, "At") == 0) {
				if (json_is_string(x))
					return "CLI v2 times (ISO 8601)";
				if (json_is_number(x))
					return "CLI v1 times (epoch seconds)";
			}
			if ((json_is_object(x) || json_is_array(x)) && (r = time_form(x, depth + 1)) != NULL)
				return r;
		}
	} else if (json_is_array(v))
		json_array_foreach((json_t *)v, i, x)
			if ((r = time_form(x, depth + 1)) != NULL)
				return r;
	return NULL;
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

static void
describe_doc(struct buf *b, const json_t *d, int kind)
{
	size_t i;
	json_t *x;

	switch (kind) {
	case ECS_DESCRIBE_SERVICES:
		buf_printf(b, "%zu service%s", json_array_size(json_object_get(d, "services")),
		    json_array_size(json_object_get(d, "services")) == 1 ? "" : "s");
		json_array_foreach(json_object_get(d, "services"), i, x)
			if (i < 3)
				buf_printf(b, "%s%s %s, %lld desired, %lld running", i ? "; " : ": ", jstr(x, "serviceName"),
				    jstr(x, "status"), (long long)json_integer_value(json_object_get(x, "desiredCount")),
				    (long long)json_integer_value(json_object_get(x, "runningCount")));
		json_array_foreach(json_object_get(d, "failures"), i, x)
			if (i < 3)
				buf_printf(b, "; failure %s: %s", ecs_arn_tail(jstr(x, "arn")), jstr(x, "reason"));
		break;
	case ECS_LIST_TASKS:
		buf_printf(b, "%zu task ARN%s", json_array_size(json_object_get(d, "taskArns")),
		    json_array_size(json_object_get(d, "taskArns")) == 1 ? "" : "s");
		break;
	case ECS_DESCRIBE_TASKS: {
		unsigned running = 0, stopped = 0;

		json_array_foreach(json_object_get(d, "tasks"), i, x) {
			running += strcmp(jstr(x, "lastStatus"), "RUNNING") == 0;
			stopped += strcmp(jstr(x, "lastStatus"), "STOPPED") == 0;
		}
		buf_printf(b, "%zu task%s (%u running, %u stopped)", json_array_size(json_object_get(d, "tasks")),
		    json_array_size(json_object_get(d, "tasks")) == 1 ? "" : "s", running, stopped);
		json_array_foreach(json_object_get(d, "failures"), i, x)
			if (i < 3)
				buf_printf(b, "; failure %s: %s", ecs_arn_tail(jstr(x, "arn")), jstr(x, "reason"));
		break;
	}
	case ECS_DESCRIBE_TASK_DEFINITION: {
		const json_t *td = json_object_get(d, "taskDefinition");

		buf_printf(b, "%s:%lld, networkMode %s, %zu container%s", jstr(td, "family"),
		    (long long)json_integer_value(json_object_get(td, "revision")), jstr(td, "networkMode"),
		    json_array_size(json_object_get(td, "containerDefinitions")),
		    json_array_size(json_object_get(td, "containerDefinitions")) == 1 ? "" : "s");
		break;
	}
	default:
		break;
	}
}

/* Redacts doc (in place) and adds it under ecs/; the source is named for its file. */
static void
store_doc(struct ctx *c, struct ecs_doc_in *d)
{
	struct ecs_state *st = c->ecs;
	const char *form = time_form(d->doc, 0);
	_cleanup_free_ char *rel = NULL, *name = NULL, *text = NULL, *why = NULL;
	json_t *counts = json_object();
	struct buf detail = { 0 };
	unsigned nth = ++st->stored[d->kind];
	int r;

	if (d->suffix)
		rel = xasprintf(ECS_DIR "%s%s.json", ecs_doc_info[d->kind].name, d->suffix);
	else if (nth == 1)
		rel = xasprintf(ECS_DIR "%s.json", ecs_doc_info[d->kind].name);
	else
		rel = xasprintf(ECS_DIR "%s.%u.json", ecs_doc_info[d->kind].name, nth);
	name = xstrndup(rel, strlen(rel) - 5);
	redact_walk(c, d->doc, NULL, 0, counts);
	text = json_dumps(d->doc, JSON_INDENT(4) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (text == NULL) {
		ctx_source(c, name, SOURCE_ERROR, "%s: cannot write it as JSON", d->label);
		goto out;
	}
	r = ctx_add_verified(c, rel, text, strlen(text), &why);
	if (r == 1) {
		ctx_source(c, name, SOURCE_ERROR, "%s: the leak check withheld it: %s", d->label, why);
		goto out;
	}
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "cannot add %s: %s", rel, strerror(-r));
		goto out;
	}
	ctx_redactions(c, rel, counts);
	buf_printf(&detail, "%s: ", d->label);
	describe_doc(&detail, d->doc, d->kind);
	if (form)
		buf_printf(&detail, "; %s", form);
	ctx_source(c, name, SOURCE_OK, "%s", detail.data);
	if (c->bw) {
		json_t *o = bw_source_object(c->bw, name);

		json_object_set_new(o, "file", json_string(rel));
		json_object_set_new(o, "kind", json_string(ecs_doc_info[d->kind].name));
	}
out:
	buf_free(&detail);
	json_decref(counts);
}

/* ---- the agent's container in the task definition ------------------------ */

/* The agent's container definition: named onboarding-agent, else the one with ONBOARDING_CONFIG. */
static const json_t *
agent_container(const json_t *td)
{
	const json_t *defs = json_object_get(td, "containerDefinitions"), *x, *e;
	size_t i, k;

	json_array_foreach(defs, i, x)
		if (strcmp(jstr(x, "name"), ECS_AGENT_CONTAINER) == 0)
			return x;
	json_array_foreach(defs, i, x) {
		json_array_foreach(json_object_get(x, "environment"), k, e)
			if (strcmp(jstr(e, "name"), "ONBOARDING_CONFIG") == 0)
				return x;
		json_array_foreach(json_object_get(x, "secrets"), k, e)
			if (strcmp(jstr(e, "name"), "ONBOARDING_CONFIG") == 0)
				return x;
	}
	return NULL;
}

/* The task definition the service runs (or the first one saved); the document itself. */
static struct ecs_doc_in *
main_taskdef(struct ecs_state *st)
{
	const char *want = NULL;
	struct ecs_doc_in *first = NULL;

	for (size_t i = 0; i < st->n && want == NULL; i++)
		if (st->docs[i].kind == ECS_DESCRIBE_SERVICES)
			want = json_string_value(json_object_get(json_array_get(json_object_get(st->docs[i].doc,
			    "services"), 0), "taskDefinition"));
	for (size_t i = 0; i < st->n; i++) {
		const json_t *td;

		if (st->docs[i].kind != ECS_DESCRIBE_TASK_DEFINITION)
			continue;
		td = json_object_get(st->docs[i].doc, "taskDefinition");
		if (first == NULL)
			first = &st->docs[i];
		if (want && json_is_string(json_object_get(td, "taskDefinitionArn")) &&
		    strcmp(json_string_value(json_object_get(td, "taskDefinitionArn")), want) == 0)
			return &st->docs[i];
	}
	return first;
}

/*
 * config/env/<VAR>.yaml from the agent container of the (unredacted) task
 * definition, so the config rules read it as they read the variable in a task.
 */
static void
env_from_taskdef(struct ctx *c, const json_t *td, const char *var)
{
	const json_t *ac = agent_container(td), *e;
	_cleanup_free_ char *name = xasprintf("env/%s", var), *rel = xasprintf(BUNDLE_DIR_CONFIG_ENV "%s" BUNDLE_EXT_CONFIG, var);
	_cleanup_free_ char *where = NULL;
	size_t i;

	where = xasprintf("the task definition %s:%lld, container %s", jstr(td, "family"),
	    (long long)json_integer_value(json_object_get(td, "revision")), ac ? jstr(ac, "name") : "?");
	if (ac == NULL) {
		if (strcmp(var, "ONBOARDING_CONFIG") == 0)
			ctx_source(c, name, SOURCE_UNAVAILABLE, "the task definition %s:%lld has no %s container "
			    "(and no container sets ONBOARDING_CONFIG)", jstr(td, "family"),
			    (long long)json_integer_value(json_object_get(td, "revision")), ECS_AGENT_CONTAINER);
		return;
	}
	json_array_foreach(json_object_get(ac, "environment"), i, e) {
		const json_t *v = json_object_get(e, "value");
		_cleanup_free_ char *out = NULL, *perr = NULL, *why = NULL;
		json_t *counts;
		int r;

		if (strcmp(jstr(e, "name"), var) != 0 || !json_is_string(v))
			continue;
		counts = json_object();
		out = redact_config_text(c, json_string_value(v), json_string_length(v), counts, &perr);
		r = ctx_add_verified(c, rel, out, strlen(out), &why);
		if (r == 1)
			ctx_source(c, name, SOURCE_ERROR, "from %s: the leak check withheld it: %s", where, why);
		else if (r < 0)
			ctx_source(c, name, SOURCE_ERROR, "cannot add %s: %s", rel, strerror(-r));
		else {
			ctx_redactions(c, rel, counts);
			if (perr)
				ctx_source(c, name, SOURCE_OK, "from %s (environment); it does not parse (%s): redacted "
				    "by the pattern rules", where, perr);
			else
				ctx_source(c, name, SOURCE_OK, "from %s (environment)", where);
			if (c->bw) {
				json_t *o = bw_source_object(c->bw, name);

				json_object_set_new(o, "file", json_string(rel));
				json_object_set_new(o, "origin", json_string("ecs-task-definition"));
				if (perr)
					json_object_set_new(o, "parse_error", json_string(perr));
			}
		}
		json_decref(counts);
		return;
	}
	json_array_foreach(json_object_get(ac, "secrets"), i, e)
		if (strcmp(jstr(e, "name"), var) == 0) {
			ctx_source(c, name, SOURCE_ERROR, "%s takes %s from secrets (Secrets Manager or SSM Parameter "
			    "Store): its value is not in the bundle; check it there", where, var);
			return;
		}
	if (strcmp(var, "ONBOARDING_CONFIG") == 0)
		ctx_source(c, name, SOURCE_UNAVAILABLE, "%s sets no ONBOARDING_CONFIG in environment or secrets",
		    where);
}

/* ---- the AWS CLI ------------------------------------------------------------ */

/* True when an executable aws is on PATH. */
static bool
aws_on_path(void)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;

	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = xasprintf("%s/aws", *d ? d : ".");

		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}

/* The CLI's own error line: the last line of stderr that says something, redacted, at most 400 bytes. */
static char *
error_line(struct ctx *c, const char *err, size_t len)
{
	const char *end = err + len, *s, *e = NULL, *best = NULL;
	size_t bl = 0;
	_cleanup_free_ char *out = NULL;
	size_t outlen;

	for (s = err; s < end; s = e + 1) {
		size_t l;

		e = memchr(s, '\n', (size_t)(end - s));
		if (e == NULL)
			e = end;
		l = (size_t)(e - s);
		while (l > 0 && isspace((unsigned char)s[l - 1]))
			l--;
		if (l > 0) {
			best = s;
			bl = l;
		}
		if (e == end)
			break;
	}
	if (best == NULL)
		return NULL;
	if (bl > 400)
		bl = 400;
	if (redact_text(c->red, best, bl, &out, &outlen, NULL) >= 0 && out)
		return xstrndup(out, outlen);
	return xstrndup(best, bl);
}

/*
 * Runs argv (aws ...) with a time limit; *out gets stdout (free it).
 * Returns the exit status (0 ok), -ETIME at the limit, or -errno; *err the CLI's error line or NULL.
 */
static int
aws_run(struct ctx *c, char **argv, char **out, size_t *outlen, char **err)
{
	int op[2] = { -1, -1 }, ep[2] = { -1, -1 }, status = 0, r = 0;
	struct buf ob = { 0 }, eb = { 0 };
	uint64_t deadline = mono_usec() + c->profile->source_timeout_usec;
	bool oopen = true, eopen = true;
	pid_t pid;

	*out = NULL;
	*err = NULL;
	if (deadline > c->deadline_usec)
		deadline = c->deadline_usec;
	if (pipe2(op, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(op[1], STDOUT_FILENO);
		dup2(ep[1], STDERR_FILENO);
		setenv("AWS_PAGER", "", 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	op[1] = ep[1] = -1;
	while (oopen || eopen) {
		struct pollfd p[2] = { { .fd = oopen ? op[0] : -1, .events = POLLIN },
		    { .fd = eopen ? ep[0] : -1, .events = POLLIN } };
		uint64_t now = mono_usec();
		int q;

		if (now >= deadline) {
			r = -ETIME;
			break;
		}
		q = poll(p, 2, (int)((deadline - now) / 1000 + 1));
		if (q < 0 && errno == EINTR)
			continue;
		if (q < 0) {
			r = -errno;
			break;
		}
		for (int k = 0; k < 2; k++) {
			struct buf *b = k == 0 ? &ob : &eb;
			ssize_t n;

			if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			buf_grow(b, 65536);
			n = read(k == 0 ? op[0] : ep[0], b->data + b->len, 65536);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				if (k == 0)
					oopen = false;
				else
					eopen = false;
				continue;
			}
			if (b->len + (size_t)n <= (k == 0 ? ECS_INPUT_MAX : ECS_ERR_MAX))
				b->len += (size_t)n;
			else if (k == 0) {
				r = -EFBIG;
				oopen = eopen = false;
			}
			b->data[b->len] = '\0';
		}
	}
	if (r < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0)
		r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	*err = error_line(c, eb.data ? eb.data : "", eb.len);
	buf_add(&ob, "", 0);
	*out = buf_steal(&ob, outlen);
	buf_free(&eb);
	close(op[0]);
	close(ep[0]);
	return r;
fail:
	for (int k = 0; k < 2; k++) {
		if (op[k] >= 0)
			close(op[k]);
		if (ep[k] >= 0)
			close(ep[k]);
	}
	return r;
}

/* argv under construction. */
struct args {
	char	**v;
	size_t	 n;
};

static void
arg(struct args *a, const char *s)
{
	a->v = xreallocarray(a->v, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void
args_free(struct args *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* aws [--profile P] [--region R] --output json SERVICE OP */
static void
args_base(struct ctx *c, struct args *a, const char *service, const char *op, const char *region)
{
	arg(a, "aws");
	if (c->opt->ecs_profile) {
		arg(a, "--profile");
		arg(a, c->opt->ecs_profile);
	}
	if (region || c->opt->ecs_region) {
		arg(a, "--region");
		arg(a, region ? region : c->opt->ecs_region);
	}
	arg(a, "--output");
	arg(a, "json");
	arg(a, service);
	arg(a, op);
}

/* The command as the manifest shows it (long lists cut). */
static char *
args_text(const struct args *a)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < a->n; i++) {
		if (i > 0 && b.len > 300) {
			buf_printf(&b, " ... (%zu more)", a->n - i);
			break;
		}
		buf_printf(&b, "%s%s", i ? " " : "", a->v[i]);
	}
	return buf_steal(&b, NULL);
}

/*
 * Runs one call; on success the parsed answer (new reference, checked to be
 * of kind want unless want < 0).  On failure records source name with the
 * CLI's error line and returns NULL.
 */
static json_t *aws_call_raw(struct ctx *c, const char *name, struct args *a, int want, char **raw, size_t *rawlen);

static json_t *
aws_call(struct ctx *c, const char *name, struct args *a, int want)
{
	return aws_call_raw(c, name, a, want, NULL, NULL);
}

/* aws_call(), and when raw is given the answer's text too (free it). */
static json_t *
aws_call_raw(struct ctx *c, const char *name, struct args *a, int want, char **raw, size_t *rawlen)
{
	_cleanup_free_ char *out = NULL, *err = NULL, *cmd = args_text(a);
	json_error_t je;
	size_t len = 0;
	json_t *doc;
	int r;

	ctx_verbose(c, "running %s", cmd);
	r = aws_run(c, a->v, &out, &len, &err);
	if (r == -ETIME) {
		ctx_source(c, name, SOURCE_ERROR, "%s: no answer within the time limit (%" PRIu64 " s)%s%s", cmd,
		    c->profile->source_timeout_usec / USEC_PER_SEC, err ? ": " : "", err ? err : "");
		return NULL;
	}
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "%s: %s", cmd, r == -EFBIG ? "the answer is larger than 64 MiB" :
		    strerror(-r));
		return NULL;
	}
	if (r != 0) {
		ctx_source(c, name, SOURCE_ERROR, "%s: exit status %d: %s", cmd, r,
		    err ? err : "the AWS CLI printed no error");
		return NULL;
	}
	doc = json_loadb(out, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL || (want >= 0 && ecs_doc_kind(doc) != want) ||
	    (want == ECS_DOC_LOG_EVENTS && !json_is_array(json_object_get(doc, "events")))) {
		ctx_source(c, name, SOURCE_ERROR, "%s: the answer is not the expected JSON (%s)", cmd,
		    doc ? "another shape" : je.text);
		json_decref(doc);
		return NULL;
	}
	if (raw != NULL) {
		*raw = TAKE_PTR(out);
		*rawlen = len;
	}
	return doc;
}

/* ---- the agent's CloudWatch log, handed to the --log-file reader ----------- */

/*
 * The fetched events become journal/<unit>.jsonl through collect_log_fd() (logfile.c),
 * which reads get-/filter-log-events JSON as --log-file does; the source then says where
 * they came from.
 */
static void
store_log(struct ctx *c, const char *name, const char *out, size_t len, const char *what, const char *cmd)
{
	_cleanup_close_ int fd = memfd_create("triage-ecs-log", MFD_CLOEXEC);
	json_t *o;

	if (fd < 0) {
		ctx_source(c, name, SOURCE_ERROR, "%s: cannot keep the answer: %s", cmd, strerror(errno));
		return;
	}
	for (size_t off = 0; off < len; ) {
		ssize_t n = write(fd, out + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ctx_source(c, name, SOURCE_ERROR, "%s: cannot keep the answer: %s", cmd, strerror(errno));
			return;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		ctx_source(c, name, SOURCE_ERROR, "%s: %s", cmd, strerror(errno));
		return;
	}
	collect_log_fd(c, fd, what);
	if (c->bw) {
		o = bw_source_object(c->bw, name);
		/* The reader words its detail for --log-file: say what it read instead. */
		{
			const char *st = json_string_value(json_object_get(o, "status"));
			const char *d = json_string_value(json_object_get(o, "detail"));
			const char *at = d ? strstr(d, "--log-file ") : NULL;

			if (st && at) {
				_cleanup_free_ char *nd = xasprintf("%.*s%s", (int)(at - d), d, at + 11);

				bw_source(c->bw, name, strcmp(st, "ok") == 0 ? SOURCE_OK : strcmp(st, "truncated") == 0 ?
				    SOURCE_TRUNCATED : strcmp(st, "unavailable") == 0 ? SOURCE_UNAVAILABLE : SOURCE_ERROR,
				    "%s", nd);
			}
		}
		json_object_set_new(o, "origin", json_string("cloudwatch"));
		json_object_set_new(o, "command", json_string(cmd));
	}
}

/* Task ids of every task listed or described, deduplicated, at most max. */
static void
task_ids(struct ecs_state *st, struct strv *ids, size_t max)
{
	for (size_t i = 0; i < st->n; i++) {
		const json_t *arr = NULL, *x;
		size_t k;

		if (st->docs[i].kind == ECS_LIST_TASKS)
			arr = json_object_get(st->docs[i].doc, "taskArns");
		else if (st->docs[i].kind == ECS_DESCRIBE_TASKS)
			arr = json_object_get(st->docs[i].doc, "tasks");
		json_array_foreach(arr, k, x) {
			const char *arn = json_is_string(x) ? json_string_value(x) :
			    json_string_value(json_object_get(x, "taskArn"));
			bool dup = false;

			if (arn == NULL || ids->n >= max)
				continue;
			for (size_t j = 0; j < ids->n; j++)
				dup |= strcmp(ids->v[j], ecs_arn_tail(arn)) == 0;
			if (!dup)
				strv_add(ids, ecs_arn_tail(arn));
		}
	}
}

/* aws logs filter-log-events for the agent container's streams of the tasks found. */
static void
fetch_log(struct ctx *c, const json_t *td)
{
	struct strv *units = c->opt->units.n ? &c->opt->units : &c->profile->units;
	_cleanup_free_ char *name = xasprintf(BUNDLE_DIR_JOURNAL "%s", units->n ? units->v[0] : "onboarding-agent.service");
	const json_t *ac = td ? agent_container(td) : NULL;
	const json_t *lc = json_object_get(ac, "logConfiguration"), *opts = json_object_get(lc, "options");
	const char *group = json_string_value(json_object_get(opts, "awslogs-group"));
	const char *prefix = json_string_value(json_object_get(opts, "awslogs-stream-prefix"));
	const char *region = json_string_value(json_object_get(opts, "awslogs-region"));
	struct strv ids = { 0 };
	struct args a = { 0 };
	uint64_t now = time_now_usec();
	/* The window main() resolved from --since/--until (default: the profile's 24 hours before now). */
	uint64_t since = c->window_set ? c->since_usec : now - c->profile->window_usec;
	uint64_t until = c->window_set ? c->until_usec : now;
	_cleanup_free_ char *s1 = NULL, *s2 = NULL, *what = NULL;
	json_t *doc;

	if (td == NULL) {
		ctx_source(c, name, SOURCE_ERROR, "not fetched: without the task definition the agent's log stream is "
		    "not known");
		return;
	}
	if (ac == NULL) {
		ctx_source(c, name, SOURCE_UNAVAILABLE, "the task definition has no %s container", ECS_AGENT_CONTAINER);
		return;
	}
	if (strcmp(jstr(lc, "logDriver"), "awslogs") != 0 || group == NULL) {
		ctx_source(c, name, SOURCE_UNAVAILABLE, "the %s container does not log with awslogs (logDriver %s): "
		    "save its log and pass it with --log-file", jstr(ac, "name"), jstr(lc, "logDriver"));
		return;
	}
	task_ids(c->ecs, &ids, ECS_STREAMS_MAX);
	if (ids.n == 0) {
		ctx_source(c, name, SOURCE_UNAVAILABLE, "no task of the service is listed, so no log stream is known");
		return;
	}
	args_base(c, &a, "logs", "filter-log-events", region);
	arg(&a, "--log-group-name");
	arg(&a, group);
	arg(&a, "--log-stream-names");
	for (size_t i = 0; i < ids.n; i++) {
		_cleanup_free_ char *sn = prefix ? xasprintf("%s/%s/%s", prefix, jstr(ac, "name"), ids.v[i]) :
		    xasprintf("%s/%s", jstr(ac, "name"), ids.v[i]);

		arg(&a, sn);
	}
	s1 = xasprintf("%" PRIu64, since / 1000);
	s2 = xasprintf("%" PRIu64, until / 1000);
	arg(&a, "--start-time");
	arg(&a, s1);
	arg(&a, "--end-time");
	arg(&a, s2);
	arg(&a, "--max-items");
	arg(&a, ECS_LOG_ITEMS);
	{
		_cleanup_free_ char *out = NULL, *cmd = args_text(&a);
		size_t len = 0;

		doc = aws_call_raw(c, name, &a, ECS_DOC_LOG_EVENTS, &out, &len);
		if (doc != NULL) {
			what = xasprintf("the CloudWatch log group %s (%zu stream%s of %s)", group, ids.n,
			    ids.n == 1 ? "" : "s", jstr(ac, "name"));
			if (json_is_string(json_object_get(doc, "NextToken")))
				ctx_verbose(c, "more than " ECS_LOG_ITEMS " log events: the first are kept");
			store_log(c, name, out, len, what, cmd);
			json_decref(doc);
		}
	}
	args_free(&a);
	strv_free(&ids);
}

/* The read-only calls of --ecs-cluster/--ecs-service; answers join the state. */
static void
fetch_service(struct ctx *c)
{
	const char *cl = c->opt->ecs_cluster, *sv = c->opt->ecs_service;
	struct ecs_state *st = c->ecs;
	struct args a = { 0 };
	_cleanup_free_ char *tdarn = NULL;
	struct strv ids = { 0 };
	json_t *doc;
	char *cmd;
	bool svc_ok = false, list_ok = false;

	/* describe-services */
	args_base(c, &a, "ecs", "describe-services", NULL);
	arg(&a, "--cluster");
	arg(&a, cl);
	arg(&a, "--services");
	arg(&a, sv);
	cmd = args_text(&a);
	if ((doc = aws_call(c, ECS_DIR "describe-services", &a, ECS_DESCRIBE_SERVICES)) != NULL) {
		const char *t = json_string_value(json_object_get(json_array_get(json_object_get(doc, "services"), 0),
		    "taskDefinition"));

		if (t)
			tdarn = xstrdup(t);
		state_add(st, cmd, NULL, doc, ECS_DESCRIBE_SERVICES);
		svc_ok = true;
	}
	free(cmd);
	args_free(&a);

	/* list-tasks, RUNNING and STOPPED */
	for (int k = 0; k < 2; k++) {
		const char *ds = k == 0 ? "RUNNING" : "STOPPED";
		_cleanup_free_ char *src = xasprintf(ECS_DIR "list-tasks-%s", k == 0 ? "running" : "stopped");

		args_base(c, &a, "ecs", "list-tasks", NULL);
		arg(&a, "--cluster");
		arg(&a, cl);
		arg(&a, "--service-name");
		arg(&a, sv);
		arg(&a, "--desired-status");
		arg(&a, ds);
		cmd = args_text(&a);
		if ((doc = aws_call(c, src, &a, ECS_LIST_TASKS)) != NULL) {
			state_add(st, cmd, k == 0 ? "-running" : "-stopped", doc, ECS_LIST_TASKS);
			list_ok = true;
		}
		free(cmd);
		args_free(&a);
	}

	/* describe-tasks */
	task_ids(st, &ids, ECS_TASKS_MAX);
	if (ids.n == 0 && !list_ok)
		ctx_source(c, ECS_DIR "describe-tasks", SOURCE_ERROR, "not run: list-tasks failed, so no task is known");
	else if (ids.n == 0)
		ctx_source(c, ECS_DIR "describe-tasks", SOURCE_UNAVAILABLE, "the service has no running or recently "
		    "stopped task (ECS keeps stopped tasks for about an hour)");
	else {
		args_base(c, &a, "ecs", "describe-tasks", NULL);
		arg(&a, "--cluster");
		arg(&a, cl);
		arg(&a, "--tasks");
		for (size_t i = 0; i < ids.n; i++)
			arg(&a, ids.v[i]);
		cmd = args_text(&a);
		if ((doc = aws_call(c, ECS_DIR "describe-tasks", &a, ECS_DESCRIBE_TASKS)) != NULL) {
			const json_t *t0 = json_array_get(json_object_get(doc, "tasks"), 0);

			if (tdarn == NULL && json_is_string(json_object_get(t0, "taskDefinitionArn")))
				tdarn = xstrdup(json_string_value(json_object_get(t0, "taskDefinitionArn")));
			state_add(st, cmd, NULL, doc, ECS_DESCRIBE_TASKS);
		}
		free(cmd);
		args_free(&a);
	}
	strv_free(&ids);

	/* describe-task-definition */
	if (tdarn == NULL)
		ctx_source(c, ECS_DIR "describe-task-definition", SOURCE_ERROR, "not run: the service's task "
		    "definition is not known (%s)", svc_ok ? "describe-services names none" : "describe-services failed");
	else {
		args_base(c, &a, "ecs", "describe-task-definition", NULL);
		arg(&a, "--task-definition");
		arg(&a, tdarn);
		cmd = args_text(&a);
		if ((doc = aws_call(c, ECS_DIR "describe-task-definition", &a, ECS_DESCRIBE_TASK_DEFINITION)) != NULL)
			state_add(st, cmd, NULL, doc, ECS_DESCRIBE_TASK_DEFINITION);
		free(cmd);
		args_free(&a);
	}
}

void
collect_ecs(struct ctx *c)
{
	struct ecs_state *st;
	struct ecs_doc_in *tdd;
	json_t *td = NULL;
	size_t n_in;

	if (!ecs_away(c->opt))
		return;
	if (c->ecs == NULL)
		c->ecs = xcalloc(1, sizeof(*c->ecs));
	st = c->ecs;
	n_in = st->n;
	if (c->opt->ecs_cluster) {
		if (!aws_on_path()) {
			static const char *const names[] = {
				ECS_DIR "describe-services", ECS_DIR "list-tasks-running", ECS_DIR "list-tasks-stopped",
				ECS_DIR "describe-tasks", ECS_DIR "describe-task-definition",
			};

			for (size_t i = 0; i < ELEMENTSOF(names); i++)
				ctx_source(c, names[i], SOURCE_ERROR, "the AWS CLI ('aws') is not on PATH: install it "
				    "(https://aws.amazon.com/cli/), or save the outputs of aws ecs describe-services, "
				    "list-tasks, describe-tasks and describe-task-definition and pass them with --ecs-json");
		} else
			fetch_service(c);
	}
	(void)n_in;
	/* The task definition is read before redaction changes it. */
	tdd = main_taskdef(st);
	if (tdd != NULL)
		td = json_deep_copy(json_object_get(tdd->doc, "taskDefinition"));
	if (c->opt->ecs_cluster && aws_on_path() && !c->opt->log_file)
		fetch_log(c, td);
	for (size_t i = 0; i < st->n; i++)
		public_names(&st->names, st->docs[i].doc, NULL, 0);
	for (size_t i = 0; i < st->n; i++)
		store_doc(c, &st->docs[i]);
	if (td != NULL) {
		env_from_taskdef(c, td, "ONBOARDING_CONFIG");
		env_from_taskdef(c, td, "AGENT_CONFIG");
	}
	json_decref(td);
}

/* Which sources describe the task, which the machine the collector ran on; the ECS collection settings. */
void
ecs_scopes(struct ctx *c)
{
	json_t *m, *srcs, *s, *coll, *e, *inputs;
	size_t i;

	if (!ecs_away(c->opt) || c->bw == NULL)
		return;
	m = bw_manifest(c->bw);
	srcs = json_object_get(m, "sources");
	json_array_foreach(srcs, i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));
		bool task = n && (BUNDLE_IN_DIR(n, BUNDLE_DIR_ECS) || strncmp(n, "env/", 4) == 0 ||
		    BUNDLE_IN_DIR(n, BUNDLE_DIR_JOURNAL));

		json_object_set_new(s, "describes", json_string(task ? "task" : "collecting-host"));
	}
	coll = json_object_get(m, "collection");
	if (!json_is_object(coll)) {
		coll = json_object();
		json_object_set_new(m, "collection", coll);
	}
	e = json_object();
	json_object_set_new(e, "away", json_true());
	json_object_set_new(e, "cluster", c->opt->ecs_cluster ? json_string(c->opt->ecs_cluster) : json_null());
	json_object_set_new(e, "service", c->opt->ecs_service ? json_string(c->opt->ecs_service) : json_null());
	json_object_set_new(e, "region", c->opt->ecs_region ? json_string(c->opt->ecs_region) : json_null());
	json_object_set_new(e, "profile", c->opt->ecs_profile ? json_string(c->opt->ecs_profile) : json_null());
	inputs = json_array();
	for (i = 0; i < c->opt->ecs_json.n; i++)
		json_array_append_new(inputs, json_string(strcmp(c->opt->ecs_json.v[i], "-") == 0 ? "-" :
		    c->opt->ecs_json.v[i]));
	json_object_set_new(e, "inputs", inputs);
	json_object_set_new(e, "not_collected", json_string("units, the journal, config files, resolver files and "
	    "probes of the collecting host: they describe the machine the collector ran on, not the task"));
	json_object_set_new(coll, "ecs", e);
}

void
ecs_dry_run(struct ctx *c)
{
	if (!ecs_away(c->opt))
		return;
	printf("ECS (the collector runs away from the task: the host's units, journal, configs, resolver "
	    "and probes are not collected):\n");
	for (size_t i = 0; c->ecs && i < c->ecs->n; i++)
		printf("  %s: %s -> " ECS_DIR "%s.json (environment values, secret ARNs and log-driver "
		    "options redacted)\n", c->ecs->docs[i].label, ecs_doc_info[c->ecs->docs[i].kind].name,
		    ecs_doc_info[c->ecs->docs[i].kind].name);
	if (c->opt->ecs_cluster)
		printf("  aws ecs describe-services, list-tasks (RUNNING, STOPPED), describe-tasks, "
		    "describe-task-definition for cluster %s service %s%s; aws logs filter-log-events for the "
		    "%s container's stream%s\n", c->opt->ecs_cluster, c->opt->ecs_service,
		    aws_on_path() ? "" : " (the AWS CLI 'aws' is NOT on PATH)", ECS_AGENT_CONTAINER,
		    c->opt->log_file ? " (not: --log-file given)" : "");
}
