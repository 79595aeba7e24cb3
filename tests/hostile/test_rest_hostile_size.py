"""A response may weigh at most `max_response_bytes` decoded; a 100 MB body or a gzip bomb costs the
process no more memory than the cap (RSS growth measured in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from hostile_servers import API_KEY, SECRET, big_body, gzip_bomb, gzip_bomb_bytes, gzipped_json, json_reply, reply

from binance.error import OutcomeUnknownError, ResponseTooLargeError
from binance.um_futures import UMFutures

pytestmark = pytest.mark.timeout(120)

RSS_BUDGET_MB = 64

# The client runs in its own interpreter so the server's buffers and pytest's own memory do not count:
# VmHWM (peak resident set) is read after a warm-up call and again after the hostile one.
CLIENT = textwrap.dedent("""
    import json, sys
    from binance.um_futures import UMFutures

    def peak_kb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])

    client = UMFutures("k", "s", base_url=sys.argv[1], timeout=60)
    client.ping()
    before = peak_kb()
    try:
        client.time()
        outcome = "returned"
    except Exception as exc:
        outcome = type(exc).__name__
    print(json.dumps({"outcome": outcome, "growth_mb": (peak_kb() - before) / 1024}))
""")


def _measure(url: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CLIENT, url], capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize("name", ["body_100mb", "body_100mb_no_length", "gzip_bomb_500mb"])
def test_rss_growth_stays_within_64mb(hostile, name):
    if name == "gzip_bomb_500mb":
        assert len(gzip_bomb_bytes()) < 1024 * 1024  # about 0.5 MB on the wire
        behaviour = gzip_bomb
    else:
        behaviour = big_body(100 * 1024 * 1024, declared=name == "body_100mb")
    server = hostile(behaviour, routes={"/fapi/v1/ping": json_reply({})})
    result = _measure(server.url)
    sys.stderr.write(f"figure: RSS growth on {name}: {result['growth_mb']:.1f} MB ({result['outcome']})\n")
    assert result["outcome"] == "ResponseTooLargeError"
    assert result["growth_mb"] <= RSS_BUDGET_MB


def test_the_cap_is_adjustable_and_counts_decoded_bytes(hostile):
    answer = {"symbols": ["X" * 100] * 50}  # about 5 kB of JSON, gzipped to far less
    server = hostile(gzipped_json(answer))
    client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=5)
    assert client.time() == answer
    client.max_response_bytes = 4000
    with pytest.raises(ResponseTooLargeError) as info:
        client.time()
    assert isinstance(info.value, OutcomeUnknownError)
    assert "max_response_bytes" in str(info.value)


def test_a_declared_length_past_the_cap_is_refused_before_reading(hostile):
    server = hostile(reply(body=b" " * 10_000))
    client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=5)
    client.max_response_bytes = 9_999
    with pytest.raises(ResponseTooLargeError):
        client.time()
    client.max_response_bytes = 10_000
    with pytest.raises(OutcomeUnknownError):  # spaces are not JSON, but the size is allowed
        client.time()


def test_the_default_cap_is_32_mib():
    assert UMFutures().max_response_bytes == 32 * 1024 * 1024
