/* ecsdoc.h: the saved AWS ECS documents of a bundle: their kinds, bundle paths and times (both programs). */
#ifndef TRIAGE_ECSDOC_H
#define TRIAGE_ECSDOC_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "bundle_paths.h"

#define ECS_DIR			BUNDLE_DIR_ECS	/* bundle folder of the ECS documents */
#define ECS_AGENT_CONTAINER	"onboarding-agent"	/* the sidecar's container name (TSB docs) */

/* What an `aws ecs ...` output is, told by its shape. */
enum ecs_doc {
	ECS_DESCRIBE_SERVICES,		/* {services[], failures[]} */
	ECS_LIST_TASKS,			/* {taskArns[], nextToken?} */
	ECS_DESCRIBE_TASKS,		/* {tasks[], failures[]} */
	ECS_DESCRIBE_TASK_DEFINITION,	/* {taskDefinition{}, tags?} */
	_ECS_DOC_MAX,
	ECS_DOC_LOG_EVENTS = -2,	/* aws logs get-/filter-log-events: not for --ecs-json */
	ECS_DOC_UNKNOWN = -1,
};

/* Per kind: the command's name ("describe-services") and the CLI call a customer runs to save it. */
struct ecs_doc_info {
	const char *name;	/* also the bundle file's base name: ecs/<name>.json */
	const char *command;	/* e.g. "aws ecs describe-services --cluster C --services S" */
};

extern const struct ecs_doc_info ecs_doc_info[_ECS_DOC_MAX];

/* The kind of a parsed document (an object), by its top-level keys. */
int ecs_doc_kind(const json_t *doc);
/* The kind of a bundle path ecs/<name>[.N].json or ecs/<name>-<suffix>.json, or ECS_DOC_UNKNOWN. */
int ecs_path_kind(const char *path);

/*
 * A time as the AWS CLI prints it: v1 epoch seconds (integer, float, exponent
 * form), v2 ISO 8601 with an optional fraction and Z or +-HH:MM, or epoch
 * milliseconds when ms is set (CloudWatch Logs).  Returns 0 and usec, or -EINVAL.
 */
int ecs_time(const json_t *v, bool ms, uint64_t *usec);

/* The last component of an ARN ("...:task/cluster/ID" -> "ID"), borrowed from arn. */
const char *ecs_arn_tail(const char *arn);

#endif
