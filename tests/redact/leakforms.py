"""tests/redact/leakforms.py: what counts as a leaked value in a bundle, shared by the
corpus (gen-corpus.py) and the red-team sweep (gen-redteam.py)."""
import base64
import json
import os
import re
import urllib.parse


def b64_stable(v, min_bytes):
    """base64 of v at each of the three alignments (the part that does not depend on what
    stands before or after v), for runs of at least min_bytes bytes."""
    b = v.encode()
    outs = []
    for a in range(3):
        chunk = b[a:]
        k = len(chunk) // 3 * 3
        if k >= min_bytes:
            outs.append(base64.b64encode(chunk[:k]).decode())
    return outs


def forms_of(v, min_len=4, min_b64=6, wide=False):
    """Every string whose presence in the bundle means v leaked: v, any 10-character piece,
    URL-encoded, JSON-escaped, base64.  wide adds lower-case percent-encoding, double JSON
    escaping and the URL-safe base64 alphabet."""
    out = {v}
    if len(v) > 10:
        out |= {v[i:i + 10] for i in range(len(v) - 9)}
    out.add(urllib.parse.quote(v, safe=""))
    out.add(urllib.parse.quote_plus(v))
    once = json.dumps(v)[1:-1]
    out.add(once)
    out.add(json.dumps(v, ensure_ascii=True)[1:-1])
    b64 = b64_stable(v, min_b64)
    out |= set(b64)
    if wide:
        out.add(json.dumps(once)[1:-1])
        out.add(urllib.parse.quote(v, safe="").lower())
        out.add(urllib.parse.quote_plus(v).lower())
        out |= {x.replace("+", "-").replace("/", "_") for x in b64}
    return {x for x in out if len(x) >= min_len}


def load_dir(d):
    """Every file below d as one text, then the journal's byte arrays decoded, so that their
    content is searched too."""
    blobs = []
    for top, _, files in os.walk(d):
        for fn in files:
            with open(os.path.join(top, fn), "rb") as f:
                blobs.append(f.read())
    t = b"\n".join(blobs)
    for m in re.finditer(rb"\[(\d{1,3}(?:,\d{1,3})+)\]", t):
        try:
            t += b"\n" + bytes(int(x) for x in m.group(1).split(b","))
        except ValueError:
            pass
    return t
