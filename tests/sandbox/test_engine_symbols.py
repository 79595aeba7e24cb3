"""The contracts users and the official 4.2.0 examples name are listed, with plausible filters, and tradable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from binance.sandbox.engine import EngineError, Exchange
from binance.sandbox.handlers import dispatch

CM_PERPS = ("BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "DOGE", "LINK", "DOT", "LTC", "AVAX")
UM_PERPS = ("BTC", "ETH", "BNB", "SOL", "XRP", "DOGE", "ADA", "LINK", "LTC", "AVAX", "DOT")


@pytest.fixture(scope="module")
def ex() -> Exchange:
    exchange = Exchange(seed=3)
    exchange.create_account("K")
    return exchange


def _filters(info: dict) -> dict:
    return {f["filterType"]: f for f in info["filters"]}


def test_the_usual_perpetuals_are_listed_on_both_markets(ex: Exchange) -> None:
    cm = {s["symbol"]: s for s in dispatch(ex, "cm", "GET", "/dapi/v1/exchangeInfo", None, {})["symbols"]}
    um = {s["symbol"]: s for s in dispatch(ex, "um", "GET", "/fapi/v1/exchangeInfo", None, {})["symbols"]}
    assert {f"{c}USD_PERP" for c in CM_PERPS} <= set(cm)
    assert {f"{c}USDT" for c in UM_PERPS} <= set(um)
    assert _filters(cm["DOGEUSD_PERP"])["PRICE_FILTER"]["tickSize"] == "0.000010"
    assert cm["DOGEUSD_PERP"]["contractSize"] == 10 and cm["BTCUSD_PERP"]["contractSize"] == 100
    for market, infos in (("cm", cm), ("um", um)):
        for symbol, info in infos.items():
            tick = Decimal(_filters(info)["PRICE_FILTER"]["tickSize"])
            assert tick.normalize().as_tuple().exponent >= -info["pricePrecision"], symbol
            price = ex.market(market).states[symbol].mark
            assert price / tick > 1000, symbol  # a tick is a small step of the price


def test_the_official_examples_symbols(ex: Exchange) -> None:
    assert ex.cm.is_valid_stream("bnbusd_perp@depth") and ex.cm.is_valid_stream("bnbusd_perp@depth5@100ms")
    assert ex.um.is_valid_stream("bnbusdt@aggTrade") and ex.um.is_valid_stream("defiusdt@compositeIndex")
    with pytest.raises(EngineError) as err:  # FTM was delisted: Binance answers -1121 as well
        dispatch(ex, "cm", "GET", "/dapi/v1/markPriceKlines", None, {"symbol": "FTMUSD_PERP", "interval": "1d"})
    assert err.value.code == -1121


@pytest.mark.parametrize("symbol", ["BNBUSD_PERP", "DOGEUSD_PERP", "XRPUSD_PERP"])
def test_coin_m_alt_perpetuals_trade_with_the_coin_as_margin(ex: Exchange, symbol: str) -> None:
    coin = symbol[: -len("USD_PERP")]
    before = next(b for b in dispatch(ex, "cm", "GET", "/dapi/v1/balance", "K", {}) if b["asset"] == coin)
    assert Decimal(before["balance"]) > 0
    got = dispatch(ex, "cm", "POST", "/dapi/v1/order", "K", {"symbol": symbol, "side": "BUY", "type": "MARKET",
                                                              "quantity": "5", "newOrderRespType": "RESULT"})
    assert got["status"] == "FILLED" and got["executedQty"] == "5"
    pos = [p for p in dispatch(ex, "cm", "GET", "/dapi/v1/positionRisk", "K", {"pair": f"{coin}USD"})
           if p["symbol"] == symbol]
    assert pos[0]["positionAmt"] == "5"
