"""Routing replies by id to the waiting threads; failing them all when the connection breaks."""

from __future__ import annotations

import threading

import pytest

from binance.error import ConnectionLostError
from binance.websocket.api._pending import PendingRequests, RegistryClosed
from binance.websocket.api._protocol import Reply


def test_replies_reach_their_own_callers_whatever_the_order():
    pending = PendingRequests()
    waiters = {i: pending.add(i) for i in range(50)}
    results = {}

    def wait(i):
        assert waiters[i].wait(5)
        results[i] = waiters[i].reply.result

    threads = [threading.Thread(target=wait, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for i in reversed(range(50)):
        assert pending.resolve(Reply(id=i, status=200, result=f"r{i}"))
    for t in threads:
        t.join(5)
    assert results == {i: f"r{i}" for i in range(50)}
    assert len(pending) == 0 and pending.wait_idle(0)


def test_unknown_or_late_reply_is_ignored():
    pending = PendingRequests()
    pending.add(1)
    pending.discard(1)
    assert not pending.resolve(Reply(id=1, status=200))
    assert not pending.resolve(Reply(id=99, status=200))


def test_duplicate_id_in_flight_is_refused():
    pending = PendingRequests()
    pending.add("x")
    with pytest.raises(ValueError):
        pending.add("x")


def test_close_fails_every_waiter_at_once_and_refuses_new_ids():
    pending = PendingRequests()
    waiters = [pending.add(i) for i in range(5)]
    assert not pending.wait_idle(0)
    assert pending.close(lambda rid: ConnectionLostError(f"lost {rid}")) == 5
    for w in waiters:
        assert w.wait(0)
        assert isinstance(w.error, ConnectionLostError)
    with pytest.raises(RegistryClosed):
        pending.add(6)
    assert pending.closed and pending.wait_idle(0)
