"""Shared fixtures for the sandbox tests: key pairs and a running sandbox."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import quote, urlencode

import pytest
import requests
import websocket
from Crypto.PublicKey import ECC, RSA

from binance._signing import HmacSigner


@pytest.fixture(scope="session")
def rsa_pair():
    """(private PEM, public PEM) of a throwaway RSA key."""
    key = RSA.generate(2048)
    return key.export_key().decode(), key.publickey().export_key().decode()


@pytest.fixture(scope="session")
def ed25519_pair():
    """(private PEM, public PEM) of a throwaway Ed25519 key."""
    key = ECC.generate(curve="Ed25519")
    return key.export_key(format="PEM"), key.public_key().export_key(format="PEM")


def _start(**kwargs: Any) -> Any:
    from binance.sandbox import Sandbox

    kwargs.setdefault("tick_interval", 0.05)
    return Sandbox(**kwargs).start()


@pytest.fixture
def make_sandbox():
    """Factory: ``make_sandbox(**Sandbox kwargs)`` returns a started sandbox, stopped after the test."""
    started: List[Any] = []

    def factory(**kwargs: Any) -> Any:
        sb = _start(**kwargs)
        started.append(sb)
        return sb

    yield factory
    for sb in started:
        sb.stop()


@pytest.fixture(scope="module")
def shared_sandbox():
    """One sandbox per test module (default settings, funded HMAC demo account)."""
    sb = _start()
    yield sb
    sb.stop()


@pytest.fixture
def sandbox(shared_sandbox):
    """The module's sandbox, with faults cleared and limits reset before each test."""
    shared_sandbox.faults.clear()
    shared_sandbox.limiter.reset()
    return shared_sandbox


def now_ms() -> int:
    return int(time.time() * 1000)


def sign_query(params: Dict[str, Any], signer: Any) -> str:
    """Encode ``params`` (timestamp last) and append the URL-encoded signature."""
    query = urlencode(params)
    return f"{query}&signature={quote(signer.sign(query), safe='')}"


def signed(sb: Any, method: str, path: str, params: Optional[Dict[str, Any]] = None, *, market: str = "um",
           api_key: Optional[str] = None, signer: Any = None, timestamp: Optional[int] = None) -> requests.Response:
    """Send one signed REST request to the sandbox the way Binance clients do (all in the query)."""
    params = dict(params or {})
    params["timestamp"] = now_ms() if timestamp is None else timestamp
    signer = signer or HmacSigner(sb.api_secret)
    base = sb.um_rest_url if market == "um" else sb.cm_rest_url
    url = f"{base}{path}?{sign_query(params, signer)}"
    return requests.request(method, url, headers={"X-MBX-APIKEY": api_key or sb.api_key}, timeout=10)


def public(sb: Any, path: str, params: Optional[Dict[str, Any]] = None, market: str = "um") -> requests.Response:
    base = sb.um_rest_url if market == "um" else sb.cm_rest_url
    return requests.get(base + path, params=params, timeout=10)


class WsReader:
    """A websocket-client connection whose messages are collected by a thread."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.ws = websocket.create_connection(url, timeout=timeout)
        self.messages: List[Any] = []
        self.raw: List[Any] = []
        self.closed = threading.Event()
        self.error: Optional[BaseException] = None
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                opcode, data = self.ws.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    break
                with self._cond:
                    self.raw.append(data)
                    try:
                        self.messages.append(json.loads(data))
                    except ValueError:
                        self.messages.append(None)
                    self._cond.notify_all()
        except websocket.WebSocketTimeoutException:
            self.error = TimeoutError("no frame within the socket timeout")
        except Exception as exc:  # noqa: BLE001 - recorded for the test
            self.error = exc
        finally:
            self.closed.set()
            with self._cond:
                self._cond.notify_all()

    def send(self, message: Dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 5.0) -> Any:
        """The first message (parsed) matching ``predicate``; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for msg in self.messages[seen:]:
                    if msg is not None and predicate(msg):
                        return msg
                seen = len(self.messages)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed.is_set():
                    raise AssertionError(f"no matching message; got {self.messages[-5:]!r} error={self.error!r}")
                self._cond.wait(min(remaining, 0.1))

    def reply(self, request_id: Any, timeout: float = 5.0) -> Any:
        return self.wait_for(lambda m: isinstance(m, dict) and m.get("id") == request_id
                             and ("result" in m or "error" in m), timeout)

    def close(self) -> None:
        try:
            self.ws.close(timeout=1)
        except Exception:  # noqa: BLE001
            pass
        self._thread.join(2)


@pytest.fixture
def ws_reader():
    """Factory for WsReader connections, closed after the test."""
    readers: List[WsReader] = []

    def factory(url: str, timeout: float = 5.0) -> WsReader:
        reader = WsReader(url, timeout)
        readers.append(reader)
        return reader

    yield factory
    for reader in readers:
        reader.close()
