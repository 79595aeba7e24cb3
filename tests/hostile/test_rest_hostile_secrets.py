"""No secret (API key, secret, signature, listenKey) in any log record at DEBUG or in any exception
chain (str, repr, args, attributes, causes, contexts, a requests `.request`), over every hostile case."""

from __future__ import annotations

import logging
import re
import socket
import sys
import traceback
from typing import List
from urllib.parse import unquote

import pytest
from hostile_servers import API_KEY, LISTEN_KEY, SECRET, echo, exception_chain_text, redirect, truncated_body
from test_rest_hostile_typed import hostile_cases, run_case

from binance.error import ConnectError
from binance.um_futures import UMFutures

pytestmark = pytest.mark.timeout(120)

UNMASKED_SIGNATURE = re.compile(r"signature=(?!\*\*\*)[^&\s'\"]+")


def _text_of(exc: BaseException) -> str:
    return exception_chain_text(exc) + "\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def test_connect_error_chain_holds_no_signed_url(hostile):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    client = UMFutures(API_KEY, SECRET, base_url=f"http://127.0.0.1:{port}", timeout=5)
    with pytest.raises(ConnectError) as info:
        client.new_order("BTCUSDT", "BUY", "MARKET", quantity="0.01")
    text = _text_of(info.value)
    assert "timestamp=" not in text and "signature" not in text and API_KEY not in text
    assert info.value.__cause__ is not None and info.value.__cause__.__cause__ is None
    assert info.value.__cause__.__context__ is None


def test_no_secret_at_debug_in_logs_or_exception_chains(hostile, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: every library's logger at DEBUG
    for name in ("urllib3", "urllib3.connectionpool", "requests", "binance"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    chains: List[str] = []
    servers = []

    def make(behaviour=None, routes=None):
        server = hostile(behaviour, routes)
        servers.append(server)
        return server

    for case in hostile_cases().values():
        result = run_case(make, case)
        if isinstance(result, BaseException):
            chains.append(_text_of(result))
    for behaviour in (redirect(307, "http://127.0.0.1:9/x?signature=deadbeef" + "0" * 56), truncated_body,
                      echo("200 OK"), echo("400 Bad Request"), echo("502 Bad Gateway")):
        server = make(behaviour)
        client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=5)
        for name, args in (("renew_listen_key", (LISTEN_KEY,)), ("close_listen_key", (LISTEN_KEY,)), ("account", ())):
            try:
                getattr(client, name)(*args)
            except Exception as exc:  # every chain is searched below
                chains.append(_text_of(exc))
            else:
                assert behaviour is not truncated_body
    signatures = set()
    for server in servers:
        for seen in server.requests:
            value = seen.params().get("signature")
            if value:
                signatures.update({value, unquote(value)})
    assert len(signatures) >= 20
    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logged = "\n".join(fmt.format(r) + repr(r.args) + str(r.msg) for r in caplog.records)
    everything = logged + "\n".join(chains)
    found = [s for s in (API_KEY, SECRET, LISTEN_KEY, *signatures) if s in everything]
    found += UNMASKED_SIGNATURE.findall(everything)
    sys.stderr.write(f"figure: {len(caplog.records)} log records at DEBUG and {len(chains)} exception chains "
                     f"searched; secrets found: {len(found)}\n")
    assert found == []
    assert any(r.name.startswith("urllib3") for r in caplog.records)  # urllib3 did log at DEBUG
