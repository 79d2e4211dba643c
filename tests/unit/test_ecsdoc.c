/* test_ecsdoc.c: recognising `aws ecs` outputs by shape, bundle paths, and the CLI's two time forms. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ecsdoc.h"

#define T0 UINT64_C(1795669200000000) /* 2026-11-26T05:00:00Z */

static int
kind_of(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	int k = ecs_doc_kind(j);

	json_decref(j);
	return k;
}

static void
test_shapes(void **state)
{
	(void)state;
	assert_int_equal(kind_of("{\"services\": [], \"failures\": [{\"arn\": \"x\", \"reason\": \"MISSING\"}]}"),
	    ECS_DESCRIBE_SERVICES);
	assert_int_equal(kind_of("{\"taskArns\": []}"), ECS_LIST_TASKS);
	assert_int_equal(kind_of("{\"taskArns\": [\"a\"], \"nextToken\": \"t\"}"), ECS_LIST_TASKS);
	assert_int_equal(kind_of("{\"tasks\": [], \"failures\": []}"), ECS_DESCRIBE_TASKS);
	assert_int_equal(kind_of("{\"taskDefinition\": {\"family\": \"f\"}, \"tags\": []}"), ECS_DESCRIBE_TASK_DEFINITION);
	assert_int_equal(kind_of("{\"events\": [{\"timestamp\": 1, \"message\": \"m\"}], \"searchedLogStreams\": []}"),
	    ECS_DOC_LOG_EVENTS);
	assert_int_equal(kind_of("{\"events\": [], \"nextForwardToken\": \"f/1\"}"), ECS_DOC_LOG_EVENTS);
	/* Look-alikes are not taken. */
	assert_int_equal(kind_of("{\"clusters\": []}"), ECS_DOC_UNKNOWN);
	assert_int_equal(kind_of("{\"services\": \"ratings\"}"), ECS_DOC_UNKNOWN);
	assert_int_equal(kind_of("{\"taskDefinition\": \"arn:aws:ecs:...\"}"), ECS_DOC_UNKNOWN);
	assert_int_equal(kind_of("[{\"services\": []}]"), ECS_DOC_UNKNOWN);
	assert_int_equal(ecs_doc_kind(NULL), ECS_DOC_UNKNOWN);
}

static void
test_paths(void **state)
{
	(void)state;
	assert_int_equal(ecs_path_kind("ecs/describe-services.json"), ECS_DESCRIBE_SERVICES);
	assert_int_equal(ecs_path_kind("ecs/describe-tasks.2.json"), ECS_DESCRIBE_TASKS);
	assert_int_equal(ecs_path_kind("ecs/describe-task-definition.json"), ECS_DESCRIBE_TASK_DEFINITION);
	assert_int_equal(ecs_path_kind("ecs/list-tasks-stopped.json"), ECS_LIST_TASKS);
	assert_int_equal(ecs_path_kind("ecs/sub/describe-tasks.json"), ECS_DOC_UNKNOWN);
	assert_int_equal(ecs_path_kind("config/describe-tasks.json"), ECS_DOC_UNKNOWN);
	assert_string_equal(ecs_arn_tail("arn:aws:ecs:us-east-1:1:task/bookinfo/3a15"), "3a15");
	assert_string_equal(ecs_arn_tail("arn:aws:ecs:us-east-1:1:task-definition/bookinfo_ratings:3"),
	    "bookinfo_ratings:3");
	assert_string_equal(ecs_arn_tail("plain"), "plain");
}

static uint64_t
t_of(const char *json, bool ms, int *r)
{
	json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
	uint64_t t = 0;

	*r = ecs_time(j, ms, &t);
	json_decref(j);
	return t;
}

static void
test_times(void **state)
{
	int r;

	(void)state;
	/* CLI v1: epoch seconds, integer, float, exponent form. */
	assert_true(t_of("1795669200", false, &r) == T0 && r == 0);
	assert_true(t_of("1795669200.117", false, &r) == T0 + 117000 && r == 0);
	assert_true(t_of("1.7956692e9", false, &r) == T0 && r == 0);
	/* CLI v2: ISO 8601 with a fraction or not, Z or any offset. */
	assert_true(t_of("\"2026-11-26T05:00:00.117000+00:00\"", false, &r) == T0 + 117000 && r == 0);
	assert_true(t_of("\"2026-11-26T01:00:00-04:00\"", false, &r) == T0 && r == 0);
	assert_true(t_of("\"2026-11-26T10:30:00.5+05:30\"", false, &r) == T0 + 500000 && r == 0);
	assert_true(t_of("\"2026-11-26T05:00:00Z\"", false, &r) == T0 && r == 0);
	/* CloudWatch Logs: epoch milliseconds. */
	assert_true(t_of("1795669200512", true, &r) == T0 + 512000 && r == 0);
	/* Refused: no zone, negative, not a time. */
	t_of("\"2026-11-26T05:00:00\"", false, &r);
	assert_int_equal(r, -EINVAL);
	t_of("-5", false, &r);
	assert_int_equal(r, -EINVAL);
	t_of("\"yesterday\"", false, &r);
	assert_int_equal(r, -EINVAL);
	t_of("null", false, &r);
	assert_int_equal(r, -EINVAL);
	t_of("1e300", false, &r);
	assert_int_equal(r, -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
