"""Signing: the published test vectors, and HMAC / RSA / Ed25519 requests verified on the server side."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from Crypto.PublicKey import ECC, RSA

from binance._signing import Ed25519Signer, HmacSigner, RsaSigner, load_private_key, load_public_key, verify_hmac
from binance.cm_futures import CMFutures
from binance.lib.authentication import ed25519_signature, hmac_hashing, rsa_signature
from binance.um_futures import UMFutures

# Verified vectors copied from ../shared/spec/websocket.json (signing.test_vectors).
HMAC_VECTOR = {
    "secret": "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
    "payload": "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000"
    "&timestamp=1591702613943",
    "signature": "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
}
HMAC_QUERY_PLUS_BODY_VECTOR = {
    "secret": "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
    "payload": "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&recvWindow=5000"
    "&timestamp= 1591702613943",
    "signature": "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2",
}
ED25519_VECTOR = {
    "private_key": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPQmzwVKJETqVd7L9E/DFbkvrOigy1tLL+9QF0mSn6dV\n"
    "-----END PRIVATE KEY-----\n",
    "payload": "price=50000&quantity=1&side=BUY&symbol=BTCUSDT&timestamp=1631234567890&type=LIMIT",
    "signature": "a4Pm3p02D2HXtNfo3DBaVCe9Ov7kledewgYtGjekotFmZ5wXa3mC5AtLB7CpAphyNjeyovIuDP+9fyjYmsojCw==",
}
# The encrypted PKCS#8 RSA test key (passphrase "testpwd") the vector refers to: a public test fixture of
# python-binance (tests/test_cryptography.py), used here only as data.
RSA_VECTOR = {
    "private_key": (
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
        "MIIFNTBfBgkqhkiG9w0BBQ0wUjAxBgkqhkiG9w0BBQwwJAQQWW+iEMYYCPUntrPq\n"
        "Z2RCMAICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEIw3ViSuTp8JeN43\n"
        "5VGlHt0EggTQBvEzd2w2F561CzU+MDouZDOPj4RTIStC471z0/bxTgYqH3gYchoe\n"
        "Ofi2lsLuD8B+ivIRuXB8GT66BIseIOMV8t/tiMe97rFI/cV4h6DrBO1xlmSrBG97\n"
        "vFF9qPA5yPRlrHtWKkGxhXteNVsT3w/7Y7KsulO/gA2KpsOElMElOhUP462Yd0Wl\n"
        "OxAIV3+knl2niozws2Kq3EdzTF3N6hlavUPryiU/w4RRsPN5qgjchVVLq/sYRYhx\n"
        "N8uWJbkjhCcHsULkD5KkdgddR0VOhpQPXIdY+gPkSBJq1ltRWy/TYdXiU2fEBNZW\n"
        "hFUVrxnS76+u2R3vukY2IAX8zTC6h2AbCBG+r4XXzgk/l/4peySKHsPQRzQ0in39\n"
        "a9o5sctOmUNeD4uJ6cClXDdqyEwXhnPmRKZjJ8qeH4D9wl7HOG7iQsYiyfJe/igi\n"
        "FEXVRZOtLBdbwX45rU6wiWWjxzY+mDnw4BXE31ZBPwgtoh+CLTyK8NI8LnCV/CgO\n"
        "zOY4sm/KDWmbfTTZjLSdYRFj7wEpOdUWjZ13viDFZqnmy/o1auvLmBcqbRrCyW+B\n"
        "OMI7aHE0mZ/52vEFQYU1tH0BxMmRfWXUCJj0TjwxDY6BQmmW4YlhsrgGNekLFDo1\n"
        "6phFd0pA4UPqGXfNLzHp1dtLhUEb4YzcpDn+HMzMf1gfez7qeqU28nNFg/AwwqHZ\n"
        "TWdGclCFjiah7SfvOslob4vdLGwkUhgCBKQUQoU1DltX2GOgIv9SNY3q6X0NwdZG\n"
        "L5gqk225WVUwIRzmi5nfUEXlbaTvyHg3BuGedUKJ91IhRCW1ZjvU8GQcfVsu8bse\n"
        "TCKMdr7wi/zEZXSldCza6vL4m3tmBLtWkHVOW8bcDWvoVwRswbFHfleHzckl7EeC\n"
        "9C4TRa66gA5UOv14SrpC8noQUNpSegg+1KI4BSNvwaheiSUqjQbisb0qYCxML0ZP\n"
        "mQodwVsXG6LYo+Y6y6CpHbT7UYkfa59q/CGOZByL1bEzzgd98ZHwjihOjHVaV6sY\n"
        "BW018AvGxr7kjEU4LNqIteydTp0o31ZJN/qK78w5EQFfJxfImrx/E4nYKtg4higj\n"
        "KOQCgJALKIveidqQEFsbGWsulYrMXwnu0nPThofR1D8eCJZpdTxvOh2nIrNrAeY8\n"
        "ZMAwG1uQos5A0yEZ1auHxz+rb4errnk92OnVlWnElf1TwwlkFFNLdNDl8VpiMP40\n"
        "6en9VtlOfgH8AwB03WsoeuEQsxYTIcRKWZZPRsLx3hd0BsOw0FcYDSX2XIGPkVVW\n"
        "iYf9hzFSQsWV3d6utloIm4nG8XONfNaRimGECbUSZyHZimrO1m4Gga5pE3LKuDri\n"
        "JKR2lR7b6XPR7+FS+lG1zq5KY7onAVQY1oABfTjpJRju6pQGWt70hairo6EaVC3u\n"
        "rBy8UkLwBbfDuigSvsVk+sF2+Ic0IzX6IniU0F5kMe+MKqGB4aicXP6FFGBpPFTe\n"
        "v6yHD+DYAu1rnlXrqmFL50CfutTF78uPPJ9D2Sm0DcGPFj+6IrCigj48uxoHR9Qb\n"
        "FeNzfsmVwoFAWWq/MpkPbX6Aql8ddCbpMxDUUkybwVV9rJmEMTLil44FrxKAKFhP\n"
        "0Av7JeFvdz15pfnf/IQ3IOvVhHGFChFS13sbYSvFHMQF3P0BiyvjhBI=\n"
        "-----END ENCRYPTED PRIVATE KEY-----\n"
    ),
    "passphrase": "testpwd",
    "payload": "price=50000&quantity=1&side=BUY&symbol=BTCUSDT&timestamp=1631234567890&type=LIMIT",
    "signature": (
        "S4l9IONXGHIdt4NjwmpCIhawDTitjUQls73d+mi0HJTSbTGyn95NabX5hC9+n6HsTqLcWPvxKgTvLFMnTaf6Jxl+xwQMbu9/6mw88KF7i1pEQ"
        "izerKcr91rPUPVBQ4OY10Q018QEamIAymRgo/eoRYSm7CqCdeibGyO0XfXZBaJnVGFJ9hgrPIwSKHgeUnfK8qMenULvL0qKMEJ6ziYPiqh7k9"
        "xX3xIV7lGIpokk+ekqlFd01f/Lov45osJCFuccJO4xuUUZewZnVGF7Uw6Rim3UsKhXKZUN9WZWa5RT+dpBIJ5DTBIXBSvowwj3GZC3j+XvWw"
        "8Sn0Ls9836l89BXw=="
    ),
}


def test_hmac_vector():
    assert HmacSigner(HMAC_VECTOR["secret"]).sign(HMAC_VECTOR["payload"]) == HMAC_VECTOR["signature"]
    assert hmac_hashing(HMAC_VECTOR["secret"], HMAC_VECTOR["payload"]) == HMAC_VECTOR["signature"]
    assert verify_hmac(HMAC_VECTOR["secret"], HMAC_VECTOR["payload"], HMAC_VECTOR["signature"])


def test_hmac_query_plus_body_vector_signs_the_literal_documented_string():
    vector = HMAC_QUERY_PLUS_BODY_VECTOR
    assert HmacSigner(vector["secret"]).sign(vector["payload"]) == vector["signature"]


def test_ed25519_vector():
    signer = load_private_key(ED25519_VECTOR["private_key"])
    assert isinstance(signer, Ed25519Signer)
    assert signer.sign(ED25519_VECTOR["payload"]) == ED25519_VECTOR["signature"]
    assert (
        load_private_key(ED25519_VECTOR["private_key"].encode()).sign(ED25519_VECTOR["payload"])
        == (ED25519_VECTOR["signature"])
    )
    assert ed25519_signature(ED25519_VECTOR["private_key"], ED25519_VECTOR["payload"]) == ED25519_VECTOR["signature"]


def test_rsa_encrypted_pkcs8_vector():
    signer = load_private_key(RSA_VECTOR["private_key"], RSA_VECTOR["passphrase"])
    assert isinstance(signer, RsaSigner)
    assert signer.sign(RSA_VECTOR["payload"]) == RSA_VECTOR["signature"]
    assert rsa_signature(RSA_VECTOR["private_key"], RSA_VECTOR["payload"], RSA_VECTOR["passphrase"]) == (
        RSA_VECTOR["signature"].encode()
    )


@pytest.fixture(scope="module")
def rsa_key():
    return RSA.generate(2048)


@pytest.fixture(scope="module")
def ed25519_key():
    return ECC.generate(curve="Ed25519")


def _verify_server_side(server, verifier):
    payload, raw_signature = server.last.signed_payload_and_signature()
    assert raw_signature is not None
    assert server.last.raw_query.endswith("&signature=" + raw_signature)
    signature = unquote(raw_signature)
    assert verifier.verify(payload, signature)
    assert not verifier.verify(payload + "&recvWindow=1", signature)
    return signature


@pytest.mark.parametrize("client_class, symbol", [(UMFutures, "BTCUSDT"), (CMFutures, "BTCUSD_PERP")])
def test_hmac_request_verifies_on_the_server(server, client_class, symbol):
    client = client_class("hmac-key", "hmac-secret", base_url=server.url)
    client.new_order(symbol, "BUY", "LIMIT", quantity="1", price="30000", timeInForce="GTC")
    payload, raw_signature = server.last.signed_payload_and_signature()
    assert verify_hmac("hmac-secret", payload, unquote(raw_signature))
    assert not verify_hmac("other-secret", payload, unquote(raw_signature))
    assert server.last.headers["X-MBX-APIKEY"] == "hmac-key"


@pytest.mark.parametrize("passphrase", [None, "correct horse"])
def test_rsa_request_verifies_on_the_server(server, rsa_key, passphrase):
    if passphrase:
        pem = rsa_key.export_key(passphrase=passphrase, pkcs=8, protection="scryptAndAES128-CBC")
    else:
        pem = rsa_key.export_key()
    client = UMFutures("rsa-key", private_key=pem, private_key_pass=passphrase, base_url=server.url)
    client.new_order("BTCUSDT", "BUY", "LIMIT", quantity="0.001", price="30000", timeInForce="GTC")
    verifier = load_public_key(rsa_key.public_key().export_key())
    signature = _verify_server_side(server, verifier)
    assert "%2B" in server.last.raw_query or "%2F" in server.last.raw_query or "+" not in signature
    assert server.last.headers["X-MBX-APIKEY"] == "rsa-key"


@pytest.mark.parametrize("passphrase", [None, "correct horse"])
def test_ed25519_request_verifies_on_the_server(server, ed25519_key, passphrase, tmp_path):
    if passphrase:
        pem = ed25519_key.export_key(
            format="PEM", passphrase=passphrase, protection="PBKDF2WithHMAC-SHA512AndAES256-CBC"
        )
    else:
        pem = ed25519_key.export_key(format="PEM")
    key_file = tmp_path / "ed25519.pem"
    key_file.write_text(pem)
    client = CMFutures("ed-key", private_key=str(key_file), private_key_pass=passphrase, base_url=server.url)
    client.new_order("BTCUSD_PERP", "BUY", "LIMIT", quantity="1", price="30000", timeInForce="GTC")
    verifier = load_public_key(ed25519_key.public_key().export_key(format="PEM"))
    _verify_server_side(server, verifier)
    assert server.last.headers["X-MBX-APIKEY"] == "ed-key"


def test_private_key_wins_over_secret_and_is_parsed_once(server, ed25519_key):
    pem = ed25519_key.export_key(format="PEM")
    client = UMFutures("k", "ignored-secret", private_key=pem, base_url=server.url)
    signer = client._signer
    client.account()
    client.balance()
    assert client._signer is signer
    verifier = load_public_key(ed25519_key.public_key().export_key(format="PEM"))
    _verify_server_side(server, verifier)


def test_wrong_passphrase_is_refused_at_construction(rsa_key):
    from binance.error import PrivateKeyError

    pem = rsa_key.export_key(passphrase="right", pkcs=8, protection="scryptAndAES128-CBC")
    with pytest.raises(PrivateKeyError):
        UMFutures("k", private_key=pem, private_key_pass="wrong")
