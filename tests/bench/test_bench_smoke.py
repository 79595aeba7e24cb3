"""Smoke test of the bench machinery: the pure parts and one tiny in-process REST measurement (no venvs)."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "bench")
sys.path.insert(0, BENCH)

import _table  # noqa: E402
import _venvs  # noqa: E402
import bench_memory  # noqa: E402
import bench_rest  # noqa: E402
import bench_signing  # noqa: E402
from _table import Row  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_run", os.path.join(BENCH, "run.py"))
bench_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_run)

pytestmark = pytest.mark.timeout(60)


def test_row_ratios_and_targets():
    hmac = Row("REST", "HMAC", "µs/call", 80.0, 100.0, 75.0, ratio_max=0.9, floor_max=1.15)
    assert hmac.ratio == pytest.approx(0.8)
    assert hmac.ours_x_floor == pytest.approx(80 / 75)
    assert hmac.met is True
    slow = Row("REST", "HMAC", "µs/call", 95.0, 100.0, 75.0, ratio_max=0.9, floor_max=1.15)
    assert slow.met is False
    stream = Row("Streams", "dispatch", "msg/s", 90.0, 100.0, 100.0, higher_is_better=True, ratio_min=1.0)
    assert stream.met is False
    assert Row("S", "no competitor", "µs", 1.0, None, ratio_max=0.5).met is False
    assert Row("S", "no target", "µs", 1.0, 2.0).met is None
    assert Row("M", "growth", "MB", 0.4, value_max=5.0).met is True


def test_row_round_trips_through_dict():
    row = Row("REST", "RSA", "µs/call", 1.5, 10.0, 1.0, ratio_max=0.2, note="n")
    assert Row.from_dict(dict(row.to_dict(), unknown_key=1)) == row
    assert _table.as_row(row.to_dict()) == row


def test_text_and_markdown_tables_show_every_row_and_verdict():
    rows = [
        Row("REST", "HMAC-signed POST order", "µs/call", 950.0, 1100.0, 900.0, ratio_max=0.9, floor_max=1.15),
        Row("REST", "Ed25519-signed POST order", "µs/call", 1200.0, None, 900.0),
        Row("Streams", "dispatch", "msg/s", 60000.0, 30000.0, 80000.0, higher_is_better=True, floor_min=0.8),
    ]
    text = _table.format_text(rows)
    lines = text.splitlines()
    assert len(lines) == 2 + len(rows)
    assert "met" in lines[2] and "NOT MET" not in lines[2]
    assert "n/a" in lines[3]
    assert "NOT MET" in lines[4]
    assert "2.00x" in lines[4] and "0.75x" in lines[4]
    markdown = _table.format_markdown(rows).splitlines()
    assert all(line.count("|") == len(_table.HEADERS) + 1 for line in markdown)
    assert _table.fmt_value(12345.6) == "12,346" and _table.fmt_value(None) == "n/a"


def test_speedup_is_direction_aware():
    assert _table.speedup(Row("R", "t", "µs", 50.0, 100.0)) == pytest.approx(2.0)
    assert _table.speedup(Row("S", "r", "msg/s", 50.0, 100.0, higher_is_better=True)) == pytest.approx(0.5)


def test_signatures_of_ours_match_the_primitive(tmp_path):
    keys = bench_signing.make_keys(str(tmp_path))
    payload = bench_signing.PAYLOAD
    for algorithm in bench_signing.ALGORITHMS:
        ours = bench_signing.make_sign("ours", algorithm, keys)(payload)
        floor = bench_signing.make_sign("floor", algorithm, keys)(payload)
        if algorithm != "hmac":
            import base64

            floor = base64.b64encode(floor).decode()
        assert ours == floor, algorithm
    assert bench_signing.time_signing("ours", "hmac", keys, 20) > 0


def test_in_process_rest_measurement_against_the_bench_server():
    server = bench_rest.start_server()
    try:
        url = f"http://127.0.0.1:{server.port}"
        for impl in ("ours", "floor"):
            for kind in ("unsigned", "hmac"):
                call = bench_rest.make_call(impl, kind, url, {})
                result = call()
                assert result["serverTime" if kind == "unsigned" else "orderId"]
                assert bench_rest.time_calls(call, 20) > 0
    finally:
        server.kill()
        server.wait()


def test_results_markdown_names_the_machine(tmp_path):
    info = bench_run.machine_info()
    assert set(info) >= {"cpu", "cores", "python", "date"}
    path = tmp_path / "results.md"
    bench_run.write_markdown(str(path), [Row("REST", "x", "µs", 1.0, 2.0, note="why")], info, ["extra"], 1.0,
                             quick=True)
    text = path.read_text(encoding="utf-8")
    assert info["cpu"] in text and info["python"] in text
    assert "| REST | x |" in text and "why" in text and "extra" in text


def test_missing_module_is_reported_not_raised():
    rows, printed, error = bench_run.run_module("bench_does_not_exist", quick=True)
    assert rows == [] and error == "not present"


def test_venv_is_not_ready_without_its_stamp(tmp_path):
    assert not _venvs.is_ready("ref", ["binance-futures-connector==4.2.0"], root=str(tmp_path))
    assert _venvs.venv_python("ref", root=str(tmp_path)).endswith(os.path.join("ref", "bin", "python"))


def test_tiny_stream_burst_reaches_the_callback_of_ours_and_the_floor():
    import threading

    before = threading.active_count()
    for impl in ("floor", "ours"):
        server = bench_memory.start_server(300)
        try:
            result = bench_memory.client(impl, server.port, timeout=20)
        finally:
            server.kill()
            server.wait()
        assert result["delivered"] == 300, (impl, result)
        assert result["rate"] > 0 and result["rss_end"] > 0 and result["rss_import"] > 0
    assert threading.active_count() == before


def test_ratio_is_against_the_best_peer_of_the_row():
    time_row = Row("REST", "t", "µs", 90.0, peers={"4.2.0": 150.0, "SDK": None, "ccxt": 100.0}, ratio_max=0.9)
    assert (time_row.theirs_label, time_row.theirs) == ("ccxt", 100.0)
    assert time_row.ratio == pytest.approx(0.9) and time_row.met is True
    rate_row = Row("Streams", "r", "msg/s", 150.0, peers={"SDK": 80.0, "python-binance": 20.0},
                   higher_is_better=True, ratio_min=2.0)
    assert (rate_row.theirs_label, rate_row.theirs) == ("SDK", 80.0)
    assert rate_row.met is False
    cells = _table.table_cells([time_row])[0]
    assert cells[_table.HEADERS.index("ccxt")] == "100" and cells[_table.HEADERS.index("modular SDK")] == "n/a"
    assert cells[_table.HEADERS.index("best peer")] == "ccxt"
    assert Row.from_dict(time_row.to_dict()).peers == time_row.peers
