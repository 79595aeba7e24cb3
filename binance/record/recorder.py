"""`Recorder`: writes the raw messages of market streams to a recording, on the library's own stream client."""

from __future__ import annotations

import gzip
import json
import logging
import re
import threading
import time
from typing import Any, Dict, List, Optional, Sequence

from binance.__version__ import __version__
from binance._markets import MARKETS
from binance.environments import ENVIRONMENTS as _NAMED
from binance.environments import EnvironmentLike, get_environment
from binance.record._format import RecordWriter

log = logging.getLogger(__name__)

__all__ = ["Recorder", "depth_diff_symbol", "market_urls"]

_DEPTH_DIFF = re.compile(r"^([a-z0-9_]+)@depth(@\d+ms)?$")
ENVIRONMENTS = tuple(_NAMED)
"""The environment names `--environment` takes: those of [binance.environments][binance.environments]."""
SNAPSHOT_RETRY_MS = 1000
FLUSH_EVERY_S = 1.0


def depth_diff_symbol(stream: str) -> Optional[str]:
    """The symbol (upper case) of a depth-diff stream name such as `btcusdt@depth@100ms`, else `None`.

    Partial-book streams (`@depth5`, `@depth20@100ms`) carry whole books and need no snapshot.
    """
    m = _DEPTH_DIFF.match(stream)
    return m.group(1).upper() if m else None


def market_urls(market: str, environment: EnvironmentLike = "production") -> Dict[str, str]:
    """`{"stream_url", "base_url"}` of `market` (um or cm) in `environment`: a name (`production`, `testnet`,
    `demo`), an [Environment][binance.environments.Environment] or an object with its URLs (a started sandbox).

    Raises:
        ValueError: an unknown market or environment.
    """
    if market not in MARKETS:
        raise ValueError(f"market must be one of {sorted(MARKETS)}, not {market!r}")
    env = get_environment(environment)
    return {"stream_url": env.stream_url(market), "base_url": env.rest_url(market)}


class Recorder:
    """Records market streams, exactly as received, to a gzip JSON Lines file (format: `binance.record._format`).

        rec = Recorder("day.jsonl.gz", ["btcusdt@depth@100ms", "btcusdt@aggTrade"],
                       stream_url=sb.um_stream_url, base_url=sb.um_rest_url)
        rec.start()
        rec.wait(10)        # or run other code; Ctrl-C -> rec.stop()
        rec.stop()

    It runs the library's stream client (routing, reconnects, renewals) with combined-stream
    payloads. For each depth-diff stream it stores a REST depth snapshot (`limit`
    `snapshot_limit`) after the stream's first message, and again after every reconnect; each
    reconnect and each message the client had to drop is written as a gap. Messages are written
    as they arrive (memory stays flat); the file is flushed about once a second so a power cut
    loses at most the last second. `stop()` writes a closing line and closes the file.
    """

    def __init__(
        self,
        path: str,
        streams: Sequence[str],
        market: str = "um",
        stream_url: Optional[str] = None,
        base_url: Optional[str] = None,
        environment: Optional[EnvironmentLike] = None,
        snapshot_limit: int = 1000,
        compresslevel: int = 6,
        client_options: Optional[Dict[str, Any]] = None,
    ) -> None:
        """Prepare a recording of `streams` of `market` (um or cm) into `path` (nothing is opened yet).

        URLs: `stream_url` / `base_url` when given, else those of `environment` (`production`, the
        default, `testnet`, `demo`, an [Environment][binance.environments.Environment] or a started sandbox;
        see [binance.environments][binance.environments]). `client_options` are passed to the stream client.
        """
        names = [s for s in streams if s]
        if not names:
            raise ValueError("give at least one stream name")
        defaults = market_urls(market, environment if environment is not None else "production")
        self.path = path
        self.streams: List[str] = names
        self.market = market
        self.stream_url = stream_url or defaults["stream_url"]
        self.base_url = base_url or defaults["base_url"]
        self.snapshot_limit = snapshot_limit
        self.compresslevel = compresslevel
        self.client_options = dict(client_options or {})
        self.gaps = 0
        self.snapshots = 0
        self._depth = {s: sym for s in names if (sym := depth_diff_symbol(s)) is not None}
        self._need_snapshot: Dict[str, int] = {}
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._file: Any = None
        self._writer: Optional[RecordWriter] = None
        self._client: Any = None
        self._rest: Any = None
        self._dropped_seen = 0
        self._last_flush = 0.0
        self._state = "new"

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "Recorder":
        """Open the file, write the header and start the stream client (returns at once)."""
        with self._lock:
            if self._state != "new":
                raise RuntimeError(f"Recorder already {self._state}")
            self._state = "running"
            self._file = gzip.open(self.path, "wb", compresslevel=self.compresslevel)
            self._writer = RecordWriter(self._file)
            self._writer.header(self.market, self.streams, _now_ms(), __version__)
            self._file.flush()
            self._last_flush = time.monotonic()
            self._need_snapshot = {s: 0 for s in self._depth}
        self._rest = self._rest_client()
        self._client = self._stream_client()
        self._client.subscribe(self.streams)
        log.info("recording %d stream(s) of %s to %s", len(self.streams), self.market, self.path)
        return self

    def stop(self) -> None:
        """Stop the client, write the closing line and close the file. Idempotent."""
        with self._lock:
            if self._state != "running":
                self._state = "stopped"
                self._done.set()
                return
            self._state = "stopping"
        client = self._client
        if client is not None:
            client.stop()
        with self._lock:
            if self._writer is not None:
                self._writer.end(_now_ms())
            if self._file is not None:
                self._file.close()
            self._state = "stopped"
        self._done.set()
        log.info("recording %s closed: %d message(s), %d gap(s)", self.path, self.messages, self.gaps)

    def wait(self, seconds: Optional[float] = None) -> bool:
        """Block until `stop()` is called or `seconds` pass; True when stopped."""
        return self._done.wait(seconds)

    def __enter__(self) -> "Recorder":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def messages(self) -> int:
        """Messages written so far."""
        return self._writer.messages if self._writer is not None else 0

    @property
    def client(self) -> Any:
        """The stream client (`None` before `start()`)."""
        return self._client

    # ------------------------------------------------------------------ clients
    def _stream_client(self) -> Any:
        if self.market == "um":
            from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient as Client
        else:
            from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient as Client  # type: ignore[assignment]
        return Client(stream_url=self.stream_url, on_message=self._on_message, on_reconnect=self._on_reconnect,
                      on_error=self._on_error, is_combined=True, **self.client_options)

    def _rest_client(self) -> Any:
        if not self._depth:
            return None
        if self.market == "um":
            from binance.um_futures import UMFutures as Rest
        else:
            from binance.cm_futures import CMFutures as Rest  # type: ignore[assignment]
        return Rest(base_url=self.base_url)

    # ------------------------------------------------------------------ callbacks (dispatcher thread)
    def _on_message(self, _client: Any, text: Any) -> None:
        received = _now_ms()
        with self._lock:
            writer = self._writer
            if writer is None or self._state != "running":
                return
            dropped = self._client.dropped_messages if self._client is not None else 0
            if dropped > self._dropped_seen:
                writer.gap(received, "dropped", self.streams, count=dropped - self._dropped_seen)
                self._dropped_seen = dropped
                self.gaps += 1
                self._need_snapshot.update({s: 0 for s in self._depth})
            writer.message(received, text)
            stream = _stream_of(text) if self._need_snapshot else None
            due = stream is not None and self._need_snapshot.get(stream, received + 1) <= received
        if due:
            assert stream is not None
            self._take_snapshot(stream)
        if time.monotonic() - self._last_flush >= FLUSH_EVERY_S:
            self._flush()

    def _take_snapshot(self, stream: str) -> None:
        symbol = self._depth[stream]
        try:
            depth = self._rest.depth(symbol=symbol, limit=self.snapshot_limit)
        except Exception as exc:  # noqa: BLE001 - a failed snapshot is recorded and retried, never fatal
            log.warning("depth snapshot of %s failed (%s); retrying", symbol, exc)
            with self._lock:
                if self._writer is not None and self._state == "running":
                    self._writer.gap(_now_ms(), "snapshot-failed", [stream])
                    self.gaps += 1
                self._need_snapshot[stream] = _now_ms() + SNAPSHOT_RETRY_MS
            return
        with self._lock:
            if self._writer is None or self._state != "running":
                return
            self._writer.snapshot(_now_ms(), stream, symbol, depth)
            self.snapshots += 1
            self._need_snapshot.pop(stream, None)

    def _on_reconnect(self, _client: Any, streams: List[str]) -> None:
        with self._lock:
            if self._writer is None or self._state != "running":
                return
            self._writer.gap(_now_ms(), "reconnect", list(streams))
            self.gaps += 1
            for s in streams:
                if s in self._depth:
                    self._need_snapshot[s] = 0

    def _on_error(self, _client: Any, exc: BaseException) -> None:
        log.warning("recorder stream error: %s", exc)

    def _flush(self) -> None:
        with self._lock:
            if self._file is not None and self._state == "running":
                self._file.flush()
            self._last_flush = time.monotonic()


def _stream_of(text: Any) -> Optional[str]:
    if not isinstance(text, str):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc.get("stream") if isinstance(doc, dict) else None


def _now_ms() -> int:
    return int(time.time() * 1000)
