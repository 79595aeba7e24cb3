"""-4120: a USDⓈ-M conditional order on new_order raises AlgoOrderRequiredError naming the new_algo_order call."""

from __future__ import annotations

import ast
import json
from decimal import Decimal

import pytest

from binance._algo_orders import CONDITIONAL_TYPES, algo_order_call, algo_order_params, algo_order_source
from binance.error import AlgoOrderRequiredError, ClientError, client_error_class
from binance.um_futures import UMFutures
from binance.websocket.api._protocol import parse_reply, reply_error

KEY, SECRET = "algo-key", "algo-secret-never-shown"
REFUSAL = {
    "code": -4120,
    "msg": "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
}


def _call_args(source: str):
    """The positional and keyword arguments of a `new_algo_order(...)` source line."""
    call = ast.parse(source, mode="eval").body
    assert isinstance(call, ast.Call) and call.func.id == "new_algo_order"
    return [ast.literal_eval(a) for a in call.args], {k.arg: ast.literal_eval(k.value) for k in call.keywords}


def test_stop_market_maps_stop_price_to_trigger_price():
    order = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "STOP_MARKET",
        "quantity": "0.010",
        "stopPrice": "60000",
        "workingType": "MARK_PRICE",
        "reduceOnly": "true",
        "newClientOrderId": "sl-1",
        "recvWindow": 5000,
    }
    args, kwargs = _call_args(algo_order_source(order))
    assert args == ["CONDITIONAL", "BTCUSDT", "SELL", "STOP_MARKET"]
    assert kwargs == {
        "quantity": "0.010",
        "triggerPrice": "60000",
        "workingType": "MARK_PRICE",
        "reduceOnly": "true",
        "clientAlgoId": "sl-1",
        "recvWindow": 5000,
    }
    assert algo_order_call(order).endswith("(renamed: stopPrice -> triggerPrice, newClientOrderId -> clientAlgoId)")


def test_trailing_stop_maps_activation_price_and_keeps_the_callback_rate():
    order = {
        "symbol": "ETHUSDT",
        "side": "BUY",
        "type": "TRAILING_STOP_MARKET",
        "quantity": Decimal("0.5"),
        "activationPrice": Decimal("2500.5"),
        "callbackRate": 1.5,
        "priceProtect": "TRUE",
        "positionSide": None,
    }
    _, kwargs = _call_args(algo_order_source(order))
    assert kwargs == {"quantity": "0.5", "activatePrice": "2500.5", "callbackRate": 1.5, "priceProtect": "TRUE"}
    assert "activationPrice -> activatePrice" in algo_order_call(order)


def test_take_profit_with_close_position_and_gtd_carries_every_algo_parameter():
    order = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "TAKE_PROFIT",
        "price": "70100",
        "stopPrice": "70000",
        "timeInForce": "GTD",
        "goodTillDate": 1800000000000,
        "closePosition": "false",
        "priceMatch": "QUEUE",
        "selfTradePreventionMode": "EXPIRE_MAKER",
        "newOrderRespType": "RESULT",
        "positionSide": "LONG",
    }
    kwargs, dropped = algo_order_params(order)
    assert dropped == []
    assert kwargs == {
        "price": "70100",
        "triggerPrice": "70000",
        "timeInForce": "GTD",
        "goodTillDate": 1800000000000,
        "closePosition": "false",
        "priceMatch": "QUEUE",
        "selfTradePreventionMode": "EXPIRE_MAKER",
        "newOrderRespType": "RESULT",
        "positionSide": "LONG",
    }


def test_signature_and_timestamp_never_appear_and_unknown_names_are_listed_without_their_value():
    order = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "STOP",
        "quantity": "1",
        "price": "1",
        "stopPrice": "1",
        "timestamp": 1700000000000,
        "signature": "deadbeef",
        "note": "private text",
    }
    text = algo_order_call(order)
    assert "deadbeef" not in text and "timestamp" not in text and "1700000000000" not in text
    assert "private text" not in text and "left out: note" in text


def test_every_conditional_type_is_named():
    assert CONDITIONAL_TYPES == {"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"}
    assert client_error_class(400, -4120) is AlgoOrderRequiredError
    assert issubclass(AlgoOrderRequiredError, ClientError)


def test_new_order_refused_with_4120_raises_with_the_call_that_places_it(server):
    """A local server answers -4120 as Binance does; the named call, sent, carries the same order."""
    client = UMFutures(KEY, SECRET, base_url=server.url)
    server.respond(400, REFUSAL)
    with pytest.raises(AlgoOrderRequiredError) as caught:
        client.new_order(
            "BTCUSDT",
            "SELL",
            "STOP_MARKET",
            quantity="0.010",
            stopPrice="60000",
            workingType="MARK_PRICE",
            newClientOrderId="sl-1",
        )
    exc = caught.value
    assert (exc.status_code, exc.error_code, exc.error_message) == (400, -4120, REFUSAL["msg"])
    text = str(exc)
    assert REFUSAL["msg"] in text and "place it with new_algo_order('CONDITIONAL', 'BTCUSDT', 'SELL'" in text
    for shown in (text, repr(exc), repr(exc.args)):
        assert SECRET not in shown and "signature" not in shown
    refused = server.last.param_dict()
    # The named call places the same order on /fapi/v1/algoOrder.
    args, kwargs = _call_args(exc.algo_order_call.split(" (renamed")[0])
    client.new_algo_order(*args, **kwargs)
    sent = server.last
    assert sent.path == "/fapi/v1/algoOrder"
    algo = sent.param_dict()
    assert algo["algoType"] == "CONDITIONAL" and algo["triggerPrice"] == refused["stopPrice"]
    assert algo["clientAlgoId"] == refused["newClientOrderId"]
    same = ("symbol", "side", "type", "quantity", "workingType")
    assert {k: algo[k] for k in same} == {k: refused[k] for k in same}


def test_other_client_errors_are_unchanged(server):
    server.respond(400, {"code": -2021, "msg": "Order would immediately trigger."})
    with pytest.raises(ClientError) as caught:
        UMFutures(KEY, SECRET, base_url=server.url).new_order(
            "BTCUSDT", "BUY", "LIMIT", quantity="1", price="1", timeInForce="GTC"
        )
    assert type(caught.value) is ClientError and "new_algo_order" not in str(caught.value)


def test_websocket_api_refusal_is_the_same_class_with_a_generic_hint():
    reply = parse_reply('{"id": "1", "status": 400, "error": %s}' % json.dumps(REFUSAL))
    exc = reply_error(reply)
    assert isinstance(exc, AlgoOrderRequiredError)
    assert "place it with new_algo_order('CONDITIONAL', symbol, side, type, triggerPrice=..." in str(exc)


class RefusingWsApiServer:
    """A local WebSocket API server (aiohttp, 127.0.0.1) that answers every request with Binance's -4120."""

    def __init__(self) -> None:
        import asyncio
        import threading

        self.requests = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="refusing-ws-api", daemon=True)
        self.port = 0

    def _serve(self) -> None:
        import asyncio

        from aiohttp import web

        async def handle(request):
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for msg in ws:
                frame = json.loads(msg.data)
                self.requests.append(frame)
                await ws.send_str(json.dumps({"id": frame["id"], "status": 400, "error": REFUSAL}))
            return ws

        async def start():
            app = web.Application()
            app.router.add_get("/{tail:.*}", handle)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]

        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def __enter__(self) -> "RefusingWsApiServer":
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def test_websocket_api_order_place_refused_names_the_algo_order_place_call():
    pytest.importorskip("aiohttp")
    from binance.websocket.api import UMFuturesWebsocketAPIClient

    with RefusingWsApiServer() as server:
        client = UMFuturesWebsocketAPIClient(
            api_key=KEY, api_secret=SECRET, stream_url="ws://127.0.0.1:%d/ws-fapi/v1" % server.port, timeout=5.0
        )
        try:
            with pytest.raises(AlgoOrderRequiredError) as caught:
                client.order_place("BTCUSDT", "SELL", "TAKE_PROFIT_MARKET", quantity="0.010", stopPrice="70000")
        finally:
            client.stop()
    text = str(caught.value)
    assert "place it with algo_order_place('CONDITIONAL', 'BTCUSDT', 'SELL', 'TAKE_PROFIT_MARKET'" in text
    assert "triggerPrice='70000'" in text and SECRET not in text and "signature" not in text
    assert server.requests[0]["method"] == "order.place"
