#!/usr/bin/env python3
# tests/bench/gen-journal.py: writes a synthetic journal in journal EXPORT format for the benchmark.
"""
Usage: gen-journal.py N META.json > export    (pipe into systemd-journal-remote)

Writes N entries, time-ordered over about 20 hours and two boots, in the
journal export format (https://systemd.io/JOURNAL_EXPORT_FORMATS/).  About
half belong to onboarding-agent.service (success lines and every failure the
shipped rules know, hosts and addresses varied, a Go panic now and then), plus
PID 1's, systemd-coredump's and an authorized daemon's messages about that
unit (which `journalctl -u` also selects); the rest are Envoy access logs
from sidecar units, sshd, cron, the kernel and others.  A few percent of
values are not printable UTF-8 (ANSI colours, Latin-1 bytes), some values
are over 4 KiB, a few entries repeat a field, a few agent lines carry a
token.  The output is deterministic for a given N.  META.json receives the
time span and the counts, for the benchmark's --since/--until and checks.
"""

import hashlib
import json
import random
import re
import struct
import sys
import time

AGENT = "onboarding-agent.service"
T0 = 1795507200 * 1000000          # 2026-11-24T08:00:00Z, a fixed origin, usec
SPAN = 20 * 3600 * 1000000         # 20 hours
REBOOT_AT = 0.55                   # fraction of the span where the host reboots

HOSTNAME = b"ip-10-20-3-41"
MACHINE_ID = b"5f3a9c1e7b2d4e6f8a0b1c2d3e4f5a6b"
BOOTS = [b"0d6b5c3a2f1e4d7c9b8a7f6e5d4c3b2a", b"8e1f2a3b4c5d4e6f9a0b1c2d3e4f5a6c"]

ENDPOINTS = [
    "onboarding-endpoint.example.com", "abc123.onboarding.tetrate.example",
    "wo-endpoint.prod.corp.invalid", "onboard.eu-west-1.example.net",
    "ob-ep-7.internal.invalid", "tsb-onboarding.example.org",
]
DNS = ["172.31.0.2", "10.0.0.2", "127.0.0.53", "169.254.169.253", "192.0.2.53"]
ADDRS = ["192.0.2.10", "192.0.2.44", "198.51.100.7", "198.51.100.23", "203.0.113.5",
         "203.0.113.200"]
PORTS = [15443, 15443, 15443, 443, 8443]
PLUGINS = ["aws-ec2-credential", "gcp-gce-credential", "azure-vm-credential",
           "custom-oidc-credential"]
X509 = [
    "x509: certificate signed by unknown authority",
    "x509: certificate has expired or is not yet valid: current time "
    "2026-11-30T03:14:07Z is after 2026-11-01T00:00:00Z",
    "x509: certificate is valid for *.mesh.example.com, not {host}",
    "x509: certificate has expired or is not yet valid: current time "
    "2020-01-01T00:00:07Z is before 2026-01-01T00:00:00Z",
]


# Fields whose values may need the binary form; all others are plain ASCII.
FREE_TEXT = {b"MESSAGE", b"ENVOY_CONFIG_DUMP"}
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def printable(value):
    """True when the export format's text form may carry value (no newline, no control bytes, UTF-8)."""
    if _CONTROL.search(value):
        return False
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def stable(b):
    """A 128-bit hex id derived from b, the same in every run."""
    return hashlib.md5(b).hexdigest()[:32].encode()


def agent_line(r):
    """One agent log line (level word, logger, text; tab-separated) and its PRIORITY."""
    host = r.choice(ENDPOINTS)
    addr = r.choice(ADDRS)
    port = r.choice(PORTS)
    dns = r.choice(DNS)
    plugin = r.choice(PLUGINS)
    k = r.random()
    dial = 'RPC failed: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp '
    if k < 0.40:
        t = r.choice([
            "obtaining discovery information from the Workload Onboarding Plane ...",
            "using platform-specific credential procured by \"%s\" plugin to request authorization for onboarding ..." % plugin,
            "successfully obtained authorization for onboarding using platform-specific credential procured by \"%s\" plugin" % plugin,
            "connected to the Workload Onboarding Endpoint %s:%d" % (host, port),
            "registered workload in WorkloadGroup %s/%s" % (r.choice(["bookinfo", "payments", "default"]), r.choice(["vm-ratings", "ec2-fleet", "batch"])),
            "refreshing onboarding token, next refresh in %dm%ds" % (r.randrange(5, 60), r.randrange(60)),
            "Envoy sidecar is healthy (revision %s, uptime %ds)" % (r.choice(["tsb-1-6", "default", "canary"]), r.randrange(10, 90000)),
            "received %d bootstrap configuration updates from the onboarding plane" % r.randrange(1, 40),
        ])
        return "info", "agent", t, 6
    if k < 0.47:
        return "debug", "agent", "dialing %s:%d (attempt %d, backoff %.3fs)" % (host, port, r.randrange(1, 30), r.random() * 30), 7
    if k < 0.55:
        return "error", "agent", dial[:-9] + 'lookup %s on %s:53: no such host"' % (host, dns), 3
    if k < 0.60:
        return "error", "agent", "RPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy", 3
    if k < 0.64:
        return "error", "agent", "failed to obtain authorization for onboarding using platform-specific credential procured by \"%s\" plugin: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy" % plugin, 3
    if k < 0.67:
        return "error", "agent", "failed to obtain authorization to onboard using platform-specific credential procured by any of the plugins", 3
    if k < 0.73:
        return "error", "agent", dial + '%s:%d: connect: connection refused"' % (addr, port), 3
    if k < 0.78:
        return "error", "agent", dial + '%s:%d: i/o timeout"' % (addr, port), 3
    if k < 0.80:
        return "error", "agent", dial + '%s:%d: connect: no route to host"' % (addr, port), 3
    if k < 0.81:
        return "error", "agent", dial + '%s:%d: connect: network is unreachable"' % (addr, port), 3
    if k < 0.86:
        x = r.choice(X509).replace("{host}", host)
        return "error", "agent", 'RPC failed: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: %s"' % x, 3
    if k < 0.89:
        return "warn", "agent", "credential plugin \"%s\" failed: exit status %d: %s" % (plugin, r.choice([1, 2, 127]), r.choice(["no instance identity document", "metadata service timed out", "token endpoint returned 403"])), 4
    if k < 0.95:
        return "warn", "agent", "retrying onboarding in %.1fs (attempt %d)" % (r.random() * 60, r.randrange(1, 500)), 4
    return "info", "grpc", "[core] Channel #%d SubChannel #%d Subchannel Connectivity change to %s" % (r.randrange(1, 9), r.randrange(1, 99), r.choice(["CONNECTING", "TRANSIENT_FAILURE", "READY", "IDLE"])), 6


def envoy_line(r, ts_s):
    """One Envoy access-log line in its default format."""
    path = r.choice(["/api/v1/items", "/healthz", "/productpage", "/reviews/0", "/ratings/%d" % r.randrange(99),
                     "/v1/orders?limit=%d" % r.randrange(100)])
    code = r.choice([200] * 12 + [201, 204, 301, 404, 500, 503])
    flags = "-" if code < 500 else r.choice(["UF,URX", "UH", "UC", "-"])
    tm = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts_s)) + ".%03dZ" % r.randrange(1000)
    return ('[%s] "%s %s HTTP/1.1" %d %s via_upstream - "-" %d %d %d %d "-" "%s" "%08x-%04x-%04x-%04x-%012x" '
            '"%s" "10.20.%d.%d:%d" outbound|%d||%s.svc.cluster.local 10.20.3.41:%d 10.20.%d.%d:%d 10.20.3.41:%d - default') % (
        tm, r.choice(["GET", "GET", "GET", "POST", "PUT"]), path, code, flags,
        r.randrange(0, 2000), r.randrange(0, 50000), r.randrange(1, 900), r.randrange(1, 800),
        r.choice(["curl/7.88.1", "Go-http-client/1.1", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "python-requests/2.31.0"]),
        r.getrandbits(32), r.getrandbits(16), r.getrandbits(16), r.getrandbits(16), r.getrandbits(48),
        r.choice(["reviews:9080", "ratings:9080", "details:9080", "orders:8080"]),
        r.randrange(256), r.randrange(256), r.choice([9080, 8080]), r.choice([9080, 8080]),
        r.choice(["reviews", "ratings", "details", "orders"]), r.randrange(30000, 60000),
        r.randrange(256), r.randrange(256), r.choice([9080, 8080]), r.randrange(30000, 60000))


class Gen:
    def __init__(self, n):
        self.n = n
        self.r = random.Random(n * 7919 + 1)
        self.out = []
        self.meta = {"entries": n, "agent_entries": 0, "agent_binary_message": 0, "agent_large": 0,
                     "agent_token": 0, "pid1_about_agent": 0, "coredump_about_agent": 0,
                     "object_about_agent": 0, "other_entries": 0, "binary_values": 0, "large_values": 0}
        self.agent_pid = 2100
        self.agent_inv = self.inv()
        self.stream = 0
        self.restarts = 0

    def inv(self):
        return b"%032x" % self.r.getrandbits(128)

    @staticmethod
    def field(name, value):
        """Export serialisation: text when safe, else the binary form."""
        if name in FREE_TEXT and not printable(value):
            return name + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"
        return name + b"=" + value + b"\n"

    def entry(self, ts, boot, fields):
        bt = BOOTS[boot]
        mono = ts - (T0 if boot == 0 else T0 + int(SPAN * REBOOT_AT)) + 4200000
        parts = [b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_MACHINE_ID=%s\n_HOSTNAME=%s\n"
                 % (ts, mono, bt, MACHINE_ID, HOSTNAME)]
        for name, value in fields:
            parts.append(self.field(name, value))
        parts.append(b"\n")
        return b"".join(parts)

    def service_fields(self, unit, comm, exe, cmdline, pid, uid, inv, prio, ident, msg, slice_=b"system.slice",
                       transport=b"stdout"):
        f = [(b"_TRANSPORT", transport), (b"PRIORITY", b"%d" % prio), (b"SYSLOG_FACILITY", b"3"),
             (b"SYSLOG_IDENTIFIER", ident), (b"_PID", b"%d" % pid), (b"_UID", b"%d" % uid), (b"_GID", b"%d" % uid),
             (b"_COMM", comm), (b"_EXE", exe), (b"_CMDLINE", cmdline),
             (b"_CAP_EFFECTIVE", b"0" if uid else b"1ffffffffff"),
             (b"_SYSTEMD_CGROUP", b"/" + slice_ + b"/" + unit), (b"_SYSTEMD_UNIT", unit),
             (b"_SYSTEMD_SLICE", slice_), (b"_SYSTEMD_INVOCATION_ID", inv)]
        if transport == b"stdout":
            f.append((b"_STREAM_ID", stable(inv)))
        f.append((b"MESSAGE", msg))
        return f

    def agent(self, ts, boot):
        r = self.r
        m = self.meta
        m["agent_entries"] += 1
        lvl, logger, text, prio = agent_line(r)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts // 1000000)) + ".%06dZ" % (ts % 1000000)
        x = r.random()
        if x < 0.004:
            # a Go panic: a multi-line MESSAGE over 4 KiB
            frames = "".join("\ngoroutine %d [running]:\ngithub.com/tetrate/onboarding-agent/pkg/%s.(*Client).%s(0xc%09x)\n\t/src/pkg/%s/client.go:%d +0x%x"
                             % (r.randrange(1, 200), p, fn, r.getrandbits(36), p, r.randrange(30, 900), r.getrandbits(12))
                             for p, fn in [(r.choice(["onboarding", "plugin", "xds", "bootstrap"]), r.choice(["Run", "dial", "refresh", "Onboard"])) for _ in range(40)])
            msg = ("panic: runtime error: invalid memory address or nil pointer dereference\n"
                   "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x8a2b1c]" + frames).encode()
            prio = 2
            m["agent_large"] += 1
            m["large_values"] += 1
        elif x < 0.008:
            # a config dump on one line, over 4 KiB
            body = " ".join("%s=%s" % (k, v) for k, v in
                            ((("settings.key%d" % i), r.choice(ENDPOINTS)) for i in range(r.randrange(150, 300))))
            msg = ("%s\t%s\t%s\teffective configuration: %s" % (stamp, "debug", logger, body)).encode()
            prio = 7
            m["agent_large"] += 1
            m["large_values"] += 1
        elif x < 0.028:
            # zap console encoder with colours: not printable UTF-8 for journalctl
            colour = {"info": b"\x1b[34mINFO\x1b[0m", "error": b"\x1b[31mERROR\x1b[0m", "debug": b"\x1b[35mDEBUG\x1b[0m",
                      "warn": b"\x1b[33mWARN\x1b[0m"}[lvl]
            msg = stamp.encode() + b"\t" + colour + b"\t" + logger.encode() + b"\t" + text.encode()
            m["agent_binary_message"] += 1
            m["binary_values"] += 1
        elif x < 0.036:
            # Latin-1 bytes from a plugin's output: invalid UTF-8
            msg = ("%s\t%s\t%s\tplugin stderr: " % (stamp, lvl, logger)).encode() + \
                r.choice([b"Kennwort f\xfcr Benutzer abgelehnt", b"d\xe9lai d\xe9pass\xe9", b"\xff\xfe\x00garbage"]) + \
                b" / " + text.encode()
            m["agent_binary_message"] += 1
            m["binary_values"] += 1
        elif x < 0.038:
            tok = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ2bS0%d.c2lnbmF0dXJl%08x" % (r.randrange(1000), r.getrandbits(32))
            msg = ("%s\tdebug\tagent\tPOST /onboarding/v1/authorize Authorization: Bearer %s" % (stamp, tok)).encode()
            prio = 7
            m["agent_token"] += 1
        else:
            msg = ("%s\t%s\t%s\t%s" % (stamp, lvl, logger, text)).encode()
        f = self.service_fields(AGENT.encode(), b"onboarding-agent", b"/usr/local/bin/onboarding-agent",
                                b"/usr/local/bin/onboarding-agent --config /etc/onboarding-agent/agent.config.yaml",
                                self.agent_pid, 0, self.agent_inv, prio, b"onboarding-agent", msg)
        if r.random() < 0.002:
            # a repeated field: journalctl -o json writes it as an array
            f.insert(3, (b"SYSLOG_IDENTIFIER", b"agent"))
        return f

    def pid1(self, kind):
        """PID 1's messages about the agent unit (journalctl -u selects them by _PID=1 + UNIT=)."""
        self.meta["pid1_about_agent"] += 1
        if kind == 0:
            msg, prio, mid = AGENT + ": Main process exited, code=exited, status=1/FAILURE", 5, None
        elif kind == 1:
            msg, prio, mid = AGENT + ": Failed with result 'exit-code'.", 4, None
        elif kind == 2:
            self.restarts += 1
            msg, prio, mid = AGENT + ": Scheduled restart job, restart counter is at %d." % self.restarts, 6, None
        else:
            msg, prio, mid = "Started " + AGENT + " - Workload Onboarding Agent.", 6, b"39f53479d3a045ac8e11786248231fbf"
        f = [(b"_TRANSPORT", b"journal"), (b"PRIORITY", b"%d" % prio), (b"SYSLOG_FACILITY", b"3"),
             (b"SYSLOG_IDENTIFIER", b"systemd"), (b"_PID", b"1"), (b"_UID", b"0"), (b"_GID", b"0"),
             (b"_COMM", b"systemd"), (b"_EXE", b"/usr/lib/systemd/systemd"),
             (b"_CMDLINE", b"/sbin/init"), (b"_CAP_EFFECTIVE", b"1ffffffffff"),
             (b"_SYSTEMD_CGROUP", b"/init.scope"), (b"_SYSTEMD_UNIT", b"init.scope"), (b"_SYSTEMD_SLICE", b"-.slice"),
             (b"CODE_FILE", b"src/core/unit.c"), (b"CODE_LINE", b"%d" % (5000 + kind)), (b"CODE_FUNC", b"unit_log_failure"),
             (b"UNIT", AGENT.encode()), (b"INVOCATION_ID", self.agent_inv),
             (b"MESSAGE", msg.encode())]
        if mid:
            f.append((b"MESSAGE_ID", mid))
        return f

    def coredump(self):
        self.meta["coredump_about_agent"] += 1
        return [(b"_TRANSPORT", b"journal"), (b"PRIORITY", b"2"), (b"SYSLOG_IDENTIFIER", b"systemd-coredump"),
                (b"_PID", b"%d" % self.r.randrange(30000, 40000)), (b"_UID", b"0"), (b"_GID", b"0"),
                (b"_COMM", b"systemd-coredum"), (b"_EXE", b"/usr/lib/systemd/systemd-coredump"),
                (b"_SYSTEMD_CGROUP", b"/system.slice/system-systemd\\x2dcoredump.slice/systemd-coredump@0.service"),
                (b"_SYSTEMD_UNIT", b"systemd-coredump@0.service"), (b"_SYSTEMD_SLICE", b"system-systemd\\x2dcoredump.slice"),
                (b"MESSAGE_ID", b"fc2e22bc6ee647b6b90729ab34a250b1"), (b"COREDUMP_UNIT", AGENT.encode()),
                (b"COREDUMP_PID", b"%d" % self.agent_pid), (b"COREDUMP_SIGNAL", b"11"), (b"COREDUMP_SIGNAL_NAME", b"SIGSEGV"),
                (b"COREDUMP_EXE", b"/usr/local/bin/onboarding-agent"), (b"COREDUMP_COMM", b"onboarding-agen"),
                (b"MESSAGE", b"Process %d (onboarding-agen) of user 0 dumped core.\n\nStack trace of thread %d:\n"
                             b"#0  0x00000000004a2b1c n/a (/usr/local/bin/onboarding-agent + 0xa2b1c)\nELF object binary architecture: AMD x86-64"
                             % (self.agent_pid, self.agent_pid))]

    def object_msg(self):
        """An authorized daemon (uid 0) reporting about the unit via OBJECT_SYSTEMD_UNIT=."""
        self.meta["object_about_agent"] += 1
        return [(b"_TRANSPORT", b"journal"), (b"PRIORITY", b"4"), (b"SYSLOG_IDENTIFIER", b"systemd-journald"),
                (b"_PID", b"312"), (b"_UID", b"0"), (b"_GID", b"0"), (b"_COMM", b"systemd-journal"),
                (b"_EXE", b"/usr/lib/systemd/systemd-journald"), (b"_SYSTEMD_CGROUP", b"/system.slice/systemd-journald.service"),
                (b"_SYSTEMD_UNIT", b"systemd-journald.service"), (b"_SYSTEMD_SLICE", b"system.slice"),
                (b"MESSAGE_ID", b"a596d6fe7bfa4994828e72309e95d61e"),
                (b"OBJECT_PID", b"%d" % self.agent_pid), (b"OBJECT_SYSTEMD_UNIT", AGENT.encode()),
                (b"OBJECT_SYSTEMD_INVOCATION_ID", self.agent_inv), (b"OBJECT_COMM", b"onboarding-agen"),
                (b"MESSAGE", b"Suppressed %d messages from %s" % (self.r.randrange(100, 9000), AGENT.encode()))]

    def other(self, ts, boot):
        r = self.r
        m = self.meta
        m["other_entries"] += 1
        k = r.random()
        if k < 0.55:
            svc = r.choice([b"istio-sidecar.service", b"envoy-sidecar.service", b"gateway-envoy.service"])
            msg = envoy_line(r, ts // 1000000).encode()
            if r.random() < 0.03:
                msg += b" \"x-forwarded-client-cert: " + bytes(r.randrange(0x80, 0xff) for _ in range(12)) + b"\""
                m["binary_values"] += 1
            f = self.service_fields(svc, b"envoy", b"/usr/local/bin/envoy",
                                    b"/usr/local/bin/envoy -c /etc/envoy/envoy.yaml --concurrency 2 --log-format-escaped",
                                    1800 + len(svc), 1337, stable(svc), 6, b"envoy", msg)
            if r.random() < 0.004:
                f.append((b"ENVOY_CONFIG_DUMP", ("{\"configs\":[" + ",".join("{\"@type\":\"type.googleapis.com/envoy.config.cluster.v3.Cluster\",\"name\":\"outbound|%d||svc%d.ns.svc.cluster.local\"}" % (r.choice([80, 9080]), i) for i in range(60)) + "]}").encode()))
                m["large_values"] += 1
            return f
        if k < 0.72:
            who = r.choice(["ubuntu", "admin", "ec2-user", "deploy"])
            ip = r.choice(ADDRS)
            msg = r.choice([
                "Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%032x" % (who, ip, r.randrange(30000, 65000), r.getrandbits(128)),
                "pam_unix(sshd:session): session opened for user %s(uid=1000) by (uid=0)" % who,
                "Disconnected from user %s %s port %d" % (who, ip, r.randrange(30000, 65000)),
                "Invalid user %s from %s port %d" % (r.choice(["oracle", "test", "git", "pi"]), ip, r.randrange(30000, 65000)),
                "Connection closed by authenticating user root %s port %d [preauth]" % (ip, r.randrange(30000, 65000)),
            ])
            return self.service_fields(b"ssh.service", b"sshd", b"/usr/sbin/sshd", b"sshd: %s [priv]" % who.encode(),
                                       r.randrange(5000, 30000), 0, b"a1" * 16, r.choice([5, 6, 6, 6]), b"sshd", msg.encode(),
                                       transport=b"syslog")
        if k < 0.82:
            msg = r.choice(["(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
                            "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
                            "pam_unix(cron:session): session closed for user root"])
            return self.service_fields(b"cron.service", b"cron", b"/usr/sbin/cron", b"/usr/sbin/CRON -f",
                                       r.randrange(5000, 30000), 0, b"c3" * 16, 6, b"CRON", msg.encode(), transport=b"syslog")
        if k < 0.92:
            msg = r.choice([
                "[UFW BLOCK] IN=eth0 OUT= MAC=0a:1b:2c:3d:4e:5f SRC=%s DST=10.20.3.41 LEN=44 TOS=0x00 PREC=0x00 TTL=243 ID=54321 PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0" % (r.choice(ADDRS), r.randrange(1024, 65000), r.choice([22, 23, 3389, 8080])),
                "nf_conntrack: nf_conntrack: table full, dropping packet",
                "TCP: request_sock_TCP: Possible SYN flooding on port %d. Sending cookies." % r.choice([15443, 443]),
                "EXT4-fs (nvme0n1p1): re-mounted. Opts: discard,errors=remount-ro. Quota mode: none.",
            ])
            return [(b"_TRANSPORT", b"kernel"), (b"PRIORITY", r.choice([b"4", b"6"])), (b"SYSLOG_FACILITY", b"0"),
                    (b"SYSLOG_IDENTIFIER", b"kernel"),
                    (b"_SOURCE_MONOTONIC_TIMESTAMP", b"%d" % r.randrange(10 ** 6, 10 ** 11)), (b"MESSAGE", msg.encode())]
        svc = r.choice([b"systemd-resolved.service", b"containerd.service", b"amazon-ssm-agent.service", b"chrony.service"])
        msg = r.choice([
            "Using degraded feature set UDP instead of UDP+EDNS0 for DNS server %s." % r.choice(DNS),
            "time=\"2026-11-30T03:00:00Z\" level=info msg=\"cleaning up dead shim\" namespace=moby",
            "Selected source %s (2.debian.pool.ntp.org)" % r.choice(ADDRS),
            "INFO [HealthCheck] HealthCheck reporting agent health.",
        ])
        return self.service_fields(svc, svc.split(b".")[0][:15], b"/usr/bin/" + svc.split(b".")[0],
                                   b"/usr/bin/" + svc.split(b".")[0], r.randrange(400, 3000), r.choice([0, 101]),
                                   stable(svc), 6, svc.split(b".")[0], msg.encode())

    def run(self, w):
        r = self.r
        n = self.n
        step = SPAN / n
        reboot_ts = T0 + int(SPAN * REBOOT_AT)
        buf = []
        size = 0
        produced = 0
        ts = T0
        restart_every = max(200, n // 400)
        while produced < n:
            ts += max(1, int(r.expovariate(1.0 / step)))
            boot = 0 if ts < reboot_ts else 1
            if produced and produced % restart_every == 0 and produced + 5 < n:
                # the agent crashes and systemd restarts it: PID 1's messages about the unit
                extra = [self.pid1(0), self.pid1(1), self.pid1(2)]
                if (produced // restart_every) % 7 == 0:
                    extra.insert(1, self.coredump())
                if (produced // restart_every) % 5 == 0:
                    extra.append(self.object_msg())
                self.agent_pid += r.randrange(3, 40)
                self.agent_inv = self.inv()
                extra.append(self.pid1(3))
                for f in extra:
                    buf.append(self.entry(ts, boot, f))
                    ts += r.randrange(50, 400)
                    produced += 1
                continue
            if r.random() < 0.5:
                f = self.agent(ts, boot)
            else:
                f = self.other(ts, boot)
            e = self.entry(ts, boot, f)
            buf.append(e)
            size += len(e)
            produced += 1
            if size > 1 << 20:
                w.write(b"".join(buf))
                buf = []
                size = 0
        w.write(b"".join(buf))
        self.meta["first_usec"] = T0
        self.meta["last_usec"] = ts
        self.meta["about_agent"] = (self.meta["agent_entries"] + self.meta["pid1_about_agent"]
                                    + self.meta["coredump_about_agent"] + self.meta["object_about_agent"])


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    g = Gen(int(sys.argv[1]))
    g.run(sys.stdout.buffer)
    sys.stdout.buffer.flush()
    with open(sys.argv[2], "w") as f:
        json.dump(g.meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
