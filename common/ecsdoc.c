/* ecsdoc.c: recognising saved `aws ecs` outputs by their shape, and the CLI's two time forms. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ecsdoc.h"
#include "timeutil.h"

const struct ecs_doc_info ecs_doc_info[_ECS_DOC_MAX] = {
	[ECS_DESCRIBE_SERVICES] = { "describe-services",
	    "aws ecs describe-services --cluster CLUSTER --services SERVICE" },
	[ECS_LIST_TASKS] = { "list-tasks",
	    "aws ecs list-tasks --cluster CLUSTER --service-name SERVICE --desired-status STOPPED" },
	[ECS_DESCRIBE_TASKS] = { "describe-tasks",
	    "aws ecs describe-tasks --cluster CLUSTER --tasks TASK..." },
	[ECS_DESCRIBE_TASK_DEFINITION] = { "describe-task-definition",
	    "aws ecs describe-task-definition --task-definition FAMILY:REVISION" },
};
_Static_assert(sizeof(ecs_doc_info) / sizeof(ecs_doc_info[0]) == _ECS_DOC_MAX, "one row per kind");

int
ecs_doc_kind(const json_t *doc)
{
	const json_t *ev;

	if (!json_is_object(doc))
		return ECS_DOC_UNKNOWN;
	if (json_is_array(json_object_get(doc, "services")))
		return ECS_DESCRIBE_SERVICES;
	if (json_is_object(json_object_get(doc, "taskDefinition")))
		return ECS_DESCRIBE_TASK_DEFINITION;
	if (json_is_array(json_object_get(doc, "tasks")))
		return ECS_DESCRIBE_TASKS;
	if (json_is_array(json_object_get(doc, "taskArns")))
		return ECS_LIST_TASKS;
	ev = json_object_get(doc, "events");
	if (json_is_array(ev) && (json_array_size(ev) == 0 ||
	    json_object_get(json_array_get(ev, 0), "timestamp") != NULL) &&
	    (json_object_get(doc, "nextForwardToken") || json_object_get(doc, "searchedLogStreams") ||
	    json_array_size(ev) > 0))
		return ECS_DOC_LOG_EVENTS;
	return ECS_DOC_UNKNOWN;
}

int
ecs_path_kind(const char *path)
{
	size_t dl = strlen(ECS_DIR);

	if (strncmp(path, ECS_DIR, dl) != 0 || strchr(path + dl, '/') != NULL)
		return ECS_DOC_UNKNOWN;
	path += dl;
	/* Longest name first: describe-task-definition before describe-tasks. */
	if (strncmp(path, "describe-task-definition", 24) == 0)
		return ECS_DESCRIBE_TASK_DEFINITION;
	if (strncmp(path, "describe-tasks", 14) == 0)
		return ECS_DESCRIBE_TASKS;
	if (strncmp(path, "describe-services", 17) == 0)
		return ECS_DESCRIBE_SERVICES;
	if (strncmp(path, "list-tasks", 10) == 0)
		return ECS_LIST_TASKS;
	return ECS_DOC_UNKNOWN;
}

int
ecs_time(const json_t *v, bool ms, uint64_t *usec)
{
	if (json_is_number(v)) {
		double d = json_number_value(v);

		if (!isfinite(d) || d < 0)
			return -EINVAL;
		d = ms ? d * 1000.0 : d * 1e6;
		if (d >= 1.8e19)
			return -EINVAL;
		*usec = (uint64_t)(d + 0.5);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		double d;

		if (time_parse_rfc3339(s, usec) == 0)
			return 0;
		/* A number in a string (a hand-edited file, `--output text` pasted back). */
		d = strtod(s, &end);
		if (end != s && *end == '\0' && isfinite(d) && d >= 0 && d < 1.8e13) {
			*usec = (uint64_t)((ms ? d * 1000.0 : d * 1e6) + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

const char *
ecs_arn_tail(const char *arn)
{
	const char *s = strrchr(arn, '/');

	if (s == NULL)
		s = strrchr(arn, ':');
	return s ? s + 1 : arn;
}
