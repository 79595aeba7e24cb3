"""A market maker: quotes a bid and an ask around the mid of a local order book, for a bounded time.

Run: python examples/bots/market_maker.py [--seconds 20] [--spread-bps 1] [--max-position 5]

The book is kept in sync by a :class:`binance.orderbook.DepthManager` (diff-depth stream plus
REST snapshots; a gap triggers a new snapshot by itself). Quotes are post-only (``GTX``), sized at the
smallest valid quantity, and moved with ``modify_order`` when the mid moves by a tick or more;
past ``--max-position`` lots only the side that reduces the position is quoted. Fills arrive on
the user-data stream. At the end every quote is cancelled, the position is closed and the threads
are stopped. Runs against a local sandbox unless BINANCE_* variables point at Binance (see
examples/README.md): it really trades there, so use a testnet account.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, Dict, Optional, Union

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import Target, market_quantity, open_target, resting, user_event  # noqa: E402

from binance.error import ClientError, Error  # noqa: E402
from binance.filters import ExchangeFilters  # noqa: E402
from binance.orderbook import BookNotReadyError, DepthManager  # noqa: E402
from binance.types.params import Side  # noqa: E402
from binance.types.um import ModifyOrderResponse, NewOrderResponse  # noqa: E402
from binance.websocket.user_data import UserDataStream  # noqa: E402

SYMBOL = "BTCUSDT"
Quote = Union[NewOrderResponse, ModifyOrderResponse]
log = logging.getLogger("market_maker")


class MarketMaker:
    """Two post-only quotes around the mid of a locally maintained book."""

    def __init__(self, target: Target, spread_bps: float, max_position: int) -> None:
        self.rest = target.um_rest()
        self.stream_url = target.stream_url
        self.half_spread = Decimal(str(spread_bps)) / Decimal(20000)
        self.depth = DepthManager(self.rest, [SYMBOL], stream_url=self.stream_url)
        self.filters = ExchangeFilters.from_exchange_info(self.rest.exchange_info()).symbol(SYMBOL)
        self.lot = Decimal(resting(self.rest, SYMBOL)["quantity"])
        self.max_position = self.lot * max_position
        self.quotes: Dict[Side, Optional[Quote]] = {"BUY": None, "SELL": None}
        self.position = Decimal(0)
        self.fills = 0
        self.realized = Decimal(0)
        self.state_lock = threading.Lock()
        self.user: Optional[UserDataStream] = None

    # ---------------------------------------------------------------- feeds

    def on_user(self, _client: Any, message: Union[str, bytes]) -> None:
        """Fills of our quotes: position, realized PnL, and forget filled quotes."""
        event = user_event(message)
        if event is None:  # the server's answer to the stream's SUBSCRIBE
            return
        if event["e"] != "ORDER_TRADE_UPDATE":
            return
        o = event["o"]
        with self.state_lock:
            if o["x"] == "TRADE":
                qty = Decimal(o["l"])
                self.position += qty if o["S"] == "BUY" else -qty
                self.realized += Decimal(o["rp"]) - Decimal(o.get("n", "0"))
                self.fills += 1
                print(f"  fill  {o['S']:<4} {o['l']} @ {o['L']}   position {self.position:+}")
            if o["X"] in ("FILLED", "CANCELED", "EXPIRED"):
                for side, quote in self.quotes.items():
                    if quote and quote["orderId"] == o["i"]:
                        self.quotes[side] = None

    # ---------------------------------------------------------------- quoting

    def start(self) -> None:
        """Open the user-data stream and the local book; wait (bounded) until the book is live."""
        self.user = UserDataStream(self.rest, on_message=self.on_user, stream_url=self.stream_url)
        if not self.user.wait_ready(10):
            raise RuntimeError("the user-data stream was not subscribed within 10s")
        self.depth.start()
        if not self.depth.wait_live(SYMBOL, timeout=15):
            raise RuntimeError(f"the {SYMBOL} book did not get in sync within 15s")

    def targets(self) -> Optional[Dict[Side, str]]:
        """Where the bid and the ask should be now, or None while the book is not live."""
        with self.depth.lock:
            try:
                mid = self.depth.book(SYMBOL).mid()
            except BookNotReadyError:
                return None
        if mid is None:
            return None
        return {
            "BUY": self.filters.round_price(mid * (1 - self.half_spread), ROUND_FLOOR),
            "SELL": self.filters.round_price(mid * (1 + self.half_spread), ROUND_CEILING),
        }

    def requote(self) -> Optional[Dict[Side, str]]:
        """Place, move or pull each quote; returns the target prices."""
        prices = self.targets()
        if prices is None:
            return None
        with self.state_lock:
            position = self.position
        for side, price in prices.items():
            allowed = position < self.max_position if side == "BUY" else position > -self.max_position
            quote = self.quotes[side]
            try:
                if not allowed:
                    if quote:
                        self.rest.cancel_order(symbol=SYMBOL, orderId=quote["orderId"])
                        self.quotes[side] = None
                elif quote is None:
                    self.quotes[side] = self.rest.new_order(
                        symbol=SYMBOL, side=side, type="LIMIT", timeInForce="GTX", quantity=str(self.lot), price=price
                    )
                elif Decimal(quote["price"]) != Decimal(price):
                    self.quotes[side] = self.rest.modify_order(
                        symbol=SYMBOL, side=side, orderId=quote["orderId"], quantity=str(self.lot), price=price
                    )
            except ClientError as error:  # a post-only quote that would cross, or one that just filled
                log.info("%s quote not placed: %s", side, error)
                self.quotes[side] = None
        return prices

    def run(self, seconds: float) -> None:
        """Quote for ``seconds``, printing a status line every second."""
        end = time.monotonic() + seconds
        next_print = 0.0
        while time.monotonic() < end:
            prices = self.requote()
            now = time.monotonic()
            if prices and now >= next_print:
                next_print = now + 1.0
                with self.state_lock:
                    print(
                        f"  quote {Decimal(prices['BUY']):>10.1f} / {Decimal(prices['SELL']):<10.1f} "
                        f"position {self.position:+}   fills {self.fills:>3}   "
                        f"realized {self.realized:+.4f} USDT   book {self.depth.book(SYMBOL).state.value}"
                    )
            time.sleep(0.2)

    def stop(self) -> None:
        """Cancel the quotes, flatten the position, stop the streams."""
        try:
            self.rest.cancel_open_orders(symbol=SYMBOL)
            amount = next((Decimal(p["positionAmt"]) for p in self.rest.get_position_risk(symbol=SYMBOL)), Decimal(0))
            if amount:
                side: Side = "SELL" if amount > 0 else "BUY"
                quantity = str(abs(amount))
                self.rest.new_order(symbol=SYMBOL, side=side, type="MARKET", quantity=quantity, reduceOnly="true")
                print(f"  closed the position: {side} {abs(amount)} at market")
        except Error as error:
            print(f"  clean-up failed: {error}", file=sys.stderr)
        finally:
            self.depth.stop()
            if self.user is not None:
                self.user.stop()
            self.rest.close()


def main(target: Target, seconds: float = 20.0, spread_bps: float = 1.0, max_position: int = 5) -> bool:
    """Run the market maker for ``seconds``; True when it ran and cleaned up."""
    print(f"market maker on {SYMBOL}: spread {spread_bps} bps, max position {max_position} lots, {seconds:.0f}s")
    bot = MarketMaker(target, spread_bps, max_position)
    print(f"  lot {bot.lot} (smallest valid), market lot {market_quantity(bot.rest, SYMBOL)}")
    try:
        bot.start()
        bot.run(seconds)
    finally:
        started = time.monotonic()
        bot.stop()
        log.info("stopped in %.2fs", time.monotonic() - started)
    resyncs = bot.depth.resync_count(SYMBOL)
    print(f"done: {bot.fills} fills, realized {bot.realized:+.4f} USDT after fees, {resyncs} book resyncs")
    return True


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--spread-bps", type=float, default=1.0, help="distance between bid and ask, in bps")
    parser.add_argument("--max-position", type=int, default=5, help="in lots")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    with open_target("um") as target:
        ok = main(target, args.seconds, args.spread_bps, args.max_position)
    sys.exit(0 if ok else 1)
