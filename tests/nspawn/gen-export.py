#!/usr/bin/env python3
"""tests/nspawn/gen-export.py: journal export-format streams for systemd-journal-remote.

  gen-export.py KIND N END_EPOCH > F.export
  systemd-journal-remote --output=F.journal F.export

KIND:
  mixed   N entries over the hour before END_EPOCH: the agent's unit (its log lines, some warnings
          and errors), other units, PID 1 about the unit (UNIT=), a coredump (COREDUMP_UNIT=), a
          privileged daemon about it (OBJECT_SYSTEMD_UNIT=), and the same from an unprivileged
          user (which journalctl -u leaves out); edge cases: non-UTF-8, control characters,
          a repeated field, a 6 KiB field, newlines, a planted fake secret in a MESSAGE.
  bulk    N agent entries with varied text (hard to compress), every 10th a warning, for budgets.
"""
import hashlib
import struct
import sys

UNIT = "onboarding-agent.service"
BOOT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
MACHINE = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
T = "\t"
AGENT_LINES = [
    ("6", "info" + T + "agent" + T + "obtaining discovery information from the Workload Onboarding Plane ..."),
    ("3", "error" + T + "agent" + T + "RPC failed: rpc error: code = Unavailable desc = connection error: desc = "
     "\"transport: Error while dialing dial tcp: lookup onboarding.example.invalid on 192.0.2.53:53: no such host\""),
    ("6", "info" + T + "agent" + T + "using platform-specific credential procured by \"aws-ec2-credential\" plugin "
     "to request authorization for onboarding ..."),
    ("3", "error" + T + "agent" + T + "RPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy"),
    ("4", "warn" + T + "agent" + T + "retrying in 5s"),
]
out = sys.stdout.buffer


def field(name, value):
    if isinstance(value, str):
        value = value.encode()
    if b"\n" in value or any(b < 0x20 and b not in (9,) for b in value) or not _utf8(value):
        out.write(name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n")
    else:
        out.write(name.encode() + b"=" + value + b"\n")


def _utf8(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def entry(usec, mono, fields):
    field("__REALTIME_TIMESTAMP", str(usec))
    field("__MONOTONIC_TIMESTAMP", str(mono))
    field("_BOOT_ID", BOOT)
    field("_MACHINE_ID", MACHINE)
    field("_HOSTNAME", "journal-host")
    for k, v in fields:
        field(k, v)
    out.write(b"\n")


def agent(i, prio, msg):
    return [("_SYSTEMD_UNIT", UNIT), ("_PID", "4242"), ("_UID", "0"), ("_TRANSPORT", "stdout"),
            ("SYSLOG_IDENTIFIER", "onboarding-agent"), ("PRIORITY", prio), ("MESSAGE", msg)]


def mixed(n, end):
    start = end - 3600 * 1000000
    step = (end - start) // max(n, 1)
    for i in range(n):
        usec = start + i * step
        mono = 1000000 + i * step
        k = i % 10
        if k < 5:
            prio, msg = AGENT_LINES[(i // 10) % len(AGENT_LINES)]
            entry(usec, mono, agent(i, prio, msg))
        elif k == 5:
            entry(usec, mono, [("_SYSTEMD_UNIT", "cron.service"), ("_PID", "77"), ("_UID", "0"),
                               ("PRIORITY", "6"), ("MESSAGE", f"cron job {i}")])
        elif k == 6:
            entry(usec, mono, [("_PID", "1"), ("_UID", "0"), ("UNIT", UNIT), ("PRIORITY", "6"),
                               ("MESSAGE_ID", "39f53479d3a045ac8e11786248231fbf"),
                               ("MESSAGE", "Started onboarding-agent.service - Workload Onboarding Agent.")])
        elif k == 7:
            edge = i // 10 % 6
            if edge == 0:
                f = agent(i, "6", b"info\tagent\tnot UTF-8: \xff\xfe end")
            elif edge == 1:
                f = agent(i, "6", "info\tagent\tbell \x07 and escape \x1b[0m in text")
            elif edge == 2:
                f = agent(i, "6", "info\tagent\tline one\nline two") + [("EXTRA", "a"), ("EXTRA", "b")]
            elif edge == 3:
                f = agent(i, "6", "info\tagent\tlong field follows") + [("BIG", "x" * 6000)]
            elif edge == 4:
                f = agent(i, "3", "error\tagent\tplugin failed: password=FAKE-journal-password-Lk3Rt9 rejected")
            else:
                f = agent(i, "6", "info\tagent\tunicode ok: \u00e9\u00e8 \u2713 and a tab\there")
            entry(usec, mono, f)
        elif k == 8:
            if i // 10 % 2 == 0:
                entry(usec, mono, [("_PID", "99"), ("_UID", "0"), ("COREDUMP_UNIT", UNIT), ("PRIORITY", "2"),
                                   ("MESSAGE_ID", "fc2e22bc6ee647b6b90729ab34a250b1"),
                                   ("MESSAGE", "Process 4242 (onboarding-agent) dumped core.")])
            else:
                entry(usec, mono, [("_PID", "55"), ("_UID", "0"), ("OBJECT_SYSTEMD_UNIT", UNIT),
                                   ("PRIORITY", "5"), ("MESSAGE", "privileged daemon about the agent")])
        else:
            # The same kind of message from an unprivileged user: journalctl -u leaves it out.
            entry(usec, mono, [("_PID", "1234"), ("_UID", "1000"), ("OBJECT_SYSTEMD_UNIT", UNIT),
                               ("PRIORITY", "6"), ("MESSAGE", "unprivileged claim about the agent")])


def bulk(n, end):
    start = end - 3600 * 1000000
    step = (end - start) // max(n, 1)
    for i in range(n):
        h = hashlib.sha256(str(i).encode()).hexdigest()
        prio = "4" if i % 10 == 0 else "6"
        word = "warn" if prio == "4" else "info"
        entry(start + i * step, 1000000 + i * step,
              agent(i, prio, f"{word}\tagent\trequest {i} id={h[:24]} took {int(h[24:28], 16)}ms trace {h[28:60]}"))


def main():
    kind, n, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) * 1000000
    {"mixed": mixed, "bulk": bulk}[kind](n, end)


main()
