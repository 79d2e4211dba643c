#!/usr/bin/env bash
# tests/integration/test-at-scale.sh: docs/at-scale.md's recipes, run as written: GNU parallel
# on this machine and over --sshlogin (ssh replaced by a local stand-in with its own home per
# host, so bundles and reports really travel by rsync), then the merge; the per-bundle and
# summary scripts of the Kubernetes Job and AWS Batch files run on the same queue; those files
# are valid YAML/JSON with the keys the engines need.
. "$(dirname "$0")/../lib.sh"
S=$TOP/samples
DOC=$TOP/docs/at-scale.md
AS=$TOP/docs/at-scale

# block NAME: the ```sh block after "<!-- test: NAME -->" in the doc.
block() { $PY - "$DOC" "$1" <<'P'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"<!-- test: %s -->\n```sh\n(.*?)```" % re.escape(sys.argv[2]), text, re.S)
sys.stdout.write(m.group(1) if m else "exit 99\n")
P
}

# A queue: every sample, in a subfolder too under another name, and an unreadable bundle.
mkqueue() { # DIR
	mkdir -p "$1/queue/sub"
	for b in "$S"/*.tar.gz; do
		cp "$b" "$1/queue/"
		cp "$b" "$1/queue/sub/copy-$(basename "$b")"
	done
	head -c 2000 "$S/healthy.tar.gz" >"$1/queue/truncated.tar.gz"
}
n_bundles=$(( $(ls "$S"/*.tar.gz | wc -l) * 2 + 1 ))

if ! command -v parallel >/dev/null; then
	fail "GNU parallel installed (scripts/deps.sh: parallel)"
	finish
fi
export PATH=$BUILD:$PATH

# The reference: --summary straight over the queue.
mkqueue "$T/ref"
# The queue holds bundles with findings at error and a truncated one: exit 1.
expect_run "the reference --summary over the queue" 1 /dev/null env -C "$T/ref" "$ANALYZE" --summary -f json -o ref.json queue

# rows_equal GOT.json: same rows (path aside from the folder order), rules and groups as the reference.
rows_equal() {
	$PY - "$T/ref/ref.json" "$1" <<'P'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def rows(d):
    out = []
    for x in d["bundles"]:
        x = dict(x)
        x.pop("report", None)
        if x["error"]:
            x["error"] = "unreadable"      # the merge and the direct run read it the same way
        out.append(x)
    return sorted(out, key=lambda x: x["path"])
assert rows(a) == rows(b), [(x, y) for x, y in zip(rows(a), rows(b)) if x != y][:2]
assert a["rules"] == b["rules"], (a["rules"], b["rules"])
norm = lambda gs: sorted((g["rules"], sorted(g["bundles"])) for g in gs)
assert norm(a["groups"]) == norm(b["groups"])
P
}

# 1. GNU parallel on this machine.
mkqueue "$T/local"
(cd "$T/local" && bash -c "$(block parallel-local)") >"$T/local.out" 2>&1
check "parallel, local: one report per readable bundle" test "$(ls "$T/local/reports/"*.json | wc -l)" = $((n_bundles - 1))
check "parallel, local: the unreadable bundle is listed" grep -qx 'queue/truncated.tar.gz' "$T/local/reports/unreadable.txt"
check "parallel, local: summary.html written" grep -q '<h1>Triage summary: ' "$T/local/summary.html"
check "parallel, local: the merge gives the same rows, rules and groups as --summary over the queue" rows_equal "$T/local/summary.json"

# 2. GNU parallel over --sshlogin: "ssh" runs the command in a home folder of its own per host.
cat >"$T/fake-ssh" <<'SH'
#!/bin/sh
# fake-ssh [ssh options] HOST [--] COMMAND: like ssh into HOST, whose home is $FAKE_SSH_ROOT/HOST.
# sshd sets HOME and SHELL (the login shell) whatever the client's environment holds: GNU
# parallel's remote wrapper runs the job through $SHELL, and a CI runner may have no SHELL.
while [ $# -gt 0 ]; do
	case $1 in
	-[lpoiSFcmLRDJOEbewQWB]) shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
host=$1; shift
[ "${1:-}" = -- ] && shift
mkdir -p "$FAKE_SSH_ROOT/$host" && cd "$FAKE_SSH_ROOT/$host" || exit 255
echo "$host" >>"$FAKE_SSH_ROOT/hosts.log"
printf '%.60s\n' "$*" >>"$FAKE_SSH_ROOT/commands.log"
HOME=$FAKE_SSH_ROOT/$host SHELL=/bin/sh exec sh -c "$*"
SH
chmod +x "$T/fake-ssh"
if command -v rsync >/dev/null; then
	mkqueue "$T/ssh"
	mkdir -p "$T/remote"
	(cd "$T/ssh" && PARALLEL_SSH=$T/fake-ssh FAKE_SSH_ROOT=$T/remote bash -c "$(block parallel-ssh)") >"$T/ssh.out" 2>&1
	check "parallel, --sshlogin: both remote hosts ran jobs" bash -c "grep -qx support-1 '$T/remote/hosts.log' && grep -qx support-2 '$T/remote/hosts.log'"
	check "parallel, --sshlogin: every readable bundle's report came back" test "$(ls "$T/ssh/reports/"*.json | wc -l)" = $((n_bundles - 1))
	[ "$(ls "$T/ssh/reports/"*.json 2>/dev/null | wc -l)" = $((n_bundles - 1)) ] || sed 's/^/    ssh.out: /' "$T/ssh.out" | head -20
	check "parallel, --sshlogin: only the unreadable bundle is listed" grep -qx 'queue/truncated.tar.gz' "$T/ssh/reports/unreadable.txt"
	check "parallel, --sshlogin: unreadable.txt has one line" test "$(wc -l <"$T/ssh/reports/unreadable.txt")" = 1
	check "parallel, --sshlogin: --cleanup left nothing on the remote hosts" test -z "$(find "$T/remote" -name '*.tar.gz' -o -name '*.tar.gz.json')"
	check "parallel, --sshlogin: bundles and reports went through rsync" grep -q 'rsync --server' "$T/remote/commands.log"
	check "parallel, --sshlogin: the merge gives the same rows, rules and groups" rows_equal "$T/ssh/summary.json"
else
	fail "rsync installed (scripts/deps.sh: rsync; GNU parallel's --transferfile uses it)"
fi

# 3. Kubernetes and AWS Batch: syntax and the keys the engines need.
check "k8s manifests: Indexed Job and summary Job, valid YAML" $PY - "$AS/k8s-indexed-job.yaml" "$AS/k8s-summary-job.yaml" <<'P'
import sys, yaml
j = list(yaml.safe_load_all(open(sys.argv[1])))
assert len(j) == 1 and j[0]["apiVersion"] == "batch/v1" and j[0]["kind"] == "Job"
spec = j[0]["spec"]
assert spec["completionMode"] == "Indexed" and spec["completions"] >= 1 and spec["parallelism"] >= 1
c = spec["template"]["spec"]["containers"][0]
assert spec["template"]["spec"]["restartPolicy"] == "Never"
assert "JOB_COMPLETION_INDEX" in c["command"][-1] and "triage-analyze -f json" in c["command"][-1]
mounts = {m["name"]: m for m in c["volumeMounts"]}
vols = {v["name"] for v in spec["template"]["spec"]["volumes"]}
assert set(mounts) <= vols and mounts["queue"]["readOnly"] is True
s = list(yaml.safe_load_all(open(sys.argv[2])))
assert s[0]["kind"] == "Job" and "--summary" in s[0]["spec"]["template"]["spec"]["containers"][0]["command"][-1]
P
check "AWS Batch files: valid JSON, array job of the definition" $PY - "$AS/aws-batch-job-definition.json" "$AS/aws-batch-submit-job.json" <<'P'
import json, sys
d, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert d["type"] == "container" and "AWS_BATCH_JOB_ARRAY_INDEX" in d["containerProperties"]["command"][-1]
vols = {v["name"] for v in d["containerProperties"]["volumes"]}
assert {m["sourceVolume"] for m in d["containerProperties"]["mountPoints"]} <= vols
assert s["jobDefinition"] == d["jobDefinitionName"] and 2 <= s["arrayProperties"]["size"] <= 10000
P

# 4. Their scripts, run here on a queue as the pods and array children would (one per index).
mkqueue "$T/k8s"
(cd "$T/k8s/queue" && find . -name '*.tar.gz' -printf '%P\n' | sort) >"$T/k8s/bundles.txt"
mkdir -p "$T/k8s/reports"
$PY -c 'import sys, yaml; print(list(yaml.safe_load_all(open(sys.argv[1])))[0]["spec"]["template"]["spec"]["containers"][0]["command"][-1])' \
	"$AS/k8s-indexed-job.yaml" >"$T/k8s/pod.sh"
$PY -c 'import sys, yaml; print(list(yaml.safe_load_all(open(sys.argv[1])))[0]["spec"]["template"]["spec"]["containers"][0]["command"][-1])' \
	"$AS/k8s-summary-job.yaml" >"$T/k8s/summary.sh"
ok=1 i=0
while [ $i -lt "$(wc -l <"$T/k8s/bundles.txt")" ]; do
	JOB_COMPLETION_INDEX=$i QUEUE=$T/k8s/queue REPORTS=$T/k8s/reports LIST=$T/k8s/bundles.txt sh "$T/k8s/pod.sh" 2>>"$T/k8s/pods.err" || ok=0
	i=$((i + 1))
done
check "k8s pod script: every index succeeds (an unreadable bundle too)" test $ok = 1
check "k8s pod script: a report per readable bundle, the unreadable one listed" bash -c \
	"[ \$(ls '$T/k8s/reports/'*.json | wc -l) = $((n_bundles - 1)) ] && grep -qx truncated.tar.gz '$T/k8s/reports/unreadable.txt'"
QUEUE=$T/k8s/queue REPORTS=$T/k8s/reports sh "$T/k8s/summary.sh" 2>>"$T/k8s/pods.err"
check "k8s summary script: html, json and csv written" test -s "$T/k8s/reports/summary.html" -a -s "$T/k8s/reports/summary.csv"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); [b.__setitem__("path", "queue/" + b["path"].split("/queue/", 1)[1]) for b in d["bundles"]]; [g.__setitem__("bundles", ["queue/" + p.split("/queue/", 1)[1] for p in g["bundles"]]) for g in d["groups"]]; json.dump(d, open(sys.argv[2], "w"))' \
	"$T/k8s/reports/summary.json" "$T/k8s/norm.json"
check "k8s: the merge gives the same rows, rules and groups" rows_equal "$T/k8s/norm.json"
mkqueue "$T/batch"
(cd "$T/batch/queue" && find . -name '*.tar.gz' -printf '%P\n' | sort) >"$T/batch/queue/bundles.txt"
mkdir -p "$T/batch/reports"
$PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["containerProperties"]["command"][-1])' "$AS/aws-batch-job-definition.json" >"$T/batch/child.sh"
ok=1 i=0
while [ $i -lt "$(wc -l <"$T/batch/queue/bundles.txt")" ]; do
	AWS_BATCH_JOB_ARRAY_INDEX=$i QUEUE=$T/batch/queue REPORTS=$T/batch/reports LIST=$T/batch/queue/bundles.txt sh "$T/batch/child.sh" 2>/dev/null || ok=0
	i=$((i + 1))
done
check "Batch child script: every index succeeds, a report per readable bundle" bash -c \
	"[ $ok = 1 ] && [ \$(ls '$T/batch/reports/'*.json | wc -l) = $((n_bundles - 1)) ] && grep -qx truncated.tar.gz '$T/batch/reports/unreadable.txt'"
finish
