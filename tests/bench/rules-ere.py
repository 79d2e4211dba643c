#!/usr/bin/env python3
# tests/bench/rules-ere.py: the shipped rules' journal regexes (PCRE2), converted to one POSIX ERE for grep -E.
"""
Usage: rules-ere.py RULES.yaml [--check]

Prints one line: every journal `match`/`absent` regex of the rules, converted
from PCRE2 to POSIX ERE (as GNU grep -E reads it), each in parentheses, joined
with `|`.  Notes about the conversion (what was approximated, what could not be
converted and was left out) go to stderr, one line each, prefixed "rules-ere:".

The conversion is exact for the subset rules use in practice: named and
non-capturing groups become plain groups, \\d \\s \\w and their negations become
bracket expressions, lazy and possessive quantifiers become greedy (the same
lines match), \\A \\z become ^ $, \\t \\n \\xHH become the byte itself, \\Q..\\E
quotes, (?i) becomes [aA]-style brackets.  Lookaround, atomic groups, \\p{..},
\\K and backreferences to named groups cannot be written in ERE: such a
pattern is left out and named on stderr.

--check: also compiles each converted pattern with grep -E and, for each rule,
runs the example lines the rule carries through Python's re (the PCRE
original) and through grep -E (the conversion), reporting any disagreement.
Exit status 1 when a pattern could not be converted or an example disagrees.
"""

import re
import subprocess
import sys

import yaml

JOURNAL_KEYS = ("match", "absent", "pattern", "regex", "matches")


class Unconvertible(Exception):
    pass


def ere_escape_char(c):
    if c in ".[]()*+?{}|^$\\":
        return "\\" + c
    return c


CLASS_SHORT = {"d": "0-9", "s": "[:space:]", "w": "[:alnum:]_"}
NEG_SHORT = {"D": "d", "S": "s", "W": "w"}


def both_cases(c):
    if c.isalpha() and c.lower() != c.upper():
        return "[" + c.lower() + c.upper() + "]"
    return ere_escape_char(c)


def convert(p):
    """PCRE2 pattern -> (ERE, list of notes).  Raises Unconvertible."""
    notes = []
    icase = False
    m = re.match(r"\(\?([imsx]+)\)", p)
    if m:
        flags = m.group(1)
        p = p[m.end():]
        if "i" in flags:
            icase = True
            notes.append("(?i) written as [aA] brackets")
        if "x" in flags:
            raise Unconvertible("extended mode (?x)")
    out = []
    i = 0
    n = len(p)

    def lit(c):
        return both_cases(c) if icase else ere_escape_char(c)

    while i < n:
        c = p[i]
        if c == "\\":
            if i + 1 >= n:
                raise Unconvertible("trailing backslash")
            e = p[i + 1]
            i += 2
            if e in CLASS_SHORT:
                out.append("[" + CLASS_SHORT[e] + "]")
            elif e in NEG_SHORT:
                out.append("[^" + CLASS_SHORT[NEG_SHORT[e]] + "]")
            elif e in "bB":
                out.append("\\" + e)           # GNU extension, same meaning
            elif e == "A":
                out.append("^")
            elif e in "zZ":
                out.append("$")
            elif e == "t":
                out.append("\t")
            elif e == "n":
                out.append("\n")
            elif e == "x":
                if i < n and p[i] == "{":
                    j = p.index("}", i)
                    code = int(p[i + 1:j], 16)
                    i = j + 1
                else:
                    code = int(p[i:i + 2], 16)
                    i += 2
                if code > 0x7F:
                    raise Unconvertible("\\x above 0x7f")
                out.append(lit(chr(code)))
            elif e == "Q":
                j = p.find("\\E", i)
                j = n if j < 0 else j
                out.extend(lit(ch) for ch in p[i:j])
                i = j + 2
            elif e.isdigit():
                out.append("\\" + e)            # backreference: GNU ERE has them
                notes.append("backreference kept (GNU extension)")
            elif e in "pPKRXhHvVgk":
                raise Unconvertible("\\" + e + " has no ERE form")
            elif e.isalnum():
                raise Unconvertible("unknown escape \\" + e)
            else:
                out.append(lit(e))
        elif c == "[":
            j, members = parse_class(p, i, icase)
            out.append(members)
            i = j
        elif c == "(":
            if p.startswith("(?", i):
                if p.startswith("(?:", i):
                    i += 3
                elif p.startswith("(?P<", i) or (p.startswith("(?<", i) and p[i + 3:i + 4] not in ("=", "!")):
                    j = p.index(">", i)
                    i = j + 1
                elif p.startswith("(?'", i):
                    j = p.index("'", i + 3)
                    i = j + 1
                else:
                    raise Unconvertible("group " + p[i:i + 4] + " (lookaround, atomic or inline flags)")
            else:
                i += 1
            out.append("(")
        elif c in "*+?":
            out.append(c)
            i += 1
            if i < n and p[i] in "?+":
                notes.append("lazy/possessive quantifier made greedy")
                i += 1
        elif c == "{":
            m = re.match(r"\{(\d+)(,(\d*))?\}", p[i:])
            if m:
                out.append(m.group(0))
                i += m.end()
                if i < n and p[i] in "?+":
                    notes.append("lazy/possessive quantifier made greedy")
                    i += 1
            else:
                out.append("\\{")
                i += 1
        elif c in ")|^$.":
            out.append(c)
            i += 1
        elif c == "}":
            out.append("\\}")
            i += 1
        else:
            out.append(lit(c))
            i += 1
    return "".join(out), notes


def parse_class(p, i, icase):
    """Parses the PCRE bracket expression starting at p[i] == '['; returns (end index, ERE bracket)."""
    assert p[i] == "["
    i += 1
    neg = False
    if i < len(p) and p[i] == "^":
        neg = True
        i += 1
    items = []         # literal chars, ranges "a-z" and classes "[:space:]"
    first = True
    while True:
        if i >= len(p):
            raise Unconvertible("unterminated [")
        c = p[i]
        if c == "]" and not first:
            i += 1
            break
        first = False
        if c == "[" and p.startswith("[:", i):
            j = p.index(":]", i) + 2
            items.append(p[i:j])
            i = j
            continue
        if c == "\\":
            e = p[i + 1]
            i += 2
            if e in CLASS_SHORT:
                items.append(CLASS_SHORT[e])
                continue
            if e in NEG_SHORT:
                raise Unconvertible("negated shorthand \\" + e + " inside a bracket")
            if e == "t":
                c = "\t"
            elif e == "n":
                c = "\n"
            elif e == "x":
                c = chr(int(p[i:i + 2], 16))
                i += 2
            elif e.isalnum():
                raise Unconvertible("escape \\" + e + " inside a bracket")
            else:
                c = e
        else:
            i += 1
        # a range?
        if i + 1 < len(p) and p[i] == "-" and p[i + 1] != "]":
            hi = p[i + 1]
            i += 2
            if hi == "\\":
                hi = p[i]
                i += 1
            items.append(c + "-" + hi)
            if icase and c.isalpha() and hi.isalpha():
                items.append(c.swapcase() + "-" + hi.swapcase())
            continue
        items.append(c)
        if icase and c.isalpha():
            items.append(c.swapcase())
    # ERE: ']' first, '-' last, '^' not first; backslash is literal.
    has_close = "]" in items
    has_dash = "-" in items
    has_caret = "^" in items
    rest = [x for x in items if x not in ("]", "-", "^")]
    body = ("]" if has_close else "") + "".join(rest) + ("^" if has_caret else "") + ("-" if has_dash else "")
    if body == "^":
        return i, "[^^]" if neg else "\\^"
    return i, "[" + ("^" if neg else "") + body + "]"


def walk(node, in_journal, rule, found):
    """Collects (rule id, regex) for every regex under a journal condition."""
    if isinstance(node, dict):
        rid = node.get("id", rule) if isinstance(node.get("id"), str) else rule
        for k, v in node.items():
            if in_journal and k in JOURNAL_KEYS:
                if isinstance(v, str):
                    found.append((rid, v))
                elif isinstance(v, list) and all(isinstance(x, str) for x in v):
                    found.extend((rid, x) for x in v)
                else:
                    walk(v, True, rid, found)
            elif k == "examples":
                continue
            else:
                walk(v, in_journal or k == "journal", rid, found)
    elif isinstance(node, list):
        for x in node:
            walk(x, in_journal, rule, found)


def examples_of(rules):
    """Rule id -> every example string it carries."""
    ex = {}

    def strings(node, acc):
        if isinstance(node, str):
            acc.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                strings(v, acc)
        elif isinstance(node, list):
            for v in node:
                strings(v, acc)

    def find(node):
        if isinstance(node, dict):
            if isinstance(node.get("id"), str) and "examples" in node:
                acc = []
                strings(node["examples"], acc)
                ex[node["id"]] = [s for s in acc if "\n" not in s]
            for v in node.values():
                find(v)
        elif isinstance(node, list):
            for v in node:
                find(v)
    find(rules)
    return ex


def grep_matches(ere, lines):
    r = subprocess.run(["grep", "-E", "-n", "-e", ere], input="".join(s + "\n" for s in lines).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"LC_ALL": "C"})
    if r.returncode == 2:
        raise Unconvertible("grep -E rejects it: " + r.stderr.decode().strip())
    return {int(x.split(b":", 1)[0]) - 1 for x in r.stdout.splitlines()}


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    with open(args[0], encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    found = []
    for d in docs:
        walk(d, False, None, found)
    if not found:
        print("rules-ere: no journal regex found in " + args[0], file=sys.stderr)
        return 1
    examples = examples_of(docs) if check else {}
    parts = []
    bad = 0
    seen = set()
    for rid, pat in found:
        if pat in seen:
            continue
        seen.add(pat)
        try:
            ere, notes = convert(pat)
            if check:
                grep_matches(ere, ["x"])
        except (Unconvertible, ValueError) as e:
            print("rules-ere: %s: cannot convert %r: %s" % (rid, pat, e), file=sys.stderr)
            bad += 1
            continue
        for note in sorted(set(notes)):
            print("rules-ere: %s: %s" % (rid, note), file=sys.stderr)
        if check and examples.get(rid):
            lines = examples[rid]
            try:
                pyre = re.compile(re.sub(r"\(\?<(?![=!])", "(?P<", pat).replace("\\z", "\\Z"))
                want = {k for k, s in enumerate(lines) if pyre.search(s)}
                got = grep_matches(ere, lines)
                if want != got:
                    bad += 1
                    for k in sorted(want ^ got):
                        print("rules-ere: %s: %r: PCRE %s, ERE %s on example %r" % (
                            rid, pat, k in want, k in got, lines[k][:120]), file=sys.stderr)
            except re.error as e:
                print("rules-ere: %s: Python re cannot check %r: %s" % (rid, pat, e), file=sys.stderr)
        parts.append("(" + ere + ")")
    print("rules-ere: %d journal regexes, %d converted" % (len(seen), len(parts)), file=sys.stderr)
    sys.stdout.write("|".join(parts) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
