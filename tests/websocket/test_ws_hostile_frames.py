"""Hostile frames: a 64 MB frame costs linear time (or is refused under the cap), masked frames fail the connection."""

from __future__ import annotations

import threading
import time

import pytest
from hostile_ws import BINARY, TEXT, HostileServer, frame, send_after_handshake
from websocket import WebSocketProtocolException

from binance.error import MessageTooLargeError
from binance.websocket._frames import DEFAULT_MAX_MESSAGE_SIZE, FrameParser
from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient

pytestmark = pytest.mark.timeout(60)

BIG = 64 * 1024 * 1024
FAST = {"initial": 0.05, "maximum": 0.2}


def _feed_in_reads(parser: FrameParser, data: bytes, size: int = 65536) -> list:
    out = []
    view = memoryview(data)
    for start in range(0, len(data), size):
        out += parser.feed(bytes(view[start:start + size]))
    return out


# ---------------------------------------------------------------------------- pure parser
def test_a_64mb_frame_read_in_64k_pieces_costs_linear_time():
    payload = b"x" * BIG
    data = frame(BINARY, payload)
    parser = FrameParser(max_message_size=2 * BIG)
    started = time.process_time()
    got = _feed_in_reads(parser, data)
    cpu = time.process_time() - started
    assert got == [(BINARY, payload)]
    assert parser.buffered == 0
    print(f"\nCPU for one 64 MB frame fed in 64 KiB reads: {cpu:.3f} s")
    assert cpu <= 2.0


def test_a_frame_over_the_cap_is_refused_from_its_header_alone():
    parser = FrameParser()
    header = frame(TEXT, b"x" * (DEFAULT_MAX_MESSAGE_SIZE + 1))[:10]
    with pytest.raises(MessageTooLargeError) as info:
        parser.feed(header)
    assert info.value.size == DEFAULT_MAX_MESSAGE_SIZE + 1
    assert info.value.limit == DEFAULT_MAX_MESSAGE_SIZE


def test_fragments_adding_up_past_the_cap_are_refused():
    parser = FrameParser(max_message_size=100)
    parser.feed(frame(TEXT, b"a" * 60, fin=False))
    with pytest.raises(MessageTooLargeError):
        parser.feed(frame(0x0, b"b" * 60, fin=True))


def test_a_message_at_the_cap_passes():
    parser = FrameParser(max_message_size=100)
    assert parser.feed(frame(TEXT, b"a" * 100)) == [(TEXT, b"a" * 100)]


# ---------------------------------------------------------------------------- over a real socket
def _client(url: str, **options):
    errors: list = []
    messages: list = []
    client = CMFuturesWebsocketClient(
        url,
        on_message=lambda _c, m: messages.append(m),
        on_error=lambda _c, e: errors.append(e),
        reconnect_policy=_policy(),
        **options,
    )
    client.subscribe("btcusd_perp@aggTrade")
    return client, messages, errors


def _policy():
    from binance.websocket._backoff import ReconnectPolicy

    return ReconnectPolicy(**FAST)


def _wait(predicate, timeout=20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_64mb_frame_over_the_cap_drops_the_connection_reports_and_reconnects():
    big = frame(TEXT, b"x" * BIG)
    with HostileServer(send_after_handshake(big, first_only=True)) as server:
        started = time.process_time()
        client, messages, errors = _client(server.url)
        try:
            assert _wait(lambda: len(server.connections()) >= 2)
            assert _wait(lambda: any(isinstance(e, MessageTooLargeError) for e in errors))
            assert client.oversized_messages == 1
            assert messages == []
        finally:
            client.stop()
        cpu = time.process_time() - started
    print(f"\n64 MB frame refused under the {DEFAULT_MAX_MESSAGE_SIZE} byte cap; process CPU {cpu:.3f} s")


def test_a_64mb_frame_under_a_raised_cap_is_delivered_in_linear_time():
    payload = b"y" * BIG
    big = frame(TEXT, payload)
    done = threading.Event()
    with HostileServer(send_after_handshake(big, first_only=True)) as server:
        client, messages, errors = _client(server.url, max_message_size=2 * BIG)
        try:
            assert _wait(lambda: len(server.connections()) >= 1)
            started = time.process_time()
            assert _wait(lambda: len(messages) >= 1, timeout=30)
            cpu = time.process_time() - started
            done.set()
            assert len(messages[0]) == BIG
            assert client.oversized_messages == 0
        finally:
            client.stop()
    print(f"\nprocess CPU while one 64 MB frame was received and delivered: {cpu:.3f} s")
    assert cpu <= 2.0


def test_a_masked_frame_from_the_server_fails_the_connection():
    masked = frame(TEXT, b'{"e":"aggTrade","s":"BTCUSD_PERP"}', masked=True)
    with HostileServer(send_after_handshake(masked, first_only=True)) as server:
        client, messages, errors = _client(server.url)
        try:
            assert _wait(lambda: any(isinstance(e, WebSocketProtocolException) for e in errors))
            assert _wait(lambda: len(server.connections()) >= 2)
            assert messages == []
        finally:
            client.stop()


# ---------------------------------------------------------------------------- the WebSocket API client
def _api_client(url: str, **options):
    from binance.websocket.api import UMFuturesWebsocketAPIClient

    return UMFuturesWebsocketAPIClient(stream_url=url + "/ws-fapi/v1", reconnect_policy=_policy(), **options)


def test_ws_api_drops_a_connection_whose_message_is_over_the_cap_and_opens_another():
    big = frame(TEXT, b"z" * (DEFAULT_MAX_MESSAGE_SIZE + 1))
    with HostileServer(send_after_handshake(big, first_only=True)) as server:
        client = _api_client(server.url)
        try:
            assert _wait(lambda: client.oversized_messages == 1)
            assert _wait(lambda: len(server.connections()) >= 2)
            assert client.wait_until_open(10)
        finally:
            client.stop()


def test_ws_api_fails_a_connection_that_sends_a_masked_frame():
    masked = frame(TEXT, b'{"id":1,"status":200,"result":{}}', masked=True)
    with HostileServer(send_after_handshake(masked, first_only=True)) as server:
        client = _api_client(server.url)
        try:
            assert _wait(lambda: len(server.connections()) >= 2)
        finally:
            client.stop()
