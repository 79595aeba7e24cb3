import logging
from decimal import Decimal

import pytest

from binance.error import Error
from binance.orderbook import (
    ApplyResult,
    BookNotReadyError,
    BookOutOfSyncError,
    BookState,
    InsufficientDepthError,
    InvalidDepthEventError,
    OrderBook,
    OrderBookError,
)

D = Decimal

SNAPSHOT = {
    "lastUpdateId": 100,
    "E": 1,
    "T": 1,
    "bids": [["99.90", "1.000"], ["100.00", "2.000"], ["99.80", "3.000"]],
    "asks": [["100.10", "1.500"], ["100.20", "2.500"], ["100.40", "4.000"]],
}


def event(first, last, prev, bids=(), asks=(), symbol="BTCUSDT"):
    return {
        "e": "depthUpdate",
        "E": 1_700_000_000_000 + last,
        "T": 1_700_000_000_000 + last,
        "s": symbol,
        "U": first,
        "u": last,
        "pu": prev,
        "b": [list(level) for level in bids],
        "a": [list(level) for level in asks],
    }


def live_book():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    assert book.apply_diff(event(95, 105, 94, bids=[("100.00", "2.500")])) is ApplyResult.APPLIED
    assert book.state is BookState.LIVE
    return book


def test_errors_derive_from_library_base():
    assert issubclass(BookOutOfSyncError, OrderBookError)
    assert issubclass(OrderBookError, Error)
    assert issubclass(InsufficientDepthError, ValueError)


def test_snapshot_levels_are_sorted_decimals():
    book = OrderBook("BTCUSDT")
    assert book.apply_snapshot(SNAPSHOT) is BookState.SYNCING
    assert book.last_update_id == 100
    assert book.best_bid() == (D("100.00"), D("2.000"))
    assert book.best_ask() == (D("100.10"), D("1.500"))
    assert book.bids() == [(D("100.00"), D("2")), (D("99.90"), D("1")), (D("99.80"), D("3"))]
    assert book.asks(2) == [(D("100.10"), D("1.5")), (D("100.20"), D("2.5"))]
    assert book.bids(10) == book.bids()
    assert book.bids(0) == []
    assert book.spread() == D("0.10")
    assert book.mid() == D("100.05")


def test_events_before_snapshot_are_buffered_then_replayed():
    book = OrderBook("BTCUSDT")
    assert book.apply_diff(event(90, 95, 89, bids=[("50", "9")])) is ApplyResult.BUFFERED
    assert book.apply_diff(event(96, 103, 95, asks=[("100.10", "0")])) is ApplyResult.BUFFERED
    assert book.apply_diff(event(104, 110, 103, bids=[("100.05", "1")])) is ApplyResult.BUFFERED
    with pytest.raises(BookNotReadyError):
        book.best_bid()
    assert book.apply_snapshot(SNAPSHOT) is BookState.LIVE
    assert book.last_update_id == 110
    assert book.best_ask() == (D("100.20"), D("2.500"))
    assert book.best_bid() == (D("100.05"), D("1"))
    assert D("50") not in dict(book.bids())
    assert book.events_dropped == 1 and book.events_applied == 2


def test_first_event_must_straddle_snapshot():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    assert book.apply_diff(event(90, 99, 89)) is ApplyResult.DROPPED
    with pytest.raises(BookOutOfSyncError) as info:
        book.apply_diff(event(102, 105, 101))
    assert book.state is BookState.RESYNCING
    assert info.value.expected == 100
    assert "out of sync" in str(info.value)


def test_event_with_u_equal_to_snapshot_id_bridges():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    assert book.apply_diff(event(98, 100, 97, asks=[("100.15", "1")])) is ApplyResult.APPLIED
    assert book.is_live
    assert book.best_ask() == (D("100.10"), D("1.500"))


def test_gap_raises_and_requires_new_snapshot():
    book = live_book()
    assert book.apply_diff(event(106, 110, 105, bids=[("99.95", "1")])) is ApplyResult.APPLIED
    with pytest.raises(BookOutOfSyncError) as info:
        book.apply_diff(event(115, 120, 114, bids=[("99.00", "7")]))
    assert (info.value.expected, info.value.received) == (110, 114)
    assert book.state is BookState.RESYNCING
    assert book.gaps_detected == 1
    with pytest.raises(BookNotReadyError):
        book.mid()
    assert book.apply_diff(event(121, 125, 120, asks=[("100.30", "1")])) is ApplyResult.BUFFERED
    state = book.apply_snapshot({"lastUpdateId": 118, "bids": [["99.00", "1"]], "asks": [["101", "1"]]})
    assert state is BookState.LIVE
    assert book.last_update_id == 125
    assert book.bids() == [(D("99.00"), D("7"))]
    assert book.asks() == [(D("100.30"), D("1")), (D("101"), D("1"))]


def test_duplicate_and_stale_events_are_dropped_not_applied():
    book = live_book()
    old = event(106, 110, 105, bids=[("100.00", "9")])
    assert book.apply_diff(old) is ApplyResult.APPLIED
    assert book.apply_diff(event(111, 112, 110, bids=[("100.00", "1")])) is ApplyResult.APPLIED
    assert book.apply_diff(old) is ApplyResult.DROPPED
    assert book.best_bid() == (D("100.00"), D("1"))
    assert book.is_live


def test_zero_quantity_removes_level_and_unknown_zero_is_ignored():
    book = live_book()
    book.apply_diff(event(106, 106, 105, bids=[("100.00", "0.000"), ("42", "0")], asks=[("100.10", "0")]))
    assert book.best_bid() == (D("99.90"), D("1.000"))
    assert book.best_ask() == (D("100.20"), D("2.500"))
    assert len(book) == 4


def test_reordered_buffer_is_sorted_before_replay():
    book = OrderBook("BTCUSDT")
    book.apply_diff(event(106, 108, 105, bids=[("100.01", "3")]))
    book.apply_diff(event(99, 105, 98, bids=[("100.01", "1")]))
    assert book.apply_snapshot(SNAPSHOT) is BookState.LIVE
    assert book.best_bid() == (D("100.01"), D("3"))


def test_gap_inside_buffer_keeps_later_events():
    book = OrderBook("BTCUSDT")
    book.apply_diff(event(99, 105, 98))
    book.apply_diff(event(107, 108, 106, asks=[("100.11", "1")]))
    book.apply_diff(event(109, 112, 108, asks=[("100.12", "1")]))
    with pytest.raises(BookOutOfSyncError):
        book.apply_snapshot(SNAPSHOT)
    assert book.state is BookState.RESYNCING
    assert book.buffered == 2
    assert book.apply_snapshot({"lastUpdateId": 107, "bids": [], "asks": []}) is BookState.LIVE
    assert book.asks() == [(D("100.11"), D("1")), (D("100.12"), D("1"))]


def test_snapshot_older_than_buffer_is_reported():
    book = OrderBook("BTCUSDT")
    book.apply_diff(event(150, 160, 149))
    with pytest.raises(BookOutOfSyncError):
        book.apply_snapshot(SNAPSHOT)
    assert book.state is BookState.RESYNCING
    book.apply_diff(event(161, 170, 160))
    assert book.apply_snapshot({"lastUpdateId": 155, "bids": [], "asks": []}) is BookState.LIVE
    assert book.last_update_id == 170


def test_buffer_is_bounded():
    book = OrderBook("BTCUSDT", max_buffer=3)
    for i in range(10):
        book.apply_diff(event(10 * i + 1, 10 * i + 10, 10 * i))
    assert book.buffered == 3


def test_invalidate_forces_resync():
    book = live_book()
    book.invalidate("stream reconnected")
    assert book.state is BookState.RESYNCING
    with pytest.raises(BookNotReadyError):
        book.best_ask()


def test_transitions_are_logged_at_debug(caplog):
    caplog.set_level(logging.DEBUG, logger="binance.orderbook.book")
    book = live_book()
    with pytest.raises(BookOutOfSyncError):
        book.apply_diff(event(200, 201, 199))
    messages = [r.getMessage() for r in caplog.records if r.name == "binance.orderbook.book"]
    assert any("SYNCING -> LIVE" in m for m in messages)
    assert any("LIVE -> RESYNCING" in m for m in messages)


def test_wrong_symbol_and_malformed_events_are_rejected():
    book = live_book()
    with pytest.raises(InvalidDepthEventError):
        book.apply_diff(event(106, 107, 105, symbol="ETHUSDT"))
    with pytest.raises(InvalidDepthEventError):
        book.apply_diff({"e": "depthUpdate", "U": 1, "u": 2})
    with pytest.raises(InvalidDepthEventError):
        book.apply_snapshot({"bids": []})
    assert book.is_live
    with pytest.raises(InvalidDepthEventError):
        book.apply_diff(event(106, 107, 105, bids=[("100.5", "1", "extra")]))
    assert book.state is BookState.RESYNCING


def assert_malformed_level_is_caught(bids=(), asks=()):
    """Levels are checked when the book is next read: the read refuses to serve data, the book is
    RESYNCING, and the next event raises so that the caller fetches a new snapshot."""
    book = live_book()
    assert book.apply_diff(event(106, 107, 105, bids=bids, asks=asks)) is ApplyResult.APPLIED
    with pytest.raises(BookNotReadyError):
        book.best_bid()
    assert book.state is BookState.RESYNCING
    with pytest.raises(InvalidDepthEventError):
        book.apply_diff(event(108, 109, 107))
    assert book.apply_snapshot({"lastUpdateId": 107, "bids": [["1.00", "1"]], "asks": []}) is BookState.LIVE
    assert book.bids() == [(D("1"), D("1"))]


def test_malformed_quantities_and_prices_are_caught():
    assert_malformed_level_is_caught(bids=[("100.5", "x")])
    assert_malformed_level_is_caught(bids=[("100.00", "x")])
    assert_malformed_level_is_caught(asks=[("abc", "1")])


def test_combined_stream_wrapper_is_unwrapped():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    wrapped = {"stream": "btcusdt@depth@100ms", "data": event(99, 101, 98, asks=[("100.05", "1")])}
    assert book.apply_diff(wrapped) is ApplyResult.APPLIED
    assert book.best_ask() == (D("100.05"), D("1"))


def test_fill_estimates_walk_the_book():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    buy = book.estimate_fill("buy", "3")
    assert buy.average_price == (D("1.5") * D("100.10") + D("1.5") * D("100.20")) / 3
    assert (buy.best_price, buy.worst_price, buy.levels) == (D("100.10"), D("100.20"), 2)
    assert buy.slippage == (buy.average_price - D("100.10")) / D("100.10")
    assert book.average_fill_price("SELL", 1) == D("100.00")
    assert book.slippage("SELL", "2") == 0
    sell = book.estimate_fill("SELL", 2.5)
    assert sell.average_price == (2 * D("100.00") + D("0.5") * D("99.90")) / D("2.5")
    assert sell.notional == D("249.950")
    with pytest.raises(InsufficientDepthError) as info:
        book.average_fill_price("BUY", "8.001")
    assert info.value.available == D("8.000")
    assert "asks" in str(info.value)
    with pytest.raises(ValueError):
        book.estimate_fill("HOLD", 1)
    with pytest.raises(ValueError):
        book.estimate_fill("BUY", 0)


def test_to_dict_round_trips_and_matches_snapshot():
    book = live_book()
    data = book.to_dict()
    assert data["state"] == "LIVE" and data["lastUpdateId"] == 105
    assert data["bids"][0] == ["100.00", "2.500"]
    assert data["asks"][-1] == ["100.40", "4.000"]
    assert book.matches_snapshot(data)
    copy = OrderBook("BTCUSDT")
    copy.apply_snapshot(data)
    assert copy.bids() == book.bids() and copy.asks() == book.asks()
    assert not book.matches_snapshot(SNAPSHOT)
    assert book.matches_snapshot({"bids": [["100", "2.5"]], "asks": [["100.1", "1.5"]]}, depth=1)


def test_empty_side_queries():
    book = OrderBook()
    book.apply_snapshot({"lastUpdateId": 1, "bids": [], "asks": [["1", "1"]]})
    assert book.best_bid() is None
    assert book.spread() is None and book.mid() is None
    with pytest.raises(InsufficientDepthError):
        book.estimate_fill("SELL", 1)


def test_non_finite_quantities_are_rejected():
    for bad in ("nan", "inf", "-Infinity"):
        assert_malformed_level_is_caught(asks=[("100.5", bad)])
        assert_malformed_level_is_caught(asks=[("100.10", bad)])


def test_quantities_and_prices_keep_their_wire_spelling():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot({"lastUpdateId": 1, "bids": [["10.0", D("1.50")]], "asks": [["11", 2]]})
    book.apply_diff(event(1, 2, 0, bids=[("9.5", "0.100")]))
    assert book.to_dict()["bids"] == [["10.0", "1.50"], ["9.5", "0.100"]]
    assert book.to_dict()["asks"] == [["11", "2"]]
    assert book.bids() == [(D("10"), D("1.5")), (D("9.5"), D("0.1"))]


def test_zero_in_any_spelling_removes_the_level():
    for zero in ("0", "0.0", "0.00000000", "00.000", "0E-8", "-0", ".000"):
        book = live_book()
        book.apply_diff(event(106, 106, 105, bids=[("100.00", zero)]))
        assert book.best_bid() == (D("99.90"), D("1.000")), zero
    book = live_book()
    book.apply_diff(event(106, 106, 105, bids=[("100.00", "1E-400")]))
    assert book.best_bid() == (D("100.00"), D("1E-400"))


def test_price_spellings_are_one_level_and_the_later_update_wins():
    book = live_book()
    book.apply_diff(event(106, 106, 105, bids=[("100.0", "5"), ("100.00", "6"), ("99.9", "7")]))
    book.apply_diff(event(107, 107, 106, asks=[("100.1", "0"), ("100.2", "8")]))
    assert book.bids(2) == [(D("100"), D("6")), (D("99.9"), D("7"))]
    assert book.asks(1) == [(D("100.2"), D("8"))]
    assert book.to_dict()["bids"][:2] == [["100.00", "6"], ["99.90", "7"]]
    book.apply_diff(event(108, 108, 107, bids=[("1e2", "0")]))
    assert book.best_bid() == (D("99.90"), D("7"))
    assert len(book) == 4


def test_spellings_resolved_after_many_unread_events(monkeypatch):
    import binance.orderbook.book as book_module

    monkeypatch.setattr(book_module, "_MIN_PENDING", 2)
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    book.apply_diff(event(99, 101, 98, bids=[("99.5", "4")]))
    for u in range(102, 110):
        book.apply_diff(event(u, u, u - 1, asks=[("100.20", str(u))]))
    # "99.5" only ever came in that spelling: it is one level, whatever was dropped.
    assert book.bids(4)[3] == (D("99.5"), D("4"))
    assert book.to_dict()["bids"][3] == ["99.5", "4"]
    assert book.best_ask() == (D("100.10"), D("1.500"))
    assert book.asks(2)[1] == (D("100.20"), D("109"))
    # Two spellings updated with different quantities, and the order lost with the events
    # dropped from memory: the book cannot tell which is current, so it asks for a snapshot.
    book.apply_diff(event(110, 110, 109, bids=[("99.8", "1")]))
    book.apply_diff(event(111, 111, 110, bids=[("99.80", "2")]))
    for u in range(112, 120):
        book.apply_diff(event(u, u, u - 1, asks=[("100.20", str(u))]))
    with pytest.raises(BookNotReadyError):
        book.bids()
    assert book.state is BookState.RESYNCING


def test_last_event_time_follows_applied_events():
    book = live_book()
    assert book.last_event_time == 1_700_000_000_000 + 105
    book.apply_diff(event(106, 110, 105))
    assert book.last_event_time == 1_700_000_000_000 + 110
    book.best_bid()
    assert book.last_event_time == 1_700_000_000_000 + 110
    book.apply_diff(event(111, 111, 110) | {"E": None})
    assert book.last_event_time == 1_700_000_000_000 + 110


def test_many_new_prices_without_reads_stay_bounded_and_exact():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    book.apply_diff(event(99, 101, 98))
    u = 101
    for i in range(3000):
        price = f"{50 + i / 100:.2f}"
        book.apply_diff(event(u + 1, u + 1, u, bids=[(price, "1")]))
        book.apply_diff(event(u + 2, u + 2, u + 1, bids=[(price, "0")]))
        u += 2
    assert book.bids() == [(D("100.00"), D("2.000")), (D("99.90"), D("1.000")), (D("99.80"), D("3.000"))]
    assert len(book._bids) < 2000


def test_prices_beyond_float_precision_stay_distinct_levels():
    book = OrderBook()
    book.apply_snapshot({"lastUpdateId": 1, "bids": [["1.0000000000000001", "1"]],
                         "asks": [["1.0000000000000005", "1"]]})
    book.apply_diff(event(2, 2, 1, bids=[("1.0000000000000002", "2"), ("1.0000000000000003", "3")],
                          symbol=""))
    assert book.bids() == [(D("1.0000000000000003"), D("3")), (D("1.0000000000000002"), D("2")),
                           (D("1.0000000000000001"), D("1"))]
    book.apply_diff(event(3, 3, 2, bids=[("1.0000000000000002", "0")], symbol=""))
    assert [price for price, _ in book.bids()] == [D("1.0000000000000003"), D("1.0000000000000001")]
    assert book.best_ask() == (D("1.0000000000000005"), D("1"))
