"""Hostile depth data on the order book's fast path: rejected or resynced, never served."""

from __future__ import annotations

from decimal import Decimal

import pytest

from binance.orderbook import (
    ApplyResult,
    BookNotReadyError,
    BookOutOfSyncError,
    BookState,
    InvalidDepthEventError,
    OrderBook,
)

SNAPSHOT = {
    "lastUpdateId": 100,
    "bids": [["99.90", "1.000"], ["100.00", "2.000"]],
    "asks": [["100.10", "1.500"], ["100.20", "2.500"]],
}


def event(last, prev, bids=(), asks=(), kind="depthUpdate"):
    return {"e": kind, "E": 1, "s": "BTCUSDT", "U": prev + 1, "u": last, "pu": prev,
            "b": [list(level) for level in bids], "a": [list(level) for level in asks]}


def live_book():
    book = OrderBook("BTCUSDT")
    book.apply_snapshot(SNAPSHOT)
    assert book.apply_diff(event(101, 100, bids=[("100.00", "2.500")])) is ApplyResult.APPLIED
    assert book.state is BookState.LIVE
    book.best_bid()
    return book


def test_an_event_of_another_type_is_rejected_and_the_book_is_unchanged():
    book = live_book()
    with pytest.raises(InvalidDepthEventError, match="trade"):
        book.apply_diff(event(102, 101, bids=[("100.05", "9.000")], kind="trade"))
    assert book.state is BookState.LIVE
    assert book.last_update_id == 101
    assert book.best_bid() == (Decimal("100.00"), Decimal("2.500"))


@pytest.mark.parametrize(
    "bids, asks",
    [
        ([("99.90", "-1.000")], []),  # a negative quantity
        ([], [("100.20", "-0.5")]),
        ([("-5.00", "1.000")], []),  # a negative price
        ([("0.00", "1.000")], []),  # a zero price
        ([("99.90", None)], []),  # a missing quantity is not a deletion
        ([], [("100.10", None)]),
    ],
    ids=["neg-bid-qty", "neg-ask-qty", "neg-price", "zero-price", "none-bid-qty", "none-ask-qty"],
)
def test_a_malformed_level_is_never_served_as_live_the_book_resyncs(bids, asks):
    book = live_book()
    book.apply_diff(event(102, 101, bids=bids, asks=asks))
    with pytest.raises(BookNotReadyError):
        book.bids()
    assert book.state is BookState.RESYNCING
    with pytest.raises(InvalidDepthEventError):
        book.apply_diff(event(103, 102))
    book.apply_snapshot({**SNAPSHOT, "lastUpdateId": 103})
    assert book.best_bid() == (Decimal("100.00"), Decimal("2.000"))


def test_a_crossed_book_is_never_served_it_resyncs():
    book = live_book()
    book.apply_diff(event(102, 101, bids=[("100.15", "1.000")]))  # above the best ask 100.10
    with pytest.raises(BookNotReadyError):
        book.best_ask()
    assert book.state is BookState.RESYNCING
    with pytest.raises(BookOutOfSyncError, match="crossed"):
        book.apply_diff(event(103, 102))


def test_touching_best_bid_and_ask_count_as_crossed():
    book = live_book()
    book.apply_diff(event(102, 101, asks=[("100.00", "1.000")]))
    with pytest.raises(BookNotReadyError):
        book.mid()


@pytest.mark.parametrize(
    "snapshot",
    [
        {**SNAPSHOT, "bids": [["100.50", "1.000"]]},
        {**SNAPSHOT, "bids": [["99.90", "-1.000"]]},
        {**SNAPSHOT, "asks": [["-100.10", "1.500"]]},
    ],
    ids=["crossed", "negative-qty", "negative-price"],
)
def test_a_bad_snapshot_is_rejected(snapshot):
    book = OrderBook("BTCUSDT")
    with pytest.raises(InvalidDepthEventError):
        book.apply_snapshot(snapshot)
    assert book.state is BookState.SYNCING
