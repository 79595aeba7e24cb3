"""The pure make-before-break rules: which copy the user sees, and when the new socket has taken over."""

from __future__ import annotations

import json

import pytest

from binance.websocket._handover import NEW, OLD, Overlap, event_identity


def combined(stream, **data):
    return json.dumps({"stream": stream, "data": data})


def agg(a, stream="btcusdt@aggTrade", E=1000):
    return combined(stream, e="aggTrade", E=E + a, s="BTCUSDT", a=a, p="1.0", q="1")


def depth(pu, u, stream="btcusdt@depth@100ms"):
    return combined(stream, e="depthUpdate", E=u, s="BTCUSDT", U=pu + 1, u=u, pu=pu, b=[], a=[])


def test_each_aggregate_trade_reaches_the_user_once_whichever_socket_carries_it_first():
    overlap = Overlap()
    delivered = []
    arrivals = [(OLD, 1), (OLD, 2), (NEW, 2), (OLD, 3), (NEW, 3), (NEW, 4), (OLD, 4), (NEW, 5)]
    for source, a in arrivals:
        if overlap.admit(source, agg(a)):
            delivered.append(a)
    assert delivered == [1, 2, 3, 4, 5]
    assert overlap.dropped == 3


def test_aggregate_trades_are_deduplicated_per_stream_not_across_streams():
    overlap = Overlap()
    assert overlap.admit(OLD, agg(7, "btcusdt@aggTrade"))
    assert overlap.admit(NEW, agg(7, "ethusdt@aggTrade"))
    assert not overlap.admit(NEW, agg(7, "btcusdt@aggTrade"))


def test_depth_diffs_keep_their_pu_chain_across_the_overlap():
    overlap = Overlap()
    arrivals = [(OLD, depth(10, 11)), (OLD, depth(11, 15)), (NEW, depth(11, 15)), (NEW, depth(15, 18)),
                (OLD, depth(15, 18)), (OLD, depth(18, 20)), (NEW, depth(18, 20)), (NEW, depth(20, 22))]
    delivered = [json.loads(text)["data"] for source, text in arrivals if overlap.admit(source, text)]
    assert [d["u"] for d in delivered] == [11, 15, 18, 20, 22]
    assert all(b["pu"] == a["u"] for a, b in zip(delivered, delivered[1:]))


def test_other_events_drop_only_byte_identical_copies():
    overlap = Overlap()
    kline = combined("btcusdt@kline_1m", e="kline", E=5, s="BTCUSDT", k={"t": 0, "c": "1"})
    later = combined("btcusdt@kline_1m", e="kline", E=6, s="BTCUSDT", k={"t": 0, "c": "2"})
    assert overlap.admit(OLD, kline)
    assert not overlap.admit(NEW, kline)
    assert overlap.admit(NEW, later)
    assert not overlap.admit(OLD, later)


def test_replies_malformed_binary_and_shutdown_notices_are_always_delivered():
    overlap = Overlap()
    reply = json.dumps({"result": None, "id": 1})
    notice = json.dumps({"e": "serverShutdown", "E": 1})
    for message in (reply, "not json", '{"e":"aggTrade","E":17', b"\x00\xff", notice, "[]", "5"):
        assert overlap.admit(OLD, message)
        assert overlap.admit(NEW, message)
    assert not overlap.taken_over()


def test_raw_payloads_are_told_apart_by_event_type_and_symbol():
    btc = json.dumps({"e": "aggTrade", "E": 1, "s": "BTCUSDT", "a": 3})
    eth = json.dumps({"e": "aggTrade", "E": 1, "s": "ETHUSDT", "a": 3})
    assert event_identity(btc)[0] != event_identity(eth)[0]
    overlap = Overlap()
    assert overlap.admit(OLD, btc) and overlap.admit(NEW, eth)
    assert not overlap.admit(NEW, btc)


def test_all_market_arrays_are_events_of_their_stream():
    array = json.dumps({"stream": "!markPrice@arr", "data": [{"e": "markPriceUpdate", "E": 1, "s": "BTCUSDT"}]})
    assert event_identity(array)[0] == "!markPrice@arr"
    overlap = Overlap()
    assert overlap.admit(OLD, array)
    assert not overlap.admit(NEW, array)


def test_new_socket_takes_over_once_it_delivered_every_stream_the_old_one_did():
    overlap = Overlap()
    overlap.admit(OLD, agg(1))
    overlap.admit(OLD, depth(1, 2))
    assert not overlap.taken_over()
    overlap.admit(NEW, json.dumps({"result": None, "id": 9}))
    assert not overlap.taken_over(), "a subscribe reply alone is not a stream delivering"
    overlap.admit(NEW, agg(1))
    assert not overlap.taken_over()
    assert overlap.missing() == {"btcusdt@depth@100ms"}
    overlap.admit(NEW, depth(2, 3))
    assert overlap.taken_over()


def test_a_further_renewal_keeps_the_memory_of_delivered_events():
    overlap = Overlap()
    overlap.admit(OLD, agg(1))
    overlap.admit(NEW, agg(2))
    overlap.rotate()
    assert not overlap.admit(OLD, agg(2))
    assert not overlap.taken_over()
    assert overlap.admit(NEW, agg(3))
    assert overlap.taken_over()


def test_memory_is_bounded():
    overlap = Overlap(memory=3)
    for a in range(5):
        overlap.admit(OLD, agg(a))
    assert overlap.admit(NEW, agg(0)), "the oldest identity was forgotten"
    assert not overlap.admit(NEW, agg(4))
    with pytest.raises(ValueError):
        Overlap(memory=0)
