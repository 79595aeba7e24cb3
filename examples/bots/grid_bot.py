"""A grid bot: a ladder of limit orders around the price; each fill is answered one step away.

Run: python examples/bots/grid_bot.py [--seconds 20] [--levels 4] [--step-bps 1]

It places ``--levels`` buy orders below the mark price and as many sell orders above it, spaced
``--step-bps`` apart, with ``new_batch_order`` (5 per request, as Binance allows). When the
user-data stream reports a grid order FILLED, the opposite order goes one step away (a buy filled
at P becomes a sell at P + step), so each completed buy-then-sell pair earns one step. At the end
the grid is cancelled and any position closed. Runs against a local sandbox unless BINANCE_*
variables point at Binance (see examples/README.md): it really trades there, so use a testnet.
"""

from __future__ import annotations

import argparse
import logging
import queue
import sys
import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import Target, mark_price, open_target, resting, user_event  # noqa: E402

from binance.error import ClientError, Error  # noqa: E402
from binance.filters import ExchangeFilters, SymbolFilters  # noqa: E402
from binance.types.params import Side  # noqa: E402
from binance.websocket.user_data import UserDataStream  # noqa: E402

SYMBOL = "BTCUSDT"
BATCH = 5
log = logging.getLogger("grid_bot")


class GridBot:
    """A symmetric grid whose fills are re-placed on the other side."""

    def __init__(self, target: Target, levels: int, step_bps: float) -> None:
        self.rest = target.um_rest()
        self.stream_url = target.stream_url
        self.levels = levels
        self.filters: SymbolFilters = ExchangeFilters.from_exchange_info(self.rest.exchange_info()).symbol(SYMBOL)
        self.center = mark_price(self.rest, SYMBOL)
        self.step = Decimal(self.filters.round_price(self.center * Decimal(str(step_bps)) / 10000, ROUND_CEILING))
        self.step = max(self.step, self.filters.price.step if self.filters.price else Decimal("0.1"))
        self.quantity = resting(self.rest, SYMBOL, distance=levels * step_bps / 10000)["quantity"]
        self.fills: "queue.Queue[Tuple[Side, Decimal]]" = queue.Queue()
        self.mine: Dict[int, str] = {}
        self.buys = 0
        self.sells = 0
        self.user: UserDataStream = UserDataStream(self.rest, on_message=self.on_user, stream_url=self.stream_url)

    def on_user(self, _client: Any, message: Union[str, bytes]) -> None:
        """Queue the fills of grid orders; the main loop answers them (no REST from a stream thread)."""
        event = user_event(message)
        if event is None:  # the server's answer to the stream's SUBSCRIBE
            return
        if event["e"] != "ORDER_TRADE_UPDATE":
            return
        o = event["o"]
        if o["X"] == "FILLED" and o["i"] in self.mine:
            side: Side = "BUY" if o["S"] == "BUY" else "SELL"
            self.fills.put((side, Decimal(o["p"])))

    def order(self, side: Side, price: Decimal) -> Dict[str, Any]:
        """One grid order as a batchOrders entry."""
        mode = ROUND_FLOOR if side == "BUY" else ROUND_CEILING
        return {
            "symbol": SYMBOL,
            "side": side,
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": self.quantity,
            "price": self.filters.round_price(price, mode),
        }

    def place(self, orders: List[Dict[str, Any]]) -> None:
        """Send orders in batches of 5; print what each became."""
        for start in range(0, len(orders), BATCH):
            for answer in self.rest.new_batch_order(batchOrders=orders[start : start + BATCH]):
                if "orderId" in answer:
                    self.mine[answer["orderId"]] = answer["side"]
                    print(f"  placed {answer['side']:<4} {answer['origQty']} @ {answer['price']}")
                else:  # an entry of a batch can fail alone: Binance answers its error in its place
                    print(f"  rejected: {answer}")

    def build(self) -> None:
        """The initial ladder around the mark price, once fills can be seen."""
        if not self.user.wait_ready(10):
            raise RuntimeError("the user-data stream was not subscribed within 10s")
        print(f"grid on {SYMBOL}: {self.levels} levels a side, step {self.step}, center {self.center:.1f}")
        orders = [self.order("BUY", self.center - self.step * i) for i in range(1, self.levels + 1)]
        orders += [self.order("SELL", self.center + self.step * i) for i in range(1, self.levels + 1)]
        self.place(orders)

    def run(self, seconds: float) -> None:
        """Answer fills until ``seconds`` passed."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                side, price = self.fills.get(timeout=min(0.5, max(0.01, end - time.monotonic())))
            except queue.Empty:
                continue
            if side == "BUY":
                self.buys += 1
                answer = self.order("SELL", price + self.step)
            else:
                self.sells += 1
                answer = self.order("BUY", price - self.step)
            print(f"  filled {side:<4} @ {price} -> {answer['side']} @ {answer['price']}")
            try:
                self.place([answer])
            except ClientError as error:
                print(f"  could not re-place: {error}")

    def stop(self) -> None:
        """Cancel the grid, close any position, stop the stream."""
        try:
            self.rest.cancel_open_orders(symbol=SYMBOL)
            amount = next((Decimal(p["positionAmt"]) for p in self.rest.get_position_risk(symbol=SYMBOL)), Decimal(0))
            if amount:
                side: Side = "SELL" if amount > 0 else "BUY"
                self.rest.new_order(
                    symbol=SYMBOL, side=side, type="MARKET", quantity=str(abs(amount)), reduceOnly="true"
                )
                print(f"  closed the position: {side} {abs(amount)} at market")
        except Error as error:
            print(f"  clean-up failed: {error}", file=sys.stderr)
        finally:
            self.user.stop()
            self.rest.close()


def main(target: Target, seconds: float = 20.0, levels: int = 4, step_bps: float = 1.0) -> bool:
    """Run the grid for ``seconds``; True when it ran and cleaned up."""
    bot = GridBot(target, levels, step_bps)
    try:
        bot.build()
        bot.run(seconds)
    finally:
        bot.stop()
    pairs = min(bot.buys, bot.sells)
    print(
        f"done: {bot.buys} buys and {bot.sells} sells filled, "
        f"{pairs} round trips worth {pairs * bot.step * Decimal(bot.quantity):.4f} USDT before fees"
    )
    return True


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--levels", type=int, default=4, help="orders on each side")
    parser.add_argument("--step-bps", type=float, default=1.0, help="distance between levels, in bps")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    with open_target("um") as target:
        ok = main(target, args.seconds, args.levels, args.step_bps)
    sys.exit(0 if ok else 1)
