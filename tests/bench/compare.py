#!/usr/bin/env python3
# tests/bench/compare.py: checks a triage bundle holds the same journal entries as journalctl's j.gz.
"""
Usage: compare.py BUNDLE.tar.gz J.gz UNIT

Reads journal/UNIT.jsonl from the bundle (streaming) and journalctl's JSON
lines from J.gz, and compares them entry by entry, keyed by __CURSOR (or by
__REALTIME_TIMESTAMP when the bundle has no cursors): entries missing from the
bundle, extra or duplicated in it, and entries whose fields differ.  A field
that differs only because the bundle holds a redaction marker ("<redacted:")
counts as redacted, not as a difference.  Also checks the manifest's journal
source: status ok (not truncated), entries and omitted.

Prints one summary line "compare: ..." and up to 3 examples of each problem;
exit status 0 when the entries are the same, 1 otherwise.
"""

import gzip
import json
import sys
import tarfile


def freeze(v):
    return tuple(v) if isinstance(v, list) else v


def digest(e):
    """An order-independent hash of an entry (the same within this process)."""
    return hash(tuple(sorted((k, freeze(v)) for k, v in e.items())))


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    bundle, jgz, unit = sys.argv[1:]
    want = "/journal/%s.jsonl" % unit

    theirs = {}
    key_name = "__CURSOR"
    n_theirs = 0
    with gzip.open(jgz, "rb") as f:
        for line in f:
            e = json.loads(line)
            n_theirs += 1
            theirs[e["__CURSOR"]] = (digest(e), e["__REALTIME_TIMESTAMP"])
    problems = []
    manifest = None
    n_ours = 0
    seen = set()
    missing_key = 0
    redacted = 0
    differ = []
    dups = []
    extra = []
    by_time = None
    suspects = {}
    invalid = []
    with tarfile.open(bundle, "r:gz") as t:
        for m in t:
            if m.name.endswith("/manifest.json") and m.name.count("/") == 1:
                manifest = json.load(t.extractfile(m))
                continue
            if not m.name.endswith(want):
                continue
            f = t.extractfile(m)
            for line in f:
                n_ours += 1
                try:
                    e = json.loads(line)
                except ValueError as err:
                    invalid.append((n_ours, str(err), line[:160]))
                    continue
                k = e.get("__CURSOR")
                if k is None:
                    missing_key += 1
                    if by_time is None:
                        by_time = {v[1]: c for c, v in theirs.items()}
                    k = by_time.get(e.get("__REALTIME_TIMESTAMP"), "t=" + str(e.get("__REALTIME_TIMESTAMP")))
                if k in seen:
                    dups.append(k)
                    continue
                seen.add(k)
                o = theirs.get(k)
                if o is None:
                    extra.append(k)
                    continue
                if o[0] != digest(e):
                    suspects[k] = e if len(suspects) < 10000 else None
    missing = [k for k in theirs if k not in seen]
    # Third pass, only when some entries differ: which fields, and is it redaction?
    if suspects:
        with gzip.open(jgz, "rb") as f:
            for line in f:
                o = json.loads(line)
                k = o["__CURSOR"]
                if k not in suspects:
                    continue
                e = suspects[k]
                if e is None:
                    differ.append((k, ["?"], o, {}))
                    continue
                keys = set(o) | set(e)
                diff = [x for x in sorted(keys) if freeze(o.get(x)) != freeze(e.get(x))]
                if all(isinstance(e.get(x), str) and "<redacted:" in e[x] for x in diff):
                    redacted += 1
                else:
                    differ.append((k, diff, o, e))

    if manifest is None:
        problems.append("no manifest.json in the bundle")
    else:
        src = [s for s in manifest.get("sources", []) if s.get("name") == "journal/" + unit]
        if not src:
            problems.append("manifest has no source journal/%s" % unit)
        else:
            s = src[0]
            if s.get("status") != "ok":
                problems.append("manifest: journal/%s status %r (%s)" % (unit, s.get("status"), s.get("detail")))
            if s.get("omitted", 0):
                problems.append("manifest: %s entries omitted" % s.get("omitted"))
            if "entries" in s and s["entries"] != n_ours:
                problems.append("manifest says %s entries, the file has %d" % (s["entries"], n_ours))
    if invalid:
        problems.append("%d bundle lines are not valid JSON" % len(invalid))
    if missing:
        problems.append("%d entries missing from the bundle" % len(missing))
    if extra:
        problems.append("%d entries in the bundle that journalctl does not show" % len(extra))
    if dups:
        problems.append("%d duplicated entries in the bundle" % len(dups))
    if differ:
        fields = {}
        for _, d, _, _ in differ:
            for x in d:
                fields[x] = fields.get(x, 0) + 1
        problems.append("%d entries differ from journalctl's (fields: %s)" % (
            len(differ), ", ".join("%s x%d" % kv for kv in sorted(fields.items(), key=lambda kv: -kv[1])[:6])))
    print("compare: bundle %d entries, journalctl %d; %d redacted%s; %s" % (
        n_ours, n_theirs, redacted,
        ", keyed by __REALTIME_TIMESTAMP (%d bundle entries lack __CURSOR)" % missing_key if missing_key else "",
        "; ".join(problems) if problems else "same entries"))
    for k, err, text in invalid[:3]:
        print("  invalid JSON: line %d: %s: %r" % (k, err, text))
    for k in missing[:3]:
        print("  missing: %s (__REALTIME_TIMESTAMP %s)" % (k, theirs[k][1]))
    for k in extra[:3]:
        print("  extra: %s" % k)
    for k in dups[:3]:
        print("  duplicate: %s" % k)
    for k, d, o, e in differ[:3]:
        for x in d[:4]:
            print("  differs: %s %s: journalctl %.120r, bundle %.120r" % (k[-40:], x, o.get(x), e.get(x)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
