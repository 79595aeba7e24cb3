"""The stream client end-to-end against a small local Binance-like server (tests/websocket/ws_fake_server.py)."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest

from binance.websocket._backoff import ReconnectPolicy
from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient
from binance.websocket.websocket_client import BinanceWebsocketClient

pytestmark = pytest.mark.timeout(60)

LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"


class Recorder:
    """Collects callbacks thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages = []
        self.errors = []
        self.opens = 0
        self.closes = 0
        self.reconnects = []
        self.pings = []
        self.first_args = set()

    def on_message(self, client, message):
        with self.lock:
            self.first_args.add(id(client))
            self.messages.append(message)

    def on_error(self, client, exc):
        with self.lock:
            self.errors.append(exc)

    def on_open(self, client):
        with self.lock:
            self.opens += 1

    def on_close(self, client):
        with self.lock:
            self.closes += 1

    def on_reconnect(self, client, streams):
        with self.lock:
            self.reconnects.append(list(streams))

    def on_ping(self, client, payload):
        with self.lock:
            self.pings.append(payload)

    def callbacks(self):
        return dict(
            on_message=self.on_message,
            on_error=self.on_error,
            on_open=self.on_open,
            on_close=self.on_close,
            on_reconnect=self.on_reconnect,
            on_ping=self.on_ping,
        )

    def events_for(self, stream):
        with self.lock:
            out = []
            for m in self.messages:
                if isinstance(m, str) and '"e": "test"' in m:
                    d = json.loads(m)
                    d = d.get("data", d)
                    if d["stream"] == stream:
                        out.append(d)
            return out

    def count_events(self):
        with self.lock:
            return sum(1 for m in self.messages if isinstance(m, str) and '"e": "test"' in m)


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def baseline_threads():
    return threading.active_count()


def test_usable_right_after_construction_and_callbacks_get_client_and_text(server, baseline_threads):
    rec = Recorder()
    client = UMFuturesWebsocketClient(server.url, **rec.callbacks())
    try:
        client.agg_trade(symbol="bnbusdt")
        client.kline(symbol="btcusdt", interval="1m")
        assert wait_until(lambda: rec.events_for("bnbusdt@aggTrade") and rec.events_for("btcusdt@kline_1m"))
        assert rec.opens == 1
        assert rec.first_args == {id(client)}
        assert all(isinstance(m, str) for m in rec.messages)
        assert sorted(client.subscriptions) == ["bnbusdt@aggTrade", "btcusdt@kline_1m"]
    finally:
        client.stop()
    assert rec.closes == 1
    assert threading.active_count() == baseline_threads


def test_constructor_does_not_block_when_nothing_listens(baseline_threads):
    started = time.monotonic()
    client = UMFuturesWebsocketClient("ws://127.0.0.1:9", timeout=1.0)
    client.agg_trade("btcusdt")
    assert time.monotonic() - started < 0.5
    client.stop()
    assert threading.active_count() == baseline_threads


def test_um_streams_go_to_their_category_paths(server):
    rec = Recorder()
    client = UMFuturesWebsocketClient(server.url, **rec.callbacks())
    try:
        client.agg_trade("btcusdt")
        client.diff_book_depth("btcusdt")
        client.book_ticker()
        client.rpi_diff_book_depth("btcusdt")
        client.mark_price("btcusdt", 1)
        client.user_data(LISTEN_KEY)

        def paths():
            return {c.path: sorted(c.subscriptions) for c in server.open_connections() if c.subscriptions}

        assert wait_until(lambda: len(paths()) == 3)
        assert paths() == {
            "/market/ws": ["btcusdt@aggTrade", "btcusdt@markPrice@1s"],
            "/public/ws": ["!bookTicker", "btcusdt@depth@100ms", "btcusdt@rpiDepth@500ms"],
            "/private/ws": [LISTEN_KEY],
        }
    finally:
        client.stop()


def test_combined_mode_uses_stream_paths_and_cm_has_no_categories(server):
    rec = Recorder()
    um = UMFuturesWebsocketClient(server.url + "/", is_combined=True, **rec.callbacks())
    cm = CMFuturesWebsocketClient(server.url, **rec.callbacks())
    try:
        um.diff_book_depth("btcusdt")
        cm.diff_book_depth("btcusd_perp")
        cm.index_price("btcusd")
        assert wait_until(lambda: rec.events_for("btcusdt@depth@100ms") and rec.events_for("btcusd@indexPrice@1s"))
        paths = {c.path for c in server.open_connections()}
        assert paths == {"/market/stream", "/public/stream", "/ws"}
        combined = [m for m in rec.messages if '"btcusdt@depth@100ms"' in m and '"data"' in m]
        assert combined
    finally:
        um.stop()
        cm.stop()


def test_id_and_action_semantics_of_4_2_0(server):
    client = UMFuturesWebsocketClient(server.url)
    try:
        client.agg_trade("BNBUSDT", id=5)
        client.agg_trade("BNBUSDT", id=6, action="UNSUBSCRIBE")
        client.list_subscribe(id=7)
        market = lambda: [c for c in server.open_connections() if c.path == "/market/ws"]  # noqa: E731
        assert wait_until(lambda: market() and len(market()[0].received) >= 3)
        received = market()[0].received
        assert received[:3] == [
            {"method": "SUBSCRIBE", "params": ["bnbusdt@aggTrade"], "id": 5},
            {"method": "UNSUBSCRIBE", "params": ["bnbusdt@aggTrade"], "id": 6},
            {"method": "LIST_SUBSCRIPTIONS", "id": 7},
        ]
        assert client.subscriptions == []
        client.subscribe(["a@aggTrade", "b@aggTrade"])
        assert wait_until(lambda: len(market()[0].received) >= 4)
        auto = market()[0].received[3]
        assert auto["method"] == "SUBSCRIBE" and isinstance(auto["id"], int) and auto["id"] > 0
    finally:
        client.stop()


def test_reconnects_after_drops_and_resubscribes_everything(server):
    rec = Recorder()
    client = UMFuturesWebsocketClient(server.url, **rec.callbacks())
    streams = ["btcusdt@aggTrade", "ethusdt@aggTrade", "btcusdt@depth@100ms", LISTEN_KEY]
    try:
        client.subscribe(streams)
        assert wait_until(lambda: all(rec.events_for(s) for s in streams))
        for round_ in range(3):
            reconnects = client.reconnects
            server.drop_all()
            mark = time.monotonic()
            assert wait_until(lambda r=reconnects: client.reconnects >= r + 3, 5), round_
            before = {s: len(rec.events_for(s)) for s in streams}
            assert wait_until(lambda b=before: all(len(rec.events_for(s)) > b[s] for s in streams), 5), round_
            assert time.monotonic() - mark < 5
        assert sorted(client.subscriptions) == sorted(streams)
        assert client.reconnects >= 9
        assert sorted(sum(rec.reconnects, [])).count("btcusdt@aggTrade") >= 3
    finally:
        client.stop()


def test_subscriptions_made_while_disconnected_are_sent_on_reconnect():
    from ws_fake_server import FakeStreamServer

    srv = FakeStreamServer(accept=False).start()
    rec = Recorder()
    client = CMFuturesWebsocketClient(
        srv.url, reconnect_policy=ReconnectPolicy(initial=0.05, maximum=0.2), **rec.callbacks()
    )
    try:
        client.agg_trade("btcusd_perp")
        client.ticker()
        time.sleep(0.5)
        assert rec.opens == 0 and rec.errors
        srv.accept = True
        assert wait_until(lambda: rec.events_for("btcusd_perp@aggTrade") and rec.events_for("!ticker@arr"), 5)
        assert rec.opens == 1
    finally:
        client.stop()
        srv.close()


def test_answers_each_ping_with_its_payload_even_when_the_callback_is_stuck(server):
    release = threading.Event()
    rec = Recorder()

    def slow(client, message):
        release.wait(10)

    client = UMFuturesWebsocketClient(server.url, on_message=slow, on_ping=rec.on_ping, queue_size=50)
    try:
        client.agg_trade("btcusdt")
        assert wait_until(lambda: server.open_connections() and server.open_connections()[0].subscriptions)
        time.sleep(0.3)
        for payload in (b"1700000000001", b"1700000000002"):
            server.ping_all(payload)
        conn = server.open_connections()[0]
        assert wait_until(lambda: conn.pongs[-2:] == [b"1700000000001", b"1700000000002"], 3)
        assert wait_until(lambda: client.dropped_messages > 0, 5)
    finally:
        release.set()
        client.stop()


def test_silence_beyond_the_timeout_reconnects(server):
    rec = Recorder()
    client = UMFuturesWebsocketClient(server.url, silence_timeout=0.6, **rec.callbacks())
    try:
        client.agg_trade("btcusdt")
        assert wait_until(lambda: rec.events_for("btcusdt@aggTrade"))
        server.stall_all()
        count = len(rec.events_for("btcusdt@aggTrade"))
        assert wait_until(lambda: len(rec.events_for("btcusdt@aggTrade")) > count + 3, 5)
        assert rec.reconnects
    finally:
        client.stop()


def test_quiet_but_live_connection_is_kept_by_the_ping_probe(server):
    rec = Recorder()
    client = CMFuturesWebsocketClient(server.url, silence_timeout=0.4, **rec.callbacks())
    try:
        assert wait_until(lambda: server.open_connections())
        time.sleep(1.5)
        assert rec.reconnects == []
        assert client.reconnects == 0
    finally:
        client.stop()


def test_server_shutdown_notice_triggers_a_seamless_renewal(server):
    rec = Recorder()
    client = UMFuturesWebsocketClient(server.url, **rec.callbacks())
    try:
        client.agg_trade("btcusdt")
        assert wait_until(lambda: rec.events_for("btcusdt@aggTrade"))
        server.send_all(json.dumps({"e": "serverShutdown", "E": 1}))
        assert wait_until(lambda: client.renewals == 1 and len(server.connections) == 2, 5)
        assert wait_until(lambda: server.connections[0].closed, 5)
        assert rec.reconnects == [] and client.reconnects == 0
        n = len(rec.events_for("btcusdt@aggTrade"))
        assert wait_until(lambda: len(rec.events_for("btcusdt@aggTrade")) > n)
    finally:
        client.stop()


def test_connection_is_renewed_before_its_maximum_age(server):
    rec = Recorder()
    client = UMFuturesWebsocketClient(server.url, max_connection_age=0.5, **rec.callbacks())
    try:
        client.agg_trade("btcusdt")
        assert wait_until(lambda: client.renewals >= 2, 5)
        assert rec.reconnects == []
        n = len(rec.events_for("btcusdt@aggTrade"))
        assert wait_until(lambda: len(rec.events_for("btcusdt@aggTrade")) > n)
    finally:
        client.stop()


def test_malformed_frames_and_callback_errors_do_not_stop_reading(server):
    rec = Recorder()
    failures = []

    def explode(client, message):
        rec.on_message(client, message)
        if "not json" in str(message):
            failures.append(message)
            json.loads(message)

    client = CMFuturesWebsocketClient(server.url, on_message=explode, on_error=rec.on_error)
    try:
        client.agg_trade("btcusd_perp")
        assert wait_until(lambda: rec.events_for("btcusd_perp@aggTrade"))
        server.send_all("not json <html>")
        server.send_all(b"\x00\xffbinary")
        assert wait_until(lambda: failures and any(isinstance(e, ValueError) for e in rec.errors))
        assert wait_until(lambda: b"\x00\xffbinary" in rec.messages)
        n = len(rec.events_for("btcusd_perp@aggTrade"))
        assert wait_until(lambda: len(rec.events_for("btcusd_perp@aggTrade")) > n)
        assert client.reconnects == 0
    finally:
        client.stop()


def test_stop_is_idempotent_bounded_with_a_silent_server_and_joins_every_thread(server, baseline_threads):
    client = UMFuturesWebsocketClient(server.url, timeout=2.0)
    client.agg_trade("btcusdt")
    client.diff_book_depth("btcusdt")
    assert wait_until(lambda: len(server.open_connections()) == 2)
    server.stall_all()
    started = time.monotonic()
    client.stop()
    client.stop()
    assert time.monotonic() - started < 4.0
    assert not any(t.is_alive() for t in client.threads())
    assert threading.active_count() == baseline_threads


def test_stop_from_inside_a_callback_does_not_deadlock(server, baseline_threads):
    done = threading.Event()

    def on_message(client, message):
        client.stop()
        done.set()

    client = UMFuturesWebsocketClient(server.url, on_message=on_message)
    client.agg_trade("btcusdt")
    assert done.wait(5)
    assert wait_until(lambda: threading.active_count() == baseline_threads, 5)


def test_outgoing_messages_are_throttled_to_ten_per_second(server):
    client = CMFuturesWebsocketClient(server.url)
    try:
        for i in range(25):
            client.subscribe(f"s{i}@aggTrade", id=i + 1)
        assert wait_until(lambda: server.open_connections() and len(server.open_connections()[0].received) == 25, 8)
        times = server.open_connections()[0].received_at
        for t in times:
            assert sum(1 for u in times if t <= u < t + 1.0) <= 10
    finally:
        client.stop()


def test_streams_are_spread_over_connections_past_the_cap(server):
    rec = Recorder()
    client = CMFuturesWebsocketClient(server.url, max_streams_per_connection=3, **rec.callbacks())
    streams = [f"s{i}@aggTrade" for i in range(7)]
    try:
        client.subscribe(streams)
        assert wait_until(lambda: all(rec.events_for(s) for s in streams))
        subs = sorted(len(c.subscriptions) for c in server.open_connections() if c.subscriptions)
        assert subs == [1, 3, 3]
        assert len(client.connections) == 3
    finally:
        client.stop()


def test_subscribe_and_unsubscribe_from_many_threads(server):
    client = CMFuturesWebsocketClient(server.url, max_messages_per_second=1000)
    try:

        def work(n):
            for i in range(20):
                client.subscribe(f"t{n}x{i}@aggTrade")
                if i % 2:
                    client.unsubscribe(f"t{n}x{i}@aggTrade")

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = sorted(f"t{n}x{i}@aggTrade" for n in range(4) for i in range(0, 20, 2))
        assert sorted(client.subscriptions) == expected
        assert wait_until(lambda: sorted(sum((c.subscriptions for c in server.open_connections()), [])) == expected, 5)
    finally:
        client.stop()


def test_gives_up_only_when_the_policy_says_so(baseline_threads):
    rec = Recorder()
    client = CMFuturesWebsocketClient(
        "ws://127.0.0.1:9",
        reconnect_policy=ReconnectPolicy(initial=0.01, maximum=0.02, max_attempts=2),
        **rec.callbacks(),
    )
    assert wait_until(lambda: any("gave up" in str(e) for e in rec.errors), 5)
    client.stop()
    assert threading.active_count() == baseline_threads


def test_listen_key_is_never_logged(server, caplog):
    caplog.set_level(logging.DEBUG)
    client = UMFuturesWebsocketClient(server.url)
    try:
        client.user_data(LISTEN_KEY)
        assert wait_until(lambda: any(c.subscriptions for c in server.open_connections()))
        server.drop_all()
        assert wait_until(lambda: client.reconnects >= 1 and client.is_open)
        client.user_data(LISTEN_KEY, action="UNSUBSCRIBE")
        time.sleep(0.3)
    finally:
        client.stop()
    assert "sent SUBSCRIBE" in caplog.text
    assert LISTEN_KEY not in caplog.text


def test_base_client_keeps_4_2_0_constructor_and_send(server):
    rec = Recorder()
    client = BinanceWebsocketClient(server.url + "/ws", rec.on_message, rec.on_open, rec.on_close, rec.on_error)
    try:
        client.send({"method": "SUBSCRIBE", "params": ["x@aggTrade"], "id": 9})
        assert wait_until(lambda: rec.events_for("x@aggTrade"))
        assert '{"result": null, "id": 9}' in rec.messages
        assert client.subscriptions == ["x@aggTrade"]
        client.ping()
    finally:
        client.stop()


def test_socket_manager_of_4_2_0_passes_itself_to_callbacks(server, baseline_threads):
    from binance.websocket.binance_socket_manager import BinanceSocketManager

    seen = []
    manager = BinanceSocketManager(server.url + "/ws", on_message=lambda m, text: seen.append((m, text)))
    manager.start()
    manager.send_message(json.dumps({"method": "SUBSCRIBE", "params": ["z@aggTrade"], "id": 2}))
    assert wait_until(lambda: any('"z@aggTrade"' in text for _, text in seen))
    assert all(m is manager for m, _ in seen)
    manager.close()
    manager.join()
    assert not manager.is_alive()
    assert threading.active_count() == baseline_threads


def test_package_exports_resolve():
    import binance.websocket as pkg

    for name in pkg.__all__:
        assert getattr(pkg, name) is not None
    with pytest.raises(AttributeError):
        pkg.NoSuchThing  # noqa: B018


def test_proxy_settings_reach_websocket_client():
    from binance.websocket.websocket_client import _proxy_options

    assert _proxy_options({"http": "http://user:pw@10.0.0.1:8080"}) == {
        "http_proxy_host": "10.0.0.1",
        "http_proxy_port": 8080,
        "http_proxy_auth": ("user", "pw"),
        "proxy_type": "http",
    }
    assert _proxy_options(None) == {}


def test_missed_server_ping_deadline_reconnects(server):
    rec = Recorder()
    client = CMFuturesWebsocketClient(server.url, ping_timeout=0.6, **rec.callbacks())
    try:
        client.agg_trade("btcusd_perp")
        assert wait_until(lambda: rec.reconnects, 5)
        assert rec.reconnects[0] == ["btcusd_perp@aggTrade"]
        client_pinged = client.reconnects
        for _ in range(5):
            server.ping_all(b"keep")
            time.sleep(0.2)
        assert client.reconnects <= client_pinged + 1
    finally:
        client.stop()
