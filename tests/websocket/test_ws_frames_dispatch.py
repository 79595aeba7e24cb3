"""The stream hot path: the frame parser (pure), the callback dispatcher, and a burst through both."""

from __future__ import annotations

import json
import threading
import time

import pytest
from websocket import ABNF, WebSocketProtocolException

from binance.websocket._connection import ConnectionListener, ConnectionSettings, StreamConnection
from binance.websocket._dispatch import Dispatcher
from binance.websocket._frames import BINARY, CLOSE, PING, TEXT, FrameParser

pytestmark = pytest.mark.timeout(30)


def frame(opcode, data, fin=1, masked=False, rsv1=0):
    """RFC 6455 framing, written out independently of the parser under test."""
    head = bytes([fin << 7 | rsv1 << 6 | opcode])
    bit = 0x80 if masked else 0
    size = len(data)
    if size < 126:
        head += bytes([bit | size])
    elif size < 65536:
        head += bytes([bit | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + size.to_bytes(8, "big")
    if not masked:
        return head + data
    key = b"\x11\x22\x33\x44"
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(data))


# ---------------------------------------------------------------------------- frame parser
STREAM = [
    frame(TEXT, b'{"e":"aggTrade"}'),
    frame(BINARY, b"\x00\xff" * 100),  # 16-bit length
    frame(TEXT, b"x" * 70000),  # 64-bit length
    frame(TEXT, "caf\u00e9".encode()),
    frame(TEXT, b"frag-", fin=0),
    frame(PING, b"1700000000001"),  # a control frame between fragments
    frame(ABNF.OPCODE_CONT, b"ment", fin=0),
    frame(ABNF.OPCODE_CONT, b"ed", fin=1),
    frame(CLOSE, b"\x03\xe8"),
]
EXPECTED = [
    (TEXT, b'{"e":"aggTrade"}'),
    (BINARY, b"\x00\xff" * 100),
    (TEXT, b"x" * 70000),
    (TEXT, "caf\u00e9".encode()),
    (PING, b"1700000000001"),
    (TEXT, b"frag-mented"),
    (CLOSE, b"\x03\xe8"),
]


def test_parser_returns_every_message_whole_in_one_read():
    parser = FrameParser()
    assert parser.feed(b"".join(STREAM)) == EXPECTED
    assert parser.buffered == 0


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1000, 65536])
def test_parser_gives_the_same_messages_however_the_bytes_are_split(size):
    data = b"".join(STREAM)
    parser = FrameParser()
    got = []
    for start in range(0, len(data), size):
        got += parser.feed(data[start:start + size])
    assert got == EXPECTED


@pytest.mark.parametrize(
    "raw",
    [
        frame(0x3, b"reserved opcode"),
        frame(TEXT, b"compressed?", rsv1=1),
        frame(PING, b"p" * 126),
        frame(PING, b"p", fin=0),
        frame(ABNF.OPCODE_CONT, b"no message to continue"),
        frame(TEXT, b"a", fin=0) + frame(TEXT, b"b"),
        frame(TEXT, "caf\u00e9".encode(), masked=True),
    ],
    ids=[
        "reserved-opcode",
        "rsv-bit",
        "oversized-ping",
        "fragmented-ping",
        "stray-continuation",
        "nested-message",
        "masked-by-server",
    ],
)
def test_parser_rejects_protocol_violations(raw):
    with pytest.raises(WebSocketProtocolException):
        FrameParser().feed(raw)


def test_parser_hands_back_unread_messages_once():
    parser = FrameParser()
    messages = parser.feed(frame(TEXT, b"notice") + frame(TEXT, b"after"))
    parser.unread(messages[1:])
    assert parser.take_unread() == [(TEXT, b"after")]
    assert parser.take_unread() == []


# ---------------------------------------------------------------------------- dispatcher
def _dispatcher(maxsize=10000, on_error=None):
    dispatcher = Dispatcher("owner", on_error, maxsize=maxsize)
    dispatcher.start()
    return dispatcher


def test_dispatcher_delivers_everything_in_order_from_several_threads():
    got = []
    done = threading.Event()
    total = 2 * 20000

    def record(owner, source, n):
        got.append((source, n))
        if len(got) == total:
            done.set()

    dispatcher = _dispatcher(maxsize=total)

    def produce(source):
        for n in range(20000):
            dispatcher.put(record, source, n)
            if n % 997 == 0:
                time.sleep(0.001)  # let the callback thread go idle now and then

    producers = [threading.Thread(target=produce, args=(source,)) for source in "ab"]
    for thread in producers:
        thread.start()
    for thread in producers:
        thread.join()
    assert done.wait(10), f"{len(got)}/{total} delivered"
    for source in "ab":
        assert [n for s, n in got if s == source] == list(range(20000))
    assert dispatcher.dropped == 0
    dispatcher.close()
    assert not dispatcher.thread.is_alive()


def test_dispatcher_drops_the_oldest_when_the_callback_cannot_keep_up():
    started, release = threading.Event(), threading.Event()
    got = []

    def slow(owner, n):
        started.set()
        release.wait(10)
        got.append(n)

    dispatcher = _dispatcher(maxsize=5)
    dispatcher.put(slow, 0)
    assert started.wait(5)
    for n in range(1, 11):
        dispatcher.put(slow, n)
    assert dispatcher.dropped == 5
    release.set()
    deadline = time.monotonic() + 5
    while len(got) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert got == [0, 6, 7, 8, 9, 10]
    dispatcher.close()


def test_a_stuck_callback_pauses_the_reader_once_then_drops_the_oldest():
    started, release = threading.Event(), threading.Event()
    dispatcher = _dispatcher(maxsize=10)
    dispatcher.put(lambda owner, n: (started.set(), release.wait(10)), 0)
    assert started.wait(5)
    began = time.monotonic()
    for n in range(1, 1001):
        dispatcher.put(lambda owner, n: None, n)
    assert time.monotonic() - began < 2.0, "the reader kept waiting for a callback that cannot keep up"
    assert dispatcher.dropped == 990
    release.set()
    dispatcher.close()


def test_a_callback_slower_than_a_burst_slows_the_reader_and_loses_nothing():
    got = []

    def slowish(owner, n):
        time.sleep(0.0002)
        got.append(n)

    dispatcher = _dispatcher(maxsize=100)
    for n in range(2000):
        dispatcher.put(slowish, n)
    deadline = time.monotonic() + 10
    while len(got) < 2000 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dispatcher.dropped == 0
    assert got == list(range(2000))
    dispatcher.close()


def test_dispatcher_passes_callback_errors_to_on_error_and_goes_on():
    errors, got = [], []
    dispatcher = _dispatcher(on_error=lambda owner, exc: errors.append((owner, exc)))

    def failing(owner, n):
        if n == 1:
            raise ValueError("boom")
        got.append(n)

    for n in range(3):
        dispatcher.put(failing, n)
    deadline = time.monotonic() + 5
    while 2 not in got and time.monotonic() < deadline:
        time.sleep(0.01)
    dispatcher.close(final=lambda owner: got.append("final"))
    assert got == [0, 2, "final"]
    assert len(errors) == 1 and errors[0][0] == "owner" and str(errors[0][1]) == "boom"


def test_dispatcher_close_is_bounded_with_a_stuck_callback_and_ignores_later_puts():
    started, release = threading.Event(), threading.Event()
    got = []
    dispatcher = _dispatcher()
    dispatcher.put(lambda owner: (started.set(), release.wait(10)))
    assert started.wait(5)
    began = time.monotonic()
    dispatcher.close(timeout=0.3)
    assert time.monotonic() - began < 3
    dispatcher.put(lambda owner: got.append("late"))
    release.set()
    dispatcher.thread.join(5)
    assert not dispatcher.thread.is_alive() and got == []


# ---------------------------------------------------------------------------- a burst through the reader
class Collect(ConnectionListener):
    def __init__(self, expected):
        self.texts = []
        self.expected = expected
        self.done = threading.Event()

    def connection_message(self, conn, data):
        self.texts.append(data)
        if len(self.texts) >= self.expected:
            self.done.set()


def test_a_burst_larger_than_one_read_arrives_whole_and_in_order(server):
    texts = [json.dumps({"e": "burst", "n": n}) for n in range(3000)]
    texts.insert(1500, json.dumps({"e": "big", "pad": "x" * 200_000}))
    listener = Collect(len(texts))
    conn = StreamConnection(f"{server.url}/ws", listener, ConnectionSettings())
    conn.start()
    try:
        assert server.wait_for(lambda: server.open_connections())
        server.send_to(server.open_connections()[0], *texts)
        assert listener.done.wait(10), f"{len(listener.texts)}/{len(texts)} delivered"
        assert listener.texts == texts
    finally:
        conn.stop()
        assert conn.join(5.0)


def test_pings_are_answered_while_a_slowish_callback_holds_the_reader_back(server):
    from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

    got = []

    def slowish(client, message):
        if '"burst"' in message:
            time.sleep(0.0005)
            got.append(json.loads(message)["n"])

    client = UMFuturesWebsocketClient(server.url, on_message=slowish, queue_size=400)
    try:
        client.subscribe("btcusdt@kline_1m")  # a connection opens for a route that carries a stream
        assert server.wait_for(lambda: server.open_connections())
        conn = server.open_connections()[0]
        server.send_to(conn, *[json.dumps({"e": "burst", "n": n}) for n in range(4000)])
        server.ping_all(b"1700000000009")
        assert server.wait_for(lambda: b"1700000000009" in conn.pongs, 5.0)
        assert server.wait_for(lambda: len(got) + client.dropped_messages >= 4000, 15.0)
        assert got == sorted(got) and client.reconnects == 0
    finally:
        client.stop()
