#!/usr/bin/env python3
"""tests/nspawn/bundle-check.py: checks a triage bundle against CONTRACT.md and against what systemd reports.

  verify BUNDLE                    manifest first, format, every entry listed with the right size and SHA-256
  journal BUNDLE UNIT JC.json      journal/UNIT.jsonl holds what `journalctl -u UNIT -o json --all` printed
                                   (same entries, cursors and fields; a redacted value may differ)
  unit BUNDLE UNIT SHOW.txt        units/UNIT.json agrees with `systemctl show UNIT` (KEY=VALUE lines)
  trimmed BUNDLE UNIT JC.json      a journal trimmed to the budget: a subset of journalctl's entries in order,
                                   warnings and worse kept first, newest first within each class
  absent BUNDLE VALUE...           no VALUE appears in any entry (plain, base64 or URL-encoded)
  get BUNDLE EXPR                  prints a Python expression over m (manifest), src(name), f(path), jl(path)
Exit status 0 when the check holds; 1 with a reason on stderr.
"""
import base64
import hashlib
import json
import os
import stat
import sys
import tarfile
import urllib.parse


def die(msg):
    print("bundle-check: " + msg, file=sys.stderr)
    sys.exit(1)


def load(path):
    try:
        tf = tarfile.open(path, "r:gz")
    except Exception as e:  # noqa: BLE001
        die(f"{path}: not a tar.gz: {e}")
    files, order = {}, []
    for ti in tf.getmembers():
        if ti.issym() or ti.islnk() or not (ti.isfile() or ti.isdir()):
            die(f"{path}: {ti.name}: not a regular file or folder")
        if ti.isdir():
            continue
        top, _, rel = ti.name.partition("/")
        order.append(rel)
        files[rel] = tf.extractfile(ti).read()
    if not order:
        die(f"{path}: empty")
    return files, order, top


def manifest(files):
    try:
        return json.loads(files["manifest.json"])
    except Exception as e:  # noqa: BLE001
        die(f"manifest.json: {e}")


def verify(path):
    st = os.stat(path)
    if stat.S_IMODE(st.st_mode) != 0o600:
        die(f"{path}: mode {oct(stat.S_IMODE(st.st_mode))}, wanted 0600")
    files, order, _ = load(path)
    if order[0] != "manifest.json":
        die(f"first entry is {order[0]}, not manifest.json")
    m = manifest(files)
    if m.get("format") != "triage-bundle" or m.get("format_version") != 1:
        die("format/format_version wrong")
    for k in ("collected_at", "host", "tool", "entries", "sources", "redactions"):
        if k not in m:
            die(f"manifest lacks {k}")
    listed = {e["path"]: e for e in m["entries"]}
    for rel, data in files.items():
        if rel == "manifest.json":
            continue
        e = listed.pop(rel, None)
        if e is None:
            die(f"{rel} is not listed in the manifest")
        if e["size"] != len(data):
            die(f"{rel}: size {len(data)}, manifest says {e['size']}")
        if e["sha256"] != hashlib.sha256(data).hexdigest():
            die(f"{rel}: SHA-256 differs from the manifest")
    if listed:
        die(f"listed but missing: {sorted(listed)}")
    for s in m["sources"]:
        if s.get("status") not in ("ok", "unavailable", "error", "truncated") or "detail" not in s:
            die(f"bad source {s}")
    for rel in files:
        if rel.endswith(".json"):
            json.loads(files[rel])
        if rel.endswith(".jsonl"):
            for i, line in enumerate(files[rel].decode().split("\n")[:-1]):
                e = json.loads(line)
                if "__REALTIME_TIMESTAMP" not in e or "MESSAGE" not in e:
                    die(f"{rel}:{i + 1}: no __REALTIME_TIMESTAMP or MESSAGE")


def redacted(v):
    return isinstance(v, str) and "<redacted:" in v


def journal(path, unit, jc):
    files, _, _ = load(path)
    m = manifest(files)
    rel = f"journal/{unit}.jsonl"
    ours = [json.loads(line) for line in files.get(rel, b"").decode().split("\n") if line]
    theirs = [json.loads(line) for line in open(jc, encoding="utf-8") if line.strip()]
    if len(ours) != len(theirs):
        die(f"{rel}: {len(ours)} entries, journalctl printed {len(theirs)}")
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a.get("__CURSOR") != b.get("__CURSOR"):
            die(f"{rel}:{i + 1}: cursor differs")
        if set(a) != set(b):
            die(f"{rel}:{i + 1}: fields differ: ours only {set(a) - set(b)}, journalctl only {set(b) - set(a)}")
        for k in a:
            if a[k] != b[k] and not redacted(a[k]) and not (isinstance(a[k], list) and any(map(redacted, a[k]))):
                die(f"{rel}:{i + 1}: field {k} differs")
    src = next((s for s in m["sources"] if s["name"] == f"journal/{unit}"), None)
    if src is None:
        die(f"no source journal/{unit}")
    if theirs:
        if src.get("first_cursor") != theirs[0]["__CURSOR"] or src.get("last_cursor") != theirs[-1]["__CURSOR"]:
            die("first_cursor/last_cursor differ from journalctl's first and last entries")
        if src.get("entries") != len(theirs):
            die(f"manifest says {src.get('entries')} entries, journalctl printed {len(theirs)}")


def unit(path, unit_name, show):
    files, _, _ = load(path)
    props = json.loads(files[f"units/{unit_name}.json"])
    want = {}
    for line in open(show, encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("=")
        want[k] = v
    for k, v in want.items():
        if k not in props:
            die(f"units/{unit_name}.json lacks {k}")
        got = props[k]
        if isinstance(got, bool):
            got = "yes" if got else "no"
        elif isinstance(got, list):
            got = " ".join(map(str, got))
        else:
            got = str(got)
        if got != v:
            die(f"units/{unit_name}.json: {k}={got!r}, systemctl show says {v!r}")


def trimmed(path, unit_name, jc):
    files, _, _ = load(path)
    m = manifest(files)
    ours = [json.loads(line) for line in files.get(f"journal/{unit_name}.jsonl", b"").decode().split("\n") if line]
    theirs = [json.loads(line) for line in open(jc, encoding="utf-8") if line.strip()]
    pos = {e["__CURSOR"]: i for i, e in enumerate(theirs)}
    idx = [pos.get(e["__CURSOR"], -1) for e in ours]
    if -1 in idx:
        die("an entry is not one journalctl printed")
    if idx != sorted(idx):
        die("entries are out of order")
    kept = set(idx)
    src = next(s for s in m["sources"] if s["name"] == f"journal/{unit_name}")
    if src["status"] != "truncated" or src["omitted"] != len(theirs) - len(ours) or not ours:
        die(f"source says {src['status']}, omitted {src['omitted']}; {len(theirs) - len(ours)} of {len(theirs)} left out")

    def important(e):
        return e.get("PRIORITY", "9") <= "4"

    for cls in (True, False):
        members = [i for i, e in enumerate(theirs) if important(e) == cls]
        k = sum(1 for i in members if i in kept)
        if set(members[len(members) - k:]) != {i for i in members if i in kept}:
            die(f"the kept {'warnings' if cls else 'other entries'} are not the newest")
    if any(not important(theirs[i]) for i in kept) and not all(i in kept for i, e in enumerate(theirs) if important(e)):
        die("other entries were kept while warnings were left out")


def byte_arrays(x, out):
    """Every JSON array of 0..255 integers (a D-Bus byte array) below x, as bytes."""
    if isinstance(x, list):
        if x and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i <= 255 for i in x):
            out.append(bytes(x))
        else:
            for i in x:
                byte_arrays(i, out)
    elif isinstance(x, dict):
        for i in x.values():
            byte_arrays(i, out)


def absent(path, values):
    files, _, _ = load(path)
    files = dict(files)
    for rel, data in list(files.items()):
        if rel.endswith((".json", ".jsonl")):
            arrays = []
            for line in data.decode("utf-8", "replace").split("\n") if rel.endswith(".jsonl") else [data.decode("utf-8", "replace")]:
                try:
                    byte_arrays(json.loads(line), arrays)
                except ValueError:
                    pass
            if arrays:
                files[rel + " (byte arrays)"] = b"\n".join(arrays)
    for v in values:
        forms = {v, base64.b64encode(v.encode()).decode(), urllib.parse.quote(v, safe="")}
        for rel, data in files.items():
            for form in forms:
                if form.encode() in data:
                    die(f"{rel} holds a planted secret ({v[:8]}...)")


def get(path, expr):
    files, _, top = load(path)
    m = manifest(files)

    def src(name):
        return next((s for s in m["sources"] if s["name"] == name), None)

    def f(rel):
        return files.get(rel, b"").decode(errors="replace")

    def jl(rel):
        return [json.loads(line) for line in f(rel).split("\n") if line]

    env = {"m": m, "src": src, "f": f, "jl": jl, "files": files, "top": top, "json": json}
    print(eval(expr, env))  # noqa: S307 -- test helper, expressions come from the test scripts


def main():
    if len(sys.argv) < 3:
        die(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "verify":
        verify(args[0])
    elif cmd == "journal":
        journal(*args)
    elif cmd == "unit":
        unit(*args)
    elif cmd == "trimmed":
        trimmed(*args)
    elif cmd == "absent":
        absent(args[0], args[1:])
    elif cmd == "get":
        get(args[0], args[1])
    else:
        die(f"unknown command {cmd}")


main()
