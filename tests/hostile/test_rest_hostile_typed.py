"""Every failure of a call against a hostile server is a `binance.error.Error` that says whether the
request was sent; the count of exceptions escaping it over all hostile cases is the figure (goal 0)."""

from __future__ import annotations

import math
import re
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

import pytest
from hostile_servers import (
    API_KEY,
    SECRET,
    bad_gzip,
    big_body,
    drip_body,
    drip_headers,
    endless_chunks,
    gzip_bomb,
    gzipped_json,
    json_reply,
    redirect,
    reply,
    truncated_body,
    truncated_chunks,
)

from binance.error import (
    ClientError,
    ConnectError,
    ConnectionLostError,
    Error,
    InvalidResponseError,
    IPBannedError,
    OutcomeUnknownError,
    ServerError,
    TooManyRequestsError,
)
from binance.um_futures import UMFutures

pytestmark = pytest.mark.timeout(120)

GOOD_TIME = json_reply({"serverTime": int(time.time() * 1000)})
PAGE = b"<html><body>Please log in to the hotel Wi-Fi</body></html>"

MALFORMED_TIME = {
    "list": json_reply([]),
    "no_field": json_reply({}),
    "text": json_reply({"serverTime": "abc"}),
    "null": json_reply({"serverTime": None}),
    "float_inf": reply(body=b'{"serverTime": 1e400}'),
    "nested": json_reply({"serverTime": [1]}),
    "bool": json_reply({"serverTime": True}),
    "string_body": json_reply("serverTime"),
}


def _symbol(filters: List[Dict[str, Any]], **extra: Any) -> Dict[str, Any]:
    return {"symbols": [dict({"symbol": "BTCUSDT", "filters": filters}, **extra)], "rateLimits": []}


MALFORMED_EXCHANGE_INFO = {
    "symbols_not_a_list": json_reply({"symbols": 5}),
    "symbol_missing": json_reply({"symbols": [{"filters": []}]}),
    "symbol_not_text": json_reply({"symbols": [{"symbol": 5, "filters": []}]}),
    "filters_not_dicts": json_reply(_symbol(["PRICE_FILTER"])),
    "price_not_a_number": json_reply(_symbol([{"filterType": "PRICE_FILTER", "minPrice": "abc", "maxPrice": "1",
                                               "tickSize": "0.1"}])),
    "tick_nan": json_reply(_symbol([{"filterType": "PRICE_FILTER", "minPrice": "0.1", "maxPrice": "1000000",
                                     "tickSize": "NaN"}])),
    "limit_inf": reply(body=b'{"symbols": [{"symbol": "BTCUSDT", "filters": [{"filterType": "MAX_NUM_ORDERS",'
                            b' "limit": 1e400}]}]}'),
    "rate_limit_bad": json_reply({"symbols": [], "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT",
                                                                 "interval": "MINUTE", "intervalNum": "x",
                                                                 "limit": 2400}]}),
    "rate_limits_not_a_list": json_reply({"symbols": [], "rateLimits": 7}),
    "not_json": reply(body=PAGE, headers={"Content-Type": "text/html"}),
}

Case = Tuple[Callable, Dict[str, Any], Callable[[UMFutures], Any]]


def _order(client: UMFutures) -> Any:
    return client.new_order("BTCUSDT", "BUY", "LIMIT", quantity="0.01", price="30000", timeInForce="GTC")


def hostile_cases() -> Dict[str, Case]:
    """name -> (behaviour or routes, client options, call)."""
    cases: Dict[str, Case] = {
        "redirect_301": (redirect(301, "http://127.0.0.1:9/x"), {}, _order),
        "redirect_bad_location": (redirect(302, "http://[::1"), {}, _order),
        "redirect_loop": (redirect(307, "/fapi/v1/order"), {}, _order),
        "drip_headers": (drip_headers, {"timeout": 0.5}, _order),
        "drip_body": (drip_body, {"timeout": 0.5}, _order),
        "endless_chunks": (endless_chunks, {"timeout": 0.5}, _order),
        "truncated_body": (truncated_body, {}, _order),
        "truncated_chunks": (truncated_chunks, {}, _order),
        "bad_gzip": (bad_gzip, {}, _order),
        "non_json_200_account": (reply(body=PAGE, headers={"Content-Type": "text/html"}), {}, lambda c: c.account()),
        "non_json_200_order": (reply(body=PAGE, headers={"Content-Type": "text/html"}), {}, _order),
        "empty_200": (reply(body=b""), {}, _order),
        "retry_after_inf_429": (json_reply({"code": -1003, "msg": "x"}, "429 Too Many", {"Retry-After": "inf"}),
                                {"rate_limit_guard": True}, _order),
        "retry_after_huge_418": (json_reply({"code": -1003, "msg": "x"}, "418 Teapot", {"Retry-After": "1e999"}),
                                 {"rate_limit_guard": True}, _order),
        "error_code_not_int": (json_reply({"code": [1], "msg": {"a": 1}}, "400 Bad"), {}, _order),
        "huge_status_line": (reply("999 WHAT"), {}, _order),
        "garbage_status": (lambda s, seen: s.sendall(b"NOT HTTP AT ALL\r\n\r\n"), {}, _order),
        "closed_at_once": (lambda s, seen: None, {}, _order),
        "unsupported_encoding": (reply(body=b"{}", headers={"Content-Encoding": "br"}), {}, _order),
        "gzipped_ok": (gzipped_json({"orderId": 1}), {}, _order),
        "body_40mb_undeclared": (big_body(40 * 1024 * 1024, declared=False), {}, _order),
        "gzip_bomb": (gzip_bomb, {}, _order),
    }
    for name, behaviour in MALFORMED_TIME.items():
        cases["time_" + name] = (
            {"/fapi/v1/time": behaviour}, {"sync_time": True}, lambda c: c.account())
    for name, behaviour in MALFORMED_EXCHANGE_INFO.items():
        cases["exchange_info_validate_" + name] = (
            {"/fapi/v1/exchangeInfo": behaviour, "/fapi/v1/premiumIndex": json_reply({"markPrice": "30000"}),
             "/fapi/v1/openOrders": json_reply([])}, {"validate_orders": True}, _order)
        cases["exchange_info_guard_" + name] = (
            {"/fapi/v1/exchangeInfo": behaviour}, {"rate_limit_guard": True}, _order)
    return cases


def run_case(hostile, case: Case) -> Any:
    """Run one case; return the result or the exception raised."""
    behaviour, options, call = case
    server = hostile(behaviour=None if isinstance(behaviour, dict) else behaviour,
                     routes=behaviour if isinstance(behaviour, dict) else None)
    client = UMFutures(API_KEY, SECRET, base_url=server.url, **dict({"timeout": 5}, **options))
    try:
        return call(client)
    except BaseException as exc:  # the figure counts what escapes binance.error.Error
        return exc


def test_no_exception_escapes_binance_error_over_all_hostile_cases(hostile):
    outcomes = {name: run_case(hostile, case) for name, case in sorted(hostile_cases().items())}
    escaped = {n: type(r).__name__ for n, r in outcomes.items() if isinstance(r, BaseException)
               and not isinstance(r, Error)}
    raised = sum(isinstance(r, BaseException) for r in outcomes.values())
    sys.stderr.write(f"figure: {len(outcomes)} hostile cases, {raised} raised, {len(escaped)} escaped "
                     f"binance.error.Error: {escaped}\n")
    for name, result in sorted(outcomes.items()):
        sys.stderr.write(f"  {name}: {type(result).__name__ if isinstance(result, BaseException) else 'returned'}\n")
    assert escaped == {}
    # a page that is not JSON, a redirect or a cut answer is never returned as a result
    for name, result in outcomes.items():
        if name.startswith(("redirect", "non_json", "empty", "truncated", "drip", "endless", "bad_gzip", "body_",
                            "gzip_bomb")):
            assert isinstance(result, OutcomeUnknownError), (name, result)
    assert outcomes["gzipped_ok"] == {"orderId": 1}


@pytest.mark.parametrize("name", ["truncated_body", "truncated_chunks"])
def test_a_body_cut_short_is_connection_lost_outcome_unknown(hostile, name):
    result = run_case(hostile, hostile_cases()[name])
    assert isinstance(result, ConnectionLostError)


def test_a_page_that_is_not_json_is_never_returned_as_a_result(hostile):
    for name in ("non_json_200_account", "non_json_200_order", "empty_200", "bad_gzip"):
        result = run_case(hostile, hostile_cases()[name])
        assert isinstance(result, InvalidResponseError), (name, result)
        assert re.search(r"\((GET|POST) /fapi/v\d/(account|order)\)$", str(result)), str(result)


@pytest.mark.parametrize("name", sorted(MALFORMED_TIME))
def test_a_malformed_time_answer_with_sync_time_is_invalid_response(hostile, name):
    result = run_case(hostile, hostile_cases()["time_" + name])
    assert isinstance(result, InvalidResponseError), result
    assert "/fapi/v1/time" in str(result)


@pytest.mark.parametrize("name", sorted(MALFORMED_EXCHANGE_INFO))
def test_a_malformed_exchange_info_with_validate_orders_is_invalid_response(hostile, name):
    result = run_case(hostile, hostile_cases()["exchange_info_validate_" + name])
    assert isinstance(result, InvalidResponseError), result


@pytest.mark.parametrize("name", sorted(MALFORMED_EXCHANGE_INFO))
def test_a_malformed_exchange_info_only_costs_the_guard_its_limits(hostile, name):
    result = run_case(hostile, hostile_cases()["exchange_info_guard_" + name])
    assert not isinstance(result, BaseException), result


@pytest.mark.parametrize("status, cls, header, expected", [
    ("429 Too Many", TooManyRequestsError, {"Retry-After": "inf"}, 3 * 24 * 3600.0),
    ("429 Too Many", TooManyRequestsError, {}, 60.0),
    ("429 Too Many", TooManyRequestsError, {"Retry-After": "soon"}, 60.0),
    ("429 Too Many", TooManyRequestsError, {"Retry-After": "nan"}, 60.0),
    ("429 Too Many", TooManyRequestsError, {"Retry-After": "-5"}, 0.0),
    ("418 Teapot", IPBannedError, {}, 120.0),
    ("418 Teapot", IPBannedError, {"Retry-After": "1e999"}, 3 * 24 * 3600.0),
])
def test_retry_after_is_always_a_finite_number_to_sleep(hostile, status, cls, header, expected):
    server = hostile(json_reply({"code": -1003, "msg": "Too many requests."}, status, header))
    client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=5)
    with pytest.raises(cls) as info:
        client.ping()
    assert isinstance(info.value.retry_after, float) and math.isfinite(info.value.retry_after)
    assert info.value.retry_after == expected


def test_retry_after_inf_blocks_the_guard_for_a_bounded_time_without_overflow(hostile):
    server = hostile(json_reply({"code": -1003, "msg": "x"}, "429 Too Many", {"Retry-After": "inf"}))
    client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=5, rate_limit_guard=True)
    with pytest.raises(Error) as info:  # the exchangeInfo fetch got the 429: the guard blocks the order
        _order(client)
    assert math.isfinite(getattr(info.value, "retry_after", 0.0))


@pytest.mark.parametrize("status, cls", [("404 Not Found", ClientError), ("503 Unavailable", ServerError)])
def test_every_http_error_names_method_and_path(hostile, status, cls):
    server = hostile(reply(status, b"404: Not Found", {"Content-Type": "text/plain"}))
    client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=5)
    with pytest.raises(cls) as info:
        client.time()
    assert str(info.value).endswith("(GET /fapi/v1/time)")
    with pytest.raises(cls) as info:
        _order(client)
    assert str(info.value).endswith("(POST /fapi/v1/order)")


def test_refused_and_dns_failures_say_host_port_and_reason(hostile, monkeypatch):
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there
    client = UMFutures(API_KEY, SECRET, base_url=f"http://127.0.0.1:{port}", timeout=5)
    with pytest.raises(ConnectError) as info:
        client.time()
    assert f"127.0.0.1:{port}" in str(info.value) and "connection refused" in str(info.value)
    assert "(GET /fapi/v1/time)" in str(info.value)

    real = socket.getaddrinfo

    def no_such_host(host, *args, **kwargs):
        if host == "fapi.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    client = UMFutures(API_KEY, SECRET, base_url="https://fapi.example.invalid", timeout=5)
    with pytest.raises(ConnectError) as info:
        client.account()
    assert "fapi.example.invalid:443" in str(info.value) and "DNS lookup failed" in str(info.value)
    assert "(GET /fapi/v3/account)" in str(info.value)
