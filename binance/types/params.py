"""The fixed values of request parameters, as `Literal`s (a value outside them is a type error).

Used by the named parameters of the most used endpoints; the wire still gets the plain string.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Union

__all__ = [
    "Number",
    "Side",
    "OrderType",
    "AlgoOrderType",
    "TimeInForce",
    "PositionSide",
    "WorkingType",
    "NewOrderRespType",
    "SelfTradePreventionMode",
    "PriceMatch",
    "KlineInterval",
    "ContractType",
    "MarginType",
    "IncomeType",
    "PeriodInterval",
    "DepthLimit",
    "BoolText",
]

Number = Union[str, int, float, Decimal]
"""A price, quantity or amount: floats and Decimals are sent in plain notation (no exponent)."""

Side = Literal["BUY", "SELL"]
"""Order side."""

OrderType = Literal[
    "LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"
]
"""Order type of `new_order` (conditional types now go through the algo order endpoints on USDⓈ-M)."""

AlgoOrderType = Literal["STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"]
"""Order type of a conditional (algo) order."""

TimeInForce = Literal["GTC", "IOC", "FOK", "GTX", "GTD", "RPI"]
"""How long an order stays active."""

PositionSide = Literal["BOTH", "LONG", "SHORT"]
"""BOTH in One-way Mode; LONG or SHORT in Hedge Mode."""

WorkingType = Literal["MARK_PRICE", "CONTRACT_PRICE"]
"""The price a stop order triggers on."""

NewOrderRespType = Literal["ACK", "RESULT"]
"""How much of the order the answer carries."""

SelfTradePreventionMode = Literal["NONE", "EXPIRE_TAKER", "EXPIRE_BOTH", "EXPIRE_MAKER"]
"""What happens when an order would trade with the same account."""

PriceMatch = Literal[
    "NONE", "OPPONENT", "OPPONENT_5", "OPPONENT_10", "OPPONENT_20", "QUEUE", "QUEUE_5", "QUEUE_10", "QUEUE_20"
]
"""Price taken from the book instead of `price`."""

KlineInterval = Literal["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"]
"""Kline (candlestick) interval."""

ContractType = Literal["PERPETUAL", "CURRENT_MONTH", "NEXT_MONTH", "CURRENT_QUARTER", "NEXT_QUARTER", "ALL"]
"""Contract type of continuous klines and statistics."""

MarginType = Literal["ISOLATED", "CROSSED"]
"""Margin type of a symbol."""

IncomeType = Literal[
    "TRANSFER",
    "WELCOME_BONUS",
    "REALIZED_PNL",
    "FUNDING_FEE",
    "COMMISSION",
    "INSURANCE_CLEAR",
    "REFERRAL_KICKBACK",
    "COMMISSION_REBATE",
    "API_REBATE",
    "CONTEST_REWARD",
    "CROSS_COLLATERAL_TRANSFER",
    "OPTIONS_PREMIUM_FEE",
    "OPTIONS_SETTLE_PROFIT",
    "INTERNAL_TRANSFER",
    "AUTO_EXCHANGE",
    "DELIVERED_SETTELMENT",
    "COIN_SWAP_DEPOSIT",
    "COIN_SWAP_WITHDRAW",
    "POSITION_LIMIT_INCREASE_FEE",
    "STRATEGY_UMFUTURES_TRANSFER",
    "FEE_RETURN",
    "BFUSD_REWARD",
    "SPECIAL_FUNDING_FEE",
]
"""Income type of `get_income_history`."""

PeriodInterval = Literal["5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d"]
"""Period of the `/futures/data` statistics."""

DepthLimit = Literal[5, 10, 20, 50, 100, 500, 1000]
"""Number of levels `depth` returns."""

BoolText = Literal["true", "false"]
"""A boolean parameter sent as text (4.2.0 style); `True` / `False` are accepted too where noted."""
