"""The bench's local WebSocket burst servers: serve an aiohttp handler on 127.0.0.1, port 0."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable


def serve_forever(handle: Callable[[Any], Awaitable[Any]]) -> None:
    """Serve ``handle`` on every path of a free local port; print the port first, then run until killed."""
    from aiohttp import web

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(site._server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
