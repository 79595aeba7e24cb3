"""Connection behaviour against the sandbox: drops with requests in flight, timeouts, pings,
reconnects, the 24 h replacement, stop()."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest

from binance.error import ConnectError, ConnectionLostError, OutcomeUnknownError, ReadTimeoutError
from binance.websocket.api import State, UMFuturesWebsocketAPIClient

SYMBOL = "BTCUSDT"


def _resting_buy_price(client) -> str:
    price = float(client.ticker_price(symbol=SYMBOL)["price"])
    return f"{round(price * 0.8, 1):.1f}"


def _logged_ids(sandbox, prefix):
    return [e.get("clientOrderId") for e in list(sandbox.exchange.order_log)
            if str(e.get("clientOrderId", "")).startswith(prefix)]


def _order(client, price, cid):
    return client.submit("order.place", {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                         "quantity": "0.003", "price": price, "newClientOrderId": cid})


def test_drop_with_50_requests_in_flight_from_5_threads(sandbox, make_client):
    client = make_client(timeout=5.0)
    price = _resting_buy_price(client)
    prefix = "drop50-" + uuid.uuid4().hex[:8] + "-"
    sandbox.faults.stall(kind="ws_api")  # the server executes but answers nothing: replies pile up
    outcomes, started = [], threading.Barrier(6)
    lock = threading.Lock()

    def worker(w):
        calls = [_order(client, price, f"{prefix}{w}-{i}") for i in range(10)]
        started.wait(5)
        for call in calls:
            t0 = time.monotonic()
            try:
                call.result()
                outcome = "ok"
            except ConnectionLostError:
                outcome = "lost"
            except Exception as exc:  # noqa: BLE001 - recorded, the assertion below names it
                outcome = repr(exc)
            with lock:
                outcomes.append((outcome, time.monotonic() - t0))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(5)]
    for t in threads:
        t.start()
    started.wait(5)
    deadline = time.monotonic() + 5
    while len(_logged_ids(sandbox, prefix)) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    t_drop = time.monotonic()
    sandbox.faults.drop_all(kind="ws_api")
    sandbox.faults.unstall()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads), "a caller hangs"
    assert len(outcomes) == 50
    assert {o for o, _ in outcomes} == {"lost"}
    assert time.monotonic() - t_drop < 4.0  # they failed at the drop, not at their 5 s timeout

    assert client.wait_until_open(5)
    assert client.ticker_price(symbol=SYMBOL)["symbol"] == SYMBOL  # reconnected
    time.sleep(0.3)
    ids = _logged_ids(sandbox, prefix)
    assert len(ids) == len(set(ids)) == 50, "an order was sent twice (or lost before the server)"


def test_drop_during_blocking_calls_each_returns_or_raises(sandbox, make_client):
    client = make_client(timeout=5.0)
    price = _resting_buy_price(client)
    prefix = "dropb-" + uuid.uuid4().hex[:8] + "-"
    results = []
    lock = threading.Lock()

    def worker(w):
        for i in range(10):
            try:
                _order(client, price, f"{prefix}{w}-{i}").result()
                outcome = "ok"
            except (ConnectionLostError, ConnectError):
                outcome = "lost"
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(5)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while len(_logged_ids(sandbox, prefix)) < 10 and time.monotonic() < deadline:
        time.sleep(0.001)
    sandbox.faults.drop_all(kind="ws_api")
    for t in threads:
        t.join(15)
    assert not any(t.is_alive() for t in threads)
    assert len(results) == 50
    ids = _logged_ids(sandbox, prefix)
    assert len(ids) == len(set(ids))
    assert results.count("ok") <= len(ids)


def test_no_reply_within_timeout_raises_read_timeout(sandbox, make_client):
    client = make_client(timeout=0.5)
    client.ticker_price(symbol=SYMBOL)  # answered: the server has registered the connection
    sandbox.faults.stall(kind="ws_api")
    try:
        t0 = time.monotonic()
        with pytest.raises(ReadTimeoutError) as info:
            client.ticker_price(symbol=SYMBOL)
        assert isinstance(info.value, OutcomeUnknownError)
        assert 0.4 < time.monotonic() - t0 < 3.0
    finally:
        sandbox.faults.unstall()
    assert client.ticker_price(symbol=SYMBOL)["symbol"] == SYMBOL


def test_no_server_raises_connect_error_nothing_sent():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = UMFuturesWebsocketAPIClient("k", "s", stream_url=f"ws://127.0.0.1:{port}/ws-fapi/v1", timeout=0.5,
                                         connect_timeout=0.5)
    try:
        with pytest.raises(ConnectError):
            client.ticker_price(symbol=SYMBOL)
        assert client.state in (State.CONNECTING, State.RECONNECTING)
    finally:
        client.stop()
    assert client.threads() == [] and client.state is State.CLOSED


def test_server_pings_are_answered_so_the_connection_survives(make_client, sandbox):
    settings = sandbox.settings
    old = settings.ping_interval, settings.pong_timeout
    settings.ping_interval, settings.pong_timeout = 0.1, 0.3
    try:
        client = make_client()
        assert client.wait_until_open(5)
        link = client._link
        time.sleep(1.0)
        assert client._link is link and not link.closed  # would be dropped after 0.3 s without pongs
        assert link.last_ping_payload and link.last_ping_payload.isdigit()
        assert client.ticker_price(symbol=SYMBOL)["symbol"] == SYMBOL
    finally:
        settings.ping_interval, settings.pong_timeout = old


def test_connection_is_replaced_before_its_age_limit_without_failing_calls(make_client, sandbox):
    client = make_client(max_connection_age=0.3)
    assert client.wait_until_open(5)
    first = client._link
    seen = set()
    t_end = time.monotonic() + 1.5
    while time.monotonic() < t_end:
        assert client.ticker_price(symbol=SYMBOL)["symbol"] == SYMBOL
        seen.add(client._link.number if client._link else None)
    assert first.closed and len(seen - {None}) >= 3


def test_stop_is_idempotent_bounded_and_joins_threads(make_client):
    client = make_client()
    assert client.wait_until_open(5)
    t0 = time.monotonic()
    client.stop()
    client.stop()
    assert time.monotonic() - t0 < 5
    assert client.threads() == [] and client.state is State.CLOSED
    with pytest.raises(ConnectError):
        client.ticker_price(symbol=SYMBOL)


def test_stop_fails_requests_in_flight(sandbox, make_client):
    client = make_client(timeout=5)
    client.ticker_price(symbol=SYMBOL)
    sandbox.faults.stall(kind="ws_api")
    try:
        call = client.submit("ticker.price", {"symbol": SYMBOL})
        client.stop()
        with pytest.raises(ConnectionLostError):
            call.result()
    finally:
        sandbox.faults.unstall()


def test_many_threads_share_one_connection(make_client, sandbox):
    client = make_client()
    symbols = ["BTCUSDT", "ETHUSDT"]
    errors = []

    def worker(n):
        for i in range(25):
            symbol = symbols[(n + i) % 2]
            try:
                assert client.ticker_price(symbol=symbol)["symbol"] == symbol
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    assert client.wait_until_open(5) and sandbox.connections.wait_for(1, kind="ws_api")
    link, before = client._link, sandbox.connections.total_opened
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert client._link is link and sandbox.connections.total_opened == before  # no second connection


def test_server_shutdown_notice_moves_to_a_new_connection(make_client, sandbox):
    client = make_client()
    client.ticker_price(symbol=SYMBOL)
    first = client._link
    conn = sandbox.connections.snapshot("ws_api")[-1]  # the newest
    conn.send_raw('{"event":{"e":"serverShutdown","E":1700000000000}}')
    deadline = time.monotonic() + 5
    while (client._link is first or first is None or not first.closed) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert first.closed and client._link is not None and client._link is not first
    assert client.ticker_price(symbol=SYMBOL)["symbol"] == SYMBOL
