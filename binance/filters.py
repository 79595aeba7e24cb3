"""Order checks against a symbol's exchange filters, and tick/step rounding (pure, no I/O).

Build once from a cached `exchangeInfo` (UM `/fapi/v1/exchangeInfo` or CM
`/dapi/v1/exchangeInfo`):

    filters = ExchangeFilters.from_exchange_info(client.exchange_info())
    price = filters.round_price("BTCUSDT", "37123.456")              # "37123.4"
    qty = filters.round_quantity("BTCUSDT", 0.0123)                   # "0.012"
    filters.validate_order("BTCUSDT", "BUY", "LIMIT", quantity=qty, price=price,
                           mark_price="37100", open_orders=3)          # raises a FilterError

Each failed rule raises a subclass of [FilterError][binance.filters.FilterError] (itself a 4.2.0
`ParameterArgumentError`, so a `ValueError`) naming the filter, the parameter, the value and
the allowed values, with the code Binance answers for the same order in `binance_code`: -1111
(more decimals than the tick/step), -4014 / -4023 (off the tick / step grid), -1013 ("Filter
failure: ...": outside min/max), -4001 / -4003 (price / quantity not positive), -4016 / -4024
(PERCENT_PRICE), -4164 (MIN_NOTIONAL), -2025 (open-order limit). Nothing was sent, so fixing the
parameter and sending is safe.

Futures rules, as Binance documents them:

- PRICE_FILTER: `minPrice <= price <= maxPrice` and `(price - minPrice) % tickSize == 0`; a
  0 bound disables it. Applies to `price`, `stopPrice` and `activationPrice`.
- LOT_SIZE: the same for `quantity` with `minQty`, `maxQty`, `stepSize`; MARKET_LOT_SIZE
  replaces it for orders that execute at market (MARKET, STOP_MARKET, TAKE_PROFIT_MARKET,
  TRAILING_STOP_MARKET) when the symbol has it.
- MIN_NOTIONAL: `price * quantity >= notional` (a MARKET order uses the mark price, when
  given); reduce-only and close-position orders are exempt. On COIN-M the quantity is a number of
  contracts and the notional is `quantity * contractSize` (in the quote currency, USD).
- PERCENT_PRICE: a BUY needs `price <= markPrice * multiplierUp`, a SELL
  `price >= markPrice * multiplierDown`; checked when a mark price is given.
- MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS: one more open order must stay within `limit`; checked
  when the caller passes the current open-order counts.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, Optional

from binance.error import ParameterArgumentError
from binance.types.params import Number

__all__ = [
    "ExchangeFilters",
    "FilterError",
    "LotSizeError",
    "MarketLotSizeError",
    "MaxNumAlgoOrdersError",
    "MaxNumOrdersError",
    "MinNotionalError",
    "PercentPriceError",
    "PriceFilterError",
    "SymbolFilters",
    "UnknownSymbolError",
    "format_decimal",
]

MARKET_TYPES = frozenset({"MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
ALGO_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
_ROUNDING_MODES = frozenset(
    {
        decimal.ROUND_DOWN,
        decimal.ROUND_UP,
        decimal.ROUND_HALF_UP,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_FLOOR,
        decimal.ROUND_CEILING,
    }
)


class FilterError(ParameterArgumentError):
    """An order parameter breaks one of the symbol's exchange filters; nothing was sent.

    Attributes: `filter_type` (e.g. `"LOT_SIZE"`), `symbol`, `parameter` (e.g.
    `"quantity"`), `value`, `rule` (`"min"`, `"max"`, `"step"` ...), `allowed` (the
    filter's values) and `binance_code` (what Binance would answer, when known).
    """

    filter_type = ""

    def __init__(
        self,
        symbol: str,
        parameter: str,
        value: Any,
        rule: str,
        allowed: Mapping[str, Any],
        detail: str,
        binance_code: Optional[int] = None,
    ) -> None:
        allowed_text = ", ".join(f"{k}={v}" for k, v in allowed.items())
        super().__init__(f"{self.filter_type} failed for {symbol} {parameter}={value}: {detail} ({allowed_text})")
        self.symbol = symbol
        self.parameter = parameter
        self.value = value
        self.rule = rule
        self.allowed = dict(allowed)
        self.binance_code = binance_code


class PriceFilterError(FilterError):
    """`price`/`stopPrice`/`activationPrice` is outside `minPrice`..`maxPrice` or off the tick."""

    filter_type = "PRICE_FILTER"


class LotSizeError(FilterError):
    """`quantity` is outside `minQty`..`maxQty` or off the step (LOT_SIZE)."""

    filter_type = "LOT_SIZE"


class MarketLotSizeError(LotSizeError):
    """A market order's `quantity` is outside MARKET_LOT_SIZE's bounds or off its step."""

    filter_type = "MARKET_LOT_SIZE"


class MinNotionalError(FilterError):
    """The order's notional value is below the symbol's minimum."""

    filter_type = "MIN_NOTIONAL"


class PercentPriceError(FilterError):
    """The price is too far from the mark price (PERCENT_PRICE)."""

    filter_type = "PERCENT_PRICE"


class MaxNumOrdersError(FilterError):
    """One more open order would pass the symbol's MAX_NUM_ORDERS limit."""

    filter_type = "MAX_NUM_ORDERS"


class MaxNumAlgoOrdersError(FilterError):
    """One more open conditional order would pass the symbol's MAX_NUM_ALGO_ORDERS limit."""

    filter_type = "MAX_NUM_ALGO_ORDERS"


class UnknownSymbolError(ParameterArgumentError):
    """The symbol is not in the `exchangeInfo` the filters were built from (Binance: -1121)."""

    def __init__(self, symbol: str) -> None:
        super().__init__(f"unknown symbol {symbol!r}: not in exchangeInfo")
        self.symbol = symbol
        self.binance_code = -1121


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool):
        raise ParameterArgumentError(f"{name} must be a number, not {value!r}")
    if isinstance(value, Decimal):
        return value
    try:
        result = Decimal(str(value) if isinstance(value, float) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise ParameterArgumentError(f"{name} must be a number, not {value!r}")
    if not result.is_finite():
        raise ParameterArgumentError(f"{name} must be a finite number, not {value!r}")
    return result


def _number(value: Any) -> Decimal:
    """A filter value of an `exchangeInfo` answer as a finite Decimal; ValueError (or
    `decimal.InvalidOperation`) when the answer is malformed."""
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"exchangeInfo filter value is not a finite number: {str(value)[:40]!r}")
    return number


def format_decimal(value: Decimal) -> str:
    """`value` as a plain string, without exponent or trailing zeros (`"0.001"`, `"100"`)."""
    if not value:
        return "0"
    return format(value.normalize(), "f")


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


@dataclass(frozen=True)
class _Range:
    minimum: Decimal
    maximum: Decimal
    step: Decimal

    @property
    def places(self) -> int:
        """Decimal places of the step as Binance writes it (`"0.10"` has 2): finer is -1111."""
        exponent = self.step.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0

    def align(self, value: Decimal, mode: str) -> Decimal:
        if not self.step:
            return value
        anchor = self.minimum if value >= self.minimum else Decimal(0)
        steps = ((value - anchor) / self.step).quantize(Decimal(1), rounding=mode)
        return anchor + steps * self.step


@dataclass(frozen=True)
class SymbolFilters:
    """The filters of one symbol, parsed to `Decimal`. `contract_size` is set
    for COIN-M contracts (their quantity is a number of contracts)."""

    symbol: str
    price: Optional[_Range] = None
    lot_size: Optional[_Range] = None
    market_lot_size: Optional[_Range] = None
    min_notional: Optional[Decimal] = None
    multiplier_up: Optional[Decimal] = None
    multiplier_down: Optional[Decimal] = None
    max_num_orders: Optional[int] = None
    max_num_algo_orders: Optional[int] = None
    contract_size: Optional[Decimal] = None
    raw: Dict[str, Mapping[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_symbol_info(cls, info: Mapping[str, Any]) -> "SymbolFilters":
        """Parse one entry of `exchangeInfo["symbols"]`."""
        by_type = {f.get("filterType"): f for f in info.get("filters", ())}
        kwargs: Dict[str, Any] = {"symbol": info["symbol"], "raw": by_type}
        if "PRICE_FILTER" in by_type:
            f = by_type["PRICE_FILTER"]
            kwargs["price"] = _Range(_number(f["minPrice"]), _number(f["maxPrice"]), _number(f["tickSize"]))
        for name, key in (("LOT_SIZE", "lot_size"), ("MARKET_LOT_SIZE", "market_lot_size")):
            if name in by_type:
                f = by_type[name]
                kwargs[key] = _Range(_number(f["minQty"]), _number(f["maxQty"]), _number(f["stepSize"]))
        if "MIN_NOTIONAL" in by_type:
            f = by_type["MIN_NOTIONAL"]
            kwargs["min_notional"] = _number(f.get("notional", f.get("minNotional", "0")))
        if "PERCENT_PRICE" in by_type:
            f = by_type["PERCENT_PRICE"]
            kwargs["multiplier_up"] = _number(f["multiplierUp"])
            kwargs["multiplier_down"] = _number(f["multiplierDown"])
        if "MAX_NUM_ORDERS" in by_type:
            kwargs["max_num_orders"] = int(by_type["MAX_NUM_ORDERS"]["limit"])
        if "MAX_NUM_ALGO_ORDERS" in by_type:
            kwargs["max_num_algo_orders"] = int(by_type["MAX_NUM_ALGO_ORDERS"]["limit"])
        if info.get("contractSize") is not None:
            kwargs["contract_size"] = _number(info["contractSize"])
        return cls(**kwargs)

    # -- rounding ----------------------------------------------------------------------------

    def round_price(self, price: Number, mode: str = decimal.ROUND_DOWN) -> str:
        """`price` moved onto the tick grid with `mode` (a `decimal` rounding constant),
        as a string without exponent. Bounds are not enforced:
        [validate_order][binance.filters.SymbolFilters.validate_order] does that."""
        value = _decimal(price, "price")
        _check_mode(mode)
        return format_decimal(self.price.align(value, mode) if self.price else value)

    def round_quantity(self, quantity: Number, mode: str = decimal.ROUND_DOWN, order_type: Optional[str] = None) -> str:
        """`quantity` moved onto the step grid (MARKET_LOT_SIZE's for a market `order_type`,
        else LOT_SIZE's) with `mode`, as a string without exponent."""
        value = _decimal(quantity, "quantity")
        _check_mode(mode)
        lot = self._lot_for(order_type)[0]
        return format_decimal(lot.align(value, mode) if lot else value)

    def _lot_for(self, order_type: Optional[str]):
        if order_type and order_type.upper() in MARKET_TYPES and self.market_lot_size is not None:
            return self.market_lot_size, MarketLotSizeError
        return self.lot_size, LotSizeError

    # -- validation --------------------------------------------------------------------------

    def notional(self, quantity: Number, price: Optional[Number] = None) -> Decimal:
        """The order's notional: `price * quantity` (UM), `quantity * contractSize` (CM)."""
        qty = _decimal(quantity, "quantity")
        if self.contract_size is not None:
            return qty * self.contract_size
        return qty * _decimal(price, "price")

    def validate_order(
        self,
        side: str,
        type: str,
        *,
        mark_price: Optional[Number] = None,
        open_orders: Optional[int] = None,
        open_algo_orders: Optional[int] = None,
        **params: Any,
    ) -> None:
        """Check an order's wire parameters (`quantity`, `price`, `stopPrice`,
        `activationPrice`, `reduceOnly`, `closePosition` ...) against every filter that
        applies to its `type`. Raises the first [FilterError][binance.filters.FilterError] found."""
        side = str(side).upper()
        order_type = str(type).upper()
        for name in ("price", "stopPrice", "activationPrice"):
            if params.get(name) is not None:
                self._check_price(name, _decimal(params[name], name))
        quantity = params.get("quantity")
        qty = _decimal(quantity, "quantity") if quantity is not None else None
        if qty is not None:
            self._check_lot(order_type, qty)
        price = _decimal(params["price"], "price") if params.get("price") is not None else None
        mark = _decimal(mark_price, "mark_price") if mark_price is not None else None
        if price is not None and mark is not None and order_type not in MARKET_TYPES:
            self._check_percent_price(side, price, mark)
        exempt = _is_true(params.get("reduceOnly")) or _is_true(params.get("closePosition"))
        if qty is not None and not exempt:
            reference = price if order_type not in MARKET_TYPES else (mark if order_type == "MARKET" else None)
            if reference is not None or self.contract_size is not None:
                self._check_notional(qty, reference)
        if open_orders is not None and self.max_num_orders is not None and open_orders + 1 > self.max_num_orders:
            raise MaxNumOrdersError(
                self.symbol, "open_orders", open_orders, "max", {"limit": self.max_num_orders},
                f"{open_orders} open orders: one more passes the limit", -2025,
            )
        if (
            order_type in ALGO_TYPES
            and open_algo_orders is not None
            and self.max_num_algo_orders is not None
            and open_algo_orders + 1 > self.max_num_algo_orders
        ):
            raise MaxNumAlgoOrdersError(
                self.symbol, "open_algo_orders", open_algo_orders, "max", {"limit": self.max_num_algo_orders},
                f"{open_algo_orders} open conditional orders: one more passes the limit", -2025,
            )

    def _check_price(self, name: str, value: Decimal) -> None:
        f = self.price
        if f is None:
            return
        allowed = {"minPrice": format_decimal(f.minimum), "maxPrice": format_decimal(f.maximum),
                   "tickSize": format_decimal(f.step)}
        stop = name != "price"
        if value <= 0:
            code = -4006 if stop else -4001
            raise PriceFilterError(self.symbol, name, value, "min", allowed, "must be positive", code)
        if f.minimum and value < f.minimum:
            raise PriceFilterError(self.symbol, name, value, "min", allowed, "below minPrice", -1013)
        if f.maximum and value > f.maximum:
            raise PriceFilterError(self.symbol, name, value, "max", allowed, "above maxPrice", -1013)
        if f.step and _places(value) > f.places:
            raise PriceFilterError(self.symbol, name, value, "precision", allowed,
                                   f"more than {f.places} decimal places", -1111)
        if f.step and (value - f.minimum) % f.step:
            raise PriceFilterError(self.symbol, name, value, "tick", allowed, "not a multiple of tickSize", -4014)

    def _check_lot(self, order_type: str, qty: Decimal) -> None:
        lot, error = self._lot_for(order_type)
        if lot is None:
            return
        allowed = {"minQty": format_decimal(lot.minimum), "maxQty": format_decimal(lot.maximum),
                   "stepSize": format_decimal(lot.step)}
        if qty <= 0:
            raise error(self.symbol, "quantity", qty, "min", allowed, "must be positive", -4003)
        if lot.step and _places(qty) > lot.places:
            raise error(self.symbol, "quantity", qty, "precision", allowed, f"more than {lot.places} decimal places",
                        -1111)
        if lot.minimum and qty < lot.minimum:
            raise error(self.symbol, "quantity", qty, "min", allowed, "below minQty", -1013)
        if lot.maximum and qty > lot.maximum:
            raise error(self.symbol, "quantity", qty, "max", allowed, "above maxQty", -1013)
        if lot.step and (qty - lot.minimum) % lot.step:
            raise error(self.symbol, "quantity", qty, "step", allowed, "not a multiple of stepSize", -4023)

    def _check_percent_price(self, side: str, price: Decimal, mark: Decimal) -> None:
        if self.multiplier_up is None or self.multiplier_down is None:
            return
        allowed = {"multiplierUp": format_decimal(self.multiplier_up),
                   "multiplierDown": format_decimal(self.multiplier_down), "markPrice": format_decimal(mark)}
        if side == "BUY" and price > mark * self.multiplier_up:
            cap = format_decimal(mark * self.multiplier_up)
            raise PercentPriceError(self.symbol, "price", price, "up", allowed, f"a BUY may not pay above {cap}", -4016)
        if side == "SELL" and price < mark * self.multiplier_down:
            floor = format_decimal(mark * self.multiplier_down)
            raise PercentPriceError(self.symbol, "price", price, "down", allowed, f"a SELL may not ask below {floor}",
                                    -4024)

    def _check_notional(self, qty: Decimal, price: Optional[Decimal]) -> None:
        if self.min_notional is None or not self.min_notional:
            return
        value = self.notional(qty, price)
        if value < self.min_notional:
            allowed = {"notional": format_decimal(self.min_notional)}
            if self.contract_size is not None:
                allowed["contractSize"] = format_decimal(self.contract_size)
            raise MinNotionalError(self.symbol, "quantity", qty, "min", allowed,
                                   f"notional {format_decimal(value)} is below the minimum", -4164)


def _check_mode(mode: str) -> None:
    if mode not in _ROUNDING_MODES:
        raise ParameterArgumentError(f"rounding mode must be a decimal.ROUND_* constant, not {mode!r}")


class ExchangeFilters:
    """Every symbol's filters from one `exchangeInfo` answer, by symbol name."""

    def __init__(self, symbols: Iterable[SymbolFilters]) -> None:
        """Usually built with [from_exchange_info][binance.filters.ExchangeFilters.from_exchange_info]."""
        self._symbols: Dict[str, SymbolFilters] = {s.symbol.upper(): s for s in symbols}

    @classmethod
    def from_exchange_info(cls, info: Mapping[str, Any]) -> "ExchangeFilters":
        """Parse an `exchangeInfo` dict (UM or CM)."""
        return cls(SymbolFilters.from_symbol_info(s) for s in info.get("symbols", ()))

    @property
    def symbols(self) -> List[str]:
        """The symbol names known."""
        return list(self._symbols)

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and symbol.upper() in self._symbols

    def symbol(self, symbol: str) -> SymbolFilters:
        """One symbol's filters; raises [UnknownSymbolError][binance.filters.UnknownSymbolError] if it is not listed."""
        try:
            return self._symbols[str(symbol).upper()]
        except KeyError:
            raise UnknownSymbolError(symbol)

    def round_price(self, symbol: str, price: Number, mode: str = decimal.ROUND_DOWN) -> str:
        """`price` rounded to the symbol's tick (ROUND_DOWN by default), as a plain string."""
        return self.symbol(symbol).round_price(price, mode)

    def round_quantity(
        self, symbol: str, quantity: Number, mode: str = decimal.ROUND_DOWN, order_type: Optional[str] = None
    ) -> str:
        """`quantity` rounded to the symbol's step (ROUND_DOWN by default), as a plain string."""
        return self.symbol(symbol).round_quantity(quantity, mode, order_type)

    def validate_order(
        self,
        symbol: str,
        side: str,
        type: str,
        *,
        mark_price: Optional[Number] = None,
        open_orders: Optional[int] = None,
        open_algo_orders: Optional[int] = None,
        **params: Any,
    ) -> None:
        """Check an order (the same arguments as `new_order`) against the symbol's filters;
        `mark_price` enables PERCENT_PRICE (and MIN_NOTIONAL for MARKET), the open-order counts
        enable MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS. Raises a [FilterError][binance.filters.FilterError] subclass."""
        self.symbol(symbol).validate_order(
            side, type, mark_price=mark_price, open_orders=open_orders, open_algo_orders=open_algo_orders, **params
        )
