"""Liquidation of user positions whose margin no longer covers their maintenance margin.

A position is liquidated when its margin balance (isolated: its isolated wallet plus its unrealized PnL;
cross: the cross wallet plus the cross unrealized PnL of its margin asset) is at or below the maintenance
margin it needs (isolated: its own; cross: that of every cross position of the asset). The engine then
cancels the account's open orders of the symbol and closes the position with a reduce-only LIMIT IOC order
at the price band's bound (`clientOrderId` `autoclose-<time><n>`, as on Binance), which the `forceOrders`
endpoint lists and the `forceOrder` streams publish. Not modelled: the liquidation fee, the insurance fund
and auto-deleveraging (a loss beyond the margin is charged to the wallet).
"""

from __future__ import annotations

import logging
from decimal import ROUND_CEILING, ROUND_FLOOR
from typing import TYPE_CHECKING, Dict, List, Tuple

from . import views
from .account_views import AccountViews
from .core import MarketCore
from .errors import EngineError
from .util import ZERO

if TYPE_CHECKING:  # pragma: no cover
    from .accounts import Account, Position
    from .trading import Trading

logger = logging.getLogger(__name__)

SOURCE = "LIQUIDATION"
MAX_KEPT = 1000
"""Liquidation orders kept per account for `forceOrders` (the oldest go first)."""
RETRY_MS = 1000
"""A position whose liquidation order found nothing to fill against is tried again after this long."""


class Liquidator:
    """Finds the positions under their maintenance margin and closes them (see the module docstring)."""

    def __init__(self, core: MarketCore, margin: AccountViews, trading: "Trading") -> None:
        self.core = core
        self.margin = margin
        self.trading = trading
        self._count = 0
        self._tried: Dict[Tuple[str, str, str], int] = {}  # (api key, symbol, side) -> time of the last try

    def check(self, now: int) -> None:
        """Liquidate every position of every account that its margin no longer carries."""
        for acct in list(self.core.accounts.values()):
            for pos in self._underwater(acct):
                self._close(acct, pos, now)

    def _underwater(self, acct: "Account") -> List["Position"]:
        held = [p for p in acct.positions.values() if p.amt]
        out = [p for p in held if acct.margin_type[p.symbol] == "ISOLATED" and self._isolated_short(acct, p)]
        cross = [p for p in held if acct.margin_type[p.symbol] != "ISOLATED"]
        for asset in {self.core.states[p.symbol].ins.margin_asset for p in cross}:
            mine = [p for p in cross if self.core.states[p.symbol].ins.margin_asset == asset]
            metrics = [self.margin.position_metrics(acct, p) for p in mine]
            t = self.margin.asset_totals(acct, asset)
            if t["cross_wallet"] + t["cross_un"] <= sum((m["mm"] for m in metrics), ZERO):
                out += mine
        return out

    def _isolated_short(self, acct: "Account", pos: "Position") -> bool:
        m = self.margin.position_metrics(acct, pos)
        return pos.isolated_wallet + m["unrealized"] <= m["mm"]

    def _close(self, acct: "Account", pos: "Position", now: int) -> None:
        key = (acct.api_key, pos.symbol, pos.side)
        if now - self._tried.get(key, now - RETRY_MS) < RETRY_MS:
            return
        self._tried[key] = now
        st = self.core.states[pos.symbol]
        ins = st.ins
        for o in acct.open_orders(pos.symbol):
            self.trading.matcher.finish_order(st, o, "CANCELED", "CANCELED", on_book=True)
        is_buy = pos.amt < 0
        if is_buy:
            price = (st.mark * ins.multiplier_up / ins.tick).to_integral_value(ROUND_FLOOR) * ins.tick
        else:
            price = (st.mark * ins.multiplier_down / ins.tick).to_integral_value(ROUND_CEILING) * ins.tick
        self._count += 1
        params = {"symbol": pos.symbol, "side": "BUY" if is_buy else "SELL", "type": "LIMIT", "timeInForce": "IOC",
                  "quantity": ins.fmt_qty(min(abs(pos.amt), ins.max_qty)), "price": ins.fmt_price(price),
                  "newClientOrderId": "autoclose-%d%06d" % (now, self._count)}
        if acct.dual_side:
            params["positionSide"] = pos.side
        else:
            params["reduceOnly"] = "true"
        try:
            o = self.trading.place_order(acct.api_key, params, source=SOURCE)
        except EngineError as exc:  # tried again after RETRY_MS
            logger.warning("liquidation of %s %s not placed: %s", pos.symbol, pos.side, exc.msg)
            return
        if o.filled == 0:  # nothing to fill against within the price band: tried again after RETRY_MS
            return
        del self._tried[key]
        acct.liquidations.append((o.order_id, "LIQUIDATION"))
        if len(acct.liquidations) > MAX_KEPT:
            del acct.liquidations[0]
        self.trading.events.emit_force_order(st, views.force_order_event(o, ins, price, now))
