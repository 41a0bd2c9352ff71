"""The EU DCC decode-and-verify pipeline in Python (base45, zlib, cbor2,
pycose), run on attesta codes: the generic alternative a developer would
reach for. Prints the median microseconds per code (decode + COSE signature
check + claims parse), measured in-process.

usage: python dcc_pipeline.py CODES.txt ISSUER_PUBLIC_KEY_HEX [ROUNDS]
"""
import statistics
import sys
import time
import zlib

import base45
import cbor2
from pycose.keys.curves import Ed25519
from pycose.keys.okp import OKPKey
from pycose.messages import Sign1Message


def decode_and_verify(text, key):
    body = text.split(":", 1)[1]
    raw = base45.b45decode(body)
    if raw[0] == 0x78:
        raw = zlib.decompress(raw)
    tagged = cbor2.loads(raw)
    if tagged.tag != 18:
        raise ValueError("not a COSE_Sign1")
    # Recent cbor2 returns arrays as tuples, which pycose cannot take.
    prot, unprot, payload, sig = tagged.value
    msg = Sign1Message.from_cose_obj([prot, dict(unprot), payload, sig], True)
    msg.key = key
    if not msg.verify_signature():
        raise ValueError("bad signature")
    return cbor2.loads(msg.payload)


def main():
    codes = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    key = OKPKey(crv=Ed25519, x=bytes.fromhex(sys.argv[2]))
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    for c in codes[:3]:
        claims = decode_and_verify(c, key)
        assert 4 in claims and 6 in claims, claims
    per_round = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for c in codes:
            decode_and_verify(c, key)
        per_round.append((time.perf_counter() - t0) / len(codes) * 1e6)
    print(f"{statistics.median(per_round):.1f}")


if __name__ == "__main__":
    main()
