"""Every example runs against a sandbox and succeeds.

The per-endpoint, stream and WebSocket API examples run in this process against one shared sandbox
(their ``main`` is imported and called); the bots and the demo run as subprocesses for a few seconds.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

HAVE_AIOHTTP = importlib.util.find_spec("aiohttp") is not None
needs_sandbox = pytest.mark.skipif(not HAVE_AIOHTTP, reason="the sandbox needs the [sandbox] extra (aiohttp)")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(EXAMPLES))
sys.path.insert(0, str(ROOT / "tools"))

import _common  # noqa: E402
import gen_examples  # noqa: E402

SPEC = json.loads((EXAMPLES / "_data" / "spec.json").read_text())
REST = sorted([*(EXAMPLES / "um_futures").rglob("*.py"), *(EXAMPLES / "cm_futures").rglob("*.py")])
STREAMS = sorted(p for p in (EXAMPLES / "websocket").rglob("*.py") if "api" not in p.relative_to(EXAMPLES).parts)
WS_API = sorted((EXAMPLES / "websocket" / "api").rglob("*.py"))
SCRIPTS = sorted((EXAMPLES / "bots").glob("*.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(EXAMPLES))


def _market(path: Path) -> str:
    return "cm" if "cm_futures" in path.parts else "um"


def _load(path: Path) -> Any:
    name = "example_" + _rel(path).replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _clean_env(with_root: bool = True) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_") and k != "PYTHONPATH"}
    if with_root:
        env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture(scope="module")
def sandbox() -> Any:
    pytest.importorskip("aiohttp", reason="the sandbox needs the [sandbox] extra (aiohttp)")
    from binance.sandbox import Sandbox
    from binance.sandbox.ratelimit import RateLimits

    # ~200 examples share one account: lift the per-minute limits a single script stays far below
    limits = RateLimits(weight_per_minute=1_000_000, orders_per_10s=100_000, orders_per_minute=100_000)
    with Sandbox(seed=11, limits=limits) as sb:
        yield sb


# ---------------------------------------------------------------- coverage


def test_every_endpoint_and_stream_has_an_example() -> None:
    expected = set(gen_examples.generated_files(SPEC))
    missing = sorted(_rel(p) for p in expected if not p.exists())
    assert not missing, f"run tools/gen_examples.py: missing {missing}"
    for market in ("um", "cm"):
        assert len([p for p in REST if _market(p) == market]) == len(SPEC[market])
    stream_count = sum(len(s["markets"]) for s in SPEC["streams"])
    assert len(STREAMS) == stream_count
    assert len(WS_API) == sum(len(m) for m in SPEC["ws_api"].values())


def test_every_rest_example_calls_its_method_on_the_client() -> None:
    from binance.cm_futures import CMFutures
    from binance.um_futures import UMFutures

    for market, cls in (("um", UMFutures), ("cm", CMFutures)):
        for endpoint in SPEC[market]:
            method = gen_examples.method_of(endpoint)
            assert callable(getattr(cls, method, None)), f"{cls.__name__}.{method} is missing"


def test_live_mode_reads_only_the_environment(tmp_path: Path) -> None:
    assert _common.Target.from_env("um", {}) is None
    key_file = tmp_path / "key.pem"
    key_file.write_text("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n")
    target = _common.Target.from_env(
        "cm",
        {"BINANCE_API_KEY": "key-123", "BINANCE_PRIVATE_KEY_FILE": str(key_file), "BINANCE_BASE_URL": "https://x"},
    )
    assert target is not None and target.live
    assert target.rest_url == "https://x"
    assert target.stream_url == "wss://dstream.binance.com"
    assert target.private_key.startswith("-----BEGIN")
    assert target.credentials()["private_key"] == target.private_key
    assert "key-123" not in repr(target) and "PRIVATE" not in repr(target)


def test_no_example_holds_a_key() -> None:
    for path in EXAMPLES.rglob("*.py"):
        text = path.read_text()
        assert "BEGIN PRIVATE KEY" not in text, path
        for line in text.splitlines():
            stripped = line.replace(" ", "")
            assert not stripped.startswith(('api_key="', 'secret="', 'key="')), (path, line)


# ---------------------------------------------------------------- running them


@pytest.mark.parametrize("path", REST, ids=_rel)
def test_rest_example(sandbox: Any, path: Path) -> None:
    module = _load(path)
    client = _common.Target.from_sandbox(sandbox, _market(path)).rest()
    try:
        result = module.main(client)
    finally:
        client.close()
    assert result is not None
    json.dumps(result, default=str)


@pytest.mark.parametrize("path", STREAMS, ids=_rel)
def test_stream_example(sandbox: Any, path: Path) -> None:
    module = _load(path)
    inbox = module.main(_common.Target.from_sandbox(sandbox, _market(path)), seconds=8.0)
    assert inbox.ok, inbox.summary()
    assert not [a for a in inbox.answers if a.get("error")], inbox.summary()
    if path.stem not in gen_examples.RARE_STREAMS:
        assert inbox.events, inbox.summary()


@pytest.mark.parametrize("path", WS_API, ids=_rel)
def test_ws_api_example(sandbox: Any, path: Path) -> None:
    module = _load(path)
    result = module.main(_common.Target.from_sandbox(sandbox, _market(path)), seconds=10.0)
    assert result is not None


def _run(args: List[str], timeout: float, with_root: bool = True) -> subprocess.CompletedProcess:
    """Run a script the way a user does; ``with_root=False`` relies on the script finding the package itself."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=_clean_env(with_root), capture_output=True, text=True, timeout=timeout
    )


@needs_sandbox
@pytest.mark.parametrize("path", SCRIPTS, ids=_rel)
def test_bot(path: Path) -> None:
    done = _run([str(path), "--seconds", "3"], timeout=90)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "done:" in done.stdout and "clean-up failed" not in done.stderr


def test_every_example_puts_the_examples_folder_on_its_path() -> None:
    for path in EXAMPLES.rglob("*.py"):
        found = re.search(r"resolve\(\)\.parents\[(\d)\]", path.read_text())
        if path.parent == EXAMPLES:  # _common.py and the demo sit in examples/ itself
            continue
        assert found, f"{path} does not put examples/ on sys.path"
        assert path.resolve().parents[int(found.group(1))] == EXAMPLES.resolve(), path


@needs_sandbox
@pytest.mark.parametrize(
    "script, expected",
    [
        ("um_futures/market/depth.py", '"bids"'),
        ("websocket/um_futures/book_ticker.py", "events in"),
        ("websocket/api/cm_futures/account_balance.py", '"asset"'),
    ],
)
def test_a_generated_example_runs_as_a_script(script: str, expected: str) -> None:
    done = _run([str(EXAMPLES / script), "--seconds", "5"], timeout=60, with_root=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert expected in done.stdout


@needs_sandbox
def test_demo_bot() -> None:
    done = _run([str(EXAMPLES / "demo_bot.py"), "--seconds", "8"], timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for section in ("Market data", "Orders", "Position", "User-data events"):
        assert section in done.stdout, section
