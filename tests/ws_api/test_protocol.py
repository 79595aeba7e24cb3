"""Pure protocol core: the signed payload, the request frame, reply parsing and typed errors."""

from __future__ import annotations

import hashlib
import hmac
import json
import string
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binance._signing import HmacSigner, load_private_key, verify_hmac
from binance.error import (
    ClientError,
    InvalidSignatureError,
    ParameterArgumentError,
    ServerError,
    TimestampError,
    TooManyRequestsError,
)
from binance.websocket.api._protocol import (
    build_params,
    encode_request,
    parse_reply,
    reply_error,
    signing_payload,
    wire_value,
)

ws_signature_payload = pytest.importorskip("binance.sandbox.auth").ws_signature_payload

ED25519_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIPQmzwVKJETqVd7L9E/DFbkvrOigy1tLL+9QF0mSn6dV\n"
    "-----END PRIVATE KEY-----\n"
)
RESERVED = {"apiKey", "timestamp", "signature"}
HMAC_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"


def test_signing_payload_sorts_by_name_and_skips_signature():
    params = {"type": "LIMIT", "symbol": "BTCUSDT", "side": "BUY", "quantity": 1, "price": 50000,
              "timestamp": 1631234567890, "signature": "x"}
    expected = "price=50000&quantity=1&side=BUY&symbol=BTCUSDT&timestamp=1631234567890&type=LIMIT"
    assert signing_payload(params) == expected


def test_ed25519_vector_sorted_params():
    """websocket.json signing.test_vectors ed25519_sorted_params (verified with openssl)."""
    signer = load_private_key(ED25519_PEM)
    payload = signing_payload({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1",
                               "price": "50000", "timestamp": 1631234567890})
    assert signer.sign(payload) == (
        "a4Pm3p02D2HXtNfo3DBaVCe9Ov7kledewgYtGjekotFmZ5wXa3mC5AtLB7CpAphyNjeyovIuDP+9fyjYmsojCw=="
    )


def test_build_params_signs_apikey_and_timestamp_sorted_hmac():
    params = build_params(
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": Decimal("0.1"),
         "price": 42088.0, "recvWindow": 5000, "newClientOrderId": None},
        api_key="yeqKcXjtA9Eu4Tr3nJk61UJAGzXsEmFqqfVterxpMpR4peNfqE7Zl7oans8Qj089",
        signer=HmacSigner(HMAC_SECRET),
        timestamp=1705311512994,
    )
    expected_payload = (
        "apiKey=yeqKcXjtA9Eu4Tr3nJk61UJAGzXsEmFqqfVterxpMpR4peNfqE7Zl7oans8Qj089&price=42088&quantity=0.1"
        "&recvWindow=5000&side=BUY&symbol=BTCUSDT&timeInForce=GTC&timestamp=1705311512994&type=LIMIT"
    )
    expected_sig = hmac.new(HMAC_SECRET.encode(), expected_payload.encode(), hashlib.sha256).hexdigest()
    assert params["signature"] == expected_sig
    assert list(params) == sorted(params)
    assert "newClientOrderId" not in params
    assert params["recvWindow"] == 5000 and params["timestamp"] == 1705311512994
    assert params["price"] == "42088" and params["quantity"] == "0.1"


def test_wire_values_decimals_without_exponent_bools_and_lists():
    assert wire_value(Decimal("1E-8")) == "0.00000001"
    assert wire_value(1e-05) == "0.00001"
    assert wire_value(True) == "true" and wire_value(False) == "false"
    assert wire_value(["BTCUSDT", "ETHUSDT"]) == '["BTCUSDT","ETHUSDT"]'
    assert wire_value(7) == 7
    assert signing_payload({"reduceOnly": True, "batch": [1, 2]}) == "batch=%5B1%2C2%5D&reduceOnly=true"


def test_user_stream_params_carry_only_the_key_and_public_ones_nothing():
    assert build_params({}, api_key="k") == {"apiKey": "k"}
    assert build_params({"symbol": "BTCUSDT"}) == {"symbol": "BTCUSDT"}


def test_signed_request_without_key_or_timestamp_is_refused():
    with pytest.raises(ParameterArgumentError):
        build_params({"symbol": "X"}, signer=HmacSigner("s"), timestamp=1)
    with pytest.raises(ParameterArgumentError):
        build_params({"symbol": "X"}, api_key="k", signer=HmacSigner("s"))


def test_encode_request_frame():
    assert json.loads(encode_request(3, "order.status", {"symbol": "BTCUSDT"})) == {
        "id": 3, "method": "order.status", "params": {"symbol": "BTCUSDT"}}
    assert json.loads(encode_request("a", "userDataStream.ping")) == {"id": "a", "method": "userDataStream.ping"}


def test_parse_success_reply_keeps_rate_limits():
    limits = [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400, "count": 3}]
    reply = parse_reply(json.dumps({"id": 5, "status": 200, "result": {"orderId": 1}, "rateLimits": limits}))
    assert reply is not None and reply.ok and reply.id == 5
    assert reply.result == {"orderId": 1} and reply.rate_limits == limits


@pytest.mark.parametrize("text", ["not json", "[1,2]", '{"result": 1}', ""])
def test_unroutable_frames_parse_to_none(text):
    assert parse_reply(text) is None


@pytest.mark.parametrize(
    "status, code, cls",
    [(400, -1102, ClientError), (400, -1021, TimestampError), (400, -1022, InvalidSignatureError),
     (429, -1003, TooManyRequestsError)],
)
def test_error_replies_raise_the_rest_error_classes(status, code, cls):
    reply = parse_reply(json.dumps({"id": 1, "status": status, "error": {"code": code, "msg": "boom"},
                                    "rateLimits": [{"count": 1}]}))
    exc = reply_error(reply)
    assert type(exc) is cls
    assert (exc.status_code, exc.error_code, exc.error_message) == (status, code, "boom")
    assert exc.rate_limits == [{"count": 1}]
    assert "boom" in str(exc)


def test_5xx_reply_is_a_server_error():
    exc = reply_error(parse_reply('{"id": 1, "status": 503, "error": {"code": -1001, "msg": "down"}}'))
    assert isinstance(exc, ServerError) and exc.status_code == 503


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=12).filter(lambda k: k not in RESERVED),
        st.one_of(st.integers(-10**12, 10**12), st.booleans(), st.text(max_size=20),
                  st.decimals(allow_nan=False, allow_infinity=False, places=8),
                  st.floats(allow_nan=False, allow_infinity=False, width=32),
                  st.lists(st.text(alphabet=string.ascii_uppercase, max_size=8), max_size=3)),
        max_size=8,
    )
)
def test_sandbox_verifies_what_the_client_signs(params):
    """The server side (sandbox auth) rebuilds the payload from the JSON it receives and accepts it."""
    signed = build_params(params, api_key="key", signer=HmacSigner("secret"), timestamp=1700000000000)
    received = json.loads(encode_request(1, "order.place", signed))["params"]
    assert verify_hmac("secret", ws_signature_payload(received), received["signature"])
