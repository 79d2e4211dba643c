#!/usr/bin/env python3
# gen.py: builds each hostile input of tests/hostile at test time (and small versions for the fuzz corpora).
"""python3 gen.py [--small] CASE OUT     build one case
   python3 gen.py --many DIR CASE...     build each case into DIR/CASE
   python3 gen.py --list                 list the cases, one a line: NAME KIND

KIND is "bundle" (a .tar.gz or a file posing as one), "dir" (an extracted
bundle folder), "rules" (a rules file for -r) or "journal" (a bundle whose
journal carries the hostile lines).  --small scales bombs, floods and huge
inputs down so that the fuzzers' caps (not the defaults) catch them.
"""

import gzip
import json
import os
import random
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkbundle as mb  # noqa: E402

E = mb.Entry
GIB = 1 << 30
JOURNAL = f"journal/{mb.UNIT}.jsonl"
CONFIG = "config/etc/onboarding-agent/onboarding.config.yaml"
DNS_FAIL = ("error\tagent\tRPC failed: rpc error: code = Unavailable desc = connection error: desc = "
            "\"transport: Error while dialing dial tcp: lookup onboarding.example.invalid on "
            "172.31.0.2:53: no such host\"")

CASES = {}


def case(kind):
    def reg(f):
        CASES[f.__name__.replace("_", "-")] = (kind, f)
        return f
    return reg


def healthy(out, extra=(), **kw):
    mb.write_bundle(out, mb.default_entries() + list(extra), **kw)


def with_files(out, replace, extra=(), **kw):
    mb.write_bundle(out, mb.default_entries(replace) + list(extra), **kw)


# ---- structure: unsafe paths and entry types -------------------------------

@case("bundle")
def dotdot(out, small):
    healthy(out, [E("../../../../tmp/triage-pwned", b"x\n", listed=False)])


@case("bundle")
def dotdot_inner(out, small):
    healthy(out, [E("journal/../../escape.jsonl", b"{}\n", listed=False)])


@case("bundle")
def absolute(out, small):
    healthy(out, [E("/tmp/triage-pwned", b"x\n", raw=True)])


@case("bundle")
def second_topdir(out, small):
    healthy(out, [E("other-top/host.json", b"{}\n", raw=True)])


@case("bundle")
def long_path(out, small):
    healthy(out, [E("config/" + "d" * 200 + "/" + "p" * 4000, b"x\n", listed=False)])


@case("bundle")
def symlink(out, small):
    healthy(out, [E("resolver/hosts", kind=tarfile.SYMTYPE, linkname="/etc/shadow", listed=False)])


@case("bundle")
def hardlink(out, small):
    healthy(out, [E("resolver/hosts", kind=tarfile.LNKTYPE, linkname="/etc/shadow", listed=False)])


@case("bundle")
def chardev(out, small):
    healthy(out, [E("resolver/zero", kind=tarfile.CHRTYPE, devmajor=1, devminor=5, listed=False)])


@case("bundle")
def blockdev(out, small):
    healthy(out, [E("resolver/sda", kind=tarfile.BLKTYPE, devmajor=8, devminor=0, listed=False)])


@case("bundle")
def fifo(out, small):
    healthy(out, [E("resolver/pipe", kind=tarfile.FIFOTYPE, listed=False)])


@case("bundle")
def duplicate(out, small):
    healthy(out, [E(JOURNAL, b'{"MESSAGE":"second copy","__REALTIME_TIMESTAMP":"1"}\n',
                    listed=False)])


@case("bundle")
def duplicate_manifest(out, small):
    m = json.dumps(mb.manifest_for(mb.default_entries(), mb.TOP)).encode()
    healthy(out, [E("manifest.json", m, listed=False)])


# ---- structure: bombs and floods -------------------------------------------

@case("bundle")
def bomb_entry(out, small):
    # One entry inflating far past the per-entry cap (10 GB; 10 MB compressed).
    n = (64 << 20) if small else (10 << 30)
    healthy(out, [E("journal/bomb.jsonl", mb.Zeros(n), size=n, sha256="0" * 64)])


@case("bundle")
def bomb_total(out, small):
    # Entries each under the per-entry cap, together over the total cap.
    n = (12 << 20) if small else (1900 << 20)
    healthy(out, [E(f"journal/bomb{i}.jsonl", mb.Zeros(n), size=n, sha256="0" * 64)
                  for i in range(3)], level=1)


@case("bundle")
def bomb_ratio(out, small):
    # Under every size cap, but deflate's best ratio (~1030:1) all the way.
    n = (8 << 20) if small else (1 << 30)
    healthy(out, [E("journal/bomb.jsonl", mb.Zeros(n), size=n, sha256="0" * 64)])


@case("bundle")
def flood(out, small):
    n = 400 if small else 20000
    healthy(out, [E(f"config/flood/{i:05d}", b"") for i in range(n)])


@case("bundle")
def flood_unlisted(out, small):
    n = 400 if small else 20000
    healthy(out, [E(f"config/flood/{i:05d}", b"", listed=False) for i in range(n)])


@case("bundle")
def flood_dirs(out, small):
    n = 400 if small else 20000
    healthy(out, [E(f"d{i:05d}/", kind=tarfile.DIRTYPE) for i in range(n)])


# ---- structure: the container ----------------------------------------------

def _healthy_bytes(path):
    healthy(path)
    with open(path, "rb") as f:
        return f.read()


@case("bundle")
def truncated(out, small):
    b = _healthy_bytes(out)
    with open(out, "wb") as f:
        f.write(b[: len(b) // 2])


@case("bundle")
def truncated_trailer(out, small):
    b = _healthy_bytes(out)
    with open(out, "wb") as f:
        f.write(b[:-4])


@case("bundle")
def corrupt(out, small):
    b = bytearray(_healthy_bytes(out))
    rnd = random.Random(6)
    for _ in range(8):
        i = rnd.randrange(20, len(b) - 8)
        b[i] ^= 0xA5
    with open(out, "wb") as f:
        f.write(b)


@case("bundle")
def corrupt_crc(out, small):
    b = bytearray(_healthy_bytes(out))
    b[-8] ^= 0xFF
    with open(out, "wb") as f:
        f.write(b)


@case("bundle")
def trailing_garbage(out, small):
    b = _healthy_bytes(out)
    with open(out, "wb") as f:
        f.write(b + b"garbage after the gzip stream\n" * 4)


@case("bundle")
def second_member(out, small):
    # A second gzip member after the archive's end: another tar smuggled behind the first.
    b = _healthy_bytes(out)
    mb.write_bundle(out + ".2", [E("journal/smuggled.jsonl", b'{"MESSAGE":"x"}\n', listed=False)])
    with open(out + ".2", "rb") as f:
        extra = f.read()
    os.unlink(out + ".2")
    with open(out, "wb") as f:
        f.write(b + extra)


@case("bundle")
def not_gzip(out, small):
    with open(out, "wb") as f:
        f.write(b"This is not a bundle, just a text file renamed to .tar.gz\n" * 20)


@case("bundle")
def plain_tar(out, small):
    # A tar that is not gzip-compressed: accepted (issue 12 item 7), with the same caps.
    b = _healthy_bytes(out)
    with open(out, "wb") as f:
        f.write(gzip.decompress(b))


@case("bundle")
def gzip_not_tar(out, small):
    with open(out, "wb") as f:
        f.write(gzip.compress(b"just some text, gzip-compressed, not a tar archive\n" * 50))


@case("bundle")
def gzip_zip(out, small):
    # A zip archive inside gzip: a format libarchive knows, but not tar.
    import zipfile
    import io
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(mb.TOP + "/manifest.json", "{}")
    with open(out, "wb") as f:
        f.write(gzip.compress(z.getvalue()))


@case("bundle")
def empty(out, small):
    open(out, "wb").close()


@case("bundle")
def empty_tar(out, small):
    with open(out, "wb") as f:
        f.write(gzip.compress(bytes(10240)))


# ---- structure: the manifest -----------------------------------------------

@case("bundle")
def manifest_missing(out, small):
    healthy(out, manifest=False)


@case("bundle")
def manifest_not_json(out, small):
    healthy(out, manifest=b"format: triage-bundle\nformat_version: 1\n")


@case("bundle")
def manifest_truncated_json(out, small):
    m = json.dumps(mb.manifest_for(mb.default_entries(), mb.TOP)).encode()
    healthy(out, manifest=m[: len(m) // 2])


@case("bundle")
def manifest_deep(out, small):
    d = 2000 if small else 100000
    healthy(out, manifest=b'{"format":"triage-bundle","format_version":1,"x":' +
            b"[" * d + b"]" * d + b"}")


@case("bundle")
def manifest_deep_unclosed(out, small):
    d = 2000 if small else 100000
    healthy(out, manifest=b'{"x":' + b'{"a":' * d)


@case("bundle")
def manifest_huge(out, small):
    n = (2 << 20) if small else (100 << 20)
    m = mb.manifest_for(mb.default_entries(), mb.TOP)
    head = json.dumps(m)[:-1].encode() + b', "padding": "'
    src = mb.repeat(head, b"abcdefghijklmnop", n // 16, b'"}')
    healthy(out, manifest=b"".join(src()), level=1)


def _manifest_with(**changes):
    m = mb.manifest_for(mb.default_entries(), mb.TOP)
    for k, v in changes.items():
        if v is KeyError:
            del m[k]
        else:
            m[k] = v
    return json.dumps(m).encode()


@case("bundle")
def manifest_array(out, small):
    healthy(out, manifest=b'[{"format":"triage-bundle","format_version":1}]')


@case("bundle")
def manifest_version_string(out, small):
    healthy(out, manifest=_manifest_with(format_version="1"))


@case("bundle")
def manifest_version_float(out, small):
    healthy(out, manifest=_manifest_with(format_version=1.5))


@case("bundle")
def manifest_version_unknown(out, small):
    healthy(out, manifest=_manifest_with(format_version=2))


@case("bundle")
def manifest_version_huge(out, small):
    healthy(out, manifest=_manifest_with(format_version=18446744073709551617))


@case("bundle")
def manifest_version_missing(out, small):
    healthy(out, manifest=_manifest_with(format_version=KeyError))


@case("bundle")
def manifest_format_wrong(out, small):
    healthy(out, manifest=_manifest_with(format="zip-bundle"))


@case("bundle")
def manifest_entries_object(out, small):
    healthy(out, manifest=_manifest_with(entries={"host.json": 1}))


@case("bundle")
def manifest_entry_size_string(out, small):
    m = json.loads(_manifest_with())
    m["entries"][0]["size"] = "194"
    healthy(out, manifest=json.dumps(m).encode())


@case("bundle")
def manifest_entry_size_negative(out, small):
    m = json.loads(_manifest_with())
    m["entries"][0]["size"] = -1
    healthy(out, manifest=json.dumps(m).encode())


@case("bundle")
def manifest_entry_sha_bad(out, small):
    m = json.loads(_manifest_with())
    m["entries"][0]["sha256"] = "not-a-hash"
    healthy(out, manifest=json.dumps(m).encode())


@case("bundle")
def manifest_entry_path_escape(out, small):
    m = json.loads(_manifest_with())
    m["entries"][0]["path"] = "../../etc/passwd"
    healthy(out, manifest=json.dumps(m).encode())


@case("bundle")
def manifest_sources_wrong(out, small):
    healthy(out, manifest=_manifest_with(sources=[{"name": 7, "status": ["ok"]}]))


@case("bundle")
def manifest_nul(out, small):
    m = _manifest_with().replace(b'"test-host"', b'"test\\u0000host"', 1)
    healthy(out, manifest=m)


# ---- directory bundles -----------------------------------------------------

def _dir(out, extra=None):
    """An extracted bundle folder; extra(path) adds the hostile part."""
    os.makedirs(out)
    ents = mb.default_entries()
    for e in ents:
        p = os.path.join(out, e.path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            for c in mb.chunks_of(e.data):
                f.write(c)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(mb.manifest_for(ents, mb.TOP), f)
    if extra:
        extra(out)


@case("dir")
def dir_symlink_out(out, small):
    _dir(out, lambda d: os.symlink("/etc/passwd", os.path.join(d, "resolver/hosts")))


@case("dir")
def dir_symlink_listed(out, small):
    # The manifest's own journal replaced by a symlink to a file outside.
    def f(d):
        os.unlink(os.path.join(d, JOURNAL))
        os.symlink("/etc/passwd", os.path.join(d, JOURNAL))
    _dir(out, f)


@case("dir")
def dir_symlink_dir(out, small):
    _dir(out, lambda d: os.symlink("/etc", os.path.join(d, "config/etc2")))


@case("dir")
def dir_fifo(out, small):
    # Opening a FIFO would block for ever: it must be refused by its type.
    _dir(out, lambda d: os.mkfifo(os.path.join(d, "resolver/pipe")))


@case("dir")
def dir_manifest_symlink(out, small):
    def f(d):
        os.rename(os.path.join(d, "manifest.json"), os.path.join(d, "..", "real-manifest.json"))
        os.symlink("../real-manifest.json", os.path.join(d, "manifest.json"))
    os.makedirs(out)
    _dir(os.path.join(out, "bundle"), f)


@case("dir")
def dir_socket(out, small):
    import socket
    def f(d):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(os.path.join(d, "resolver/sock"))
        s.close()
    _dir(out, f)


@case("dir")
def dir_deep(out, small):
    def f(d):
        p = os.path.join(d, "config")
        for i in range(200):
            p = os.path.join(p, "d")
        os.makedirs(p)
        with open(os.path.join(p, "x.yaml"), "w") as fh:
            fh.write("a: 1\n")
    _dir(out, f)


@case("dir")
def dir_no_manifest(out, small):
    _dir(out, lambda d: os.unlink(os.path.join(d, "manifest.json")))


# ---- content problems in a well-formed bundle ------------------------------

@case("content")
def integrity_hash(out, small):
    mb.write_bundle(out, [E(p, d, sha256="ab" * 32 if p == JOURNAL else None)
                          for p, d in mb.default_files().items()])


@case("content")
def integrity_size(out, small):
    ents = []
    for p, d in mb.default_files().items():
        ents.append(E(p, d, size=len(d) + 1 if p == JOURNAL else None))
    mb.write_bundle(out, ents)


@case("content")
def integrity_missing(out, small):
    ents = mb.default_entries()
    m = mb.manifest_for(ents, mb.TOP)
    mb.write_bundle(out, [e for e in ents if e.path != JOURNAL],
                    manifest=json.dumps(m).encode())


@case("content")
def integrity_unlisted(out, small):
    healthy(out, [E("extra/unlisted.txt", b"not in the manifest\n", listed=False)])


@case("content")
def manifest_last(out, small):
    # Accepted: the reader prefers the manifest first but takes it anywhere.
    healthy(out, manifest_first=False)


# Hostile journal lines: each replaces the journal, followed by a DNS failure
# line that must still be found.

def journal_bundle(out, lines, small=False):
    """lines: byte strings (or generator factories) making up the journal, then the DNS failure."""
    tail = (mb.journal_line(DNS_FAIL, mb.T0 + 60_000_000, 3) + "\n").encode()
    if len(lines) == 1 and isinstance(lines[0], mb.Blocks):
        b = lines[0]  # keep it a Blocks source: the writer compresses its block once
        with_files(out, {JOURNAL: mb.Blocks(b.prefix, b.block, b.count, b.tail, b.suffix + tail)})
        return
    parts = [ln if callable(ln) else mb.const(ln + b"\n") for ln in lines]
    parts.append(mb.const(tail))

    def gen():
        for p in parts:
            yield from p()
    with_files(out, {JOURNAL: gen})


def jl(msg, **kw):
    return mb.journal_line(msg, mb.T0 + 1_000_000, 6, **kw).encode()


@case("journal")
def journal_invalid_json(out, small):
    journal_bundle(out, [b"{not json", b"", b"[1,2,3]", b'"a string"', b"null",
                         b'{"MESSAGE":"no timestamp"}', b'{"__REALTIME_TIMESTAMP":"x","MESSAGE":"bad time"}',
                         b'{"__REALTIME_TIMESTAMP":"99999999999999999999999","MESSAGE":"huge time"}',
                         b'{"__REALTIME_TIMESTAMP":"-5","MESSAGE":"negative time"}',
                         b"\x00\x00\x00", b"}" * 100])


@case("journal")
def journal_long_line(out, small):
    # 1 GiB of MESSAGE on one line, streamed (never in memory here).
    n = (4 << 20) if small else GIB
    head = b'{"__REALTIME_TIMESTAMP":"1795665601000000","PRIORITY":"3","MESSAGE":"lookup x on 1.2.3.4:53: no such host '
    line = mb.sprinkled(head, n, b'"}\n')
    journal_bundle(out, [line], small)


@case("journal")
def journal_long_noline(out, small):
    # 1 GiB without a newline at all, then the end of the file.
    n = (4 << 20) if small else GIB
    with_files(out, {JOURNAL: mb.sprinkled(b'{"MESSAGE":"no newline, no end quote \\" { [ ', n)})


@case("journal")
def journal_deep(out, small):
    d = 2000 if small else 100000
    journal_bundle(out, [b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":' + b"[" * d + b"]" * d + b"}",
                         b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":"x","X":' + b'{"a":' * d + b"1" +
                         b"}" * d + b"}",
                         b"[" * d])


@case("journal")
def journal_non_utf8(out, small):
    journal_bundle(out, [b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":"caf\xe9 \xff\xfe \xc0\x80"}',
                         b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":"\xed\xa0\x80 surrogate"}',
                         b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":"\\ud800 lone"}',
                         b'{"__REALTIME_TIMESTAMP":"1795665601000000","\xff\xfe":"bad key"}'])


@case("journal")
def journal_nul(out, small):
    journal_bundle(out, [b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":"a\\u0000b no such host"}',
                         b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":"raw \x00 nul"}',
                         b'{"__REALTIME_TIMESTAMP":"1795665601000000","MESSAGE":[97,0,98]}',
                         b"\x00" * 64])


@case("journal")
def journal_big_fields(out, small):
    def text(n):  # compressible, but not enough to look like a bomb
        return b"".join(mb.sprinkled(b"", n)()).decode()
    journal_bundle(out, [jl("lookup " + text(100 << 10) + " on 10.0.0.2:53: no such host"),
                         jl("ok", _BIG=text(1 << 20)),
                         jl("ok", **{"K" + text(70000): "long key"}),
                         jl("ok", __REALTIME_TIMESTAMP="1" + "0" * 70000)])


@case("journal")
def journal_message_types(out, small):
    msg = list(DNS_FAIL.replace("example", "bytes").encode()) + [27, 91, 51, 49, 109, 255]
    journal_bundle(out, [
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0 + 2_000_000), "MESSAGE": msg}).encode(),
        jl(None),
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0), "MESSAGE": 42}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0), "MESSAGE": {"a": 1}}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0), "MESSAGE": [1, "x", None, 300, -1]}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0), "MESSAGE": ["repeated", "field"]}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0), "MESSAGE": []}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": [1, 2], "MESSAGE": "ts array"}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": None, "MESSAGE": "ts null", "PRIORITY": "nine"}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0), "MESSAGE": "prio", "PRIORITY": -3}).encode(),
        json.dumps({"__REALTIME_TIMESTAMP": str(mb.T0), "MESSAGE": list(range(256)) * 300}).encode(),
    ])


@case("journal")
def journal_many_lines(out, small):
    n = 2000 if small else 500000
    line = (mb.journal_line(DNS_FAIL, mb.T0 + 5_000_000, 3) + "\n").encode()
    journal_bundle(out, [mb.repeat(b"", line, n)])


@case("content")
def config_alias_bomb(out, small):
    y = ["apiVersion: v1", "kind: OnboardingConfiguration",
         "onboardingEndpoint:", "  host: onboarding.example.invalid",
         "workloadGroup: {namespace: ns, name: wg}",
         'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30 if not small else 8):
        y.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]")
    y.append("bomb: *a%d" % (29 if not small else 7))
    with_files(out, {CONFIG: ("\n".join(y) + "\n").encode()})


@case("content")
def config_deep(out, small):
    d = 2000 if small else 100000
    with_files(out, {CONFIG: b"onboardingEndpoint:\n  host: " + b"[" * d + b"x" + b"]" * d + b"\n",
                     "config/etc/onboarding-agent/agent.config.yaml": b"{a: " * d + b"\n"})


@case("content")
def config_garbage(out, small):
    with_files(out, {CONFIG: b"\xff\xfe\x00\x01: [\n\t- {\x00}\n&&&: *nope\n---\n...\n%YAML 9.9\n",
                     "config/etc/onboarding-agent/agent.config.yaml": b"key: !!binary AAAA\n? [a]\n: b\n"})


@case("content")
def host_unit_types(out, small):
    with_files(out, {"host.json": b'{"hostname": ["a", 1], "time": 5, "kernel": "x", "systemd": null}',
                     f"units/{mb.UNIT}.json": b'{"LoadState": 3, "ActiveState": {"x": 1}, "NRestarts": "many",'
                                              b' "MainPID": -1, "Result": null}',
                     "resolver/resolv.conf": b"\x00\xff nameserver\n" + b"nameserver " + b"9" * 5000 + b"\n"})


@case("content")
def host_unit_not_json(out, small):
    d = 2000 if small else 100000
    with_files(out, {"host.json": b"not json at all",
                     f"units/{mb.UNIT}.json": b"[" * d})


# ---- output neutralisation -------------------------------------------------

HOSTILE_TEXT = [
    "<script>alert('XSS-SCRIPT')</script>",
    "<img src=x onerror=alert('XSS-IMG')>",
    "[click me](javascript:alert('XSS-JSLINK'))",
    "<a href=\"javascript:alert(1)\">XSS-ANCHOR</a>",
    "\n```\n# INJECTED-HEADING\n```\n",
    "\n~~~\n## INJECTED-TILDE\n",
    "| INJECTED | TABLE | ROW |",
    "\x1b[31mANSI-RED\x1b[0m \x1b]0;OSC-TITLE\x07 \x1b]8;;https://evil.invalid/\x1b\\OSC-LINK\x1b]8;;\x1b\\",
    "bidi \u202eEDIR-ODIB\u202c \u2066isolate\u2069 \u200bzero-width",
    "&lt;already-escaped&gt; &amp; <!-- comment --> ]]> <![CDATA[x]]>",
    "<style>body{display:none}</style><iframe src=//evil.invalid></iframe>",
    "{{ template }} {host} %s %n $(id)",
]


@case("content")
def neutralise(out, small):
    host = "onboarding.example.invalid"
    lines = []
    t = mb.T0 + 10_000_000
    everything = " ".join(HOSTILE_TEXT)
    for i, h in enumerate(HOSTILE_TEXT):
        # Each line carries every hostile text (evidence keeps only the first and last lines).
        msg = (f"error\tagent\tRPC failed: rpc error: code = Unavailable desc = connection error: "
               f"desc = \"transport: Error while dialing dial tcp: lookup {host} on 172.31.0.2:53: "
               f"no such host\" {h} {everything}")
        lines.append(mb.journal_line(msg, t + i * 1_000_000, 3))
        lines.append(mb.journal_line("warning\tagent\t" + h, t + i * 1_000_000 + 1, 4))
    # The DNS rule captures the host: make the captured host itself hostile too.
    lines.append(mb.journal_line(
        "error\tagent\tRPC failed: rpc error: code = Unavailable desc = connection error: desc = "
        "\"transport: Error while dialing dial tcp: lookup <b>x|y`z</b>.invalid on 172.31.0.2:53: "
        "no such host\"", t + 50_000_000, 3))
    lines.append(json.dumps({"__REALTIME_TIMESTAMP": str(t + 60_000_000), "PRIORITY": "3",
                             "MESSAGE": list(b"\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07 bytes \xe2\x80\xae")}))
    hostile = " ".join(HOSTILE_TEXT[:4] + HOSTILE_TEXT[7:9])
    unit = json.loads(mb.default_files()[f"units/{mb.UNIT}.json"])
    unit.update({"ActiveState": "failed", "SubState": hostile, "Result": hostile})
    hostj = json.loads(mb.default_files()["host.json"])
    hostj["hostname"] = "host" + hostile
    cfg = ("apiVersion: v1\nkind: OnboardingConfiguration\n"
           f"onboardingEndpoint:\n  host: {json.dumps(host)}\n"
           f"workloadGroup:\n  namespace: {json.dumps(hostile)}\n  name: x\n"
           "transportSecurity:\n  tls:\n    insecureSkipVerify: true\n"
           f"comment: {json.dumps(hostile)}\n")
    extra = {"host": {"hostname": "host" + hostile},
             "sources": [{"name": "host", "status": "ok", "detail": ""},
                         {"name": "unit/" + mb.UNIT, "status": "ok", "detail": ""},
                         {"name": "journal/" + mb.UNIT, "status": "ok", "detail": ""},
                         {"name": "resolved", "status": "error", "detail": hostile},
                         {"name": "probe/" + hostile + ":443", "status": "unavailable", "detail": hostile}],
             "skipped": [{"path": "/etc/" + hostile, "reason": hostile}]}
    files = mb.default_files()
    files[JOURNAL] = ("\n".join(lines) + "\n").encode()
    files[f"units/{mb.UNIT}.json"] = json.dumps(unit).encode()
    files["host.json"] = json.dumps(hostj).encode()
    files[CONFIG] = cfg.encode()
    mb.write_bundle(out, [E(k, v) for k, v in files.items()], manifest_extra=extra)


# ---- rules files (-r) -------------------------------------------------------

RULE_OK = """\
version: 1
rules:
  - id: hostile-{n}
    title: Hostile rule {n}
    severity: warning
    description: a rule from tests/hostile
    message: "matched {{count}} lines"
    remedy: nothing
    when:
      journal:
        match: '{regex}'
"""


# The small rule-language errors (an unknown key, a bad pattern, invalid YAML, alias bombs) are files:
# tests/golden/rules-bad/bad-*.yaml, each with its expected --check-rules stderr.


@case("rules")
def rules_deep(out, small):
    d = 2000 if small else 100000
    with open(out, "w") as f:
        f.write("version: 1\nrules:\n  - id: x\n    when: " + "[" * d + "]" * d + "\n")


@case("rules")
def rules_not_text(out, small):
    with open(out, "wb") as f:
        f.write(bytes(range(256)) * 4)


@case("rules")
def rules_backtrack(out, small):
    # (a+)+$ against a long line of a's ending in b: PCRE2's match limit must stop it.
    with open(out, "w") as f:
        f.write(RULE_OK.format(n=1, regex="(a+)+$"))


@case("rules")
def rules_echo(out, small):
    # Rules whose message is nothing but a capture of the log line: the line starts a paragraph.
    with open(out, "w") as f:
        f.write("version: 1\nrules:\n")
        for k in ECHO_LINES:
            f.write(f"""\
  - id: echo-{k.lower()}
    title: Echo {k}
    severity: warning
    description: echoes a captured journal line
    message: "{{line}}"
    remedy: nothing
    when:
      journal:
        match: '^(?<line>.*INJECTED-{k}.*)$'
""")


ECHO_LINES = {"HEADING": "   # INJECTED-HEADING", "LIST": "  - INJECTED-LIST", "PLUS": "+ INJECTED-PLUS",
              "OL": " 1. INJECTED-OL", "PAREN": "12) INJECTED-PAREN", "QUOTE": "\t> INJECTED-QUOTE",
              "FENCE": "  ``` INJECTED-FENCE", "HTML": "  <div>INJECTED-HTML", "TABLE": " | INJECTED-TABLE |"}


def echo_bundle(out, small):
    """A bundle whose journal has the lines rules-echo echoes."""
    journal_bundle(out, [jl(v) for v in ECHO_LINES.values()])


def backtrack_bundle(out, small):
    """A bundle whose journal has the line (a+)+$ backtracks on."""
    journal_bundle(out, [jl("a" * 5000 + "b"), jl("a" * 100000 + "!")])


def main():
    args = sys.argv[1:]
    if args == ["--list"]:
        for name, (kind, _) in CASES.items():
            print(name, kind)
        return 0
    if args and args[0] == "--many":
        # --many DIR CASE...: builds each case into DIR/CASE in one process.
        for name in args[2:]:
            CASES[name][1](os.path.join(args[1], name), False)
        return 0
    small = False
    if args and args[0] == "--small":
        small = True
        args = args[1:]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    name, out = args
    if name == "backtrack-bundle":
        backtrack_bundle(out, small)
        return 0
    if name == "echo-bundle":
        echo_bundle(out, small)
        return 0
    if name == "healthy":
        healthy(out)
        return 0
    if name not in CASES:
        print(f"gen.py: unknown case '{name}'", file=sys.stderr)
        return 2
    CASES[name][1](out, small)
    return 0


if __name__ == "__main__":
    sys.exit(main())
