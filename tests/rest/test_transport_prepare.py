"""binance._transport's short path prepares exactly what requests' own Session.prepare_request /
merge_environment_settings would, and falls back to them for a session it does not cover."""

from __future__ import annotations

import pytest
import requests

from binance._transport import _prepare
from binance.um_futures import UMFutures

URL = "http://127.0.0.1:9/fapi/v1/order?symbol=BTCUSDT&side=BUY&timestamp=1&signature=abc"


def _slow(session: requests.Session, method: str, url: str, proxies: dict):
    prepared = session.prepare_request(requests.Request(method, url))
    return prepared, session.merge_environment_settings(prepared.url, proxies, True, None, None)


def _same(a: requests.PreparedRequest, b: requests.PreparedRequest) -> None:
    assert (a.method, a.url, a.body) == (b.method, b.url, b.body)
    assert dict(a.headers) == dict(b.headers)
    assert a.hooks == b.hooks


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_short_path_matches_requests(method: str) -> None:
    session = UMFutures("key", "secret", base_url="http://127.0.0.1:9").session
    assert not session.trust_env  # the client read the environment once
    session.proxies = {"https": "http://proxy.invalid:3128", "http": None}
    fast, fast_settings = _prepare(session, method, URL, {"http": "http://other.invalid:1"})
    slow, slow_settings = _slow(session, method, URL, {"http": "http://other.invalid:1"})
    _same(fast, slow)
    assert fast_settings == slow_settings


@pytest.mark.parametrize("change", ["auth", "params", "cookie", "hook", "trust_env", "userinfo"])
def test_other_sessions_take_requests_own_path(change: str) -> None:
    session = UMFutures("key", "secret", base_url="http://127.0.0.1:9").session
    url = URL
    if change == "auth":
        session.auth = ("user", "pass")
    elif change == "params":
        session.params = {"extra": "1"}
    elif change == "cookie":
        session.cookies.set("AWSALB", "x")
    elif change == "hook":
        session.hooks["response"].append(lambda response, **_: response)
    elif change == "trust_env":
        session.trust_env = True
    else:
        url = URL.replace("127.0.0.1", "user:pass@127.0.0.1")
    fast, fast_settings = _prepare(session, "POST", url, {})
    slow, slow_settings = _slow(session, "POST", url, {})
    _same(fast, slow)
    assert fast_settings == slow_settings
    if change in ("auth", "userinfo"):
        assert "Authorization" in fast.headers
    if change == "cookie":
        assert fast.headers["Cookie"] == "AWSALB=x"
