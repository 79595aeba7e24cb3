"""Drive the OFFICIAL binance-futures-connector 4.2.0 against a running sandbox; print one JSON line.

Run it with the reference venv's python (``tools/ref_venv.py``), never ours: it imports the official
``binance`` package. URLs and key names come on the command line; the HMAC secret comes in the
environment variable ``SCENARIO_API_SECRET`` and the RSA private key as a PEM file path, so no key is
ever written into a file of the project. Every check is recorded as ``{"ok": bool, ...}`` with what the
official client returned or raised; a watchdog prints what was collected and exits if the whole run
takes longer than ``--deadline`` seconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
import uuid
from decimal import ROUND_DOWN, Decimal
from typing import Any, Callable, Dict, List, Optional

logger = logging.getLogger("official_scenario")

RESULTS: Dict[str, Any] = {"checks": {}}
_PRINT_LOCK = threading.Lock()
_PRINTED = threading.Event()


def emit_and_exit(code: int) -> None:
    """Print RESULTS once as one JSON line and end the process at once (hung threads included)."""
    with _PRINT_LOCK:
        if not _PRINTED.is_set():
            _PRINTED.set()
            sys.stdout.write(json.dumps(RESULTS, default=str) + "\n")
            sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def check(name: str, func: Callable[[], Dict[str, Any]]) -> None:
    """Run one check; record its details, or the exception it raised, under ``name``."""
    started = time.monotonic()
    try:
        record = dict(func())
        record.setdefault("ok", True)
    except Exception as exc:  # noqa: BLE001 - the scenario reports, the test judges
        record = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        logger.exception("check %s failed", name)
    record["seconds"] = round(time.monotonic() - started, 3)
    RESULTS["checks"][name] = record


def client_error(call: Callable[[], Any]) -> Dict[str, Any]:
    """Call ``call`` expecting the official ClientError; its status, code and message."""
    from binance.error import ClientError

    try:
        call()
    except ClientError as exc:
        return {"raised": "ClientError", "status_code": exc.status_code, "error_code": exc.error_code,
                "error_message": exc.error_message}
    return {"ok": False, "raised": None}


class Inbox:
    """Messages an official WebSocket client delivered to ``on_message``, parsed, with a wait."""

    def __init__(self) -> None:
        self.messages: List[Any] = []
        self.errors: List[str] = []
        self.closed = 0
        self._cond = threading.Condition()

    def on_message(self, _manager: Any, message: Any) -> None:
        try:
            parsed = json.loads(message)
        except ValueError:
            parsed = {"unparsed": str(message)[:200]}
        with self._cond:
            self.messages.append(parsed)
            self._cond.notify_all()

    def on_error(self, _manager: Any, exc: Any) -> None:
        self.errors.append(f"{type(exc).__name__}: {exc}")

    def on_close(self, _manager: Any) -> None:
        self.closed += 1

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float) -> Optional[Any]:
        """The first message matching ``predicate`` within ``timeout`` seconds, else None."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for msg in self.messages:
                    if isinstance(msg, dict) and predicate(msg):
                        return msg
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(min(remaining, 0.1))

    def event_counts(self) -> Dict[str, int]:
        """How many messages of each ``e`` (event type) arrived; replies count as ``reply``."""
        counts: Dict[str, int] = {}
        with self._cond:
            for msg in self.messages:
                kind = msg.get("e", "reply" if "result" in msg or "error" in msg else "other")
                counts[kind] = counts.get(kind, 0) + 1
        return counts


def reply_to(request_id: Any) -> Callable[[Dict[str, Any]], bool]:
    """Predicate for the control reply with ``request_id``."""
    return lambda m: m.get("id") == request_id and ("result" in m or "error" in m)


def stop_bounded(ws: Any, timeout: float) -> Dict[str, Any]:
    """Call the official ``stop()`` in a helper thread; report whether it returned in time."""
    started = time.monotonic()
    done = threading.Event()
    failure: List[str] = []

    def run() -> None:
        try:
            ws.stop()
        except Exception as exc:  # noqa: BLE001
            failure.append(f"{type(exc).__name__}: {exc}")
        finally:
            done.set()

    threading.Thread(target=run, daemon=True, name="stop-" + ws.socket_manager.name).start()
    returned = done.wait(timeout)
    return {
        "returned": returned,
        "seconds": round(time.monotonic() - started, 3),
        "reader_thread_alive": ws.socket_manager.is_alive(),
        "error": failure[0] if failure else None,
    }


def limit_price(um: Any, symbol: str, factor: str) -> str:
    """``factor`` times the last price, floored to the symbol's tick size."""
    tick = "0.1"
    for item in um.exchange_info()["symbols"]:
        if item["symbol"] == symbol:
            tick = next(f["tickSize"] for f in item["filters"] if f["filterType"] == "PRICE_FILTER")
    price = Decimal(um.ticker_price(symbol=symbol)["price"]) * Decimal(factor)
    return str(price.quantize(Decimal(tick).normalize(), rounding=ROUND_DOWN))


def run(args: argparse.Namespace, secret: str) -> None:
    import binance
    import binance.api
    import binance.lib.utils
    from binance.__version__ import __version__
    from binance.cm_futures import CMFutures
    from binance.um_futures import UMFutures
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    RESULTS["version"] = __version__
    RESULTS["distribution_version"] = _distribution_version()
    RESULTS["module_file"] = binance.__file__
    um = UMFutures(key=args.api_key, secret=secret, base_url=args.um_rest_url, timeout=10)

    check("hmac_time", lambda: {"serverTime": um.time()["serverTime"]})
    check("hmac_account", lambda: {"keys": sorted(um.account())})

    def limit_order() -> Dict[str, Any]:
        price = limit_price(um, "BTCUSDT", "0.97")
        order = um.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                             quantity="0.002", price=price)
        cancelled = um.cancel_order(symbol="BTCUSDT", orderId=order["orderId"])
        return {"type": order["type"], "status": order["status"], "price": order["price"],
                "orderId": order["orderId"], "cancel_status": cancelled["status"]}

    check("hmac_limit_order", limit_order)

    def market_order() -> Dict[str, Any]:
        order = um.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.002")
        return {"type": order["type"], "status": order["status"], "orderId": order["orderId"]}

    check("hmac_market_order", market_order)

    def rsa_calls() -> Dict[str, Any]:
        with open(args.rsa_private_key_file, encoding="utf-8") as handle:
            pem = handle.read()
        rsa = UMFutures(key=args.rsa_api_key, private_key=pem, base_url=args.um_rest_url, timeout=10)
        account = rsa.account()
        balance = rsa.balance()
        return {"account_keys": sorted(account), "balance_assets": sorted(b["asset"] for b in balance)}

    check("rsa_account_balance", rsa_calls)

    wrong = UMFutures(key=args.api_key, secret="wrong" + secret, base_url=args.um_rest_url, timeout=10)
    check("wrong_secret", lambda: client_error(wrong.balance))

    def stale_timestamp() -> Dict[str, Any]:
        real = binance.lib.utils.get_timestamp
        stale_ms = real() - 120_000

        def stale() -> int:
            return stale_ms

        binance.api.get_timestamp = stale
        binance.lib.utils.get_timestamp = stale
        try:
            outcome = client_error(um.balance)
        finally:
            binance.api.get_timestamp = real
            binance.lib.utils.get_timestamp = real
        outcome["timestamp_age_ms"] = 120_000
        return outcome

    check("stale_timestamp", stale_timestamp)

    market_inbox = Inbox()
    user_inbox = Inbox()
    clients: List[Any] = []

    def ws_market() -> Dict[str, Any]:
        ws = UMFuturesWebsocketClient(stream_url=args.um_stream_url, on_message=market_inbox.on_message,
                                      on_error=market_inbox.on_error, on_close=market_inbox.on_close)
        clients.append(ws)
        ws.agg_trade(symbol="btcusdt", id=1)
        ws.book_ticker(symbol="btcusdt", id=2)
        replies = [market_inbox.wait_for(reply_to(i), 5) for i in (1, 2)]
        agg = market_inbox.wait_for(lambda m: m.get("e") == "aggTrade", 10)
        book = market_inbox.wait_for(lambda m: m.get("e") == "bookTicker", 5)
        return {"subscribe_replies": replies, "aggTrade": agg, "bookTicker": book,
                "counts": market_inbox.event_counts(), "errors": market_inbox.errors}

    check("ws_market", ws_market)

    def ws_user_data() -> Dict[str, Any]:
        listen_key = um.new_listen_key()["listenKey"]
        ws = UMFuturesWebsocketClient(stream_url=args.um_stream_url, on_message=user_inbox.on_message,
                                      on_error=user_inbox.on_error, on_close=user_inbox.on_close)
        clients.append(ws)
        ws.user_data(listen_key=listen_key, id=3)
        reply = user_inbox.wait_for(reply_to(3), 5)
        client_order_id = "compat-" + uuid.uuid4().hex[:16]
        um.new_order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.002",
                     newClientOrderId=client_order_id)
        def order_update(status: str) -> Callable[[Dict[str, Any]], bool]:
            return lambda m: (m.get("e") == "ORDER_TRADE_UPDATE" and m["o"].get("c") == client_order_id
                              and m["o"].get("X") == status)

        update = user_inbox.wait_for(order_update("NEW"), 10)
        fill = user_inbox.wait_for(order_update("FILLED"), 10)
        account = user_inbox.wait_for(lambda m: m.get("e") == "ACCOUNT_UPDATE", 5)
        return {"subscribe_reply": reply, "client_order_id": client_order_id, "order_update": update,
                "fill_update": fill, "account_update": account,
                "counts": user_inbox.event_counts(), "errors": user_inbox.errors}

    check("ws_user_data", ws_user_data)

    def cm_market_order() -> Dict[str, Any]:
        cm = CMFutures(key=args.api_key, secret=secret, base_url=args.cm_rest_url, timeout=10)
        order = cm.new_order(symbol="BTCUSD_PERP", side="BUY", type="MARKET", quantity=1)
        positions = cm.get_position_risk(pair="BTCUSD")
        amount = sum(float(p["positionAmt"]) for p in positions if p["symbol"] == "BTCUSD_PERP")
        return {"type": order["type"], "status": order["status"], "orderId": order["orderId"],
                "position_amt": amount}

    check("cm_market_order", cm_market_order)

    def stop_orders() -> Dict[str, Any]:
        # 4.2.0's new_order still documents STOP_MARKET on UM; Binance (and the sandbox) now refuse it there
        trigger = limit_price(um, "BTCUSDT", "1.05")
        refused = client_error(lambda: um.new_order(symbol="BTCUSDT", side="BUY", type="STOP_MARKET",
                                                    quantity="0.002", stopPrice=trigger))
        algo = um.sign_request("POST", "/fapi/v1/algoOrder", {
            "algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "BUY", "type": "STOP_MARKET",
            "quantity": "0.002", "triggerPrice": trigger})
        cancelled = um.sign_request("DELETE", "/fapi/v1/algoOrder", {"algoId": algo["algoId"]})
        return {"refused": refused, "algoStatus": algo["algoStatus"], "cancel_code": cancelled["code"]}

    check("stop_orders", stop_orders)

    def example_symbols() -> Dict[str, Any]:
        # what the official examples name: bnbusd_perp (REST and partial depth), BNBUSD_PERP in a batch
        from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient

        cm = CMFutures(key=args.api_key, secret=secret, base_url=args.cm_rest_url, timeout=10)
        klines = cm.mark_price_klines("BNBUSD_PERP", "1d", limit=2)
        inbox = Inbox()
        ws = CMFuturesWebsocketClient(stream_url=args.cm_stream_url, on_message=inbox.on_message,
                                      on_error=inbox.on_error, on_close=inbox.on_close)
        clients.append(ws)
        ws.partial_book_depth(symbol="bnbusd_perp", id=1, level=10, speed=100)
        depth = inbox.wait_for(lambda m: m.get("e") == "depthUpdate", 10)
        return {"klines": len(klines), "depth_symbol": depth and depth["s"], "bids": depth and len(depth["b"]),
                "errors": inbox.errors}

    check("example_symbols", example_symbols)

    RESULTS["stop"] = [stop_bounded(ws, args.stop_timeout) for ws in clients]
    RESULTS["close_callbacks"] = market_inbox.closed + user_inbox.closed
    RESULTS["alive_non_daemon_threads"] = [
        t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]


def _distribution_version() -> Optional[str]:
    import importlib.metadata

    try:
        return importlib.metadata.version("binance-futures-connector")
    except importlib.metadata.PackageNotFoundError:
        return None


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments (no secret among them)."""
    parser = argparse.ArgumentParser(description="official 4.2.0 connector against the sandbox")
    parser.add_argument("--um-rest-url", required=True)
    parser.add_argument("--cm-stream-url", required=True)
    parser.add_argument("--cm-rest-url", required=True)
    parser.add_argument("--um-stream-url", required=True)
    parser.add_argument("--api-key", required=True, help="HMAC key; its secret is in $SCENARIO_API_SECRET")
    parser.add_argument("--rsa-api-key", required=True)
    parser.add_argument("--rsa-private-key-file", required=True)
    parser.add_argument("--stop-timeout", type=float, default=5.0)
    parser.add_argument("--deadline", type=float, default=45.0)
    return parser.parse_args(argv)


def main() -> None:
    """Run every check and print the results; exits 0 unless the watchdog fired (exit 2)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    args = parse_args()
    secret = os.environ.get("SCENARIO_API_SECRET")
    if not secret:
        RESULTS["fatal"] = "SCENARIO_API_SECRET is not set"
        emit_and_exit(1)
    started = time.monotonic()

    def watchdog() -> None:
        RESULTS["fatal"] = f"watchdog: the scenario did not finish within {args.deadline} s"
        RESULTS["seconds"] = round(time.monotonic() - started, 3)
        emit_and_exit(2)

    timer = threading.Timer(args.deadline, watchdog)
    timer.daemon = True
    timer.start()
    try:
        run(args, secret)
    except Exception as exc:  # noqa: BLE001
        RESULTS["fatal"] = f"{type(exc).__name__}: {exc}"
        logger.exception("scenario failed")
    timer.cancel()
    RESULTS["seconds"] = round(time.monotonic() - started, 3)
    emit_and_exit(0)


if __name__ == "__main__":
    main()
