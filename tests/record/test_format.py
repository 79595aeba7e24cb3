"""The recording file format: verbatim messages, snapshots, gaps, and reading damaged files."""

from __future__ import annotations

import gzip
import io
import json

import pytest

from binance.record import RecordFormatError, read_header, read_records
from binance.record._format import RecordWriter

MSG = '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"a":5,"p":"1.10","q":"2","T":1,"m":true}}'


def _write(path, extra=b""):
    buf = io.BytesIO()
    w = RecordWriter(buf)
    w.header("um", ["btcusdt@aggTrade", "btcusdt@depth@100ms"], 1000, "5.0.0")
    w.message(1001, MSG)
    w.message(1002, "not json")
    w.message(1003, '{"a":\n1}')
    w.snapshot(1004, "btcusdt@depth@100ms", "BTCUSDT", {"lastUpdateId": 7, "bids": [["1", "2"]], "asks": []})
    w.gap(1005, "reconnect", ["btcusdt@aggTrade"])
    w.end(1006)
    data = buf.getvalue() + extra
    with gzip.open(path, "wb") as f:
        f.write(data)
    return data


def test_round_trip_keeps_messages_verbatim(tmp_path):
    path = str(tmp_path / "r.jsonl.gz")
    _write(path)
    header = read_header(path)
    assert header["market"] == "um" and header["start"] == 1000 and header["library"] == "5.0.0"
    recs = list(read_records(path))
    assert [r.kind for r in recs] == ["message", "message", "message", "snapshot", "gap", "end"]
    assert recs[0].raw == MSG and recs[0].stream == "btcusdt@aggTrade" and recs[0].data["a"] == 5
    assert recs[0].received == 1001
    assert recs[1].raw == "not json" and recs[2].raw == '{"a":\n1}'
    assert recs[3].data["depth"]["lastUpdateId"] == 7 and recs[3].stream == "btcusdt@depth@100ms"
    assert recs[4].data == {"reason": "reconnect", "streams": ["btcusdt@aggTrade"]}
    assert recs[5].data == {"messages": 3}


def test_truncated_last_line_is_ignored(tmp_path):
    path = tmp_path / "r.jsonl.gz"
    data = _write(str(path), extra=b'{"r":1007,"m":{"stream":"btcusdt@agg')
    assert len(list(read_records(str(path)))) == 6
    # a gzip stream cut in the middle (power cut): what was complete is read, the rest ignored
    whole = gzip.compress(data)
    path.write_bytes(whole[: len(whole) - 40])
    recs = list(read_records(str(path)))
    assert 1 <= len(recs) <= 6 and recs[0].raw == MSG


def test_damaged_middle_line_raises(tmp_path):
    path = tmp_path / "r.jsonl"
    header = json.dumps({"type": "header", "format": "binance-record", "version": 1, "market": "um",
                         "streams": [], "start": 0, "library": "x"})
    path.write_text(header + "\n" + '{"r":1,"m":{"a":1}}\n' + "garbage\n" + '{"r":2,"m":{"a":2}}\n')
    with pytest.raises(RecordFormatError, match="line 3"):
        list(read_records(str(path)))


def test_not_a_recording(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("1,2,3\n")
    with pytest.raises(RecordFormatError):
        read_header(str(path))
