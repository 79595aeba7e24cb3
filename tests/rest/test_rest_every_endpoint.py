"""Every spec endpoint of both markets, called through the real client against a local recording server."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from rest_endpoint_calls import DATA, all_calls

from binance._signing import verify_hmac
from binance.cm_futures import CMFutures
from binance.um_futures import UMFutures

KEY, SECRET = "test-api-key", "test-api-secret"
CLIENTS = {"um": UMFutures, "cm": CMFutures}
CALLS = all_calls(CLIENTS)


def test_the_spec_copy_is_complete():
    assert len(DATA["um"]) == 96 and len(DATA["cm"]) == 64
    assert len(CALLS) == 160


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
def test_endpoint_sends_the_documented_request(server, call):
    client = CLIENTS[call.market](KEY, SECRET, base_url=server.url)
    getattr(client, call.method)(*call.args, **call.kwargs)

    assert len(server.requests) == 1
    request = server.last
    entry = call.entry
    assert request.method == entry["http_method"]
    assert request.path == entry["path"]
    sent = request.param_dict()
    assert [k for k, _ in request.params].count("signature") == (1 if entry["signed"] else 0)
    signature = sent.pop("signature", None)
    timestamp = sent.pop("timestamp", None)
    assert sent == call.expected
    if entry["signed"]:
        assert timestamp is not None and timestamp.isdigit()
        payload, raw_signature = request.signed_payload_and_signature()
        assert request.raw_query.endswith("&signature=" + raw_signature)
        assert verify_hmac(SECRET, payload, unquote(raw_signature))
        assert signature == unquote(raw_signature)
    else:
        assert timestamp is None
    if entry["signed"] or entry["api_key_required"]:
        assert request.headers.get("X-MBX-APIKEY") == KEY
    assert request.body == b""
