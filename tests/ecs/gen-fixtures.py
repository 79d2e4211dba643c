#!/usr/bin/env python3
# tests/ecs/gen-fixtures.py OUT: writes the fixture folders of tests/ecs/fixtures: what the AWS CLI v2 (v1 for pull-failure)
# prints for each scenario, shaped as docs/../ecs-reference.md shows.  The files are committed; rerun only on purpose.
import json, os, sys, datetime
OUT = sys.argv[1]
ACC = "123456789012"; REG = "us-east-1"; CL = "bookinfo"
def arn(kind, rest): return "arn:aws:ecs:%s:%s:%s/%s" % (REG, ACC, kind, rest)
T0 = datetime.datetime(2026, 11, 26, 5, 0, 0, tzinfo=datetime.timezone.utc)
def iso(sec, off=0):
    tz = datetime.timezone(datetime.timedelta(hours=off))
    t = (T0 + datetime.timedelta(seconds=sec)).astimezone(tz)
    s = t.isoformat(timespec="microseconds")
    return s
def v1(sec): return round((T0 + datetime.timedelta(seconds=sec)).timestamp() + 0.117, 3)
def ms(sec): return int((T0 + datetime.timedelta(seconds=sec)).timestamp() * 1000)

CERT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQmFzZTY0Q2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjO\nPQQDAjAUMRIwEAYDVQQDDAlUZXN0IFJvb3QwHhcNMjYwMTAxMDAwMDAwWhcNMzYw\n-----END CERTIFICATE-----\n"
ONB = {"apiVersion": "config.agent.onboarding.tetrate.io/v1alpha1", "kind": "OnboardingConfiguration",
       "onboardingEndpoint": {"host": "abcdef-123456789.us-east-1.elb.amazonaws.com", "transportSecurity": {"tls": {"sni": "onboarding-endpoint.example"}}},
       "workloadGroup": {"namespace": "bookinfo", "name": "ratings"}, "settings": {"connectedOver": "VPC"}}
AGC = "apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: AgentConfiguration\nhost:\n  aws:\n    ecs: {}\nsidecar:\n  stdout: /dev/stdout\n  stderr: /dev/stderr\n"

def taskdef(rev, role=True, onb=ONB, user="0", netmode="awsvpc", image_tag="1.8.0", extra_env=None, secrets=None, agc=AGC):
    env = [{"name": "ONBOARDING_CONFIG", "value": json.dumps(onb, separators=(",", ":"))},
           {"name": "ONBOARDING_AGENT_ROOT_CERTS", "value": CERT}]
    if agc: env.append({"name": "AGENT_CONFIG", "value": agc})
    env += extra_env or []
    agent = {"name": "onboarding-agent", "image": "%s.dkr.ecr.%s.amazonaws.com/registry/onboarding-agent:%s" % (ACC, REG, image_tag),
             "cpu": 0, "essential": True, "user": user, "environment": env, "mountPoints": [], "volumesFrom": [],
             "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/bookinfo_ratings", "awslogs-region": REG, "awslogs-stream-prefix": "ecs"}}}
    if secrets: agent["secrets"] = secrets
    app = {"name": "ratings", "image": "docker.io/tetrate/examples-bookinfo-ratings-v1:1.16.4", "cpu": 0, "essential": True,
           "portMappings": [{"containerPort": 9080, "hostPort": 9080, "protocol": "tcp"}],
           "environment": [], "dependsOn": [{"containerName": "onboarding-agent", "condition": "START"}],
           "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:9080/health || exit 1"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 60},
           "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/bookinfo_ratings", "awslogs-region": REG, "awslogs-stream-prefix": "ecs"}}}
    td = {"taskDefinitionArn": arn("task-definition", "bookinfo_ratings:%d" % rev), "containerDefinitions": [agent, app],
          "family": "bookinfo_ratings", "executionRoleArn": "arn:aws:iam::%s:role/bookinfoECSTaskExecRole" % ACC,
          "networkMode": netmode, "revision": rev, "volumes": [], "status": "ACTIVE",
          "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512", "registeredAt": iso(-86400)}
    if role: td["taskRoleArn"] = "arn:aws:iam::%s:role/bookinfoECSTaskRole" % ACC
    return {"taskDefinition": td, "tags": []}

def service(rev, desired, running, rollout, reason, events, failed=0, t=iso):
    return {"services": [{"serviceArn": arn("service", "%s/ratings" % CL), "serviceName": "ratings", "clusterArn": arn("cluster", CL),
        "status": "ACTIVE", "desiredCount": desired, "runningCount": running, "pendingCount": 0, "launchType": "FARGATE",
        "platformVersion": "LATEST", "taskDefinition": arn("task-definition", "bookinfo_ratings:%d" % rev),
        "deployments": [{"id": "ecs-svc/3468368874827011691", "status": "PRIMARY", "taskDefinition": arn("task-definition", "bookinfo_ratings:%d" % rev),
            "desiredCount": desired, "pendingCount": 0, "runningCount": running, "failedTasks": failed,
            "createdAt": t(0), "updatedAt": t(560), "launchType": "FARGATE", "rolloutState": rollout, "rolloutStateReason": reason}],
        "events": events, "createdAt": t(-86400), "deploymentController": {"type": "ECS"},
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d"], "securityGroups": ["sg-0123abcd"], "assignPublicIp": "DISABLED"}}}],
        "failures": []}

def ev(sec, msg, t=iso): return {"id": "%08x-8d7b-4c61-9a3e-2b1d0e9f8a77" % (sec * 7919 % 2**32), "createdAt": t(sec), "message": msg}

def task(tid, rev, last, containers, stopcode=None, reason=None, stopped=None, health="UNKNOWN", t=iso, overrides=None):
    tk = {"taskArn": arn("task", "%s/%s" % (CL, tid)), "clusterArn": arn("cluster", CL),
          "taskDefinitionArn": arn("task-definition", "bookinfo_ratings:%d" % rev), "group": "service:ratings",
          "startedBy": "ecs-svc/3468368874827011691", "lastStatus": last, "desiredStatus": "STOPPED" if last == "STOPPED" else "RUNNING",
          "healthStatus": health, "launchType": "FARGATE", "createdAt": t(20), "containers": containers,
          "overrides": overrides or {"containerOverrides": [{"name": "onboarding-agent"}, {"name": "ratings"}], "inferenceAcceleratorOverrides": []}}
    if last == "STOPPED":
        tk["stopCode"] = stopcode; tk["stoppedReason"] = reason; tk["stoppedAt"] = t(stopped); tk["stoppingAt"] = t(stopped - 5)
    else:
        tk["startedAt"] = t(60)
    return {"tasks": [tk], "failures": []}

def cont(tid, name, last, exit=None, reason=None, health="UNKNOWN"):
    c = {"containerArn": "arn:aws:ecs:%s:%s:container/%s/%s/%s" % (REG, ACC, CL, tid, name), "taskArn": arn("task", "%s/%s" % (CL, tid)),
         "name": name, "lastStatus": last, "healthStatus": health}
    if exit is not None: c["exitCode"] = exit
    if reason: c["reason"] = reason
    return c

def logs(tid, lines):
    return {"events": [{"logStreamName": "ecs/onboarding-agent/%s" % tid, "timestamp": ms(s), "message": m, "ingestionTime": ms(s) + 600,
                        "eventId": "3813028394127049854193943123854928734211658762440%d" % (k + 10000)} for k, (s, m) in enumerate(lines)],
            "searchedLogStreams": []}

def write(name, files):
    d = os.path.join(OUT, name); os.makedirs(d, exist_ok=True)
    for f, doc in files.items():
        with open(os.path.join(d, f + ".json"), "w") as fh:
            json.dump(doc, fh, indent=4, ensure_ascii=False); fh.write("\n")

# healthy: v2 times with a -04:00 offset (the CLI prints the local zone of the machine running it)
TID = "3a151358f03a4e32bf8cd401c1c74653"
east = lambda s: iso(s, -4)
write("healthy", {
  "describe-services": service(3, 1, 1, "COMPLETED", "ECS deployment ecs-svc/3468368874827011691 completed.",
      [ev(300, "(service ratings) has reached a steady state.", east), ev(20, "(service ratings) has started 1 tasks: (task %s)." % TID, east)], t=east),
  "list-tasks-running": {"taskArns": [arn("task", "%s/%s" % (CL, TID))]},
  "describe-tasks": task(TID, 3, "RUNNING", [cont(TID, "onboarding-agent", "RUNNING", health="HEALTHY"), cont(TID, "ratings", "RUNNING", health="HEALTHY")], health="HEALTHY", t=east),
  "describe-task-definition": taskdef(3),
  "filter-log-events": logs(TID, [(70, "info\tagent\tobtaining discovery information from the Workload Onboarding Plane ..."),
      (71, "info\tagent\tusing platform-specific credential procured by \"aws-ecs-credential\" plugin to request authorization for onboarding ..."),
      (72, "info\tagent\tsuccessfully onboarded the workload into the mesh: WorkloadGroup bookinfo/ratings"),
      (73, "info\tagent\tstarting Istio sidecar ...")]),
})

# dns-exit: the agent cannot resolve the endpoint and exits; the circuit breaker fails the deployment
T1, T2 = "7c9e0b2d41f84a6fa3d5e1c2b4a69f01", "c41d7e3a9b2f4c8e8a1f6d5b3e2c7a90"
dns = "error\tagent\tRPC failed: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial tcp: lookup abcdef-123456789.us-east-1.elb.amazonaws.com on 10.40.0.2:53: no such host\""
d = task(T1, 3, "STOPPED", [cont(T1, "onboarding-agent", "STOPPED", exit=1), cont(T1, "ratings", "STOPPED", exit=143)],
         "EssentialContainerExited", "Essential container in task exited", 155)
d2 = task(T2, 3, "STOPPED", [cont(T2, "onboarding-agent", "STOPPED", exit=1), cont(T2, "ratings", "STOPPED", exit=143)],
         "EssentialContainerExited", "Essential container in task exited", 455)
d["tasks"] += d2["tasks"]
write("dns-exit", {
  "describe-services": service(3, 1, 0, "FAILED", "ECS deployment circuit breaker: task failed to start.",
      [ev(560, "(service ratings) (deployment ecs-svc/3468368874827011691) deployment failed: tasks failed to start."),
       ev(460, "(service ratings) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."),
       ev(320, "(service ratings) has started 1 tasks: (task %s)." % T2), ev(20, "(service ratings) has started 1 tasks: (task %s)." % T1)], failed=2),
  "list-tasks-stopped": {"taskArns": [arn("task", "%s/%s" % (CL, T1)), arn("task", "%s/%s" % (CL, T2))]},
  "describe-tasks": d,
  "describe-task-definition": taskdef(3),
  "filter-log-events": {"events": logs(T1, [(70, "info\tagent\tobtaining discovery information from the Workload Onboarding Plane ..."), (71, dns), (101, dns), (131, dns),
        (150, "fatal\tagent\tgiving up: the Workload Onboarding Endpoint is unreachable")])["events"] +
      logs(T2, [(370, "info\tagent\tobtaining discovery information from the Workload Onboarding Plane ..."), (371, dns), (401, dns), (431, dns)])["events"], "searchedLogStreams": []},
})

# pull-failure: CLI v1 (epoch seconds), the agent image cannot be pulled
T3 = "5b2e8f1a7c3d4e9fb0a1c2d3e4f5a6b7"
pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref %s.dkr.ecr.%s.amazonaws.com/registry/onboarding-agent:1.8.1: %s.dkr.ecr.%s.amazonaws.com/registry/onboarding-agent:1.8.1: not found" % (ACC, REG, ACC, REG)
t3 = task(T3, 4, "STOPPED", [cont(T3, "onboarding-agent", "STOPPED", reason=pull), cont(T3, "ratings", "STOPPED")], "TaskFailedToStart", pull, 95, t=v1)
write("pull-failure", {
  "describe-services": service(4, 1, 0, "IN_PROGRESS", "ECS deployment ecs-svc/3468368874827011691 in progress.",
      [ev(100, "(service ratings) has stopped 1 running tasks: (task %s)." % T3, v1), ev(20, "(service ratings) has started 1 tasks: (task %s)." % T3, v1)], failed=1, t=v1),
  "list-tasks-stopped": {"taskArns": [arn("task", "%s/%s" % (CL, T3))]},
  "describe-tasks": t3,
  "describe-task-definition": taskdef(4, image_tag="1.8.1"),
  "filter-log-events": {"events": [], "searchedLogStreams": []},
})

# role-policy: no task role; the endpoint refuses the workload (no OnboardingPolicy allows it)
T4 = "9f8e7d6c5b4a43219876fedcba012345"
pol = "error\tagent\tfailed to obtain authorization for onboarding using platform-specific credential procured by \"aws-ecs-credential\" plugin: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy"
write("role-policy", {
  "describe-services": service(5, 1, 1, "COMPLETED", "ECS deployment ecs-svc/3468368874827011691 completed.",
      [ev(300, "(service ratings) has reached a steady state."), ev(20, "(service ratings) has started 1 tasks: (task %s)." % T4)]),
  "list-tasks-running": {"taskArns": [arn("task", "%s/%s" % (CL, T4))]},
  "describe-tasks": task(T4, 5, "RUNNING", [cont(T4, "onboarding-agent", "RUNNING", health="UNKNOWN"), cont(T4, "ratings", "RUNNING", health="HEALTHY")]),
  "describe-task-definition": taskdef(5, role=False),
  "filter-log-events": logs(T4, [(70, "info\tagent\tobtaining discovery information from the Workload Onboarding Plane ..."), (75, pol), (105, pol), (135, pol),
      (136, "error\tagent\tfailed to obtain authorization to onboard using platform-specific credential procured by any of the plugins")]),
})

# planted: secrets of several kinds in a task definition (never to reach a bundle)
PK = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDPLANTEDPRIVATEKEY\nFAKEplantedKEYmaterialXq9Zr7Lm2Np4Kw8Vt3Ys6Hd1Jf5Gb0Cx\n-----END PRIVATE KEY-----\n"
onbsec = dict(ONB); onbsec["onboardingEndpoint"] = dict(ONB["onboardingEndpoint"]); onbsec["onboardingEndpoint"]["transportSecurity"] = {"tls": {"insecureSkipVerify": True}}
agcsec = ("apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: AgentConfiguration\nhost:\n  custom:\n    credential:\n"
          "      - plugin:\n          name: jwt-plugin\n          path: /opt/plugins/jwt\n          env:\n            - name: JWT_SIGNING_KEY\n              value: FAKE-plugin-signing-key-Zx81Qa\n"
          "            - name: CLIENT_SECRET\n              value: FAKE-plugin-client-secret-Lp27Wd\n          args: [\"--token\", \"FAKE-plugin-arg-token-Mn55Ty\"]\n")
write("planted", {
  "describe-task-definition": taskdef(7, onb=onbsec, agc=agcsec, extra_env=[
      {"name": "DB_PASSWORD", "value": "FAKE-db-password-Hq73Xe"},
      {"name": "API_KEY", "value": "FAKE-api-key-Vb62Ks"},
      {"name": "SOME_SETTING", "value": "FAKE-plain-looking-value-Rt48Pz"},
      {"name": "DATABASE_URL", "value": "postgres://app:FAKE-url-password-Gy39Nc@db.internal:5432/app"},
      {"name": "AWS_SECRET_ACCESS_KEY", "value": "FAKEwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"},
      {"name": "GITHUB_TOKEN", "value": "ghp_FAKEplantedGitHubToken0123456789abcd"},
  ]),
})
# the private key goes where the root certs go
p = os.path.join(OUT, "planted", "describe-task-definition.json")
doc = json.load(open(p))
for e in doc["taskDefinition"]["containerDefinitions"][0]["environment"]:
    if e["name"] == "ONBOARDING_AGENT_ROOT_CERTS": e["value"] = CERT + PK
doc["taskDefinition"]["containerDefinitions"][0]["secrets"] = [{"name": "EXTRA_TOKEN", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:FAKE-secret-arn-name-Kd93Jw"}]
doc["taskDefinition"]["containerDefinitions"][1]["logConfiguration"]["secretOptions"] = [{"name": "splunk-token", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/FAKE-ssm-param-Pq12Zu"}]
doc["taskDefinition"]["containerDefinitions"][1]["repositoryCredentials"] = {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:FAKE-repo-cred-Wx45Rt"}
doc["taskDefinition"]["containerDefinitions"][1]["command"] = ["ratings", "--password", "FAKE-cmd-password-Ty66Ui"]
json.dump(doc, open(p, "w"), indent=4); open(p, "a").write("\n")

# ---- one case per remaining rule (tests/golden/test-ecs-rules.sh) ----

# missing-service: describe-services lists it under failures
write("missing-service", {
  "describe-services": {"services": [], "failures": [{"arn": arn("service", "%s/ratingz" % CL), "reason": "MISSING"}]},
})

# placement: no capacity for the task
write("placement", {
  "describe-services": service(3, 1, 0, "IN_PROGRESS", "ECS deployment ecs-svc/3468368874827011691 in progress.",
      [ev(200, "(service ratings) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance ID has insufficient memory available. For more information, see the Troubleshooting section."),
       ev(100, "(service ratings) was unable to place a task because no container instance met all of its requirements.")]),
  "describe-task-definition": taskdef(3),
})

# unhealthy: the agent container is UNHEALTHY in a running task; the application ran out of memory in another
T5, T6 = "1d2c3b4a59687f0e1d2c3b4a59687f0e", "2e3d4c5b6a7980f1e2d3c4b5a6978f01"
u = task(T5, 3, "RUNNING", [cont(T5, "onboarding-agent", "RUNNING", health="UNHEALTHY"), cont(T5, "ratings", "RUNNING", health="HEALTHY")], health="UNHEALTHY")
u["tasks"] += task(T6, 3, "STOPPED", [cont(T6, "onboarding-agent", "STOPPED", exit=0), cont(T6, "ratings", "STOPPED", exit=137, reason="OutOfMemoryError: Container killed due to memory usage")],
                   "EssentialContainerExited", "Essential container in task exited", 250)["tasks"]
write("unhealthy", {
  "describe-services": service(3, 1, 1, "COMPLETED", "ECS deployment ecs-svc/3468368874827011691 completed.", [ev(300, "(service ratings) has reached a steady state.")]),
  "list-tasks-running": {"taskArns": [arn("task", "%s/%s" % (CL, T5))]},
  "list-tasks-stopped": {"taskArns": [arn("task", "%s/%s" % (CL, T6))]},
  "describe-tasks": u,
  "describe-task-definition": taskdef(3),
})

# no-agent: the task definition lost the sidecar and uses bridge networking
T7 = "3f4e5d6c7b8a9012f3e4d5c6b7a89012"
na = taskdef(6, netmode="bridge")
na["taskDefinition"]["containerDefinitions"] = na["taskDefinition"]["containerDefinitions"][1:]
del na["taskDefinition"]["containerDefinitions"][0]["dependsOn"]
write("no-agent", {
  "describe-services": service(6, 1, 1, "COMPLETED", "ECS deployment ecs-svc/3468368874827011691 completed.", [ev(300, "(service ratings) has reached a steady state.")]),
  "list-tasks-running": {"taskArns": [arn("task", "%s/%s" % (CL, T7))]},
  "describe-tasks": task(T7, 6, "RUNNING", [cont(T7, "ratings", "RUNNING", health="HEALTHY")], health="HEALTHY"),
  "describe-task-definition": na,
})

# secrets-logging: one task cannot read its secrets, the next cannot create its log stream
T8, T9 = "4a5b6c7d8e9f40112233445566778899", "5b6c7d8e9fa051122334455667788990"
sec = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:tsb/onboarding-config from secrets manager: AccessDeniedException"
lg = "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"
sl = task(T8, 7, "STOPPED", [cont(T8, "onboarding-agent", "STOPPED"), cont(T8, "ratings", "STOPPED")], "TaskFailedToStart", sec, 60)
sl["tasks"] += task(T9, 7, "STOPPED", [cont(T9, "onboarding-agent", "STOPPED"), cont(T9, "ratings", "STOPPED")], "TaskFailedToStart", lg, 360)["tasks"]
write("secrets-logging", {
  "describe-services": service(7, 1, 0, "IN_PROGRESS", "ECS deployment ecs-svc/3468368874827011691 in progress.", [ev(370, "(service ratings) has stopped 1 running tasks: (task %s)." % T9)], failed=2),
  "list-tasks-stopped": {"taskArns": [arn("task", "%s/%s" % (CL, T8)), arn("task", "%s/%s" % (CL, T9))]},
  "describe-tasks": sl,
  "describe-task-definition": taskdef(7),
})
td7 = taskdef(7)
td7["taskDefinition"]["containerDefinitions"][0]["environment"] = [e for e in td7["taskDefinition"]["containerDefinitions"][0]["environment"] if e["name"] != "ONBOARDING_CONFIG"]
td7["taskDefinition"]["containerDefinitions"][0]["secrets"] = [{"name": "ONBOARDING_CONFIG", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:tsb/onboarding-config"}]
os.remove(os.path.join(OUT, "secrets-logging", "describe-task-definition.json"))
write("secrets-logging", {"describe-task-definition": td7})

# not-root: the agent runs as 1337; its ONBOARDING_CONFIG skips TLS verification and lacks workloadGroup
T10 = "6c7d8e9fa0b1c2d3e4f5061728394a5b"
bad = {"apiVersion": ONB["apiVersion"], "kind": "OnboardingConfiguration",
       "onboardingEndpoint": {"host": "abcdef-123456789.us-east-1.elb.amazonaws.com", "transportSecurity": {"tls": {"insecureSkipVerify": True}}}}
write("not-root", {
  "describe-services": service(8, 1, 1, "COMPLETED", "ECS deployment ecs-svc/3468368874827011691 completed.", [ev(300, "(service ratings) has reached a steady state.")]),
  "list-tasks-running": {"taskArns": [arn("task", "%s/%s" % (CL, T10))]},
  "describe-tasks": task(T10, 8, "RUNNING", [cont(T10, "onboarding-agent", "RUNNING", health="HEALTHY"), cont(T10, "ratings", "RUNNING", health="HEALTHY")], health="HEALTHY"),
  "describe-task-definition": taskdef(8, onb=bad, user="1337"),
  "filter-log-events": logs(T10, [(70, "info\tagent\tobtaining discovery information from the Workload Onboarding Plane ...")]),
})

# no-config: the agent container lost ONBOARDING_CONFIG (and AGENT_CONFIG)
T11 = "7d8e9fa0b1c2d3e4f5061728394a5b6c"
nc = taskdef(9, agc=None)
nc["taskDefinition"]["containerDefinitions"][0]["environment"] = [e for e in nc["taskDefinition"]["containerDefinitions"][0]["environment"] if e["name"] != "ONBOARDING_CONFIG"]
write("no-config", {
  "describe-services": service(9, 1, 0, "FAILED", "ECS deployment circuit breaker: task failed to start.", [ev(200, "(service ratings) (deployment ecs-svc/3468368874827011691) deployment failed: tasks failed to start.")], failed=3),
  "list-tasks-stopped": {"taskArns": [arn("task", "%s/%s" % (CL, T11))]},
  "describe-tasks": task(T11, 9, "STOPPED", [cont(T11, "onboarding-agent", "STOPPED", exit=2), cont(T11, "ratings", "STOPPED", exit=143)], "EssentialContainerExited", "Essential container in task exited", 90),
  "describe-task-definition": nc,
  "filter-log-events": logs(T11, [(80, "fatal\tagent\tfailed to load the onboarding configuration: environment variable ONBOARDING_CONFIG is not set")]),
})
