"""The admin paths: loopback Host, per-run token, JSON only, and no secret or listenKey in any answer."""

from __future__ import annotations

import pytest
import requests
import websocket

from binance.sandbox.admin_guard import admin_refusal

pytestmark = pytest.mark.timeout(60)

TOKEN = "t0ken"


@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:8080", None), ("localhost:8080", None), ("[::1]:8080", None), ("127.0.0.1", None),
    ("LOCALHOST", None), ("evil.example:8080", 403), ("127.0.0.1.evil.example", 403), ("", 403),
    ("192.168.1.5:80", 403), ("10.0.0.1:80", 403),
])
def test_host_rule(host, status):
    refusal = admin_refusal(TOKEN, "127.0.0.1", host, "Bearer " + TOKEN, "GET", "")
    assert (refusal and refusal[0]) == status


def test_the_address_the_sandbox_was_bound_to_is_accepted_but_not_the_wildcard():
    assert admin_refusal(TOKEN, "10.0.0.1", "10.0.0.1:80", "Bearer " + TOKEN, "GET", "") is None
    assert admin_refusal(TOKEN, "0.0.0.0", "10.0.0.1:80", "Bearer " + TOKEN, "GET", "")[0] == 403


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong", "Basic " + TOKEN, TOKEN])
def test_token_rule(authorization):
    assert admin_refusal(TOKEN, "127.0.0.1", "127.0.0.1:1", authorization, "GET", "")[0] == 401


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          ""])
def test_json_only_rule(content_type):
    assert admin_refusal(TOKEN, "127.0.0.1", "127.0.0.1:1", "Bearer " + TOKEN, "POST", content_type)[0] == 415
    assert admin_refusal(TOKEN, "127.0.0.1", "127.0.0.1:1", "Bearer " + TOKEN, "POST", "application/json") is None


def test_over_http_a_page_cannot_inject_a_fault(sandbox):
    url = sandbox.admin_url + "/faults"
    body = '{"fault": "rate_limit", "count": 1}'
    no_token = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=5)
    assert no_token.status_code == 401 and no_token.json()["ok"] is False
    text_plain = requests.post(url, data=body, headers=dict(sandbox.admin_headers, **{"Content-Type": "text/plain"}),
                               timeout=5)
    assert text_plain.status_code == 415
    rebound = requests.post(url, data=body, timeout=5, headers=dict(
        sandbox.admin_headers, **{"Content-Type": "application/json", "Host": "attacker.example"}))
    assert rebound.status_code == 403
    assert sandbox.faults.pending_rest_faults == 0
    ok = requests.post(url, data=body, headers=dict(sandbox.admin_headers, **{"Content-Type": "application/json"}),
                       timeout=5)
    assert ok.status_code == 200 and ok.json()["ok"] is True and sandbox.faults.pending_rest_faults == 1
    sandbox.faults.clear()


def test_no_secret_and_no_listen_key_comes_back(make_sandbox):
    sb = make_sandbox(api_key="K" * 64, api_secret="my-real-secret-value", tick_interval=None)
    info = requests.get(sb.admin_url + "/info", headers=sb.admin_headers, timeout=5)
    assert info.status_code == 200 and info.json()["api_key"] == "K" * 64
    assert "my-real-secret-value" not in info.text and sb.admin_token not in info.text
    key = requests.post(sb.um_rest_url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": sb.api_key},
                        timeout=5).json()["listenKey"]
    for url in (f"{sb.um_stream_url}/ws/{key}", f"{sb.um_stream_url}/private/ws?listenKey={key}"):
        ws = websocket.create_connection(url, timeout=5)
        try:
            assert sb.wait_for_connections(1, kind="stream")
            conns = requests.get(sb.admin_url + "/connections", headers=sb.admin_headers, timeout=5)
            assert conns.status_code == 200 and conns.json()["connections"]
            assert key not in conns.text
        finally:
            ws.close()
            sb.wait_for_no_connections()
