"""Request signing: HMAC-SHA256, RSA (PKCS#1 v1.5 over SHA-256) and Ed25519 (RFC 8032).

A signer is built once per client (keys are parsed once) and turns the exact payload string that
Binance signs into the signature string Binance expects:

* HMAC: lowercase hex digest keyed with the API secret;
* RSA / Ed25519: standard base64 (the caller URL-encodes it when it goes into a query string).

The same module verifies signatures, which is what the sandbox uses to check requests the way
Binance does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import TYPE_CHECKING, Any, Optional, Union

from binance.error import PrivateKeyError

if TYPE_CHECKING:  # pycryptodome is imported on first use: an HMAC client never needs it
    from Crypto.PublicKey import ECC, RSA

KeyMaterial = Union[str, bytes]

__all__ = [
    "Signer",
    "HmacSigner",
    "RsaSigner",
    "Ed25519Signer",
    "load_private_key",
    "make_signer",
    "Verifier",
    "load_public_key",
    "verify_hmac",
]


class Signer:
    """Base class: `sign(payload)` returns the signature string for `payload`."""

    algorithm = ""

    def sign(self, payload: str) -> str:  # pragma: no cover - interface
        """Return the signature of `payload`."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class HmacSigner(Signer):
    """HMAC-SHA256 with the API secret; hex output."""

    algorithm = "HMAC_SHA256"

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def sign(self, payload: str) -> str:
        """Return the lowercase hex HMAC-SHA256 of `payload`."""
        return hmac.new(self._key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


class RsaSigner(Signer):
    """RSASSA-PKCS1-v1_5 over SHA-256; base64 output."""

    algorithm = "RSA"

    def __init__(self, key: RSA.RsaKey) -> None:
        from Crypto.Hash import SHA256
        from Crypto.Signature import pkcs1_15

        self._scheme = pkcs1_15.new(key)
        self._sha256 = SHA256.new
        self._fast = _openssl_key(key)  # the same signature (PKCS#1 v1.5 is deterministic), about 3x faster
        if self._fast is not None:
            from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
            from cryptography.hazmat.primitives.hashes import SHA256 as OpenSSLSHA256

            self._padding, self._hash = PKCS1v15(), OpenSSLSHA256()

    def sign(self, payload: str) -> str:
        """Return the base64 RSA signature of `payload`."""
        if self._fast is not None:
            return base64.b64encode(self._fast.sign(payload.encode("utf-8"), self._padding, self._hash)).decode("ascii")
        digest = self._sha256(payload.encode("utf-8"))
        return base64.b64encode(self._scheme.sign(digest)).decode("ascii")


class Ed25519Signer(Signer):
    """Pure Ed25519 (RFC 8032, no pre-hash); base64 output."""

    algorithm = "Ed25519"

    def __init__(self, key: ECC.EccKey) -> None:
        from Crypto.Signature import eddsa

        self._scheme = eddsa.new(key, "rfc8032")
        self._fast = _openssl_key(key)  # the same signature (Ed25519 is deterministic), about 3x faster

    def sign(self, payload: str) -> str:
        """Return the base64 Ed25519 signature of `payload`."""
        if self._fast is not None:
            return base64.b64encode(self._fast.sign(payload.encode("utf-8"))).decode("ascii")
        return base64.b64encode(self._scheme.sign(payload.encode("utf-8"))).decode("ascii")


def _openssl_key(key: Union[RSA.RsaKey, ECC.EccKey]) -> Any:
    """The same private key for `cryptography` (OpenSSL) when that package is installed (the `fast`
    extra), else None: pycryptodome then signs. Only signing speed differs: both make the same bytes."""
    try:
        from cryptography.hazmat.primitives.serialization import load_der_private_key
    except ImportError:
        return None
    try:
        der = key.export_key(format="DER", pkcs=8) if hasattr(key, "n") else key.export_key(format="DER")
        return load_der_private_key(der, password=None)
    except Exception:  # an OpenSSL build without the algorithm: pycryptodome signs
        return None


def _read_key_material(material: KeyMaterial) -> bytes:
    if isinstance(material, bytes):
        return material
    text = material.strip()
    if not text.startswith("-----") and len(text) < 4096 and os.path.isfile(text):
        with open(text, "rb") as handle:
            return handle.read()
    return text.encode("utf-8")


def load_private_key(material: KeyMaterial, passphrase: Optional[KeyMaterial] = None) -> Signer:
    """Parse a PEM private key (text, bytes or a file path) into an RSA or Ed25519 signer.

    The key type is detected from the PEM. Raises [PrivateKeyError][binance.error.PrivateKeyError] when the
    key does not parse; the message never contains the key.
    """
    from Crypto.PublicKey import ECC, RSA

    data = _read_key_material(material)
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    try:
        return RsaSigner(_private_only(RSA.import_key(data, passphrase=passphrase)))
    except (ValueError, IndexError, TypeError):
        pass
    try:
        key = ECC.import_key(data, passphrase=passphrase)
    except (ValueError, IndexError, TypeError):
        raise PrivateKeyError(
            "private_key is not a PEM RSA or Ed25519 private key"
            + (" (or the passphrase is wrong)" if passphrase else "")
        ) from None
    if key.curve not in ("Ed25519", "ed25519") or not key.has_private():
        raise PrivateKeyError("private_key must be an RSA or Ed25519 private key")
    return Ed25519Signer(key)


def _private_only(key: RSA.RsaKey) -> RSA.RsaKey:
    if not key.has_private():
        raise ValueError("public key")
    return key


def make_signer(
    secret: Optional[str] = None,
    private_key: Optional[KeyMaterial] = None,
    private_key_pass: Optional[KeyMaterial] = None,
) -> Optional[Signer]:
    """Build the client's signer: an asymmetric key wins over a secret; `None` when neither is set."""
    if private_key:
        return load_private_key(private_key, private_key_pass)
    if secret:
        return HmacSigner(secret)
    return None


class Verifier:
    """Checks signatures made with the private half of a public key (RSA or Ed25519)."""

    def __init__(self, key: Union[RSA.RsaKey, ECC.EccKey]) -> None:
        from Crypto.PublicKey import RSA

        self.key = key
        self.algorithm = "RSA" if isinstance(key, RSA.RsaKey) else "Ed25519"

    def verify(self, payload: str, signature_b64: str) -> bool:
        """Return True when `signature_b64` is a valid signature of `payload`."""
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (ValueError, TypeError):
            return False
        from Crypto.Hash import SHA256
        from Crypto.Signature import eddsa, pkcs1_15

        data = payload.encode("utf-8")
        try:
            if self.algorithm == "RSA":
                pkcs1_15.new(self.key).verify(SHA256.new(data), signature)
            else:
                eddsa.new(self.key, "rfc8032").verify(data, signature)
        except (ValueError, TypeError):
            return False
        return True


def load_public_key(material: KeyMaterial) -> Verifier:
    """Parse a PEM public key (RSA or Ed25519; text, bytes or a file path) into a `Verifier`."""
    from Crypto.PublicKey import ECC, RSA

    data = _read_key_material(material)
    try:
        return Verifier(RSA.import_key(data))
    except (ValueError, IndexError, TypeError):
        pass
    try:
        return Verifier(ECC.import_key(data))
    except (ValueError, IndexError, TypeError):
        raise PrivateKeyError("not a PEM RSA or Ed25519 public key") from None


def verify_hmac(secret: str, payload: str, signature: str) -> bool:
    """Return True when `signature` is the HMAC-SHA256 hex of `payload` under `secret`."""
    expected = HmacSigner(secret).sign(payload)
    return hmac.compare_digest(expected, signature.lower())
