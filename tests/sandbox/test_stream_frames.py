"""Stream messages leave the sandbox in runs written at once, still one WebSocket frame per message."""

from __future__ import annotations

import struct

import pytest

from binance.sandbox.frames import text_frames

websocket = pytest.importorskip("websocket")
pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(60)

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70000]


def _text(size: int, seed: int) -> str:
    """`size` characters; the one-character text is a two-byte one (frame lengths count bytes)."""
    if size == 1:
        return "é"
    return "".join(chr(97 + (seed + i) % 26) for i in range(size))


def test_frame_headers_at_the_length_boundaries():
    data = text_frames(["a" * 125, "b" * 126, "c" * 65536, "é"])
    assert data[:2] == bytes((0x81, 125)) and data[2:127] == b"a" * 125
    rest = data[127:]
    assert rest[:4] == struct.pack("!BBH", 0x81, 126, 126) and rest[4:130] == b"b" * 126
    rest = rest[130:]
    assert rest[:10] == struct.pack("!BBQ", 0x81, 127, 65536) and rest[10:65546] == b"c" * 65536
    assert rest[65546:] == bytes((0x81, 2)) + "é".encode()
    assert text_frames([]) == b""


def test_a_run_of_messages_arrives_as_separate_frames_in_order(make_sandbox):
    sb = make_sandbox(tick_interval=None)
    ws = websocket.create_connection(sb.um_stream_url + "/ws", timeout=10)
    try:
        assert sb.wait_for_connections(1, kind="stream")
        conn = sb.connections.snapshot("stream")[0]
        texts = [_text(size, i) for i, size in enumerate(SIZES * 3)]
        for text in texts:  # queued from another thread, drained by the writer in one go
            conn.send_raw(text)
        received = []
        for _ in texts:
            opcode, data = ws.recv_data()
            assert opcode == websocket.ABNF.OPCODE_TEXT
            received.append(data.decode("utf-8"))
        assert received == texts
        assert conn.messages_sent == len(texts)
    finally:
        ws.close()


def test_close_after_counts_the_messages_of_a_run(make_sandbox):
    sb = make_sandbox(tick_interval=None)
    ws = websocket.create_connection(sb.um_stream_url + "/ws", timeout=10)
    try:
        assert sb.wait_for_connections(1, kind="stream")
        conn = sb.connections.snapshot("stream")[0]
        conn.close_after(3)
        for i in range(10):
            conn.send_raw(f'{{"n":{i}}}')
        got = []
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
            while True:
                got.append(ws.recv())
                if len(got) > 10:
                    break
        assert got[:3] == ['{"n":0}', '{"n":1}', '{"n":2}'] and len(got) == 3
    finally:
        ws.close()
