#!/usr/bin/env python3
# tests/bench/gen-agentlog.py MEGABYTES [FORMAT]: an agent log of about that size on stdout, as
# `docker logs --timestamps` prints it (FORMAT docker, the default), or as `aws logs tail` (tail).
# One line in ten is a warning or an error; request ids and trace ids make it compress like a real one.
import random, sys

size = int(sys.argv[1]) * 1024 * 1024
fmt = sys.argv[2] if len(sys.argv) > 2 else "docker"
rnd = random.Random(12)
t = 1795669200.0
out = sys.stdout
written = 0
levels = ["info"] * 9 + ["warn", "error"]
msgs = [
    "obtaining discovery information from the Workload Onboarding Plane ...",
    "RPC failed: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial tcp: lookup wop.example.net on 10.0.0.2:53: no such host\"",
    "request %d completed in %d ms trace=%032x",
    "envoy access: \"GET /healthz HTTP/1.1\" 200 - %d %d \"-\" \"kube-probe/1.27\" %032x",
]
buf = []
while written < size:
    t += rnd.random() * 0.05
    lv = rnd.choice(levels)
    m = rnd.choice(msgs)
    if "%" in m:
        m = m % (rnd.randrange(1 << 20), rnd.randrange(1000), rnd.getrandbits(128))
    frac = int((t % 1) * 1e9)
    stamp = "%s.%09dZ" % (__import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(t)), frac)
    if fmt == "tail":
        line = "%s ecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653 %s\tagent\t%s\n" % (stamp[:26] + "+00:00", lv, m)
    else:
        line = "%s %s\tagent\t%s\n" % (stamp, lv, m)
    buf.append(line)
    written += len(line)
    if len(buf) >= 4096:
        out.write("".join(buf))
        buf = []
out.write("".join(buf))
