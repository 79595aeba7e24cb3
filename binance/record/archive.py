"""Readers of Binance's public futures archive CSV files (daily or monthly; USDⓈ-M and COIN-M).

Supported kinds and their documented columns (a header row is optional; plain `.csv` or a `.zip`
holding one CSV):

- aggTrades: agg_trade_id, price, quantity, first_trade_id, last_trade_id, transact_time,
  is_buyer_maker
- trades: id, price, qty, quote_qty (UM) or base_qty (COIN-M), time, is_buyer_maker
- bookTicker: update_id, best_bid_price, best_bid_qty, best_ask_price, best_ask_qty,
  transaction_time, event_time
- klines: open_time, open, high, low, close, volume, close_time, quote_volume (UM) or base_volume
  (COIN-M), count, taker_buy_volume, taker_buy_quote_volume (UM) or taker_buy_base_volume (COIN-M),
  ignore
- markPriceKlines: as klines (the volumes are zero)

The symbol and kind come from Binance's file names (`BTCUSDT-aggTrades-2026-11-01.zip`,
`BTCUSD_PERP-trades-2026-11.zip`, `BTCUSDT-1m-2026-11-01.zip` for klines; a `markPriceKlines`
directory in the path marks mark-price candles) or are given to
[archive_file][binance.record.archive.archive_file]. Timestamps in microseconds are turned into ms.
Rows become [Event][binance.record.events.Event]s shaped like the matching stream payloads.
Nothing here downloads anything.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Callable, Dict, Iterator, List, Optional

from binance.record.events import Event

__all__ = ["ARCHIVE_KINDS", "ArchiveFile", "ArchiveFormatError", "archive_file", "read_archive"]

ARCHIVE_KINDS = ("aggTrades", "trades", "bookTicker", "klines", "markPriceKlines")
INTERVALS = ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M")
_NAME = re.compile(r"^(?P<symbol>[A-Z0-9_]+)-(?P<kind>[A-Za-z0-9]+)-(?P<date>\d{4}-\d{2}(?:-\d{2})?)$")
_COLUMNS = {"aggTrades": 7, "trades": 6, "bookTicker": 7, "klines": 11, "markPriceKlines": 11}
_MICROS = 10**14  # any timestamp above this is in microseconds


class ArchiveFormatError(ValueError):
    """An archive file whose name or rows do not match a documented layout."""


@dataclass(frozen=True)
class ArchiveFile:
    """An archive file and what it holds: `symbol`, `kind` (one of `ARCHIVE_KINDS`), `market` (um/cm),
    `interval` (klines kinds only)."""

    path: str
    symbol: str
    kind: str
    market: str
    interval: Optional[str] = None


def archive_file(path: str, symbol: Optional[str] = None, kind: Optional[str] = None,
                 market: Optional[str] = None, interval: Optional[str] = None) -> ArchiveFile:
    """Describe the archive file at `path`; what is not given comes from Binance's file name.

    Raises `ArchiveFormatError` when the name does not say and nothing was given.
    """
    base = os.path.basename(path)
    for ext in (".zip", ".csv"):
        if base.lower().endswith(ext):
            base = base[: -len(ext)]
    m = _NAME.match(base)
    if m is not None:
        named_kind = m.group("kind")
        if named_kind in INTERVALS:
            interval = interval or named_kind
            parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
            named_kind = "markPriceKlines" if "markPriceKlines" in parts else "klines"
        symbol = symbol or m.group("symbol")
        kind = kind or named_kind
    if symbol is None or kind is None:
        raise ArchiveFormatError(f"{path}: cannot tell the symbol and kind from the name; give them explicitly")
    if kind not in ARCHIVE_KINDS:
        raise ArchiveFormatError(f"{path}: unsupported archive kind {kind!r} (supported: {', '.join(ARCHIVE_KINDS)})")
    if kind in ("klines", "markPriceKlines"):
        interval = interval or "1m"
        if interval not in INTERVALS:
            raise ArchiveFormatError(f"{path}: unknown kline interval {interval!r}")
    else:
        interval = None
    symbol = symbol.upper()
    if market is None:
        market = "cm" if "_" in symbol else "um"
    if market not in ("um", "cm"):
        raise ArchiveFormatError(f"{path}: market must be um or cm, not {market!r}")
    return ArchiveFile(path=path, symbol=symbol, kind=kind, market=market, interval=interval)


def _open_csv(path: str) -> IO[str]:
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) != 1:
            archive.close()
            raise ArchiveFormatError(f"{path}: expected one CSV inside the zip, found {len(names)}")
        raw = archive.open(names[0])
        return io.TextIOWrapper(raw, encoding="utf-8", newline="")
    return open(path, "rt", encoding="utf-8", newline="")


def _ms(text: str) -> int:
    value = int(text)
    return value // 1000 if value > _MICROS else value


def _bool(text: str) -> bool:
    return text.strip().lower() == "true"


def read_archive(source: ArchiveFile) -> Iterator[Event]:
    """The rows of an archive file as events, in file order, streamed (never loading the file whole).

    Raises `ArchiveFormatError` on a row that does not fit the layout (a header row is skipped).
    """
    make = _MAKERS[source.kind](source)
    width = _COLUMNS[source.kind]
    with _open_csv(source.path) as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row:
                continue
            if number == 1 and row[0] and not row[0].strip().isdigit():
                continue  # header row
            if len(row) < width:
                raise ArchiveFormatError(f"{source.path}: line {number} has {len(row)} columns, expected {width}")
            try:
                yield make(row)
            except ValueError as exc:
                raise ArchiveFormatError(f"{source.path}: line {number}: {exc}") from exc


def _agg_trades(src: ArchiveFile) -> Callable[[List[str]], Event]:
    symbol = src.symbol
    stream = f"{symbol.lower()}@aggTrade"

    def make(row: List[str]) -> Event:
        t = _ms(row[5])
        return Event(t, symbol, "aggTrade", stream, {
            "e": "aggTrade", "E": t, "a": int(row[0]), "s": symbol, "p": row[1], "q": row[2],
            "f": int(row[3]), "l": int(row[4]), "T": t, "m": _bool(row[6])})
    return make


def _trades(src: ArchiveFile) -> Callable[[List[str]], Event]:
    symbol = src.symbol

    def make(row: List[str]) -> Event:
        t = _ms(row[4])
        return Event(t, symbol, "trade", None, {
            "e": "trade", "E": t, "s": symbol, "t": int(row[0]), "p": row[1], "q": row[2], "v": row[3],
            "T": t, "m": _bool(row[5])})
    return make


def _book_ticker(src: ArchiveFile) -> Callable[[List[str]], Event]:
    symbol = src.symbol
    stream = f"{symbol.lower()}@bookTicker"

    def make(row: List[str]) -> Event:
        tx = _ms(row[5])
        ev = _ms(row[6]) if row[6] else tx
        data: Dict[str, object] = {"e": "bookTicker", "u": int(row[0]), "s": symbol, "b": row[1], "B": row[2],
                                   "a": row[3], "A": row[4], "T": tx, "E": ev}
        if src.market == "cm":
            data["ps"] = symbol.split("_")[0]
        return Event(ev, symbol, "bookTicker", stream, data)
    return make


def _klines(src: ArchiveFile) -> Callable[[List[str]], Event]:
    symbol = src.symbol
    interval = src.interval or "1m"
    mark = src.kind == "markPriceKlines"
    kind = "markPriceKline" if mark else "kline"

    def make(row: List[str]) -> Event:
        open_time, close_time = _ms(row[0]), _ms(row[6])
        k = {"t": open_time, "T": close_time, "s": symbol, "i": interval, "f": -1, "L": -1, "o": row[1],
             "c": row[4], "h": row[2], "l": row[3], "v": row[5], "n": int(row[8] or 0), "x": True,
             "q": row[7], "V": row[9], "Q": row[10], "B": "0"}
        return Event(close_time, symbol, kind, None, {"e": kind, "E": close_time, "s": symbol, "k": k})
    return make


_MAKERS: Dict[str, Callable[[ArchiveFile], Callable[[List[str]], Event]]] = {
    "aggTrades": _agg_trades, "trades": _trades, "bookTicker": _book_ticker,
    "klines": _klines, "markPriceKlines": _klines,
}
