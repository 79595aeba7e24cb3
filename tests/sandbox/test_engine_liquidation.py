"""Liquidation of user positions: when it happens, the closing order and what `forceOrders` lists."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance.sandbox.engine import Exchange
from binance.sandbox.handlers import dispatch

T0 = 1_800_000_000_000


NOW = [T0]


@pytest.fixture()
def ex() -> Exchange:
    NOW[0] = T0
    exchange = Exchange(seed=4, clock=lambda: NOW[0])
    exchange.create_account("K")
    m = exchange.um
    m.reset_book("BTCUSDT")
    m.set_mark_price("BTCUSDT", "60000")
    m.add_liquidity("BTCUSDT", "SELL", "60000", "1")
    m.add_liquidity("BTCUSDT", "BUY", "59990", "1")
    return exchange


def _call(ex: Exchange, method: str, path: str, **params: str):
    return dispatch(ex, "um", method, "/fapi/v1/" + path, "K", params)


def _open_isolated_long(ex: Exchange) -> None:
    _call(ex, "POST", "marginType", symbol="BTCUSDT", marginType="ISOLATED")
    _call(ex, "POST", "leverage", symbol="BTCUSDT", leverage="50")
    _call(ex, "POST", "order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.100")


def test_a_position_its_margin_still_carries_is_not_liquidated(ex: Exchange) -> None:
    _open_isolated_long(ex)
    ex.um.set_mark_price("BTCUSDT", "59500")  # -50 USDT on a 120 USDT isolated wallet
    assert _call(ex, "GET", "forceOrders") == []
    assert ex.um.accounts["K"].position("BTCUSDT", "BOTH").amt == D("0.100")


def test_an_underwater_isolated_position_is_closed_and_listed_by_force_orders(ex: Exchange) -> None:
    events: list = []
    streams: list = []
    ex.um.add_listener(lambda ch, k, p: events.append(p) if ch == "user" else streams.append((k, p)))
    _open_isolated_long(ex)
    resting = _call(ex, "POST", "order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                    quantity="0.010", price="50000")
    ex.um.reset_book("BTCUSDT")
    ex.um.add_liquidity("BTCUSDT", "BUY", "58700", "1")
    ex.um.set_mark_price("BTCUSDT", "58800")  # -120 USDT: nothing left of the isolated wallet
    assert ex.um.accounts["K"].position("BTCUSDT", "BOTH").amt == 0
    assert _call(ex, "GET", "order", symbol="BTCUSDT", orderId=str(resting["orderId"]))["status"] == "CANCELED"
    (forced,) = _call(ex, "GET", "forceOrders", symbol="BTCUSDT")
    assert forced["clientOrderId"].startswith("autoclose-") and forced["status"] == "FILLED"
    assert (forced["side"], forced["type"], forced["timeInForce"], forced["origQty"]) == ("SELL", "LIMIT", "IOC",
                                                                                         "0.100")
    assert forced["avgPrice"].startswith("58700") and forced["price"] == "55860"  # the 95% price band
    assert forced["time"] == T0 and "priceProtect" not in forced  # USDⓈ-M documents no priceProtect here
    assert _call(ex, "GET", "forceOrders", autoCloseType="ADL") == []
    assert _call(ex, "GET", "forceOrders", autoCloseType="LIQUIDATION") == [forced]
    fills = [e["o"] for e in events if e["e"] == "ORDER_TRADE_UPDATE" and e["o"]["X"] == "FILLED"]
    assert fills[-1]["c"] == forced["clientOrderId"] and fills[-1]["i"] == forced["orderId"]
    published = {k: p["o"] for k, p in streams if k in ("btcusdt@forceOrder", "!forceOrder@arr")}
    assert published["btcusdt@forceOrder"] == published["!forceOrder@arr"]
    assert published["btcusdt@forceOrder"] == {"s": "BTCUSDT", "S": "SELL", "o": "LIMIT", "f": "IOC", "q": "0.100",
                                               "p": "55860.00", "ap": "58700.00", "X": "FILLED",
                                               "l": "0.100", "z": "0.100", "T": T0}
    ex.um.set_mark_price("BTCUSDT", "50000")  # flat now: nothing more to liquidate
    assert len(_call(ex, "GET", "forceOrders")) == 1


def test_an_underwater_cross_short_is_closed(ex: Exchange) -> None:
    ex.um.accounts["K"].balance("USDT").wallet = D("200")
    _call(ex, "POST", "leverage", symbol="BTCUSDT", leverage="100")
    _call(ex, "POST", "order", symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.100")
    ex.um.add_liquidity("BTCUSDT", "SELL", "62000", "1")
    ex.um.set_mark_price("BTCUSDT", "61900")  # -191 USDT of a 200 USDT wallet, maintenance ~24.8
    assert ex.um.accounts["K"].position("BTCUSDT", "BOTH").amt == 0
    (forced,) = _call(ex, "GET", "forceOrders")
    assert forced["side"] == "BUY" and forced["executedQty"] == "0.100"
    assert _call(ex, "GET", "forceOrders", startTime=str(T0 + 1)) == []


def test_with_nothing_to_fill_against_the_liquidation_is_tried_again_a_second_later(ex: Exchange) -> None:
    _open_isolated_long(ex)
    ex.um.reset_book("BTCUSDT")
    ex.um.set_mark_price("BTCUSDT", "58800")  # underwater, but no bid within the price band
    assert ex.um.accounts["K"].position("BTCUSDT", "BOTH").amt == D("0.100")
    assert _call(ex, "GET", "forceOrders") == []
    ex.um.add_liquidity("BTCUSDT", "BUY", "58700", "1")
    NOW[0] += 999
    ex.um.set_mark_price("BTCUSDT", "58800")
    assert ex.um.accounts["K"].position("BTCUSDT", "BOTH").amt == D("0.100")  # not yet
    NOW[0] += 1
    ex.um.set_mark_price("BTCUSDT", "58800")
    assert ex.um.accounts["K"].position("BTCUSDT", "BOTH").amt == 0
    assert [o["executedQty"] for o in _call(ex, "GET", "forceOrders")] == ["0.100"]
