"""The official binance-futures-connector 4.2.0 trades against our sandbox as if it were Binance.

The official package runs in its own virtualenv (``tools/ref_venv.py``, built once and reused), in a
subprocess executing ``official_scenario.py``; this test starts the sandbox in-process, registers an
HMAC and an RSA key, and asserts on the JSON line the scenario prints. It skips only when that venv
cannot be created (no package registry reachable).
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

import pytest

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(900)

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).with_name("official_scenario.py")
SCENARIO_TIMEOUT = 50.0
VENV_STEP_TIMEOUT = 300.0  # per venv/pip step, so that an unreachable registry skips before pytest-timeout


def _ref_venv_module() -> Any:
    spec = importlib.util.spec_from_file_location("ref_venv", ROOT / "tools" / "ref_venv.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ref_python() -> str:
    """The official 4.2.0's interpreter; skip the module when its venv cannot be built."""
    ref_venv = _ref_venv_module()
    try:
        return ref_venv.ensure_ref_venv(timeout=VENV_STEP_TIMEOUT)
    except ref_venv.RefVenvError as exc:
        pytest.skip(f"cannot create the official 4.2.0 venv: {exc}")


@pytest.fixture(scope="module")
def scenario(ref_python: str, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    """Run the official client's scenario against a fresh sandbox once; its parsed JSON result."""
    from Crypto.PublicKey import RSA

    from binance.sandbox import Sandbox

    workdir = tmp_path_factory.mktemp("official")
    rsa_key = RSA.generate(2048)
    pem_file = workdir / "rsa_private.pem"
    pem_file.write_bytes(rsa_key.export_key())
    rsa_api_key = secrets.token_hex(32)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    started = time.monotonic()
    with Sandbox(seed=7, tick_interval=0.05) as sb:
        sb.add_account(rsa_api_key, rsa_public_key=rsa_key.publickey().export_key())
        env["SCENARIO_API_SECRET"] = sb.api_secret
        command = [
            ref_python, "-I", str(SCENARIO),
            "--um-rest-url", sb.um_rest_url, "--cm-rest-url", sb.cm_rest_url, "--um-stream-url", sb.um_stream_url,
            "--cm-stream-url", sb.cm_stream_url,
            "--api-key", sb.api_key, "--rsa-api-key", rsa_api_key, "--rsa-private-key-file", str(pem_file),
            "--deadline", str(SCENARIO_TIMEOUT - 5),
        ]
        proc = subprocess.Popen(command, cwd=str(workdir), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=SCENARIO_TIMEOUT)
            killed = False
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            killed = True
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, f"the scenario printed no JSON (exit {proc.returncode}, killed={killed}); stderr:\n{err[-3000:]}"
    result = json.loads(lines[-1])
    result["_exit_code"] = proc.returncode
    result["_killed"] = killed
    result["_stderr"] = err[-3000:]
    result["_wall_seconds"] = round(time.monotonic() - started, 3)
    sys.stderr.write(f"official 4.2.0 scenario: {result['_wall_seconds']} s, stop={result.get('stop')}\n")
    return result


def _check(result: Dict[str, Any], name: str) -> Dict[str, Any]:
    record = result["checks"].get(name)
    assert record is not None, f"check {name} did not run: fatal={result.get('fatal')}; stderr:\n{result['_stderr']}"
    return record


def test_it_is_the_official_4_2_0_outside_our_tree(scenario: Dict[str, Any]) -> None:
    assert scenario["version"] == scenario["distribution_version"] == "4.2.0"
    assert not Path(scenario["module_file"]).resolve().is_relative_to(ROOT / "binance")
    assert "fatal" not in scenario, scenario.get("fatal")
    assert scenario["_killed"] is False and scenario["_exit_code"] == 0


def test_hmac_signed_calls_and_orders_are_accepted(scenario: Dict[str, Any]) -> None:
    assert abs(_check(scenario, "hmac_time")["serverTime"] - time.time() * 1000) < 120_000
    assert {"assets", "positions", "totalWalletBalance"} <= set(_check(scenario, "hmac_account")["keys"])
    limit = _check(scenario, "hmac_limit_order")
    assert (limit["type"], limit["status"], limit["cancel_status"]) == ("LIMIT", "NEW", "CANCELED")
    market = _check(scenario, "hmac_market_order")
    assert market["type"] == "MARKET" and market["status"] in ("NEW", "FILLED")


def test_rsa_signed_account_and_balance_are_accepted(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "rsa_account_balance")
    assert record["ok"], record
    assert "assets" in record["account_keys"]
    assert "USDT" in record["balance_assets"]


def test_wrong_secret_gets_1022(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "wrong_secret")
    assert (record.get("raised"), record.get("status_code"), record.get("error_code")) == ("ClientError", 400, -1022)
    assert record["error_message"] == "Signature for this request is not valid."


def test_stale_timestamp_gets_1021(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "stale_timestamp")
    assert (record.get("raised"), record.get("status_code"), record.get("error_code")) == ("ClientError", 400, -1021)
    assert "recvWindow" in record["error_message"]


def test_official_websocket_client_receives_market_streams(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "ws_market")
    assert record["subscribe_replies"] == [{"result": None, "id": 1}, {"result": None, "id": 2}]
    assert record["aggTrade"] is not None and record["aggTrade"]["s"] == "BTCUSDT", record["counts"]
    assert record["bookTicker"] is not None and record["bookTicker"]["s"] == "BTCUSDT", record["counts"]
    assert record["errors"] == []


def test_official_websocket_client_receives_user_data_after_an_order(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "ws_user_data")
    assert record["subscribe_reply"] == {"result": None, "id": 3}
    update = record["order_update"]
    assert update is not None, record["counts"]
    order = update["o"]
    assert (order["s"], order["S"], order["o"], order["c"]) == ("BTCUSDT", "SELL", "MARKET", record["client_order_id"])
    fill = record["fill_update"]
    assert fill is not None, record["counts"]
    assert fill["o"]["x"] == "TRADE" and fill["o"]["z"] == "0.002" and float(fill["o"]["ap"]) > 0
    assert record["account_update"] is not None and record["account_update"]["a"]["m"] == "ORDER", record["counts"]
    assert record["errors"] == []


def test_cm_market_order_opens_a_position(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "cm_market_order")
    assert record["type"] == "MARKET" and record["status"] in ("NEW", "FILLED")
    assert record["position_amt"] == 1.0


def test_um_stop_market_needs_the_algo_endpoint(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "stop_orders")
    assert record["ok"], record
    refused = record["refused"]
    assert (refused.get("raised"), refused.get("status_code"), refused.get("error_code")) == ("ClientError", 400, -4120)
    assert refused["error_message"] == ("Order type not supported for this endpoint. "
                                        "Please use the Algo Order API endpoints instead.")
    assert (record["algoStatus"], record["cancel_code"]) == ("NEW", "200")


def test_the_official_examples_symbols(scenario: Dict[str, Any]) -> None:
    record = _check(scenario, "example_symbols")
    assert record["ok"], record
    assert record["klines"] == 2 and record["depth_symbol"] == "BNBUSD_PERP" and record["bids"] == 10
    assert record["errors"] == []


def test_official_websocket_clients_stop_within_bounds(scenario: Dict[str, Any]) -> None:
    stops = scenario["stop"]
    assert len(stops) == 3
    for stop in stops:
        assert stop["returned"] and not stop["reader_thread_alive"] and stop["error"] is None, stops
