"""Suite-wide guard: nothing in the test suite reaches a host other than this machine.

For the whole session `socket.getaddrinfo` refuses names other than `localhost` (so no DNS query
leaves the machine) and `socket.socket.connect` / `connect_ex` refuse addresses outside loopback.
A refused attempt raises `ForeignHostRefused` (an `OSError`, so the code under test sees an
unreachable host) and is recorded: the session fails at the end, naming each host, unless the
test that caused it took it with `netguard.take()` (the guard's own tests do).
Subprocesses the tests start are not covered; they get the sandbox's URLs explicitly.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any, List

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class ForeignHostRefused(OSError):
    """The test suite tried to reach a host that is not this machine."""


class NetGuard:
    """Records refused attempts; `take()` hands them to a test that expects them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused: List[str] = []

    def refuse(self, what: str) -> None:
        with self._lock:
            self._refused.append(what)
        raise ForeignHostRefused(f"test suite network guard: refused {what} (tests may only reach loopback)")

    def take(self) -> List[str]:
        with self._lock:
            taken, self._refused = self._refused, []
        return taken

    def pending(self) -> List[str]:
        with self._lock:
            return list(self._refused)


netguard = NetGuard()


def _is_local_address(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    host = host.split("%", 1)[0].strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host.lower() in _LOCAL_NAMES
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def _is_local_name(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0].strip("[]"))
        return True  # a numeric address needs no DNS query; connect() checks it
    except ValueError:
        return _is_local_address(host)


_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _is_local_name(host):
        netguard.refuse(f"name lookup of {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _check_address(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local_address(address[0]):
        netguard.refuse(f"connection to {address[0]}:{address[1]}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check_address(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(self, address)
    return _real_connect_ex(self, address)


def install() -> None:
    """Put the guard on the socket layer (tests/conftest.py does, for the whole session)."""
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def uninstall() -> None:
    """Take the guard off again."""
    socket.getaddrinfo = _real_getaddrinfo
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
