#!/usr/bin/env python3
# mkbundle.py: builds triage bundles for tests, well-formed (docs/bundle-format.md) or deliberately not.
"""Test tooling: writes tar.gz bundles entry by entry, streaming.

A bundle is a list of Entry objects.  Each entry's data comes from a
callable returning an iterator of byte chunks, so a 1 GiB journal line or
10 GB of zeros is never held in memory.  The gzip stream is written by hand
(RFC 1952 header, raw deflate, CRC-32 and size trailer) so that runs of
zeros can be emitted as one precompressed full-flush block repeated: a
10 GB bomb is built in seconds.

    python3 mkbundle.py OUT                 the healthy default bundle
    python3 mkbundle.py OUT --dir DIR       ... with the files under DIR added (or replacing)
"""

import argparse
import hashlib
import json
import os
import sys
import tarfile
import zlib

TOP = "triage-test-host-20261126T050000Z"
ZBLOCK = 16 << 20  # zeros compressed per repeated deflate block

# ---- data sources ----------------------------------------------------------


def const(data):
    """Entry data: fixed bytes."""
    if isinstance(data, str):
        data = data.encode()
    return lambda: iter([data])


class Zeros:
    """Entry data: n zero bytes; the gzip writer compresses them by block repetition."""

    def __init__(self, n):
        self.n = n


class Blocks:
    """Entry data: prefix + block repeated count times + tail + suffix.  The gzip
    writer compresses the block once and repeats its deflate output."""

    def __init__(self, prefix, block, count, tail=b"", suffix=b""):
        self.prefix, self.block, self.count, self.tail, self.suffix = prefix, block, count, tail, suffix

    def __call__(self):
        yield self.prefix
        for _ in range(self.count):
            yield self.block
        yield self.tail
        yield self.suffix

    def size(self):
        return len(self.prefix) + len(self.block) * self.count + len(self.tail) + len(self.suffix)


def repeat(prefix, unit, count, suffix=b""):
    """Entry data: prefix + unit*count + suffix."""
    per = max(1, (1 << 20) // max(1, len(unit)))
    return Blocks(prefix, unit * per, count // per, unit * (count % per), suffix)


_SPRINKLED = []


def sprinkled(prefix, n, suffix=b""):
    """Entry data: prefix + n bytes of mostly 'a' with a random letter every ~600
    bytes + suffix: compresses about 150:1, under the reader's ratio cap, so a
    huge line is content, not a bomb."""
    if not _SPRINKLED:
        import random
        rnd = random.Random(600)
        block = bytearray(b"a" * (1 << 20))
        for i in range(0, len(block) - 600, 600):
            block[i + rnd.randrange(600)] = rnd.choice(b"bcdefghijklmnopqrstuvwxyz0123456789")
        _SPRINKLED.append(bytes(block))
    block = _SPRINKLED[0]
    return Blocks(prefix, block, n // len(block), block[: n % len(block)], suffix)


def chunks_of(src):
    if isinstance(src, Zeros):
        z = bytes(min(ZBLOCK, src.n))
        left = src.n
        while left:
            k = min(left, len(z))
            yield z[:k]
            left -= k
    else:
        for c in src():
            if c:
                yield c


def measure(src):
    """Size and SHA-256 of a data source, streamed."""
    h = hashlib.sha256()
    n = 0
    for c in chunks_of(src):
        h.update(c)
        n += len(c)
    return n, h.hexdigest()


# ---- entries ---------------------------------------------------------------


class Entry:
    """One tar member.  path is relative to the top directory unless raw=True."""

    def __init__(self, path, data=b"", *, kind=tarfile.REGTYPE, linkname="", raw=False,
                 listed=True, size=None, sha256=None, declared_size=None, devmajor=0, devminor=0,
                 mode=0o644):
        self.path = path
        self.data = data if callable(data) or isinstance(data, Zeros) else const(data)
        self.kind = kind
        self.linkname = linkname
        self.raw = raw
        self.listed = listed              # listed in manifest "entries"
        self.size = size                  # override the size the manifest says
        self.sha256 = sha256              # override the hash the manifest says
        self.declared_size = declared_size  # override the tar header's size (data then padded/truncated)
        self.devmajor, self.devminor = devmajor, devminor
        self.mode = mode

    def name(self, top):
        return self.path if self.raw else f"{top}/{self.path}"


# ---- gzip + tar writer -----------------------------------------------------


class GzipOut:
    """A gzip member written by hand: header, raw deflate, CRC-32/ISIZE trailer."""

    def __init__(self, f, level=6):
        self.f = f
        self.crc = 0
        self.isize = 0
        self.level = level
        self.co = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
        self.zblock = None
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")

    def write(self, data):
        if not data:
            return
        self.crc = zlib.crc32(data, self.crc)
        self.isize += len(data)
        self.f.write(self.co.compress(data))

    def zeros(self, n):
        if n < 2 * ZBLOCK:
            z = bytes(min(n, ZBLOCK))
            while n:
                k = min(n, len(z))
                self.write(z[:k])
                n -= k
            return
        # A full flush resets the dictionary, so the same input then always
        # compresses to the same bytes: compress one block, repeat it.
        self.f.write(self.co.flush(zlib.Z_FULL_FLUSH))
        z = bytes(ZBLOCK)
        if self.zblock is None:
            c = zlib.compressobj(self.level, zlib.DEFLATED, -15, 9)
            self.zblock = c.compress(z) + c.flush(zlib.Z_FULL_FLUSH)
        while n >= ZBLOCK:
            self.f.write(self.zblock)
            self.crc = zlib.crc32(z, self.crc)
            self.isize += ZBLOCK
            n -= ZBLOCK
        self.write(bytes(n))

    def blocks(self, b):
        """Writes a Blocks source: the block compressed once, its output repeated."""
        self.write(b.prefix)
        if b.count > 2:
            self.f.write(self.co.flush(zlib.Z_FULL_FLUSH))
            c = zlib.compressobj(self.level, zlib.DEFLATED, -15, 9)
            z = c.compress(b.block) + c.flush(zlib.Z_FULL_FLUSH)
            for _ in range(b.count):
                self.f.write(z)
                self.crc = zlib.crc32(b.block, self.crc)
                self.isize += len(b.block)
        else:
            for _ in range(b.count):
                self.write(b.block)
        self.write(b.tail)
        self.write(b.suffix)

    def close(self):
        self.f.write(self.co.flush(zlib.Z_FINISH))
        self.f.write((self.crc & 0xffffffff).to_bytes(4, "little"))
        self.f.write((self.isize & 0xffffffff).to_bytes(4, "little"))


def tar_header(name, kind, size, linkname="", mode=0o644, devmajor=0, devminor=0):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = size if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else mode
    ti.mtime = 1795669200
    ti.uname = ti.gname = "root"
    ti.linkname = linkname
    ti.devmajor, ti.devminor = devmajor, devminor
    return ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def write_member(gz, name, kind, src, size, declared=None, **kw):
    """Writes one member; when declared differs from the data size the data is cut or padded with zeros."""
    hsize = size if declared is None else declared
    gz.write(tar_header(name, kind, hsize, **kw))
    if kind not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        return
    if isinstance(src, Zeros) and declared is None:
        gz.zeros(src.n)
    elif isinstance(src, Blocks) and declared is None:
        gz.blocks(src)
    else:
        left = hsize
        for c in chunks_of(src):
            if left <= 0:
                break
            c = c[:left]
            gz.write(c)
            left -= len(c)
        if left > 0:
            gz.zeros(left)
    if hsize % 512:
        gz.write(bytes(512 - hsize % 512))


def manifest_for(entries, top, extra=None):
    """A manifest listing every listed regular entry with its real (or overridden) size and hash."""
    listed = []
    for e in entries:
        if not e.listed or e.kind not in (tarfile.REGTYPE, tarfile.AREGTYPE) or e.raw:
            continue
        if e.size is not None and e.sha256 is not None:
            n, h = e.size, e.sha256  # both given: no need to read (bombs)
        else:
            n, h = measure(e.data)
        listed.append({"path": e.path,
                       "size": n if e.size is None else e.size,
                       "sha256": h if e.sha256 is None else e.sha256})
    m = {
        "format": "triage-bundle",
        "format_version": 1,
        "collected_at": "2026-11-26T05:00:00Z",
        "host": {"hostname": "test-host"},
        "tool": {"name": "mkbundle.py", "version": "0"},
        "entries": listed,
        "sources": [
            {"name": "host", "status": "ok", "detail": ""},
            {"name": "unit/onboarding-agent.service", "status": "ok", "detail": ""},
            {"name": "journal/onboarding-agent.service", "status": "ok", "detail": "",
             "entries": 3},
            {"name": "config/etc/onboarding-agent/onboarding.config.yaml", "status": "ok",
             "detail": ""},
            {"name": "config/etc/onboarding-agent/agent.config.yaml", "status": "unavailable",
             "detail": "not found"},
            {"name": "resolver/resolv.conf", "status": "ok", "detail": ""},
        ],
        "skipped": [],
        "redactions": [],
        "collection": {"since": "2026-11-25T05:00:00Z", "until": "2026-11-26T05:00:00Z",
                       "units": ["onboarding-agent.service"], "profile": "built-in",
                       "root": None, "journal_dir": None, "log_file": False},
    }
    if extra:
        m.update(extra)
    return m


def write_bundle(out, entries, *, top=TOP, manifest=None, manifest_extra=None,
                 manifest_first=True, level=6, dirs=True):
    """Writes entries as a bundle.  manifest: bytes to use verbatim, None to build one, False for none."""
    if manifest is None:
        manifest = json.dumps(manifest_for(entries, top, manifest_extra), indent=1).encode()
    members = []
    if dirs:
        members.append(Entry(top + "/", kind=tarfile.DIRTYPE, raw=True))
    man = Entry("manifest.json", manifest) if manifest is not False else None
    if man and manifest_first:
        members.append(man)
    members += entries
    if man and not manifest_first:
        members.append(man)
    with open(out, "wb") as f:
        gz = GzipOut(f, level)
        for e in members:
            kw = dict(linkname=e.linkname, mode=e.mode, devmajor=e.devmajor, devminor=e.devminor)
            if e.kind in (tarfile.REGTYPE, tarfile.AREGTYPE):
                n = e.data.n if isinstance(e.data, Zeros) else \
                    e.data.size() if isinstance(e.data, Blocks) else measure(e.data)[0]
            else:
                n = 0
            write_member(gz, e.name(top), e.kind, e.data, n, e.declared_size, **kw)
        gz.write(bytes(1024))
        gz.close()


# ---- the healthy default content ------------------------------------------

UNIT = "onboarding-agent.service"


def journal_line(msg, t, prio=6, **extra):
    d = {"__REALTIME_TIMESTAMP": str(t), "PRIORITY": str(prio), "_SYSTEMD_UNIT": UNIT,
         "SYSLOG_IDENTIFIER": "onboarding-agent", "MESSAGE": msg}
    d.update(extra)
    return json.dumps(d, separators=(",", ":"))


T0 = 1795665600000000  # 2026-11-26T04:00:00Z


def default_files():
    """Relative path -> bytes: a small healthy bundle."""
    host = {"hostname": "test-host", "os_release": {"ID": "debian", "VERSION_ID": "12"},
            "kernel": {"sysname": "Linux", "release": "6.1.0", "version": "#1 SMP",
                       "machine": "x86_64"},
            "boot_id": "0" * 32, "uptime_sec": 3600, "time": "2026-11-26T05:00:00Z",
            "ntp_synchronized": True, "timezone": "UTC",
            "systemd": {"running": True, "version": "252"}}
    unit = {"Id": UNIT, "LoadState": "loaded", "ActiveState": "active", "SubState": "running",
            "Result": "success", "NRestarts": 0, "MainPID": 4242,
            "FragmentPath": "/etc/systemd/system/" + UNIT}
    journal = "\n".join([
        journal_line("Started Workload Onboarding Agent.", T0, 6),
        journal_line("info\tagent\tusing platform-specific credential procured by "
                     "\"aws-ec2-credential\" plugin to request authorization for onboarding ...",
                     T0 + 1000000, 6),
        journal_line("info\tagent\tsuccessfully onboarded the workload", T0 + 2000000, 6),
    ]) + "\n"
    cfg = ("apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\n"
           "kind: OnboardingConfiguration\n"
           "onboardingEndpoint:\n  host: onboarding.example.invalid\n"
           "workloadGroup:\n  namespace: bookinfo\n  name: ratings\n")
    return {
        "host.json": json.dumps(host, indent=1).encode(),
        f"units/{UNIT}.json": json.dumps(unit, indent=1).encode(),
        f"journal/{UNIT}.jsonl": journal.encode(),
        "config/etc/onboarding-agent/onboarding.config.yaml": cfg.encode(),
        "resolver/resolv.conf": b"nameserver 127.0.0.53\noptions edns0\n",
    }


def default_entries(replace=None):
    files = default_files()
    for k, v in (replace or {}).items():
        files[k] = v
    return [Entry(k, v) for k, v in files.items() if v is not None]


def main():
    ap = argparse.ArgumentParser(description="build a test bundle")
    ap.add_argument("out")
    ap.add_argument("--dir", help="files under DIR are added to (or replace) the default content")
    ap.add_argument("--top", default=TOP)
    a = ap.parse_args()
    files = default_files()
    if a.dir:
        for root, _, names in os.walk(a.dir):
            for n in names:
                p = os.path.join(root, n)
                with open(p, "rb") as f:
                    files[os.path.relpath(p, a.dir)] = f.read()
    write_bundle(a.out, [Entry(k, v) for k, v in sorted(files.items())], top=a.top)


if __name__ == "__main__":
    sys.exit(main())
