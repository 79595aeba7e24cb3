import pytest

from binance.timesync import ClockOffset, TimeSample, estimate_offset


def test_sample_offset_uses_the_round_trip_midpoint():
    sample = TimeSample(sent_ms=1_000, server_ms=1_600, received_ms=1_200)
    assert sample.rtt_ms == 200
    assert sample.offset_ms == 500


def test_sample_rejects_receive_before_send():
    with pytest.raises(ValueError):
        TimeSample(10, 5, 9)


def test_estimate_prefers_the_shortest_round_trip():
    samples = [TimeSample(0, 900, 1_000), TimeSample(2_000, 2_130, 2_020), TimeSample(3_000, 3_300, 3_400)]
    estimate = estimate_offset(samples)
    assert (estimate.offset_ms, estimate.rtt_ms, estimate.error_ms) == (120, 20, 10)
    assert estimate.samples == 3 and estimate.measured_at_ms == 3_400
    assert estimate_offset([]) is None


def test_ties_use_the_median_offset():
    samples = [TimeSample(0, 105, 10), TimeSample(100, 215, 110), TimeSample(200, 299, 210)]
    assert estimate_offset(samples).offset_ms == 100
    two = [TimeSample(0, 105, 10), TimeSample(100, 220, 110)]
    assert estimate_offset(two).offset_ms == 108


def test_clock_offset_keeps_the_latest_samples_and_converts_timestamps():
    clock = ClockOffset(max_samples=2)
    assert clock.offset_ms == 0 and clock.estimate is None
    assert clock.timestamp(5_000) == 5_000
    clock.add_measurement(0, -450, 100)  # local clock 500 ms ahead, rtt 100
    assert clock.offset_ms == -500
    assert clock.timestamp(10_000) == 9_500
    clock.add_measurement(1_000, 1_260, 1_040)  # tighter: offset 240
    assert clock.offset_ms == 240
    clock.add_measurement(2_000, 2_000, 2_300)
    clock.add_measurement(3_000, 3_000, 3_300)  # the rtt-40 sample has been forgotten
    assert clock.estimate.samples == 2 and clock.estimate.rtt_ms == 300
    assert clock.offset_ms == -150


def test_staleness_and_clear():
    clock = ClockOffset()
    assert clock.is_stale(0, 60_000)
    clock.add(TimeSample(0, 50, 20))
    assert not clock.is_stale(30_000, 60_000)
    assert clock.is_stale(90_000, 60_000)
    clock.clear()
    assert clock.offset_ms == 0 and clock.is_stale(0, 60_000)
    with pytest.raises(ValueError):
        ClockOffset(max_samples=0)
