"""The recording file format: gzip-compressed JSON Lines (pure: no sockets, threads or clocks).

One header line, then one line per recorded item, each a JSON object:

    {"type": "header", "format": "binance-record", "version": 1, "market": "um", "streams": [...],
     "start": 1764950000000, "library": "5.0.0"}
    {"r": 1764950000123, "m": {"stream": "btcusdt@aggTrade", "data": {...}}}   a message, verbatim
    {"r": 1764950000124, "s": "..."}                     a message that is not one line of JSON, as a string
    {"r": 1764950000125, "snapshot": {"stream": "btcusdt@depth@100ms", "symbol": "BTCUSDT", "depth": {...}}}
    {"r": 1764950000126, "gap": {"reason": "reconnect", "streams": [...]}}
    {"r": 1764950009999, "end": {"messages": 1234}}      written by a clean close

`r` is the receive time (ms since the epoch, local clock, taken when the stream client hands the
message to the recorder). The text after `"m":` is the message
exactly as the server sent it (byte for byte), so [Record.raw][binance.record._format.Record.raw]
returns it unchanged. A reader stops quietly at a truncated last line (a power cut mid-write); a bad
line anywhere else raises `RecordFormatError`.
"""

from __future__ import annotations

import gzip
import json
from typing import IO, Any, Dict, Iterator, List, Optional

FORMAT = "binance-record"
VERSION = 1

__all__ = ["FORMAT", "VERSION", "Record", "RecordFormatError", "RecordWriter", "read_header", "read_records"]


class RecordFormatError(ValueError):
    """The file is not a recording, or a line other than the last one is damaged."""


class Record:
    """One line of a recording after the header.

    `kind` is `"message"`, `"snapshot"`, `"gap"` or `"end"`; `received` the receive time in ms;
    `stream` the stream name (combined-stream messages and snapshots); `data` the decoded payload
    (the message's `data` for combined messages, the whole message otherwise; the REST depth
    document for snapshots; the gap or end object).
    """

    __slots__ = ("kind", "received", "stream", "data", "message", "_line")

    def __init__(self, kind: str, received: int, stream: Optional[str], data: Any, message: Any = None,
                 line: str = "") -> None:
        self.kind = kind
        self.received = received
        self.stream = stream
        self.data = data
        self.message = message
        self._line = line

    @property
    def raw(self) -> Optional[str]:
        """The message text exactly as received (`None` for snapshots, gaps and the end line)."""
        if self.kind != "message":
            return None
        line = self._line.rstrip("\r\n")
        if ',"m":' in line[:32]:
            return line[line.index(',"m":') + 5:-1]
        return json.loads(line)["s"]

    def __repr__(self) -> str:
        return f"Record({self.kind!r}, {self.received}, {self.stream!r})"


class RecordWriter:
    """Writes a recording to a binary stream (usually a `gzip.GzipFile`). Not thread-safe: one writer thread."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self._f = fileobj
        self.messages = 0
        self.bytes = 0

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._f.write(data)
        self.bytes += len(data)

    def header(self, market: str, streams: List[str], start: int, library: str, **extra: Any) -> None:
        """Write the header line (first, once)."""
        doc: Dict[str, Any] = {"type": "header", "format": FORMAT, "version": VERSION, "market": market,
                               "streams": list(streams), "start": start, "library": library}
        doc.update(extra)
        self._write(json.dumps(doc, separators=(",", ":")) + "\n")

    def message(self, received: int, text: Any) -> None:
        """Write one message as received: verbatim when it is one line of JSON, else as a string."""
        self.messages += 1
        if isinstance(text, str) and "\n" not in text and "\r" not in text and _is_json(text):
            self._write('{"r":%d,"m":%s}\n' % (received, text))
            return
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self._write(json.dumps({"r": received, "s": str(text)}, separators=(",", ":")) + "\n")

    def snapshot(self, received: int, stream: str, symbol: str, depth: Any) -> None:
        """Write a REST depth snapshot taken for `stream`."""
        doc = {"r": received, "snapshot": {"stream": stream, "symbol": symbol, "depth": depth}}
        self._write(json.dumps(doc, separators=(",", ":")) + "\n")

    def gap(self, received: int, reason: str, streams: List[str], **extra: Any) -> None:
        """Write a gap marker: messages of `streams` may be missing before this point."""
        gap: Dict[str, Any] = {"reason": reason, "streams": list(streams)}
        gap.update(extra)
        self._write(json.dumps({"r": received, "gap": gap}, separators=(",", ":")) + "\n")

    def end(self, received: int) -> None:
        """Write the closing line of a clean close."""
        self._write(json.dumps({"r": received, "end": {"messages": self.messages}}, separators=(",", ":")) + "\n")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _open_text(path: str) -> IO[str]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", newline="\n")
    if magic[:1] != b"{":
        raise RecordFormatError(f"{path}: not a recording (neither gzip nor JSON Lines)")
    return open(path, "rt", encoding="utf-8", newline="\n")


def _lines(f: IO[str]) -> Iterator[str]:
    """Lines of `f`; a gzip stream cut short (EOFError) ends the iteration like end of file."""
    while True:
        try:
            line = f.readline()
        except EOFError:
            return
        if not line:
            return
        yield line


def read_header(path: str) -> Dict[str, Any]:
    """The header of the recording at `path` (raises `RecordFormatError` when it is not one)."""
    with _open_text(path) as f:
        for line in _lines(f):
            return _parse_header(line, path)
    raise RecordFormatError(f"{path}: empty file, not a recording")


def _parse_header(line: str, path: str) -> Dict[str, Any]:
    try:
        doc = json.loads(line)
    except ValueError as exc:
        raise RecordFormatError(f"{path}: not a recording (bad header line)") from exc
    if not isinstance(doc, dict) or doc.get("type") != "header" or doc.get("format") != FORMAT:
        raise RecordFormatError(f"{path}: not a recording (no {FORMAT} header)")
    if doc.get("version") != VERSION:
        raise RecordFormatError(f"{path}: recording format version {doc.get('version')} is not supported")
    return doc


def read_records(path: str) -> Iterator[Record]:
    """The records of the recording at `path`, in file order, streamed (never loading the file whole).

    A truncated or damaged last line is ignored; a damaged line followed by others raises
    `RecordFormatError`.
    """
    with _open_text(path) as f:
        lines = _lines(f)
        first = next(lines, None)
        if first is None:
            raise RecordFormatError(f"{path}: empty file, not a recording")
        _parse_header(first, path)
        bad: Optional[int] = None
        for number, line in enumerate(lines, start=2):
            if bad is not None:
                raise RecordFormatError(f"{path}: line {bad} is damaged")
            record = _parse_line(line) if line.endswith("\n") else None
            if record is None:
                bad = number
                continue
            yield record


def _parse_line(line: str) -> Optional[Record]:
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("r"), int):
        return None
    received = doc["r"]
    if "m" in doc:
        msg = doc["m"]
        if isinstance(msg, dict) and "stream" in msg and "data" in msg:
            return Record("message", received, msg["stream"], msg["data"], msg, line)
        return Record("message", received, None, msg, msg, line)
    if "s" in doc:
        return Record("message", received, None, doc["s"], doc["s"], line)
    if "snapshot" in doc:
        snap = doc["snapshot"]
        return Record("snapshot", received, snap.get("stream"), snap, None, line)
    if "gap" in doc:
        return Record("gap", received, None, doc["gap"], None, line)
    if "end" in doc:
        return Record("end", received, None, doc["end"], None, line)
    return None
