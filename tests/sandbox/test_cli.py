"""``python -m binance.sandbox``: one JSON line once listening, exit 0 on SIGTERM / SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from binance._signing import HmacSigner

from .conftest import now_ms

pytestmark = pytest.mark.timeout(90)

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen(
        [sys.executable, "-m", "binance.sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def stop(proc: subprocess.Popen, sig: int) -> tuple:
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_prints_one_json_line_serves_and_exits_0(sig):
    proc = start("--seed", "3")
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        for name in ("um_rest_url", "cm_rest_url", "um_stream_url", "cm_stream_url", "um_ws_api_url",
                     "cm_ws_api_url", "api_key", "api_secret", "admin_url", "admin_token"):
            assert info[name], name
        assert requests.get(info["um_rest_url"] + "/fapi/v1/ping", timeout=5).json() == {}
        # a listed contract always has recent trades, from the moment the URL line is out
        for url, symbol in ((info["um_rest_url"] + "/fapi/v1", "BTCUSDT"), (info["cm_rest_url"] + "/dapi/v1",
                                                                         "BNBUSD_PERP")):
            for path in ("/trades", "/aggTrades"):
                assert requests.get(url + path, params={"symbol": symbol}, timeout=5).json(), (url, path)
        admin = requests.get(info["admin_url"] + "/info", timeout=5,
                             headers={"Authorization": "Bearer " + info["admin_token"]})
        assert admin.status_code == 200 and admin.json()["api_key"] == info["api_key"]
        assert info["api_secret"] not in admin.text and info["admin_token"] not in admin.text
        query = f"timestamp={now_ms()}"
        query += "&signature=" + HmacSigner(info["api_secret"]).sign(query)
        balance = requests.get(info["um_rest_url"] + "/fapi/v2/balance?" + query,
                               headers={"X-MBX-APIKEY": info["api_key"]}, timeout=5)
        assert balance.status_code == 200
    finally:
        code, out, err = stop(proc, sig)
    assert code == 0, err
    assert out == ""


def test_given_key_is_used_and_its_secret_not_printed(ed25519_pair, tmp_path):
    pem = tmp_path / "ed.pem"
    pem.write_text(ed25519_pair[1])
    proc = start("--api-key", "myBotKey", "--ed25519-public-key", str(pem))
    try:
        info = json.loads(proc.stdout.readline())
        assert info["api_key"] == "myBotKey" and "api_secret" not in info
    finally:
        code, _, err = stop(proc, signal.SIGTERM)
    assert code == 0, err


def test_secret_without_key_is_a_usage_error():
    proc = start("--api-secret", "s")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "--api-key" in err


def _abandoned_handshakes(port: int, count: int) -> None:
    import base64
    import socket
    import struct

    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        path = "/fstream/ws/btcusdt@depth" if i % 2 else "/ws-fapi/v1"
        sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        if i % 3 == 0:  # a reset rather than a FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()


def test_clients_leaving_during_the_handshake_leave_at_most_debug_lines():
    proc = start("--tick-interval", "0", "--log-level", "DEBUG")
    try:
        info = json.loads(proc.stdout.readline())
        port = int(info["um_rest_url"].rsplit(":", 1)[1].split("/", 1)[0])
        _abandoned_handshakes(port, 20)
        assert requests.get(info["um_rest_url"] + "/fapi/v1/ping", timeout=5).json() == {}
    finally:
        code, _, err = stop(proc, signal.SIGTERM)
    assert code == 0, err
    assert "Traceback" not in err and "ERROR" not in err, err[-3000:]
    assert "abandoned by the client" in err or "websocket open" in err
