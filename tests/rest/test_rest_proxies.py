"""Proxy settings from the environment are honoured (read once, when the client is created)."""

import pytest

from binance.error import ConnectError
from binance.um_futures import UMFutures

PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
              "NO_PROXY", "no_proxy")


@pytest.fixture
def clean_env(monkeypatch):
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_requests_go_through_the_environment_proxy(clean_env, server, closed_port):
    clean_env.setenv("HTTP_PROXY", server.url)
    client = UMFutures(base_url=f"http://127.0.0.1:{closed_port}")
    assert client.time() == {}
    assert server.last.path == "/fapi/v1/time"
    assert server.last.headers["Host"] == f"127.0.0.1:{closed_port}"


def test_no_proxy_bypasses_the_environment_proxy(clean_env, server, closed_port):
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port}")
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    client = UMFutures(base_url=server.url)
    assert client.time() == {}
    assert len(server.requests) == 1


def test_an_unreachable_proxy_is_a_connect_error_not_an_unknown_outcome(clean_env, server, closed_port):
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port}")
    client = UMFutures("key", "secret", base_url=server.url)
    with pytest.raises(ConnectError):
        client.new_order("BTCUSDT", "BUY", "MARKET", quantity="0.001")
    assert server.requests == []


def test_explicit_proxies_win_over_the_environment(clean_env, server, closed_port):
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port}")
    client = UMFutures(base_url=f"http://127.0.0.1:{closed_port}", proxies={"http": server.url})
    assert client.time() == {}
    assert server.last.path == "/fapi/v1/time"
