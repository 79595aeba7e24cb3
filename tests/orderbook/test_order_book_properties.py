"""Property tests: after any delivery of the diff stream (dropped, duplicated, reordered events,
snapshots taken at any time), the book either equals a book rebuilt from scratch at its
``last_update_id`` or has reported that it is out of sync. It never silently diverges."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binance.orderbook import BookNotReadyError, BookOutOfSyncError, BookState, OrderBook

# Two spellings of some prices: the book must treat them as one level.
BID_PRICES = ["95", "95.0", "96.5", "97", "97.00", "98.25", "99", "99.9"]
ASK_PRICES = ["100.1", "100.10", "101", "101.5", "102", "102.00", "103.75", "104"]
QUANTITIES = ["0", "0.000", "1", "2.5", "3.000", "0.001"]

level = st.tuples(st.sampled_from(["b", "a"]), st.integers(0, 7), st.sampled_from(QUANTITIES))
event_updates = st.lists(level, min_size=0, max_size=4)
ACTIONS = ["deliver"] * 6 + ["drop", "duplicate", "swap", "snapshot"]


def build_exchange(initial, updates_per_event, spans, first_id):
    """The exchange side: the event stream and the true book after every event, rebuilt with
    plain dicts from scratch."""
    bids, asks = {}, {}
    for side, index, qty in initial:
        prices, book = (BID_PRICES, bids) if side == "b" else (ASK_PRICES, asks)
        if Decimal(qty):
            book[Decimal(prices[index])] = Decimal(qty)
    states = {first_id: (dict(bids), dict(asks))}
    ids = [first_id]
    events = []
    prev = first_id
    for updates, span in zip(updates_per_event, spans):
        first, last = prev + 1, prev + 1 + span
        b, a = [], []
        for side, index, qty in updates:
            prices, book, out = (BID_PRICES, bids, b) if side == "b" else (ASK_PRICES, asks, a)
            out.append([prices[index], qty])
            if Decimal(qty):
                book[Decimal(prices[index])] = Decimal(qty)
            else:
                book.pop(Decimal(prices[index]), None)
        events.append({"e": "depthUpdate", "E": last, "T": last, "s": "BTCUSDT", "U": first, "u": last,
                       "pu": prev, "b": b, "a": a})
        states[last] = (dict(bids), dict(asks))
        ids.append(last)
        prev = last
    return events, states, ids


def snapshot_at(states, update_id):
    bids, asks = states[update_id]
    return {
        "lastUpdateId": update_id,
        "bids": [[str(p), str(q)] for p, q in bids.items()],
        "asks": [[str(p), str(q)] for p, q in asks.items()],
    }


def assert_consistent(book, states):
    """Whenever the book serves data, it equals the from-scratch book at its last_update_id."""
    if book.state is BookState.RESYNCING or book.last_update_id is None:
        try:
            book.best_bid()
        except BookNotReadyError:
            return
        raise AssertionError("a resyncing book served data")
    bids, asks = states[book.last_update_id]
    assert book.bids() == sorted(bids.items(), reverse=True)
    assert book.asks() == sorted(asks.items())


def deliveries(events, actions):
    """The stream as received: each event delivered, dropped, duplicated or swapped with the
    next one; 'snapshot' marks where the caller fetches a snapshot."""
    out = []
    dropped = set()
    i = 0
    while i < len(events):
        action = actions[i % len(actions)] if actions else "deliver"
        if action == "drop":
            dropped.add(i)
        elif action == "duplicate":
            out += [("event", i), ("event", i)]
        elif action == "swap" and i + 1 < len(events):
            out += [("event", i + 1), ("event", i)]
            i += 1
        elif action == "snapshot":
            out += [("snapshot", i), ("event", i)]
        else:
            out.append(("event", i))
        i += 1
    return out, dropped


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    initial=st.lists(level, max_size=10),
    updates=st.lists(event_updates, min_size=1, max_size=25),
    spans=st.lists(st.integers(0, 3), min_size=25, max_size=25),
    actions=st.lists(st.sampled_from(ACTIONS), max_size=25),
    first_snapshot_at=st.integers(0, 30),
    snapshot_lag=st.integers(0, 3),
    first_id=st.integers(1, 10**12),
)
def test_book_never_silently_diverges(initial, updates, spans, actions, first_snapshot_at, snapshot_lag, first_id):
    events, states, ids = build_exchange(initial, updates, spans, first_id)
    stream, dropped = deliveries(events, actions)
    first_snapshot_at = min(first_snapshot_at, len(stream))
    stream.insert(first_snapshot_at, ("snapshot", stream[first_snapshot_at][1] if first_snapshot_at < len(stream)
                                      else len(events)))
    book = OrderBook("BTCUSDT")
    gaps = 0
    needs_snapshot = True
    for kind, index in stream:
        if kind == "snapshot":
            if not needs_snapshot and book.state is not BookState.RESYNCING:
                continue
            # The REST snapshot reflects the exchange "now": a little ahead of the stream.
            update_id = ids[min(index + snapshot_lag, len(events))]
            try:
                book.apply_snapshot(snapshot_at(states, update_id))
                needs_snapshot = False
            except BookOutOfSyncError:
                gaps += 1
            assert_consistent(book, states)
            continue
        try:
            book.apply_diff(events[index])
        except BookOutOfSyncError:
            gaps += 1
            assert book.state is BookState.RESYNCING
        assert_consistent(book, states)

    assert book.gaps_detected == gaps
    if not dropped and "swap" not in actions[: len(events)]:
        assert gaps == 0, "a clean stream was reported out of sync"
        if book.state is BookState.LIVE:
            assert book.last_update_id == ids[-1]


@settings(max_examples=200, deadline=None)
@given(
    updates=st.lists(event_updates, min_size=2, max_size=30),
    spans=st.lists(st.integers(0, 3), min_size=30, max_size=30),
    drop=st.data(),
)
def test_every_dropped_event_inside_the_live_range_is_detected(updates, spans, drop):
    events, states, ids = build_exchange([], updates, spans, 1000)
    dropped = drop.draw(st.integers(0, len(events) - 2))
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(snapshot_at(states, 1000))
    detected = False
    for i, ev in enumerate(events):
        if i == dropped:
            continue
        try:
            book.apply_diff(ev)
        except BookOutOfSyncError:
            detected = True
            break
        assert_consistent(book, states)
    assert detected, "a missing event went unnoticed"
    assert book.state is BookState.RESYNCING


@settings(max_examples=200, deadline=None)
@given(
    updates=st.lists(event_updates, min_size=1, max_size=30),
    spans=st.lists(st.integers(0, 3), min_size=30, max_size=30),
    snapshot_index=st.data(),
)
def test_clean_stream_with_any_snapshot_ends_live_and_equal(updates, spans, snapshot_index):
    events, states, ids = build_exchange([("b", 1, "1"), ("a", 2, "2")], updates, spans, 5)
    k = snapshot_index.draw(st.integers(0, len(events)))
    book = OrderBook("BTCUSDT")
    for ev in events[:k]:
        book.apply_diff(ev)
    book.apply_snapshot(snapshot_at(states, ids[k]))
    for ev in events[k:]:
        book.apply_diff(ev)
    assert book.state is BookState.LIVE
    assert book.last_update_id == ids[-1]
    assert book.matches_snapshot(snapshot_at(states, ids[-1]))


@settings(max_examples=200, deadline=None)
@given(
    initial=st.lists(level, max_size=10),
    updates=st.lists(event_updates, min_size=1, max_size=30),
    spans=st.lists(st.integers(0, 3), min_size=30, max_size=30),
    reads=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_sparse_reads_see_every_update_in_order(initial, updates, spans, reads):
    """Reads only now and then: the index catches up on all the events since the last read, two
    spellings of a price included (the later update wins)."""
    events, states, ids = build_exchange(initial, updates, spans, 7)
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(snapshot_at(states, 7))
    for ev, read in zip(events, reads):
        book.apply_diff(ev)
        if read:
            assert_consistent(book, states)
    assert_consistent(book, states)
    assert book.matches_snapshot(snapshot_at(states, ids[-1]))


@settings(max_examples=100, deadline=None)
@given(
    updates=st.lists(event_updates, min_size=1, max_size=30),
    spans=st.lists(st.integers(0, 3), min_size=30, max_size=30),
    reads=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_reads_after_more_events_than_kept_rebuild_exactly(updates, spans, reads):
    """More events than the book keeps between reads: the next read rebuilds the index from the
    levels (here each price comes in one spelling, so nothing is ambiguous)."""
    import binance.orderbook.book as book_module

    one_spelling = [(side, index if index not in (1, 4) else index - 1, qty) for side, index, qty in
                    (u for event in updates for u in event)]
    grouped, start = [], 0
    for event in updates:
        grouped.append(one_spelling[start:start + len(event)])
        start += len(event)
    events, states, ids = build_exchange([("b", 0, "1")], grouped, spans, 7)
    saved = book_module._MIN_PENDING
    book_module._MIN_PENDING = 2
    try:
        book = OrderBook("BTCUSDT")
        book.apply_snapshot(snapshot_at(states, 7))
        for ev, read in zip(events, reads):
            book.apply_diff(ev)
            if read:
                assert_consistent(book, states)
    finally:
        book_module._MIN_PENDING = saved
    assert_consistent(book, states)
    assert book.state is BookState.LIVE


@settings(max_examples=200, deadline=None)
@given(
    initial=st.lists(level, max_size=10),
    updates=st.lists(event_updates, min_size=1, max_size=30),
    spans=st.lists(st.integers(0, 3), min_size=30, max_size=30),
    depth=st.integers(1, 4),
)
def test_reads_after_every_event_equal_a_book_from_scratch(initial, updates, spans, depth):
    """A read after every event (the one-event short path of the index update: new quantities,
    removals and returns of levels, two spellings of a price) serves the from-scratch book."""
    events, states, ids = build_exchange(initial, updates, spans, 7)
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(snapshot_at(states, 7))
    for ev, last in zip(events, ids[1:]):
        book.apply_diff(ev)
        bids, asks = (sorted(side.items(), reverse=reverse) for side, reverse in zip(states[last], (True, False)))
        assert book.best_bid() == (bids[0] if bids else None)
        assert book.best_ask() == (asks[0] if asks else None)
        assert book.bids(depth) == bids[:depth]
        assert book.asks(depth) == asks[:depth]
        assert_consistent(book, states)
