#!/usr/bin/env python3
"""tests/redact/gen-corpus.py: plants secret values of several kinds into many forms, and checks a bundle.

  gen-corpus.py plant KIND ROOT EXPORT     writes a system tree under ROOT (agent configs, extra
                                           YAML/JSON/env files, drop-ins, UTF-16 files) and a journal
                                           export stream EXPORT (for systemd-journal-remote); prints
                                           the number of forms
  gen-corpus.py check KIND DIR             searches the extracted bundle DIR for every planted value
                                           of KIND (as is, any 10-character piece, base64 at 3
                                           alignments, URL-encoded, JSON-escaped, \\u-escaped,
                                           UTF-16) and for every needed value; prints
                                           "forms N leaked L lost M" and one line per problem
  gen-corpus.py kinds                      the kinds, one a line

Every value is made from (form, kind) by a seeded generator: the same run plants the same values.
A form is one way a secret reaches a file the collector reads; "needed" values are the ones a
support engineer or a shipped rule reads beside it (hosts, ports, env names, flags, paths).
"""
import base64
import json
import os
import random
import struct
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leakforms  # noqa: E402

UNIT = "onboarding-agent.service"
BOOT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
MACHINE = "a1b2c3d4e5f60718293a4b5c6d7e8f90"

def value(kind, seed):
    rng = random.Random(f"{kind}:{seed}")
    if kind == "letters":
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(16))
    if kind == "digits":
        return "".join(rng.choice("0123456789") for _ in range(12))
    if kind == "hex":
        return "".join(rng.choice("0123456789abcdef") for _ in range(32))
    if kind == "base64":
        raw = bytes(rng.randrange(256) for _ in range(16))
        v = base64.b64encode(raw).decode()      # 24 chars, ends with "=="
        # make sure + and / are in it
        return v[:5] + "+" + v[6:10] + "/" + v[11:]
    if kind == "short":
        return rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ") + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789")
                                                               for _ in range(6))
    if kind == "uuid":
        return "%08x-%04x-4%03x-a%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                                rng.getrandbits(12), rng.getrandbits(48))
    if kind == "passphrase":
        return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(4, 8)))
                        for _ in range(4))
    if kind == "unicode":
        return "".join(rng.choice("äöüßéèñçøåÄÖÜ密码пароль") for _ in range(6)) + \
            "".join(rng.choice("qwxz") for _ in range(4))
    raise SystemExit(f"unknown kind {kind}")


KINDS = ["letters", "digits", "hex", "base64", "short", "uuid", "passphrase", "unicode"]

# Secret names nobody listed (and some they did), in the spellings configs use.
NAMES = [
    "SSH_KEY", "HMAC_KEY", "LICENSE_KEY", "OIDC_ISSUER_KEY", "DBPASS", "PGPASS", "REQUEST_SIGNATURE",
    "pin", "otp", "seed", "salt", "passcode", "dsn", "connectionString", "passwort", "contrasena",
    "mot_de_passe", "senha", "wachtwoord", "salasana", "parol", "kennwort", "credentials", "auth",
    "session", "BASIC_AUTH", "password", "client_secret", "apiToken", "x-api-key", "privateKey",
    "webhookSigningKey", "encKey", "masterKey", "shared_key", "secretKey", "AUTH_TOKEN", "db_pw",
    "license", "unlockCode", "recoveryPhrase", "mnemonic", "code", "PASS", "accessKey", "key",
]


def yq(v):
    """A YAML double-quoted scalar."""
    return json.dumps(v, ensure_ascii=False)


def unit_q(v):
    """A systemd double-quoted word."""
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Corpus:
    def __init__(self, kind):
        self.kind = kind
        self.forms = []        # (name, [planted values], [needed values])
        self.files = {}        # path -> bytes
        self.journal = []      # list of field lists

    def v(self, tag="a"):
        return value(self.kind, f"{len(self.forms)}:{tag}")

    def add(self, name, planted, needed=()):
        self.forms.append((name, list(planted), list(needed)))

    def file(self, path, text):
        self.files[path] = text.encode() if isinstance(text, str) else text

    def jmsg(self, msg, extra=()):
        self.journal.append([("MESSAGE", msg)] + list(extra))


def plant_all(c):
    n = 0

    def cfg(text):
        nonlocal n
        n += 1
        return f"/etc/onboarding-agent/c{n:03d}.yaml"

    # -- 1. names nobody listed, in YAML keys, env name/value pairs, JSON, env files, units, flags
    for i, name in enumerate(NAMES):
        s = c.v()
        c.file(cfg(""), f"kind: AgentConfiguration\nsettings:\n  {name}: {yq(s)}\n  timeout: 30s\n")
        c.add(f"yaml key {name}", [s], ["timeout: 30s"])

        s = c.v()
        c.file(cfg(""), "host:\n  custom:\n    credential:\n    - plugin:\n        name: my-plugin\n"
               "        path: /usr/local/bin/my-plugin\n        env:\n"
               f"        - name: {name}\n          value: {yq(s)}\n")
        c.add(f"yaml env pair {name}", [s], [name, "my-plugin", "/usr/local/bin/my-plugin"])

        s = c.v()
        c.file(cfg(""), f"env:\n- value: {yq(s)}\n  name: {name}\n")
        c.add(f"yaml env pair value-first {name}", [s], [name])

        s = c.v()
        c.file(f"/etc/onboarding-agent/j{i:03d}.json",
               json.dumps({"kind": "AgentConfiguration", "settings": {name: s, "retries": 3}}, indent=2,
                          ensure_ascii=False))
        c.add(f"json key {name}", [s], [name])

        s = c.v()
        c.file(f"/etc/onboarding-agent/e{i:03d}.env", f"LOG_LEVEL=debug\n{name}={s}\n")
        c.add(f"env file {name}", [s], ["LOG_LEVEL=debug"])

        s = c.v()
        c.file(f"/etc/systemd/system/{UNIT}.d/env{i:03d}.conf",
               f"[Service]\nEnvironment={unit_q(name + '=' + s)} LOG_LEVEL=info\n")
        c.add(f"unit Environment= {name}", [s], ["LOG_LEVEL=info"])

        s = c.v()
        flag = "--" + name.lower().replace("_", "-")
        c.file(f"/etc/systemd/system/{UNIT}.d/exec{i:03d}.conf",
               f"[Service]\nExecStartPre=/usr/local/bin/prep {flag} {unit_q(s)} --verbose\n")
        c.add(f"ExecStart {flag} VALUE", [s], [flag, "--verbose"])

        s = c.v()
        c.file(f"/etc/systemd/system/{UNIT}.d/eq{i:03d}.conf",
               f"[Service]\nExecStartPost=/usr/local/bin/post {unit_q(flag + '=' + s)}\n")
        c.add(f"ExecStart {flag}=VALUE", [s], [flag])

    # -- 2. short flags, user:pass, weak names with maps, spaces
    specials = []
    s = c.v(f"sp{len(specials)}"); specials.append(("mysql -p VALUE", f"ExecStartPre=/usr/bin/mysql -u app -p {unit_q(s)} -h db.example.invalid", [s], ["db.example.invalid"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("mysql -pVALUE", f"ExecStartPre=/usr/bin/mysql -uapp {unit_q('-p' + s)} -h db.example.invalid", [s], ["db.example.invalid"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("curl -u user:VALUE", f"ExecStartPre=/usr/bin/curl -u {unit_q('admin:' + s)} https://api.example.invalid/v1", [s], ["https://api.example.invalid/v1"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("--passphrase=a b c", f"ExecStart=/usr/bin/agent {unit_q('--passphrase=' + s)}", [s], []))
    s = c.v(f"sp{len(specials)}"); specials.append(("Environment DB_PASSWORD with spaces", f"Environment={unit_q('DB_PASSWORD=' + s)}", [s], ["DB_PASSWORD"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("connection string Password=;", f"Environment={unit_q('CONN=Server=db.example.invalid;User Id=app;Password=' + s + ';Encrypt=true')}", [s], ["CONN"]))
    # passphrases (blanks inside) after Bearer, -p, -u user:, and the settings whose value is the rest of the line
    api = "https://api.example.invalid/v1"
    s = c.v(f"sp{len(specials)}"); specials.append(("ExecStart -H Authorization: Bearer VALUE", f"ExecStartPre=/usr/bin/curl -H {unit_q('Authorization: Bearer ' + s)} {api}", [s], [api]))
    s = c.v(f"sp{len(specials)}"); specials.append(("ExecStart --header=Authorization: Bearer VALUE", f"ExecStartPre=/usr/bin/curl {unit_q('--header=Authorization: Bearer ' + s)} {api}", [s], [api]))
    s = c.v(f"sp{len(specials)}"); specials.append(("Environment AUTH_HEADER=Bearer VALUE", f"Environment={unit_q('AUTH_HEADER=Bearer ' + s)}", [s], ["AUTH_HEADER"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("Environment MYSQL_OPTS=-u app -pVALUE", f"Environment={unit_q('MYSQL_OPTS=-u app -p' + s)}", [s], ["MYSQL_OPTS"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("Environment CURL_OPTS=-u admin:VALUE", f"Environment={unit_q('CURL_OPTS=-u admin:' + s)}", [s], ["CURL_OPTS"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("ExecStart sh -c with -pVALUE inside", f"ExecStartPre=/bin/sh -c {unit_q('mysql -u app -p' + chr(39) + s + chr(39) + ' -h db.example.invalid')}", [s], ["/bin/sh"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("ExecStart Oracle user/VALUE@db", f"ExecStartPre=/usr/bin/sqlplus -s {unit_q('app/' + s + '@db.example.invalid:1521/ORCL')}", [s], ["/usr/bin/sqlplus"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("SetCredential=id:VALUE (rest of the line)", f"SetCredential=dbpass:{s}", [s], ["SetCredential=dbpass:"]))
    s = c.v(f"sp{len(specials)}"); specials.append(("LogExtraFields=NAME=VALUE", f"LogExtraFields={unit_q('API_TOKEN=' + s)}", [s], ["API_TOKEN="]))
    s = c.v(f"sp{len(specials)}"); specials.append(("LogExtraFields=NAME=VALUE unquoted", f"LogExtraFields=SESSION_KEY={s}", [s], ["SESSION_KEY="]))
    s = c.v(f"sp{len(specials)}"); specials.append(("UnsetEnvironment=NAME=VALUE", f"UnsetEnvironment=OLD_ENROLMENT={unit_q(s)}", [s], ["OLD_ENROLMENT"]))
    for name, line, planted, needed in specials:
        n += 1
        c.file(f"/etc/systemd/system/{UNIT}.d/s{n:03d}.conf", f"[Service]\n{line}\n")
        c.add(name, planted, needed)

    s1, s2 = c.v("1"), c.v("2")
    c.file(cfg(""), f"settings:\n  credentials: {{user: admin, key: {yq(s1)}}}\n  auth:\n  - {yq(s2)}\n")
    c.add("weak names over a map and a list", [s1, s2], ["credentials"])
    s = c.v()
    c.file(cfg(""), f"session:\n  id: {yq(s)}\n  ttl: 15m\n")
    c.add("weak name session map", [s], ["ttl: 15m"])
    s = c.v()
    c.file(cfg(""), f"settings:\n  BASIC_AUTH: {yq(s)}\n")
    c.add("BASIC_AUTH letters", [s], ["BASIC_AUTH"])

    s1, s2, s3, s4 = c.v("1"), c.v("2"), c.v("3"), c.v("4")
    c.file(cfg(""), f"settings:\n  headers:\n    Authorization: {yq('Bearer ' + s1)}\n  command: {yq('mysql -u app -p' + s2)}\n"
           f"  args: [-u, {yq('admin:' + s3)}, -H, {yq('Authorization: Bearer ' + s4)}]\n  retries: 4\n")
    c.add("YAML: passphrases after Bearer, -p, -u user:", [s1, s2, s3, s4], ["retries: 4", "Authorization:"])
    s1, s2 = c.v("1"), c.v("2")
    c.file("/etc/onboarding-agent/opts.env", f"CURL_OPTS=-u admin:{s1}\nAUTH=Bearer {s2}\nLOG_LEVEL=info\n")
    c.add("env file: -u user:VALUE and Bearer VALUE unquoted", [s1, s2], ["LOG_LEVEL=info", "CURL_OPTS="])
    # \u-escaped key names in JSON configs (parsed, and one that does not parse)
    s1, s2 = c.v("1"), c.v("2")
    c.file("/etc/onboarding-agent/uesc.json", "{\"kind\": \"AgentConfiguration\", \"settings\": {\"pa\\u0073sword\": "
           + json.dumps(s1) + ", \"\\u0063lave\": " + json.dumps(s2) + ", \"retries\": 5}}\n")
    c.add("JSON config: \\u-escaped key names", [s1, s2], ["retries"])
    s = c.v()
    c.file("/etc/onboarding-agent/uesc-bad.json", "{\"settings\": {\"pa\\u0073sword\": " + json.dumps(s)
           + ", \"retries\": 6,}\n")
    c.add("JSON config that does not parse: \\u-escaped key", [s], [])
    s = c.v()
    c.file("/etc/onboarding-agent/uesc-val.json", json.dumps({"settings": {"enrolment": s, "retries": 7}}))
    c.add("JSON config: value written as \\u escapes", [s], ["retries"])

    # -- 3. values that start with / (unpadded base64, or a password)
    s = "/" + c.v().replace(" ", "/")
    c.file(cfg(""), f"settings:\n  signature: {yq(s)}\n")
    c.add("value starting with /", [s], [])
    s = "/" + c.v()
    c.file(cfg(""), f"args: [--key, {yq(s)}]\n")
    c.add("arg starting with /", [s], ["--key"])

    # -- 4. URLs and connection strings
    url_forms = [
        ("URL token as user", "https://{s}@git.example.invalid/org/repo.git", "git.example.invalid/org/repo.git"),
        ("URL user:pass", "https://deploy:{s}@git.example.invalid/org/repo.git", "git.example.invalid"),
        ("proxy no scheme", "u:{s}@proxy.example.invalid:3128", "proxy.example.invalid:3128"),
        ("MySQL DSN", "app:{s}@tcp(db.example.invalid:3306)/app", "db.example.invalid:3306"),
        ("Oracle", "app/{s}@dbhost.example.invalid:1521/ORCL", "dbhost.example.invalid"),
        ("postgres URL", "postgres://agent:{s}@db.example.invalid:5432/agent", "db.example.invalid:5432"),
        ("redis URL password only", "redis://:{s}@cache.example.invalid:6379/0", "cache.example.invalid:6379"),
        ("query token", "https://api.example.invalid/v1/hook?token={s}&x=1", "api.example.invalid/v1/hook"),
        ("query api_key", "https://api.example.invalid/v1?api_key={s}", "api.example.invalid/v1"),
        ("amqp URL", "amqp://guest:{s}@mq.example.invalid:5672/vhost", "mq.example.invalid:5672"),
    ]
    for name, tmpl, needed in url_forms:
        # passphrase values in a URL are written URL-encoded, as a client would
        s = c.v()
        enc = urllib.parse.quote(s, safe="") if c.kind in ("passphrase", "unicode", "base64") else s
        u = tmpl.format(s=enc)
        c.file(cfg(""), f"settings:\n  upstream: {yq(u)}\n")
        c.add(f"yaml {name}", [s], [needed])
        s = c.v()
        enc = urllib.parse.quote(s, safe="") if c.kind in ("passphrase", "unicode", "base64") else s
        u = tmpl.format(s=enc)
        n += 1
        c.file(f"/etc/systemd/system/{UNIT}.d/url{n:03d}.conf", f"[Service]\nEnvironment={unit_q('UPSTREAM=' + u)}\n")
        c.add(f"unit {name}", [s], [needed])
        s = c.v()
        enc = urllib.parse.quote(s, safe="") if c.kind in ("passphrase", "unicode", "base64") else s
        c.jmsg(f"info\tagent\tconnecting to {tmpl.format(s=enc)}")
        c.add(f"journal {name}", [s], [needed])

    # Over-redaction: URLs on hosts named auth/token/secret keep port and path
    for host in ("auth.corp.example.com", "token.corp.example.com", "secret.corp.example.com"):
        u = f"https://{host}:8443/realms/prod"
        c.file(cfg(""), f"settings:\n  issuerUrl: {u}\n")
        c.add(f"harmless URL {host}", [], [u])
        c.jmsg(f"info\tagent\tfetching keys from {u}")
        c.add(f"harmless URL in journal {host}", [], [u])
    c.file(cfg(""), "settings:\n  secretsManager: aws\n  tokenRefreshBefore: 300s\n  token: secrets/jwt-token\n"
           "workload:\n  labels:\n    secret-scanning: enabled\n")
    c.add("harmless values under secret-like keys", [],
          ["secretsManager: aws", "tokenRefreshBefore: 300s", "token: secrets/jwt-token", "secret-scanning: enabled"])
    # a plain word default-deny redacted (it cannot vouch for it) is not searched for everywhere
    n += 1
    c.file(f"/etc/systemd/system/{UNIT}.d/word{n:03d}.conf", "[Service]\nExecStartPre=/usr/local/bin/prep failed\n")
    c.jmsg("error\tagent\tthe previous run failed badly")
    c.add("plain word redacted in a unit file stays in the journal", [], ["the previous run failed badly"])
    c.jmsg("error\tagent\tSTS call failed: Token=ExpiredToken Code=403")
    c.add("Token=ExpiredToken in a log line", [], ["Token=ExpiredToken"])

    # -- 5. YAML structure: merge keys, anchors, unparseable, flow pairs, block scalars, multi-doc
    s = c.v()
    c.file(cfg(""), f"base: &dbcreds\n  password_name: DB_PASSWORD\nprod:\n  <<: *dbcreds\n  value: {yq(s)}\n")
    c.add("merge key, name in the anchor", [s], [])
    s = c.v()
    c.file(cfg(""), f"defaults: &d\n  db_password: {yq(s)}\nprod:\n  <<: *d\n  host: db.example.invalid\n")
    c.add("merge key, secret in the anchor", [s], ["db.example.invalid"])
    s = c.v()
    c.file(cfg(""), f"env:\n- {{name: DB_PASSWORD, value: {yq(s)}}}\nbroken: [unclosed\n  : x\n")
    c.add("unparseable YAML, flow pair", [s], [])
    s = c.v()
    c.file(cfg(""), f"settings:\n  note: ok\n  dbpass: {yq(s)}\n   bad-indent: [\n")
    c.add("unparseable YAML, key", [s], [])
    s = c.v()
    c.file(cfg(""), f"settings:\n  blob: |\n    {s}\n    second line\n")
    c.add("block scalar", [s], [])
    s = c.v()
    c.file(cfg(""), f"---\nkind: A\n---\nkind: B\nsettings:\n  pin: {yq(s)}\n")
    c.add("second document", [s], [])
    s = c.v()
    c.file(cfg(""), f"settings: {{seed: {yq(s)}, port: 8080}}\n")
    c.add("flow map", [s], ["8080"])
    s = c.v()
    c.file(cfg(""), f"args:\n- --region\n- us-east-1\n- --client-secret\n- {yq(s)}\n")
    c.add("args list flag then value", [s], ["--region", "us-east-1"])
    s = c.v()
    c.file(cfg(""), f"\"pa\\u0073sword\": {yq(s)}\n")
    c.add("\\u-escaped key in YAML", [s], [])
    s = c.v()
    c.file(cfg(""), f"? password\n: {yq(s)}\n")
    c.add("complex key syntax", [s], [])
    s = c.v()
    c.file(cfg(""), f"settings:\n  !!str apiKey: !!str {yq(s)}\n")
    c.add("tagged scalars", [s], [])

    # -- 6. the agent's own files: OnboardingConfiguration with needed values and planted ones
    s1, s2 = c.v("1"), c.v("2")
    c.file("/etc/onboarding-agent/onboarding.config.yaml",
           "apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: OnboardingConfiguration\n"
           "onboardingEndpoint:\n  host: onboarding.example.invalid\n  port: 15443\n  transportSecurity:\n"
           "    tls:\n      sni: onboarding.example.invalid\n      insecureSkipVerify: false\n"
           "workloadGroup:\n  namespace: workload-ns\n  name: vm-workload-group\n"
           "workload:\n  labels:\n    version: v5\n    app: onboarding-agent\n"
           f"settings:\n  connectedOver: INTERNET\n  unknownField: {yq(s1)}\n  bootstrapKey: {yq(s2)}\n")
    c.add("onboarding config: unknown fields", [s1, s2],
          ["host: onboarding.example.invalid", "port: 15443", "sni: onboarding.example.invalid",
           "insecureSkipVerify: false", "namespace: workload-ns", "name: vm-workload-group", "version: v5",
           "kind: OnboardingConfiguration"])
    s1, s2 = c.v("1"), c.v("2")
    c.file("/etc/onboarding-agent/agent.config.yaml",
           "apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: AgentConfiguration\n"
           "host:\n  custom:\n    credential:\n    - plugin:\n        name: jwt-credential-plugin\n"
           "        path: /usr/local/bin/jwt-credential-plugin\n        env:\n"
           f"        - name: EXT_JWT_CLIENT_ID\n          value: {yq(s1)}\n"
           "        args:\n        - --issuer=https://issuer.example.invalid/oauth2\n"
           f"        - --client-assertion\n        - {yq(s2)}\n"
           "sidecar:\n  istio:\n    revision: canary-1-20\n  stdout: /var/log/onboarding-agent/sidecar.out\n")
    c.add("agent config: plugin env value, flag value", [s1, s2],
          ["jwt-credential-plugin", "/usr/local/bin/jwt-credential-plugin", "EXT_JWT_CLIENT_ID",
           "--issuer=https://issuer.example.invalid/oauth2", "--client-assertion", "revision: canary-1-20",
           "/var/log/onboarding-agent/sidecar.out"])

    # -- 6b. the schema allowlist is anchored at the root and names scalars: its field names one level
    # deeper, below another root, beside a kept field, or over a map or list keep nothing
    z = [c.v(f"z{i}") for i in range(9)]
    c.file(cfg(""), "apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: AgentConfiguration\n"
           f"sidecar:\n  istio:\n    revision: canary-2\n    proxyToken: {yq(z[0])}\n    extraEnv:\n"
           f"    - name: LICENCIA\n      value: {yq(z[1])}\n  user:\n    profile:\n      enrol: {yq(z[2])}\n"
           f"settings:\n  onboardingEndpoint:\n    host: {yq(z[3])}\n  nested:\n    kind: {yq(z[4])}\n"
           "host:\n  custom:\n    credential:\n    - plugin:\n        name: p\n        labels:\n"
           f"          note: {yq(z[5])}\n")
    c.add("schema anchored: AgentConfiguration fields deeper or elsewhere", z[:6], ["revision: canary-2"])
    c.file(cfg(""), "kind: OnboardingConfiguration\nonboardingEndpoint:\n  host: onboarding.example.invalid\n"
           f"  transportSecurity:\n    tls:\n      sni: onboarding.example.invalid\n      caCert: {yq(z[6])}\n"
           "workload:\n  labels:\n    team: payments\n    app.kubernetes.io/part-of: bookinfo\n"
           f"    extra:\n      enrol: {yq(z[7])}\n    list:\n    - {yq(z[8])}\n")
    c.add("schema anchored: OnboardingConfiguration, a map and a list under labels", z[6:],
          ["team: payments", "app.kubernetes.io/part-of: bookinfo", "sni: onboarding.example.invalid"])
    s = c.v()
    c.file("/etc/onboarding-agent/anchored.json",
           json.dumps({"kind": "AgentConfiguration", "settings": {"labels": {"clave": s}, "retries": 3}},
                      ensure_ascii=False))
    c.add("schema anchored: labels below settings in a JSON config", [s], ["retries"])

    # -- 7. UTF-16 and UTF-32 files with a BOM, and a UTF-8 BOM
    for enc, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00")):
        s = c.v()
        c.file(cfg(""), bom + f"kind: AgentConfiguration\nsettings:\n  mysteryValue: {yq(s)}\n  port: 9090\n"
               .encode(enc))
        c.add(f"{enc} YAML file", [s], ["9090"])
        s = c.v()
        n += 1
        c.file(f"/etc/systemd/system/{UNIT}.d/w{n:03d}.conf",
               bom + f"[Service]\nEnvironment={unit_q('HIDDEN_VALUE=' + s)}\n".encode(enc))
        c.add(f"{enc} drop-in", [s], ["HIDDEN_VALUE"])
    s = c.v()
    c.file(cfg(""), b"\xef\xbb\xbf" + f"settings:\n  x: {yq(s)}\n".encode())
    c.add("UTF-8 BOM", [s], [])

    # -- 8. a name nobody lists, a secret inside a block of JSON, a Windows-edited file
    s = c.v()
    n += 1
    c.file(f"/etc/systemd/system/{UNIT}.d/b{n:03d}.conf",
           f"[Service]\nEnvironment={unit_q('ONBOARDING_BOOTSTRAP=' + s)}\nEnvironment=GODEBUG=netdns=go\n")
    c.add("unit Environment= with a name nobody lists", [s], ["ONBOARDING_BOOTSTRAP", "GODEBUG"])
    s = c.v()
    c.file(cfg(""), "settings:\n  clientConfig: |\n    {\n      \"user\": \"svc-agent\",\n"
           f"      \"secret\": {yq(s)}\n    }}\n  port: 9191\n")
    c.add("JSON document in a literal block scalar", [s], ["port: 9191"])
    s = c.v()
    c.file(cfg(""), f"kind: AgentConfiguration\r\nsettings:\r\n  enrolment: {yq(s)}\r\n  port: 9292\r\n"
           .encode())
    c.add("CRLF line ends", [s], ["9292"])

    # -- 8. order: a value learned in a later file reappears in an earlier one, under a harmless key
    s = c.v()
    c.file(f"/etc/systemd/system/{UNIT}", "[Unit]\nDescription=Workload Onboarding Agent\n[Service]\n"
           f"ExecStart=/usr/local/bin/onboarding-agent --label {unit_q(s)} --config /etc/onboarding-agent/onboarding.config.yaml\n"
           "Restart=on-failure\n")
    c.file("/etc/onboarding-agent/zz-late.yaml", f"settings:\n  dbPassword: {yq(s)}\n")
    c.add("order: unit file before the config naming it a password", [s], ["Restart=on-failure", "--config"])
    s = c.v()
    c.file("/etc/onboarding-agent/aa-early.yaml", f"settings:\n  comment: {yq('see ' + s)}\n")
    c.file("/etc/onboarding-agent/zz-late2.yaml", f"settings:\n  password: {yq(s)}\n")
    c.add("order: earlier config, harmless key", [s], [])
    s = c.v()
    c.file(cfg(""), f"settings:\n  password: {yq(s)}\n")
    c.jmsg(f"info\tagent\tstarting with {s} loaded")
    c.jmsg(f"info\tagent\tb64 {base64.b64encode(s.encode()).decode()} end")
    c.jmsg(f"info\tagent\turl {urllib.parse.quote(s, safe='')} end")
    c.add("known value in journal free text (plain, base64, URL-encoded)", [s], [])
    s = c.v()
    c.file(cfg(""), f"settings:\n  apiKey: {yq(s)}\n")
    c.jmsg("info\tagent\tutf16 ".encode() + s.encode("utf-16-le") + b" end")
    c.add("known value in journal as UTF-16 bytes", [s], [])

    # -- 9. journal free text
    jforms = [
        ("gRPC metadata map", "error\tagent\tcall failed md=map[authorization:[Bearer {s}] x-request-id:[abc]]"),
        ("gRPC metadata map basic", "error\tagent\tmetadata: map[authorization:[Basic {s}]]"),
        ("invalid token quoted", "error\tagent\tinvalid token \"{s}\": signature mismatch"),
        ("password was", "warn\tagent\tlogin failed, password was {s}"),
        ("token[...]", "debug\tagent\tusing token[{s}] for refresh"),
        ("password=quoted spaces", "warn\tagent\tconfig: password=\"{s}\" rejected"),
        ("Password=; connection string", "error\tagent\tconnect failed: Server=db;User Id=app;Password={s};Encrypt=true"),
        ("--passphrase= in a logged command line", "info\tagent\texec: /usr/bin/tool \"--passphrase={s}\" --out x"),
        ("DB_PASSWORD= quoted", "info\tagent\tenv: \"DB_PASSWORD={s}\""),
        ("JSON log line", "{{\"level\":\"debug\",\"msg\":\"auth\",\"client_secret\":\"{s}\"}}"),
        ("api key header", "debug\tagent\trequest header X-Api-Key: {s}"),
        ("authorization header", "debug\tagent\tAuthorization: Bearer {s}"),
        ("secret: value", "debug\tagent\tloaded secret: {s}"),
        ("logged env", "debug\tagent\tenvironment: SSH_KEY={s}"),
        ("logged -p", "info\tagent\trunning mysql -u app -p{s} -h db"),
        ("logged -u user:pass", "info\tagent\trunning curl -u admin:{s} https://api.example.invalid"),
        ("credentials map", "debug\tagent\tcredentials: {{user: admin, key: {s}}}"),
        ("PGPASSWORD", "debug\tagent\tPGPASSWORD={s} psql -h db"),
        ("Proxy-Authorization header", "debug\tagent\tproxy CONNECT sent Proxy-Authorization: Basic {s}"),
        ("logfmt authorization quoted", "level=debug msg=\"outgoing\" authorization=\"Bearer {s}\" path=/v1/onboard"),
        ("openssl -passin pass:", "info\tagent\texec: openssl pkcs12 -in agent.p12 -passin 'pass:{s}' -nodes"),
        ("curl -H quoted header", "debug\tagent\texec: curl -sS -H 'X-Api-Key: {s}' https://onboard.example.invalid/v1"),
        ("mongodb+srv URL", "error\tagent\tdial mongodb+srv://app:{s}@cluster0.example.invalid/onboarding failed"),
    ]
    for name, tmpl in jforms:
        s = c.v()
        c.jmsg(tmpl.format(s=s))
        c.add(f"journal {name}", [s], [])
    # three forms of the last read: a camelCase *Key in a JSON log line, a Go %+v dump of a pointer to a
    # struct, and an OAuth password-grant form body with the value URL-encoded
    s = c.v()
    c.jmsg('{"level":"info","msg":"joining the mesh","bootstrapKey":"' + s + '","attempt":2}')
    c.add("journal camelCase bootstrapKey in a JSON line", [s], ["joining the mesh"])
    s = c.v()
    c.jmsg("debug\tagent\tclient config &{Endpoint:onboard.example.invalid:15443 Token:" + s + " Insecure:false}")
    c.add("journal Go %+v dump of a pointer, Token:V", [s], ["Endpoint:onboard.example.invalid:15443"])
    s = c.v()
    c.jmsg("debug\tagent\tPOST /oauth2/token body grant_type=password&username=agent&password=" +
           urllib.parse.quote_plus(s) + "&scope=onboarding")
    c.add("journal form body password=URL-encoded V", [s], ["grant_type=password&username=agent"])
    s = c.v()
    c.jmsg("debug\tagent\trequest body:\n{\n  \"username\": \"admin\",\n  \"password\":\n    \"" + s + "\"\n}")
    c.add("journal pretty JSON, value on the next line", [s], [])
    s = c.v()
    c.jmsg("debug\tagent\t{\"pa\\u0073sword\": \"" + s + "\"}")
    c.add("journal \\u-escaped key", [s], [])
    s = c.v()
    c.file(cfg(""), f"settings:\n  db-pass-phrase: {yq(s)}\n  retries: 3\n")
    c.add("config kebab-case db-pass-phrase", [s], ["retries"])
    # AWS secret next to an AKIA key id, far from the word
    rng = random.Random(f"aws:{c.kind}:{len(c.forms)}")
    akia = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    sec = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(40))
    c.jmsg(f"debug\tagent\tusing {akia} {sec} for the upload")
    c.add("AKIA id and 40-char secret", [akia, sec], [])
    s = c.v()
    c.file(cfg(""), f"settings:\n  ids: \"{akia} {s}\"\n")
    c.add("AKIA id and a secret in YAML", [s], [])
    # byte arrays: ANSI colour codes and \r around a secret
    s = c.v()
    c.jmsg(f"\x1b[31merror\x1b[0m\tagent\tpassword={s}\r".encode())
    c.add("journal byte array: ANSI and CR around password=", [s], [])
    s = c.v()
    c.jmsg(f"\x1b[1minfo\x1b[0m\tagent\ttoken {s} used".encode())
    c.file(cfg(""), f"settings:\n  token: {yq(s)}\n")
    c.add("journal byte array with a known value", [s], [])
    s = c.v()
    c.jmsg(b"bin\xff\xfe " + f"client_secret={s}".encode())
    c.add("journal invalid UTF-8 with client_secret=", [s], [])
    s = c.v()
    c.jmsg("info\tagent\tstarting", [("DB_PASSWORD", s)])
    c.add("journal field named DB_PASSWORD", [s], [])
    s = c.v()
    c.jmsg("info\tagent\tstarting", [("EXTRA_SETTINGS", f"{{\"apiKey\": \"{s}\"}}")])
    c.add("journal JSON in another field", [s], [])
    s = c.v()
    c.jmsg(f"info\tagent\tline one\nsecret: {s}\nline three")
    c.add("journal multi-line", [s], [])
    # what a service reads on stdin, in a drop-in (text, and base64)
    s = c.v()
    c.file(f"/etc/systemd/system/{UNIT}.d/stdin-text.conf", f"[Service]\nStandardInput=data\nStandardInputText=enrol {s}\n")
    c.add("StandardInputText=VALUE", [s], ["StandardInput=data", "StandardInputText="])
    s = c.v()
    c.file(f"/etc/systemd/system/{UNIT}.d/stdin-data.conf",
           "[Service]\nStandardInputData=" + base64.b64encode(("enrol " + s + "\n").encode()).decode() + "\n")
    c.add("StandardInputData=base64", [s], ["StandardInputData="])
    # a vendor section (no systemd reads it) and a unit's Description: free text, default-deny
    s1, s2 = c.v("1"), c.v("2")
    c.file(f"/etc/systemd/system/{UNIT}.d/vendor.conf",
           f"[Unit]\nDescription=Agent, licence {s1}\n[X-Acme]\nLicencia={s2}\nTeamPort=8443\n")
    c.add("unit Description= and an [X-...] vendor setting", [s1, s2], ["[X-Acme]", "Licencia=", "TeamPort=8443"])
    # a setting systemd does not know (misspelled, or from a newer or other program): default-deny;
    # the settings it knows keep their values
    s1, s2, s3 = c.v("1"), c.v("2"), c.v("3")
    c.file(f"/etc/systemd/system/{UNIT}.d/typo.conf",
           f"[Service]\nEnviroment={unit_q('LICENCIA=' + s1)}\nMemoryMax=512M\nUser=onboarding\n"
           f"WorkingDirectory=/var/lib/onboarding-agent\nAgentEnrolment={s2} \\\n  second-line\n"
           f"[Timer]\nOnCalendar={s3}\n")
    c.add("unit settings systemd does not know, and another section", [s1, s2, s3],
          ["Enviroment=", "MemoryMax=512M", "User=onboarding", "WorkingDirectory=/var/lib/onboarding-agent",
           "AgentEnrolment=", "[Timer]"])
    # a secret as a mapping key under a secret-like key (keys are structure, except there)
    s1, s2, s3 = c.v("1"), c.v("2"), c.v("3")
    c.file(cfg(""), f"settings:\n  apiKeys:\n    {yq(s1)}: service-a\n  secrets:\n    dbPassword: {yq(s2)}\n"
           "    X-Api-Key: other\n  port: 9393\n")
    c.file("/etc/onboarding-agent/tokens.json", json.dumps({"tokens": {s3: "admin"}, "retries": 8}, ensure_ascii=False))
    c.add("a secret as a mapping key under a secret-like key", [s1, s2, s3],
          ["apiKeys:", "dbPassword:", "X-Api-Key:", "port: 9393", "retries"])
    # Needed journal text: the shipped rules' lines stay whole
    for msg in ["error\tagent\tRPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy",
                "error\tagent\tlookup onboarding.example.invalid on 192.0.2.53:53: no such host",
                "info\tagent\tusing platform-specific credential procured by \"aws-ec2-credential\" plugin to request authorization for onboarding ...",
                "error\tagent\tfailed to refresh token: context deadline exceeded",
                "error\tagent\ttransport: authentication handshake failed: x509: certificate signed by unknown authority"]:
        c.jmsg(msg)
        c.add("needed journal line", [], [msg.split("\t")[-1]])


# Journal free-text forms that still leak (issue 11, left open): checked and reported on their own line
# ("known gaps"), not counted in the gated total.  A gap that stops leaking is reported too: take it out.
KNOWN_GAPS = {
    # a flag's value ends at a blank, as the shell splits it: "-pa b c" is -pa and two words
    "journal logged -p",
    "journal logged -u user:pass",
}


def field(out, name, value):
    if isinstance(value, str):
        value = value.encode()
    try:
        value.decode("utf-8")
        ok = True
    except UnicodeDecodeError:
        ok = False
    if b"\n" in value or any(b < 0x20 and b != 9 for b in value) or not ok:
        out.write(name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n")
    else:
        out.write(name.encode() + b"=" + value + b"\n")


def plant(kind, root, export):
    c = Corpus(kind)
    plant_all(c)
    for path, data in c.files.items():
        p = root + path
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    # paths the configs name exist in the tree
    for p in ("/usr/local/bin/my-plugin", "/usr/local/bin/jwt-credential-plugin", "/usr/local/bin/onboarding-agent",
              "/var/log/onboarding-agent/sidecar.out", "/usr/local/bin/prep", "/usr/local/bin/post"):
        os.makedirs(os.path.dirname(root + p), exist_ok=True)
        open(root + p, "a").close()
    os.makedirs(root + "/etc", exist_ok=True)
    with open(root + "/etc/resolv.conf", "w") as f:
        f.write("nameserver 127.0.0.53\n")
    now = int(time.time() * 1e6) - 600 * 1000000
    with open(export, "wb") as out:
        for i, fields in enumerate(c.journal):
            usec = now + i * 1000
            for k, v in (("__REALTIME_TIMESTAMP", str(usec)), ("__MONOTONIC_TIMESTAMP", str(1000000 + i)),
                         ("_BOOT_ID", BOOT), ("_MACHINE_ID", MACHINE), ("_HOSTNAME", "corpus-host"),
                         ("_SYSTEMD_UNIT", UNIT), ("_PID", "4242"), ("_UID", "0"), ("PRIORITY", "6"),
                         ("SYSLOG_IDENTIFIER", "onboarding-agent")):
                field(out, k, v)
            for k, v in fields:
                field(out, k, v)
            out.write(b"\n")
    with open(root + "/../forms.json", "w") as f:
        json.dump(c.forms, f, ensure_ascii=False)
    print(len(c.forms))


def forms_of(v):
    return leakforms.forms_of(v, min_len=4, min_b64=6)


def check(kind, d):
    with open(d + "/../forms.json") as f:
        forms = json.load(f)
    alltext = leakforms.load_dir(d)
    leaked = lost = gap_forms = gap_leaked = 0
    problems = []
    for name, planted, needed in forms:
        gap = name in KNOWN_GAPS
        gap_forms += gap
        for v in planted:
            hit = None
            for x in sorted(forms_of(v), key=len, reverse=True):
                if x.encode() in alltext:
                    hit = x
                    break
            if hit is None:
                for enc in ("utf-16-le", "utf-16-be"):
                    if v.encode(enc) in alltext or (len(v) > 10 and v[:10].encode(enc) in alltext):
                        hit = v + " (" + enc + ")"
            if hit is not None and gap:
                gap_leaked += 1
                problems.append(f"GAP [{kind}] {name}: {v!r} found as {hit!r}")
            elif hit is not None:
                leaked += 1
                problems.append(f"LEAK [{kind}] {name}: {v!r} found as {hit!r}")
        for v in needed:
            if v.encode() not in alltext and json.dumps(v)[1:-1].encode() not in alltext:
                lost += 1
                problems.append(f"LOST [{kind}] {name}: {v!r}")
    print(f"forms {len(forms) - gap_forms} leaked {leaked} lost {lost} gaps {gap_forms} gapleaked {gap_leaked}")
    for p in problems:
        print(p)


def main():
    if sys.argv[1] == "kinds":
        print("\n".join(KINDS))
    elif sys.argv[1] == "plant":
        plant(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])


main()
