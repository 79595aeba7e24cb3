"""Record market streams to a file, and read recordings and Binance's public archive files back.

* [Recorder][binance.record.recorder.Recorder] (and `python -m binance.record`) writes a recording: gzip
  JSON Lines, one header line, then every message exactly as received with its receive time,
  REST depth snapshots and gap markers (format: `binance.record._format`).
* `read_records` streams a recording back.
* [read_archive][binance.record.archive.read_archive] streams a CSV file of Binance's public futures
  archive (aggTrades, trades, bookTicker, klines, markPriceKlines).

Nothing here fetches files: you download archive files yourself. The sandbox replays both kinds
(`python -m binance.sandbox --replay FILE...`).
"""

from __future__ import annotations

from binance.record._format import Record, RecordFormatError, read_header, read_records
from binance.record.archive import ArchiveFile, ArchiveFormatError, archive_file, read_archive
from binance.record.recorder import Recorder

__all__ = [
    "ArchiveFile",
    "ArchiveFormatError",
    "Record",
    "RecordFormatError",
    "Recorder",
    "archive_file",
    "read_archive",
    "read_header",
    "read_records",
]
