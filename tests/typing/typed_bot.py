"""A short bot written for the type-check test (tests/typing/test_type_check.py): checked, never run by pytest.

`main` uses the typed API as a user would; mypy --strict and pyright (strict) must find nothing in it.
`misuses` holds deliberate mistakes, one per line marked `# misuse: <what>`; both checkers must report
every one of them (and nothing else). Run it by hand against a sandbox: `python tests/typing/typed_bot.py`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import List, Optional, Union

from binance.cm_futures import CMFutures
from binance.filters import ExchangeFilters
from binance.orderbook import DepthManager, OrderBook
from binance.ratelimit import RateLimitUsage
from binance.sandbox import Sandbox
from binance.types.params import Side
from binance.types.um import MarketEvent, NewOrderResponse, OrderTradeUpdateEvent, UserDataEvent
from binance.um_futures import UMFutures
from binance.websocket.api.um_futures import UMFuturesWebsocketAPIClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient
from binance.websocket.user_data import UserDataStream
from binance.websocket.websocket_client import BinanceWebsocketClient

SYMBOL = "BTCUSDT"


def on_market(client: BinanceWebsocketClient, message: Union[str, bytes]) -> None:
    """Market events: typed by the annotation, narrowed by their `e`."""
    event: MarketEvent = json.loads(message)
    if event["e"] == "bookTicker":
        print("best bid", Decimal(event["b"]), "ask", Decimal(event["a"]))
    elif event["e"] == "aggTrade":
        print("trade", event["q"], "@", event["p"], "seller is maker" if event["m"] else "")


def fills(events: List[UserDataEvent]) -> List[OrderTradeUpdateEvent]:
    """The ORDER_TRADE_UPDATE events that report a trade."""
    out: List[OrderTradeUpdateEvent] = []
    for event in events:
        if event["e"] == "ORDER_TRADE_UPDATE" and event["o"]["x"] == "TRADE":
            out.append(event)
    return out


def describe(event: UserDataEvent) -> str:
    """One line per user-data event kind."""
    if event["e"] == "ORDER_TRADE_UPDATE":
        o = event["o"]
        return f"{o['S']} {o['q']} {o['s']} @ {o['p']}: {o['X']} (fee {o.get('n', '0')} {o.get('N', '')})"
    if event["e"] == "ACCOUNT_UPDATE":
        return ", ".join(f"{b['a']} {b['wb']}" for b in event["a"]["B"])
    if event["e"] == "listenKeyExpired":
        return "listenKey expired at " + str(event["E"])
    return event["e"]


def main() -> None:
    """Trade a little on a local sandbox with every part of the typed API."""
    with Sandbox(seed=3) as sb:
        rest = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url, validate_orders=True)
        side: Side = "BUY"
        order: NewOrderResponse = rest.new_order(
            SYMBOL, side, "LIMIT", timeInForce="GTC", quantity="0.01", price="10000", newOrderRespType="RESULT"
        )
        order_id: int = order["orderId"]
        average: Optional[str] = order.get("avgPrice")
        print(order["status"], order["origQty"], average)
        print(rest.query_order(SYMBOL, orderId=order_id)["status"])
        print(rest.cancel_order(SYMBOL, orderId=order_id)["status"])

        account = rest.account()
        wallet = Decimal(account["totalWalletBalance"])
        assets = {a["asset"]: Decimal(a["availableBalance"]) for a in account["assets"]}
        for position in rest.get_position_risk(symbol=SYMBOL):
            print(position["symbol"], Decimal(position["positionAmt"]), position["adl"])
        for row in rest.klines(SYMBOL, "1m", limit=3):
            print("close", Decimal(str(row[4])))
        book = rest.depth(SYMBOL, limit=5)
        print(wallet, assets, book["bids"][0][0], rest.ticker_price(SYMBOL)["price"], len(rest.ticker_price()))
        for entry in rest.new_batch_order(
            batchOrders=[{"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "1"}]
        ):
            if "orderId" in entry:
                print("placed", entry["orderId"])
            else:
                print("rejected", entry["code"], entry["msg"])
        usage: List[RateLimitUsage] = rest.rate_limit_usage()
        print([(u.kind, u.used, u.limit) for u in usage])

        wrapped = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url, show_limit_usage=True)
        answer = wrapped.ping()
        print(answer.get("limit_usage"), answer["data"])

        filters = ExchangeFilters.from_exchange_info(rest.exchange_info())
        print(filters.round_price(SYMBOL, Decimal("10000.123")))

        ws_api = UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, stream_url=sb.um_ws_api_url)
        placed = ws_api.order_place(SYMBOL, "SELL", "LIMIT", timeInForce="GTC", quantity="0.01", price="99999")
        print(placed["orderId"], ws_api.account_status()["totalWalletBalance"])
        ws_api.stop()

        stream = UMFuturesWebsocketClient(stream_url=sb.um_stream_url, on_message=on_market, queue_size=100)
        stream.book_ticker(symbol=SYMBOL.lower())
        stream.stop()

        events: List[UserDataEvent] = []
        user = UserDataStream(rest, on_message=lambda _c, m: events.append(json.loads(m)), stream_url=sb.um_stream_url)
        user.stop()
        print([describe(e) for e in events], len(fills(events)))

        with DepthManager(rest, [SYMBOL], stream_url=sb.um_stream_url, speed=100) as depth:
            if depth.wait_live(SYMBOL, timeout=5):
                local: OrderBook = depth.book(SYMBOL)
                print(local.mid(), local.best_bid(), local.estimate_fill("BUY", "0.5"))

        coin = CMFutures(sb.api_key, sb.api_secret, base_url=sb.cm_rest_url)
        print(coin.account()["canTrade"], sb.faults.pending_rest_faults)


def misuses(rest: UMFutures, sb: Sandbox, event: UserDataEvent, ws_api: UMFuturesWebsocketAPIClient) -> None:
    """Each line is a mistake both checkers must report (never called)."""
    order = rest.new_order(SYMBOL, "BUY", "MARKET", quantity="0.01")
    print(order["orderID"])  # misuse: a misspelt response key
    UMFutures("key", "secret", valdiate_orders=True)  # misuse: a misspelt client option
    rest.new_order(SYMBOL, "BUY", "LIMT")  # misuse: a value outside the order-type Literal
    rest.new_order(SYMBOL, "BUY", "LIMIT", timeInForce="GTX2")  # misuse: a value outside the timeInForce Literal
    rest.klines(SYMBOL, "2m")  # misuse: an interval Binance does not have
    rest.new_order(SYMBOL, "BUY")  # misuse: a missing required argument
    if event["e"] == "ORDER_TRADE_UPDATE":
        print(event["o"]["Q"])  # misuse: a wrong key on a user-data event
    sb.faults.drop_al()  # misuse: a misspelt Sandbox attribute
    UMFuturesWebsocketClient(on_mesage=on_market)  # misuse: a misspelt stream-client option
    UMFuturesWebsocketClient(on_message=describe)  # misuse: a callback with the wrong signature
    DepthManager(rest, [SYMBOL], speed=200)  # misuse: a depth speed Binance does not have
    print(rest.rate_limit_usage()[0].usedd)  # misuse: a misspelt rate-limit attribute
    ws_api.order_place(SYMBOL, "buy", "LIMIT")  # misuse: a lower-case side on the WebSocket API
    wrapped = UMFutures(show_header=True)
    print(wrapped.time()["serverTime"])  # misuse: a wrapped answer read as a plain one


if __name__ == "__main__":
    main()
