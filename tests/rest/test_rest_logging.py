"""Logging: one INFO line per request, and no secret of any kind in any record, even at DEBUG."""

from __future__ import annotations

import logging
from urllib.parse import unquote

import pytest
from Crypto.PublicKey import ECC, RSA

from binance.error import ClientError
from binance.um_futures import UMFutures

API_KEY = "LOGKEYvmPUSHoverTheEdgeQwErTy12345"
SECRET = "LOGSECRETdoNotLeakMe9876543210abcdef"
LISTEN_KEY = "LISTENKEYpqggaLSZhqnZ0ZLHTU9HLXD1W2a1"


@pytest.fixture(scope="module")
def keys():
    rsa = RSA.generate(2048)
    ed = ECC.generate(curve="Ed25519")
    return {
        "rsa": rsa.export_key().decode(),
        "ed25519": ed.export_key(format="PEM"),
    }


def _pem_body_lines(pem: str):
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def _everything_logged(records):
    out = []
    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        out.append(fmt.format(record))
        out.append(repr(record.args))
        out.append(str(record.msg))
    return "\n".join(out)


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
def test_no_secret_in_any_log_record_at_debug(server, caplog, keys, kind):
    if kind == "hmac":
        client = UMFutures(API_KEY, SECRET, base_url=server.url)
        secrets = [SECRET]
    else:
        client = UMFutures(API_KEY, private_key=keys[kind], base_url=server.url)
        secrets = _pem_body_lines(keys[kind])
    caplog.set_level(logging.DEBUG)
    client.new_order("BTCUSDT", "BUY", "LIMIT", quantity="0.001", price="30000", timeInForce="GTC")
    client.account(recvWindow=5000)
    server.respond(400, {"code": -2019, "msg": "Margin is insufficient."})
    with pytest.raises(ClientError):
        client.new_order("BTCUSDT", "BUY", "MARKET", quantity="100")
    server.respond(200, {"listenKey": LISTEN_KEY})
    assert client.new_listen_key() == {"listenKey": LISTEN_KEY}
    client.renew_listen_key(LISTEN_KEY)
    client.close_listen_key(LISTEN_KEY)

    signatures = []
    for request in server.requests:
        _, raw = request.signed_payload_and_signature()
        if raw:
            signatures += [raw, unquote(raw)]
    assert len(signatures) == 6
    logged = _everything_logged(caplog.records)
    for secret in secrets + signatures + [API_KEY, LISTEN_KEY]:
        assert secret not in logged
    info_lines = [r.getMessage() for r in caplog.records if r.name == "binance.api" and r.levelno == logging.INFO]
    assert any(line.startswith("POST /fapi/v1/order 200 ") and line.endswith("ms") for line in info_lines)
    assert any(line.startswith("POST /fapi/v1/order 400 ") for line in info_lines)
    assert sum(1 for line in info_lines if "/fapi/v1/listenKey" in line) == 3
    assert all(r.name.startswith(("binance", "urllib3")) for r in caplog.records)


def test_library_never_configures_the_root_logger():
    root = logging.getLogger()
    handlers = list(root.handlers)
    UMFutures("k", "s")
    assert root.handlers == handlers
