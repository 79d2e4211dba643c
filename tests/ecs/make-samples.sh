#!/usr/bin/env bash
# tests/ecs/make-samples.sh: remakes the AWS ECS sample bundles of samples/ (called by
# tests/nspawn/make-samples.sh, `make samples`; runs alone too).  The real collector runs away from
# the task, as a customer's laptop would (host name support-laptop), with --ecs-cluster against the
# stand-in `aws` of tests/ecs (answers from tests/ecs/fixtures; never AWS).
set -u
source "$(dirname "$0")/../lib.sh"
OUT=${SAMPLES_OUT:-$TOP/samples}
mkdir -p "$OUT"
for pair in healthy:ecs-running dns-exit:ecs-dns-exit pull-failure:ecs-pull-failure role-policy:ecs-role-policy; do
	fx=${pair%%:*} name=${pair#*:}
	rm -f "$OUT/$name.tar.gz"
	s=$(date +%s.%N)
	AWS_STANDIN_DIR=$TOP/tests/ecs/fixtures/$fx PATH=$TOP/tests/ecs:/usr/bin:/bin unshare -u sh -c '
		hostname support-laptop && exec "$1" -q --no-analyze -o "$2" --ecs-cluster bookinfo --ecs-service ratings \
		    --ecs-region us-east-1 --since 2026-11-26 --until 2026-11-27' sh "$COLLECT" "$OUT/$name.tar.gz" ||
		echo "make-samples: $name: collector failed" >&2
	e=$(date +%s.%N)
	chmod 0644 "$OUT/$name.tar.gz"
	printf '%-16s %6.2f s %8d bytes\n' "$name" "$($PY -c "print($e - $s)")" "$(stat -c %s "$OUT/$name.tar.gz")"
done
