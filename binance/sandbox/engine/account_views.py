"""Accounts and margin: margin arithmetic of accounts and orders, and their REST/event renderings."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Tuple

from . import views
from .core import MarketCore
from .orders import Order
from .publisher import EventPublisher
from .util import ZERO, fmt, plain, q8

if TYPE_CHECKING:  # pragma: no cover
    from .accounts import Account, Position

# The position fields of each account answer (the official SDK's response models), by market and style.
ACCOUNT_POSITION_FIELDS: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("um", "v2"): tuple("""symbol initialMargin maintMargin unrealizedProfit positionInitialMargin
        openOrderInitialMargin leverage isolated entryPrice maxNotional bidNotional askNotional positionSide
        positionAmt updateTime""".split()),
    ("um", "v3"): tuple("""symbol positionSide positionAmt unrealizedProfit isolatedMargin notional isolatedWallet
        initialMargin maintMargin updateTime""".split()),
    ("cm", "cm"): tuple("""symbol positionAmt initialMargin maintMargin unrealizedProfit positionInitialMargin
        openOrderInitialMargin leverage isolated positionSide entryPrice breakEvenPrice maxQty updateTime
        notionalValue""".split()),
}
# The position fields the WebSocket API's `account.status` documents besides those of the REST answer it mirrors.
WS_API_POSITION_FIELDS: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("um", "v2"): ("breakEvenPrice",),
    ("cm", "cm"): ("isolatedWallet",),
}


class AccountViews:
    """Accounts and margin: margin arithmetic of accounts and orders, account events and REST renderings.

    Depends on the market core (states, accounts) and the event publisher (MARGIN_CALL)."""

    def __init__(self, core: MarketCore, events: EventPublisher) -> None:
        self.core = core
        self.events = events

    def position_metrics(self, acct: "Account", pos: "Position") -> Dict[str, Decimal]:
        """Mark, notional, unrealized PnL, initial and maintenance margin of a position."""
        st = self.core.states[pos.symbol]
        ins = st.ins
        mark = st.mark
        lev = acct.leverage[pos.symbol]
        if pos.amt == 0:
            return {"mark": mark, "notional": ZERO, "unrealized": ZERO, "im": ZERO, "mm": ZERO, "bep": ZERO}
        notional_abs = self.core.math.notional(abs(pos.amt), mark, ins)
        unrealized = q8(self.core.math.pnl(pos.amt, pos.entry, mark, ins))
        bracket = ins.bracket_for(notional_abs)
        mm = max(ZERO, notional_abs * bracket[4] - bracket[5])
        signed_notional = notional_abs if pos.amt > 0 else -notional_abs
        fee_per_unit = self.core.taker_rate * pos.entry
        bep = pos.entry + fee_per_unit if pos.amt > 0 else pos.entry - fee_per_unit
        return {"mark": mark, "notional": signed_notional, "unrealized": unrealized,
                "im": q8(notional_abs / lev), "mm": q8(mm), "bep": bep}

    def asset_totals(self, acct: "Account", asset: str) -> Dict[str, Decimal]:
        """Wallet, cross wallet, unrealized PnL, margins and available balance of one margin asset."""
        bal = acct.balance(asset)
        unrealized = cross_un = pos_im = maint = iso_wallet = ZERO
        for pos in acct.positions.values():
            ins = self.core.states[pos.symbol].ins
            if ins.margin_asset != asset or (pos.amt == 0 and pos.isolated_wallet == 0):
                continue
            m = self.position_metrics(acct, pos)
            unrealized += m["unrealized"]
            maint += m["mm"]
            if acct.margin_type[pos.symbol] == "ISOLATED":
                iso_wallet += pos.isolated_wallet
            else:
                cross_un += m["unrealized"]
                pos_im += m["im"]
        order_im = ZERO
        for o in acct.open_orders():
            if self.core.states[o.symbol].ins.margin_asset == asset and not o.is_conditional:
                order_im += self.order_margin(acct, o)
        order_im = q8(order_im)
        cross_wallet = bal.wallet - iso_wallet
        available = cross_wallet + cross_un - pos_im - order_im
        return {
            "wallet": bal.wallet, "unrealized": unrealized, "margin_balance": bal.wallet + unrealized,
            "cross_wallet": cross_wallet, "cross_un": cross_un, "pos_im": pos_im, "order_im": order_im,
            "im": pos_im + order_im + iso_wallet, "maint": maint, "available": available,
            "max_withdraw": max(ZERO, min(available, bal.wallet)), "update_time": Decimal(bal.update_time),
        }

    def available_balance(self, acct: "Account", asset: str) -> Decimal:
        """Balance free for new positions/orders in `asset`."""
        return self.asset_totals(acct, asset)["available"]

    def _assets(self, acct: "Account") -> List[str]:
        return list(acct.balances)

    def _positions(self, acct: "Account", symbol: Optional[str] = None,
                   include_flat: bool = True) -> List["Position"]:
        out = []
        for sym in self.core.instruments:
            if symbol is not None and sym != symbol:
                continue
            sides = ("LONG", "SHORT") if acct.dual_side else ("BOTH",)
            for side in sides:
                pos = acct.positions.get((sym, side))
                if pos is None:
                    if not include_flat:
                        continue
                    pos = acct.position(sym, side)
                if pos.amt == 0 and not include_flat:
                    continue
                out.append(pos)
        return out

    # ----------------------------------------------------------------- events
    def account_update_event(self, acct: "Account", reason: str,
                             keys: Iterable[Tuple[str, str]], now: int) -> dict:
        """ACCOUNT_UPDATE for `reason` with the margin asset balances and the given positions."""
        assets: List[str] = []
        positions = []
        for sym, side in keys:
            ins = self.core.states[sym].ins
            if ins.margin_asset not in assets:
                assets.append(ins.margin_asset)
            pos = acct.position(sym, side)
            m = self.position_metrics(acct, pos)
            positions.append(views.position_event_entry(pos, ins, m["unrealized"], acct.margin_type[sym], m["bep"]))
        if not assets:
            assets = [a for a, b in acct.balances.items() if b.wallet]
        balances = []
        for a in assets:
            t = self.asset_totals(acct, a)
            balances.append({"a": a, "wb": fmt(t["wallet"], 8), "cw": fmt(t["cross_wallet"], 8), "bc": "0"})
        event: dict = {"e": "ACCOUNT_UPDATE", "E": now, "T": now}
        if self.core.kind == "cm":
            event["i"] = acct.alias
        event["a"] = {"m": reason, "B": balances, "P": positions}
        return event

    def check_margin_calls(self, now: int) -> None:
        """Send MARGIN_CALL (at most once a minute per account) when maintenance margin nears the margin balance."""
        for acct in self.core.accounts.values():
            if now - acct.last_margin_call < 60_000:
                continue
            for asset in {self.core.states[p.symbol].ins.margin_asset for p in acct.positions.values() if p.amt}:
                t = self.asset_totals(acct, asset)
                if t["margin_balance"] <= 0 or t["maint"] / t["margin_balance"] < Decimal("0.8"):
                    continue
                entries = []
                for pos in acct.positions.values():
                    ins = self.core.states[pos.symbol].ins
                    if not pos.amt or ins.margin_asset != asset:
                        continue
                    m = self.position_metrics(acct, pos)
                    entries.append({"s": pos.symbol, "ps": pos.side, "pa": ins.fmt_qty(pos.amt),
                                    "mt": "ISOLATED" if acct.margin_type[pos.symbol] == "ISOLATED" else "CROSSED",
                                    "iw": fmt(pos.isolated_wallet, 8), "mp": fmt(m["mark"], 8),
                                    "up": fmt(m["unrealized"], 8), "mm": fmt(m["mm"], 8)})
                event: dict = {"e": "MARGIN_CALL", "E": now}
                if self.core.kind == "cm":
                    event["i"] = acct.alias
                event["cw"] = fmt(t["cross_wallet"], 8)
                event["p"] = entries
                acct.last_margin_call = now
                self.events.emit_user(acct.api_key, event)

    # ----------------------------------------------------------------- REST renderings
    def asset_json(self, acct: "Account", asset: str, style: str) -> dict:
        """One `assets[]` entry of the account endpoints (style "v2", "v3" or "cm")."""
        t = self.asset_totals(acct, asset)
        d = {
            "asset": asset, "walletBalance": fmt(t["wallet"], 8), "unrealizedProfit": fmt(t["unrealized"], 8),
            "marginBalance": fmt(t["margin_balance"], 8), "maintMargin": fmt(t["maint"], 8),
            "initialMargin": fmt(t["im"], 8), "positionInitialMargin": fmt(t["pos_im"], 8),
            "openOrderInitialMargin": fmt(t["order_im"], 8), "crossWalletBalance": fmt(t["cross_wallet"], 8),
            "crossUnPnl": fmt(t["cross_un"], 8), "availableBalance": fmt(t["available"], 8),
            "maxWithdrawAmount": fmt(t["max_withdraw"], 8),
        }
        if style == "v2":
            d["marginAvailable"] = True
        d["updateTime"] = int(t["update_time"])
        return d

    def account_json(self, acct: "Account", style: str, ws_api: bool = False) -> dict:
        """GET /fapi/v2/account, /fapi/v3/account or /dapi/v1/account.

        `ws_api`: the positions carry the fields the WebSocket API's `account.status` documents too."""
        fields = ACCOUNT_POSITION_FIELDS[(self.core.kind, style)]
        if ws_api:
            fields += WS_API_POSITION_FIELDS.get((self.core.kind, style), ())
        assets = [self.asset_json(acct, a, style) for a in self._assets(acct)]
        positions = []
        for pos in self._positions(acct, include_flat=style != "v3"):
            st = self.core.states[pos.symbol]
            ins = st.ins
            m = self.position_metrics(acct, pos)
            lev = acct.leverage[pos.symbol]
            iso = acct.margin_type[pos.symbol] == "ISOLATED"
            p = {"symbol": pos.symbol, "positionSide": pos.side, "positionAmt": ins.fmt_qty(pos.amt),
                 "unrealizedProfit": fmt(m["unrealized"], 8), "isolatedMargin": fmt(
                     pos.isolated_wallet + m["unrealized"] if iso and pos.amt else ZERO, 8),
                 "isolatedWallet": fmt(pos.isolated_wallet, 8), "initialMargin": fmt(m["im"], 8),
                 "maintMargin": fmt(m["mm"], 8), "updateTime": pos.update_time}
            if ins.kind == "um":
                p["notional"] = plain(m["notional"])
            if style != "v3":
                bids, asks = self.open_notional(acct, pos.symbol)
                p.update({"positionInitialMargin": fmt(m["im"], 8), "openOrderInitialMargin": "0",
                          "leverage": str(lev), "isolated": iso, "entryPrice": views.price_text(pos.entry)
                          if pos.entry else "0.0", "breakEvenPrice": views.price_text(m["bep"]) if pos.amt else "0.0"})
                if ins.kind == "um":
                    p.update({"maxNotional": plain(ins.max_notional_for(lev)), "bidNotional": plain(bids),
                              "askNotional": plain(asks)})
                else:
                    p["maxQty"] = str(int(ins.max_notional_for(lev) * st.mark / ins.contract_size))
                    p["notionalValue"] = fmt(m["notional"], 8)
            positions.append({k: p[k] for k in fields if k in p})
        if self.core.kind == "cm":
            return {"assets": assets, "positions": positions, "canDeposit": True, "canTrade": True,
                    "canWithdraw": True, "feeTier": 0, "updateTime": 0}
        totals = self._um_totals(acct)
        doc: dict = {}
        if style == "v2":
            doc.update({"feeTier": 0, "feeBurn": acct.fee_burn, "canTrade": True, "canDeposit": True,
                        "canWithdraw": True, "updateTime": 0, "multiAssetsMargin": acct.multi_assets,
                        "tradeGroupId": -1})
        doc.update(totals)
        doc["assets"] = assets
        doc["positions"] = positions
        return doc

    def _um_totals(self, acct: "Account") -> dict:
        t = self.asset_totals(acct, "USDT")
        return {
            "totalInitialMargin": fmt(t["im"], 8), "totalMaintMargin": fmt(t["maint"], 8),
            "totalWalletBalance": fmt(t["wallet"], 8), "totalUnrealizedProfit": fmt(t["unrealized"], 8),
            "totalMarginBalance": fmt(t["margin_balance"], 8), "totalPositionInitialMargin": fmt(t["pos_im"], 8),
            "totalOpenOrderInitialMargin": fmt(t["order_im"], 8), "totalCrossWalletBalance": fmt(t["cross_wallet"], 8),
            "totalCrossUnPnl": fmt(t["cross_un"], 8), "availableBalance": fmt(t["available"], 8),
            "maxWithdrawAmount": fmt(t["max_withdraw"], 8),
        }

    def balances_json(self, acct: "Account") -> List[dict]:
        """GET balance (UM v2/v3, CM v1)."""
        out = []
        for asset in self._assets(acct):
            t = self.asset_totals(acct, asset)
            d = {"accountAlias": acct.alias, "asset": asset, "balance": fmt(t["wallet"], 8)}
            if self.core.kind == "cm":
                d["withdrawAvailable"] = fmt(t["max_withdraw"], 8)
            d.update({"crossWalletBalance": fmt(t["cross_wallet"], 8), "crossUnPnl": fmt(t["cross_un"], 8),
                      "availableBalance": fmt(t["available"], 8)})
            if self.core.kind == "um":
                d["maxWithdrawAmount"] = fmt(t["max_withdraw"], 8)
                d["marginAvailable"] = True
            d["updateTime"] = int(t["update_time"])
            out.append(d)
        return out

    def position_risk_json(self, acct: "Account", symbol: Optional[str], style: str,
                           pair: Optional[str] = None, ws_api: bool = False) -> List[dict]:
        """GET positionRisk (style "v2", "v3" for UM; "cm").

        `ws_api`: COIN-M entries carry the `isolatedWallet` and `notionalValue` the WebSocket API's
        `account.position` documents."""
        if symbol is not None:
            self.core.state(symbol)
        out = []
        for pos in self._positions(acct, symbol, include_flat=style != "v3"):
            st = self.core.states[pos.symbol]
            ins = st.ins
            if pair is not None and ins.pair != pair:
                continue
            m = self.position_metrics(acct, pos)
            lev = acct.leverage[pos.symbol]
            iso = acct.margin_type[pos.symbol] == "ISOLATED"
            liq = self._liquidation_price(acct, pos, m)
            d = {"symbol": pos.symbol, "positionSide": pos.side, "positionAmt": ins.fmt_qty(pos.amt),
                 "entryPrice": views.price_text(pos.entry) if pos.entry else "0.0",
                 "breakEvenPrice": views.price_text(m["bep"]) if pos.amt else "0.0", "markPrice": fmt(m["mark"], 8),
                 "unRealizedProfit": fmt(m["unrealized"], 8), "liquidationPrice": liq,
                 "isolatedMargin": fmt(pos.isolated_wallet + m["unrealized"] if iso and pos.amt else ZERO, 8)}
            if style == "v3":
                bids, asks = self.open_notional(acct, pos.symbol)
                d.update({"notional": plain(m["notional"]), "marginAsset": ins.margin_asset,
                          "isolatedWallet": fmt(pos.isolated_wallet, 8), "initialMargin": fmt(m["im"], 8),
                          "maintMargin": fmt(m["mm"], 8), "positionInitialMargin": fmt(m["im"], 8),
                          "openOrderInitialMargin": "0", "adl": 0, "bidNotional": plain(bids),
                          "askNotional": plain(asks), "updateTime": pos.update_time})
            elif style == "v2":
                d.update({"leverage": str(lev), "maxNotionalValue": plain(ins.max_notional_for(lev)),
                          "marginType": "isolated" if iso else "cross", "isAutoAddMargin": "false",
                          "notional": plain(m["notional"]), "isolatedWallet": fmt(pos.isolated_wallet, 8),
                          "updateTime": pos.update_time})
            else:
                d.update({"leverage": str(lev),
                          "maxQty": str(int(ins.max_notional_for(lev) * st.mark / ins.contract_size)),
                          "marginType": "isolated" if iso else "cross", "isAutoAddMargin": "false",
                          "updateTime": pos.update_time})
                if ws_api:  # documented by `account.position`, not by the REST positionRisk
                    d.update({"notionalValue": fmt(m["notional"], 8), "isolatedWallet": fmt(pos.isolated_wallet, 8)})
            out.append(d)
        return out

    def _liquidation_price(self, acct: "Account", pos: "Position", m: dict) -> str:
        if pos.amt == 0:
            return "0"
        ins = self.core.states[pos.symbol].ins
        if acct.margin_type[pos.symbol] == "ISOLATED":
            margin = pos.isolated_wallet
        else:
            t = self.asset_totals(acct, ins.margin_asset)
            margin = t["wallet"] - t["maint"] + m["mm"] + (t["unrealized"] - m["unrealized"])
        mmr = ins.bracket_for(abs(m["notional"]))[4]
        amt = pos.amt
        if ins.kind == "um":
            denom = abs(amt) * mmr - amt
            price = (margin - amt * pos.entry) / denom if denom else ZERO
        else:
            cs = ins.contract_size
            denom = margin + amt * cs / pos.entry
            price = (amt * cs + abs(amt) * cs * mmr) / denom if denom else ZERO
        return ins.fmt_price(max(price, ZERO)) if price > 0 else "0"

    def trade_json(self, t: dict) -> dict:
        """One userTrades entry."""
        ins = self.core.states[t["symbol"]].ins
        d = {"symbol": t["symbol"], "id": t["id"], "orderId": t["orderId"], "side": t["side"],
             "price": plain(t["price"]), "qty": ins.fmt_qty(t["qty"]), "realizedPnl": fmt(t["realizedPnl"], 8),
             "marginAsset": t["marginAsset"]}
        # Both markets document both quantities: quoteQty is "0" on COIN-M, baseQty "0" on USDⓈ-M.
        d["pair"] = t["pair"]
        d["quoteQty"] = plain(t["quoteQty"]) if self.core.kind == "um" else "0"
        d["baseQty"] = fmt(t["baseQty"], 8) if self.core.kind == "cm" else "0"
        d.update({"commission": fmt(t["commission"], 8), "commissionAsset": t["commissionAsset"],
                  "time": t["time"], "positionSide": t["positionSide"], "buyer": t["buyer"], "maker": t["maker"]})
        return d

    def income_json(self, r: dict) -> dict:
        """One income history entry."""
        return {"symbol": r["symbol"], "incomeType": r["incomeType"], "income": fmt(r["income"], 8),
                "asset": r["asset"], "info": r["info"], "time": r["time"],
                "tranId": r["tranId"] if self.core.kind == "um" else str(r["tranId"]), "tradeId": r["tradeId"]}

    # ----------------------------------------------------------------- margin of orders
    def increasing_qty(self, acct: "Account", o: Order) -> Decimal:
        """Part of `o` that opens or increases a position (what needs initial margin)."""
        if o.reduce_only or o.close_position:
            return ZERO
        if o.position_side == "LONG":
            return o.remaining if o.is_buy else ZERO
        if o.position_side == "SHORT":
            return ZERO if o.is_buy else o.remaining
        amt = acct.position(o.symbol, "BOTH").amt
        if (amt > 0 and not o.is_buy) or (amt < 0 and o.is_buy):
            return max(ZERO, o.remaining - abs(amt))
        return o.remaining

    def order_margin(self, acct: "Account", o: Order, price: Optional[Decimal] = None) -> Decimal:
        """Initial margin `o` needs at `price` (its own price by default)."""
        st = self.core.states[o.symbol]
        qty = self.increasing_qty(acct, o)
        if qty <= 0:
            return ZERO
        px = price or o.price or st.mark
        return self.core.math.notional(qty, px, st.ins) / acct.leverage[o.symbol]

    def open_notional(self, acct: "Account", symbol: Optional[str]) -> tuple:
        """Notional of open bids and asks of `symbol` (the `b` and `a` fields of order events)."""
        bids = asks = ZERO
        for o in acct.open_orders(symbol):
            if o.price and not o.is_conditional:
                n = o.remaining * o.price if self.core.kind == "um" else o.remaining
                if o.is_buy:
                    bids += n
                else:
                    asks += n
        return bids, asks
