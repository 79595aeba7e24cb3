"""Error translation through the real client, and bad input refused before anything is sent."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from binance.cm_futures import CMFutures
from binance.error import (
    ClientError,
    ConnectError,
    Error,
    InvalidApiKeyError,
    InvalidSignatureError,
    IPBannedError,
    NetworkError,
    OutcomeUnknownError,
    ParameterArgumentError,
    ParameterRequiredError,
    PrivateKeyError,
    ReadTimeoutError,
    ServerError,
    TimestampError,
    TooManyRequestsError,
)
from binance.um_futures import UMFutures

KEY, SECRET = "err-key", "err-secret"


@pytest.fixture
def client(server):
    return UMFutures(KEY, SECRET, base_url=server.url)


def test_4xx_json_becomes_client_error_with_its_attributes(server, client):
    server.respond(400, {"code": -1102, "msg": "Mandatory parameter 'price' was not sent."}, {"X-Test": "1"})
    with pytest.raises(ClientError) as info:
        client.new_order("BTCUSDT", "BUY", "LIMIT", quantity="0.001")
    err = info.value
    assert type(err) is ClientError
    assert (err.status_code, err.error_code) == (400, -1102)
    assert err.error_message == "Mandatory parameter 'price' was not sent."
    assert err.header["X-Test"] == "1"
    assert err.error_data is None
    assert str(err) == "HTTP 400 code -1102: Mandatory parameter 'price' was not sent. (POST /fapi/v1/order)"
    assert err.args == (400, -1102, "Mandatory parameter 'price' was not sent.", err.header)
    status, code, message, headers = err.args  # 4.2.0's args unpack as four
    assert (err.method, err.path) == ("POST", "/fapi/v1/order")


def test_error_data_is_kept(server, client):
    server.respond(400, {"code": -2022, "msg": "ReduceOnly Order is rejected.", "data": {"orderId": 7}})
    with pytest.raises(ClientError) as info:
        client.new_order("BTCUSDT", "SELL", "MARKET", quantity="1", reduceOnly="true")
    assert info.value.error_data == {"orderId": 7}


def test_429_is_too_many_requests_with_retry_after(server, client):
    server.respond(429, {"code": -1003, "msg": "Too many requests."}, {"Retry-After": "7"})
    with pytest.raises(TooManyRequestsError) as info:
        client.depth("BTCUSDT")
    assert isinstance(info.value, ClientError)
    assert info.value.status_code == 429
    assert info.value.retry_after == 7.0


def test_418_is_ip_banned_with_retry_after(server, client):
    server.respond(418, {"code": -1003, "msg": "Way too many requests; IP banned."}, {"Retry-After": "120"})
    with pytest.raises(IPBannedError) as info:
        client.depth("BTCUSDT")
    assert isinstance(info.value, ClientError)
    assert info.value.retry_after == 120.0


@pytest.mark.parametrize(
    "code, cls",
    [(-1021, TimestampError), (-1022, InvalidSignatureError), (-2014, InvalidApiKeyError), (-2015, InvalidApiKeyError)],
)
def test_precise_subclasses_by_code(server, client, code, cls):
    server.respond(400 if code != -2015 else 401, {"code": code, "msg": "rejected"})
    with pytest.raises(cls) as info:
        client.account()
    assert isinstance(info.value, ClientError)
    assert info.value.error_code == code


def test_html_4xx_is_client_error_with_the_text(server, client):
    page = "<html><body><h1>403 Forbidden</h1>blocked by proxy</body></html>"
    server.respond(403, page, {"Content-Type": "text/html"})
    with pytest.raises(ClientError) as info:
        client.ping()
    assert info.value.status_code == 403
    assert info.value.error_code is None
    assert "blocked by proxy" in info.value.error_message
    assert "403" in str(info.value)


def test_json_4xx_without_code_is_client_error(server, client):
    server.respond(404, {"error": "not found"})
    with pytest.raises(ClientError) as info:
        client.ping()
    assert info.value.error_code is None
    assert "not found" in info.value.error_message


@pytest.mark.parametrize("status, body", [(502, "<html>Bad Gateway</html>"), (500, '{"code":-1000,"msg":"Unknown"}')])
def test_5xx_is_server_error_with_the_text(server, client, status, body):
    server.respond(status, body)
    with pytest.raises(ServerError) as info:
        client.time()
    assert info.value.status_code == status
    assert info.value.message == body
    assert str(status) in str(info.value)


@pytest.mark.timeout(30)
def test_read_timeout_is_typed_and_says_outcome_unknown(server):
    client = CMFutures(KEY, SECRET, base_url=server.url, timeout=0.3)
    server.respond(200, {}, delay=2.0)
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError) as info:
        client.new_order("BTCUSD_PERP", "BUY", "MARKET", quantity="1")
    assert time.monotonic() - started < 1.9
    assert isinstance(info.value, OutcomeUnknownError) and isinstance(info.value, NetworkError)
    assert "may have been executed" in str(info.value)
    assert "executed" in (ReadTimeoutError.__doc__ or "")


@pytest.mark.timeout(30)
def test_refused_connection_is_connect_error(closed_port):
    client = UMFutures(KEY, SECRET, base_url="http://127.0.0.1:%d" % closed_port, timeout=5)
    with pytest.raises(ConnectError) as info:
        client.ping()
    assert not isinstance(info.value, OutcomeUnknownError)
    assert "not sent" in str(info.value)


@pytest.mark.parametrize("method", ["PATCH", "FOO", "get-ish"])
def test_unknown_http_method_raises_before_sending(server, client, method):
    with pytest.raises(ParameterArgumentError):
        client.sign_request(method, "/fapi/v1/order", {"symbol": "BTCUSDT"})
    with pytest.raises(ParameterArgumentError):
        client.send_request(method, "/fapi/v1/ping")
    assert server.requests == []


def test_lowercase_http_method_still_works(server, client):
    client.send_request("get", "/fapi/v1/ping")
    assert server.last.method == "GET"


def test_recv_window_above_60000_raises_before_sending(server, client):
    with pytest.raises(ParameterArgumentError, match="60000"):
        client.new_order("BTCUSDT", "BUY", "MARKET", quantity="1", recvWindow=60001)
    assert server.requests == []
    client.new_order("BTCUSDT", "BUY", "MARKET", quantity="1", recvWindow=60000)
    assert server.last.param_dict()["recvWindow"] == "60000"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.new_order(None, "BUY", "LIMIT"),
        lambda c: c.new_order("BTCUSDT", "", "LIMIT"),
        lambda c: c.new_order("BTCUSDT", "BUY", "   "),
        lambda c: c.depth(None),
        lambda c: c.klines("BTCUSDT", ""),
        lambda c: c.new_batch_order([]),
        lambda c: c.query_order("BTCUSDT"),
        lambda c: c.cancel_batch_order("BTCUSDT", None, None),
        lambda c: c.modify_order("BTCUSDT", "BUY", "1", None, orderId=1),
        lambda c: c.renew_listen_key(""),
        lambda c: c.new_algo_order("CONDITIONAL", "BTCUSDT", "BUY", None),
        lambda c: c.cancel_algo_order(),
    ],
)
def test_missing_or_empty_required_param_raises_before_sending(server, client, call):
    with pytest.raises(ParameterRequiredError):
        call(client)
    assert server.requests == []


def test_zero_is_a_value_not_a_missing_param(server, client):
    client.modify_isolated_position_margin("BTCUSDT", "10", 0)
    assert server.last.param_dict()["type"] == "0"


def test_signed_call_without_credentials_raises_before_sending(server):
    client = UMFutures(base_url=server.url)
    with pytest.raises(ParameterRequiredError):
        client.account()
    assert server.requests == []


@pytest.mark.parametrize(
    "bad_key",
    [
        "-----BEGIN PRIVATE KEY-----\nTOPSECRETnotakeyAAAA\n-----END PRIVATE KEY-----\n",
        "TOPSECRET plain text that is not a key",
        b"-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETgarbage\n-----END RSA PRIVATE KEY-----\n",
    ],
)
def test_private_key_that_does_not_parse_raises_at_construction_without_echoing_it(bad_key):
    with pytest.raises(PrivateKeyError) as info:
        UMFutures("k", private_key=bad_key)
    assert "TOPSECRET" not in str(info.value)
    assert "TOPSECRET" not in repr(info.value)


def test_public_key_given_as_private_key_is_refused():
    from Crypto.PublicKey import ECC

    public_pem = ECC.generate(curve="Ed25519").public_key().export_key(format="PEM")
    with pytest.raises(PrivateKeyError):
        CMFutures("k", private_key=public_pem)


@pytest.mark.parametrize("window", [60000.5, float("inf"), float("nan"), True, False, 5000.0, "5e3", b"5000", [1]])
def test_recv_window_accepts_integers_only(server, client, window):
    with pytest.raises(ParameterArgumentError, match="recvWindow"):
        client.account(recvWindow=window)
    assert server.requests == []


def test_recv_window_as_int_or_digit_string_is_sent(server, client):
    client.account(recvWindow=5000)
    client.account(recvWindow="6000")
    assert [r.param_dict()["recvWindow"] for r in server.requests] == ["5000", "6000"]


@pytest.mark.parametrize("value", [b"0.001", {1, 2}, object(), frozenset(), [b"x"], {"a": {3}}])
def test_a_value_without_wire_form_raises_naming_the_parameter(server, client, value):
    with pytest.raises(ParameterArgumentError, match="^quantity: "):
        client.new_order("BTCUSDT", "BUY", "MARKET", quantity=value)
    assert server.requests == []


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("-Infinity"), Decimal("NaN"), [float("nan")]])
def test_nan_and_infinity_raise_a_binance_error_that_is_also_a_value_error(server, client, value):
    with pytest.raises(ParameterArgumentError, match="^price: ") as info:
        client.new_order("BTCUSDT", "BUY", "LIMIT", quantity="1", price=value, timeInForce="GTC")
    assert isinstance(info.value, ValueError) and isinstance(info.value, Error)
    assert server.requests == []


def test_server_error_names_method_and_path_and_client_error_args_are_4_2_0s(server, client):
    server.respond(502, "<html>Bad Gateway</html>")
    with pytest.raises(ServerError) as info:
        client.account()
    assert str(info.value) == "HTTP 502: <html>Bad Gateway</html> (GET /fapi/v3/account)"
    assert info.value.args == (502, "<html>Bad Gateway</html>")
    server.respond(404, "404: Not Found")
    with pytest.raises(ClientError) as info:
        client.time()
    assert str(info.value) == "HTTP 404: 404: Not Found (GET /fapi/v1/time)"
    assert len(info.value.args) == 4 and info.value.args[:3] == (404, None, "404: Not Found")


@pytest.mark.parametrize("options", [{"key": "SECRETKEY\r\nX-Evil: 1"}, {"base_url": "ftp://127.0.0.1:9"}])
def test_a_request_that_cannot_be_built_is_a_parameter_error_not_sent(server, options):
    client = UMFutures(**dict({"key": "k", "secret": "s", "base_url": server.url}, **options))
    with pytest.raises(ParameterArgumentError) as info:
        client.ping()
    assert server.requests == []
    assert "SECRETKEY" not in str(info.value) and info.value.__context__ is None
