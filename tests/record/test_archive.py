"""Binance archive CSV files: names, layouts (UM and COIN-M, header row or not, zipped or plain)."""

from __future__ import annotations

import zipfile

import pytest

from binance.record import ArchiveFormatError, archive_file, read_archive

AGG_HEADER = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
AGG_ROWS = (
    "26129,0.01633102,4.70443515,27781,27781,1498793709153,true\n"
    "26130,0.0164,1,27782,27783,1498793709999,false\n"
)


def _write(path, text, zipped):
    if zipped:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(path.name.replace(".zip", ".csv"), text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("zipped", [False, True])
@pytest.mark.parametrize("header", [False, True])
def test_agg_trades(tmp_path, zipped, header):
    name = "BTCUSDT-aggTrades-2026-11-01" + (".zip" if zipped else ".csv")
    path = _write(tmp_path / name, (AGG_HEADER if header else "") + AGG_ROWS, zipped)
    src = archive_file(str(path))
    assert (src.symbol, src.kind, src.market, src.interval) == ("BTCUSDT", "aggTrades", "um", None)
    events = list(read_archive(src))
    assert [e.kind for e in events] == ["aggTrade", "aggTrade"]
    first = events[0]
    assert first.time == 1498793709153 and first.stream == "btcusdt@aggTrade"
    assert first.data == {"e": "aggTrade", "E": 1498793709153, "a": 26129, "s": "BTCUSDT", "p": "0.01633102",
                          "q": "4.70443515", "f": 27781, "l": 27781, "T": 1498793709153, "m": True}
    assert events[1].data["m"] is False and events[1].data["l"] == 27783


def test_trades_um_and_cm(tmp_path):
    um = tmp_path / "ETHUSDT-trades-2026-11.csv"
    um.write_text("id,price,qty,quote_qty,time,is_buyer_maker\n5,3000.5,0.1,300.05,1700000000000,True\n")
    (ev,) = read_archive(archive_file(str(um)))
    assert ev.kind == "trade" and ev.data["t"] == 5 and ev.data["p"] == "3000.5" and ev.data["m"] is True
    cm = tmp_path / "BTCUSD_PERP-trades-2026-11-01.csv"
    cm.write_text("9,60000.1,3,0.00005,1700000000001000,false\n")  # microseconds, no header
    src = archive_file(str(cm))
    assert src.market == "cm" and src.symbol == "BTCUSD_PERP"
    (ev,) = read_archive(src)
    assert ev.time == 1700000000001 and ev.data["q"] == "3" and ev.data["v"] == "0.00005"


def test_book_ticker(tmp_path):
    path = tmp_path / "BTCUSDT-bookTicker-2026-11-01.csv"
    path.write_text("update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time\n"
                    "100,60000.0,1.5,60000.1,2.0,1700000000000,1700000000002\n")
    (ev,) = read_archive(archive_file(str(path)))
    assert ev.kind == "bookTicker" and ev.time == 1700000000002
    assert ev.data == {"e": "bookTicker", "u": 100, "s": "BTCUSDT", "b": "60000.0", "B": "1.5", "a": "60000.1",
                       "A": "2.0", "T": 1700000000000, "E": 1700000000002}


@pytest.mark.parametrize("folder,kind", [("klines", "kline"), ("markPriceKlines", "markPriceKline")])
def test_klines(tmp_path, folder, kind):
    d = tmp_path / folder / "BTCUSD_PERP" / "1m"
    d.mkdir(parents=True)
    path = _write(d / "BTCUSD_PERP-1m-2026-11-01.zip",
                  "1591258320000,9640.7,9642.4,9640.6,9642.0,206,1591258379999,2.13660389,48,119,1.23424865,0\n", True)
    src = archive_file(str(path))
    assert src.interval == "1m" and src.market == "cm" and src.kind == folder
    (ev,) = read_archive(src)
    assert ev.kind == kind and ev.time == 1591258379999
    k = ev.data["k"]
    assert (k["t"], k["o"], k["h"], k["l"], k["c"], k["v"], k["n"], k["x"]) == (
        1591258320000, "9640.7", "9642.4", "9640.6", "9642.0", "206", 48, True)


def test_explicit_symbol_and_kind(tmp_path):
    path = tmp_path / "mydata.csv"
    path.write_text(AGG_ROWS)
    with pytest.raises(ArchiveFormatError, match="give them explicitly"):
        archive_file(str(path))
    src = archive_file(str(path), symbol="ethusdt", kind="aggTrades")
    assert src.symbol == "ETHUSDT" and len(list(read_archive(src))) == 2


def test_bad_rows_and_kinds(tmp_path):
    path = tmp_path / "BTCUSDT-aggTrades-2026-11-01.csv"
    path.write_text("1,2,3\n")
    with pytest.raises(ArchiveFormatError, match="3 columns"):
        list(read_archive(archive_file(str(path))))
    with pytest.raises(ArchiveFormatError, match="unsupported"):
        archive_file(str(tmp_path / "BTCUSDT-metrics-2026-11-01.zip"))
