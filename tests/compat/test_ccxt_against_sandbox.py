"""ccxt (with ccxt.pro), a client nobody here wrote, trades against the sandbox as it does against Binance:
markets, `watch_trades` on `/public/ws/<id>` with `<symbol>@trade`, a stop-market order (which ccxt sends to the
algo-order endpoint), and `watch_orders` on `/private/ws?listenKey=...` until the stop triggers and fills."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("aiohttp")
ccxtpro = pytest.importorskip("ccxt.pro")
pytestmark = pytest.mark.timeout(120)

from binance.sandbox import Sandbox  # noqa: E402


def _point_at(exchange, rest_url: str, rest_host: str, stream_url: str, kind: str) -> None:
    api = exchange.urls["api"]
    for name, url in list(api.items()):
        if isinstance(url, str) and url.startswith(rest_host):
            api[name] = rest_url + url[len(rest_host):]
    api["ws"][kind] = stream_url + "/ws"


async def _um_scenario(sb) -> dict:
    ex = ccxtpro.binanceusdm({"apiKey": sb.api_key, "secret": sb.api_secret,
                              "options": {"fetchMarkets": {"types": ["linear"]}, "fetchCurrencies": False}})
    _point_at(ex, sb.um_rest_url, "https://fapi.binance.com", sb.um_stream_url, "linear")
    out: dict = {}
    try:
        await ex.load_markets()
        out["symbols"] = set(ex.symbols)
        trades = await asyncio.wait_for(ex.watch_trades("BTC/USDT:USDT"), 10)
        out["trade"] = trades[-1]
        out["history"] = await ex.fetch_trades("ETH/USDT:USDT", limit=5)
        await ex.create_order("BTC/USDT:USDT", "market", "buy", 0.01)
        mark = float((await ex.fetch_mark_price("BTC/USDT:USDT"))["markPrice"]) \
            if ex.has.get("fetchMarkPrice") else float((await ex.fetch_ticker("BTC/USDT:USDT"))["last"])
        out["stop"] = await ex.create_order("BTC/USDT:USDT", "STOP_MARKET", "sell", 0.01, None, {
            "stopPrice": round(mark * 0.99, 1), "reduceOnly": True, "workingType": "MARK_PRICE"})
        seen = []
        watcher = asyncio.ensure_future(ex.watch_orders("BTC/USDT:USDT"))
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, sb.wait_for_connections, 2, 10.0, "stream")  # trades + private
        await asyncio.sleep(0.3)
        sb.exchange.um.set_mark_price("BTCUSDT", round(mark * 0.98, 1))
        seen.extend(await asyncio.wait_for(watcher, 10))
        while not any(o.get("status") == "closed" and o.get("filled") for o in seen):
            seen.extend(await asyncio.wait_for(ex.watch_orders("BTC/USDT:USDT"), 10))
        out["orders"] = seen
        out["position"] = await ex.fetch_positions(["BTC/USDT:USDT"])
    finally:
        await ex.close()
    return out


def test_ccxt_usdm_trades_streams_and_stop_orders():
    with Sandbox(tick_interval=0.05) as sb:
        out = asyncio.run(_um_scenario(sb))
    assert {"BTC/USDT:USDT", "DOGE/USDT:USDT", "LINK/USDT:USDT"} <= out["symbols"]
    assert out["trade"]["info"]["e"] == "trade" and out["trade"]["price"] > 0
    assert len(out["history"]) == 5
    assert out["stop"]["info"]["algoType"] == "CONDITIONAL" and out["stop"]["info"]["algoStatus"] == "NEW"
    algo_states = {o["info"]["X"] for o in out["orders"] if "aid" in o["info"]}
    assert algo_states & {"TRIGGERING", "TRIGGERED", "FINISHED"}, [o["info"] for o in out["orders"]]
    filled = [o for o in out["orders"] if o.get("status") == "closed" and o.get("filled")]
    assert filled and filled[-1]["side"] == "sell"
    assert not [p for p in out["position"] if p.get("contracts")]


async def _cm_trades(sb) -> list:
    ex = ccxtpro.binancecoinm({"options": {"fetchMarkets": {"types": ["inverse"]}, "fetchCurrencies": False}})
    _point_at(ex, sb.cm_rest_url, "https://dapi.binance.com", sb.cm_stream_url, "inverse")
    try:
        await ex.load_markets()
        return await asyncio.wait_for(ex.watch_trades("BNB/USD:BNB"), 15)
    finally:
        await ex.close()


def test_ccxt_coin_m_watches_bnbusd_perp_trades():
    with Sandbox(tick_interval=0.05) as sb:
        trades = asyncio.run(_cm_trades(sb))
    assert trades and trades[-1]["symbol"] == "BNB/USD:BNB" and trades[-1]["info"]["e"] == "trade"
