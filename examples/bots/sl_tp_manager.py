"""A stop-loss / take-profit manager driven by the user-data stream.

Run: python examples/bots/sl_tp_manager.py [--seconds 20] [--sl-bps 2] [--tp-bps 2] [--no-open]

Whenever the user-data stream reports a new or changed BTCUSDT position (``ACCOUNT_UPDATE``), it
places two conditional algo orders that close the whole position (``closePosition``): a
STOP_MARKET ``--sl-bps`` against the entry price and a TAKE_PROFIT_MARKET ``--tp-bps`` in favour.
When the position goes back to zero (one of them fired, or it was closed by hand) the other one
is cancelled. So that something happens in a short run, it opens a small position itself (long,
then short, ...) whenever it is flat, unless ``--no-open`` is given; against a real account use
``--no-open`` and open positions yourself. Runs against a local sandbox unless BINANCE_* variables
point at Binance (see examples/README.md).
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import Target, market_quantity, open_target, user_event  # noqa: E402

from binance.error import ClientError, Error  # noqa: E402
from binance.filters import ExchangeFilters, SymbolFilters  # noqa: E402
from binance.types.params import AlgoOrderType, Side  # noqa: E402
from binance.websocket.user_data import UserDataStream  # noqa: E402

SYMBOL = "BTCUSDT"
log = logging.getLogger("sl_tp_manager")


class Manager:
    """Keeps exactly one stop-loss and one take-profit on the open position."""

    def __init__(self, target: Target, sl_bps: float, tp_bps: float, open_positions: bool) -> None:
        self.rest = target.um_rest()
        self.sl = Decimal(str(sl_bps)) / 10000
        self.tp = Decimal(str(tp_bps)) / 10000
        self.open_positions = open_positions
        self.filters: SymbolFilters = ExchangeFilters.from_exchange_info(self.rest.exchange_info()).symbol(SYMBOL)
        self.updates: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.position = Decimal(0)
        self.protected: Optional[Decimal] = None
        self.realized = Decimal(0)
        self.stops = 0
        self.targets = 0
        self.next_side: Side = "BUY"
        self.user = UserDataStream(self.rest, on_message=self.on_user, stream_url=target.stream_url)

    def on_user(self, _client: Any, message: Union[str, bytes]) -> None:
        """Hand position changes and closing fills to the main loop (no REST calls on stream threads)."""
        event = user_event(message)
        if event is None:  # the server's answer to the stream's SUBSCRIBE
            return
        if event["e"] == "ACCOUNT_UPDATE":
            for p in event["a"]["P"]:
                if p["s"] == SYMBOL and p["ps"] == "BOTH":
                    self.updates.put({"kind": "position", "amount": Decimal(p["pa"]), "entry": Decimal(p["ep"])})
        elif event["e"] == "ORDER_TRADE_UPDATE":
            o = event["o"]
            if o["s"] == SYMBOL and o["X"] == "FILLED" and o["ot"] in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
                self.updates.put({"kind": "closed", "type": o["ot"], "price": o["ap"], "pnl": Decimal(o["rp"])})

    def protect(self, amount: Decimal, entry: Decimal) -> None:
        """Replace the protective orders for a position of ``amount`` entered at ``entry``."""
        self.unprotect()
        long = amount > 0
        exit_side: Side = "SELL" if long else "BUY"
        stop = entry * (1 - self.sl) if long else entry * (1 + self.sl)
        take = entry * (1 + self.tp) if long else entry * (1 - self.tp)
        stop_price = self.filters.round_price(stop, ROUND_FLOOR if long else ROUND_CEILING)
        take_price = self.filters.round_price(take, ROUND_CEILING if long else ROUND_FLOOR)
        print(f"  position {amount:+} @ {entry:.1f}: stop-loss {stop_price}, take-profit {take_price}")
        self.protected = amount
        orders: Tuple[Tuple[AlgoOrderType, str], ...] = (
            ("STOP_MARKET", stop_price),
            ("TAKE_PROFIT_MARKET", take_price),
        )
        for kind, price in orders:
            try:
                self.rest.new_algo_order(
                    algoType="CONDITIONAL",
                    symbol=SYMBOL,
                    side=exit_side,
                    type=kind,
                    triggerPrice=price,
                    closePosition="true",
                )
            except ClientError as error:
                if error.error_code != -2021:  # -2021: the price is already past the trigger
                    raise
                print(f"  {kind} {price} is already crossed: closing at market")
                self.unprotect()
                quantity = str(abs(amount))
                self.rest.new_order(symbol=SYMBOL, side=exit_side, type="MARKET", quantity=quantity, reduceOnly="true")
                return

    def unprotect(self) -> None:
        """Cancel the protective orders, if any."""
        if self.protected is not None:
            try:
                self.rest.cancel_open_algo_orders(symbol=SYMBOL)
            except ClientError as error:
                log.info("nothing to cancel: %s", error)
            self.protected = None

    def open_demo_position(self) -> None:
        """Open a small position (alternating long and short) so that the manager has work."""
        side = self.next_side
        self.next_side = "SELL" if side == "BUY" else "BUY"
        self.rest.new_order(symbol=SYMBOL, side=side, type="MARKET", quantity=market_quantity(self.rest, SYMBOL))

    def handle(self, update: Dict[str, Any]) -> None:
        """React to one queued user-data update."""
        if update["kind"] == "closed":
            hit = "take-profit" if update["type"] == "TAKE_PROFIT_MARKET" else "stop-loss"
            if hit == "take-profit":
                self.targets += 1
            else:
                self.stops += 1
            self.realized += update["pnl"]
            print(f"  {hit} filled @ {Decimal(update['price']):.1f}: realized {update['pnl']:+.4f} USDT")
            return
        self.position = update["amount"]
        if self.position == 0:
            self.unprotect()
            print("  flat: protection cancelled")
        elif self.protected != self.position:
            self.protect(self.position, update["entry"])

    def run(self, seconds: float) -> None:
        """Manage positions for ``seconds``, once the user-data stream is subscribed."""
        if not self.user.wait_ready(10):
            raise RuntimeError("the user-data stream was not subscribed within 10s")
        end = time.monotonic() + seconds
        if self.open_positions:
            self.open_demo_position()
        while time.monotonic() < end:
            try:
                update = self.updates.get(timeout=min(0.5, max(0.01, end - time.monotonic())))
            except queue.Empty:
                continue
            self.handle(update)
            if self.open_positions and self.position == 0 and self.updates.empty() and time.monotonic() < end - 1:
                self.open_demo_position()

    def stop(self) -> None:
        """Cancel protection, close what this run opened, stop the stream."""
        try:
            self.unprotect()
            if self.open_positions:
                amount = next(
                    (Decimal(p["positionAmt"]) for p in self.rest.get_position_risk(symbol=SYMBOL)), Decimal(0)
                )
                if amount:
                    side: Side = "SELL" if amount > 0 else "BUY"
                    quantity = str(abs(amount))
                    self.rest.new_order(symbol=SYMBOL, side=side, type="MARKET", quantity=quantity, reduceOnly="true")
                    print(f"  closed the position: {side} {quantity} at market")
        except Error as error:
            print(f"  clean-up failed: {error}", file=sys.stderr)
        finally:
            self.user.stop()
            self.rest.close()


def main(
    target: Target, seconds: float = 20.0, sl_bps: float = 2.0, tp_bps: float = 2.0, open_positions: bool = True
) -> bool:
    """Run the manager for ``seconds``; True when it ran and cleaned up."""
    print(f"SL/TP manager on {SYMBOL}: stop-loss {sl_bps} bps, take-profit {tp_bps} bps, {seconds:.0f}s")
    manager = Manager(target, sl_bps, tp_bps, open_positions)
    try:
        manager.run(seconds)
    finally:
        manager.stop()
    print(
        f"done: {manager.targets} take-profits, {manager.stops} stop-losses, "
        f"realized {manager.realized:+.4f} USDT before fees"
    )
    return True


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--sl-bps", type=float, default=2.0, help="stop-loss distance from the entry, in bps")
    parser.add_argument("--tp-bps", type=float, default=2.0, help="take-profit distance from the entry, in bps")
    parser.add_argument("--no-open", action="store_true", help="only manage positions opened by someone else")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    with open_target("um") as target:
        ok = main(target, args.seconds, args.sl_bps, args.tp_bps, open_positions=not args.no_open)
    sys.exit(0 if ok else 1)
