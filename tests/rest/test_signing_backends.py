"""RSA and Ed25519 sign through `cryptography` (OpenSSL) when it is installed (the `fast` extra) and
through pycryptodome otherwise: the same bytes either way (both schemes are deterministic)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from Crypto.PublicKey import ECC, RSA

from binance._signing import load_private_key

pytest.importorskip("cryptography")

PAYLOAD = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.003&price=50000&timestamp=1700000000000"

# Run in a fresh interpreter in which `import cryptography` fails, as on an install without the extra.
_WITHOUT_CRYPTOGRAPHY = textwrap.dedent("""
    import json, sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "cryptography" or name.startswith("cryptography."):
                raise ImportError("blocked for the test")
            return None

    sys.meta_path.insert(0, Block())
    from binance._signing import load_private_key

    signer = load_private_key(sys.argv[1])
    print(json.dumps({"fast": signer._fast is not None, "signature": signer.sign(sys.argv[2])}))
""")


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_both_backends_make_the_same_signature(kind: str) -> None:
    key = RSA.generate(2048) if kind == "rsa" else ECC.generate(curve="Ed25519")
    pem = key.export_key(format="PEM")
    pem = pem.decode() if isinstance(pem, bytes) else pem
    signer = load_private_key(pem)
    assert signer._fast is not None  # cryptography is installed here (the dev extra)
    out = subprocess.run([sys.executable, "-c", _WITHOUT_CRYPTOGRAPHY, pem, PAYLOAD], capture_output=True,
                         text=True, timeout=60, check=True)
    without = json.loads(out.stdout)
    assert without["fast"] is False
    assert without["signature"] == signer.sign(PAYLOAD)
