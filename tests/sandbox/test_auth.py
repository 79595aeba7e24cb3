"""Request authentication as Binance does it: API key, signature, timestamp, recvWindow."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from binance._signing import HmacSigner, load_private_key
from binance.sandbox.auth import (
    Authenticator,
    parse_params,
    split_signature,
    ws_signature_payload,
)
from binance.sandbox.engine.errors import EngineError

SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
KEY = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"
NOW = 1591702613943


def make_auth(now: int = NOW) -> Authenticator:
    auth = Authenticator(lambda: now)
    auth.add_key(KEY, SECRET)
    return auth


HMAC = HmacSigner(SECRET)


def signed_query(params: str, signer=HMAC) -> str:
    return f"{params}&signature={quote(signer.sign(params), safe='')}"


def code_of(excinfo) -> int:
    return excinfo.value.code


def test_binance_documented_hmac_example_is_accepted():
    payload = (
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
        "&recvWindow=5000&timestamp=1591702613943"
    )
    query = payload + "&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    api_key, params = make_auth().check_rest("TRADE", KEY, query)
    assert api_key == KEY
    assert params == {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1", "price": "9000",
                      "timeInForce": "GTC"}


def test_query_plus_body_is_signed_as_one_string_without_separator():
    query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
    body_unsigned = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"
    signature = HmacSigner(SECRET).sign(query + body_unsigned)
    assert signature == "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
    _, params = make_auth().check_rest("TRADE", KEY, query, body_unsigned + "&signature=" + signature)
    assert params["quantity"] == "1" and params["timeInForce"] == "GTC"


def test_wrong_secret_is_1022():
    query = signed_query(f"symbol=BTCUSDT&timestamp={NOW}", HmacSigner("not-the-secret"))
    with pytest.raises(EngineError) as exc:
        make_auth().check_rest("USER_DATA", KEY, query)
    assert (code_of(exc), exc.value.msg) == (-1022, "Signature for this request is not valid.")


def test_tampered_parameter_is_1022():
    query = signed_query(f"symbol=BTCUSDT&quantity=1&timestamp={NOW}").replace("quantity=1", "quantity=2")
    with pytest.raises(EngineError) as exc:
        make_auth().check_rest("TRADE", KEY, query)
    assert code_of(exc) == -1022


@pytest.mark.parametrize(
    "timestamp, recv_window, ok",
    [
        (NOW - 5000, None, True),
        (NOW - 5001, None, False),
        (NOW - 59000, 60000, True),
        (NOW + 999, None, True),
        (NOW + 1000, None, False),
    ],
)
def test_timestamp_rule(timestamp, recv_window, ok):
    params = f"symbol=BTCUSDT&timestamp={timestamp}" + (f"&recvWindow={recv_window}" if recv_window else "")
    auth = make_auth()
    if ok:
        auth.check_rest("USER_DATA", KEY, signed_query(params))
        return
    with pytest.raises(EngineError) as exc:
        auth.check_rest("USER_DATA", KEY, signed_query(params))
    assert code_of(exc) == -1021
    expected = (
        "Timestamp for this request was 1000ms ahead of the server's time."
        if timestamp > NOW
        else "Timestamp for this request is outside of the recvWindow."
    )
    assert exc.value.msg == expected


def test_recv_window_above_60000_is_rejected():
    with pytest.raises(EngineError) as exc:
        make_auth().check_rest("USER_DATA", KEY, signed_query(f"recvWindow=60001&timestamp={NOW}"))
    assert code_of(exc) == -1131


@pytest.mark.parametrize("query, missing", [("symbol=X&signature=ab", "timestamp"), (f"timestamp={NOW}", "signature")])
def test_missing_timestamp_or_signature_is_1102(query, missing):
    with pytest.raises(EngineError) as exc:
        make_auth().check_rest("TRADE", KEY, query)
    assert code_of(exc) == -1102
    assert f"'{missing}'" in exc.value.msg


@pytest.mark.parametrize("api_key, code", [(None, -2014), ("", -2014), ("bad key", -2014), ("unknown", -2015)])
def test_api_key_checks(api_key, code):
    with pytest.raises(EngineError) as exc:
        make_auth().check_rest("MARKET_DATA", api_key, "symbol=BTCUSDT")
    assert code_of(exc) == code
    assert exc.value.http_status == 401


def test_public_endpoint_needs_no_key_and_keeps_params():
    api_key, params = make_auth().check_rest("NONE", None, "symbol=BTCUSDT&limit=5")
    assert api_key is None and params == {"symbol": "BTCUSDT", "limit": "5"}


def test_key_only_endpoint_is_not_signature_checked():
    api_key, params = make_auth().check_rest("USER_STREAM", KEY, "")
    assert api_key == KEY and params == {}


def test_rsa_and_ed25519_keys(rsa_pair, ed25519_pair):
    auth = Authenticator(lambda: NOW)
    auth.add_key("rsakey", rsa_public_key=rsa_pair[1])
    auth.add_key("edkey", ed25519_public_key=ed25519_pair[1])
    for key, private in (("rsakey", rsa_pair[0]), ("edkey", ed25519_pair[0])):
        signer = load_private_key(private)
        payload = f"symbol=BTCUSDT&side=BUY&timestamp={NOW}"
        signature = signer.sign(payload)
        assert "+" in signature or "/" in signature or "=" in signature
        auth.check_rest("TRADE", key, f"{payload}&signature={quote(signature, safe='')}")
        other = load_private_key(ed25519_pair[0] if key == "rsakey" else rsa_pair[0])
        with pytest.raises(EngineError) as exc:
            auth.check_rest("TRADE", key, f"{payload}&signature={quote(other.sign(payload), safe='')}")
        assert code_of(exc) == -1022


def test_add_key_rejects_wrong_key_type(rsa_pair, ed25519_pair):
    auth = Authenticator(lambda: NOW)
    with pytest.raises(ValueError):
        auth.add_key("k", rsa_public_key=ed25519_pair[1])
    with pytest.raises(ValueError):
        auth.add_key("k")


def test_verify_helper():
    auth = make_auth()
    assert auth.verify(KEY, "a=1", HMAC.sign("a=1"))
    assert not auth.verify(KEY, "a=2", HMAC.sign("a=1"))
    assert not auth.verify("unknown", "a=1", HMAC.sign("a=1"))


def test_split_signature_keeps_payload_verbatim():
    assert split_signature("a=%40x&b=1&signature=abc") == ("a=%40x&b=1", "abc")
    assert split_signature("a=1") == ("a=1", None)


def test_parse_params_decodes_and_the_query_string_wins():
    assert parse_params("a=%40x&b=1", "b=2") == {"a": "@x", "b": "1"}
    with pytest.raises(EngineError) as exc:
        parse_params("a=1&a=1")
    assert code_of(exc) == -1101


def test_ws_api_request_signature_over_sorted_params():
    auth = make_auth()
    params = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.1", "apiKey": KEY, "timestamp": NOW}
    params["signature"] = HmacSigner(SECRET).sign(ws_signature_payload(params))
    assert ws_signature_payload(params).startswith("apiKey=")
    assert auth.check_ws_request("um", params) == KEY
    params["quantity"] = "0.2"
    with pytest.raises(EngineError) as exc:
        auth.check_ws_request("um", params)
    assert code_of(exc) == -1022


def test_ws_api_request_stale_timestamp_is_1021():
    auth = make_auth()
    params = {"symbol": "BTCUSDT", "apiKey": KEY, "timestamp": NOW - 10_000}
    params["signature"] = HmacSigner(SECRET).sign(ws_signature_payload(params))
    with pytest.raises(EngineError) as exc:
        auth.check_ws_request("um", params)
    assert code_of(exc) == -1021


def _counting(monkeypatch):
    """Record every payload built and every HMAC computed by check_ws_request."""
    import binance.sandbox.auth as auth_module

    calls = {"built": [], "hmac": []}
    real_payload, real_hmac = auth_module.ws_signature_payload, auth_module.verify_hmac

    def payload(params, keep_at=False):
        calls["built"].append(keep_at)
        return real_payload(params, keep_at)

    def hmac(secret, text, signature):
        calls["hmac"].append(text)
        return real_hmac(secret, text, signature)

    monkeypatch.setattr(auth_module, "ws_signature_payload", payload)
    monkeypatch.setattr(auth_module, "verify_hmac", hmac)
    return calls


def test_ws_api_common_form_costs_one_payload_and_one_hmac(monkeypatch):
    auth = make_auth()
    params = {"symbol": "BTCUSDT", "newClientOrderId": "bot@1 x", "apiKey": KEY, "timestamp": NOW}
    params["signature"] = HMAC.sign(ws_signature_payload(params))
    calls = _counting(monkeypatch)
    assert auth.check_ws_request("um", params) == KEY
    assert calls == {"built": [False], "hmac": [ws_signature_payload(params)]}


def test_ws_api_alternate_form_is_tried_only_after_the_common_one_fails(monkeypatch):
    auth = make_auth()
    params = {"symbol": "BTCUSDT", "newClientOrderId": "bot@1", "apiKey": KEY, "timestamp": NOW}
    params["signature"] = HMAC.sign(ws_signature_payload(params, keep_at=True))
    calls = _counting(monkeypatch)
    assert auth.check_ws_request("um", params) == KEY
    assert calls["built"] == [False, True]
    assert calls["hmac"] == [ws_signature_payload(params), ws_signature_payload(params, keep_at=True)]


def test_ws_api_bad_signature_without_special_characters_is_checked_once(monkeypatch):
    auth = make_auth()
    params = {"symbol": "BTCUSDT", "apiKey": KEY, "timestamp": NOW, "signature": "00" * 32}
    calls = _counting(monkeypatch)
    with pytest.raises(EngineError) as exc:
        auth.check_ws_request("um", params)
    assert code_of(exc) == -1022 and len(calls["hmac"]) == 1


@pytest.mark.parametrize("value", ["0.001", "a b", "x@y", "k:v/w", "é", "~_.-", "[1,2]"])
def test_ws_signature_payload_matches_urlencode_for_every_value(value):
    from urllib.parse import quote as q
    from urllib.parse import urlencode

    params = {"b": value, "a": "1", "signature": "s"}
    assert ws_signature_payload(params) == urlencode([("a", "1"), ("b", value)])
    assert ws_signature_payload(params, keep_at=True) == f"a=1&b={q(value, safe='@')}"
