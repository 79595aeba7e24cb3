"""The library's own REST clients against the sandbox: what a bot sees for each answer."""

from __future__ import annotations

import pytest

from binance.cm_futures import CMFutures
from binance.error import ClientError, IPBannedError, ServerError, TooManyRequestsError
from binance.um_futures import UMFutures

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def um(sandbox):
    return UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url, timeout=10)


def test_trading_round_trip(sandbox, um):
    order = um.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.002")
    assert order["symbol"] == "BTCUSDT"
    position = [p for p in um.get_position_risk(symbol="BTCUSDT") if float(p["positionAmt"]) != 0]
    assert position
    cm = CMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.cm_rest_url, timeout=10)
    assert any(b["asset"] == "BTC" for b in cm.balance())


def test_wrong_secret_raises_client_error_1022(sandbox):
    client = UMFutures(sandbox.api_key, "wrong", base_url=sandbox.um_rest_url, timeout=10)
    with pytest.raises(ClientError) as exc:
        client.balance()
    assert exc.value.error_code == -1022


def test_asymmetric_key_clients(sandbox, rsa_pair, ed25519_pair):
    sandbox.add_account("clientRsa", rsa_public_key=rsa_pair[1])
    sandbox.add_account("clientEd", ed25519_public_key=ed25519_pair[1])
    for key, private in (("clientRsa", rsa_pair[0]), ("clientEd", ed25519_pair[0])):
        client = UMFutures(key, private_key=private, base_url=sandbox.um_rest_url, timeout=10)
        assert any(b["asset"] == "USDT" for b in client.balance())


def test_limit_usage_headers_reach_the_client(sandbox):
    client = UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url, show_limit_usage=True)
    result = client.new_order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.002")
    usage = result["limit_usage"]
    assert "x-mbx-used-weight-1m" in usage
    assert int(usage["x-mbx-order-count-10s"]) >= 1 and int(usage["x-mbx-order-count-1m"]) >= 1


def test_each_rest_fault_raises_the_typed_error(sandbox, um):
    sandbox.faults.rate_limit(retry_after=4)
    with pytest.raises(TooManyRequestsError) as too_many:
        um.time()
    assert too_many.value.retry_after == 4.0
    sandbox.faults.ip_ban(retry_after=90)
    with pytest.raises(IPBannedError) as banned:
        um.time()
    assert banned.value.retry_after == 90.0
    sandbox.faults.server_error(status=503)
    with pytest.raises(ServerError):
        um.time()
    sandbox.faults.html(status=403)
    with pytest.raises(ClientError) as html:
        um.time()
    assert html.value.status_code == 403
    assert "serverTime" in um.time()
