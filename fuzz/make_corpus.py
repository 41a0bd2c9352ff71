#!/usr/bin/env python3
"""Builds the small seed corpora under fuzz/corpus/<target>/ from real codes:
the published test vectors (QR texts, trust lists, status lists), keys
written by `attesta keygen` or openssl, and a few photos of codes.

    python3 fuzz/make_corpus.py            # from the repository root or fuzz/

Deterministic for everything but the keys (make_keys), which are only
written when fuzz/corpus/key_files/ is empty. Re-run after the vectors change.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def b45decode(s):
    out = bytearray()
    vals = [B45.index(c) for c in s]
    for i in range(0, len(vals), 3):
        chunk = vals[i : i + 3]
        n = sum(v * 45**k for k, v in enumerate(chunk))
        if len(chunk) == 3:
            out += n.to_bytes(2, "big")
        else:
            out.append(n)
    return bytes(out)


def cbor_head(b, i):
    ib = b[i]
    major, ai = ib >> 5, ib & 0x1F
    i += 1
    if ai < 24:
        return major, ai, i
    n = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
    return major, int.from_bytes(b[i : i + n], "big"), i + n


def cbor_skip(b, i):
    major, arg, i = cbor_head(b, i)
    if major in (2, 3):
        return i + arg
    if major == 4:
        for _ in range(arg):
            i = cbor_skip(b, i)
        return i
    if major == 5:
        for _ in range(2 * arg):
            i = cbor_skip(b, i)
        return i
    if major == 6:
        return cbor_skip(b, i)
    return i


def cose_payload(cose):
    """The payload byte string of a tagged COSE_Sign1 (definite lengths),
    or None for anything else (the crafted negative vectors)."""
    try:
        return _cose_payload(cose)
    except (KeyError, IndexError, ValueError):
        return None


def _cose_payload(cose):
    i = 0
    major, _, i = cbor_head(cose, i)
    if major == 6:
        major, _, i = cbor_head(cose, i)
    if major != 4:
        return None
    i = cbor_skip(cose, i)  # protected
    i = cbor_skip(cose, i)  # unprotected
    major, n, i = cbor_head(cose, i)
    return cose[i : i + n] if major == 2 else None


def text_to_cose(text):
    body = text.split(":", 1)[1]
    raw = b45decode(body)
    return zlib.decompress(raw) if raw[:1] == b"\x78" else raw


def put(target, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def vectors():
    for sub in ("positive", "negative"):
        for f in sorted((ROOT / "test-vectors" / sub).glob("*.json")):
            yield sub, json.loads(f.read_text())


def from_vectors():
    texts, trust, status = [], set(), set()
    for sub, v in vectors():
        t = v.get("qr_text")
        if isinstance(t, str) and t:
            texts.append((sub, t))
        trust.update(v.get("trust_lists_hex") or [])
        status.update(v.get("status_lists_hex") or [])
    # Positive codes all, negative ones that are short (the long ones are
    # the length and bomb vectors, a few KiB each).
    for sub, t in texts:
        if sub == "positive" or len(t) < 600:
            put("text_decode", t)
            put("verify_text", t)
        try:
            cose = text_to_cose(t)
        except Exception:
            continue
        if sub == "positive" or len(cose) < 400:
            put("verify_cose", cose)
            put("cbor_guard", cose)
        p = cose_payload(cose) if cose else None
        if p:
            put("claims_roundtrip", p)
            put("cbor_guard", p)
            put("signed_claims", (b"\x01" if t.startswith("AD") else b"\x00") + p)
    for h in sorted(trust):
        b = bytes.fromhex(h)
        if len(b) < 2048:
            put("trust_list", b)
            p = cose_payload(b)
            if p:
                put("trust_list", p)
    for h in sorted(status):
        b = bytes.fromhex(h)
        if len(b) < 4096:
            put("status_list", b)
            p = cose_payload(b)
            if p:
                put("status_list", p)
    # The envelope mode of signed_claims: [m, t, p] + ciphertext.
    put("signed_claims", bytes([2, 1, 1, 1]) + bytes(23))
    put("signed_claims", bytes([3, 1, 2, 2]) + bytes(range(23)))


def rows():
    put(
        "row_fields",
        "cf,invalidita,handicap,cecita,rivedibile,valid-until,valid-days\n"
        "RSSMRA85T10A562S,75,grave,,2028-06-30,,\n"
        "MRTMTT25D09F205Z,33.34,non-grave,ventesimista,,2030-01-01,\n"
        "12345678903,\"100,00\",c3,assoluta,,,365\n",
    )
    put(
        "row_fields",
        '{"cf": "RSSMRA85T10A562S", "invalidita": "67", "handicap": "comma1"}\n'
        '{"cf": "rssmra85t10a562s", "cecita": "decimista", "rivedibile": "2029-02-28"}\n',
    )


def make_keys():
    d = CORPUS / "key_files"
    if d.exists() and any(d.iterdir()):
        return
    attesta = next(
        (p for p in (ROOT / "target/release/attesta", ROOT / "target/debug/attesta") if p.exists()),
        None,
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, ATTESTA_PASSPHRASE="pw")
        if attesta:
            subprocess.run([attesta, "keygen", "--out", tmp / "plain.key"], check=True,
                           env={k: v for k, v in env.items() if k != "ATTESTA_PASSPHRASE"})
            subprocess.run([attesta, "keygen", "--out", tmp / "enc.key"], check=True, env=env)
            subprocess.run([attesta, "keygen", "--operator", "--out", tmp / "op.key"], check=True,
                           env={k: v for k, v in env.items() if k != "ATTESTA_PASSPHRASE"})
            subprocess.run([attesta, "keygen", "--operator", "--out", tmp / "openc.key"],
                           check=True, env=env)
        if shutil.which("openssl"):
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out",
                            tmp / "ossl-ed.key"], check=True)
            subprocess.run(["openssl", "genpkey", "-algorithm", "x25519", "-out",
                            tmp / "ossl-x.key"], check=True)
            subprocess.run(["openssl", "pkey", "-in", tmp / "ossl-ed.key", "-pubout", "-out",
                            tmp / "ossl-ed.key.pub"], check=True)
        for f in sorted(tmp.iterdir()):
            put("key_files", f.read_bytes())


def images():
    photos = ROOT / "bench/photos/corpus"
    for name in ("clean-00.png", "clean-06.png", "jpeg-02.jpg"):
        f = photos / name
        if f.exists():
            put("image_decode", f.read_bytes())


def main():
    from_vectors()
    rows()
    make_keys()
    images()
    for d in sorted(CORPUS.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name:18} {len(files):4} files {sum(f.stat().st_size for f in files):8} bytes")


if __name__ == "__main__":
    sys.exit(main())
