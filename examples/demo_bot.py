"""The demo: a local exchange and a short trading bot on the library, end to end, in about 30 seconds.

Run: python examples/demo_bot.py [--seconds N]     (what `make demo` runs)

It starts a :class:`binance.sandbox.Sandbox` in this process (no keys, no network), then, on
USDⓈ-M BTCUSDT: reads market data over REST, follows the book ticker and trades over a stream,
opens a user-data stream, checks an order against the exchange filters, places, modifies and
cancels a limit order, buys at market, watches the position's PnL, closes it, and lists the
user-data events that came back. Every wait is bounded; the exit code is 1 if a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Union

from _common import market_quantity, resting, user_event

from binance.error import Error
from binance.filters import ExchangeFilters, FilterError
from binance.types.um import AggTradeEvent, GetPositionRiskItem, MarketEvent, UserDataEvent
from binance.um_futures import UMFutures
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient
from binance.websocket.user_data import UserDataStream

if TYPE_CHECKING:
    from binance.sandbox import Sandbox

EventTest = Callable[[UserDataEvent], bool]

SYMBOL = "BTCUSDT"
WIDTH = 78
EVENT_WAIT = 10.0  # seconds to wait for a user-data event before calling the step failed


class Style:
    """ANSI colours when stdout is a terminal (and NO_COLOR is unset); plain text otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        """Bold text."""
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        """Faint text."""
        return self._wrap("2", text)

    def green(self, text: str) -> str:
        """Green text (bids, gains)."""
        return self._wrap("32", text)

    def red(self, text: str) -> str:
        """Red text (asks, losses, failures)."""
        return self._wrap("31", text)

    def cyan(self, text: str) -> str:
        """Cyan text (headings)."""
        return self._wrap("36", text)

    def signed(self, value: Decimal, text: str) -> str:
        """Green for a positive value, red for a negative one."""
        if value > 0:
            return self.green(text)
        if value < 0:
            return self.red(text)
        return text


def money(value: Any, places: int = 2) -> str:
    """``12345.678`` -> ``12,345.68``."""
    return f"{Decimal(str(value)):,.{places}f}"


def signed_money(value: Any, places: int = 2) -> str:
    """``1.5`` -> ``+1.50``."""
    return f"{Decimal(str(value)):+,.{places}f}"


class Demo:
    """The demo's state and its steps; each step prints one short section."""

    def __init__(self, sandbox: Sandbox, seconds: float, style: Style) -> None:
        self.sb = sandbox
        self.seconds = seconds
        self.s = style
        self.problems: List[str] = []
        self.rest = UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url)
        self.filters: Optional[ExchangeFilters] = None
        self.lock = threading.Lock()
        self.best: Dict[str, str] = {}
        self.trades: List[AggTradeEvent] = []
        self.ticker_updates = 0
        self.events: List[UserDataEvent] = []
        self.event_arrived = threading.Condition(self.lock)
        self.market_ws: Optional[UMFuturesWebsocketClient] = None
        self.user_stream: Optional[UserDataStream] = None
        self.started = time.monotonic()

    # ---------------------------------------------------------------- printing

    def section(self, title: str, note: str = "") -> None:
        """A section heading."""
        print()
        print(self.s.cyan(self.s.bold(f"▸ {title}")) + (" " + self.s.dim(note) if note else ""))

    def row(self, label: str, text: str) -> None:
        """One ``label  text`` line."""
        print(f"  {self.s.dim(label.ljust(10))}{text}")

    def problem(self, text: str) -> None:
        """Record and print a failed step; the demo goes on and exits 1 at the end."""
        self.problems.append(text)
        print(f"  {self.s.red('✗ ' + text)}")

    def ok(self, text: str) -> None:
        """A step that worked."""
        print(f"  {self.s.green('✓')} {text}")

    # ---------------------------------------------------------------- stream callbacks

    def on_market(self, _client: Any, message: Union[str, bytes]) -> None:
        """bookTicker and aggTrade events from the market stream."""
        data: MarketEvent = json.loads(message)
        if "e" not in data:  # the server's answer to a SUBSCRIBE
            return
        with self.lock:
            if data["e"] == "bookTicker":
                self.best = {"bid": data["b"], "bid_qty": data["B"], "ask": data["a"], "ask_qty": data["A"]}
                self.ticker_updates += 1
            elif data["e"] == "aggTrade":
                self.trades.append(data)

    def on_user(self, _client: Any, message: Union[str, bytes]) -> None:
        """User-data events: kept for the last section, and waited on by the order steps."""
        data = user_event(message)
        if data is None:  # the server's answer to the stream's SUBSCRIBE (wait_ready() waits for it)
            return
        with self.event_arrived:
            self.events.append(data)
            self.event_arrived.notify_all()

    def wait_for_event(self, predicate: EventTest, timeout: float, what: str) -> Optional[UserDataEvent]:
        """The first user-data event matching ``predicate``, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self.event_arrived:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    self.problem(f"no {what} on the user-data stream within {timeout:.0f}s")
                    return None
                self.event_arrived.wait(left)

    def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Poll ``predicate`` (under the lock) until true or ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate():
                    return True
            time.sleep(0.05)
        return False

    # ---------------------------------------------------------------- steps

    def show_sandbox(self) -> None:
        """Where the local exchange listens and what the demo account holds."""
        self.section("Sandbox", "a local Binance futures exchange, in this process")
        self.row("REST", self.sb.um_rest_url)
        self.row("streams", self.sb.um_stream_url)
        balances = {b["asset"]: b for b in self.rest.balance()}
        usdt = balances.get("USDT")
        self.row("account", f"demo account, {money(usdt['balance'] if usdt else 0)} USDT")

    def show_market_data(self) -> None:
        """Exchange info, the top of the book, the 24h ticker and the mark price, over REST."""
        self.section("Market data", "REST")
        info = self.rest.exchange_info()
        self.filters = ExchangeFilters.from_exchange_info(info)
        symbols = [s["symbol"] for s in info["symbols"]]
        self.row("exchange", f"{len(symbols)} USDⓈ-M symbols: {', '.join(symbols)}")
        f = self.filters.symbol(SYMBOL)
        tick = f.price.step if f.price else "?"
        step = f.lot_size.step if f.lot_size else "?"
        self.row(SYMBOL, f"tick {tick}   step {step}   min notional {f.min_notional} USDT")
        ticker = self.rest.ticker_24hr_price_change(symbol=SYMBOL)
        change = Decimal(ticker["priceChangePercent"])
        self.row(
            "24h",
            f"last {money(ticker['lastPrice'])}   "
            + self.s.signed(change, f"{change:+.2f} %")
            + f"   volume {money(ticker['volume'], 3)} BTC",
        )
        mark = self.rest.mark_price(symbol=SYMBOL)
        funding = Decimal(mark["lastFundingRate"]) * 100
        self.row("mark", f"{money(mark['markPrice'])}   index {money(mark['indexPrice'])}   funding {funding:.4f} %")
        depth = self.rest.depth(symbol=SYMBOL, limit=5)
        print()
        print("  " + self.s.dim(f"{'bid qty':>10} {'bid':>12}  │ {'ask':<12} {'ask qty'}"))
        for bid, ask in zip(depth["bids"], depth["asks"]):
            print(
                f"  {money(bid[1], 3):>10} {self.s.green(money(bid[0], 1).rjust(12))}  │ "
                f"{self.s.red(money(ask[0], 1).ljust(12))} {money(ask[1], 3)}"
            )

    def follow_streams(self) -> None:
        """Subscribe to bookTicker and aggTrade; print the live top of book for a few seconds."""
        watch = max(2.0, self.seconds * 0.25)
        self.section("Streams", f"bookTicker + aggTrade for {watch:.0f}s")
        self.market_ws = UMFuturesWebsocketClient(stream_url=self.sb.um_stream_url, on_message=self.on_market)
        self.market_ws.book_ticker(symbol=SYMBOL.lower())
        self.market_ws.agg_trade(symbol=SYMBOL.lower())
        if not self.wait_until(lambda: bool(self.best), timeout=10):
            self.problem("no bookTicker event within 10s")
            return
        end = time.monotonic() + watch
        while time.monotonic() < end:
            with self.lock:
                best, trades = dict(self.best), len(self.trades)
                last = self.trades[-1] if self.trades else None
            spread = Decimal(best["ask"]) - Decimal(best["bid"])
            trade = ""
            if last:
                side = self.s.red("sell") if last["m"] else self.s.green("buy ")
                trade = f"   last trade {side} {money(last['q'], 3)} @ {money(last['p'], 1)}"
            print(
                f"  {self.s.green(money(best['bid'], 1).rjust(11))} / {self.s.red(money(best['ask'], 1).ljust(11))}"
                f" spread {money(spread, 1):>5}   trades {trades:>4}{trade}"
            )
            time.sleep(min(max(1.0, watch / 8), max(0.0, end - time.monotonic())))
        with self.lock:
            self.ok(f"{self.ticker_updates} book-ticker updates and {len(self.trades)} trades received")

    def open_user_stream(self) -> None:
        """A user-data stream whose listenKey the library creates, keeps alive and deletes."""
        self.section("User data", "listenKey handled by UserDataStream")
        # no stream_url: the stream follows the REST client to the sandbox
        self.user_stream = UserDataStream(self.rest, on_message=self.on_user)
        if not self.user_stream.wait_ready(10):  # the subscription is live: no order event is missed
            self.problem("the user-data stream was not subscribed within 10s")
            return
        leverage = self.rest.change_leverage(symbol=SYMBOL, leverage=5)
        self.ok(f"stream open; leverage set to {leverage['leverage']}x")
        self.wait_for_event(lambda e: e["e"] == "ACCOUNT_CONFIG_UPDATE", EVENT_WAIT, "ACCOUNT_CONFIG_UPDATE")

    def trade(self) -> Optional[str]:
        """Limit order: check, place, modify, cancel. Then a market buy. Returns the quantity bought."""
        self.section("Orders", "REST, confirmed by the user-data stream")
        assert self.filters is not None
        params = resting(self.rest, SYMBOL, "BUY", distance=0.01)
        try:
            self.filters.validate_order(
                SYMBOL, "BUY", "LIMIT", mark_price=self._mark(), quantity=params["quantity"], price=params["price"]
            )
            self.ok(f"order check passed: BUY {params['quantity']} @ {money(params['price'], 1)}")
        except FilterError as error:
            self.problem(f"order check failed: {error}")
            return None
        quantity, price = params["quantity"], params["price"]
        order = self.rest.new_order(
            symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC", quantity=quantity, price=price
        )
        self._order_line("placed", order)
        self.wait_for_event(_order_event(order["orderId"], "NEW"), EVENT_WAIT, "NEW order event")

        closer = resting(self.rest, SYMBOL, "BUY", distance=0.005)
        modified = self.rest.modify_order(
            symbol=SYMBOL, side="BUY", orderId=order["orderId"], quantity=order["origQty"], price=closer["price"]
        )
        self._order_line("modified", modified)
        self.wait_for_event(_order_event(order["orderId"], "AMENDMENT"), EVENT_WAIT, "AMENDMENT order event")

        canceled = self.rest.cancel_order(symbol=SYMBOL, orderId=order["orderId"])
        self._order_line("canceled", canceled)
        self.wait_for_event(_order_event(order["orderId"], "CANCELED"), EVENT_WAIT, "CANCELED order event")

        quantity = str(Decimal(market_quantity(self.rest, SYMBOL)) * 5)
        bought = self.rest.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity=quantity)
        fill = self.wait_for_event(_order_event(bought["orderId"], "FILLED"), EVENT_WAIT, "FILLED order event")
        if fill is not None and fill["e"] == "ORDER_TRADE_UPDATE":
            o = fill["o"]
            self._print_order(
                "bought", "BUY", "MARKET", o["z"], o["ap"], "FILLED", f"fee {o.get('n', '0')} {o.get('N', '')}"
            )
        return quantity

    def watch_position(self, quantity: str) -> None:
        """Position, balance and unrealized PnL while the simulated market moves; then close."""
        watch = max(2.0, self.seconds * 0.45)
        self.section("Position", f"BTCUSDT long, PnL for {watch:.0f}s")
        end = time.monotonic() + watch
        while True:
            position = self._position()
            if position is None:
                self.problem("no open BTCUSDT position after the market buy")
                return
            pnl = Decimal(position["unRealizedProfit"])
            print(
                f"  size {position['positionAmt']:>7}   entry {money(position['entryPrice'], 1):>10}"
                f"   mark {money(position['markPrice'], 1):>10}   PnL "
                + self.s.signed(pnl, f"{signed_money(pnl):>8} USDT")
            )
            if time.monotonic() >= end:
                break
            time.sleep(min(max(1.0, watch / 8), max(0.0, end - time.monotonic())))
        account = self.rest.account()
        self.row(
            "balance",
            f"wallet {money(account['totalWalletBalance'])} USDT   available {money(account['availableBalance'])} USDT",
        )
        closed = self.rest.new_order(symbol=SYMBOL, side="SELL", type="MARKET", quantity=quantity, reduceOnly="true")
        fill = self.wait_for_event(_order_event(closed["orderId"], "FILLED"), EVENT_WAIT, "FILLED close event")
        if fill is not None and fill["e"] == "ORDER_TRADE_UPDATE":
            o = fill["o"]
            realized = Decimal(o["rp"])
            self._print_order(
                "closed",
                "SELL",
                "MARKET",
                o["z"],
                o["ap"],
                "FILLED",
                "realized " + self.s.signed(realized, f"{signed_money(realized)} USDT"),
            )
        if self._position() is None:
            self.ok("position closed")
        else:
            self.problem("the position is still open after the reduce-only sell")

    def show_events(self) -> None:
        """Every user-data event received, one line each."""
        with self.lock:
            events = list(self.events)
        self.section("User-data events", f"{len(events)} received")
        for event in events:
            stamp = time.strftime("%H:%M:%S", time.localtime(event["E"] / 1000))
            print(f"  {self.s.dim(stamp)}  {event['e']:<22} {_describe(event)}")
        kinds = {e["e"] for e in events}
        for needed in ("ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"):
            if needed not in kinds:
                self.problem(f"no {needed} event received")

    def close(self) -> None:
        """Stop the stream clients (threads joined), cancel leftovers, close the REST session."""
        if self.user_stream is not None:
            self.user_stream.stop()
        if self.market_ws is not None:
            self.market_ws.stop()
        try:
            self.rest.cancel_open_orders(symbol=SYMBOL)
        except Error:
            pass
        self.rest.close()

    # ---------------------------------------------------------------- helpers

    def _mark(self) -> str:
        return self.rest.mark_price(symbol=SYMBOL)["markPrice"]

    def _position(self) -> Optional[GetPositionRiskItem]:
        for position in self.rest.get_position_risk(symbol=SYMBOL):
            if Decimal(position["positionAmt"]) != 0:
                return position
        return None

    def _order_line(self, verb: str, order: Mapping[str, Any]) -> None:
        self._print_order(
            verb,
            order["side"],
            order["type"],
            order["origQty"],
            order["price"],
            order["status"],
            f"id {order['orderId']}",
        )

    def _print_order(self, verb: str, side: str, kind: str, qty: Any, price: Any, status: str, extra: str) -> None:
        side_text = self.s.green(side.ljust(4)) if side == "BUY" else self.s.red(side.ljust(4))
        print(f"  {verb:<9} {side_text} {kind:<6} {qty:>7} @ {money(price, 1):>10}   {status:<9} {self.s.dim(extra)}")


def _order_event(order_id: int, status: str) -> EventTest:
    """A predicate: the ORDER_TRADE_UPDATE of ``order_id`` with execution type or status ``status``."""

    def match(event: UserDataEvent) -> bool:
        if event["e"] != "ORDER_TRADE_UPDATE":
            return False
        o = event["o"]
        return o["i"] == order_id and status in (o["x"], o["X"])

    return match


def _describe(event: UserDataEvent) -> str:
    """One human line for a user-data event."""
    if event["e"] == "ORDER_TRADE_UPDATE":
        o = event["o"]
        price = o["ap"] if Decimal(o["ap"] or "0") else o["p"]
        at = f"@ {money(price, 1)}" if Decimal(price or "0") else "at market"
        return f"{o['S']:<4} {o['o']:<6} {o['q']} {at}  {o['x']}/{o['X']}"
    if event["e"] == "TRADE_LITE":
        return f"{event['S']:<4} {event['l']} @ {money(event['L'], 1)}  (fast fill notice)"
    if event["e"] == "ACCOUNT_UPDATE":
        a = event["a"]
        balances = ", ".join(f"{b['a']} {money(b['wb'])}" for b in a["B"])
        positions = ", ".join(f"{p['s']} {p['pa']}" for p in a["P"])
        return f"{a['m']}: {balances}" + (f"; position {positions}" if positions else "")
    if event["e"] == "ACCOUNT_CONFIG_UPDATE":
        ac = event.get("ac")
        return f"{ac['s']} leverage {ac['l']}x" if ac else json.dumps(event.get("ai", {}))
    return json.dumps({k: v for k, v in event.items() if k not in ("e", "E", "T")})[:60]


def main(argv: Optional[List[str]] = None) -> int:
    """Run the demo; 0 when every step worked."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to watch streams and PnL (default 30)")
    args = parser.parse_args(argv)
    reconfigure: Optional[Callable[..., object]] = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
    style = Style(sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    try:
        from binance.sandbox import Sandbox
    except ImportError as exc:
        print(f"the demo needs the sandbox extra: pip install -e '.[sandbox]' ({exc})", file=sys.stderr)
        return 1

    print(style.bold("━" * WIDTH))
    print(style.bold(" binance-futures-connector demo") + style.dim("  (a local exchange: no keys, no network)"))
    print(style.bold("━" * WIDTH))
    started = time.monotonic()
    with Sandbox(seed=42) as sandbox:
        demo = Demo(sandbox, args.seconds, style)
        try:
            demo.show_sandbox()
            demo.show_market_data()
            demo.follow_streams()
            demo.open_user_stream()
            quantity = demo.trade()
            if quantity:
                demo.watch_position(quantity)
            time.sleep(0.3)  # the last ACCOUNT_UPDATE
            demo.show_events()
        except Error as error:
            demo.problem(f"{type(error).__name__}: {error}")
        finally:
            demo.close()
    elapsed = time.monotonic() - started
    print()
    print(style.bold("━" * WIDTH))
    if demo.problems:
        print(style.red(f" {len(demo.problems)} step(s) failed in {elapsed:.1f}s:"))
        for text in demo.problems:
            print(style.red(f"   - {text}"))
        return 1
    print(style.green(f" done in {elapsed:.1f}s: streams stopped, listenKey closed, sandbox shut down"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
