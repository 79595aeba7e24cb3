"""The pytest plugin (binance/pytest_plugin.py, entry point pytest11): its fixtures, used by this suite
itself, and pytest still working when the sandbox extra (aiohttp) is missing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from binance.error import ServerError

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(60)


def test_the_plugin_is_registered_by_its_entry_point(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.get_plugin("binance_sandbox") is not None


@pytest.mark.binance_sandbox(seed=7, tick_interval=None)
def test_rest_clients_and_faults(binance_sandbox, binance_faults, um_client, cm_client) -> None:
    assert binance_sandbox.seed == 7
    assert um_client.base_url == binance_sandbox.um_rest_url
    assert cm_client.time()["serverTime"] > 0
    binance_faults.server_error(count=1)
    with pytest.raises(ServerError):
        um_client.time()
    assert um_client.time()["serverTime"] > 0


def test_stream_and_ws_api_clients(um_stream_client, cm_stream_client, um_ws_api_client, cm_ws_api_client) -> None:
    got = {"um": threading.Event(), "cm": threading.Event()}
    um = um_stream_client(on_message=lambda _c, m: "markPriceUpdate" in m and got["um"].set())
    cm = cm_stream_client(on_message=lambda _c, m: "markPriceUpdate" in m and got["cm"].set())
    um.mark_price("btcusdt", speed=1)
    cm.mark_price("btcusd_perp", speed=1)
    assert got["um"].wait(10) and got["cm"].wait(10)
    assert um_ws_api_client.account_balance()
    assert cm_ws_api_client.account_balance()


def test_user_data_stream_is_live(user_data_stream, um_client) -> None:
    seen = threading.Event()

    def on_message(_client, message):
        event = json.loads(message)
        if event.get("e") == "ORDER_TRADE_UPDATE" and event["o"]["c"] == "plugin-1":
            seen.set()

    stream = user_data_stream(on_message=on_message)
    assert stream.ready
    um_client.new_order("BTCUSDT", "BUY", "MARKET", quantity="0.01", newClientOrderId="plugin-1")
    assert seen.wait(10)


BLOCK_AIOHTTP = "import sys; sys.modules['aiohttp'] = None; "


def test_without_aiohttp_pytest_runs_and_the_fixture_names_the_extra(tmp_path: Path) -> None:
    (tmp_path / "test_bot.py").write_text(textwrap.dedent("""
        def test_plain():
            assert 1 + 1 == 2

        def test_needs_the_sandbox(binance_sandbox):
            pass
    """))
    code = BLOCK_AIOHTTP + "import pytest; sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'test_bot.py']))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "the `sandbox` extra" in done.stdout


def test_without_aiohttp_the_sandbox_names_the_extra(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", BLOCK_AIOHTTP + "from binance.sandbox import Sandbox"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "ModuleNotFoundError: binance.sandbox needs aiohttp, which the `sandbox` extra installs" in done.stderr
    run_main = BLOCK_AIOHTTP + (
        "import runpy; sys.argv = ['x']; runpy.run_module('binance.sandbox', run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", run_main], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("binance.sandbox needs aiohttp") and "Traceback" not in done.stderr
    # the engine and the command-line help need no aiohttp
    done = subprocess.run([sys.executable, "-c", BLOCK_AIOHTTP + "import binance.sandbox.engine; import runpy; "
                           "sys.argv = ['x', '--help']; runpy.run_module('binance.sandbox', run_name='__main__')"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "usage:" in done.stdout
