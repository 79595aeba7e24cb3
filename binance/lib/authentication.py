"""Signing helpers kept under their 4.2.0 names; the work is done by `_signing`."""

from __future__ import annotations

from typing import Optional, Union

from binance._signing import HmacSigner, load_private_key

__all__ = ["hmac_hashing", "rsa_signature", "ed25519_signature"]


def hmac_hashing(secret: str, payload: str) -> str:
    """Hex HMAC-SHA256 of `payload` keyed with `secret`."""
    return HmacSigner(secret).sign(payload)


def rsa_signature(private_key: Union[str, bytes], payload: str, private_key_pass: Optional[str] = None) -> bytes:
    """Base64 RSA (PKCS#1 v1.5, SHA-256) signature of `payload`, as bytes like 4.2.0.

    Parses the key on every call; clients build a signer once instead.
    """
    return load_private_key(private_key, private_key_pass).sign(payload).encode("ascii")


def ed25519_signature(private_key: Union[str, bytes], payload: str, private_key_pass: Optional[str] = None) -> str:
    """Base64 Ed25519 signature of `payload`."""
    return load_private_key(private_key, private_key_pass).sign(payload)
