"""REST handlers of the public market-data endpoints, answered from the engine state."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any, Callable, Dict, List, Tuple

from .errors import INVALID_SYMBOL, EngineError, invalid_value
from .market_views import check_interval
from .rest_common import Ctx, fill_example
from .util import fmt

PERIODS = {"5m": 300_000, "15m": 900_000, "30m": 1_800_000, "1h": 3_600_000, "2h": 7_200_000,
           "4h": 14_400_000, "6h": 21_600_000, "12h": 43_200_000, "1d": 86_400_000}
CONTRACT_TYPES = ("PERPETUAL", "CURRENT_QUARTER", "NEXT_QUARTER")


def ping(c: Ctx) -> dict:
    """GET ping."""
    return {}


def server_time(c: Ctx) -> dict:
    """GET time."""
    return {"serverTime": c.now()}


def exchange_info(c: Ctx) -> dict:
    """GET exchangeInfo."""
    return c.m.exchange_info()


def depth(c: Ctx) -> dict:
    """GET depth."""
    st = c.state()
    return c.m.depth_json(st.ins.symbol, c.int("limit", default=500) or 500)


def rpi_depth(c: Ctx) -> dict:
    """GET rpiDepth (no RPI orders in the sandbox: the plain book)."""
    st = c.state()
    return c.m.depth_json(st.ins.symbol, 1000)


def trades(c: Ctx) -> list:
    """GET trades."""
    st = c.state()
    return c.m.trades_json(st.ins.symbol, c.limit(500, 1000))


def historical_trades(c: Ctx) -> list:
    """GET historicalTrades."""
    st = c.state()
    return c.m.trades_json(st.ins.symbol, c.limit(100, 500), c.int("fromId"))


def agg_trades(c: Ctx) -> list:
    """GET aggTrades."""
    st = c.state()
    return c.m.agg_trades_json(st.ins.symbol, c.limit(500, 1000), c.int("fromId"), c.int("startTime"),
                               c.int("endTime"))


def _klines(c: Ctx, st, source: str, allow_1s: bool = False) -> list:
    interval = check_interval(c.str("interval", True), allow_1s)
    start, end = c.int("startTime"), c.int("endTime")
    if start is not None and end is not None and start > end:
        raise EngineError(-1023, "Start time is greater than end time.")
    return c.m.kline_rows(st, source, interval if interval != "1s" else "1m", start, end, c.limit(500, 1500))


def klines(c: Ctx) -> list:
    """GET klines."""
    return _klines(c, c.state(), "trade")


def _pair_state(c: Ctx, contract_type: str = "PERPETUAL"):
    pair = c.str("pair", True)
    states = c.m.pair_states(pair)
    for st in states:
        if st.ins.contract_type == contract_type:
            return st
    return states[0]


def continuous_klines(c: Ctx) -> list:
    """GET continuousKlines."""
    ctype = c.str("contractType", True)
    if ctype not in CONTRACT_TYPES + ("TRADIFI_PERPETUAL",):
        raise invalid_value("contractType")
    return _klines(c, _pair_state(c, "PERPETUAL" if ctype == "TRADIFI_PERPETUAL" else ctype), "trade")


def index_price_klines(c: Ctx) -> list:
    """GET indexPriceKlines."""
    return _klines(c, c.m.pair_states(c.str("pair", True))[0], "index")


def mark_price_klines(c: Ctx) -> list:
    """GET markPriceKlines."""
    return _klines(c, c.state(), "mark")


def premium_index_klines(c: Ctx) -> list:
    """GET premiumIndexKlines."""
    return _klines(c, c.state(), "premium")


def lvt_klines(c: Ctx) -> list:
    """GET lvtKlines (legacy): candles of the named symbol."""
    return _klines(c, c.state(), "trade")


def _one_or_all(c: Ctx, render: Callable) -> Any:
    """UM answers an object for one symbol and a list otherwise; CM always a list (symbol/pair filter)."""
    if c.kind == "um":
        st = c.state(required=False)
        if st is not None:
            return render(st)
        return [render(s) for s in c.m.states.values()]
    return [render(s) for s in c.states()]


def ticker_24hr(c: Ctx) -> Any:
    """GET ticker/24hr."""
    return _one_or_all(c, c.m.ticker_24h)


def ticker_price(c: Ctx) -> Any:
    """GET ticker/price (v1 and v2)."""
    return _one_or_all(c, c.m.price_ticker)


def book_ticker(c: Ctx) -> Any:
    """GET ticker/bookTicker (and the WebSocket API's `ticker.book`)."""
    return _one_or_all(c, lambda st: c.m.book_ticker(st, ws_api=c.ws_api))


def premium_index(c: Ctx) -> Any:
    """GET premiumIndex."""
    return _one_or_all(c, c.m.premium_index)


def funding_rate(c: Ctx) -> list:
    """GET fundingRate."""
    states = [c.state(required=c.kind == "cm")] if c.str("symbol") or c.kind == "cm" else \
        [s for s in c.m.states.values() if s.ins.contract_type == "PERPETUAL"]
    rows: List[dict] = []
    for st in states:
        rows.extend(c.m.funding_rates(st, None, None, 1000))
    rows.sort(key=lambda r: r["fundingTime"])
    return c.time_window(rows, "fundingTime", 100, 1000)


def funding_info(c: Ctx) -> list:
    """GET fundingInfo."""
    return [{"symbol": st.ins.symbol, "adjustedFundingRateCap": "0.03000000",
             "adjustedFundingRateFloor": "-0.03000000", "fundingIntervalHours": 8, "disclaimer": False}
            for st in c.m.states.values() if st.ins.contract_type == "PERPETUAL"]


def open_interest(c: Ctx) -> dict:
    """GET openInterest."""
    return c.m.open_interest_json(c.state())


def _period(c: Ctx) -> int:
    period = c.str("period", True)
    if period not in PERIODS:
        raise invalid_value("period")
    return PERIODS[period]


def _stat_rows(c: Ctx, name: str, st, contract_type: str = "") -> list:
    size = _period(c)
    now = c.now()
    limit = c.limit(30, 500)
    end = c.int("endTime") or now
    start = c.int("startTime")
    last = end - end % size
    stamps = [last - i * size for i in range(limit)]
    if start is not None:
        stamps = [t for t in stamps if t >= start]
    stamps.reverse()
    ins = st.ins
    rows = []
    for ts in stamps:
        rng = random.Random(f"{name}:{ins.symbol}:{ts}")
        r = rng.uniform(0.4, 0.7)
        price = st.last_price * Decimal(str(1 + rng.gauss(0, 0.003)))
        oi = st.open_interest * Decimal(str(1 + rng.gauss(0, 0.01)))
        buy = Decimal(str(round(rng.uniform(100, 500), 4)))
        sell = Decimal(str(round(rng.uniform(100, 500), 4)))
        values: Dict[str, Any] = {
            "symbol": ins.symbol, "pair": ins.pair, "contractType": contract_type or ins.contract_type,
            "timestamp": ts, "longAccount": f"{r:.4f}", "shortAccount": f"{1 - r:.4f}",
            "longPosition": f"{r:.4f}", "shortPosition": f"{1 - r:.4f}", "longShortRatio": f"{r / (1 - r):.4f}",
            "sumOpenInterest": ins.fmt_qty(oi) if ins.kind == "cm" else fmt(oi, 8),
            "sumOpenInterestValue": fmt(oi * (price if ins.kind == "um" else ins.contract_size), 8),
            "CMCCirculatingSupply": "19700000.000",
            "buySellRatio": fmt(buy / sell, 4), "buyVol": fmt(buy, 4), "sellVol": fmt(sell, 4),
            "takerBuyVol": fmt(buy, 0), "takerSellVol": fmt(sell, 0),
            "takerBuyVolValue": fmt(buy * ins.contract_size / price, 4),
            "takerSellVolValue": fmt(sell * ins.contract_size / price, 4),
            "futuresPrice": ins.fmt_price(price), "indexPrice": fmt(st.index, 8),
            "basis": fmt(price - st.index, 8), "basisRate": fmt((price - st.index) / st.index, 4),
            "annualizedBasisRate": "",
        }
        rows.append(fill_example(c.info.example[0], values))
    return rows


def stats_by_symbol(c: Ctx) -> list:
    """GET /futures/data/* statistics keyed by symbol (UM)."""
    return _stat_rows(c, c.info.path, c.state())


def stats_by_pair(c: Ctx) -> list:
    """GET /futures/data/* statistics keyed by pair (CM, and UM basis)."""
    ctype = c.str("contractType") or "PERPETUAL"
    if ctype not in CONTRACT_TYPES + ("ALL",):
        raise invalid_value("contractType")
    st = _pair_state(c, ctype if ctype != "ALL" else "PERPETUAL")
    return _stat_rows(c, c.info.path, st, ctype)


def delivery_price(c: Ctx) -> list:
    """GET /futures/data/delivery-price: past quarterly settlements of a pair (synthetic)."""
    st = _pair_state(c)
    rng = random.Random(f"delivery:{st.ins.pair}")
    quarter = 91 * 86_400_000
    now = c.now()
    return [{"deliveryPrice": float(round(st.ins.start_price * Decimal(str(rng.uniform(0.7, 1.1))), 1)),
             "deliveryTime": now - now % 86_400_000 - k * quarter} for k in range(1, 9)]


def index_info(c: Ctx) -> list:
    """GET indexInfo: composite indices (any other `...USDT` name is a composite of the sandbox's coins)."""
    symbol = c.str("symbol")
    names = [symbol] if symbol else ["DEFIUSDT"]
    out = []
    for name in names:
        _, parts = c.m.composite_index(name)
        out.append({"symbol": name, "time": c.now(), "component": "baseAsset", "baseAssetList": [
            {"baseAsset": base, "quoteAsset": "USDT", "weightInQuantity": fmt(qty, 8),
             "weightInPercentage": fmt(pct, 5)} for base, qty, pct, _ in parts]})
    return out


def constituents(c: Ctx) -> dict:
    """GET constituents: the index price sources of a symbol (CM: a pair or a contract symbol)."""
    name = c.str("symbol", True) or ""
    if c.kind == "um":
        st = c.m.state(name)
    else:
        found = [s for s in c.m.states.values() if name in (s.ins.pair, s.ins.symbol)]
        if not found:
            raise EngineError(*INVALID_SYMBOL)
        st = found[0]
    price = fmt(st.index, 8)
    source = f"{st.ins.base}{st.ins.quote}".lower() if c.kind == "um" else f"{st.ins.base}usd".lower()
    return {"symbol": name, "time": c.now(),
            "constituents": [{"exchange": ex, "symbol": source, "price": price, "weight": "0.25000000"}
                             for ex in ("binance", "okex", "bybit", "coinbase")]}


def asset_index(c: Ctx) -> Any:
    """GET assetIndex (multi-assets mode asset index)."""
    now = c.now()
    symbols = c.m.asset_symbols()
    wanted = c.str("symbol")
    if wanted is not None and not wanted.endswith("USD"):
        raise EngineError(*INVALID_SYMBOL)

    def render(sym: str) -> dict:
        """One asset index entry."""
        e = c.m.asset_index_event(sym, now)
        return {"symbol": sym, "time": now, "index": e["i"], "bidBuffer": e["b"], "askBuffer": e["a"],
                "bidRate": e["B"], "askRate": e["A"], "autoExchangeBidBuffer": e["q"],
                "autoExchangeAskBuffer": e["g"], "autoExchangeBidRate": e["Q"], "autoExchangeAskRate": e["G"]}

    return render(wanted) if wanted else [render(s) for s in symbols]


def insurance_balance(c: Ctx) -> Any:
    """GET insuranceBalance."""
    symbols = [st.ins.symbol for st in c.states(pair_param=None)]
    entry = {"symbols": symbols, "assets": [{"asset": "USDT", "marginBalance": "793930579.31500000",
                                             "updateTime": c.now()}]}
    return entry if c.str("symbol") else [entry]


def symbol_adl_risk(c: Ctx) -> Any:
    """GET symbolAdlRisk."""
    rows = [{"symbol": st.ins.symbol, "adlRisk": "low", "updateTime": c.now()} for st in c.states(pair_param=None)]
    return rows[0] if c.str("symbol") else rows


def trading_schedule(c: Ctx) -> dict:
    """GET tradingSchedule (TradFi sessions; crypto trades around the clock)."""
    now = c.now()
    day = now - now % 86_400_000
    return {"updateTime": now, "marketSchedules": {"EQUITY": {"sessions": [
        {"startTime": day, "endTime": day + 86_400_000, "type": "REGULAR"}]}}}


ROUTES: Dict[Tuple[str, str, str], Callable[[Ctx], Any]] = {
    ("*", "GET", "v1/ping"): ping,
    ("*", "GET", "v1/time"): server_time,
    ("*", "GET", "v1/exchangeInfo"): exchange_info,
    ("*", "GET", "v1/depth"): depth,
    ("um", "GET", "v1/rpiDepth"): rpi_depth,
    ("*", "GET", "v1/trades"): trades,
    ("*", "GET", "v1/historicalTrades"): historical_trades,
    ("*", "GET", "v1/aggTrades"): agg_trades,
    ("*", "GET", "v1/klines"): klines,
    ("*", "GET", "v1/continuousKlines"): continuous_klines,
    ("*", "GET", "v1/indexPriceKlines"): index_price_klines,
    ("*", "GET", "v1/markPriceKlines"): mark_price_klines,
    ("*", "GET", "v1/premiumIndexKlines"): premium_index_klines,
    ("um", "GET", "v1/lvtKlines"): lvt_klines,
    ("*", "GET", "v1/ticker/24hr"): ticker_24hr,
    ("*", "GET", "v1/ticker/price"): ticker_price,
    ("um", "GET", "v2/ticker/price"): ticker_price,
    ("*", "GET", "v1/ticker/bookTicker"): book_ticker,
    ("*", "GET", "v1/premiumIndex"): premium_index,
    ("*", "GET", "v1/fundingRate"): funding_rate,
    ("*", "GET", "v1/fundingInfo"): funding_info,
    ("*", "GET", "v1/openInterest"): open_interest,
    ("um", "GET", "/futures/data/openInterestHist"): stats_by_symbol,
    ("um", "GET", "/futures/data/topLongShortAccountRatio"): stats_by_symbol,
    ("um", "GET", "/futures/data/topLongShortPositionRatio"): stats_by_symbol,
    ("um", "GET", "/futures/data/globalLongShortAccountRatio"): stats_by_symbol,
    ("um", "GET", "/futures/data/takerlongshortRatio"): stats_by_symbol,
    ("*", "GET", "/futures/data/basis"): stats_by_pair,
    ("um", "GET", "/futures/data/delivery-price"): delivery_price,
    ("cm", "GET", "/futures/data/openInterestHist"): stats_by_pair,
    ("cm", "GET", "/futures/data/topLongShortAccountRatio"): stats_by_pair,
    ("cm", "GET", "/futures/data/topLongShortPositionRatio"): stats_by_pair,
    ("cm", "GET", "/futures/data/globalLongShortAccountRatio"): stats_by_pair,
    ("cm", "GET", "/futures/data/takerBuySellVol"): stats_by_pair,
    ("um", "GET", "v1/indexInfo"): index_info,
    ("*", "GET", "v1/constituents"): constituents,
    ("um", "GET", "v1/assetIndex"): asset_index,
    ("um", "GET", "v1/insuranceBalance"): insurance_balance,
    ("um", "GET", "v1/symbolAdlRisk"): symbol_adl_risk,
    ("um", "GET", "v1/tradingSchedule"): trading_schedule,
}
