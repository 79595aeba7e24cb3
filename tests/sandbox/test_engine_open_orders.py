"""The per-account open-order index: it agrees with the order history after every kind of state change,
and an order round trip costs the same however long the account's history is."""

from __future__ import annotations

import random

import pytest

from binance.sandbox.engine import EngineError, Exchange
from binance.sandbox.engine.orders import Order
from binance.sandbox.handlers import dispatch

T0 = 1_800_000_000_000
SYMBOLS = ("BTCUSDT", "ETHUSDT")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def ex(clock: Clock) -> Exchange:
    exchange = Exchange(seed=7, clock=clock)
    exchange.create_account("K")
    for symbol, mark in (("BTCUSDT", "60000"), ("ETHUSDT", "3000")):
        m = exchange.um
        m.reset_book(symbol)
        m.set_mark_price(symbol, mark)
    return exchange


def _call(ex: Exchange, method: str, path: str, **params: str) -> object:
    return dispatch(ex, "um", method, path, "K", {k: v for k, v in params.items() if v is not None})


def _scan(ex: Exchange, symbol=None) -> list:
    acct = ex.um.accounts["K"]
    return [o.order_id for o in acct.orders.values() if o.is_open and (symbol is None or o.symbol == symbol)]


def _sweep(m, symbol: str, taker: str, mid: int, tick: int, qty: str) -> None:
    """A participant order crossing 40 ticks past the mid (BUY takes asks, SELL takes bids)."""
    m.add_liquidity(symbol, taker, str(mid + (tick * 40 if taker == "BUY" else -tick * 40)), qty)


def _assert_index_agrees(ex: Exchange) -> None:
    acct = ex.um.accounts["K"]
    assert [o.order_id for o in acct.open_orders()] == _scan(ex)
    for symbol in SYMBOLS:
        assert [o.order_id for o in acct.open_orders(symbol)] == _scan(ex, symbol)
        assert acct.open_order_count(symbol) == len(_scan(ex, symbol))
    open_rest = {o["orderId"] for o in _call(ex, "GET", "/fapi/v1/openOrders")}
    assert open_rest == set(_scan(ex))


def test_index_follows_new_fill_cancel_expire_and_modify(ex: Exchange, clock: Clock) -> None:
    rng = random.Random(3)
    m = ex.um
    mids = {"BTCUSDT": 60000, "ETHUSDT": 3000}
    ticks = {"BTCUSDT": 10, "ETHUSDT": 1}
    seen: set = set()
    qty = {"BTCUSDT": "0.010", "ETHUSDT": "0.100"}
    for step in range(120):
        symbol = rng.choice(SYMBOLS)
        mid, tick = mids[symbol], ticks[symbol]
        action = rng.choice(("limit", "limit", "ioc", "gtd", "fill", "cancel", "modify", "cancel_all", "countdown"))
        side = rng.choice(("BUY", "SELL"))
        price = mid + (-1 if side == "BUY" else 1) * tick * rng.randint(1, 30)
        try:
            if action in ("limit", "ioc", "gtd"):
                tif = {"limit": "GTC", "ioc": "IOC", "gtd": "GTD"}[action]
                _call(ex, "POST", "/fapi/v1/order", symbol=symbol, side=side, type="LIMIT", timeInForce=tif,
                      quantity=qty[symbol], price=str(price),
                      goodTillDate=str(clock.now + 700_000) if tif == "GTD" else None)
            elif action == "fill":
                _sweep(m, symbol, side, mid, tick, "0.5")
            elif action == "cancel" and _scan(ex, symbol):
                _call(ex, "DELETE", "/fapi/v1/order", symbol=symbol, orderId=str(rng.choice(_scan(ex, symbol))))
            elif action == "modify" and _scan(ex, symbol):
                o = m.accounts["K"].orders[rng.choice(_scan(ex, symbol))]
                new_price = mid + (-1 if o.side == "BUY" else 1) * tick * rng.randint(1, 30)
                _call(ex, "PUT", "/fapi/v1/order", symbol=symbol, orderId=str(o.order_id), side=o.side,
                      quantity=str(o.qty), price=str(new_price))
            elif action == "cancel_all":
                _call(ex, "DELETE", "/fapi/v1/allOpenOrders", symbol=symbol)
            elif action == "countdown":
                _call(ex, "POST", "/fapi/v1/countdownCancelAll", symbol=symbol, countdownTime="1000")
        except EngineError:
            pass
        if step % 5 == 0:  # a small participant order against the user's best order: a partial fill
            _sweep(m, symbol, rng.choice(("BUY", "SELL")), mid, tick, "0.004" if symbol == "BTCUSDT" else "0.040")
        clock.now += rng.choice((10, 200, 1500, 800_000 if step % 50 == 0 else 10))
        m.step()
        for name in SYMBOLS:
            m.reset_book(name)
        _assert_index_agrees(ex)
        seen.update(o.status for o in m.accounts["K"].orders.values())
    assert {"NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"} <= seen
    assert m.accounts["K"].amendments


def test_duplicate_client_id_only_among_working_orders(ex: Exchange) -> None:
    placed = _call(ex, "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                   quantity="0.010", price="59000", newClientOrderId="dup-1")
    with pytest.raises(EngineError) as err:
        _call(ex, "POST", "/fapi/v1/order", symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
              quantity="0.100", price="2900", newClientOrderId="dup-1")
    assert err.value.code == -4116
    _call(ex, "DELETE", "/fapi/v1/order", symbol="BTCUSDT", origClientOrderId="dup-1")
    again = _call(ex, "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                  quantity="0.010", price="59010", newClientOrderId="dup-1")
    found = _call(ex, "GET", "/fapi/v1/order", symbol="BTCUSDT", origClientOrderId="dup-1")
    assert found["orderId"] == again["orderId"] != placed["orderId"] and found["status"] == "NEW"
    old = _call(ex, "GET", "/fapi/v1/order", symbol="BTCUSDT", orderId=str(placed["orderId"]))
    assert old["status"] == "CANCELED"


def test_open_order_limit_counts_working_orders_only(ex: Exchange) -> None:
    acct = ex.um.accounts["K"]
    for i in range(200):
        _call(ex, "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
              quantity="0.003", price=str(50000 + i * 10))
    with pytest.raises(EngineError) as err:
        _call(ex, "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
              quantity="0.003", price="49000")
    assert err.value.code == -2025
    _call(ex, "DELETE", "/fapi/v1/order", symbol="BTCUSDT", orderId=str(acct.open_orders("BTCUSDT")[0].order_id))
    _call(ex, "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
          quantity="0.003", price="49000")
    assert acct.open_order_count("BTCUSDT") == 200


def _round_trip_is_open_calls(ex: Exchange, monkeypatch: pytest.MonkeyPatch) -> int:
    calls = []
    original = Order.is_open

    def counting(self: Order) -> bool:
        calls.append(1)
        return original.fget(self)

    monkeypatch.setattr(Order, "is_open", property(counting))
    placed = _call(ex, "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                   quantity="0.010", price="59000")
    _call(ex, "DELETE", "/fapi/v1/order", symbol="BTCUSDT", orderId=str(placed["orderId"]))
    monkeypatch.setattr(Order, "is_open", original)
    return len(calls)


def test_round_trip_cost_does_not_grow_with_history(ex: Exchange, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _round_trip_is_open_calls(ex, monkeypatch)
    for _ in range(300):
        placed = _call(ex, "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                       quantity="0.010", price="59000")
        _call(ex, "DELETE", "/fapi/v1/order", symbol="BTCUSDT", orderId=str(placed["orderId"]))
    assert len(ex.um.accounts["K"].orders) > 300
    assert _round_trip_is_open_calls(ex, monkeypatch) == fresh


def test_dispatch_source_is_recorded_in_the_order_log(ex: Exchange) -> None:
    ex.um.add_liquidity("BTCUSDT", "SELL", "60100", "1")
    dispatch(ex, "um", "POST", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
             "timeInForce": "GTC", "quantity": "0.010", "price": "59000", "newClientOrderId": "src-1"},
             source="WS_API")
    dispatch(ex, "um", "POST", "/fapi/v1/order", "K", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
             "timeInForce": "GTC", "quantity": "0.010", "price": "59000", "newClientOrderId": "src-2"})
    batch = '[{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"0.010",' \
            '"price":"59000","newClientOrderId":"src-3"}]'
    dispatch(ex, "um", "POST", "/fapi/v1/batchOrders", "K", {"batchOrders": batch}, source="BOT")
    sources = {e["clientOrderId"]: e["source"] for e in ex.order_log}
    assert sources == {"src-1": "WS_API", "src-2": "REST", "src-3": "BOT-batch"}
