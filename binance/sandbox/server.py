"""The sandbox's aiohttp application (HTTP and WebSocket on one event loop) and its thread.

REST calls go: fault switch -> endpoint lookup (404 `-5000` when unknown) -> request weight
(429 / 418) -> API key, timestamp and signature checks -> order counts -> `handlers.dispatch`.
Every answer carries `X-MBX-USED-WEIGHT-1M`; order endpoints also `X-MBX-ORDER-COUNT-10S` and
`X-MBX-ORDER-COUNT-1M`.

Extensions: each module named in `EXTENSIONS` is imported when the app is built and its
`setup(app, sandbox)` is called; a module that does not exist yet is skipped.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import threading
import time
from functools import partial
from typing import Any, Dict, List, Optional

from aiohttp import web

from binance._redact import redact
from binance.sandbox._host import SandboxHost
from binance.sandbox.admin_guard import admin_refusal
from binance.sandbox.auth import parse_params
from binance.sandbox.connection import describe
from binance.sandbox.engine.errors import EngineError
from binance.sandbox.faults import RestFault
from binance.sandbox.ratelimit import RateLimitExceeded
from binance.sandbox.routes import (
    REST_PREFIX,
    STREAM_PREFIX,
    endpoint_weight,
    find_endpoint,
)
from binance.sandbox.stream_server import StreamConnection, StreamHub
from binance.sandbox.streams import path_route

logger = logging.getLogger(__name__)

__all__ = ["EXTENSIONS", "build_app", "ServerThread", "SANDBOX_KEY", "HUBS_KEY"]

EXTENSIONS: List[str] = ["binance.sandbox.ws_api"]

SANDBOX_KEY = web.AppKey("sandbox", SandboxHost)
HUBS_KEY = web.AppKey("stream_hubs", dict)

_JSON = "application/json"
_HTML_PAGE = (
    "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n"
    "<hr><center>sandbox</center>\r\n</body>\r\n</html>\r\n"
)
_UNKNOWN_ERROR = {"code": -1000, "msg": "An unknown error occured while processing the request."}


def _json_response(body: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> web.Response:
    return web.Response(
        text=json.dumps(body, separators=(",", ":")),
        status=status,
        content_type=_JSON,
        headers=headers,
    )


def _fault_response(fault: RestFault, used_weight: int) -> web.Response:
    headers = {"X-MBX-USED-WEIGHT-1M": str(used_weight)}
    if fault.kind == "html":
        return web.Response(
            text=_HTML_PAGE.format(status=fault.status), status=fault.status, content_type="text/html"
        )
    if fault.kind == "rate_limit":
        headers["Retry-After"] = str(fault.retry_after)
        return _json_response(
            {
                "code": -1003,
                "msg": "Too many requests; current limit is 2400 requests per minute. "
                "Please use the websocket for live updates to avoid polling the API.",
            },
            fault.status,
            headers,
        )
    if fault.kind == "ip_ban":
        headers["Retry-After"] = str(fault.retry_after)
        until = int(time.time() * 1000) + fault.retry_after * 1000
        return _json_response(
            {
                "code": -1003,
                "msg": f"Way too many requests; IP banned until {until}. "
                "Please use the websocket for live updates to avoid bans.",
            },
            fault.status,
            headers,
        )
    return _json_response(
        {"code": -1001, "msg": "Internal error; unable to process your request. Please try again."},
        fault.status,
        headers,
    )


def _default_handlers() -> Any:
    from binance.sandbox import handlers

    return handlers


class RestHandler:
    """Serves one market's REST tree."""

    def __init__(self, sandbox: SandboxHost, market: str) -> None:
        self.sandbox = sandbox
        self.market = market
        self.prefix = REST_PREFIX[market]

    async def handle(self, request: web.Request) -> web.Response:
        """Serve one REST call."""
        started = time.monotonic()
        path = request.path[len(self.prefix):] or "/"
        fault = self.sandbox.faults.take_rest_fault(self.market, path)
        if fault is not None and not fault.execute:
            response = _fault_response(fault, 0)
        else:
            body = (await request.read()).decode("utf-8", "replace") if request.body_exists else ""
            response = self._process(request, path, body)
            if fault is not None:
                if fault.kind == "delay":
                    await asyncio.sleep(fault.delay)
                else:
                    response = _fault_response(fault, 0)
        logger.info(
            "%s %s %s %s %.1fms", self.market, request.method, path, response.status,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _process(self, request: web.Request, path: str, body: str) -> web.Response:
        sb = self.sandbox
        raw = request.raw_path
        query = raw.split("?", 1)[1] if "?" in raw else ""
        ip = request.remote or "127.0.0.1"
        try:
            handlers = sb.handlers or _default_handlers()
            info = find_endpoint(handlers.ENDPOINTS, self.market, request.method, path)
            parsed = parse_params(query, body)
            used = sb.limiter.add_weight(ip, endpoint_weight(info, parsed))
            headers = {"X-MBX-USED-WEIGHT-1M": str(used)}
            api_key, params = sb.auth.check_rest(
                getattr(info, "security", "NONE"), request.headers.get("X-MBX-APIKEY"), query, body, parsed
            )
            if getattr(info, "is_order", False):
                count = max(1, int(getattr(info, "order_weight", 1) or 1))
                short, long = sb.limiter.add_order(api_key or ip, count)
                headers["X-MBX-ORDER-COUNT-10S"] = str(short)
                headers["X-MBX-ORDER-COUNT-1M"] = str(long)
            result = handlers.dispatch(sb.exchange, self.market, request.method, path, api_key, params)
            return _json_response(result, 200, headers)
        except RateLimitExceeded as exc:
            used = exc.used_weight or sb.limiter.used_weight(ip)
            headers = {"X-MBX-USED-WEIGHT-1M": str(used), "Retry-After": str(exc.retry_after)}
            return _json_response({"code": exc.code, "msg": exc.msg}, exc.status, headers)
        except EngineError as exc:
            headers = {"X-MBX-USED-WEIGHT-1M": str(sb.limiter.used_weight(ip))}
            return _json_response({"code": exc.code, "msg": exc.msg}, exc.http_status, headers)
        except Exception:  # noqa: BLE001 - any engine bug becomes Binance's -1000, not a dead server
            logger.exception("REST %s %s failed", request.method, path)
            return _json_response(_UNKNOWN_ERROR, 500)


class StreamEndpoint:
    """Accepts market-stream WebSocket connections for one market."""

    def __init__(self, sandbox: SandboxHost, market: str) -> None:
        self.sandbox = sandbox
        self.market = market
        self.prefix = STREAM_PREFIX[market]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one stream connection."""
        tail = request.path[len(self.prefix):]
        raw = request.raw_path
        query = raw.split("?", 1)[1] if "?" in raw else ""
        route = path_route(tail, query)
        if route is None or (self.market == "cm" and route.category is not None):
            raise web.HTTPNotFound()
        hub = request.app[HUBS_KEY][self.market]
        conn = StreamConnection(request, self.market, self.sandbox.settings, hub, route)
        return await conn.run()


class AdminHandler:
    """`/admin/*`: sandbox controls over HTTP (faults, accounts, connections, info)."""

    def __init__(self, sandbox: SandboxHost) -> None:
        self.sandbox = sandbox

    async def faults(self, request: web.Request) -> web.Response:
        """POST `{"fault": name, ...arguments}`: run one FaultController method."""
        try:
            body = await request.json()
            result = self.sandbox.faults.apply(body)
        except (ValueError, TypeError, RuntimeError) as exc:
            return _json_response({"ok": False, "error": str(exc)}, 400)
        return _json_response({"ok": True, "result": result})

    async def accounts(self, request: web.Request) -> web.Response:
        """POST `{"api_key", "api_secret"?, "rsa_public_key"?, "ed25519_public_key"?, "funded"?}`."""
        try:
            body = await request.json()
            self.sandbox.add_account(
                body["api_key"],
                api_secret=body.get("api_secret"),
                rsa_public_key=body.get("rsa_public_key"),
                ed25519_public_key=body.get("ed25519_public_key"),
                funded=bool(body.get("funded", True)),
            )
        except (KeyError, ValueError, TypeError) as exc:
            return _json_response({"ok": False, "error": str(exc)}, 400)
        return _json_response({"ok": True, "api_key": body["api_key"]})

    async def connections(self, request: web.Request) -> web.Response:
        """GET: the open WebSocket connections."""
        rows = [
            {"id": i, "kind": k, "market": m, "path": redact(p)}  # no listenKey leaves the sandbox
            for i, k, m, p in (describe(c) for c in self.sandbox.connections.snapshot())
        ]
        return _json_response({"connections": rows, "total_opened": self.sandbox.connections.total_opened})

    async def info(self, request: web.Request) -> web.Response:
        """GET: the sandbox's URLs and demo API key (never the API secret nor the admin token)."""
        return _json_response(self.sandbox.info(include_secret=False))

    async def reset_limits(self, request: web.Request) -> web.Response:
        """POST: forget request weights, order counts and IP bans."""
        self.sandbox.limiter.reset()
        return _json_response({"ok": True})


@web.middleware
async def _guard_admin(request: web.Request, handler: Any) -> web.StreamResponse:
    """`/admin/*`: loopback Host, the per-run admin token, JSON bodies only (see `binance.sandbox.admin_guard`)."""
    if not request.path.startswith("/admin"):
        return await handler(request)
    sandbox = request.app[SANDBOX_KEY]
    refusal = admin_refusal(sandbox.admin_token, sandbox.host, request.headers.get("Host"),
                            request.headers.get("Authorization"), request.method, request.content_type)
    if refusal is not None:
        logger.info("admin %s %s refused: %s", request.method, request.path, refusal[1])
        return _json_response({"ok": False, "error": refusal[1]}, refusal[0])
    return await handler(request)


@web.middleware
async def _guard_websockets(request: web.Request, handler: Any) -> web.StreamResponse:
    """WebSocket handshakes: the `refuse_connections` fault (503), then the connection-attempt limit (429)."""
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return await handler(request)
    sandbox = request.app[SANDBOX_KEY]
    if sandbox.faults.refusing_connections():
        raise web.HTTPServiceUnavailable(text="WebSocket connections are refused (sandbox fault)")
    try:
        sandbox.limiter.add_connection(request.remote or "127.0.0.1")
    except RateLimitExceeded as exc:
        logger.info("websocket handshake refused: %s", exc.msg)
        return _json_response({"code": exc.code, "msg": exc.msg}, exc.status, {"Retry-After": str(exc.retry_after)})
    return await handler(request)


async def _on_startup(app: web.Application) -> None:
    sandbox = app[SANDBOX_KEY]
    loop = asyncio.get_running_loop()
    hubs = {market: StreamHub(sandbox, market, loop) for market in ("um", "cm")}
    app[HUBS_KEY].update(hubs)
    for hub in hubs.values():
        hub.start()


async def _on_shutdown(app: web.Application) -> None:
    sandbox = app[SANDBOX_KEY]
    for hub in app[HUBS_KEY].values():
        hub.stop()
    for conn in sandbox.connections.snapshot():
        conn.drop()


def build_app(sandbox: SandboxHost) -> web.Application:
    """The aiohttp application of one sandbox (REST, streams, admin, extensions)."""
    app = web.Application(middlewares=[_guard_admin, _guard_websockets])
    app[SANDBOX_KEY] = sandbox
    app[HUBS_KEY] = {}
    for market, prefix in REST_PREFIX.items():
        app.router.add_route("*", prefix + "/{tail:.*}", RestHandler(sandbox, market).handle)
    for market, prefix in STREAM_PREFIX.items():
        app.router.add_get(prefix + "/{tail:.*}", StreamEndpoint(sandbox, market).handle)
    admin = AdminHandler(sandbox)
    app.router.add_post("/admin/faults", admin.faults)
    app.router.add_post("/admin/accounts", admin.accounts)
    app.router.add_post("/admin/limits/reset", admin.reset_limits)
    app.router.add_get("/admin/connections", admin.connections)
    app.router.add_get("/admin/info", admin.info)
    app.on_startup.append(_on_startup)
    app.on_shutdown.append(_on_shutdown)
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                logger.debug("extension %s not installed", name)
                continue
            raise
        module.setup(app, sandbox)
    return app


async def _cancel_pending_tasks(timeout: float) -> None:
    """Cancel every task still running on this loop (handlers still in a `delay` fault, connection
    writers ...) and wait for them, so none is destroyed while pending when the loop closes."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        _, still = await asyncio.wait(pending, timeout=timeout)
        if still:
            logger.warning("%d sandbox tasks did not finish at shutdown", len(still))


class ServerThread:
    """Runs the app on its own event loop in a daemon thread; also steps the markets on a timer."""

    def __init__(self, sandbox: SandboxHost, host: str, port: int, tick_interval: Optional[float]) -> None:
        self.sandbox = sandbox
        self.host = host
        self.port = port
        self.tick_interval = tick_interval
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._runner: Optional[web.AppRunner] = None
        self._ticker: Optional[asyncio.Task] = None
        self._replayer: Optional[asyncio.Task] = None

    def start(self, timeout: float = 15.0) -> int:
        """Start listening; return the bound port. Raises what the server raised on start."""
        self._thread = threading.Thread(target=self._run, name="binance-sandbox", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("sandbox server did not start in time")
        if self._error is not None:
            raise self._error
        return self.port

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(self._shutdown())
            finally:
                loop.close()

    async def _startup(self) -> None:
        app = build_app(self.sandbox)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        if self.tick_interval:
            self._ticker = asyncio.ensure_future(self._tick())
        replay = getattr(self.sandbox, "replay", None)
        if replay is not None and not replay.clock.manual:
            self._replayer = asyncio.ensure_future(self._replay(replay))

    async def _tick(self) -> None:
        exchange = self.sandbox.exchange
        interval = self.tick_interval or 0.1  # started only when set
        while True:
            await asyncio.sleep(interval)
            for market in ("um", "cm"):
                try:
                    exchange.market(market).step()
                except Exception:  # noqa: BLE001 - keep the market moving
                    logger.exception("market step failed (%s)", market)

    async def _replay(self, replay: Any) -> None:
        """Bring the replayed events that are due, in batches, yielding to the loop between them so the
        clients get them; pauses while the clients lag (`replay.backlog`)."""
        while True:
            try:
                done = replay.pump()
            except Exception:  # noqa: BLE001 - keep the market moving
                logger.exception("replay step failed")
                done = 0
            await asyncio.sleep(0 if done else 0.005)

    async def _shutdown(self) -> None:
        if self._replayer is not None:
            self._replayer.cancel()
        if self._ticker is not None:
            self._ticker.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
        await _cancel_pending_tasks(2.0)

    def call_soon(self, fn: Any, *args: Any) -> None:
        """Run `fn(*args)` on the server loop (from any thread)."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(partial(fn, *args))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and join the thread (idempotent)."""
        loop, thread = self.loop, self._thread
        if loop is None or thread is None:
            return
        if not loop.is_closed():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:
                pass
        thread.join(timeout)
        self._thread = None
