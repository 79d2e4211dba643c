/* ecsrec.c: the names the `ecs` condition knows (record types, their fields and documents, facts);
 * what the rule parser validates against, before any bundle is read (ecs.c builds the records). */
#include <errno.h>
#include <string.h>

#include "analyze.h"
#include "cleanup.h"
#include "ecsdoc.h"

/* Per record type: its condition name, the document it comes from, its fields. */
static const struct {
	const char *name;
	int	 doc;
	const char *const fields[16];
} rec_info[] = {
	[ECS_REC_SERVICE] = { "service", ECS_DESCRIBE_SERVICES, { "service", "status", "desiredCount", "runningCount",
	    "pendingCount", "taskDefinition", "launchType", "cluster", NULL } },
	[ECS_REC_SERVICE_FAILURE] = { "service-failure", ECS_DESCRIBE_SERVICES, { "service", "arn", "reason", "detail",
	    NULL } },
	[ECS_REC_DEPLOYMENT] = { "deployment", ECS_DESCRIBE_SERVICES, { "service", "deployment", "status",
	    "rolloutState", "rolloutStateReason", "failedTasks", "desiredCount", "runningCount", "pendingCount",
	    "taskDefinition", NULL } },
	[ECS_REC_EVENT] = { "event", ECS_DESCRIBE_SERVICES, { "service", "message", NULL } },
	[ECS_REC_TASK] = { "task", ECS_DESCRIBE_TASKS, { "task", "service", "lastStatus", "desiredStatus",
	    "healthStatus", "stopCode", "stoppedReason", "taskDefinition", "taskRoleOverride", "startedBy", NULL } },
	[ECS_REC_TASK_FAILURE] = { "task-failure", ECS_DESCRIBE_TASKS, { "task", "arn", "reason", "detail", NULL } },
	[ECS_REC_CONTAINER] = { "container", ECS_DESCRIBE_TASKS, { "task", "service", "container", "lastStatus",
	    "exitCode", "reason", "healthStatus", "stopCode", "stoppedReason", "taskDefinition", "taskLastStatus",
	    NULL } },
	[ECS_REC_TASK_DEFINITION] = { "task-definition", ECS_DESCRIBE_TASK_DEFINITION, { "taskDefinition", "family",
	    "revision", "taskRoleArn", "taskRoleOverride", "executionRoleArn", "networkMode", "containers", NULL } },
	[ECS_REC_CONTAINER_DEFINITION] = { "container-definition", ECS_DESCRIBE_TASK_DEFINITION, { "taskDefinition",
	    "container", "image", "user", "essential", "logDriver", "awslogsGroup", "healthCheck", NULL } },
};
_Static_assert(ELEMENTSOF(rec_info) == _ECS_REC_MAX, "one row per record type");

const char *
ecs_rec_name(enum ecs_rec r)
{
	return rec_info[r].name;
}

int
ecs_rec_parse(const char *name)
{
	for (size_t i = 0; i < _ECS_REC_MAX; i++)
		if (strcmp(rec_info[i].name, name) == 0)
			return (int)i;
	return -EINVAL;
}

int
ecs_rec_doc(enum ecs_rec r)
{
	return rec_info[r].doc;
}

bool
ecs_rec_has_field(enum ecs_rec r, const char *f, size_t len)
{
	if (r == ECS_REC_CONTAINER_DEFINITION && len > 4 && strncmp(f, "env:", 4) == 0)
		return true;
	if (len == 7 && strncmp(f, "records", 7) == 0)
		return true;
	for (size_t i = 0; rec_info[r].fields[i]; i++)
		if (strlen(rec_info[r].fields[i]) == len && strncmp(rec_info[r].fields[i], f, len) == 0)
			return true;
	return false;
}

bool
ecs_fact_known(const char *name, size_t len)
{
	static const char *const facts[] = { "service", "cluster", "taskDefinition", "family", "region" };

	for (size_t i = 0; i < ELEMENTSOF(facts); i++)
		if (strlen(facts[i]) == len && strncmp(facts[i], name, len) == 0)
			return true;
	return false;
}
