"""A small Binance-like stream server for the client tests (aiohttp on 127.0.0.1, port 0).

It answers SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS, pushes one event per subscribed stream every
``push_interval`` seconds, and can ping, drop, stall, send raw frames or a ``serverShutdown``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from aiohttp import WSMsgType, web


@dataclass
class FakeConnection:
    path: str
    ws: web.WebSocketResponse
    subscriptions: List[str] = field(default_factory=list)
    received: List[Any] = field(default_factory=list)
    pongs: List[bytes] = field(default_factory=list)
    received_at: List[float] = field(default_factory=list)
    stalled: bool = False
    closed: bool = False
    closed_at: Optional[float] = None


class FakeStreamServer:
    """Background-thread aiohttp server; all control methods are thread-safe."""

    def __init__(self, push_interval: float = 0.02, accept: bool = True) -> None:
        self.push_interval = push_interval
        self.accept = accept
        self.connections: List[FakeConnection] = []
        self._counter = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-stream-server", daemon=True)
        self._runner: Optional[web.AppRunner] = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "FakeStreamServer":
        self._thread.start()
        self._ready.wait(10)
        return self

    def close(self) -> None:
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        fut.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._startup())
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _startup(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self._pusher = asyncio.ensure_future(self._push_forever())

    async def _shutdown(self) -> None:
        self._pusher.cancel()
        for conn in list(self.connections):
            if not conn.closed:
                await conn.ws.close()
        await self._runner.cleanup()

    # ------------------------------------------------------------------ serving
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if not self.accept:
            return web.Response(status=503)
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        conn = FakeConnection(path=request.path, ws=ws)
        with self._lock:
            self.connections.append(conn)
        try:
            async for msg in ws:
                if conn.stalled:
                    continue
                if msg.type == WSMsgType.TEXT:
                    conn.received.append(json.loads(msg.data))
                    conn.received_at.append(time.monotonic())
                    await self._control(conn, conn.received[-1])
                elif msg.type == WSMsgType.PING:
                    await ws.pong(msg.data)
                elif msg.type == WSMsgType.PONG:
                    conn.pongs.append(msg.data)
        finally:
            conn.closed_at = time.monotonic()
            conn.closed = True
        return ws

    async def _control(self, conn: FakeConnection, message: Dict[str, Any]) -> None:
        method = message.get("method")
        if method == "SUBSCRIBE":
            for name in message["params"]:
                if name not in conn.subscriptions:
                    conn.subscriptions.append(name)
            await conn.ws.send_str(json.dumps({"result": None, "id": message["id"]}))
        elif method == "UNSUBSCRIBE":
            for name in message["params"]:
                if name in conn.subscriptions:
                    conn.subscriptions.remove(name)
            await conn.ws.send_str(json.dumps({"result": None, "id": message["id"]}))
        elif method == "LIST_SUBSCRIPTIONS":
            await conn.ws.send_str(json.dumps({"result": list(conn.subscriptions), "id": message["id"]}))

    async def _push_forever(self) -> None:
        while True:
            await asyncio.sleep(self.push_interval)
            for conn in list(self.connections):
                if conn.closed or conn.stalled:
                    continue
                for name in list(conn.subscriptions):
                    self._counter += 1
                    payload = json.dumps({"e": "test", "stream": name, "n": self._counter})
                    if conn.path.endswith("/stream"):
                        payload = json.dumps({"stream": name, "data": json.loads(payload)})
                    try:
                        await conn.ws.send_str(payload)
                    except (ConnectionError, RuntimeError):
                        break

    # ------------------------------------------------------------------ controls (any thread)
    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def open_connections(self) -> List[FakeConnection]:
        with self._lock:
            return [c for c in self.connections if not c.closed]

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    def drop_all(self) -> None:
        async def drop() -> None:
            for conn in self.open_connections():
                transport = conn.ws._req.transport if conn.ws._req else None
                if transport is not None:
                    transport.abort()

        self._run(drop())

    def stall_all(self) -> None:
        for conn in self.open_connections():
            conn.stalled = True

    def ping_all(self, payload: bytes) -> None:
        async def ping() -> None:
            for conn in self.open_connections():
                await conn.ws.ping(payload)

        self._run(ping())

    def send_all(self, data: Any) -> None:
        async def send() -> None:
            for conn in self.open_connections():
                if isinstance(data, bytes):
                    await conn.ws.send_bytes(data)
                else:
                    await conn.ws.send_str(data)

        self._run(send())

    def send_to(self, conn: FakeConnection, *texts: str) -> None:
        """Send ``texts`` on one connection, back to back."""

        async def send() -> None:
            for text in texts:
                await conn.ws.send_str(text)

        self._run(send())

    def close_all(self) -> None:
        async def close() -> None:
            for conn in self.open_connections():
                await conn.ws.close()

        self._run(close())
