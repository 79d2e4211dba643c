#!/usr/bin/env python3
"""tests/redact/gen-redteam.py: secret forms beyond gen-corpus.py, through every input of the collector.

  gen-redteam.py plant KIND DIR    writes DIR/root (a system tree: agent configs, kubeconfig, GCP key,
                                   Docker config, env files, UTF-16, CRLF, unit file and drop-ins),
                                   DIR/export (journal export text for systemd-journal-remote),
                                   DIR/log.{plain,docker,cri,aws.json} (--log-file inputs),
                                   DIR/ecs-*.json (--ecs-json inputs) and DIR/forms.json
  gen-redteam.py check KIND DIR    searches the extracted bundles DIR/x-* for every planted value (as is,
                                   any 10-character piece, base64 at 3 alignments, URL-encoded, JSON-escaped
                                   once and twice, UTF-16) and every needed value; prints
                                   "forms N leaked L lost M gaps G gapleaked H" then one line per problem
  gen-redteam.py kinds             the kinds, one a line

Every planted value is fake and made from (kind, form number) by a seeded generator; REDTEAM_SEED=N plants other
values of the same kinds (for hunting value-dependent leaks by hand: the gated run uses the default seed).  Forms listed in
KNOWN_GAPS leak on main today: they are reported (GAP lines) but not gated; one that stops leaking is
reported as FIXED so it can be taken off the list.
"""
import base64
import glob
import hashlib
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
BOOT = "1f1e2d3c4b5a69788796a5b4c3d2e1f0"
MACHINE = "b1b2c3d4e5f60718293a4b5c6d7e8f90"
KINDS = ["letters", "digits", "hex", "base64", "uuid", "passphrase", "unicode", "base32"]


def value(kind, seed):
    rng = random.Random(f"redteam{os.environ.get('REDTEAM_SEED', '')}:{kind}:{seed}")
    if kind == "letters":
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(14))
    if kind == "digits":
        return "".join(rng.choice("0123456789") for _ in range(11))
    if kind == "hex":
        return "".join(rng.choice("0123456789abcdef") for _ in range(40))
    if kind == "base64":
        v = base64.b64encode(bytes(rng.randrange(256) for _ in range(19))).decode()   # 28 chars, ends "="
        return v[:4] + "+" + v[5:9] + "/" + v[10:]
    if kind == "uuid":
        return "%08x-%04x-4%03x-b%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                                rng.getrandbits(12), rng.getrandbits(48))
    if kind == "passphrase":
        return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(5, 8)))
                        for _ in range(4))
    if kind == "unicode":
        return "".join(rng.choice("жщюяçñøåéü密钥鍵パス") for _ in range(6)) + \
            "".join(rng.choice("kvxz") for _ in range(4))
    if kind == "base32":     # TOTP seeds, licence keys: upper case and digits only
        return rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + \
            "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(23))
    if kind == "human":      # what people pick: a capitalised word, a year, a symbol (redteam3; not in KINDS)
        word = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randrange(3, 5)))
        return word.capitalize() + str(rng.randrange(1990, 2030)) + rng.choice("!#$%&*?@")
    if kind == "symbols":    # a password manager's output: letters, digits and punctuation (redteam3; not in KINDS)
        return "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%^&*()-_+=[]{};:,.<>?/~|")
                       for _ in range(18))
    raise SystemExit(f"unknown kind {kind}")


def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


class Corpus:
    def __init__(self, kind):
        self.kind = kind
        self.forms = []      # [name, [planted], [needed], run]
        self.files = {}      # root path -> bytes
        self.journal = []    # [(field, value)] per entry
        self.logs = {"plain": [], "docker": [], "cri": [], "aws": [], "utf16": []}
        self.ecs = {}        # file name -> doc
        self.trees = {}      # extra --root runs: name -> {"files": {path: bytes}, "journal": [[(field, value)]]}
        self.n = 0

    def v(self, tag=""):
        self.n += 1
        return value(self.kind, f"{self.n}:{tag}")

    def add(self, name, planted, needed=(), run="root"):
        self.forms.append([name, list(planted), list(needed), run])

    def file(self, path, data, tree=None):
        data = data.encode() if isinstance(data, str) else data
        if tree is None:
            self.files[path] = data
        else:
            self.trees.setdefault(tree, {"files": {}, "journal": []})["files"][path] = data

    def jmsg(self, msg, tree):
        self.trees.setdefault(tree, {"files": {}, "journal": []})["journal"].append([("MESSAGE", msg)])


def yq(v):
    return json.dumps(v, ensure_ascii=False)


def unit_q(v):
    """A systemd double-quoted word."""
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sq(v):
    """Single-quoted shell word."""
    return "'" + v.replace("'", "'\\''") + "'"


def plant_configs(c):
    k = c.kind
    # The agent's own OnboardingConfiguration, CRLF line ends, a comment holding a secret, an alias of a
    # secret under a kept key (labels), a flow map.
    s1, s2, s3 = c.v("1"), c.v("2"), c.v("3")
    text = ("# OnboardingConfiguration for the prod VMs\r\n"
            f"# bootstrap token (rotated monthly): {s1}\r\n"
            "apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\r\n"
            "kind: OnboardingConfiguration\r\n"
            "onboardingEndpoint:\r\n  host: onboard.corp.example.net\r\n  port: 15443\r\n"
            "  transportSecurity:\r\n    tls:\r\n      sni: onboard.corp.example.net\r\n"
            "      insecureSkipVerify: false\r\n"
            "workloadGroup:\r\n  namespace: payments\r\n  name: payments-vm\r\n"
            f"extra:\r\n  bootstrapSecret: &boot {yq(s2)}\r\n"
            f"workload:\r\n  labels:\r\n    version: v7\r\n    copied: *boot\r\n    deploy-key: {yq(s3)}\r\n")
    c.file("/etc/onboarding-agent/onboarding.config.yaml", text)
    c.add("onboarding config CRLF: comment holding a token", [s1],
          ["onboard.corp.example.net", "15443", "payments-vm", "payments", "insecureSkipVerify: false"])
    c.add("onboarding config: alias of a secret anchor under labels", [s2], [])
    c.add("onboarding config: label deploy-key", [s3], ["version: v7"])

    # another customer's files: a JSON agent config with nested plugin settings and a multi-document YAML with
    # an anchor merged into a later document, a list of maps and a flow map (redteam2; redacted on main)
    j = [c.v("j" + str(i)) for i in range(4)]
    c.file("/etc/onboarding-agent/agent.config.json", json.dumps({
        "apiVersion": "config.agent.onboarding.tetrate.io/v1alpha1", "kind": "AgentConfiguration",
        "plugins": [{"name": "vault", "settings": {"roleId": j[0], "SecretID": j[1],
                                                   "auth": {"method": "approle", "mount": j[2]}}}],
        "ENCRYPTION_KEY": j[3]}, indent=2, ensure_ascii=False))
    c.add("JSON config: nested plugin settings (roleId, SecretID, auth.mount, ENCRYPTION_KEY)", j, [])
    m = [c.v("m" + str(i)) for i in range(3)]
    c.file("/etc/onboarding-agent/multi.yaml",
           f"defaults: &defaults\n  apiToken: {yq(m[0])}\n  region: us-east-1\n---\n"
           f"prod:\n  <<: *defaults\n  credentials:\n  - user: admin\n    pass: {yq(m[1])}\n"
           f"  - {{user: ops, passphrase: {yq(m[2])}}}\n")
    c.add("multi-document YAML: anchor merged later, list of maps, flow map", m, [])
    # webhook URLs whose path holds the key (no userinfo, no query: the url shape must not keep them) (redteam2)
    w = c.v("hook")
    pd = hashlib.sha256(("pd" + w).encode()).hexdigest()[:32]
    dc = base64.urlsafe_b64encode(hashlib.sha256(("dc" + w).encode()).digest()).decode().rstrip("=")
    c.file("/etc/onboarding-agent/notify.yaml",
           "endpoint: https://onboard.corp.example.net:15443/v1/onboarding\n"
           f"alerts:\n  pagerduty: https://events.pagerduty.com/integration/{pd}/enqueue\n"
           f"  discordWebhook: https://discord.com/api/webhooks/112233445566778899/{dc}\n")
    c.add("config: webhook URLs with the key in the path", [pd, dc],
          ["https://onboard.corp.example.net:15443/v1/onboarding"])

    # AgentConfiguration: plugin env with non-English names, folded and literal block scalars split
    a = [c.v(str(i)) for i in range(8)]
    half1, half2 = c.v("h1"), c.v("h2")
    text = ("apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: AgentConfiguration\n"
            "host:\n  custom:\n    credential:\n    - plugin:\n        name: vault-plugin\n"
            "        path: /usr/local/bin/vault-plugin\n        env:\n"
            f"        - name: 密码\n          value: {yq(a[0])}\n"
            f"        - name: パスワード\n          value: {yq(a[1])}\n"
            f"        - {{name: contraseña, value: {yq(a[2])}}}\n"
            f"        - name: VAULT_ADDR\n          value: https://vault.corp.example.net:8200\n"
            "        args:\n"
            f"        - --role-secret\n        - >\n          {half1}\n          {half2}\n"
            f"        - |\n          line1 {a[3]}\n          line2\n"
            "sidecar:\n  istio:\n    revision: stable-1-22\n"
            f"  # old sidecar token: {a[4]}\n"
            f"  stdout: /var/log/onboarding-agent/sidecar.log  # key {a[5]}\n")
    c.file("/etc/onboarding-agent/agent.config.yaml", text)
    c.add("agent config: env name 密码", [a[0]], ["vault-plugin", "/usr/local/bin/vault-plugin", "VAULT_ADDR"])
    c.add("agent config: env name パスワード", [a[1]], [])
    c.add("agent config: flow env name contraseña", [a[2]], [])
    c.add("agent config: folded scalar split over two lines", [half1, half2], [])
    c.add("agent config: literal block scalar", [a[3]], [])
    c.add("agent config: comment line", [a[4]], ["stable-1-22"])
    c.add("agent config: trailing comment", [a[5]], [])

    # kubeconfig
    t, kd, it, rt = c.v("t"), c.v("k"), c.v("i"), c.v("r")
    c.file("/etc/onboarding-agent/kubeconfig.yaml",
           "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://k8s.corp.example.net:6443\n"
           "  name: prod\nusers:\n- name: agent\n  user:\n"
           f"    token: {t}\n    client-key-data: {b64('-----BEGIN RSA PRIVATE KEY-----' + kd)}\n"
           "    auth-provider:\n      name: oidc\n      config:\n"
           f"        id-token: {it}\n        refresh-token: {rt}\n")
    c.add("kubeconfig token", [t], [])
    c.add("kubeconfig client-key-data (base64 of the key)", [kd], [])
    c.add("kubeconfig auth-provider id-token, refresh-token", [it, rt], [])

    # GCP service-account key
    pk, pkid = c.v("pk"), c.v("id")
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEv" + b64(pk) + "\n-----END PRIVATE KEY-----\n"
    c.file("/etc/onboarding-agent/gcp-sa.json", json.dumps({
        "type": "service_account", "project_id": "corp-prod", "private_key_id": pkid, "private_key": pem,
        "client_email": "agent@corp-prod.iam.gserviceaccount.com", "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token"}, indent=2))
    c.add("GCP service-account JSON private_key_id", [pkid], [])
    c.add("GCP service-account JSON private_key (base64 of the value inside)", [pk], [])

    # Docker config
    da, dt = c.v("a"), c.v("t")
    c.file("/etc/onboarding-agent/docker-config.json", json.dumps({
        "auths": {"registry.corp.example.net": {"auth": b64("robot$agent:" + da)},
                  "https://index.docker.io/v1/": {"identitytoken": dt}}}, indent=1))
    c.add("Docker config auths (base64 user:pass)", [da], [])
    c.add("Docker config identitytoken", [dt], [])

    # env files: export, quotes, escapes, CRLF, continuation, comments
    e = [c.v(str(i)) for i in range(9)]
    q = e[2].replace('"', '')
    c.file("/etc/onboarding-agent/agent.env",
           "# agent environment\r\n"
           f"export DB_PASSWORD='{e[0]}'\r\n"
           f"export\tAPI_TOKEN=\"{e[1]}\"\r\n"
           f"QUOTED=\"say \\\"{q}\\\" twice\"\r\n"
           f"NOTE={e[3]} # rotated\r\n"
           f"LONG=\"part1 \\\n{e[4]}\"\r\n"
           f"# PASSWORT={e[5]}\r\n"
           f"MOT_DE_PASSE={sq(e[6])}\r\n"
           f"JDBC_URL=jdbc:postgresql://db.corp.example.net:5432/app?user=app&password={urllib.parse.quote(e[7], safe='')}\r\n"
           f"LDAP_BIND_PW={sq(e[8])}\r\n"
           "LOG_LEVEL=debug\r\nRETRY_INTERVAL=30s\r\n")
    names = ["export DB_PASSWORD='…'", "export<TAB>API_TOKEN=\"…\"", "escaped quotes inside a value",
             "NAME=value # comment", "backslash continuation", "commented-out PASSWORT=", "MOT_DE_PASSE='…'",
             "JDBC URL password=", "LDAP_BIND_PW"]
    for nm, s in zip(names, e):
        c.add(f"env file CRLF: {nm}", [q if s == e[2] else s], ["LOG_LEVEL=debug", "RETRY_INTERVAL=30s"])

    # UTF-16 JSON and env, .yml with a Java-properties-like and INI-like content, TOML-ish
    u1, u2 = c.v("u1"), c.v("u2")
    c.file("/etc/onboarding-agent/settings.json",
           b"\xff\xfe" + json.dumps({"connection": {"user": "app", "secretAccessKey": u1, "port": 5432}}).encode("utf-16-le"))
    c.file("/etc/onboarding-agent/utf16.env", b"\xfe\xff" + f"SNMP_COMMUNITY={u2}\nMODE=fast\n".encode("utf-16-be"))
    c.add("UTF-16LE JSON file", [u1], [])
    c.add("UTF-16BE env file", [u2], [])
    p = [c.v(str(i)) for i in range(4)]
    c.file("/etc/onboarding-agent/app.yml",
           "# spring style\n"
           f"spring.datasource.password: {yq(p[0])}\n"
           f"javax.net.ssl.keyStorePassword: {yq(p[1])}\n"
           f"redis: {{host: cache.corp.example.net, requirepass: {yq(p[2])}}}\n"
           f"ldap:\n  bindDn: cn=agent,dc=corp\n  bindCredential: {yq(p[3])}\n  url: ldaps://ldap.corp.example.net:636\n")
    for nm, s in zip(["spring.datasource.password", "keyStorePassword", "redis flow requirepass", "LDAP bindCredential"], p):
        c.add(f"yml: {nm}", [s], [])
    # paths the default-deny schema keeps, one level deeper than the schema means
    z = [c.v(f"z{i}") for i in range(5)]
    c.file("/etc/onboarding-agent/deep.yaml",
           "kind: AgentConfiguration\nsidecar:\n  istio:\n    revision: canary\n    extraEnv:\n"
           f"    - name: LICENCIA\n      value: {yq(z[0])}\n    meshConfig:\n      caCert: {yq(z[1])}\n"
           f"settings:\n  nested:\n    labels:\n      clave: {yq(z[2])}\n    kind: {yq(z[3])}\n"
           "host:\n  custom:\n    credential:\n    - plugin:\n        name: p\n        labels:\n"
           f"          note: {yq(z[4])}\n")
    for nm, v in zip(["sidecar/istio/extraEnv value", "sidecar/istio/meshConfig/caCert", "labels below settings",
                      "kind below settings", "labels below a plugin"], z):
        c.add(f"schema path one level deeper: {nm}", [v], ["revision: canary"])
    # keys nobody lists (default-deny must redact whatever the value's shape)
    for i, key in enumerate(["clave", "licencia", "kodu", "ключ", "unlock", "seed32", "activation"]):
        v = c.v(key)
        c.file(f"/etc/onboarding-agent/u{i}.yaml", f"settings:\n  {key}: {yq(v)}\n  retries: 3\n")
        c.add(f"yaml unlisted key {key}", [v], ["retries: 3"])
    v = c.v("uenv")
    c.file(f"/etc/systemd/system/{UNIT}.d/30-unlisted.conf",
           f"[Service]\nEnvironment={unit_q('LICENCIA=' + v)}\n")
    c.add("drop-in Environment=LICENCIA=", [v], ["LICENCIA="])
    v = c.v("uarg")
    if c.kind == "passphrase":
        v = v.replace(" ", "-")
    c.file(f"/etc/systemd/system/{UNIT}.d/31-unlisted.conf",
           f"[Service]\nExecStartPre=/usr/local/bin/prep --licencia {v}\n")
    c.add("drop-in ExecStartPre --licencia VALUE", [v], ["--licencia"])
    v = c.v("ujson")
    c.file("/etc/onboarding-agent/unlisted.json", json.dumps({"settings": {"clave": v, "port": 8443}}))
    c.add("json unlisted key clave", [v], ["8443"])
    # a secret as a mapping key (keys are kept by default-deny), JSON numbers stay JSON
    mk = c.v("mk")
    c.file("/etc/onboarding-agent/keys.yaml", f"apiKeys:\n  {yq(mk)}: service-a\n  other: service-b\n")
    c.add("YAML mapping key that is an API key", [mk], ["apiKeys"])
    # A .json config with an XML and an INI string inside, and a value JSON-escaped with \u
    x1, x2, x3 = c.v("x1"), c.v("x2"), c.v("x3")
    esc = "".join("\\u%04x" % ord(ch) for ch in x3)
    c.file("/etc/onboarding-agent/legacy.json",
           '{"xml": "<config><password>' + x1 + '</password></config>", '
           '"ini": "[db]\\npassword = ' + x2 + '\\n", "escaped": "' + esc + '", "enabled": true, "timeout": "45s"}')
    c.add("JSON string holding XML <password>", [x1], ["45s"])
    c.add("JSON string holding INI password =", [x2], [])
    c.add("JSON value written as \\u escapes", [x3], [])


def plant_units(c):
    s = [c.v(str(i)) for i in range(14)]
    c.file(f"/etc/systemd/system/{UNIT}",
           "[Unit]\nDescription=Workload Onboarding Agent\nAfter=network-online.target\n"
           f"# deployed with token {s[0]}\n"
           "[Service]\nType=simple\nRestart=on-failure\nRestartSec=5s\nTimeoutStartSec=90s\n"
           "ExecStart=/usr/local/bin/onboarding-agent --config /etc/onboarding-agent/onboarding.config.yaml\n"
           f"SetCredential=dbpass:{s[1]}\n"
           f"LogExtraFields=API_TOKEN={s[2]}\n"
           "EnvironmentFile=-/etc/onboarding-agent/agent.env\n"
           "[X-Vendor]\n"
           f"ApiKey={s[3]}\n"
           "[Install]\nWantedBy=multi-user.target\n")
    c.add("unit comment holding a token", [s[0]], ["Restart=on-failure", "TimeoutStartSec=90s", "RestartSec=5s"])
    c.add("unit SetCredential=name:VALUE", [s[1]], [])
    c.add("unit LogExtraFields=API_TOKEN=", [s[2]], [])
    c.add("unit [X-Vendor] ApiKey=", [s[3]], [])
    d = f"/etc/systemd/system/{UNIT}.d"
    c.file(d + "/20-cont.conf", "[Service]\nEnvironment=\"MODE=fast\" \\\n"
           f"  \"PASSWORT={s[4]}\"\n")
    c.add("drop-in Environment= continued on the next line", [s[4]], ["MODE="])
    c.file(d + "/21-sh.conf", "[Service]\nExecStartPre=/bin/sh -c 'curl -fsS -H \"Authorization: Bearer "
           f"{s[5]}\" https://vault.corp.example.net:8200/v1/sys/health'\n")
    c.add("drop-in sh -c curl -H Authorization: Bearer", [s[5]], [])
    c.file(d + "/22-tools.conf", "[Service]\n"
           f"ExecStartPre=/usr/bin/redis-cli -h cache.corp.example.net -a {sq(s[6])} ping\n"
           f"ExecStartPre=/usr/bin/ldapsearch -x -D cn=agent,dc=corp -w {sq(s[7])} -H ldaps://ldap.corp.example.net\n"
           f"ExecStartPre=/usr/bin/snmpget -v2c -c {sq(s[8])} 10.1.2.3 sysUpTime.0\n"
           f"ExecStartPre=/usr/bin/sshpass -p {sq(s[9])} ssh agent@bastion\n")
    c.add("drop-in redis-cli -a", [s[6]], [])
    c.add("drop-in ldapsearch -w", [s[7]], [])
    c.add("drop-in snmpget -c community", [s[8]], [])
    c.add("drop-in sshpass -p", [s[9]], [])
    c.file(d + "/23-crlf.conf", f"[Service]\r\nEnvironment=\"CONTRASENA={s[10]}\"\r\nEnvironment=TZ=UTC\r\n")
    c.add("drop-in CRLF Environment=CONTRASENA", [s[10]], [])
    c.file(d + "/24-aws.conf", "[Service]\n"
           f"Environment=AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDFGH \"AWS_SECRET_ACCESS_KEY={s[11]}\"\n"
           f"Environment=\"AWS_SESSION_TOKEN={s[12]}\"\n")
    c.add("drop-in AWS_SECRET_ACCESS_KEY", [s[11]], [])
    c.add("drop-in AWS_SESSION_TOKEN", [s[12]], [])
    c.file(d + "/25-utf16.conf", b"\xff\xfe" + f"[Service]\r\nEnvironment=\"SIGNING_SEED={s[13]}\"\r\n".encode("utf-16-le"))
    c.add("drop-in UTF-16 CRLF", [s[13]], [])
    c.file("/etc/hostname", "pay-vm-07\n")
    r = c.v("r")
    c.file("/etc/resolv.conf", f"# generated; dns api key {r}\nnameserver 10.20.0.2\nnameserver 10.20.0.3\n"
           "search corp.example.net\n")
    c.add("resolv.conf comment with an API key", [r], [])
    c.add("resolver needed", [], ["10.20.0.2", "10.20.0.3", "corp.example.net"])
    h = c.v("h")
    c.file("/etc/hosts", f"127.0.0.1 localhost\n10.1.2.3 vault.corp.example.net  # root token {h}\n")
    c.add("/etc/hosts comment with a token", [h], ["vault.corp.example.net"])
    for p in ("/usr/local/bin/vault-plugin", "/usr/local/bin/onboarding-agent", "/var/log/onboarding-agent/sidecar.log"):
        c.file(p, "")


# Free-text lines (journal MESSAGE and --log-file): (name, template, spaces-safe)
LINES = [
    ("Cookie header", "GET /api HTTP/1.1 Cookie: theme=dark; sessionid={s}; lang=en", False),
    ("Set-Cookie header", "response Set-Cookie: sid={s}; Path=/; HttpOnly; Secure", False),
    ("basic auth header, base64 of user:pass", "> Authorization: Basic {b64user}", True),
    ("Proxy-Authorization Basic", "CONNECT proxy: Proxy-Authorization: Basic {b64user}", True),
    ("X-Auth-Token header", "request headers: X-Auth-Token: {s}", False),
    ("X-Vault-Token header", "vault: X-Vault-Token={s} renewing", False),
    ("PRIVATE-TOKEN header", "curl --header \"PRIVATE-TOKEN: {s}\" https://gitlab.corp.example.net/api/v4", True),
    ("api-key header lower", "azure request api-key: {s}", False),
    ("query access_token", "GET https://api.corp.example.net/v2/items?page=2&access_token={u}&x=1 200", True),
    ("query sig (SAS)", "upload https://blob.corp.example.net/c/b?sv=2021&sig={u}&se=2030 ok", True),
    ("presigned X-Amz-Signature", "GET /bucket/obj?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={u}", True),
    ("X-Amz-Security-Token", "presign: X-Amz-Security-Token={u}&X-Amz-Expires=900", True),
    ("Go struct dump", "config loaded: &{{Host:db.corp.example.net Port:5432 User:app Password:{s} SSL:true}}", False),
    ("Go struct dump quoted", "opts: {{Username:\"app\" Password:\"{s}\" Timeout:30s}}", True),
    ("protobuf text", "request: user: \"app\" secret: \"{s}\" ttl: 60", True),
    ("Java properties", "loaded spring.datasource.password={s} from application.properties", False),
    ("keyStorePassword", "-Djavax.net.ssl.keyStorePassword={s} -Xmx512m", False),
    ("JDBC password=", "connecting jdbc:postgresql://db.corp.example.net:5432/app?user=app&password={u}", True),
    ("JDBC sqlserver ;password=", "jdbc:sqlserver://db.corp.example.net:1433;databaseName=app;user=sa;password={s};encrypt=true", True),
    ("JDBC oracle thin user/pass@", "jdbc:oracle:thin:app/{s}@db.corp.example.net:1521/ORCL", False),
    ("LDAP bind -w", "exec ldapsearch -x -D cn=agent,dc=corp -w {s} -b dc=corp", False),
    ("LDAP bindPassword", "ldap: bindPassword={s} url=ldaps://ldap.corp.example.net", False),
    ("SNMP community -c", "snmpwalk -v2c -c {s} 10.1.2.3", False),
    ("SNMP community word", "snmp: community {s} rejected by 10.1.2.3", False),
    ("Redis AUTH", "redis> AUTH {s}", False),
    ("redis-cli -a", "exec redis-cli -h cache -a {s} ping", False),
    ("requirepass", "redis.conf: requirepass {s}", False),
    (".netrc line", "netrc: machine git.corp.example.net login agent password {s}", False),
    (".pgpass line", "pgpass: db.corp.example.net:5432:app:agent:{s}", False),
    ("INI aws_secret_access_key =", "credentials file: aws_secret_access_key = {s}", False),
    ("TOML password =", "toml: password = \"{s}\"", True),
    ("XML element", "config: <password>{s}</password>", True),
    ("XML attribute", "config: <add key=\"ApiKey\" value=\"{s}\" />", True),
    ("key passwort:", "Anmeldung fehlgeschlagen, passwort: {s}", False),
    ("key contraseña=", "error de conexión: contraseña={s}", False),
    ("key mot_de_passe", "échec: mot_de_passe={s}", False),
    ("key 密码", "登录失败 密码={s}", False),
    ("key パスワード", "ログイン失敗 パスワード: {s}", False),
    ("percent-encoded password%3D", "redirect to https://sso.corp.example.net/cb?state=password%3D{u}", True),
    ("JSON-escaped in a string", "payload: \"{{\\\"password\\\":\\\"{j}\\\"}}\"", True),
    ("form body", "POST /login body=username=agent&password={u}&remember=1", True),
    ("quoted with escaped quote", "set secret=\"a\\\"{s}\" done", True),
    ("YAML dump in a log", "effective config:\nsettings:\n  privateToken: {s}\n  retries: 3", False),
    ("env dump line", "env: HOME=/root PASSWORD_FILE=/x DB_PASS={s} PATH=/usr/bin", False),
    ("JWT alone", "got {jwt} from issuer", False),
    ("PEM EC private key block", "key:\n-----BEGIN EC PRIVATE KEY-----\n{pemb}\n-----END EC PRIVATE KEY-----", False),
    ("PEM OpenSSH private key block", "-----BEGIN OPENSSH PRIVATE KEY-----\n{pemb}\n-----END OPENSSH PRIVATE KEY-----", False),
    ("GitHub token", "cloning with ghp_{alnum36}", False),
    ("Slack token", "notify xoxb-{alnum36}", False),
    ("Google API key", "maps key AIza{alnum35}", False),
    ("AWS key pair in INI", "[default]\naws_access_key_id = AKIAZXCVBNMASDFGHJKL\naws_secret_access_key = {aws40}", False),
    ("AWS secret after ASIA id", "temporary creds ASIAZXCVBNMASDFGHJKQ {aws40}", False),
    ("docker login -p", "exec docker login -u agent -p {s} registry.corp.example.net", False),
    ("JSON array under tokens", "refresh {{\"tokens\":[\"{j}\",\"other\"]}}", True),
    ("secret VALUE (blank separator)", "loaded secret {s} from the store", False),
    ("Telegram bot token in a URL path", "GET https://api.telegram.org/bot123456789:{u}/sendMessage", True),
    ("PGP private key block", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n{pemb}\n-----END PGP PRIVATE KEY BLOCK-----", False),
    ("URL fragment access_token", "redirect https://app.corp.example.net/cb#access_token={u}&token_type=bearer", True),
    ("Azure AccountKey=", "conn DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={s};EndpointSuffix=core.windows.net", True),
    ("npmrc _authToken", "//registry.npmjs.org/:_authToken={s}", False),
    # grpc-go metadata printed as a Go map: every value a list of unquoted strings (redteam2)
    ("gRPC metadata map x-api-key:[V]", "rpc error: code = Unavailable desc = connection error; metadata: "
     "map[:authority:[onboard.corp.example.net:15443] x-api-key:[{s}] content-type:[application/grpc]]", False),
    ("gRPC metadata map x-auth-token:[V]", "outgoing metadata: map[x-auth-token:[{s}] user-agent:[grpc-go/1.59.0]]", False),
    ("gRPC metadata map authorization:[V] (no scheme)", "interceptor: md=map[authorization:[{s}]]", False),
    # one-time codes under camelCase and other owners (zap/logrus output)
    ("zap JSON pairingCode", '{{"level": "info", "ts": 1764496800.5, "msg": "paired", "pairingCode": "{s}"}}', False),
    ("logrus enrollmentCode=", 'time="2026-11-30T10:00:00Z" level=info msg="enrolled" enrollmentCode={s}', False),
    ("logfmt bootstrap_code=", 'level=info msg="bootstrap" bootstrap_code="{s}"', False),
    # SQL run by an init script, echoed to the journal
    ("SQL WITH PASSWORD 'V'", "psql: CREATE USER app WITH PASSWORD '{s}' VALID UNTIL 'infinity';", True),
    ("SQL IDENTIFIED BY 'V'", "mysql: CREATE USER 'app'@'%' IDENTIFIED BY '{s}';", True),
    # French puts a blank before the colon; a webhook's signature; a licence
    ("French mot de passe : V", "connexion refusée, mot de passe : {s}", False),
    ("signature=V (webhook)", "webhook delivery rejected: signature={s} timestamp=1764496800", False),
    ("license=V", "licensing: activating license={s} for host pay-vm-07", False),
]


def render(c, tmpl, s, k):
    rng = random.Random(f"rt:{k}:{s}")
    an = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    extra = {}
    planted = [s]
    if "{b64user}" in tmpl:
        extra["b64user"] = b64("agent:" + s)
    if "{u}" in tmpl:
        extra["u"] = urllib.parse.quote(s, safe="")
    if "{j}" in tmpl:
        extra["j"] = json.dumps(s)[1:-1]
    if "{jwt}" in tmpl:
        hdr = b64('{"alg":"HS256","typ":"JWT"}').rstrip("=")
        body = base64.urlsafe_b64encode(json.dumps({"sub": "agent", "k": s}).encode()).decode().rstrip("=")
        sig = "".join(rng.choice(an) for _ in range(43))
        extra["jwt"] = f"{hdr}.{body}.{sig}"
        planted = [s, sig, body[10:40]]
    if "{pemb}" in tmpl:
        raw = b64(("x" * 3) + s + "".join(rng.choice(an) for _ in range(60)))
        extra["pemb"] = "\n".join(raw[i:i + 64] for i in range(0, len(raw), 64))
        planted = [s, raw[20:60]]
    for n in (35, 36):
        if "{alnum%d}" % n in tmpl:
            tok = "".join(rng.choice(an) for _ in range(n))
            extra["alnum%d" % n] = tok
            planted = [tok]
    if "{aws40}" in tmpl:
        tok = "".join(rng.choice(an + "+/") for _ in range(40))
        extra["aws40"] = tok
        planted = [tok]
    return tmpl.format(s=s, **extra), planted


def plant_lines(c):
    now = int(time.time())
    for name, tmpl, spaces in LINES:
        for target in ("journal", "plain", "docker", "cri", "aws"):
            s = c.v(target)
            if c.kind == "passphrase" and not spaces:
                s = s.replace(" ", "-")
            msg, planted = render(c, tmpl, s, target)
            if target == "journal":
                c.journal.append([("MESSAGE", msg)])
            else:
                c.logs[target].append(msg)
            c.add(f"{target}: {name}", planted, [], run="root" if target == "journal" else "log-" + target)
    # journal fields other than MESSAGE
    s1, s2, s3 = c.v("cmd1"), c.v("cmd2"), c.v("f")
    if c.kind == "passphrase":
        s1 = s1.replace(" ", "-")
    c.journal.append([("MESSAGE", "info\tagent\tstarting"),
                      ("_CMDLINE", f"/usr/local/bin/onboarding-agent --token {s1} --config /etc/x.yaml")])
    c.add("journal _CMDLINE --token VALUE", [s1], [])
    c.journal.append([("MESSAGE", "info\tagent\tstarting"), ("_CMDLINE", f"/usr/bin/tool \"--db-password={s2}\"")])
    c.add("journal _CMDLINE --db-password=VALUE", [s2], [])
    c.journal.append([("MESSAGE", "info\tagent\tstarting"), ("CONTRASENA", s3)])
    c.add("journal field CONTRASENA", [s3], [])
    # a PEM key printed to stdout: journald stores one entry per line
    s5 = c.v("pemsplit")
    rng = random.Random(f"pemsplit:{c.kind}:{s5}")
    raw = b64("xyz" + s5 + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                                   for _ in range(90)))
    body = [raw[i:i + 64] for i in range(0, len(raw), 64)]
    for ln in ["-----BEGIN RSA PRIVATE KEY-----"] + body + ["-----END RSA PRIVATE KEY-----"]:
        c.journal.append([("MESSAGE", ln)])
        c.logs["cri"].append(ln)
    c.add("journal: PEM printed line by line (one entry a line)", [s5] + body, [])
    c.add("log-cri: PEM printed line by line", [s5] + body, [], run="log-cri")
    # docker json-file splits long lines into records without a trailing newline: a secret across two records
    s6, s7 = c.v("dp1"), c.v("dp2")
    if c.kind == "passphrase":
        s6, s7 = s6.replace(" ", "-"), s7.replace(" ", "-")
    c.logs["docker"].append(("partial", f"connecting with password={s6}"))
    c.logs["docker"].append(f"{s7} ok")
    c.add("log-docker: a secret across a partial record and the next", [s6, s7], [], run="log-docker")
    s8 = c.v("cmdl")
    if c.kind == "passphrase":
        s8 = s8.replace(" ", "-")
    c.journal.append([("MESSAGE", "info\tagent\tstarting"),
                      ("_CMDLINE", f"/usr/local/bin/onboarding-agent --contraseña {s8}")])
    c.add("journal _CMDLINE --contraseña VALUE", [s8], [])
    # a log saved on Windows: UTF-16LE with a BOM and CRLF line ends
    for nm, tmpl in (("password=VALUE", "connecting password={s} ok"), ("Authorization: Bearer", "Authorization: Bearer {s}")):
        v = c.v("u16")
        if c.kind == "passphrase":
            v = v.replace(" ", "-")
        c.logs["utf16"].append(tmpl.format(s=v))
        c.add(f"log-utf16: {nm}", [v], [], run="log-utf16")
    c.logs["utf16"].append("lookup onboard.corp.example.net on 10.20.0.2:53: no such host")
    c.add("log-utf16: needed line", [], ["lookup onboard.corp.example.net on 10.20.0.2:53: no such host"], run="log-utf16")
    # a docker log line whose log is itself a JSON log line (escaped twice in the file)
    s4 = c.v("dj")
    c.logs["docker"].append(json.dumps({"level": "debug", "msg": "auth", "clientSecret": s4, "ts": "x"}))
    c.add("log-docker: JSON log line inside docker JSON (escaped twice)", [s4], [], run="log-docker")
    # needed journal and log text
    for m in ("error\tagent\tRPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy",
              "error\tagent\tlookup onboard.corp.example.net on 10.20.0.2:53: no such host",
              "warn\tagent\tretrying in 5s: connection refused (timeout 30s, insecure=false)"):
        c.journal.append([("MESSAGE", m)])
        c.add("journal needed line", [], [m.split("\t")[-1]])
        for target in ("plain", "docker", "cri", "aws"):
            c.logs[target].append(m)
            c.add(f"log-{target} needed line", [], [m.split("\t")[-1]], run="log-" + target)


def plant_ecs(c):
    e = [c.v(str(i)) for i in range(16)]
    onb = ("kind: OnboardingConfiguration\nonboardingEndpoint:\n  host: onboard.corp.example.net\n  port: 15443\n"
           f"workloadGroup:\n  namespace: payments\n  name: payments-ecs\nnotes: {yq(e[0])}\n")
    cdef = [{
        "name": "onboarding-agent", "image": "registry.corp.example.net/onboarding-agent:1.9", "essential": True,
        "user": "0",
        "environment": [
            {"name": "ONBOARDING_CONFIG", "value": onb},
            {"name": "PASSWORT", "value": e[1]},
            {"name": "DATABASE_URL", "value": f"postgres://app:{urllib.parse.quote(e[2], safe='')}@db.corp.example.net:5432/app"},
            {"name": "SETTINGS_JSON", "value": json.dumps({"api": {"key": e[3], "port": 8443}})},
            {"name": "LOG_LEVEL", "value": "debug"},
            {"name": "FEATURE_X", "value": "true"},
            {"name": "RETRY", "value": "30s"},
            {"value": e[4], "name": "SIGNING_SEED"},
        ],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}],
        "command": ["--token", e[5], "--verbose"],
        "entryPoint": ["sh", "-c", f"export API_KEY={sq(e[6])}; exec /usr/local/bin/onboarding-agent"],
        "healthCheck": {"command": ["CMD-SHELL", f"curl -fs -H 'X-Api-Key: {e[7]}' http://localhost:9090/ready || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 3},
        "dockerLabels": {"com.corp.deploy-token": e[8], "team": "checkout"},
        "logConfiguration": {"logDriver": "splunk", "options": {"splunk-token": e[9], "splunk-url": "https://splunk.corp.example.net:8088"}},
        "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:reg-XyZ"},
    }, {
        "name": "app", "image": "registry.corp.example.net/app:2.0", "essential": True,
        "environment": [{"name": "LDAP_BIND_PW", "value": e[10]}, {"name": "SNMP_COMMUNITY", "value": e[11]}],
    }]
    c.ecs["ecs-taskdef.json"] = {"taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/payments:7", "family": "payments",
        "taskRoleArn": "arn:aws:iam::123456789012:role/payments-task", "networkMode": "awsvpc",
        "containerDefinitions": cdef, "revision": 7, "status": "ACTIVE", "cpu": "512", "memory": "1024"}, "tags": []}
    names = ["ONBOARDING_CONFIG unknown field", "env PASSWORT", "env DATABASE_URL password", "env JSON value api.key",
             "env value-first SIGNING_SEED", "command --token VALUE", "entryPoint sh -c export API_KEY=",
             "healthCheck CMD-SHELL X-Api-Key", "dockerLabels deploy-token", "logConfiguration splunk-token",
             "app env LDAP_BIND_PW", "app env SNMP_COMMUNITY"]
    for i, nm in enumerate(names):
        c.add(f"ecs task definition: {nm}", [e[i]],
              ["onboarding-agent", "awsvpc", "LOG_LEVEL", "payments-ecs", "onboard.corp.example.net", "15443"]
              if i == 0 else [], run="ecs")
    c.ecs["ecs-tasks.json"] = {"tasks": [{
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/payments/3a151358f03a4e32bf8cd401c1c74653",
        "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/payments:7",
        "overrides": {"containerOverrides": [{"name": "onboarding-agent",
                                              "environment": [{"name": "API_TOKEN", "value": e[12]}],
                                              "command": ["--password", e[13]]}]},
        "containers": [{"name": "onboarding-agent", "lastStatus": "STOPPED", "exitCode": 1,
                        "reason": f"CannotStartContainerError: exec: sh -c 'login --password={e[14]}' failed"}],
    }], "failures": []}
    c.add("ecs describe-tasks: overrides environment API_TOKEN", [e[12]], [], run="ecs")
    c.add("ecs describe-tasks: overrides command --password", [e[13]], [], run="ecs")
    c.add("ecs describe-tasks: container reason with --password=", [e[14]], ["EssentialContainerExited"], run="ecs")


ONB = ("apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: OnboardingConfiguration\n"
       "onboardingEndpoint:\n  host: onboard.corp.example.net\n  port: 15443\n"
       "workloadGroup:\n  namespace: payments\n  name: payments-vm\n")
AGENT_LINES = ["info\tagent\tobtaining discovery information from the Workload Onboarding Plane ...",
               "error\tagent\tRPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy"]


def plant_trees(c):
    """Small --root trees of their own, so that an over-redaction there cannot hide results elsewhere."""
    # ExecStart arguments that are the same words as kept config values and log text
    t = "root-argv"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nExecStart=/usr/local/bin/onboarding-agent --namespace payments "
           "--workload-group payments-vm --mode agent --log-level info\nRestart=on-failure\n", tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    for m in AGENT_LINES:
        c.jmsg(m, t)
    c.add("ExecStart argv words equal to kept values", [],
          ["namespace: payments", "name: payments-vm", "/usr/local/bin/onboarding-agent", "Restart=on-failure"]
          + [m.split("\t", 1)[1] for m in AGENT_LINES], run=t)
    # paths that exist in the --root tree are kept (path-exists), in a config and in argv (redteam2: under --root the
    # check opened with O_PATH|O_NOCTTY, which openat2 refuses: every such path was redacted and scrubbed everywhere)
    t = "root-paths"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file("/etc/onboarding-agent/paths.yaml", "binary: /usr/local/bin/onboarding-agent\nstate: /var/lib/onboarding-agent\n",
           tree=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nExecStart=/usr/bin/env GODEBUG=x509sha1=1 "
           "/usr/local/bin/onboarding-agent\nRestart=on-failure\n", tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    c.file("/var/lib/onboarding-agent/.keep", "", tree=t)
    c.add("existing paths in a config and after env NAME=V in ExecStart", [],
          ["binary: /usr/local/bin/onboarding-agent", "state: /var/lib/onboarding-agent",
           "ExecStart=/usr/bin/env ", " /usr/local/bin/onboarding-agent\n"], run=t)
    # JSON literals in a JSON config: the file stays JSON, and null/true never become known values
    t = "root-json"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file("/etc/onboarding-agent/numbers.json",
           '{"n": 1e3, "m": -0.5, "big": 12345678901234567890, "none": null, "ok": false}', tree=t)
    c.add("JSON numbers and null in a .json config", [], ['"ok": false', '"m": -0.5', '"none": null'], run=t)
    # known values (redacted in a config) in other encodings in the journal
    t = "root-known"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    ks = [c.v(str(i)) for i in range(6)]
    c.file("/etc/onboarding-agent/known.yaml", "settings:\n" + "".join(f"  k{i}: {yq(v)}\n" for i, v in enumerate(ks)), tree=t)
    forms = [
        ("known value JSON-escaped with \\u (ensure_ascii)", "event " + json.dumps({"v": ks[0]})),
        ("known value form-encoded (+ for space)", "query q=" + urllib.parse.quote_plus(ks[1]) + "&x=1"),
        ("known value percent-encoded in lower case", "path /p/" + urllib.parse.quote(ks[2], safe="").lower()),
        ("known value base64url", "blob " + base64.urlsafe_b64encode(("u:" + ks[3]).encode()).decode().rstrip("=")),
        ("known value doubly JSON-escaped", "payload " + json.dumps(json.dumps({"v": ks[4]}))),
        ("known value with ANSI colour around", "\x1b[32mvalue\x1b[0m " + ks[5]),
    ]
    for (name, msg), v in zip(forms, ks):
        c.jmsg(msg, t)
        c.add(name, [v], [], run=t)
    # hosts whose first label holds a secret word keep their port in journal text (and the port never becomes a
    # known value that is then scrubbed from other lines)
    t = "root-hosts"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    for h in ("token-svc.corp.example.net", "auth.corp.example.net", "secret.corp.example.net", "auth-gw"):
        for m in (f"error\tagent\tdial tcp {h}:15443: connect: connection refused",
                  f"error\tagent\tconnecting to {h}:8443 failed",
                  f"error\tagent\tGet \"https://{h}:8443/v1/x\": dial tcp 10.0.0.5:8443: i/o timeout"):
            c.jmsg(m, t)
            c.add(f"port after a host named {h.split('.')[0]}", [], [m.split("\t", 2)[2]], run=t)
    # harmless journal text with secret-like words stays whole (the shipped rules read it)
    for m in ("RPC failed: transport: authentication handshake failed: x509: certificate is valid for "
              "auth.corp.example.net, token.corp.example.net, not onboard.corp.example.net",
              "x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" "
              "while trying to verify candidate authority certificate \"Secret Corp Root CA\")",
              "lookup secrets.corp.example.net on 10.20.0.2:53: no such host",
              "failed to obtain authorization to onboard using platform-specific credential procured by any of the plugins",
              "RPC failed: rpc error: code = Unauthenticated desc = token has expired (exp 2024-03-05T10:21:10Z)",
              "password authentication is disabled; using key-based auth from /etc/onboarding-agent/keys",
              "session 42 established with onboard.corp.example.net:15443 in 1.2s",
              "api key missing: set ONBOARDING_API_KEY or use a credential plugin"):
        c.journal.append([("MESSAGE", "error\tagent\t" + m)])
        c.add("harmless journal text with secret-like words", [], [m])
    # short known values (4-digit PINs) are scrubbed as whole tokens only, never inside numbers and timestamps
    t = "root-short"
    year = str(time.gmtime().tm_year)
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file("/etc/onboarding-agent/agent.config.yaml",
           f"kind: AgentConfiguration\nsettings:\n  pin: \"{year}\"\n  unlockPin: \"1234\"\n", tree=t)
    m = "error\tagent\tdial tcp 10.0.0.5:12345: connect: connection refused"
    c.jmsg(m, t)
    c.add("4-digit PINs (1234, the current year) inside numbers and timestamps", [],
          [m.split("\t", 2)[2], f'"time": "{year}-'], run=t)
    # short plain-word secrets equal to parts of names: removed as whole words only, never inside a longer
    # word, a dotted name, a path or a mapping key
    t = "root-words"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file("/etc/onboarding-agent/agent.config.yaml",
           "kind: AgentConfiguration\nsettings:\n  password: agent\n  token: onboarding\n  apiKey: sidecar\n"
           "sidecar:\n  istio:\n    revision: canary\n", tree=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nExecStart=/usr/local/bin/onboarding-agent --config "
           "/etc/onboarding-agent/onboarding.config.yaml\n", tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    m = "error\tagent\tRPC failed: rpc error: code = PermissionDenied desc = Not authorized by OnboardingPolicy"
    c.jmsg(m, t)
    c.add("short known values (agent, onboarding, sidecar) inside names, paths and keys", [],
          ["apiVersion: config.agent.onboarding.tetrate.io/v1alpha1", "onboardingEndpoint:", "sidecar:",
           "ExecStart=/usr/local/bin/onboarding-agent", "desc = Not authorized by OnboardingPolicy"], run=t)
    # ECS: over-redaction through labels and log options, leaks through proxy properties and tags
    e = [c.v(str(i)) for i in range(3)]
    c.ecs["ecs2-taskdef.json"] = {"taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/ratings:3", "family": "ratings",
        "networkMode": "awsvpc",
        "containerDefinitions": [{
            "name": "onboarding-agent", "image": "registry.corp.example.net/onboarding-agent:1.9", "essential": True,
            "environment": [{"name": "ONBOARDING_CONFIG", "value": json.dumps({
                "kind": "OnboardingConfiguration", "onboardingEndpoint": {"host": "onb.corp.example.net", "port": 15443},
                "workloadGroup": {"namespace": "bookinfo", "name": "ratings"}})}],
            "dnsServers": ["10.0.0.2"],
            "dockerLabels": {"team": "bookinfo"},
            "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "datadog", "dd_service": "ratings",
                                                                           "apikey": e[0]}}}],
        "proxyConfiguration": {"type": "APPMESH", "containerName": "envoy",
                               "properties": [{"name": "ProxyIngressPort", "value": "15000"},
                                              {"name": "AuthToken", "value": e[1]}]}},
        "tags": [{"key": "owner", "value": "team-a"}, {"key": "api-token", "value": e[2]}]}
    c.add("ecs labels/log options equal to the workload group", [e[0]],
          ["namespace: bookinfo", "name: ratings", "10.0.0.2", "ProxyIngressPort", "15000"], run="ecs2")
    c.add("ecs proxyConfiguration.properties AuthToken", [e[1]], [], run="ecs2")
    a = [c.v(f"ecsarg{i}") for i in range(4)]
    if c.kind == "passphrase":
        a = [x.replace(" ", "-") for x in a]
    cd = c.ecs["ecs2-taskdef.json"]["taskDefinition"]["containerDefinitions"][0]
    cd["command"] = ["--licencia", a[0], "--clave=" + a[1], "-k", a[2]]
    cd["entryPoint"] = ["sh", "-c", f"CLAVE={a[3]} exec /usr/local/bin/onboarding-agent"]
    for nm, v in zip(["--licencia VALUE", "--clave=VALUE", "-k VALUE", "sh -c CLAVE=VALUE"], a):
        c.add(f"ecs command/entryPoint {nm}", [v], [], run="ecs2")
    c.add("ecs task definition tags api-token", [e[2]], [], run="ecs2")
    # free text: names nobody listed, in NAME=VALUE (journal and --log-file plain)
    for name in ["pw", "privkey", "hmac", "nonce", "csrf", "refresh", "totp", "pincode", "recovery_code",
                 "activation_code", "encryption_iv", "VAULT_ROLE_ID", "contraseña", "clave", "senha", "lösenord",
                 "hasło", "пароль", "口令", "비밀번호", "parola", "şifre", "токен", "密钥", "トークン"]:
        for target in ("journal", "plain"):
            v = c.v(name)
            if c.kind == "passphrase":
                v = v.replace(" ", "-")
            msg = f"warn\tagent\tsettings {name}={v} applied"
            if target == "journal":
                c.journal.append([("MESSAGE", msg)])
            else:
                c.logs["plain"].append(msg)
            c.add(f"{target}: free text {name}=VALUE", [v], [], run="root" if target == "journal" else "log-plain")


# redteam3 (2026-12-01): free-text forms neither LINES nor gen-corpus.py has
LINES3 = [
    # other languages, free text
    ("it parola d'ordine", "accesso negato: la parola d'ordine è {s}", False),
    ("it chiave segreta=", "configurazione: chiave_segreta={s}", False),
    ("it chiave API:", "errore: chiave API: {s} non valida", False),
    ("pl tajny klucz:", "błąd logowania, tajny klucz: {s}", False),
    ("pl klucz_api=", "konfiguracja klucz_api={s} wczytana", False),
    ("nl geheime sleutel:", "aanmelden mislukt, geheime sleutel: {s}", False),
    ("nl toegangstoken=", "verbinding: toegangstoken={s}", False),
    ("nl wachtwoord is", "inloggen mislukt: wachtwoord is {s}", False),
    ("es clave de acceso:", "fallo de autenticación, clave de acceso: {s}", False),
    ("es clave secreta=", "config: clave_secreta={s}", False),
    ("pt palavra-chave:", "falha no login, palavra-chave: {s}", False),
    ("pt chave secreta=", "configuração: chave_secreta={s}", False),
    ("pt senha do banco:", "erro: senha do banco: {s}", False),
    ("de Kennwort lautet", "Anmeldung: das Kennwort lautet {s}", False),
    ("de Geheimnis=", "Konfiguration: Geheimnis={s}", False),
    ("de Zugangsschlüssel:", "Fehler, Zugangsschlüssel: {s}", False),
    ("fr jeton=", "authentification: jeton={s}", False),
    ("fr jeton d'accès :", "échec : jeton d'accès : {s}", False),
    ("fr clé secrète=", "configuration: clé_secrète={s}", False),
    ("ru секрет=", "ошибка: секрет={s}", False),
    ("ru ключ API:", "ошибка: ключ API: {s}", False),
    ("uk пароль:", "помилка входу, пароль: {s}", False),
    ("cs heslo:", "přihlášení selhalo, heslo: {s}", False),
    ("hu jelszó:", "bejelentkezés sikertelen, jelszó: {s}", False),
    ("ro parolă:", "autentificare eșuată, parolă: {s}", False),
    ("sv lösenord:", "inloggning misslyckades, lösenord: {s}", False),
    ("fi salasana=", "kirjautuminen: salasana={s}", False),
    ("da adgangskode:", "login fejlede, adgangskode: {s}", False),
    ("no passord:", "innlogging feilet, passord: {s}", False),
    ("id kata sandi:", "gagal masuk, kata sandi: {s}", False),
    ("vi mật khẩu:", "đăng nhập thất bại, mật khẩu: {s}", False),
    ("fa رمز عبور:", "ورود ناموفق، رمز عبور: {s}", False),
    ("ja 暗証番号:", "認証失敗 暗証番号: {s}", False),
    ("ja 秘密鍵=", "設定 秘密鍵={s}", False),
    ("zh-tw 密碼:", "登入失敗 密碼: {s}", False),
    ("ko 암호=", "로그인 실패 암호={s}", False),
    ("el συνθηματικό:", "αποτυχία σύνδεσης, συνθηματικό: {s}", False),
    ("he סיסמה:", "התחברות נכשלה, סיסמה: {s}", False),
    ("ar كلمة المرور:", "فشل تسجيل الدخول، كلمة المرور: {s}", False),
    ("hi पासवर्ड:", "लॉगिन विफल, पासवर्ड: {s}", False),
    ("th รหัสผ่าน:", "เข้าสู่ระบบล้มเหลว รหัสผ่าน: {s}", False),
    ("tr parola:", "giriş başarısız, parola: {s}", False),
    # log formats
    ("logrus msg with password inside", 'time="2026-11-30T10:00:00Z" level=warning msg="login failed for app with password {s}"', False),
    ("zap console JSON fields", '2026-11-30T10:00:00.000Z\tINFO\tagent/main.go:42\tloaded config\t{{"user": "app", "dbPassword": "{s}"}}', True),
    ("klog structured token=", 'I1130 10:00:00.000000    4242 main.go:42] "Loaded config" user="app" token="{s}"', True),
    ("klog unstructured", 'I1130 10:00:00.000000    4242 main.go:42] using bearer token {s} for the API server', False),
    ("Java toString single quotes", "DataSourceConfig{{url='jdbc:postgresql://db:5432/app', username='app', password='{s}', poolSize=10}}", True),
    ("Lombok toString", "DataSourceProperties(url=jdbc:postgresql://db:5432/app, username=app, password={s}, driver=org.postgresql.Driver)", False),
    ("Java stack trace cause", "Caused by: java.lang.IllegalStateException: bad credentials for user app (secret={s})", False),
    ("Python dict repr", "settings: {{'user': 'app', 'password': '{s}', 'port': 5432}}", True),
    ("Python kwargs repr", "Config(user='app', api_key='{s}', timeout=30)", True),
    ("Python bytes repr", "auth header b'Bearer {s}'", False),
    ("Go %#v struct", 'cfg: &main.Config{{Host:"db", Password:"{s}", Port:5432}}', True),
    ("Go %v map", "creds: map[password:{s} user:app]", False),
    ("Ruby hash", 'params: {{"user"=>"app", "password"=>"{s}"}}', True),
    ("Ruby symbol hash", "params: {{:user=>\"app\", :password=>\"{s}\"}}", True),
    ("PHP var_dump", '["password"]=> string(14) "{s}"', True),
    ("Perl Data::Dumper", "$VAR1 = {{ 'password' => '{s}', 'user' => 'app' }};", True),
    ("Elixir keyword", "opts: [username: \"app\", password: \"{s}\", hostname: \"db\"]", True),
    ("nginx access log query code=", '10.0.0.1 - - [30/Nov/2026:10:00:00 +0000] "GET /oauth/callback?code={u}&state=af0ifjsldkj HTTP/1.1" 302 0 "-" "curl/8.0"', True),
    ("nginx access log query apikey=", '10.0.0.1 - - [30/Nov/2026:10:00:00 +0000] "GET /v1/items?apikey={u} HTTP/1.1" 200 12', True),
    ("nginx access log query key=", '10.0.0.1 - - [30/Nov/2026:10:00:00 +0000] "GET /maps/api/geocode/json?address=x&key={u} HTTP/1.1" 200 12', True),
    ("envoy access log client_secret=", '[2026-11-30T10:00:00.000Z] "POST /oauth/token?grant_type=client_credentials&client_id=agent&client_secret={u} HTTP/2" 200 - 0 512', True),
    ("HTTP form body", "> POST /oauth/token HTTP/1.1\n> Content-Type: application/x-www-form-urlencoded\n>\n> grant_type=password&username=agent&password={u}", True),
    ("HTTP request dump Cookie JSESSIONID", "GET /app HTTP/1.1\nHost: app.corp.example.net\nCookie: JSESSIONID={s}\n", False),
    ("Authorization Digest response=", 'Authorization: Digest username="agent", realm="corp", nonce="dcd98b7102dd2f0e", uri="/", response="{s}"', True),
    ("Authorization AWS4 Signature=", "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261130/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature={s}", False),
    ("Authorization Token token=", 'Authorization: Token token="{s}"', True),
    ("Authorization SSWS", "Authorization: SSWS {s}", False),
    ("Authorization ApiKey", "Authorization: ApiKey {s}", False),
    ("Authorization Negotiate", "Authorization: Negotiate {s}", False),
    ("Authorization SharedKey", "Authorization: SharedKey myaccount:{s}", False),
    ("Ocp-Apim-Subscription-Key header", "Ocp-Apim-Subscription-Key: {s}", False),
    ("X-Consul-Token header", "X-Consul-Token: {s}", False),
    ("DD-API-KEY header", "DD-API-KEY: {s}", False),
    ("X-Honeycomb-Team header", "X-Honeycomb-Team: {s}", False),
    ("X-Sentry-Auth header", "X-Sentry-Auth: Sentry sentry_version=7, sentry_key={s}, sentry_client=go", False),
    ("X-Hub-Signature-256", "X-Hub-Signature-256: sha256={s}", False),
    ("X-JFrog-Art-Api header", "X-JFrog-Art-Api: {s}", False),
    ("X-Gitlab-Token header", "X-Gitlab-Token: {s}", False),
    ("Go JSON \\u0026 query", '{{"level":"info","url":"https://app.corp.example.net/cb?state=x\\u0026access_token={u}"}}', True),
    ("HTML-escaped JSON", "response: {{&quot;password&quot;:&quot;{s}&quot;}}", True),
    ("HTML entity =", "form: password&#61;{s}&amp;user=app", False),
    ("quoted-printable =3D", "mail body: password=3D{s}=0A", False),
    ("\\x3d escape", "raw: password\\x3d{s}", False),
    # CLI tools in shell traces (set -x)
    ("kubectl --from-literal", "+ kubectl create secret generic db --from-literal=DB_PASS={s} -n payments", False),
    ("kubectl --from-literal unlisted key", "+ kubectl create secret generic reg --from-literal=clave={s}", False),
    ("helm --set rootPassword", "+ helm upgrade --install db bitnami/postgresql --set auth.postgresPassword={s} --set image.tag=15", False),
    ("helm --set apiKey", "+ helm upgrade agent ./chart --set secrets.apiKey={s}", False),
    ("vault write secret_id", "+ vault write auth/approle/login role_id=1f2e3d secret_id={s}", False),
    ("vault login password=", "+ vault login -method=userpass username=agent password={s}", False),
    ("vault kv put", "+ vault kv put secret/agent token={s}", False),
    ("aws configure set secret", "+ aws configure set aws_secret_access_key {s}", False),
    ("aws configure set profile secret", "+ aws configure set default.aws_secret_access_key {s}", False),
    ("az login -p", "+ az login --service-principal -u 0e5b1c1a-agent -p {s} --tenant corp", False),
    ("az --password", "+ az login --username agent@corp --password {s}", False),
    ("gcloud --access-token", "+ gcloud storage ls --access-token={s}", False),
    ("psql keyword DSN", "+ psql \"host=db.corp.example.net user=app password={s} dbname=app\"", False),
    ("sqlcmd -P", "+ sqlcmd -S db.corp.example.net -U sa -P {s} -Q 'select 1'", False),
    ("ipmitool -P", "+ ipmitool -I lanplus -H 10.1.2.9 -U admin -P {s} power status", False),
    ("mysqladmin --password=", "+ mysqladmin -u root --password={s} status", False),
    ("mongosh --password", "+ mongosh --username admin --password {s} mongodb://db:27017", False),
    ("keytool -storepass", "+ keytool -importkeystore -srckeystore a.p12 -srcstorepass {s} -destkeystore b.jks", False),
    ("keytool -keypass", "+ keytool -genkeypair -alias agent -keypass {s} -keystore a.jks", False),
    ("htpasswd -b", "+ htpasswd -b -c /etc/nginx/.htpasswd admin {s}", False),
    ("ssh-keygen -N", "+ ssh-keygen -t ed25519 -N {s} -f /root/.ssh/id_agent", False),
    ("gpg --passphrase", "+ gpg --batch --passphrase {s} --decrypt creds.gpg", False),
    ("7z -p", "+ 7z x -p{s} backup.7z", False),
    ("zip -P", "+ zip -P {s} -r backup.zip /etc/onboarding-agent", False),
    ("unzip -P", "+ unzip -P {s} backup.zip", False),
    ("rclone secret_access_key", "+ rclone config create s3 s3 access_key_id AKIAIOSFODNN7EXAMPLE secret_access_key {s}", False),
    ("restic RESTIC_PASSWORD", "+ RESTIC_PASSWORD={s} restic -r s3:s3.amazonaws.com/bkt backup /etc", False),
    ("openssl -pass pass:", "+ openssl enc -aes-256-cbc -pass pass:{s} -in a -out b", False),
    ("openssl -k", "+ openssl enc -aes-256-cbc -k {s} -in a -out b", False),
    ("wget --http-password", "+ wget --http-user=agent --http-password={s} https://repo.corp.example.net/a", False),
    ("smbclient user%pass", "+ smbclient //fs/share -U agent%{s}", False),
    ("mount cifs password=", "+ mount -t cifs //fs/share /mnt -o username=agent,password={s},vers=3.0", False),
    ("chpasswd", "+ echo agent:{s} | chpasswd", False),
    ("rabbitmqctl add_user", "+ rabbitmqctl add_user agent {s}", False),
    ("net use /user", "net use \\\\fs\\share {s} /user:CORP\\agent", False),
    ("terraform -var", "+ terraform apply -var db_password={s} -auto-approve", False),
    ("ansible extra-vars become_pass", "+ ansible-playbook site.yml --extra-vars ansible_become_pass={s}", False),
    ("mc alias set", "+ mc alias set s3 https://s3.corp.example.net AKIAIOSFODNN7EXAMPLE {s}", False),
    ("nmcli wifi psk", "+ nmcli con modify corp-wifi wifi-sec.psk {s}", False),
    ("wpa_supplicant psk=", "wpa_supplicant: network={{ ssid=\"corp\" psk=\"{s}\" }}", True),
    ("ipsec.secrets PSK", ": PSK \"{s}\"", True),
    ("WireGuard PrivateKey =", "wg: PrivateKey = {s}", False),
    ("WireGuard PresharedKey =", "wg: PresharedKey = {s}", False),
    ("redis-cli --pass", "+ redis-cli -h cache --pass {s} ping", False),
    ("docker run -e", "+ docker run -e DB_PASSWORD={s} -e LOG_LEVEL=debug app:1", False),
    ("java -D spring password", "+ java -Dspring.datasource.password={s} -jar app.jar", False),
    ("dotnet user-secrets set", "+ dotnet user-secrets set \"Db:Password\" \"{s}\"", True),
    ("curl --data password", "+ curl -sS --data 'username=agent&password={u}' https://sso.corp.example.net/login", True),
    ("curl -d JSON", "+ curl -d '{{\"client_secret\":\"{s}\"}}' https://sso.corp.example.net/token", True),
    ("curl --oauth2-bearer", "+ curl --oauth2-bearer {s} https://api.corp.example.net/v1", False),
    ("vault token hvs.", "+ export VAULT_TOKEN=hvs.{s}", False),
    ("shadow hash $6$", "user entry: agent:$6$rounds=5000$saltsalt${s}:19000:0:99999:7:::", False),
    ("htpasswd apr1 hash", "htpasswd: admin:$apr1$r31.....${s}", False),
    ("password: in parentheses", "auth failed (user=app, pass={s})", False),
    ("pass= logfmt", "level=error msg=\"db auth\" user=app pass={s}", False),
    ("pwd: in YAML-ish log", "db: {{user: app, pwd: {s}}}", False),
    ("passphrase=", "unlocking key with passphrase={s}", False),
    ("apikey query in a Go error", 'Get "https://api.corp.example.net/v1/x?apikey={u}": dial tcp 10.0.0.9:443: i/o timeout', True),
]


def plant_redteam3(c):
    """redteam3 (2026-12-01): forms neither gen-corpus.py nor the sections above have."""
    # free text: other languages, log formats of other runtimes, CLI tools traced by a shell (set -x) in an
    # ExecStartPre= script, HTTP dumps, odd encodings: in the journal and in a --log-file
    for name, tmpl, spaces in LINES3:
        for target in ("journal", "plain"):
            s = c.v("l3" + target)
            if c.kind == "passphrase" and not spaces:
                s = s.replace(" ", "-")
            msg, planted = render(c, tmpl, s, target)
            if target == "journal":
                c.journal.append([("MESSAGE", msg)])
            else:
                c.logs[target].append(msg)
            c.add(f"{target}: {name}", planted, [], run="root" if target == "journal" else "log-" + target)
    # config files of other shapes (tree of their own: an over-redaction there hides nothing else)
    t = "root-rt3"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    v = c.v("bare")
    c.file("/etc/onboarding-agent/bootstrap.yaml", f"{v}\n", tree=t)
    c.add("YAML file that is one bare scalar", [v], [], run=t)
    v = c.v("jstr")
    c.file("/etc/onboarding-agent/bootstrap.json", json.dumps(v) + "\n", tree=t)
    c.add("JSON file that is one string", [v], [], run=t)
    v = c.v("list")
    c.file("/etc/onboarding-agent/allow.yaml", f"allowedClients:\n- {yq(v)}\n- other\n", tree=t)
    c.add("YAML list of bare scalars", [v], [], run=t)
    v = c.v("mkey")
    if c.kind == "passphrase":
        v = v.replace(" ", "-")
    c.file("/etc/onboarding-agent/clients.yaml", f"clients:\n  {v}: admin\n  retries: 3\n", tree=t)
    c.add("secret as a mapping key under a plain key (clients:)", [v], ["retries: 3"], run=t)
    v = c.v("tag")
    c.file("/etc/onboarding-agent/tagged.yaml", f"settings:\n  vaultRef: !vault {yq(v)}\n  blob: !!binary {b64(v)}\n",
           tree=t)
    c.add("YAML local tag !vault and !!binary", [v], [], run=t)
    v1, v2 = c.v("bs1"), c.v("bs2")
    c.file("/etc/onboarding-agent/blocks.yaml",
           f"settings:\n  a: |2-\n      {v1}\n  b: >+\n    {v2}\n\n  port: 9494\n", tree=t)
    c.add("block scalars with indentation and chomping indicators", [v1, v2], ["9494"], run=t)
    v = c.v("plainml")
    c.file("/etc/onboarding-agent/plainml.yaml", f"settings:\n  password: first\n    {v}\n  port: 9595\n", tree=t)
    c.add("multi-line plain scalar (secret on the continuation line)", [v], ["9595"], run=t)
    v = c.v("hashq")
    c.file("/etc/onboarding-agent/hashq.yaml", f"settings:\n  note: \"a # {v}\"\n", tree=t)
    c.add("quoted value holding a #", [v], [], run=t)
    tc = "root-rt3c"     # JSON files with comments: they never parsed, so the bundle's copy need not either
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=tc)
    v = c.v("jsonc")
    c.file("/etc/onboarding-agent/jsonc.json", "{\n  // token " + v + "\n  \"retries\": 3\n}\n", tree=tc)
    c.add("JSON with a // comment (does not parse)", [v], [], run=tc)
    v = c.v("jsonc2")
    c.file("/etc/onboarding-agent/jsonc2.json", "{\n  /* old key: " + v + " */\n  \"retries\": 3\n}\n", tree=tc)
    c.add("JSON with a /* */ comment (does not parse)", [v], [], run=tc)
    v = c.v("flowseq")
    c.file("/etc/onboarding-agent/flowseq.yaml", f"users: [{{name: a, password: {yq(v)}}}, {{name: b}}]\n", tree=t)
    c.add("flow maps inside a flow sequence", [v], [], run=t)
    e = [c.v(f"env{i}") for i in range(6)]
    q = [x.replace(" ", "-") if c.kind == "passphrase" else x for x in e]
    c.file("/etc/onboarding-agent/more.env",
           f"API_KEY = {q[0]}\n"
           f"CLAVE: {q[1]}\n"
           f"set -a\nTOKEN2=\"${{PREFIX}}:{e[2]}\"\n"
           f"PRIVATE_KEY='line1\n{e[3]}\nline3'\n"
           f"export NOTE=$'tab\\t{q[4]}'\n"
           f"OPTS=\"--user app --password {q[5]}\"\n"
           "LOG_LEVEL=info\n", tree=t)
    for nm, v in zip(["NAME = VALUE (blanks around =)", "NAME: VALUE", "${VAR}:VALUE in quotes",
                      "single-quoted value over three lines", "$'...' ANSI-C quoting", "--password inside a value"], e):
        c.add(f"env file: {nm}", [v], ["LOG_LEVEL=info"], run=t)
    d = f"/etc/systemd/system/{UNIT}.d"
    u = [c.v(f"unit{i}") for i in range(8)]
    w = [x.replace(" ", "-") if c.kind == "passphrase" else x for x in u]
    c.file(f"/etc/systemd/system/{UNIT}", "[Unit]\nDescription=Workload Onboarding Agent\n"
           f"Documentation=https://wiki.corp.example.net/agent?token={urllib.parse.quote(u[0], safe='')}\n"
           "[Service]\nExecStart=/usr/local/bin/onboarding-agent\n"
           f"ExecStartPre=!/usr/local/bin/prep --clave {w[1]}\n"
           f"ExecCondition=/usr/local/bin/check --licencia={w[2]}\n"
           f"ExecReload=/bin/sh -c 'kill -HUP $MAINPID; echo {w[3]} > /run/x'\n"
           "SetCredentialEncrypted=enrol: \\\n"
           f"        k6iUCUh0RJCQyvL8k8q1UyAAAAABAAAADAAAABAAAAC{b64(u[4])} \\\n"
           f"        {b64('tail' + u[4])}\n"
           "Restart=on-failure\n"
           "[Install]\nWantedBy=multi-user.target\n", tree=t)
    for nm, v in zip(["Documentation= URL with ?token=", "ExecStartPre=! prefix --clave V",
                      "ExecCondition= --licencia=V", "ExecReload= sh -c echo V"], u):
        c.add(f"unit {nm}", [v], ["Restart=on-failure", "WantedBy=multi-user.target"], run=t)
    c.add("unit SetCredentialEncrypted= over continuation lines (systemd-creds --pretty)", [u[4]], [], run=t)
    c.file(d + "/40-rt3.conf", "[Service]\n"
           f"Environment=\"OPTS=-Dspring.datasource.password={w[5]} -Xmx1g\"\n"
           f"StandardInputText={u[6]}\nStandardInputText=second line\n"
           f"LoadCredential=dbpass:{w[7]}\n", tree=t)
    c.add("drop-in Environment= holding -D...password=V", [u[5]], ["OPTS="], run=t)
    c.add("drop-in StandardInputText= repeated", [u[6]], [], run=t)
    c.add("drop-in LoadCredential=ID:VALUE (SetCredential= meant; the value is no path)", [w[7]], ["LoadCredential=dbpass:"],
          run=t)
    # needed values with secret-like words in names and error texts (tree of their own)
    t = "root-rt3n"
    c.file("/etc/onboarding-agent/onboarding.config.yaml",
           "apiVersion: config.agent.onboarding.tetrate.io/v1alpha1\nkind: OnboardingConfiguration\n"
           "onboardingEndpoint:\n  host: auth-gateway.corp.example.net\n  port: 15443\n"
           "workloadGroup:\n  namespace: auth\n  name: secrets-api\n"
           "workload:\n  labels:\n    app: token-service\n", tree=t)
    c.add("workload group and endpoint named auth/secrets/token", [],
          ["host: auth-gateway.corp.example.net", "namespace: auth", "name: secrets-api", "app: token-service"], run=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nExecStart=/usr/local/bin/onboarding-agent "
           "--auth-server auth.corp.example.net:8443 --token-file /var/run/secrets/tokens/agent-token "
           "--secret-name onboarding-token\n"
           "Environment=AUTH_HOST=auth.corp.example.net TOKEN_ENDPOINT=https://auth.corp.example.net/realms/prod\n"
           "Restart=on-failure\n", tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    for nm, v in (("--auth-server HOST:PORT", "--auth-server auth.corp.example.net:8443"),
                  ("--token-file PATH", "--token-file /var/run/secrets/tokens/agent-token"),
                  ("--secret-name NAME", "--secret-name onboarding-token"),
                  ("AUTH_HOST=HOST", "AUTH_HOST=auth.corp.example.net"),
                  ("TOKEN_ENDPOINT=URL", "TOKEN_ENDPOINT=https://auth.corp.example.net/realms/prod")):
        c.add(f"unit needed: {nm}", [], [v], run=t)
    c.file("/etc/hosts", "127.0.0.1 localhost\n10.0.0.9 secrets.corp.example.net token-issuer auth\n", tree=t)
    c.file("/etc/resolv.conf", "nameserver 10.20.0.2\nnameserver 10.20.0.3\nsearch auth.corp.example.net\n"
           "options timeout:2 attempts:3\n", tree=t)
    c.file("/etc/systemd/resolved.conf", "[Resolve]\nDNS=10.20.0.2#dns.corp.example.net\nDNSOverTLS=opportunistic\n"
           "Domains=~corp.example.net\n", tree=t)
    for v in ("10.0.0.9 secrets.corp.example.net token-issuer auth", "nameserver 10.20.0.2", "search auth.corp.example.net",
              "Domains=~corp.example.net"):
        c.add("resolver needed: hosts named secrets/token/auth", [], [v], run=t)
    c.add("resolver needed: resolved.conf DNS=IP#SNI (a '#' inside a value is no comment)", [],
          ["DNS=10.20.0.2#dns.corp.example.net"], run=t)
    needed3 = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf from secrets manager: RequestCanceled",
        "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/payments-task/3a15 is not authorized "
        "to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        "pq: password authentication failed for user \"app\"",
        "secrets \"onboarding-token\" is forbidden: User \"system:serviceaccount:payments:agent\" cannot get resource "
        "\"secrets\" in API group \"\" in the namespace \"payments\"",
        "secret \"onboarding-bootstrap-token\" not found",
        "oauth2: cannot fetch token: 401 Unauthorized",
        "failed to read token file /var/run/secrets/tokens/istio-token: no such file or directory",
        "dial tcp: lookup secretsmanager.us-east-1.amazonaws.com on 10.20.0.2:53: no such host",
        "Get \"https://token.actions.corp.example.net:8443/.well-known/openid-configuration\": x509: certificate has expired",
        "tls: failed to verify certificate: x509: certificate is valid for auth-proxy.corp.example.net, not onboard.corp.example.net",
        "connecting to vault-token-issuer.corp.example.net:8200 (attempt 3)",
        "token_type=Bearer expires_in=3600 scope=onboarding",
        "auth_method=aws-ec2 plugin=aws-ec2-credential",
        "JWT issuer \"https://issuer.corp.example.net\" does not match \"https://auth.corp.example.net/realms/prod\"",
        "workload group auth/secrets-api not found in the onboarding plane",
        "password expired for user app; run passwd to change it",
        "secretsManager=aws tokenRefreshBefore=300s authMode=mtls",
        "session token expired at 2026-11-30T10:00:00Z; refreshing",
        '10.0.0.7 - - [30/Nov/2026:10:00:00 +0000] "POST /oauth2/token HTTP/1.1" 401 0 "-" "onboarding-agent/1.9"',
    )
    for m in needed3:
        c.jmsg("error\tagent\t" + m, t)
        c.add("needed error text: " + m[:48], [], [m], run=t)
    # ECS inputs of other shapes
    e = [c.v(f"ecs3{i}") for i in range(8)]
    a = [x.replace(" ", "-") if c.kind == "passphrase" else x for x in e]
    c.ecs["ecs3-taskdef.json"] = {"taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/orders:4", "family": "orders",
        "networkMode": "awsvpc",
        "containerDefinitions": [{
            "name": "onboarding-agent", "image": "registry.corp.example.net/onboarding-agent:1.9", "essential": True,
            "environment": [{"name": "ONBOARDING_CONFIG", "value": json.dumps({
                "kind": "OnboardingConfiguration", "onboardingEndpoint": {"host": "onb.corp.example.net", "port": 15443},
                "workloadGroup": {"namespace": "orders", "name": "orders-vm"}})},
                {"name": "JAVA_TOOL_OPTIONS", "value": f"-Djavax.net.ssl.trustStorePassword={a[0]} -Xmx512m"}],
            "extraHosts": [{"hostname": "db.corp.example.net", "ipAddress": "10.0.0.9"}],
            "dnsServers": ["10.0.0.2", "10.0.0.3"],
            "healthCheck": {"command": ["CMD", "/usr/local/bin/check", "--clave", a[1]], "interval": 30},
            "dockerLabels": {"traefik.http.middlewares.auth.basicauth.users": "admin:$apr1$r31.....$" + a[2]},
            "firelensConfiguration": {"type": "fluentbit", "options": {"http_passwd": a[3]}},
            "command": ["sh", "-c", f"mysql -u app -p{a[4]} -h db.corp.example.net < /init.sql && exec agent"]}],
        "volumes": [{"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678",
                                                               "authorizationConfig": {"accessPointId": "fsap-1234"}}}]}}
    c.ecs["ecs3-tasks.json"] = {"tasks": [{
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/orders/9b2c1d", "lastStatus": "STOPPED",
        "stopCode": "TaskFailedToStart",
        "stoppedReason": "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
                         "retrieval failed: unable to retrieve secret from asm",
        "attachments": [{"type": "ElasticNetworkInterface", "status": "DELETED",
                         "details": [{"name": "privateIPv4Address", "value": "10.0.1.5"},
                                     {"name": "subnetId", "value": "subnet-0abc"}]}],
        "overrides": {"containerOverrides": [{"name": "onboarding-agent",
                                              "environment": [{"name": "LICENCIA", "value": a[5]}]}]},
        "containers": [{"name": "onboarding-agent", "lastStatus": "STOPPED", "exitCode": 1,
                        "reason": f"CannotStartContainerError: Error response from daemon: failed to create shim task: "
                                  f"exec: \"agent --licencia {a[6]}\": no such file"}]}],
        "failures": []}
    for nm, v in zip(["JAVA_TOOL_OPTIONS -D...trustStorePassword=V", "healthCheck CMD --clave V",
                      "dockerLabels traefik basicauth users (apr1 hash)", "firelens options http_passwd",
                      "command sh -c mysql -pV"], a):
        c.add(f"ecs3 task definition: {nm}", [v], [], run="ecs3")
    c.add("ecs3 needed values", [], ["db.corp.example.net", "10.0.0.9", "10.0.0.2", "orders-vm",
                                     "ResourceInitializationError: unable to pull secrets or registry auth",
                                     "10.0.1.5", "TaskFailedToStart"], run="ecs3")
    c.add("ecs3 describe-tasks overrides LICENCIA", [a[5]], [], run="ecs3")
    c.add("ecs3 describe-tasks container reason --licencia V", [a[6]], [], run="ecs3")


# redteam3, second batch: (name, template, spaces-safe); in the journal, a plain --log-file, docker and CloudWatch
LINES3B = [
    ("Go http.Header dump", "request headers: map[Authorization:[Bearer {s}] Content-Type:[application/json]]", False),
    ("Go http.Header Cookie", "headers=map[Cookie:[session={s}] User-Agent:[Go-http-client/1.1]]", False),
    ("OAuth token response JSON", '{{"access_token":"{s}","token_type":"Bearer","expires_in":3600}}', True),
    ("OAuth refresh_token JSON", '{{"token_type":"Bearer","refresh_token":"{s}","scope":"onboarding"}}', True),
    ("kubectl get secret -o yaml data", "apiVersion: v1\ndata:\n  password: {b64s}\n  username: YWRtaW4=\nkind: Secret", False),
    ("kubectl get secret .dockerconfigjson", "data:\n  .dockerconfigjson: {dockercfg}\ntype: kubernetes.io/dockerconfigjson", False),
    ("bash export -p", 'declare -x CLAVE="{s}"', True),
    ("bash export -p LICENCIA", 'declare -x LICENCIA="{s}"', True),
    ("C# anonymous ToString", "settings: {{ Password = {s}, User = app }}", False),
    ("Rust Debug struct", 'Config {{ user: "app", password: "{s}", port: 5432 }}', True),
    ("Java Properties print", "props: {{server.port=8080, spring.datasource.password={s}, spring.profiles.active=prod}}", False),
    ("Kafka sasl.jaas.config", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"agent\" password=\"{s}\";", True),
    ("aws ssm put-parameter --value", "+ aws ssm put-parameter --name /agent/db --value {s} --type SecureString --overwrite", False),
    ("az keyvault secret set --value", "+ az keyvault secret set --vault-name corp-kv --name db-password --value {s}", False),
    ("gh secret set --body", "+ gh secret set DEPLOY_KEY --body {s} --repo corp/agent", False),
    ("vault kv put value=", "+ vault kv put secret/agent/db value={s}", False),
    ("consul kv put path/password V", "+ consul kv put config/agent/db/password {s}", False),
    ("npm config set _authToken", "+ npm config set //registry.corp.example.net/:_authToken {s}", False),
    ("yarn config set npmAuthToken", "+ yarn config set npmAuthToken {s}", False),
    ("lftp -u user,pass", "+ lftp -u agent,{s} sftp://files.corp.example.net", False),
    ("xfreerdp /p:", "+ xfreerdp /u:agent /p:{s} /v:win.corp.example.net", False),
    ("cmdkey /pass:", "cmdkey /add:srv.corp.example.net /user:agent /pass:{s}", False),
    ("sc.exe password= V", "sc.exe config OnboardingAgent obj= CORP\\agent password= {s}", False),
    ("PowerShell ConvertTo-SecureString", "$p = ConvertTo-SecureString '{s}' -AsPlainText -Force", True),
    ("psexec -p", "psexec \\\\srv -u agent -p {s} cmd", False),
    ("openssl passwd", "+ openssl passwd -6 {s}", False),
    ("mysqldump -pV glued", "+ mysqldump -uroot -p{s} app > /backup/app.sql", False),
    ("sshpass -pV glued", "+ sshpass -p{s} ssh agent@bastion", False),
    ("influx -password", "+ influx -username admin -password {s} -execute 'SHOW DATABASES'", False),
    ("mongo URI in --uri", "+ mongodump --uri mongodb://admin:{u}@db.corp.example.net:27017/app", True),
    ("sudo COMMAND= with --password", "sudo: agent : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/tool --password {s}", False),
    ("git credential fill output", "protocol=https\nhost=git.corp.example.net\nusername=agent\npassword={s}", False),
    ("systemd-creds cat", "+ systemd-creds cat dbpass\n{s}", False),
    ("ANSI-colored key=value", "\x1b[36mpassword\x1b[0m=\x1b[33m{s}\x1b[0m", False),
    ("key in brackets [password]", "[password] {s}", False),
    ("INI [auth] section", "[auth]\nkey = {s}\n[log]\nlevel = info", False),
    ("Spring Boot env /actuator JSON", '{{"name":"spring.datasource.password","value":"{s}","origin":"System Environment Property"}}', True),
    ("YAML flow map inline", "config: {{user: app, pass: {s}, port: 5432}}", False),
    ("URL-encoded whole JSON", "payload=%7B%22password%22%3A%22{u}%22%7D", True),
    ("double-URL-encoded", "next=https%3A%2F%2Fapp%2Fcb%3Ftoken%3D{u}", True),
    ("base64 of key=value", "blob: {b64kv}", False),
    ("JSON with single-quoted keys", "{{'client_secret': '{s}', 'grant_type': 'client_credentials'}}", True),
    ("Authorization header lower in JSON", '{{"headers":{{"authorization":"Bearer {s}","accept":"*/*"}}}}', True),
    ("secret after 'with'", "logging in as agent with password {s} failed", False),
    ("Cookie header, session cookie not the first", "Cookie: lang=en; sid={s}; theme=dark", False),
    ("password prompt echo", "Password for user agent: {s}", False),
    ("Enter passphrase echo", "Enter passphrase for /root/.ssh/id_rsa: {s}", False),
]


def render3b(s, tmpl):
    extra = {"u": urllib.parse.quote(s, safe=""), "b64s": b64(s), "b64kv": b64("password=" + s),
             "dockercfg": b64(json.dumps({"auths": {"registry.corp.example.net": {"auth": b64("agent:" + s)}}}))}
    return tmpl.format(s=s, **extra)


def plant_redteam3b(c):
    """redteam3, second batch: more runtimes and tools, docker and CloudWatch log records, journal fields, needed
    values in configs and units, an ECS service description."""
    for name, tmpl, spaces in LINES3B:
        for target in ("journal", "plain", "docker", "aws"):
            s = c.v("l3b" + target)
            if c.kind == "passphrase" and not spaces:
                s = s.replace(" ", "-")
            msg = render3b(s, tmpl)
            if target == "journal":
                c.journal.append([("MESSAGE", msg)])
            else:
                c.logs[target].append(msg)
            c.add(f"{target}: {name}", [s], [], run="root" if target == "journal" else "log-" + target)
    # some of the first batch's forms in docker and CloudWatch records too (JSON-escaped quotes and backslashes)
    for name, tmpl, spaces in LINES3:
        if name not in ("zap console JSON fields", "Java toString single quotes", "Python dict repr", "Go %#v struct",
                        "curl -d JSON", "Go JSON \\u0026 query", "klog structured token=", "Ruby hash",
                        "wpa_supplicant psk=", "dotnet user-secrets set", "HTML-escaped JSON", "\\x3d escape"):
            continue
        for target in ("docker", "aws"):
            s = c.v("l3x" + target)
            if c.kind == "passphrase" and not spaces:
                s = s.replace(" ", "-")
            msg, planted = render(c, tmpl, s, target)
            c.logs[target].append(msg)
            c.add(f"{target}: {name}", planted, [], run="log-" + target)
    # journal fields of the program's own under names nobody lists
    for fname in ("LICENCIA", "PSK", "CHIAVE", "JETON", "SLEUTEL", "AUTH_CODE", "SIGNATURE", "DB_PASSPHRASE"):
        s = c.v("fld" + fname)
        c.journal.append([("MESSAGE", "info\tagent\tconfigured"), (fname, s)])
        c.add(f"journal field {fname}", [s], [])
    s = c.v("cmdP")
    if c.kind == "passphrase":
        s = s.replace(" ", "-")
    c.journal.append([("MESSAGE", "info\tagent\tstarting"), ("_CMDLINE", f"/usr/bin/sqlcmd -S db -U sa -P {s}")])
    c.add("journal _CMDLINE sqlcmd -P VALUE", [s], [])
    # needed values in the agent's own configs written in other ways (tree of its own)
    t = "root-rt3b"
    c.file("/etc/onboarding-agent/onboarding.config.yaml",
           "\ufeffapiVersion: config.agent.onboarding.tetrate.io/v1alpha1\r\nkind: OnboardingConfiguration\r\n"
           "onboardingEndpoint: {host: \"onboard.corp.example.net.\", port: \"15443\"}\r\n"
           "workloadGroup:\r\n  namespace: 'payments-2026'\r\n  name: \"payments-vm-07\"\r\n"
           "workload:\r\n  labels:\r\n    version: 1.2.3\r\n    deployed: 2026-11-30\r\n    cost-center: \"4711\"\r\n", tree=t)
    c.add("onboarding config: BOM, CRLF, flow endpoint, quoted port, trailing-dot host, labels of other shapes", [],
          ["onboard.corp.example.net.", "15443", "payments-2026", "payments-vm-07", "1.2.3", "2026-11-30", "4711"], run=t)
    c.file("/etc/onboarding-agent/agent.config.yaml",
           "kind: AgentConfiguration\nhost:\n  custom:\n    credential:\n    - plugin:\n        name: aws-ec2-credential\n"
           "        path: /usr/local/bin/aws-ec2-credential\n        env:\n        - name: AWS_REGION\n"
           "          value: eu-central-1\n        - name: HTTPS_PROXY\n          value: http://proxy.corp.example.net:3128\n"
           "        - name: NO_PROXY\n          value: .corp.example.net,169.254.169.254\n"
           "sidecar:\n  istio:\n    revision: 1-22-3\n  user:\n    uid: \"1337\"\n    gid: \"1337\"\n", tree=t)
    c.file("/usr/local/bin/aws-ec2-credential", "", tree=t)
    c.add("agent config: plugin env values support reads (region, proxy URL, NO_PROXY)", [],
          ["aws-ec2-credential", "eu-central-1", "http://proxy.corp.example.net:3128"], run=t)
    c.add("agent config: NO_PROXY list", [], [".corp.example.net,169.254.169.254"], run=t)
    c.add("agent config: sidecar user uid/gid, revision 1-22-3", [], ["1-22-3", "uid: \"1337\""], run=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nExecStart=/usr/local/bin/onboarding-agent\n"
           "Environment=HTTPS_PROXY=http://proxy.corp.example.net:3128 \"NO_PROXY=.corp.example.net,10.0.0.0/8\"\n"
           "Environment=ONBOARDING_ENDPOINT=onboard.corp.example.net:15443 AWS_REGION=eu-central-1\n"
           "Environment=GRPC_GO_LOG_SEVERITY_LEVEL=info GODEBUG=x509ignoreCN=0\n"
           "Restart=on-failure\n", tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    for v in ("HTTPS_PROXY=http://proxy.corp.example.net:3128", "ONBOARDING_ENDPOINT=onboard.corp.example.net:15443",
              "AWS_REGION=eu-central-1", "GRPC_GO_LOG_SEVERITY_LEVEL=info"):
        c.add("unit needed: " + v.split("=")[0], [], [v], run=t)
    c.add("unit needed: NO_PROXY list", [], ["NO_PROXY=.corp.example.net,10.0.0.0/8"], run=t)
    c.add("unit needed: GODEBUG=x509ignoreCN=0", [], ["GODEBUG=x509ignoreCN=0"], run=t)
    c.file("/etc/hosts", "127.0.0.1 localhost\n10.0.0.5 onboard.corp.example.net onboard # onboarding endpoint\n", tree=t)
    c.file("/etc/resolv.conf", "nameserver 10.20.0.2 # corp dns\nnameserver fd00::53\n", tree=t)
    c.file("/etc/nsswitch.conf", "passwd: files systemd\nshadow: files\nhosts: files dns myhostname\n", tree=t)
    for v in ("10.0.0.5 onboard.corp.example.net onboard", "nameserver 10.20.0.2", "nameserver fd00::53",
              "hosts: files dns myhostname", "passwd: files systemd"):
        c.add("resolver needed: " + v, [], [v], run=t)
    for m in ("RPC failed: rpc error: code = Unauthenticated desc = invalid token: token is expired by 2h13m5s",
              "auth: dial tcp onboard.corp.example.net:15443: i/o timeout",
              "authentication failed: connect to onboard.corp.example.net:15443: connection refused",
              "secret: onboarding-agent/bootstrap (version 3) loaded",
              "token endpoint https://auth.corp.example.net:8443/oauth2/token returned 503",
              "TLS handshake with token.corp.example.net:443 failed: remote error: tls: bad certificate",
              "onboarding token for workload group payments/payments-vm issued (expires in 1h0m0s)",
              "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.7  user=root",
              "credentials: using aws-ec2-credential plugin for onboard.corp.example.net:15443",
              "password-protected key /etc/onboarding-agent/tls/key.pem: decryption failed",
              "key: onboard.corp.example.net:15443 resolved to 10.0.0.5",
              "api key rejected by onboard.corp.example.net:15443 (HTTP 401)"):
        c.jmsg("error\tagent\t" + m, t)
        c.add("needed error text: " + m[:48], [], [m], run=t)
    # ECS describe-services, and a secret ARN support needs to see
    e = [c.v(f"ecs4{i}") for i in range(3)]
    if c.kind == "passphrase":     # a flag's value ends at a blank, as a shell splits it
        e = [x.replace(" ", "-") for x in e]
    c.ecs["ecs4-services.json"] = {"services": [{
        "serviceName": "orders", "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod", "status": "ACTIVE",
        "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/orders:4",
        "deployments": [{"status": "PRIMARY", "rolloutState": "FAILED",
                         "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start."}],
        "events": [{"id": "1", "message": "(service orders) was unable to place a task because no container instance "
                                          "met all of its requirements."},
                   {"id": "2", "message": f"(service orders) failed to launch a task: --password {e[0]}"}],
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0abc"], "securityGroups": ["sg-0def"]}},
        "tags": [{"key": "licencia", "value": e[1]}]}], "failures": []}
    c.ecs["ecs4-taskdef.json"] = {"taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/orders:4", "family": "orders",
        "containerDefinitions": [{
            "name": "onboarding-agent", "image": "registry.corp.example.net/onboarding-agent:1.9",
            "secrets": [{"name": "DB_PASSWORD",
                         "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbCdEf"}],
            "environment": [{"name": "AGENT_CONFIG", "value": "kind: AgentConfiguration\nsettings:\n  klucz: " + yq(e[2]) + "\n"}]}]}}
    c.add("ecs4 describe-services events message --password V", [e[0]], [], run="ecs4")
    c.add("ecs4 describe-services tags licencia", [e[1]], [], run="ecs4")
    c.add("ecs4 AGENT_CONFIG YAML with an unlisted key", [e[2]], [], run="ecs4")
    c.add("ecs4 needed: rolloutStateReason and events", [],
          ["ECS deployment circuit breaker: tasks failed to start.", "was unable to place a task"], run="ecs4")
    # (secrets[].valueFrom ARNs are redacted on purpose: collect/ecs.c's 'secret-arn')


# redteam3: values that start with (or hold) punctuation, as password managers make them: the free-text rules read
# a leading '[' '{' as a list or object, '&' '*' '!' as YAML anchors, aliases and tags, '#' as a comment, ...
PUNCT_KEYS = [
    ("password=V", "warn\tagent\tdb: password={s} rejected"),
    ("token: V", "warn\tagent\tloaded token: {s}"),
    ("JSON \"password\":\"V\"", '{{"level":"warn","msg":"login","password":"{j}"}}'),
    ("--password V", "info\tagent\texec: tool --password {s} --verbose"),
    ("Authorization: Bearer V", "debug\tagent\tAuthorization: Bearer {s}"),
    ("gRPC map x-api-key:[V]", "error\tagent\tmetadata: map[x-api-key:[{s}] content-type:[application/grpc]]"),
    ("Go struct Password:V", "debug\tagent\tcfg: &{{User:app Password:{s} SSL:true}}"),
    ("logfmt secret=\"V\"", 'level=info msg="x" secret="{j}" user=app'),
]
PUNCT_LEAD = "[{<&!#?~=;*|(%@^,."
PUNCT_INNER = "];#,}&|\"'\\"


def plant_redteam3c(c):
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree="root-punct")
    for kname, tmpl in PUNCT_KEYS:
        for ch in PUNCT_LEAD:
            v = c.v("pl" + ch)
            v = ch + (v.replace(" ", "-") if c.kind == "passphrase" else v)
            c.jmsg(tmpl.format(s=v, j=json.dumps(v)[1:-1]), "root-punct")
            c.add(f"punct: {kname} with V starting {ch!r}", [v], [], run="root-punct")
        for ch in PUNCT_INNER:
            v = c.v("pi" + ch)
            v = v.replace(" ", "-") if c.kind == "passphrase" else v
            v = v[:5] + ch + v[5:]
            c.jmsg(tmpl.format(s=v, j=json.dumps(v)[1:-1]), "root-punct")
            c.add(f"punct: {kname} with V holding {ch!r}", [v], [], run="root-punct")


def plant_redteam3d(c):
    """redteam3, fourth batch: values a keep-shape vouches for although they hold the secret (URLs whose path or host
    is the key, but no run of digits and both cases), and known values written in escapes other programs use."""
    t = "root-rt3d"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    u = [c.v(f"url{i}") for i in range(8)]
    w = [x.replace(" ", "-").lower() if c.kind in ("passphrase", "unicode") else x for x in u]
    q = [urllib.parse.quote(x, safe="") for x in w]
    c.file("/etc/onboarding-agent/hooks.yaml",
           f"alerts:\n  webhook: https://hooks.corp.example.net/services/notify/{q[0]}\n"
           f"  push: https://{q[1]}.push.corp.example.net/v1/events\n"
           f"  login: https://app.corp.example.net/login;jsessionid={q[2]}\n"
           f"  callback: https://app.corp.example.net/cb#access_token={q[3]}\n"
           "  status: https://status.corp.example.net:8443/api/v2\n", tree=t)
    for nm, v in zip(["URL path segment is the key", "URL host label is the key", "URL ;jsessionid= matrix parameter",
                      "URL #access_token= fragment"], w):
        c.add(f"config url shape: {nm}", [v], ["https://status.corp.example.net:8443/api/v2"], run=t)
    c.file("/etc/onboarding-agent/hooks.env", f"SLACK_WEBHOOK=https://hooks.corp.example.net/services/{q[4]}\n"
           "STATUS_URL=https://status.corp.example.net:8443/api/v2\n", tree=t)
    c.add("env file url shape: URL path segment is the key", [w[4]], ["STATUS_URL=https://status.corp.example.net:8443/api/v2"],
          run=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nExecStart=/usr/local/bin/onboarding-agent "
           f"--notify-url https://hooks.corp.example.net/services/{q[5]}\n"
           f"Environment=PUSH_URL=https://{q[6]}.push.corp.example.net/v1\n"
           "Restart=on-failure\n", tree=t)
    c.add("unit ExecStart url shape: URL path segment is the key", [w[5]], ["Restart=on-failure"], run=t)
    c.add("unit Environment url shape: URL host label is the key", [w[6]], [], run=t)
    # known values (redacted in a config) written in other escapes in the journal: each value holds the character
    # the escape changes, three characters in, so that a 10-character piece of the rest can be found
    ks = [c.v(f"kesc{i}") for i in range(9)]
    ks = [x.replace(" ", "-") if c.kind == "passphrase" else x for x in ks]
    ch = ["&", "<", ">", "&", "'", "$", "\"", "&", "%"]
    ks = [x[:3] + a + x[3:] for x, a in zip(ks, ch)]
    c.file("/etc/onboarding-agent/known3.yaml",
           "settings:\n" + "".join(f"  k{i}: {yq(v)}\n" for i, v in enumerate(ks)), tree=t)
    forms = [
        ("Go json.Marshal \\u0026", "event " + json.dumps({"v": ks[0]}).replace("&", "\\u0026")),
        ("Go json.Marshal \\u003c", "event " + json.dumps({"v": ks[1]}).replace("<", "\\u003c")),
        ("Go json.Marshal \\u003e", "event " + json.dumps({"v": ks[2]}).replace(">", "\\u003e")),
        ("XML &amp;", "<config><v>" + ks[3].replace("&", "&amp;") + "</v></config>"),
        ("shell single quote '\\''", "+ tool --v '" + ks[4].replace("'", "'\\''") + "'"),
        ("shell printf %q \\$", "+ tool --v " + ks[5].replace("$", "\\$")),
        ("YAML/Go %q \\\"", "value " + json.dumps(ks[6])),
        ("HTML &#38;", "<td>" + ks[7].replace("&", "&#38;") + "</td>"),
        ("systemd %%", "unit: Environment=V=" + ks[8].replace("%", "%%")),
    ]
    for (nm, msg), v in zip(forms, ks):
        c.jmsg("info\tagent\t" + msg, t)
        c.add(f"known value in another escape: {nm}", [v], [], run=t)
    # a known value wrapped over two lines of one message, and over two journal entries
    k1, k2 = c.v("wrap1"), c.v("wrap2")
    k1 = k1.replace(" ", "-") if c.kind == "passphrase" else k1
    k2 = k2.replace(" ", "-") if c.kind == "passphrase" else k2
    c.file("/etc/onboarding-agent/known4.yaml", f"settings:\n  w1: {yq(k1)}\n  w2: {yq(k2)}\n", tree=t)
    h1, h2 = len(k1) // 2, len(k2) // 2
    c.jmsg(f"info\tagent\tdescribe:\n  Value: {k1[:h1]}\n         {k1[h1:]}", t)
    c.jmsg(f"info\tagent\tvalue {k2[:h2]}", t)
    c.jmsg(k2[h2:], t)
    c.add("known value wrapped over two lines of one message", [k1], [], run=t)
    c.add("known value wrapped over two journal entries", [k2], [], run=t)


def plant_redteam3e(c):
    """redteam3, fifth batch: journal fields other programs write for the agent's unit (systemd-coredump's
    COREDUMP_ENVIRON and COREDUMP_CMDLINE, SYSLOG_RAW), an EnvironmentFile= outside the agent's folder, long lines."""
    e = [c.v(f"core{i}") for i in range(6)]
    q = [x.replace(" ", "-") if c.kind == "passphrase" else x for x in e]
    c.journal.append([("MESSAGE", "Process 4242 (onboarding-agent) of user 0 dumped core."),
                      ("MESSAGE_ID", "fc2e22bc6ee647b6b90729ab34a250b1"), ("COREDUMP_UNIT", UNIT),
                      ("COREDUMP_ENVIRON", f"LANG=C.UTF-8\nPATH=/usr/bin\nONBOARDING_BOOTSTRAP={q[0]}\nLICENCIA={q[1]}\n"
                                           f"DB_PASSWORD={q[2]}\nLOG_LEVEL=debug"),
                      ("COREDUMP_CMDLINE", f"/usr/local/bin/onboarding-agent --clave {q[3]}"),
                      ("COREDUMP_PROC_STATUS", "Name:\tonboarding-agent\nState:\tR (running)")])
    for nm, v in zip(["ONBOARDING_BOOTSTRAP= (a name nobody lists)", "LICENCIA=", "DB_PASSWORD="], q):
        c.add(f"journal COREDUMP_ENVIRON {nm}", [v], [])
    c.add("journal COREDUMP_CMDLINE --clave V", [q[3]], [])
    c.journal.append([("MESSAGE", "agent: login ok"),
                      ("SYSLOG_RAW", f"<13>Nov 30 10:00:00 pay-vm-07 agent: login ok password={q[4]}\n")])
    c.add("journal SYSLOG_RAW holding password=V", [q[4]], [])
    # a long line: the secret after 70,000 characters of text
    c.journal.append([("MESSAGE", "debug\tagent\tdump " + "x" * 70000 + f" password={q[5]} end")])
    c.add("journal: password=V after 70,000 characters", [q[5]], [])
    v = c.v("longplain")
    v = v.replace(" ", "-") if c.kind == "passphrase" else v
    c.logs["plain"].append("debug\tagent\tdump " + "y" * 70000 + f" client_secret={v} end")
    c.add("plain: client_secret=V after 70,000 characters", [v], [], run="log-plain")
    # EnvironmentFile= outside /etc/onboarding-agent (Debian's /etc/default, Red Hat's /etc/sysconfig)
    t = "root-rt3e"
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB, tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nEnvironmentFile=-/etc/default/onboarding-agent\n"
           "EnvironmentFile=/etc/sysconfig/onboarding-agent\nExecStart=/usr/local/bin/onboarding-agent\n", tree=t)
    d1, d2 = c.v("envd1"), c.v("envd2")
    c.file("/etc/default/onboarding-agent", f"ONBOARDING_BOOTSTRAP={unit_q(d1)}\n", tree=t)
    c.file("/etc/sysconfig/onboarding-agent", f"CLAVE={unit_q(d2)}\n", tree=t)
    c.add("EnvironmentFile=/etc/default/... (a name nobody lists)", [d1], ["EnvironmentFile=-/etc/default/onboarding-agent"],
          run=t)
    c.add("EnvironmentFile=/etc/sysconfig/... CLAVE=", [d2], [], run=t)
    # the env file's values reach the journal when the agent logs its environment: is the value known?
    c.jmsg(f"debug\tagent\tenvironment: ONBOARDING_BOOTSTRAP={d1}", t)
    # ECS: environment values support reads, beside the agent's config
    cd = c.ecs["ecs3-taskdef.json"]["taskDefinition"]["containerDefinitions"][0]
    cd["environment"] += [{"name": "HTTPS_PROXY", "value": "http://proxy.corp.example.net:3128"},
                          {"name": "NO_PROXY", "value": "169.254.170.2,169.254.169.254,.corp.example.net"},
                          {"name": "ONBOARDING_ENDPOINT", "value": "onb.corp.example.net:15443"},
                          {"name": "AWS_REGION", "value": "us-east-1"}]
    cd["portMappings"] = [{"containerPort": 15443, "hostPort": 15443, "protocol": "tcp"}]
    for v in ("http://proxy.corp.example.net:3128", "onb.corp.example.net:15443", "us-east-1", "15443"):
        c.add("ecs3 needed environment value " + v, [], [v], run="ecs3")
    c.add("ecs3 needed environment value NO_PROXY list", [], ["169.254.170.2,169.254.169.254,.corp.example.net"], run="ecs3")


def plant_redteam3f(c):
    """redteam3, sixth batch: tokens in identifier-shaped places; AWS error texts support reads."""
    t = "root-rt3f"
    v = [c.v(f"idn{i}") for i in range(3)]
    w = [x.replace(" ", "-") if c.kind == "passphrase" else x for x in v]
    c.file("/etc/onboarding-agent/registry.yaml",
           f"registry:\n  host: registry.corp.example.net\n  username: {yq(w[0])}\n  password: x-oauth-basic\n"
           f"git:\n  user: {yq(w[1])}\nnotify:\n  channelName: {yq(w[2])}\n", tree=t)
    c.add("config: a token used as the username (GitHub's user-token, password x-oauth-basic)", [w[0]],
          ["registry.corp.example.net"], run=t)
    c.add("config: a token under user:", [w[1]], [], run=t)
    c.add("config: a token under a *Name key", [w[2]], [], run=t)
    # tokens with dots read as host names (Vault's legacy s.TOKEN, Dynatrace's dt0c01.ID.SECRET, a Discord bot token):
    # the host shape keeps them under a key that is not secret-like
    rng = random.Random(f"dotted:{c.kind}:{c.n}")
    an = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    vault = "s." + "".join(rng.choice(an) for _ in range(24))
    dt = "dt0c01." + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(24)) + "." + \
        "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(64))
    v = c.v("dot")
    v = v.replace(" ", "-") if c.kind == "passphrase" else v
    dotted = v[:7] + "." + v[7:]
    c.file("/etc/onboarding-agent/apm.yaml",
           f"apm:\n  tenant: corp-prod\n  bootstrap: {vault}\n  access: {dt}\n  enrol: {yq(dotted)}\n", tree=t)
    c.file(f"/etc/systemd/system/{UNIT}", "[Service]\nExecStart=/usr/local/bin/onboarding-agent "
           f"--bootstrap {vault}\nEnvironment=APM_ACCESS={dt}\n", tree=t)
    c.file("/usr/local/bin/onboarding-agent", "", tree=t)
    c.add("config host shape: Vault legacy token s.TOKEN under bootstrap:", [vault], [], run=t)
    c.add("config host shape: Dynatrace token dt0c01.ID.SECRET", [dt], [], run=t)
    c.add("config host shape: a value with one dot in it", [dotted], [], run=t)
    # capital letters only: the constant shape keeps a random word of up to 12 capitals, or groups of them joined by
    # '_' (a licence key), under a key that is not secret-like
    rng = random.Random("caps:" + c.v("caps"))
    caps12 = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(12))
    groups = "_".join("".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(5)) for _ in range(4))
    c.file("/etc/onboarding-agent/licence.yaml", f"product:\n  edition: ENTERPRISE\n  activation: {caps12}\n"
           f"  serial: {groups}\n", tree=t)
    c.add("config constant shape: 12 random capitals (activation: V)", [caps12], ["edition: ENTERPRISE"], run=t)
    c.add("config constant shape: capital groups joined by _ (serial: V)", [groups], [], run=t)
    # a weak secret-like name (session) as a label or sidecar user key: the schema keeps workload.labels.* and
    # sidecar.user.* whenever the key is not a strong or medium secret word
    sv = [c.v(f"sess{i}") for i in range(2)]
    c.file("/etc/onboarding-agent/onboarding.config.yaml", ONB + "workload:\n  labels:\n    app: payments\n"
           f"    session: {yq(sv[0])}\nsidecar:\n  user:\n    session: {yq(sv[1])}\n", tree=t)
    c.add("schema-kept label named session", [sv[0]], ["app: payments"], run=t)
    c.add("schema-kept sidecar.user.session", [sv[1]], [], run=t)
    for m in ("failed to get token from https://sts.us-east-1.amazonaws.com: RequestError: send request failed caused by: "
              "Post \"https://sts.us-east-1.amazonaws.com/\": dial tcp 52.94.0.1:443: i/o timeout",
              "credential plugin \"aws-ec2-credential\" failed: NoCredentialProviders: no valid providers in chain",
              "lookup internal-onb-1234567890.us-east-1.elb.amazonaws.com on 10.0.0.2:53: no such host",
              "PUT http://169.254.169.254/latest/api/token: 401 Unauthorized (X-aws-ec2-metadata-token-ttl-seconds: 21600)",
              "EC2 IMDSv2 token request to 169.254.169.254:80 timed out after 1s",
              "ExpiredTokenException: The security token included in the request is expired",
              "InvalidClientTokenId: The security token included in the request is invalid.",
              "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided",
              "secret onboarding/bootstrap in us-east-1 not found (ResourceNotFoundException)"):
        c.jmsg("error\tagent\t" + m, t)
        c.add("needed AWS error text: " + m[:48], [], [m], run=t)


def plant_redteam3i(c):
    """redteam3, seventh batch: secrets one level below a secret-like key in JSON and YAML dumped to the log (the
    value's own key is plain), and a CRI log line split into partial (P) records."""
    forms = [
        ("JSON: secret object {\"data\": V}", '{{"level":"debug","msg":"cfg","secret":{{"data":"{s}","version":3}}}}'),
        ("JSON: credentials {\"user\", \"value\": V}", '{{"msg":"cfg","db":{{"credentials":{{"user":"app","value":"{s}"}}}}}}'),
        ("JSON: tokens {\"primary\": V}", '{{"msg":"cfg","tokens":{{"primary":"{s}","ttl":"1h"}}}}'),
        ("YAML dump: secrets:/  primary: V", "effective config:\nsecrets:\n  primary: {s}\n  rotation: 24h"),
        ("YAML dump: apiKeys: list item", "effective config:\napiKeys:\n- {s}\n- other"),
        ("Go map: map[secret:map[data:V]]", "cfg: map[secret:map[data:{s} version:3]]"),
        ("Python dict: {'secret': {'data': V}}", "cfg: {{'secret': {{'data': '{s}', 'version': 3}}}}"),
        ("logfmt nested key secret.data=V", "level=debug msg=cfg secret.data={s} secret.version=3"),
        ("env-style nested SECRET__DATA=V", "env: SECRET__DATA={s} LOG_LEVEL=debug"),
    ]
    for name, tmpl in forms:
        for target in ("journal", "plain"):
            s = c.v("nest" + target)
            s = s.replace(" ", "-") if c.kind == "passphrase" else s
            msg = tmpl.format(s=json.dumps(s)[1:-1] if tmpl.startswith("{") else s)
            if target == "journal":
                c.journal.append([("MESSAGE", msg)])
            else:
                c.logs["plain"].append(msg)
            c.add(f"{target}: {name}", [s], [], run="root" if target == "journal" else "log-plain")
    # CRI: one line written as partial records (P) and the final one (F), the secret across them
    a, b = c.v("crip1"), c.v("crip2")
    a, b = [x.replace(" ", "-") if c.kind == "passphrase" else x for x in (a, b)]
    c.logs["cri"].append(("raw", "P", "connecting with client_secret=" + a[:6]))
    c.logs["cri"].append(("raw", "F", a[6:] + " ok"))
    c.logs["cri"].append(("raw", "P", "debug: password="))
    c.logs["cri"].append(("raw", "F", b + " accepted"))
    c.add("log-cri: a secret split over a partial (P) record and the final (F) one", [a], [], run="log-cri")
    c.add("log-cri: key in a partial (P) record, the value in the final (F) one", [b], [], run="log-cri")


# Forms that leak on main today (found by this red team; reported in /work/notes/redteam.md).
# name -> the kinds it leaks for (() = every kind).  Measured on main at 6837fd8, 2026-11-30 21:45 UTC.
KNOWN_GAPS = {
    # (redteam2's free-text gaps -- SQL IDENTIFIED BY, "mot de passe", signature=, license=, a letters-only
    # "secret V", --password= inside a quoted command -- are closed and gated)
    # redteam3, measured on main at 3293382 (2026-12-01 02:15 UTC); all in the journal and --log-file alike.
    # Free text in other languages: secretpat.c's stems and password_words/secret_words/token_words lack these words,
    # or the key is several words (the value follows the last one) or a verb stands between key and value
    # 'parola' is known, but 'parola d'ordine è V': apostrophe, second word and the verb 'è' before V
    # 'chiave API: V': 'api?key' needs 'api' before 'key'; 'API' alone is no key word
    # 'clave' known, but the value follows 'de acceso:' (a multi-word key)
    # 'senha' known, but 'senha do banco: V' (multi-word key)
    # 'Kennwort lautet V': 'lautet' (German 'is') is not taken like 'is'/'was'
    # French 'jeton d'accès : V': no stem, and a blank before the colon
    # Russian 'ключ' (key): no stem
    # Indonesian 'kata sandi' (password): no stem
    # Persian 'رمز عبور' (password): no stem (Arabic 'كلمة المرور' only)
    # # Dumps of other runtimes
    # '["password"]=> string(14) "V"': the value is two tokens after the key ('=>' then a type)
    'journal: PHP var_dump': (),
    'plain: PHP var_dump': (),
    # b'Bearer V' with V 14 letters: a letters-only Bearer credential is read as a plain word and the closing quote of b'...' is not taken as its end
    'journal: Python bytes repr': ('letters',),
    'plain: Python bytes repr': ('letters',),
    # # Query strings and headers
    # OAuth authorization code '?code=V': 'code' alone is no key word (only *_code owners)
    # '&key=V' (Google Maps and others): 'key' alone in a query is not secret-like in free text
    # 'Subscription-Key': no stem ('_key' needs '_')
    # vendor header whose name holds no secret word
    'journal: X-Honeycomb-Team header': (),
    'plain: X-Honeycomb-Team header': (),
    # 'Art-Api' header: 'api' without 'key'
    'journal: X-JFrog-Art-Api header': (),
    'plain: X-JFrog-Art-Api header': (),
    # # Encodings: the key is spelled with an escape the patterns do not decode
    # {&quot;password&quot;:&quot;V&quot;}: &quot; is not read as a quote
    # password&#61;V: &#61; is not read as '='
    # password\x3dV: \x3d is not read as '=' (only %3D is)
    'journal: \\x3d escape': (),
    'plain: \\x3d escape': (),
    # # CLI tools traced by a shell: flags the CLI-flag rules (T_CLIFLAG, T_CLIUSER) do not know, or positional secrets
    # 'aws configure set default.aws_secret_access_key V': the bare key passes; with the 'default.' profile prefix the value after a blank is not taken
    # '-srcstorepass V': pass_suffix() knows 'storepass' alone, not 'srcstorepass'/'deststorepass'
    # 'htpasswd -b FILE USER V': positional
    # zip/unzip '-P V'
    # zip/unzip '-P V'
    # Samba 'user%V': '%' as the user/password separator
    # 'echo user:V | chpasswd': positional
    # 'rabbitmqctl add_user USER V': positional
    # 'net use \\\\srv\\share V /user:D\\U': positional
    # 'mc alias set NAME URL ACCESS V': the AKIA id is redacted, the secret after it is not (the 40-char rule wants 40 characters)
    # 'wifi-sec.psk V': 'psk' (pre-shared key) no stem
    # 'user-secrets set "Db:Password" "V"': the key is inside a quoted argument, the value the next one
    # a crypt(3) hash 'user:$6$salt$HASH:...' (shadow/htpasswd line): no pattern for $1$/$5$/$6$/$apr1$/$2y$
    'journal: shadow hash $6$': (),
    'plain: shadow hash $6$': (),
    # Configs, units and ECS
    # a random-looking mapping key under a plain key is kept as structure (only under a secret-like key is a key judged)
    "secret as a mapping key under a plain key (clients:)": (),
    # redteam3, second batch (2026-12-01 02:35 UTC, main at 3293382 + batch 1)
    # (the needed values redteam3 found lost -- resolved.conf DNS=IP#SNI, --auth-server HOST:PORT, secretsmanager ARNs,
    # Kubernetes Secret names, token_type=Bearer, POST /oauth2/token HTTP/1.1, 'token is expired', NO_PROXY, GODEBUG,
    # ECS HTTPS_PROXY/ONBOARDING_ENDPOINT/NO_PROXY -- are kept since 3f92b70 and gated; 71 free-text forms of
    # batches 1 and 2 (foreign key words, -P/-N/-k/-p flags, psk, PresharedKey, SSWS/SharedKey, LICENCIA, ...) are
    # redacted since 1e1a987 and gated)
    # '--value V' / '--body V' of a command that stores a secret (aws ssm put-parameter, az keyvault secret set, gh
    # secret set): the flag's name is no key word; only the command says it is a secret
    # 'vault kv put PATH value=V': 'value' is no key word
    # (npm/yarn 'config set ..._authToken V' and cmdkey '/pass:V' with letters only: fixed on main at 6369e44)
    # lftp '-u user,V': T_CLIUSER knows 'user:V' only
    # xfreerdp '/p:V': Windows-style flag
    # ConvertTo-SecureString 'V' -AsPlainText: positional string of a known cmdlet
    # 'openssl passwd -6 V': positional
    # 'systemd-creds cat ID' then the credential on the next line: positional
    'journal: systemd-creds cat': (),
    'plain: systemd-creds cat': (),
    'docker: systemd-creds cat': (),
    'aws: systemd-creds cat': (),
    # ANSI colour codes around key and value in a docker or CloudWatch record (\u001b in JSON): terminal escapes are
    # stripped from journal byte arrays only
    'docker: ANSI-colored key=value': (),
    'aws: ANSI-colored key=value': (),
    # '[password] V': a bracketed key then a blank
    'journal: key in brackets [password]': (),
    'plain: key in brackets [password]': (),
    'docker: key in brackets [password]': (),
    'aws: key in brackets [password]': (),
    # 'key = V' under an '[auth]' INI section: 'key' alone is no key word, the section is not read
    'journal: INI [auth] section': (),
    'plain: INI [auth] section': (),
    'docker: INI [auth] section': (),
    'aws: INI [auth] section': (),
    # '%22password%22%3A%22V%22': only password%3DV is decoded, not %22/%3A
    'journal: URL-encoded whole JSON': (),
    'plain: URL-encoded whole JSON': (),
    'docker: URL-encoded whole JSON': (),
    'aws: URL-encoded whole JSON': (),
    # a base64 blob of 'password=V': only Basic credentials and PEM are decoded
    'journal: base64 of key=value': (),
    'plain: base64 of key=value': (),
    'docker: base64 of key=value': (),
    'aws: base64 of key=value': (),
    # first-batch gaps, also in docker and CloudWatch records
    'docker: \\x3d escape': (),
    'aws: \\x3d escape': (),
    # AUTH_CODE: 'auth' is weak; a value that does not look random stays
    'journal field AUTH_CODE': ('passphrase',),
    # redteam3, third batch: values holding punctuation, as password managers make them (root-punct tree; journal)
    # a value starting with '[' or '{' is read as an inline list or object (README's known limit), though the bracket
    # never closes: the whole value stays
    "punct: gRPC map x-api-key:[V] with V starting '['": (),
    "punct: gRPC map x-api-key:[V] with V starting '{'": (),
    "punct: Go struct Password:V with V starting '{'": (),
    # a value starting with '&', '!' or '*' after 'token: ' / 'Password:' is read as a YAML anchor, tag or alias: the
    # value stays and the NEXT word is redacted instead (and becomes a known value scrubbed from every line:
    # 'SSL:true}' in the Go struct forms)
    # a raw '"' inside an unquoted value ends it: the part after the quote stays
    'punct: password=V with V holding \'"\'': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'punct: token: V with V holding \'"\'': ('letters', 'digits', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'punct: --password V with V holding \'"\'': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'punct: Authorization: Bearer V with V holding \'"\'': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'punct: gRPC map x-api-key:[V] with V holding \'"\'': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'punct: Go struct Password:V with V holding \'"\'': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    # a ']' inside a gRPC metadata list value ends the list: the part after it stays
    "punct: gRPC map x-api-key:[V] with V holding ']'": ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    # password==V (a value starting with '='): the value is read as empty; token: .V (letters): a leading '.' makes a
    # word of letters read as prose
    "punct: password=V with V starting '='": (),
    "punct: token: V with V starting '.'": ('letters',),
    # redteam3, fourth batch (root-rt3d tree)
    # redact_shape.c's url shape keeps a URL whose path segment is the key when the key has no digits and both cases
    # (letters only, digits only, a UUID, lower-case words): https://hooks.corp.example.net/services/KEY
    'config url shape: URL path segment is the key': ('letters', 'digits', 'uuid', 'passphrase'),
    'env file url shape: URL path segment is the key': ('letters', 'digits', 'uuid', 'passphrase'),
    'unit ExecStart url shape: URL path segment is the key': ('letters', 'digits', 'uuid', 'passphrase'),
    # the url shape does not look at the host: https://KEY.push.corp.example.net/v1 (ngrok, API Gateway and push
    # services put the key there) is kept
    'config url shape: URL host label is the key': ('letters', 'digits', 'hex', 'uuid', 'passphrase', 'base32'),
    'unit Environment url shape: URL host label is the key': ('letters', 'digits', 'hex', 'uuid', 'passphrase', 'base32'),
    # a known value holding '"', written JSON-escaped ("abc\"def...") in a log line: redaction.md says JSON-escaped
    # forms are removed, but this one stays
    'known value in another escape: YAML/Go %q \\"': ('letters', 'digits', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    # Go's encoding/json writes & < > as \u0026 \u003c \u003e (HTML-safe escaping): a known value holding one of them
    # is not searched for in that form
    'known value in another escape: Go json.Marshal \\u0026': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'known value in another escape: Go json.Marshal \\u003c': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'known value in another escape: Go json.Marshal \\u003e': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    # known values are not searched for XML/HTML-escaped (&amp; &#38;), shell-quoted ('\'' and \$) or with systemd's
    # %% (the part after the escaped character leaks)
    "known value in another escape: shell single quote '\\''": ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'known value in another escape: shell printf %q \\$': ('letters', 'hex', 'base64', 'uuid', 'passphrase', 'base32'),
    # a long known value wrapped over two lines (kubectl describe, a terminal's width) or two journal entries: each
    # half is no known value
    'known value wrapped over two lines of one message': ('hex', 'base64', 'uuid', 'passphrase', 'base32'),
    'known value wrapped over two journal entries': ('hex', 'base64', 'uuid', 'passphrase', 'base32'),
    # redteam3, fifth batch
    # systemd-coredump's entry for the agent (COREDUMP_UNIT=) holds the process's environment (COREDUMP_ENVIRON, one
    # NAME=VALUE a line): it goes through the free-text patterns, so a name nobody lists (or LICENCIA, see 'bash export
    # -p LICENCIA') keeps its value; a field of NAME=VALUE lines calls for Environment='s default-deny
    # the unit's EnvironmentFile=/etc/default/onboarding-agent is neither collected nor read for known values, so the
    # agent's own log line 'environment: ONBOARDING_BOOTSTRAP=V' keeps V (the files under /etc/onboarding-agent are read)
    # redteam3, sixth batch: redact_deny.c's identifier shape (is_ident: any run of letters, digits and -_.:/ up to 128
    # characters) keeps a token under user:, username: or any key ending in name: a 40-hex or base32 token, a UUID or a
    # run of digits is no name (GitHub takes a token as the user with password x-oauth-basic)
    "config: a token used as the username (GitHub's user-token, password x-oauth-basic)": ('letters', 'digits', 'hex', 'uuid', 'passphrase', 'base32'),
    "config: a token under user:": ('letters', 'digits', 'hex', 'uuid', 'passphrase', 'base32'),
    "config: a token under a *Name key": ('letters', 'digits', 'hex', 'uuid', 'passphrase', 'base32'),
    # the host shape keeps a letters-only value with one dot in it ('fOXQaKi.GcnyPGi' reads as a two-label DNS name);
    # dotted vendor tokens with digits (Vault s.TOKEN, Dynatrace dt0c01.ID.SECRET) are redacted
    # redact_deny.c's constant shape (is_constant) keeps random capitals: a 12-letter word, and groups of up to 12 joined
    # by '_' (a licence key ABCDE_FGHIJ_KLMNO_PQRST); only a run with digits or longer than 12 goes
    "config constant shape: 12 random capitals (activation: V)": (),
    "config constant shape: capital groups joined by _ (serial: V)": (),
    # redteam3, seventh batch: a secret one level below a secret-like key, under a plain key of its own, in a YAML list
    # dumped to the log (apiKeys:\n- V); the JSON-object and Python-dict forms are redacted since de3133d and gated
    "journal: YAML dump: apiKeys: list item": (),
    "plain: YAML dump: apiKeys: list item": (),
    # a YAML dump in a --log-file: each line is a record of its own, so '  primary: V' is read without 'secrets:' above
    # it (in the journal the dump is one multi-line MESSAGE and passes)
    "plain: YAML dump: secrets:/  primary: V": (),
    # redteam3: keep_rule() returns "schema" for workload.labels.* and sidecar.user.* unless the key is a strong or
    # medium secret word; 'session' is weak, so a session token under a label or sidecar user key named session is kept
    # whatever it looks like (auth and credentials there are redacted)
    "schema-kept label named session": (),
    "schema-kept sidecar.user.session": (),
    # Windows' 'net use SHARE V /user:D\\U': no stem (the agent's hosts are Linux; a stem at "net use " cost
    # a stem check at every "net" of every log line)
    'journal: net use /user': (),
    'plain: net use /user': (),
}
KNOWN_GAP_RUNS = set()    # runs whose bundle holds a JSON file that does not parse
INPUT_NOT_JSON_RUNS = {"root-rt3c"}    # runs whose .json inputs never parsed (JSON with comments): not checked
# Gaps that leak for some values of a kind and not others (no FIXED line when this run's value does not leak).
VALUE_GAPS = {
    # (none: a word of letters from three scripts or more after "secret" counts as random, whatever its length)
    # redteam3: LoadCredential=ID:VALUE (a SetCredential= mistaken): LoadCredential is a systemd setting that goes
    # through the pattern rules only; the value is no path, yet it is not treated as a credential as SetCredential='s
    # is; leaked for these kinds with some of the values tried
    "drop-in LoadCredential=ID:VALUE (SetCredential= meant; the value is no path)":
        ("letters", "digits", "hex", "uuid", "passphrase", "base32"),
    # redteam3: a backslash inside an unquoted value ends it for the leak check's reading of the JSON-escaped line (or for
    # the rule): the part after it stays when it is 10 characters or more (so it depends on the value's length)
    "punct: password=V with V holding '\\\\'": KINDS,
    "punct: token: V with V holding '\\\\'": KINDS,
    "punct: --password V with V holding '\\\\'": KINDS,
    "punct: Authorization: Bearer V with V holding '\\\\'": KINDS,
    "punct: gRPC map x-api-key:[V] with V holding '\\\\'": KINDS,
    "punct: Go struct Password:V with V holding '\\\\'": KINDS,
    # mysql's glued -pV in a docker record: leaked for one base64 value of seed 2
    "docker: mysqldump -pV glued": ("base64",),
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


def plant(kind, d):
    c = Corpus(kind)
    plant_configs(c)
    plant_units(c)
    plant_lines(c)
    plant_ecs(c)
    plant_trees(c)
    plant_redteam3(c)
    plant_redteam3b(c)
    plant_redteam3c(c)
    plant_redteam3d(c)
    plant_redteam3e(c)
    plant_redteam3f(c)
    plant_redteam3i(c)
    now = int(time.time()) - 600
    runs = []
    c.trees["root"] = {"files": c.files, "journal": c.journal}
    for tree, t in c.trees.items():
        for path, data in t["files"].items():
            p = f"{d}/{tree}{path}"
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        with open(f"{d}/{tree}.export", "wb") as out:
            for i, fields in enumerate(t["journal"]):
                base = [("__REALTIME_TIMESTAMP", str(now * 1000000 + i * 1000)),
                        ("__MONOTONIC_TIMESTAMP", str(1000000 + i)), ("_BOOT_ID", BOOT), ("_MACHINE_ID", MACHINE),
                        ("_HOSTNAME", "pay-vm-07"), ("_SYSTEMD_UNIT", UNIT), ("_PID", "4242"), ("_UID", "0"),
                        ("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "onboarding-agent")]
                for k, v in base + fields:
                    field(out, k, v)
                out.write(b"\n")
        runs.append(f"{tree} {tree}.export --root {d}/{tree} --journal-dir {d}/{tree}.journal")
    for f in ("plain", "docker", "cri", "aws", "utf16"):
        runs.append(f"log-{f} - --log-file {d}/log.{f}")
    runs.append(f"ecs - --ecs-json {d}/ecs-taskdef.json --ecs-json {d}/ecs-tasks.json")
    runs.append(f"ecs2 - --ecs-json {d}/ecs2-taskdef.json")
    runs.append(f"ecs3 - --ecs-json {d}/ecs3-taskdef.json --ecs-json {d}/ecs3-tasks.json")
    runs.append(f"ecs4 - --ecs-json {d}/ecs4-services.json --ecs-json {d}/ecs4-taskdef.json")
    with open(d + "/runs", "w") as f:
        f.write("\n".join(runs) + "\n")

    def ts(i, frac=True):
        t = time.gmtime(now + i)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + (".%06dZ" % i if frac else "Z")

    with open(d + "/log.plain", "w") as f:
        for i, m in enumerate(c.logs["plain"]):
            f.write(f"{ts(i)}\t{m}\n")
    with open(d + "/log.docker", "w") as f:
        for i, m in enumerate(c.logs["docker"]):
            m = m[1] if isinstance(m, tuple) else m + "\n"
            f.write(json.dumps({"log": m, "stream": "stderr", "time": ts(i)}, ensure_ascii=False) + "\n")
    with open(d + "/log.cri", "w") as f:
        for i, m in enumerate(c.logs["cri"]):
            if isinstance(m, tuple):     # ("raw", flag, text): one CRI record as given (P: partial)
                f.write(f"{ts(i)} stderr {m[1]} {m[2]}\n")
                continue
            for j, part in enumerate(m.split("\n")):
                f.write(f"{ts(i)} stderr F {part}\n")
    with open(d + "/log.utf16", "wb") as f:
        f.write(b"\xff\xfe" + "".join(f"{ts(i, False)} {m}\r\n" for i, m in enumerate(c.logs["utf16"])).encode("utf-16-le"))
    with open(d + "/log.aws", "w") as f:
        json.dump({"events": [{"logStreamName": "ecs/onboarding-agent/3a151358f03a4e32bf8cd401c1c74653",
                               "timestamp": (now + i) * 1000, "message": m, "ingestionTime": (now + i) * 1000 + 5,
                               "eventId": str(i)} for i, m in enumerate(c.logs["aws"])],
                   "searchedLogStreams": []}, f, indent=4, ensure_ascii=False)
    for name, doc in c.ecs.items():
        with open(d + "/" + name, "w") as f:
            json.dump(doc, f, indent=4, ensure_ascii=False)
    with open(d + "/forms.json", "w") as f:
        json.dump(c.forms, f, ensure_ascii=False)
    print(len(c.forms))


def forms_of(v):
    return leakforms.forms_of(v, min_len=6, min_b64=9, wide=True)


load_dir = leakforms.load_dir


def check(kind, d):
    with open(d + "/forms.json") as f:
        forms = json.load(f)
    texts = {}
    leaked = lost = gaps = gapleaked = fixed = 0
    problems = []
    for name, planted, needed, run in forms:
        if run not in texts:
            texts[run] = load_dir(d + "/x-" + run) if os.path.isdir(d + "/x-" + run) else None
        t = texts[run]
        if t is None:
            problems.append(f"MISSING [{kind}] {name}: no bundle for run {run}")
            leaked += 1
            continue
        gap = name in KNOWN_GAPS and (not KNOWN_GAPS[name] or kind in KNOWN_GAPS[name])
        vgap = kind in VALUE_GAPS.get(name, ())
        gap = gap or vgap
        gaps += gap
        hit_any = False
        for v in planted:
            hit = None
            for x in sorted(forms_of(v), key=len, reverse=True):
                if x.encode() in t:
                    hit = x
                    break
            if hit is None:
                for enc in ("utf-16-le", "utf-16-be"):
                    if v.encode(enc) in t:
                        hit = v + " (" + enc + ")"
            if hit is not None:
                hit_any = True
                if gap:
                    gapleaked += 1
                    problems.append(f"GAP [{kind}] {name} ({run}): {v!r} found as {hit!r}")
                else:
                    leaked += 1
                    problems.append(f"LEAK [{kind}] {name} ({run}): {v!r} found as {hit!r}")
        lost_any = False
        for v in needed:
            if v.encode() not in t and json.dumps(v)[1:-1].encode() not in t:
                lost_any = True
                if gap:
                    gapleaked += 1
                    problems.append(f"GAP [{kind}] {name} ({run}): needed {v!r} lost")
                else:
                    lost += 1
                    problems.append(f"LOST [{kind}] {name} ({run}): {v!r}")
        if gap and not vgap and not hit_any and not lost_any:
            fixed += 1
            problems.append(f"FIXED [{kind}] {name}: no longer leaks or loses a value (take it off KNOWN_GAPS)")
    # every JSON file of every bundle still parses (a marker must not break a .json or .jsonl file)
    for run in sorted(texts):
        if run in INPUT_NOT_JSON_RUNS:
            continue
        for f in sorted(glob.glob(f"{d}/x-{run}/**/*.json*", recursive=True)):
            try:
                with open(f, encoding="utf-8") as fh:
                    if f.endswith(".jsonl"):
                        for line in fh:
                            json.loads(line)
                    else:
                        json.load(fh)
            except ValueError as e:
                msg = f"[{kind}] {f[len(d) + 1:]} is not JSON any more: {str(e)[:80]}"
                if run in KNOWN_GAP_RUNS:
                    gapleaked += 1
                    problems.append("GAP " + msg)
                else:
                    lost += 1
                    problems.append("BROKEN " + msg)
    print(f"forms {len(forms) - gaps} leaked {leaked} lost {lost} gaps {gaps} gapleaked {gapleaked}")
    for p in problems:
        print(p)


def main():
    if sys.argv[1] == "kinds":
        print("\n".join(KINDS))
    elif sys.argv[1] == "plant":
        plant(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])


main()
