#!/usr/bin/env python3
# mkcorpus.py: writes the seed corpora of tests/fuzz/corpus/<target>/ from the hostile cases (small versions).
"""python3 tests/fuzz/mkcorpus.py [TARGET...]

Seeds are named after what they hold (seed-<case>); files a fuzzer found
(crash-*, regression-*) are never touched.  Run it again after adding a
hostile case; commit the result.
"""

import io
import json
import os
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hostile"))
import gen  # noqa: E402
import mkbundle as mb  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")
MAX_SEED = 1 << 20
SEEN = {}  # target -> seeds written (identical seeds are written once)


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED or data in SEEN.setdefault(target, set()):
        return
    SEEN[target].add(data)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def members(path):
    """Regular members of a tar.gz as {path below the top dir: bytes}, or {} if unreadable."""
    out = {}
    try:
        with tarfile.open(path) as t:
            for m in t:
                if m.isfile() and m.size <= MAX_SEED:
                    out[m.name.split("/", 1)[-1]] = t.extractfile(m).read()
    except (tarfile.TarError, OSError, EOFError, ValueError):
        pass
    return out


def bundles(tmp):
    """Small versions of every hostile bundle case (and the healthy one)."""
    gen.healthy(os.path.join(tmp, "healthy"))
    yield "healthy", os.path.join(tmp, "healthy")
    gen.backtrack_bundle(os.path.join(tmp, "backtrack-bundle"), True)
    yield "backtrack-bundle", os.path.join(tmp, "backtrack-bundle")
    for name, (kind, fn) in gen.CASES.items():
        if kind in ("dir", "rules"):
            continue
        p = os.path.join(tmp, name)
        fn(p, True)
        yield name, p


def container(files):
    """Files in fuzz_analyze.c's input format: PATH, newline, bytes, separator."""
    out = b""
    for rel, content in files.items():
        if content.count(b"\n") > 60:  # keep journals short: the fuzzer mutates, not reads
            content = b"\n".join(content.split(b"\n")[:60]) + b"\n"
        if len(content) > 65536:
            continue
        out += rel.encode() + b"\n" + content + b"\n\x1e\n"
    return out


def rules_seeds(tmp):
    for name, (kind, fn) in gen.CASES.items():
        if kind == "rules":
            p = os.path.join(tmp, name)
            fn(p, True)
            with open(p, "rb") as f:
                yield name, f.read()
    top = os.path.join(HERE, "..", "..", "rules")
    for n in sorted(os.listdir(top)):
        if n.endswith((".yaml", ".yml")):
            with open(os.path.join(top, n), "rb") as f:
                yield "shipped-" + n, f.read()


YAML_SEEDS = {
    "agent-config": """\
apiVersion: config.agent.onboarding.tetrate.io/v1alpha1
kind: OnboardingConfiguration
onboardingEndpoint:
  host: onboarding.example.invalid
  transportSecurity:
    tls:
      sni: onboarding.example.invalid
      insecureSkipVerify: false
workloadGroup: {namespace: bookinfo, name: ratings}
workload:
  labels: {version: v5}
credentials:
  - name: jwt
    env:
      - {name: EXT_JWT_CLIENT_SECRET, value: s3cr3t-value-1234}
      - name: EXT_JWT_CLIENT_ID
        value: client-id
  - args: ["--client-secret=abc123", "--token", "tok-9876", "--verbose"]
password: &pw hunter2
again: *pw
privateKey: |
  -----BEGIN PRIVATE KEY-----
  MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
  -----END PRIVATE KEY-----
# token: in-a-comment
---
second: {api_key: AKIAIOSFODNN7EXAMPLE, "Client-Secret": 'q', url: "https://u:pa55@h.invalid/"}
""",
    "flow-odd-keys": '{"PassWord": x, ? complex key : v, [a, b]: c, "x": !!binary "AAAA", t: !custom 1}\n',
    "block-folded": "token: >\n  folded\n  secret\nsecret: |-\n  literal\n  text\nplain: 'it''s'\n",
    "anchors": "a: &a {password: p}\nb: *a\nc: &c [*a, *a]\nd: [*c, *c, *c]\n",
    "json": '{"onboardingEndpoint": {"host": "h.invalid"}, "token": "abc", "list": [1, 2.5, null, true]}',
    "directives": "%YAML 1.1\n%TAG ! tag:example.com,2000:\n--- !foo\nkey: value\n...\n",
    "bad-indent": "a:\n  b: 1\n c: 2\n",
    "tabs": "a:\n\t- b\n",
    "empty": "",
    "nul": "a: \x00b\n",
}

TEXT_SEEDS = {
    "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu\n-----END RSA PRIVATE KEY-----\n",
    "pem-escaped": '{"key": "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE\\n-----END EC PRIVATE KEY-----\\n"}',
    "pem-b64": "cert: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVND\n",
    "jwt": "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\n",
    "basic": "authorization: Basic dXNlcjpwYXNzd29yZA==\n",
    "aws": "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    "url": "dial https://admin:pa55w0rd@onboarding.example.invalid:15443/x\n",
    "kv": "client_secret=abc123 password: hunter2 api-key = 'k' the password is swordfish\n",
    "unit": "[Service]\nEnvironment=TOKEN=abc PASSWORD=x\nEnvironment=\"A=b c\"\nExecStart=/usr/bin/agent --client-secret=abc --token tok\n",
    "marker": "<redacted:token:3fa1c2> password=<redacted:password:000000>\n",
    "dns-line": gen.DNS_FAIL + "\n",
    "binary": "".join(chr(i) for i in range(256)),
}

JOURNAL_SEEDS = [
    '{"__REALTIME_TIMESTAMP":"1795665600000000","PRIORITY":"3","_SYSTEMD_UNIT":"onboarding-agent.service","MESSAGE":"%s"}'
    % gen.DNS_FAIL.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t"),
    '{"__REALTIME_TIMESTAMP":"1795665600000000","MESSAGE":[101,114,114,111,114,9,97,103,101,110,116,27,0,255]}',
    '{"__REALTIME_TIMESTAMP":"1795665600000000","MESSAGE":null,"PRIORITY":"x"}',
    '{"MESSAGE":"a\\u0000b\\ud800\\u00e9\\"\\\\\\/\\b\\f\\n\\r\\t","__REALTIME_TIMESTAMP":"18446744073709551615"}',
    '{"MESSAGE":["repeated","field"],"__REALTIME_TIMESTAMP":["1","2"],"PRIORITY":7}',
    '{"__REALTIME_TIMESTAMP":"1795665600000000","MESSAGE":"warning\\tagent\\tx","PRIORITY":"4","MESSAGE":"dup"}',
    '{"MESSAGE" : "spaces" , "__REALTIME_TIMESTAMP" : "1" }',
    '  {"MESSAGE":"lead"}  ',
    '{"MESSAGE":"x","A":{"b":[{"c":1}]}}',
    '{"__REALTIME_TIMESTAMP":"-1","MESSAGE":"error agent PermissionDenied desc = Not authorized by OnboardingPolicy"}',
    "{",
    "",
    '"MESSAGE"',
    '{"MESSAGE":"unterminated',
    '{"MESSAGE":"caf\xe9"}',
]

ESCAPE_SEEDS = {
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)> & \" ' &amp;",
    "md": "```\n# heading\n~~~\n| a | b |\n[x](javascript:alert(1)) <http://a> *em* _u_ `code` \\ ![i](data:x)",
    "ansi": "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]8;;https://evil.invalid/\x1b\\link\x1b]8;;\x1b\\ \x9b31m",
    "bidi": "a\u202eb\u202dc\u2066d\u2069e\u200ef\u200fg\u061ch",
    "utf8-bad": "\xff\xfe\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82",
    "backticks": "````` ` `` ``` ```` x\n````\n",
    "controls": "".join(chr(i) for i in range(32)) + "\x7f",
    "url": "https://example.invalid/a?b=c#d",
    "url-bad": "javascript:alert(1)\nhttps://a b\nhttp://\x00x",
}


# Terminal text: wide and zero-width characters, long words, styles (split at 0xfe by the target).
TERM_SEEDS = {
    "cjk": "代理无法解析工作负载接入端点的域名 onboarding.example.invalid：请检查 /etc/resolv.conf 中的 DNS 服务器。",
    "cjk-long-word": "端点" * 80,
    "hangul-emoji": "에이전트가 실행되지 않습니다 🚫🔥 ｆｕｌｌｗｉｄｔｈ",
    "combining": "e\u0301e\u0301e\u0301 a\u0300\u0300\u0300 \u200b\u200b x\u20dd",
    "long-url": "See https://www.freedesktop.org/software/systemd/man/systemctl.html#reset-failed%20UNIT and more",
    "spaces": "   a    b\t\tc   ",
}


def raw(s):
    """A seed string as bytes: code points up to U+00FF are raw bytes (to plant invalid UTF-8), else UTF-8."""
    return s.encode("latin-1") if all(ord(c) < 256 for c in s) else s.encode("utf-8")


def main():
    targets = set(sys.argv[1:]) or {"bundle_reader", "manifest", "yaml_redactor", "text_redactor",
                                     "journal_line", "rules_loader", "html_escape",
                                     "markdown_escape", "term_escape", "analyze"}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in bundles(tmp):
            with open(path, "rb") as f:
                data = f.read()
            if "bundle_reader" in targets:
                put("bundle_reader", name, data)
            files = members(path)
            if "analyze" in targets and files:
                put("analyze", name, container(files))
            if "manifest" in targets and "manifest.json" in files:
                put("manifest", name, files["manifest.json"])
            for rel, content in files.items():
                if rel.endswith((".yaml", ".yml")) and "yaml_redactor" in targets:
                    put("yaml_redactor", name, content)
                if rel.endswith(".jsonl") and "journal_line" in targets:
                    for i, line in enumerate(content.split(b"\n")[:40]):
                        if line:
                            put("journal_line", f"{name}-{i}", line)
                if rel.endswith(".jsonl") and "text_redactor" in targets:
                    put("text_redactor", name, content[:65536])
        if "rules_loader" in targets:
            for name, data in rules_seeds(tmp):
                put("rules_loader", name, data)
    for t, seeds in (("yaml_redactor", YAML_SEEDS), ("text_redactor", TEXT_SEEDS)):
        if t in targets:
            for name, data in seeds.items():
                put(t, name, raw(data))
    if "text_redactor" in targets:
        put("text_redactor", "yaml-agent-config", YAML_SEEDS["agent-config"])
    if "journal_line" in targets:
        for i, line in enumerate(JOURNAL_SEEDS):
            put("journal_line", f"line-{i}", raw(line))
    for t in ("html_escape", "markdown_escape"):
        if t in targets:
            for name, data in ESCAPE_SEEDS.items():
                put(t, name, raw(data))
            for i, h in enumerate(gen.HOSTILE_TEXT):
                put(t, f"hostile-{i}", h)
            for k, line in gen.ECHO_LINES.items():  # regression: leading blanks before # - 1.
                put(t, "echo-" + k.lower(), line)
    if "term_escape" in targets:  # two bytes first: width and indents (fuzz_term_escape.c)
        for i, (name, data) in enumerate(sorted(ESCAPE_SEEDS.items())):
            put("term_escape", name, bytes([i * 7 % 100, i * 9 % 64]) + raw(data))
        for i, h in enumerate(gen.HOSTILE_TEXT):
            put("term_escape", f"hostile-{i}", bytes([i % 100, i % 64]) + (h if isinstance(h, bytes) else h.encode()))
        for name, text in TERM_SEEDS.items():
            put("term_escape", name, b"\x00\x11" + text.encode("utf-8"))
        put("term_escape", "styled", b"\x07\x22" + "CRITICAL\xfe 代理 title\xfe body text\xfe".encode("utf-8", "surrogateescape").replace(b"\xc3\xbe", b"\xfe"))
    if "analyze" in targets:
        samples = os.path.join(HERE, "..", "..", "samples")
        for n in sorted(os.listdir(samples)) if os.path.isdir(samples) else []:
            if n.endswith(".tar.gz"):
                put("analyze", "sample-" + n[:-7], container(members(os.path.join(samples, n))))
    # A manifest-only seed for each entry shape (the manifest parser alone).
    if "manifest" in targets:
        m = mb.manifest_for(mb.default_entries(), mb.TOP)
        put("manifest", "minimal", json.dumps({"format": "triage-bundle", "format_version": 1}))
        put("manifest", "pretty", json.dumps(m, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
