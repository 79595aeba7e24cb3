"""Every spec endpoint of both markets, called with valid params against the local sandbox exchange.

A call that returns (instead of raising ClientError / ServerError) got a 2xx answer. Endpoints that
act on something (an order, a quote, a download, a listenKey) first create it with the client itself.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

import pytest
from rest_endpoint_calls import DATA, build_call

pytest.importorskip("aiohttp")

from binance.cm_futures import CMFutures  # noqa: E402
from binance.error import ClientError  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402
from binance.um_futures import UMFutures  # noqa: E402

CLIENTS = {"um": UMFutures, "cm": CMFutures}
SYMBOL = {"um": "BTCUSDT", "cm": "BTCUSD_PERP"}
OTHER_SYMBOL = {"um": "ETHUSDT", "cm": "ETHUSD_PERP"}
PAIR = {"um": "BTCUSDT", "cm": "BTCUSD"}
QTY = {"um": "0.002", "cm": "1"}
RESTING_PRICE = "63000"  # below the sandbox's 65000 mark, inside its 5% price band: the order rests


@pytest.fixture(scope="module")
def sandbox():
    limits = RateLimits(weight_per_minute=10**9, orders_per_10s=10**6, orders_per_minute=10**6)
    with Sandbox(seed=7, tick_interval=None, limits=limits) as sb:
        yield sb


@pytest.fixture(scope="module")
def clients(sandbox):
    return {
        "um": UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url),
        "cm": CMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.cm_rest_url),
    }


class Ctx:
    """One market's client and a few helpers that create what an endpoint acts on."""

    def __init__(self, market: str, client: Any) -> None:
        self.m = market
        self.c = client
        self.symbol = SYMBOL[market]
        self.qty = QTY[market]

    def rest(self, **extra: Any) -> dict:
        """Place a resting LIMIT BUY and return the order."""
        return self.c.new_order(
            self.symbol, "BUY", "LIMIT", quantity=self.qty, price=RESTING_PRICE, timeInForce="GTC", **extra
        )

    def flat(self) -> None:
        """Cancel every open order of both test symbols."""
        for symbol in (self.symbol, OTHER_SYMBOL[self.m]):
            self.c.cancel_open_orders(symbol)


def _batch_new(x: Ctx) -> Any:
    order = {"symbol": x.symbol, "side": "BUY", "type": "LIMIT", "quantity": x.qty, "price": RESTING_PRICE}
    result = x.c.new_batch_order([dict(order, timeInForce="GTC"), dict(order, timeInForce="GTC", price="62000")])
    assert all("orderId" in item for item in result), result
    return result


def _batch_modify(x: Ctx) -> Any:
    order = x.rest()
    change = {"symbol": x.symbol, "orderId": order["orderId"], "side": "BUY", "quantity": x.qty, "price": "63100"}
    result = x.c.modify_batch_order([change])
    assert result[0]["orderId"] == order["orderId"], result
    return result


def _batch_cancel(x: Ctx) -> Any:
    ids = [x.rest()["orderId"], x.rest()["orderId"]]
    result = x.c.cancel_batch_order(x.symbol, ids, None)
    assert sorted(item["orderId"] for item in result) == sorted(ids), result
    return result


def _modify(x: Ctx) -> Any:
    order = x.rest()
    if x.m == "um":
        return x.c.modify_order(x.symbol, "BUY", x.qty, "63100", orderId=order["orderId"])
    return x.c.modify_order(x.symbol, "BUY", orderId=order["orderId"], quantity=x.qty, price="63100")


def _flip(getter: Callable[[], dict], key: str, setter: Callable[[Any], Any]) -> Any:
    current = getter()[key]
    result = setter("false" if current else "true")
    setter("true" if current else "false")
    return result


def _position_mode(x: Ctx) -> Any:
    x.flat()
    return _flip(x.c.get_position_mode, "dualSidePosition", x.c.change_position_mode)


def _margin_type(x: Ctx) -> Any:
    x.flat()
    result = x.c.change_margin_type(OTHER_SYMBOL[x.m], "ISOLATED")
    x.c.change_margin_type(OTHER_SYMBOL[x.m], "CROSSED")
    return result


def _isolated_margin(x: Ctx) -> Any:
    symbol = OTHER_SYMBOL[x.m]
    qty = "0.05" if x.m == "um" else "1"
    x.flat()
    x.c.change_margin_type(symbol, "ISOLATED")
    x.c.new_order(symbol, "BUY", "MARKET", quantity=qty)
    try:
        return x.c.modify_isolated_position_margin(symbol, "10" if x.m == "um" else "0.001", 1)
    finally:
        x.c.new_order(symbol, "SELL", "MARKET", quantity=qty, reduceOnly="true")
        x.c.change_margin_type(symbol, "CROSSED")


def _algo(x: Ctx) -> dict:
    return x.c.new_algo_order(
        "CONDITIONAL", x.symbol, "BUY", "STOP_MARKET", quantity=x.qty, triggerPrice="70000", workingType="MARK_PRICE"
    )


def _download(x: Ctx, create: str, link: str) -> Any:
    created = getattr(x.c, create)(1700000000000, 1702000000000)
    return getattr(x.c, link)(created["downloadId"])


def _quote(x: Ctx) -> dict:
    return x.c.send_quote_request("USDT", "BTC", fromAmount="20")


def _listen(x: Ctx, method: str) -> Any:
    key = x.c.new_listen_key()["listenKey"]
    return getattr(x.c, method)(key)


# (market or "*", method, path or None) -> the call; everything else is called with its required params only.
Case = Callable[[Ctx], Any]
CASES: Dict[Tuple[str, str, Any], Case] = {
    ("*", "new_order", None): lambda x: x.rest(),
    ("*", "new_order_test", None): lambda x: x.c.new_order_test(
        x.symbol, "BUY", "LIMIT", quantity=x.qty, price=RESTING_PRICE, timeInForce="GTC"
    ),
    ("*", "query_order", None): lambda x: x.c.query_order(x.symbol, orderId=x.rest()["orderId"]),
    ("*", "get_open_orders", None): lambda x: x.c.get_open_orders(x.symbol, orderId=x.rest()["orderId"]),
    ("*", "cancel_order", None): lambda x: x.c.cancel_order(x.symbol, origClientOrderId=x.rest()["clientOrderId"]),
    ("*", "modify_order", None): _modify,
    ("*", "order_modify_history", None): lambda x: x.c.order_modify_history(x.symbol, orderId=_modify(x)["orderId"]),
    ("*", "get_order_modify_history", None): lambda x: x.c.get_order_modify_history(
        x.symbol, orderId=_modify(x)["orderId"]
    ),
    ("*", "new_batch_order", None): _batch_new,
    ("*", "modify_batch_order", None): _batch_modify,
    ("*", "cancel_batch_order", None): _batch_cancel,
    ("*", "change_position_mode", None): _position_mode,
    ("*", "change_margin_type", None): _margin_type,
    ("*", "modify_isolated_position_margin", None): _isolated_margin,
    ("um", "change_multi_asset_mode", None): lambda x: _flip(
        x.c.get_multi_asset_mode, "multiAssetsMargin", x.c.change_multi_asset_mode
    ),
    ("um", "new_algo_order", None): _algo,
    ("um", "query_algo_order", None): lambda x: x.c.query_algo_order(algoId=_algo(x)["algoId"]),
    ("um", "cancel_algo_order", None): lambda x: x.c.cancel_algo_order(clientAlgoId=_algo(x)["clientAlgoId"]),
    ("um", "aysnc_download_info", None): lambda x: _download(x, "download_transactions_asyn", "aysnc_download_info"),
    ("um", "async_download_order_id", None): lambda x: _download(x, "download_order_asyn", "async_download_order_id"),
    ("um", "async_download_trade_id", None): lambda x: _download(x, "download_trade_asyn", "async_download_trade_id"),
    ("cm", "get_download_link_transaction_history", None): lambda x: _download(
        x, "get_download_id_transaction_history", "get_download_link_transaction_history"
    ),
    ("cm", "get_download_link_order_history", None): lambda x: _download(
        x, "get_download_id_order_history", "get_download_link_order_history"
    ),
    ("cm", "get_download_link_trade_history", None): lambda x: _download(
        x, "get_download_id_trade_history", "get_download_link_trade_history"
    ),
    ("um", "send_quote_request", None): _quote,
    ("um", "accept_offered_quote", None): lambda x: x.c.accept_offered_quote(_quote(x)["quoteId"]),
    ("um", "order_status", None): lambda x: x.c.order_status(
        orderId=x.c.accept_offered_quote(_quote(x)["quoteId"])["orderId"]
    ),
    ("*", "renew_listen_key", None): lambda x: _listen(x, "renew_listen_key"),
    ("*", "close_listen_key", None): lambda x: _listen(x, "close_listen_key"),
    ("cm", "query_index_price_constituents", None): lambda x: x.c.query_index_price_constituents("BTCUSD"),
    ("cm", "get_all_orders", None): lambda x: x.c.get_all_orders(symbol=x.symbol),
    ("cm", "get_account_trades", None): lambda x: x.c.get_account_trades(symbol=x.symbol),
    ("cm", "leverage_brackets", "/dapi/v1/leverageBracket"): lambda x: x.c.leverage_brackets(pair="BTCUSD"),
    ("cm", "leverage_brackets", "/dapi/v2/leverageBracket"): lambda x: x.c.leverage_brackets(symbol=x.symbol),
}


def _case(market: str, entry: dict) -> Case:
    method = entry["legacy_name"] or entry["name"]
    for key in ((market, method, entry["path"]), (market, method, None), ("*", method, None)):
        if key in CASES:
            return CASES[key]
    call = build_call(market, entry, CLIENTS[market], only_required=True)
    return lambda x: getattr(x.c, call.method)(*call.args, **call.kwargs)


ENTRIES = [(m, e) for m in ("um", "cm") for e in DATA[m]]


def test_every_case_names_a_spec_endpoint():
    names = {(m, e["legacy_name"] or e["name"]) for m, e in ENTRIES}
    for market, method, _ in CASES:
        markets = ("um", "cm") if market == "*" else (market,)
        assert any((mk, method) in names for mk in markets), method


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "market, entry", ENTRIES, ids=["%s.%s %s" % (m, e["legacy_name"] or e["name"], e["path"]) for m, e in ENTRIES]
)
def test_endpoint_succeeds_against_the_sandbox(clients, market, entry):
    ctx = Ctx(market, clients[market])
    try:
        result = _case(market, entry)(ctx)
    except ClientError as exc:  # the message names the endpoint and Binance's answer
        pytest.fail("%s %s -> %s" % (entry["http_method"], entry["path"], exc))
    assert result is not None
