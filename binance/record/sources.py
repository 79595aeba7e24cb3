"""Turn files into [Event][binance.record.events.Event] streams: recordings and archive CSV files alike."""

from __future__ import annotations

import re
from typing import Iterator, Optional, Set, Union

from binance.record._format import RecordFormatError, read_header, read_records
from binance.record.archive import ArchiveFile, archive_file, read_archive
from binance.record.events import Event
from binance.record.recorder import depth_diff_symbol

__all__ = ["FileSource", "file_events", "file_source", "recording_events"]

_SYMBOL = re.compile(r"^([a-z0-9_]+)@")
_BY_EVENT = {"depthUpdate": "depthUpdate", "aggTrade": "aggTrade", "trade": "trade", "bookTicker": "bookTicker",
             "markPriceUpdate": "markPriceUpdate", "kline": "kline"}


def classify(stream: Optional[str], data: object) -> str:
    """The event kind of a recorded stream message (see `binance.record.events.KINDS`)."""
    if isinstance(data, dict):
        kind = _BY_EVENT.get(str(data.get("e")))
        if kind == "depthUpdate" and (stream is None or depth_diff_symbol(stream) is None):
            return "message"  # partial-book streams carry "depthUpdate" too: republished, not applied
        if kind is not None:
            return kind
        if stream is not None and stream.endswith("@bookTicker") and "u" in data:
            return "bookTicker"
    return "message"


def recording_events(path: str) -> Iterator[Event]:
    """The events of a recording, in file order, timed by receive time (made non-decreasing)."""
    last = 0
    for rec in read_records(path):
        t = last = max(last, rec.received)
        if rec.kind == "message":
            stream = rec.stream
            data = rec.data
            symbol = None
            if isinstance(data, dict) and isinstance(data.get("s"), str):
                symbol = data["s"].upper()
            elif stream is not None:
                m = _SYMBOL.match(stream)
                symbol = m.group(1).upper() if m else None
            yield Event(t, symbol, classify(stream, data), stream, data)
        elif rec.kind == "snapshot":
            yield Event(t, str(rec.data.get("symbol") or "").upper() or None, "depthSnapshot", rec.stream, rec.data)
        elif rec.kind == "gap":
            yield Event(t, None, "gap", None, rec.data)


class FileSource:
    """One input file: a recording or an archive file. `events()` opens it afresh each time (for loops)."""

    def __init__(self, path: str, archive: Optional[ArchiveFile] = None) -> None:
        self.path = path
        self.archive = archive
        self.header = None if archive is not None else read_header(path)

    @property
    def market(self) -> str:
        """um or cm."""
        if self.archive is not None:
            return self.archive.market
        return str(self.header.get("market", "um")) if self.header else "um"

    def symbols(self) -> Set[str]:
        """Symbols this file carries (from the archive name or the recording's stream names)."""
        if self.archive is not None:
            return {self.archive.symbol}
        out: Set[str] = set()
        for stream in (self.header or {}).get("streams", ()):
            m = _SYMBOL.match(stream)
            if m:
                out.add(m.group(1).upper())
        return out

    def events(self) -> Iterator[Event]:
        """A fresh iterator over the file's events."""
        if self.archive is not None:
            return read_archive(self.archive)
        return recording_events(self.path)

    def __repr__(self) -> str:
        return f"FileSource({self.path!r})"


def file_source(path: Union[str, ArchiveFile]) -> FileSource:
    """A `FileSource` for a recording or an archive file (told apart by content, then by name)."""
    if isinstance(path, ArchiveFile):
        return FileSource(path.path, path)
    try:
        read_header(path)
    except (RecordFormatError, UnicodeDecodeError, OSError, EOFError):
        return FileSource(path, archive_file(path))
    return FileSource(path)


def file_events(path: Union[str, ArchiveFile]) -> Iterator[Event]:
    """The events of one file (a recording or an archive file)."""
    return file_source(path).events()
