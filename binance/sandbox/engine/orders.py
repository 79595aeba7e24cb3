"""The order record shared by user orders and the simulated participants' quotes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from .util import ZERO

CONDITIONAL_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET")
FINAL_STATUSES = ("FILLED", "CANCELED", "EXPIRED", "REJECTED", "EXPIRED_IN_MATCH")


@dataclass
class Order:
    """An order; `owner` is the account's API key, `None` for simulated participants."""

    order_id: int
    symbol: str
    side: str
    type: str
    qty: Decimal
    price: Decimal
    owner: Optional[str] = None
    client_order_id: str = ""
    orig_type: str = ""
    tif: str = "GTC"
    stop_price: Decimal = ZERO
    activation_price: Optional[Decimal] = None
    callback_rate: Optional[Decimal] = None
    working_type: str = "CONTRACT_PRICE"
    price_protect: bool = False
    reduce_only: bool = False
    close_position: bool = False
    position_side: str = "BOTH"
    status: str = "NEW"
    filled: Decimal = ZERO
    cum_quote: Decimal = ZERO
    cum_base: Decimal = ZERO
    time: int = 0
    update_time: int = 0
    good_till: int = 0
    stp_mode: str = "EXPIRE_MAKER"
    price_match: str = "NONE"
    triggered: bool = False
    trail_extreme: Optional[Decimal] = None
    activated: bool = False
    modify_count: int = 0
    seq: int = 0
    algo_id: Optional[int] = None
    stp_expired: bool = False
    ack: Optional[dict] = None

    @property
    def remaining(self) -> Decimal:
        """Quantity still to fill."""
        return self.qty - self.filled

    @property
    def is_open(self) -> bool:
        """Whether the order is still working (resting or waiting for its trigger)."""
        return self.status in ("NEW", "PARTIALLY_FILLED")

    @property
    def is_buy(self) -> bool:
        """Whether this is a BUY order."""
        return self.side == "BUY"

    @property
    def is_conditional(self) -> bool:
        """Whether the order waits for a trigger price."""
        return self.orig_type in CONDITIONAL_TYPES

    def avg_price(self) -> Decimal:
        """Average fill price (quote-weighted for UM, harmonic via cum_base for CM), zero before any fill."""
        if self.filled == 0:
            return ZERO
        if self.cum_base:
            return self.cum_quote / self.cum_base
        return self.cum_quote / self.filled
