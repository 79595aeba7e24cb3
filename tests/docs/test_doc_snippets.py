"""Every ```python block of README.md and docs/**/*.md runs as written, against a local sandbox.

The blocks are written for users: they name production, `environment="testnet"` or a Sandbox of their
own, and the placeholder key `your-api-key` / `your-api-secret`. For the run, the named environments
(production, testnet, demo) point at one sandbox started here, in which that key is a funded account
(with an HMAC secret and an Ed25519 key pair, whose PEM files are in the block's working folder); the
suite's network guard (tests/netguard.py) would fail the run if a block still reached a real host.

Each block runs alone, in a fresh namespace, so it must be self-contained. A block that defines
pytest tests (`def test_...`) is run by pytest in a subprocess, with the package's pytest plugin.
A block that must not run carries `<!-- no-run: <reason> -->` on the line directly above its fence;
`test_inventory` counts them and checks each has a reason.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_RUN = re.compile(r"^<!-- no-run: (?P<reason>.*\S.*) -->$")
KEY, SECRET = "your-api-key", "your-api-secret"
PASSPHRASE = "passphrase"


@dataclass(frozen=True)
class Block:
    """One fenced python block."""

    path: str
    line: int
    code: str
    no_run: str  # the reason, or "" when the block runs

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


def doc_files() -> List[Path]:
    """README.md and every Markdown page of the docs site."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def python_blocks() -> List[Block]:
    """Every ```python block, with its no-run reason when marked."""
    blocks = []
    for path in doc_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        n = 0
        while n < len(lines):
            fence = lines[n].strip()
            if fence.startswith("```"):
                end = n + 1
                while end < len(lines) and lines[end].strip() != "```":
                    end += 1
                if fence == "```python":
                    marker = NO_RUN.match(lines[n - 1].strip()) if n else None
                    blocks.append(Block(str(path.relative_to(ROOT)), n + 1, "\n".join(lines[n + 1:end]) + "\n",
                                        marker.group("reason") if marker else ""))
                n = end
            n += 1
    return blocks


BLOCKS = python_blocks()
RUNNABLE = [b for b in BLOCKS if not b.no_run]


def test_inventory() -> None:
    """The markers sit directly above python fences and say why; the counts are reported."""
    assert len(BLOCKS) >= 30
    for path in doc_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if "no-run" in line and line.strip().startswith("<!--"):
                assert NO_RUN.match(line.strip()), f"{path.name}:{n + 1}: malformed marker {line!r}"
                assert n + 1 < len(lines) and lines[n + 1].strip() == "```python", (
                    f"{path.name}:{n + 1}: a no-run marker must be directly above a ```python fence"
                )
    marked = [b for b in BLOCKS if b.no_run]
    assert len(marked) <= 5, "more than a few blocks cannot run: " + ", ".join(b.id for b in marked)


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PEM files the authentication page talks about."""
    from Crypto.PublicKey import ECC, RSA

    folder = tmp_path_factory.mktemp("keys")
    ed = ECC.generate(curve="ed25519")
    (folder / "ed25519_private.pem").write_text(ed.export_key(format="PEM"))
    (folder / "ed25519_public.pem").write_text(ed.public_key().export_key(format="PEM"))
    (folder / "ed25519_private_encrypted.pem").write_text(
        ed.export_key(format="PEM", passphrase=PASSPHRASE, protection="PBKDF2WithHMAC-SHA512AndAES256-CBC")
    )
    rsa = RSA.generate(2048)
    (folder / "rsa_private.pem").write_bytes(rsa.export_key())
    (folder / "rsa_public.pem").write_bytes(rsa.public_key().export_key())
    return folder


@pytest.fixture(scope="module")
def docs_sandbox(keys_dir: Path) -> Iterator[object]:
    """The exchange that stands in for production, testnet and demo while the blocks run."""
    pytest.importorskip("aiohttp")
    from binance.sandbox import Sandbox

    with Sandbox(seed=1, tick_interval=0.05) as sb:
        sb.add_account(KEY, api_secret=SECRET, ed25519_public_key=(keys_dir / "ed25519_public.pem").read_text())
        yield sb


@pytest.fixture
def as_documented(docs_sandbox, keys_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Named environments lead to the sandbox; the working folder has the PEM files."""
    from binance import environments

    local = environments.get_environment(docs_sandbox)
    for name in ("production", "testnet", "demo"):
        monkeypatch.setitem(environments.ENVIRONMENTS, name, local)
    monkeypatch.setenv("BINANCE_API_KEY", KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", SECRET)
    monkeypatch.chdir(keys_dir)
    yield keys_dir


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = logging.Logger.manager.loggerDict
    levels = {name: lg.level for name, lg in loggers.items() if isinstance(lg, logging.Logger)}
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        for name, lg in list(loggers.items()):
            if isinstance(lg, logging.Logger):
                lg.setLevel(levels.get(name, logging.NOTSET))


def _wait_for_threads(before: set, timeout: float = 10.0) -> List[str]:
    deadline = time.monotonic() + timeout
    while True:
        left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.id)
def test_block_runs_as_written(block: Block, as_documented: Path, tmp_path: Path) -> None:
    if re.search(r"^def test_", block.code, re.M):
        test_file = tmp_path / "test_doc_block.py"
        test_file.write_text(block.code)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
             str(test_file)],
            cwd=tmp_path, capture_output=True, text=True, timeout=80, env=env,
        )
        assert done.returncode == 0, f"{block.id}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
        assert " passed" in done.stdout and "skipped" not in done.stdout
        return
    before = set(threading.enumerate())
    namespace = {"__name__": "__doc_block__"}
    with _logging_restored():  # a block may configure logging (docs/rest.md does): not for later tests
        exec(compile(block.code, block.id, "exec"), namespace)  # noqa: S102 - the documentation's own code
    left = _wait_for_threads(before)
    assert not left, f"{block.id} left threads running (a client not stopped?): {left}"
