"""Replaying Binance archive files (written here, in each documented layout): REST answers what the files say,
and user orders fill against the replayed market by the documented model, the same way on every run."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(120)

T0 = 1_793_491_200_000  # 2026-11-01T00:00:00Z
MIN = 60_000


def _zip(path: Path, text: str) -> str:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(path.name.replace(".zip", ".csv"), text)
    return str(path)


def write_files(tmp: Path) -> Dict[str, str]:
    """One file per layout: UM aggTrades (header), bookTicker (zip, no header), trades, klines, markPriceKlines,
    COIN-M trades (microseconds)."""
    files = {}
    p = tmp / "BTCUSDT-aggTrades-2026-11-01.csv"
    p.write_text("agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
                 f"100,65000.1,0.500,1000,1002,{T0 + 1000},false\n"
                 f"101,65000.0,0.200,1003,1003,{T0 + 2000},true\n"
                 f"102,64980.0,0.300,1004,1005,{T0 + 5000},true\n"     # trades through a buy at 64990
                 f"103,65000.2,0.400,1006,1006,{T0 + 6000},false\n"    # at the sell's price: uses up the queue
                 f"104,65000.2,0.500,1007,1008,{T0 + 7000},false\n")   # 0.9 > 0.59 ahead: the sell gets 0.31
    files["agg"] = str(p)
    files["book"] = _zip(tmp / "BTCUSDT-bookTicker-2026-11-01.zip",
                         f"5000,65000.0,1.200,65000.2,0.600,{T0 + 500},{T0 + 500}\n"
                         f"5001,65000.1,1.000,65000.2,0.600,{T0 + 3000},{T0 + 3000}\n")
    p = tmp / "ETHUSDT-trades-2026-11-01.csv"
    p.write_text("id,price,qty,quote_qty,time,is_buyer_maker\n"
                 f"7,3000.50,1.000,3000.50,{T0 + 1500},true\n8,3001.00,2.000,6002.00,{T0 + 2500},false\n")
    files["trades"] = str(p)
    d = tmp / "klines" / "SOLUSDT" / "1m"
    d.mkdir(parents=True)
    p = d / "SOLUSDT-1m-2026-11-01.csv"
    p.write_text(f"{T0 - 2 * MIN},150.1000,151.0000,149.5000,150.5000,1000,{T0 - MIN - 1},150500.0,42,600,90300.0,0\n"
                 f"{T0 - MIN},150.5000,152.0000,150.0000,151.9000,2000,{T0 - 1},303800.0,77,1100,167090.0,0\n")
    files["klines"] = str(p)
    d = tmp / "markPriceKlines" / "BNBUSDT" / "1m"
    d.mkdir(parents=True)
    files["mark"] = _zip(d / "BNBUSDT-1m-2026-11-01.zip",
                         f"{T0 - MIN},600.100,601.000,599.000,600.555,0,{T0 - 1},0,60,0,0,0\n")
    p = tmp / "BTCUSD_PERP-trades-2026-11-01.csv"
    p.write_text(f"55,65010.5,3,0.00004614,{(T0 + 4000) * 1000},false\n")
    files["cm_trades"] = str(p)
    return files


def _dec(x: Any) -> Decimal:
    return Decimal(str(x))


def test_rest_answers_what_the_files_say(tmp_path: Path) -> None:
    from binance.cm_futures import CMFutures
    from binance.sandbox import Sandbox
    from binance.um_futures import UMFutures

    files = write_files(tmp_path)
    with Sandbox(replay=list(files.values()), speed="manual", tick_interval=None) as sb:
        assert sb.replay.symbols == {"BTCUSDT": "um", "ETHUSDT": "um", "SOLUSDT": "um", "BNBUSDT": "um",
                                     "BTCUSD_PERP": "cm"}
        um = UMFutures(base_url=sb.um_rest_url)
        sb.replay.run_until(sb.replay.offset + T0 + 10_000)
        off = sb.replay.offset
        aggs = um.agg_trades("BTCUSDT")
        assert [(a["a"], _dec(a["p"]), _dec(a["q"]), a["f"], a["l"], a["T"] - off, a["m"]) for a in aggs] == [
            (100, _dec("65000.1"), _dec("0.5"), 1000, 1002, T0 + 1000, False),
            (101, _dec("65000.0"), _dec("0.2"), 1003, 1003, T0 + 2000, True),
            (102, _dec("64980.0"), _dec("0.3"), 1004, 1005, T0 + 5000, True),
            (103, _dec("65000.2"), _dec("0.4"), 1006, 1006, T0 + 6000, False),
            (104, _dec("65000.2"), _dec("0.5"), 1007, 1008, T0 + 7000, False)]
        trades = um.trades("ETHUSDT")
        assert [(t["id"], _dec(t["price"]), _dec(t["qty"]), t["time"] - off, t["isBuyerMaker"]) for t in trades] == [
            (7, _dec("3000.50"), _dec("1"), T0 + 1500, True), (8, _dec("3001.00"), _dec("2"), T0 + 2500, False)]
        bt = um.book_ticker("BTCUSDT")
        assert (_dec(bt["bidPrice"]), _dec(bt["bidQty"]), _dec(bt["askPrice"]), _dec(bt["askQty"])) == (
            _dec("65000.1"), _dec("1.0"), _dec("65000.2"), _dec("0.6"))
        klines = um.klines("SOLUSDT", "1m", limit=2)
        first = (T0 - 2 * MIN + off) - (T0 - 2 * MIN + off) % MIN
        assert [[k[0]] + [_dec(v) for v in k[1:6]] + [k[8]] for k in klines] == [
            [first, _dec("150.1"), _dec("151"), _dec("149.5"), _dec("150.5"), _dec("1000"), 42],
            [first + MIN, _dec("150.5"), _dec("152"), _dec("150"), _dec("151.9"), _dec("2000"), 77]]
        assert _dec(um.mark_price("BNBUSDT")["markPrice"]) == _dec("600.555")
        btc_klines = um.klines("BTCUSDT", "1m", limit=5)  # derived from the replayed trades (one or two minutes)
        assert sum(_dec(k[5]) for k in btc_klines) == _dec("1.9") and sum(k[8] for k in btc_klines) == 5
        assert _dec(btc_klines[-1][4]) == _dec("65000.2") and _dec(btc_klines[0][1]) == _dec("65000.1")
        cm_trades = CMFutures(base_url=sb.cm_rest_url).trades("BTCUSD_PERP")
        assert [(t["id"], _dec(t["price"]), _dec(t["qty"]), t["time"] - off) for t in cm_trades] == [
            (55, _dec("65010.5"), _dec("3"), T0 + 4000)]
        assert sb.replay.finished


def run_orders(files: Dict[str, str]) -> List[Tuple[Any, ...]]:
    """A market buy, a resting buy below the market, a resting sell at the ask; the fills, in order."""
    from binance.sandbox import Sandbox
    from binance.um_futures import UMFutures

    with Sandbox(replay=[files["agg"], files["book"]], speed="manual", tick_interval=None) as sb:
        um = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url)
        sb.replay.run_until(sb.replay.offset + T0 + 600)     # the first book ticker: ask 65000.2 x 0.6
        market = um.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.010", newOrderRespType="RESULT")
        assert market["status"] == "FILLED" and _dec(market["avgPrice"]) == _dec("65000.2")
        buy = um.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", price="64990.0", quantity="0.010",
                           timeInForce="GTC")
        sell = um.new_order(symbol="BTCUSDT", side="SELL", type="LIMIT", price="65000.2", quantity="0.500",
                            timeInForce="GTC")
        assert buy["status"] == sell["status"] == "NEW"
        sb.replay.advance(4_000)  # to T0 + 4600: trades at 65000.1 and 65000.0 reach neither order
        assert um.query_order(symbol="BTCUSDT", orderId=buy["orderId"])["status"] == "NEW"
        sb.replay.advance(1_000)  # 64980.0, buyer maker: trades through the buy at 64990.0
        assert um.query_order(symbol="BTCUSDT", orderId=buy["orderId"])["status"] == "FILLED"
        # the market buy took 0.010 of the 0.6 at 65000.2 (taken until the file changes the level): 0.59 is ahead
        sb.replay.advance(1_000)  # 0.4 at 65000.2: all of it was ahead of the sell
        assert _dec(um.query_order(symbol="BTCUSDT", orderId=sell["orderId"])["executedQty"]) == 0
        sb.replay.advance(1_000)  # 0.5 more: 0.19 still ahead, 0.31 for the sell
        s = um.query_order(symbol="BTCUSDT", orderId=sell["orderId"])
        assert (s["status"], _dec(s["executedQty"])) == ("PARTIALLY_FILLED", _dec("0.31"))
        fills = um.get_account_trades(symbol="BTCUSDT")
        position = um.get_position_risk(symbol="BTCUSDT")
    return [(f["side"], _dec(f["price"]), _dec(f["qty"]), f["maker"]) for f in fills] + [
        ("position", _dec(p["positionAmt"]), _dec(p["entryPrice"])) for p in position]


def test_orders_fill_by_the_model_and_the_same_way_twice(tmp_path: Path) -> None:
    files = write_files(tmp_path)
    first = run_orders(files)
    assert first[:3] == [("BUY", _dec("65000.2"), _dec("0.010"), False),
                         ("BUY", _dec("64990.0"), _dec("0.010"), True),
                         ("SELL", _dec("65000.2"), _dec("0.310"), True)]
    assert first[3][0] == "position" and first[3][1] == _dec("-0.290")
    assert run_orders(files) == first


def test_cli_replays_in_a_loop_with_increasing_ids(tmp_path: Path) -> None:
    import json
    import signal
    import subprocess
    import sys
    import time

    from binance.um_futures import UMFutures

    files = write_files(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "binance.sandbox", "--replay", files["agg"], "--speed", "max",
                             "--loop", "--tick-interval", "0.05"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        info = json.loads(proc.stdout.readline())
        um = UMFutures(base_url=info["um_rest_url"])
        deadline = time.monotonic() + 20
        ids: List[int] = []
        while time.monotonic() < deadline:
            ids = [a["a"] for a in um.agg_trades("BTCUSDT", limit=1000)]
            if ids and ids[-1] > 120:
                break
            time.sleep(0.1)
        assert ids[-1] > 120, ids[-10:]  # several passes over ids 100..104
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert ids[:5] == [100, 101, 102, 103, 104] or ids[0] > 104
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
