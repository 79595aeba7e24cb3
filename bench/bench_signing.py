"""Signing alone, per algorithm: ours (keys parsed once) against 4.2.0's ``binance.lib.authentication``
functions (which parse the RSA key on every call), and the primitive alone as the floor.

    .venv/bin/python bench/bench_signing.py [--quick]

The functions here run in any of the three interpreters (ours, 4.2.0's venv, the floor): the
workers of :mod:`bench_rest` import this module and call :func:`time_signing`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional

PAYLOAD = "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.002&price=59808&timestamp=1700000000000"
API_KEY = "benchApiKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
SECRET = "benchSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
ALGORITHMS = ("hmac", "rsa", "ed25519")
IMPLS = ("ours", "theirs", "floor")


def make_keys(directory: str) -> Dict[str, str]:
    """Write a fresh RSA-2048 and Ed25519 private key (PEM) into ``directory``; return their paths."""
    from Crypto.PublicKey import ECC, RSA

    os.makedirs(directory, exist_ok=True)
    paths = {"rsa": os.path.join(directory, "rsa.pem"), "ed25519": os.path.join(directory, "ed25519.pem")}
    with open(paths["rsa"], "wb") as handle:
        handle.write(RSA.generate(2048).export_key("PEM"))
    with open(paths["ed25519"], "w", encoding="ascii") as handle:
        handle.write(ECC.generate(curve="Ed25519").export_key(format="PEM"))
    return paths


def read_pem(path: str) -> str:
    """The PEM text of a key file."""
    with open(path, encoding="ascii") as handle:
        return handle.read()


def make_sign(impl: str, algorithm: str, keys: Dict[str, str]) -> Optional[Callable[[str], Any]]:
    """A ``sign(payload)`` callable for ``impl`` ("ours", "theirs" = 4.2.0, "floor"), or None if it has none."""
    if impl == "ours":
        from binance._signing import make_signer

        if algorithm == "hmac":
            return make_signer(SECRET).sign
        return make_signer(private_key=read_pem(keys[algorithm])).sign
    if impl == "theirs":
        from binance.lib import authentication

        if algorithm == "hmac":
            return lambda payload: authentication.hmac_hashing(SECRET, payload)
        if algorithm == "rsa":
            pem = read_pem(keys["rsa"])
            return lambda payload: authentication.rsa_signature(pem, payload)
        return None
    if impl == "floor":
        return _primitive(algorithm, keys)
    raise ValueError(f"unknown implementation {impl!r}")


def _primitive(algorithm: str, keys: Dict[str, str]) -> Callable[[str], Any]:
    import hashlib
    import hmac

    if algorithm == "hmac":
        secret = SECRET.encode()
        return lambda payload: hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    from Crypto.Hash import SHA256
    from Crypto.PublicKey import ECC, RSA
    from Crypto.Signature import eddsa, pkcs1_15

    if algorithm == "rsa":
        scheme = pkcs1_15.new(RSA.import_key(read_pem(keys["rsa"])))
        return lambda payload: scheme.sign(SHA256.new(payload.encode()))
    signer = eddsa.new(ECC.import_key(read_pem(keys["ed25519"])), "rfc8032")
    return lambda payload: signer.sign(payload.encode())


def time_signing(impl: str, algorithm: str, keys: Dict[str, str], calls: int) -> Optional[float]:
    """Median µs per signature over ``calls`` signatures (after one warm-up), or None when ``impl`` lacks it."""
    sign = make_sign(impl, algorithm, keys)
    if sign is None:
        return None
    sign(PAYLOAD)
    clock = time.perf_counter
    samples = []
    for _ in range(calls):
        started = clock()
        sign(PAYLOAD)
        samples.append(clock() - started)
    return statistics.median(samples) * 1e6


def calls_for(algorithm: str, quick: bool) -> int:
    """Signatures per round: enough for ~10-50 ms of work per round."""
    base = {"hmac": 5000, "rsa": 20, "ed25519": 200}[algorithm]
    return max(3, base // 10) if quick else base


def signing_rows(results: Dict[str, Dict[str, List[Optional[float]]]]) -> List[Any]:
    """Rows from ``results[algorithm][impl] = [µs per round, ...]``."""
    from _table import Row, median

    rows = []
    for algorithm in ALGORITHMS:
        per = results.get(algorithm, {})
        med = {impl: median(per.get(impl, [])) for impl in IMPLS}
        row = Row("Signing", f"{algorithm.upper() if algorithm != 'ed25519' else 'Ed25519'} sign", "µs/sig",
                  med["ours"], med["theirs"], med["floor"], floor_label="pycryptodome, key pre-parsed")
        backend = ("ours signs through cryptography (OpenSSL) when it is installed (the fast extra; in the "
                   "project venv the dev extra's ccxt brings it, as here), else through pycryptodome")
        if algorithm == "rsa":
            row.ratio_max = 0.2
            row.note = "4.2.0 parses the PEM key on every call; " + backend
        if algorithm == "ed25519":
            row.note = "4.2.0 has no Ed25519; " + backend
        rows.append(row)
    return rows



def run(quick: bool = False) -> List[Any]:
    """Signing rows, measured through :mod:`bench_rest`'s workers (one per interpreter)."""
    import bench_rest

    return bench_rest.run(quick, sections=("signing",))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _table import format_text

    print(format_text(run("--quick" in sys.argv)))
