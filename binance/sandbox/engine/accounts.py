"""Accounts: balances, positions, per-symbol settings, and the linear/inverse contract arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, List, Optional, Tuple

from .instruments import Instrument
from .orders import Order
from .util import ZERO

UM_FUNDING = {"USDT": Decimal("100000"), "USDC": Decimal("10000"), "BNB": Decimal("0"), "BTC": Decimal("0")}
CM_FUNDING = {"BTC": Decimal("10"), "ETH": Decimal("100"), "BNB": Decimal("500"), "SOL": Decimal("2000"),
              "XRP": Decimal("500000"), "ADA": Decimal("500000"), "DOGE": Decimal("2000000"),
              "LINK": Decimal("20000"), "DOT": Decimal("50000"), "LTC": Decimal("4000"), "AVAX": Decimal("10000")}


class Linear:
    """USDⓈ-M arithmetic: quantity in the base asset, notional and PnL in the quote asset."""

    @staticmethod
    def notional(qty: Decimal, price: Decimal, ins: Instrument) -> Decimal:
        """Notional value of `qty` at `price` in the margin asset."""
        return qty * price

    @staticmethod
    def pnl(amt: Decimal, entry: Decimal, price: Decimal, ins: Instrument) -> Decimal:
        """Profit of a signed position amount bought at `entry` and valued at `price`."""
        return amt * (price - entry)

    @staticmethod
    def add_entry(amt: Decimal, entry: Decimal, add: Decimal, price: Decimal, ins: Instrument) -> Decimal:
        """New entry price after adding `add` (absolute) to an absolute amount `amt` at `entry`."""
        return (amt * entry + add * price) / (amt + add)


class Inverse:
    """COIN-M arithmetic: quantity in contracts of `contract_size` USD, notional and PnL in the coin."""

    @staticmethod
    def notional(qty: Decimal, price: Decimal, ins: Instrument) -> Decimal:
        """Notional value of `qty` contracts at `price` in the coin."""
        return qty * ins.contract_size / price

    @staticmethod
    def pnl(amt: Decimal, entry: Decimal, price: Decimal, ins: Instrument) -> Decimal:
        """Coin profit of a signed number of contracts entered at `entry` and valued at `price`."""
        return amt * ins.contract_size * (Decimal(1) / entry - Decimal(1) / price)

    @staticmethod
    def add_entry(amt: Decimal, entry: Decimal, add: Decimal, price: Decimal, ins: Instrument) -> Decimal:
        """Harmonic average entry price after adding `add` contracts at `price`."""
        return (amt + add) / (amt / entry + add / price)


@dataclass
class Position:
    """A position of one symbol and side; `amt` is negative for shorts (also in hedge mode)."""

    symbol: str
    side: str
    amt: Decimal = ZERO
    entry: Decimal = ZERO
    realized: Decimal = ZERO
    fees: Decimal = ZERO
    isolated_wallet: Decimal = ZERO
    update_time: int = 0


@dataclass
class Balance:
    """Wallet balance of one asset."""

    wallet: Decimal = ZERO
    update_time: int = 0


@dataclass
class Account:
    """Everything the exchange keeps for one API key in one market."""

    api_key: str
    kind: str
    alias: str
    balances: Dict[str, Balance] = field(default_factory=dict)
    dual_side: bool = False
    multi_assets: bool = False
    fee_burn: bool = False
    leverage: Dict[str, int] = field(default_factory=dict)
    margin_type: Dict[str, str] = field(default_factory=dict)
    positions: Dict[Tuple[str, str], Position] = field(default_factory=dict)
    orders: Dict[int, Order] = field(default_factory=dict)
    trades: List[dict] = field(default_factory=list)
    income: List[dict] = field(default_factory=list)
    margin_history: List[dict] = field(default_factory=list)
    amendments: List[dict] = field(default_factory=list)
    countdowns: Dict[str, int] = field(default_factory=dict)
    algo_orders: Dict[int, Order] = field(default_factory=dict)
    downloads: Dict[str, int] = field(default_factory=dict)
    quotes: Dict[str, tuple] = field(default_factory=dict)
    converts: Dict[str, tuple] = field(default_factory=dict)
    last_margin_call: int = 0
    liquidations: List[Tuple[int, str]] = field(default_factory=list)  # (orderId, autoCloseType) for forceOrders
    _open: Dict[int, Order] = field(default_factory=dict, repr=False)
    _open_by_symbol: Dict[str, Dict[int, Order]] = field(default_factory=dict, repr=False)
    _by_client_id: Dict[Tuple[str, str], Order] = field(default_factory=dict, repr=False)
    _open_client_ids: Dict[str, Order] = field(default_factory=dict, repr=False)

    def balance(self, asset: str) -> Balance:
        """The balance record of `asset` (created empty when missing)."""
        return self.balances.setdefault(asset, Balance())

    def position(self, symbol: str, side: str) -> Position:
        """The position record of (symbol, side) (created flat when missing)."""
        key = (symbol, side)
        if key not in self.positions:
            self.positions[key] = Position(symbol, side)
        return self.positions[key]

    def add_order(self, o: Order) -> None:
        """Record a newly placed order (and index it while it is working)."""
        self.orders[o.order_id] = o
        self._by_client_id[(o.symbol, o.client_order_id)] = o
        self.order_changed(o)

    def order_changed(self, o: Order) -> None:
        """Keep the open-order indexes in step with `o.status`; call after every status change."""
        if o.is_open and self.orders.get(o.order_id) is o:
            self._open[o.order_id] = o
            self._open_by_symbol.setdefault(o.symbol, {})[o.order_id] = o
            self._open_client_ids[o.client_order_id] = o
            return
        if self._open.pop(o.order_id, None) is None:
            return
        by_symbol = self._open_by_symbol.get(o.symbol)
        if by_symbol is not None:
            by_symbol.pop(o.order_id, None)
        if self._open_client_ids.get(o.client_order_id) is o:
            del self._open_client_ids[o.client_order_id]

    def open_orders(self, symbol: Optional[str] = None) -> List[Order]:
        """Working orders, oldest first, optionally of one symbol (from the index: no history scan)."""
        if symbol is None:
            return list(self._open.values())
        return list(self._open_by_symbol.get(symbol, {}).values())

    def open_order_count(self, symbol: str) -> int:
        """How many orders of `symbol` are working."""
        return len(self._open_by_symbol.get(symbol, ()))

    def open_client_id(self, client_id: str) -> Optional[Order]:
        """The working order with `client_id`, or None."""
        return self._open_client_ids.get(client_id)

    def find_order(self, symbol: str, order_id: Optional[int], client_id: Optional[str]) -> Optional[Order]:
        """An order of `symbol` by id or client id (the newest one with that client id)."""
        if order_id is not None:
            o = self.orders.get(order_id)
            return o if o is not None and o.symbol == symbol else None
        if client_id is not None:
            return self._by_client_id.get((symbol, client_id))
        return None
