"""Contract specifications of the simulated symbols and the exchangeInfo document built from them."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import List, Optional, Tuple

from .util import fmt, plain

PERPETUAL_DELIVERY = 4133404800000
QUIET_SIM_EVERY = 4
ONBOARD_DATE = 1569398400000

# (bracket, initialLeverage, floor, cap, maintMarginRatio, cum): UM floor/cap are notional in the quote asset,
# CM floor/cap are notional in the coin.
Bracket = Tuple[int, int, Decimal, Decimal, Decimal, Decimal]


def _brackets(rows: list) -> List[Bracket]:
    return [(r[0], r[1], Decimal(r[2]), Decimal(r[3]), Decimal(r[4]), Decimal(r[5])) for r in rows]


UM_BRACKETS_MAJOR = _brackets([
    (1, 125, "0", "50000", "0.004", "0"),
    (2, 100, "50000", "600000", "0.005", "50"),
    (3, 75, "600000", "3000000", "0.0065", "950"),
    (4, 50, "3000000", "12000000", "0.01", "11450"),
    (5, 25, "12000000", "70000000", "0.02", "131450"),
    (6, 20, "70000000", "100000000", "0.025", "481450"),
    (7, 10, "100000000", "230000000", "0.05", "2981450"),
    (8, 5, "230000000", "480000000", "0.1", "14481450"),
])
UM_BRACKETS_ALT = _brackets([
    (1, 75, "0", "5000", "0.005", "0"),
    (2, 50, "5000", "50000", "0.01", "25"),
    (3, 25, "50000", "600000", "0.02", "525"),
    (4, 20, "600000", "1600000", "0.025", "3525"),
    (5, 10, "1600000", "4000000", "0.05", "43525"),
    (6, 5, "4000000", "10000000", "0.1", "243525"),
])
CM_BRACKETS = _brackets([
    (1, 125, "0", "5", "0.004", "0"),
    (2, 100, "5", "10", "0.005", "0.005"),
    (3, 50, "10", "20", "0.01", "0.055"),
    (4, 20, "20", "50", "0.025", "0.355"),
    (5, 10, "50", "100", "0.05", "1.605"),
    (6, 5, "100", "200", "0.1", "6.605"),
])


@dataclass(frozen=True)
class Instrument:
    """One tradable contract and its trading rules."""

    symbol: str
    pair: str
    kind: str
    base: str
    quote: str
    margin_asset: str
    contract_type: str
    delivery_date: int
    tick: Decimal
    step: Decimal
    price_precision: int
    qty_precision: int
    min_price: Decimal
    max_price: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    start_price: Decimal
    contract_size: Decimal = Decimal(1)
    multiplier_up: Decimal = Decimal("1.0500")
    multiplier_down: Decimal = Decimal("0.9500")
    default_leverage: int = 20
    brackets: List[Bracket] = field(default_factory=list)
    underlying_sub_type: str = "Layer-1"
    sim_every: int = 1  # the simulated participants act every `sim_every` ticks (quieter markets cost less)

    @property
    def max_leverage(self) -> int:
        """The first bracket's initial leverage."""
        return self.brackets[0][1]

    def bracket_for(self, notional: Decimal) -> Bracket:
        """The leverage bracket a position notional falls into."""
        for b in self.brackets:
            if notional < b[3]:
                return b
        return self.brackets[-1]

    def max_notional_for(self, leverage: int) -> Decimal:
        """The largest notional allowed at `leverage` (cap of the last bracket allowing it)."""
        cap = self.brackets[0][3]
        for b in self.brackets:
            if b[1] >= leverage:
                cap = b[3]
        return cap

    def fmt_price(self, value: Decimal) -> str:
        """Price text with the symbol's price precision."""
        return fmt(value, self.price_precision)

    def fmt_qty(self, value: Decimal) -> str:
        """Quantity text with the symbol's quantity precision."""
        return fmt(value, self.qty_precision)


def _um(symbol: str, base: str, tick: str, step: str, pp: int, qp: int, min_price: str, max_price: str,
        max_qty: str, mkt_qty: str, notional: str, price: str, major: bool) -> Instrument:
    return Instrument(
        symbol=symbol, pair=symbol, kind="um", base=base, quote="USDT", margin_asset="USDT",
        contract_type="PERPETUAL", delivery_date=PERPETUAL_DELIVERY, tick=Decimal(tick), step=Decimal(step),
        price_precision=pp, qty_precision=qp, min_price=Decimal(min_price), max_price=Decimal(max_price),
        min_qty=Decimal(step), max_qty=Decimal(max_qty), market_max_qty=Decimal(mkt_qty),
        min_notional=Decimal(notional), start_price=Decimal(price),
        brackets=UM_BRACKETS_MAJOR if major else UM_BRACKETS_ALT,
    )


def um_instruments() -> List[Instrument]:
    """The USDⓈ-M perpetuals of the sandbox (the first four busy, the others quieter)."""
    busy = [
        _um("BTCUSDT", "BTC", "0.10", "0.001", 2, 3, "261.10", "809484", "1000", "120", "100", "65000", True),
        _um("ETHUSDT", "ETH", "0.01", "0.001", 2, 3, "39.86", "306177", "10000", "2000", "20", "3400", True),
        _um("BNBUSDT", "BNB", "0.010", "0.01", 3, 2, "6.600", "100000", "10000", "2000", "5", "600", False),
        _um("SOLUSDT", "SOL", "0.0100", "1", 4, 0, "0.4200", "6857", "1000000", "5000", "5", "150", False),
    ]
    quiet = [
        _um("XRPUSDT", "XRP", "0.0001", "0.1", 4, 1, "0.0143", "100000", "10000000", "2000000", "5", "0.6000",
            False),
        _um("DOGEUSDT", "DOGE", "0.000010", "1", 6, 0, "0.002440", "30", "50000000", "30000000", "5", "0.150000",
            False),
        _um("ADAUSDT", "ADA", "0.00010", "1", 5, 0, "0.01740", "2000", "10000000", "5000000", "5", "0.45000",
            False),
        _um("LINKUSDT", "LINK", "0.001", "0.01", 3, 2, "0.460", "100000", "200000", "20000", "5", "15.000", False),
        _um("LTCUSDT", "LTC", "0.01", "0.001", 2, 3, "3.61", "100000", "100000", "5000", "20", "80.00", False),
        _um("AVAXUSDT", "AVAX", "0.0010", "1", 4, 0, "0.3500", "100000", "1000000", "50000", "5", "30.0000",
            False),
        _um("DOTUSDT", "DOT", "0.001", "0.1", 3, 1, "0.357", "100000", "1000000", "80000", "5", "6.000", False),
    ]
    return busy + [dataclasses.replace(ins, sim_every=QUIET_SIM_EVERY) for ins in quiet]


def next_quarter_delivery(now_ms: int) -> int:
    """Delivery time (08:00 UTC, last Friday of Mar/Jun/Sep/Dec) of the first quarter more than 7 days away."""
    now = _dt.datetime.fromtimestamp(now_ms / 1000, tz=_dt.timezone.utc)
    year, month = now.year, now.month
    while True:
        qmonth = ((month - 1) // 3 + 1) * 3
        last_day = calendar.monthrange(year, qmonth)[1]
        day = _dt.datetime(year, qmonth, last_day, 8, tzinfo=_dt.timezone.utc)
        while day.weekday() != 4:
            day -= _dt.timedelta(days=1)
        if day - now > _dt.timedelta(days=7):
            return int(day.timestamp() * 1000)
        month = qmonth + 1
        if month > 12:
            month, year = 1, year + 1


def cm_instruments(now_ms: int) -> List[Instrument]:
    """The COIN-M contracts of the sandbox: the usual perpetuals and one BTC quarterly."""
    delivery = next_quarter_delivery(now_ms)
    suffix = _dt.datetime.fromtimestamp(delivery / 1000, tz=_dt.timezone.utc).strftime("%y%m%d")

    def cm(symbol: str, base: str, ctype: str, ddate: int, tick: str, pp: int, csize: str, price: str,
           max_price: str) -> Instrument:
        """One COIN-M contract (leverage brackets in the coin, scaled to BTC's in USD terms)."""
        scale = Decimal(65000) / Decimal(price)
        brackets = CM_BRACKETS if base == "BTC" else [
            (b[0], min(b[1], 75), b[2] * scale, b[3] * scale, b[4], b[5] * scale) for b in CM_BRACKETS]
        return Instrument(
            symbol=symbol, pair=f"{base}USD", kind="cm", base=base, quote="USD", margin_asset=base,
            contract_type=ctype, delivery_date=ddate, tick=Decimal(tick), step=Decimal(1), price_precision=pp,
            qty_precision=0, min_price=Decimal(tick) * 10, max_price=Decimal(max_price), min_qty=Decimal(1),
            max_qty=Decimal(1000000), market_max_qty=Decimal(60000), min_notional=Decimal(0),
            start_price=Decimal(price), contract_size=Decimal(csize), brackets=brackets,
        )

    busy = [
        cm("BTCUSD_PERP", "BTC", "PERPETUAL", PERPETUAL_DELIVERY, "0.1", 1, "100", "65000", "4520958"),
        cm("ETHUSD_PERP", "ETH", "PERPETUAL", PERPETUAL_DELIVERY, "0.01", 2, "10", "3400", "306177"),
        cm(f"BTCUSD_{suffix}", "BTC", "CURRENT_QUARTER", delivery, "0.1", 1, "100", "65400", "4520958"),
    ]
    quiet = [
        # the perpetuals users and the official examples name (bnbusd_perp ...), with Binance's tick and size
        cm("BNBUSD_PERP", "BNB", "PERPETUAL", PERPETUAL_DELIVERY, "0.010", 3, "10", "600", "100000"),
        cm("SOLUSD_PERP", "SOL", "PERPETUAL", PERPETUAL_DELIVERY, "0.010", 3, "10", "150", "100000"),
        cm("XRPUSD_PERP", "XRP", "PERPETUAL", PERPETUAL_DELIVERY, "0.0001", 4, "10", "0.6000", "100000"),
        cm("ADAUSD_PERP", "ADA", "PERPETUAL", PERPETUAL_DELIVERY, "0.00010", 5, "10", "0.45000", "100000"),
        cm("DOGEUSD_PERP", "DOGE", "PERPETUAL", PERPETUAL_DELIVERY, "0.000010", 6, "10", "0.150000", "100000"),
        cm("LINKUSD_PERP", "LINK", "PERPETUAL", PERPETUAL_DELIVERY, "0.001", 3, "10", "15.000", "100000"),
        cm("DOTUSD_PERP", "DOT", "PERPETUAL", PERPETUAL_DELIVERY, "0.001", 3, "10", "6.000", "100000"),
        cm("LTCUSD_PERP", "LTC", "PERPETUAL", PERPETUAL_DELIVERY, "0.01", 2, "10", "80.00", "100000"),
        cm("AVAXUSD_PERP", "AVAX", "PERPETUAL", PERPETUAL_DELIVERY, "0.0010", 4, "10", "30.0000", "100000"),
    ]
    return busy + [dataclasses.replace(ins, sim_every=QUIET_SIM_EVERY) for ins in quiet]


ORDER_TYPES = ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"]
TIME_IN_FORCE = {"um": ["GTC", "IOC", "FOK", "GTX", "GTD"], "cm": ["GTC", "IOC", "FOK", "GTX"]}


def _filters(ins: Instrument) -> list:
    filters: list = [
        {"filterType": "PRICE_FILTER", "minPrice": plain(ins.min_price), "maxPrice": plain(ins.max_price),
         "tickSize": format(ins.tick, "f")},
        {"filterType": "LOT_SIZE", "minQty": format(ins.min_qty, "f"), "maxQty": plain(ins.max_qty),
         "stepSize": format(ins.step, "f")},
        {"filterType": "MARKET_LOT_SIZE", "minQty": format(ins.min_qty, "f"), "maxQty": plain(ins.market_max_qty),
         "stepSize": format(ins.step, "f")},
        {"filterType": "MAX_NUM_ORDERS", "limit": 200},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
    ]
    if ins.kind == "um":
        filters.append({"filterType": "MIN_NOTIONAL", "notional": plain(ins.min_notional)})
    filters.append({"filterType": "PERCENT_PRICE", "multiplierUp": format(ins.multiplier_up, "f"),
                    "multiplierDown": format(ins.multiplier_down, "f"), "multiplierDecimal": "4"})
    return filters


def symbol_info(ins: Instrument) -> dict:
    """One entry of exchangeInfo `symbols`."""
    common = {
        "symbol": ins.symbol,
        "pair": ins.pair,
        "contractType": ins.contract_type,
        "deliveryDate": ins.delivery_date,
        "onboardDate": ONBOARD_DATE,
    }
    if ins.kind == "um":
        info = dict(common)
        info.update({
            "status": "TRADING", "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000",
            "baseAsset": ins.base, "quoteAsset": ins.quote, "marginAsset": ins.margin_asset,
            "pricePrecision": ins.price_precision, "quantityPrecision": ins.qty_precision,
            "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN",
            "underlyingSubType": [ins.underlying_sub_type], "settlePlan": 0, "triggerProtect": "0.0500",
            "liquidationFee": "0.012500", "marketTakeBound": "0.05",
        })
    else:
        info = dict(common)
        info.update({
            "contractStatus": "TRADING", "contractSize": int(ins.contract_size), "marginAsset": ins.margin_asset,
            "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000", "baseAsset": ins.base,
            "quoteAsset": ins.quote, "pricePrecision": ins.price_precision,
            "quantityPrecision": ins.qty_precision, "baseAssetPrecision": 8, "quotePrecision": 8,
            "equalQtyPrecision": 4, "triggerProtect": "0.0500",
            "underlyingType": "COIN", "underlyingSubType": [], "liquidationFee": "0.010000",
            "marketTakeBound": "0.05",
        })
    info["filters"] = _filters(ins)
    info["orderTypes"] = list(ORDER_TYPES)
    info["timeInForce"] = list(TIME_IN_FORCE[ins.kind])
    return info


def rate_limits(kind: str, weight_per_minute: int = 2400, orders_per_minute: int = 1200,
                orders_per_10s: int = 300) -> list:
    """The rateLimits section of exchangeInfo (Binance's defaults unless the sandbox was given others)."""
    limits = [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": weight_per_minute},
        {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": orders_per_minute},
    ]
    if kind == "um":
        limits.append({"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": orders_per_10s})
    return limits


def exchange_info(kind: str, instruments: List[Instrument], now_ms: int, limits: Optional[list] = None) -> dict:
    """The full exchangeInfo document of a market."""
    doc: dict = {"timezone": "UTC", "serverTime": now_ms,
                 "rateLimits": limits if limits is not None else rate_limits(kind), "exchangeFilters": []}
    if kind == "um":
        doc["assets"] = [
            {"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"},
            {"asset": "USDC", "marginAvailable": True, "autoAssetExchange": "-10000"},
            {"asset": "BTC", "marginAvailable": True, "autoAssetExchange": "-0.10"},
            {"asset": "BNB", "marginAvailable": True, "autoAssetExchange": "-10"},
        ]
    doc["symbols"] = [symbol_info(i) for i in instruments]
    return doc
