"""The recorder's `environment=` / `--environment` resolves URLs through binance.environments (no connection made)."""

from __future__ import annotations

import pytest

from binance.environments import DEMO, PRODUCTION, TESTNET, Environment
from binance.record import Recorder
from binance.record.__main__ import build_parser, recorder_from_args
from binance.record.recorder import market_urls


@pytest.mark.parametrize("env", [PRODUCTION, TESTNET, DEMO], ids=lambda e: e.name)
@pytest.mark.parametrize("market", ["um", "cm"])
def test_cli_environment_resolves_urls(tmp_path, env, market):
    parser = build_parser()
    args = parser.parse_args(["--out", str(tmp_path / "x.jsonl.gz"), "--market", market, "--environment", env.name,
                              "btcusdt@aggTrade"])
    rec = recorder_from_args(parser, args)
    assert (rec.stream_url, rec.base_url) == (env.stream_url(market), env.rest_url(market))


def test_demo_urls_are_the_demo_hosts(tmp_path):
    rec = Recorder(str(tmp_path / "x"), ["btcusdt@depth@100ms"], environment="demo")
    assert rec.stream_url == "wss://demo-fstream.binance.com"
    assert rec.base_url == "https://demo-fapi.binance.com"
    assert market_urls("cm", "demo") == {"stream_url": "wss://demo-dstream.binance.com",
                                         "base_url": "https://demo-dapi.binance.com"}
    assert market_urls("um") == market_urls("um", "production") == {"stream_url": PRODUCTION.um_stream_url,
                                                                     "base_url": PRODUCTION.um_rest_url}


def test_environment_object_and_explicit_urls(tmp_path):
    local = Environment("local", "http://127.0.0.1:1/um", "http://127.0.0.1:1/cm", "ws://127.0.0.1:1/fstream",
                        "ws://127.0.0.1:1/dstream", "ws://127.0.0.1:1/ws-fapi/v1", "ws://127.0.0.1:1/ws-dapi/v1")
    rec = Recorder(str(tmp_path / "x"), ["btcusdt@aggTrade"], market="cm", environment=local)
    assert (rec.stream_url, rec.base_url) == ("ws://127.0.0.1:1/dstream", "http://127.0.0.1:1/cm")
    rec = Recorder(str(tmp_path / "x"), ["btcusdt@aggTrade"], environment="demo", stream_url="ws://127.0.0.1:2")
    assert (rec.stream_url, rec.base_url) == ("ws://127.0.0.1:2", DEMO.um_rest_url)


def test_unknown_environment_is_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="unknown environment"):
        Recorder(str(tmp_path / "x"), ["btcusdt@aggTrade"], environment="staging")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--out", "x", "--environment", "staging", "btcusdt@aggTrade"])
    assert "invalid choice" in capsys.readouterr().err
