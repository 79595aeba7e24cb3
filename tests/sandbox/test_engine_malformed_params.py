"""Malformed parameter values get Binance's 4xx codes from every REST endpoint of both markets, never a crash."""

from __future__ import annotations

import pytest

from binance.sandbox.engine import EngineError, Exchange
from binance.sandbox.handlers import ENDPOINTS, dispatch

BAD_VALUES = ("²", "1e400", "٣", "NaN", "-inf", "1_000", " 5", "0x10", "1.2.3")
NUMERIC = {"quantity", "price", "stopPrice", "triggerPrice", "activationPrice", "activatePrice", "callbackRate",
           "amount", "fromAmount", "toAmount", "orderId", "fromId", "startTime", "endTime", "limit", "leverage",
           "countdownTime", "goodTillDate", "algoId", "modifyId"}
VALID = {"symbol": {"um": "BTCUSDT", "cm": "BTCUSD_PERP"}, "pair": {"um": "BTCUSDT", "cm": "BTCUSD"},
         "side": "BUY", "quantity": {"um": "0.010", "cm": "1"}, "price": "60000", "timeInForce": "GTC",
         "algoType": "CONDITIONAL", "interval": "1m", "period": "5m", "contractType": "PERPETUAL",
         "marginType": "ISOLATED", "dualSidePosition": "true", "leverage": "10", "orderId": "1", "amount": "1",
         "fromAsset": "USDT", "toAsset": "BTC", "fromAmount": "100", "startTime": "1", "endTime": "2"}


@pytest.fixture(scope="module")
def ex() -> Exchange:
    exchange = Exchange(seed=5)
    exchange.create_account("K")
    return exchange


def _value(name: str, market: str) -> str:
    v = VALID.get(name, "1")
    return v[market] if isinstance(v, dict) else v


def _cases():
    for (market, method, path), info in sorted(ENDPOINTS.items()):
        for name in info.required + info.optional:
            if name in NUMERIC:
                yield market, method, path, name


@pytest.mark.parametrize("market, method, path, name", list(_cases()))
def test_malformed_numbers_are_refused_with_a_client_error(ex: Exchange, market, method, path, name) -> None:
    info = ENDPOINTS[(market, method, path)]
    base = {n: _value(n, market) for n in info.required if n not in ("timestamp", "signature", "recvWindow")}
    if path.endswith(("/order", "/order/test", "/algoOrder")) and method == "POST":
        base.update(type="LIMIT" if not path.endswith("/algoOrder") else "STOP_MARKET")
    for bad in BAD_VALUES:
        with pytest.raises(EngineError) as err:
            dispatch(ex, market, method, path, "K", dict(base, **{name: bad}))
        assert 400 <= err.value.http_status < 500 and err.value.code != -1000, (bad, err.value)
        assert err.value.code == -1100 and f"parameter '{name}'" in err.value.msg, (bad, err.value)
