#!/usr/bin/env python3
# check_report.py: checks a triage-analyze report for tests/hostile: JSON facts, and neutralised markdown/HTML.
"""python3 check_report.py json REPORT [--finding ID] [--no-finding ID] [--integrity PATH]
                                       [--not-evaluated] [--evidence-contains TEXT]
   python3 check_report.py markdown REPORT
   python3 check_report.py html REPORT
   python3 check_report.py text REPORT [WIDTH]        (-f text, plain)
   python3 check_report.py text-color REPORT [WIDTH]  (-f text --color=always)

Prints one line per problem and exits 1 when there is any.
"""

import json
import re
import sys

# Characters a log line must never carry raw into a report: C0 controls but
# tab and newline, DEL, C1 controls, bidi overrides and isolates.
BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def check_json(path, args):
    probs = []
    try:
        with open(path, encoding="utf-8") as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        return [f"report is not JSON: {e}"]
    if r.get("schema") != "triage-report/1":
        probs.append(f"schema is {r.get('schema')!r}")
    findings = r.get("findings")
    nev = r.get("not_evaluated")
    if not isinstance(findings, list) or not isinstance(nev, list):
        return probs + ["findings or not_evaluated is not a list"]
    ids = [f.get("rule") for f in findings if isinstance(f, dict)]
    i = 0
    while i < len(args):
        a = args[i]
        v = args[i + 1] if i + 1 < len(args) else None
        if a == "--finding":
            if v not in ids:
                probs.append(f"no finding {v} (findings: {ids})")
            i += 2
        elif a == "--no-finding":
            if v in ids:
                probs.append(f"unexpected finding {v}")
            i += 2
        elif a == "--integrity":
            fs = [f for f in findings if f.get("rule") == "bundle-integrity-failed"]
            if not fs:
                probs.append("no bundle-integrity-failed finding")
            elif v not in json.dumps(fs):
                probs.append(f"bundle-integrity-failed does not name {v}")
            i += 2
        elif a == "--not-evaluated":
            if not nev:
                probs.append("not_evaluated is empty")
            elif not all(isinstance(n, dict) and n.get("rule") and n.get("reason") for n in nev):
                probs.append("a not_evaluated item lacks rule or reason")
            i += 1
        elif a == "--evidence-contains":
            if v not in json.dumps([f.get("evidence") for f in findings], ensure_ascii=False):
                probs.append(f"no evidence contains {v!r}")
            i += 2
        else:
            probs.append(f"check_report.py: unknown check {a}")
            i += 1
    return probs


def fence_open(line):
    """CommonMark fence opener: (char, length) or None."""
    m = re.match(r"^ {0,3}(`{3,}|~{3,})(.*)$", line)
    if not m:
        return None
    if m.group(1)[0] == "`" and "`" in m.group(2):
        return None
    return m.group(1)[0], len(m.group(1))


def fence_closes(line, fence):
    m = re.match(r"^ {0,3}(`{3,}|~{3,})[ \t]*$", line)
    return bool(m) and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]


def check_markdown(path):
    probs = []
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"not UTF-8: {e}"]
    fence = None
    outside, inside = [], []
    for n, line in enumerate(text.split("\n"), 1):
        if fence:
            if fence_closes(line, fence):
                fence = None
            else:
                inside.append((n, line))
            continue
        fo = fence_open(line)
        if fo:
            fence = fo
            continue
        outside.append((n, line))
    if fence:
        probs.append("the document ends inside a fenced block (a fence was broken)")
    for n, line in outside + inside:
        if BAD_CHARS.search(line):
            c = BAD_CHARS.search(line).group(0)
            probs.append(f"line {n}: raw control or bidi character U+{ord(c):04X}")
    for n, line in outside:
        # Log text outside a fence must not be markup: no raw HTML tags, no
        # headings or table rows it injected, no javascript: links.  Code
        # spans and backslash-escaped characters are text.
        plain = re.sub(r"(`+)(?:(?!\1).)+?\1", "", line)
        if re.search(r"(?<!\\)<\s*/?\s*(script|img|a|iframe|style|b)\b", plain, re.I):
            probs.append(f"line {n}: raw HTML tag outside code: {line[:120]!r}")
        if re.search(r"(?<!\\)\]\(\s*javascript:", plain, re.I) or re.search(r"(?<!\\)<javascript:", plain, re.I):
            probs.append(f"line {n}: javascript: link: {line[:120]!r}")
        if re.match(r"^ {0,3}(#+|\||[-+*]|\d+[.)]|>|```|~~~|<[a-z])\s*INJECTED", line):
            probs.append(f"line {n}: injected text became a heading, list, quote, fence, HTML block or table row: {line[:120]!r}")
    # Every table keeps the column count of its header row.
    table = None
    for n, line in outside:
        if line.startswith("|"):
            cols = len(re.findall(r"(?<!\\)\|", line))
            if table is None:
                table = cols
            elif cols != table:
                probs.append(f"line {n}: table row has {cols} pipes, header {table}: {line[:120]!r}")
        else:
            table = None
    return probs


def check_html(path):
    probs = []
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"not UTF-8: {e}"]
    m = BAD_CHARS.search(text)
    if m:
        probs.append(f"raw control or bidi character U+{ord(m.group(0)):04X} at offset {m.start()}")
    for pat, what in [(r"<\s*script", "a <script> element"),
                      (r"<\s*img", "an <img> element"),
                      (r"<\s*iframe", "an <iframe> element"),
                      (r"<\s*a\s+href\s*=\s*[\"']?\s*javascript:", "a javascript: link"),
                      (r"<[a-zA-Z][^<>]*\son\w+\s*=", "an event handler attribute"),
                      (r"<[a-zA-Z][^<>]*\s(href|src)\s*=\s*[\"']?\s*javascript:", "a javascript: URL"),
                      (r"XSS-(SCRIPT|IMG)'\)\s*>", "markup around hostile text")]:
        mm = re.search(pat, text, re.I)
        if mm:
            probs.append(f"{what} at offset {mm.start()}: {text[max(0, mm.start() - 40):mm.start() + 80]!r}")
    # <style> is the report's own inline CSS: there must be exactly as many as it writes itself.
    if len(re.findall(r"<\s*style", text, re.I)) > 1:
        probs.append("more than one <style> element: log text became markup")
    if re.search(r"<\s*b\s*>\s*x\|y", text):
        probs.append("the captured host's <b> became markup")
    return probs


# The styles the text report writes (analyze/report-text.c); no other escape sequence may appear.
TEXT_STYLES = {"\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m"}


def display_width(line):
    import unicodedata
    w = 0
    for ch in line:
        if unicodedata.category(ch) in ("Mn", "Me", "Cf") and ch != "\u00ad":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def check_text(path, colour, width):
    """A terminal report: no control but newline (not even a tab), no bidi control; in colour only
    the report's own SGR styles; no line wider than width."""
    probs = []
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"not UTF-8: {e}"]
    styles = re.findall("\x1b\\[[0-9;]*m", text)
    if colour and not styles:
        probs.append("no colour in a report forced to colour")
    if not colour and styles:
        probs.append("colour in a plain report")
    for st in styles:
        if st not in TEXT_STYLES:
            probs.append(f"an SGR sequence the report does not write: {st!r}")
    bare = re.sub("\x1b\\[[0-9;]*m", "", text) if colour else text
    m = re.search("[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", bare)
    if m:
        probs.append(f"raw control or bidi character U+{ord(m.group(0)):04X} at offset {m.start()}: "
                     f"{bare[max(0, m.start() - 40):m.start() + 40]!r}")
    for n, line in enumerate(bare.split("\n"), 1):
        if display_width(line) > width:
            probs.append(f"line {n} is {display_width(line)} columns wide (> {width}): {line[:60]!r}")
    return probs


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    kind, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == "json":
        probs = check_json(path, args)
    elif kind == "markdown":
        probs = check_markdown(path)
    elif kind == "html":
        probs = check_html(path)
    elif kind in ("text", "text-color"):
        probs = check_text(path, kind == "text-color", int(args[0]) if args else 80)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in probs:
        print(p)
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
