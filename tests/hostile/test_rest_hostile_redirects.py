"""A redirect is refused: nothing is re-sent to its target, nothing is returned as success."""

from __future__ import annotations

import logging
import sys

import pytest
from hostile_servers import API_KEY, LISTEN_KEY, SECRET, redirect

from binance.error import OutcomeUnknownError, RedirectError
from binance.um_futures import UMFutures

pytestmark = pytest.mark.timeout(60)

CALLS = {
    "new_order": lambda c: c.new_order("BTCUSDT", "BUY", "LIMIT", quantity="0.01", price="30000", timeInForce="GTC"),
    "account": lambda c: c.account(),
    "renew_listen_key": lambda c: c.renew_listen_key(LISTEN_KEY),
    "ping": lambda c: c.ping(),
}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_redirect_to_another_host_is_refused_and_the_target_gets_nothing(hostile, status, call):
    target = hostile()
    origin = hostile(redirect(status, target.url + "/fapi/v1/order?moved=1"))
    client = UMFutures(API_KEY, SECRET, base_url=origin.url, timeout=5)
    with pytest.raises(RedirectError) as info:
        CALLS[call](client)
    assert isinstance(info.value, OutcomeUnknownError)
    assert info.value.status_code == status
    assert target.requests == []
    assert len(origin.requests) == 1
    assert f"HTTP {status} redirect" in str(info.value)


@pytest.mark.parametrize(
    "location",
    ["http://[::1", "http://127.0.0.1:notaport/x", "\x00\x01garbage", "", "/fapi/v1/order?again=1",
     "x" * 60_000],
)
def test_a_bad_or_odd_location_is_still_a_redirect_error(hostile, location):
    origin = hostile(redirect(302, location))
    client = UMFutures(API_KEY, SECRET, base_url=origin.url, timeout=5)
    with pytest.raises(RedirectError):
        client.new_order("BTCUSDT", "BUY", "MARKET", quantity="0.01")
    assert len(origin.requests) == 1


def test_a_redirect_location_never_shows_the_signature(hostile):
    origin = hostile(redirect(307, "http://127.0.0.1:9/fapi/v1/account?timestamp=1&signature=abcdef0123456789"))
    client = UMFutures(API_KEY, SECRET, base_url=origin.url, timeout=5)
    with pytest.raises(RedirectError) as info:
        client.account()
    assert "abcdef0123456789" not in str(info.value)
    assert "signature=***" in info.value.location


def test_no_request_carrying_a_credential_reaches_any_redirect_target(hostile):
    reached, carrying, returned = 0, 0, 0
    for status in (301, 302, 303, 307, 308):
        for call in CALLS.values():
            target = hostile()
            origin = hostile(redirect(status, target.url + "/fapi/v1/order"))
            client = UMFutures(API_KEY, SECRET, base_url=origin.url, timeout=5)
            try:
                call(client)
                returned += 1
            except Exception:  # the type is asserted in the tests above
                pass
            reached += len(target.requests)
            carrying += sum(seen.carries_credential() for seen in target.requests)
    sys.stderr.write(f"figure: 20 redirected calls: {reached} requests reached the targets, {carrying} carrying "
                     f"a credential, {returned} returned as success\n")
    assert (reached, carrying, returned) == (0, 0, 0)


def test_a_refused_redirect_logs_one_warning_line_without_secrets(hostile, caplog):
    origin = hostile(redirect(302, "http://127.0.0.1:9/login?signature=0123456789abcdef"))
    client = UMFutures(API_KEY, SECRET, base_url=origin.url, timeout=5)
    with caplog.at_level(logging.WARNING, logger="binance"):
        with pytest.raises(RedirectError):
            client.account()
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("binance")]
    assert len(lines) == 1 and lines[0].startswith("GET /fapi/v3/account refused: HTTP 302 redirect")
    assert "0123456789abcdef" not in lines[0] and API_KEY not in lines[0]
