"""Command-line help reads as plain text, and the generators take `--help` as help, not as a folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["-m", "binance.sandbox"],
    ["tools/gen_endpoints.py"],
    ["tools/gen_sandbox_spec.py"],
    ["tools/gen_weights.py"],
    ["tools/gen_examples.py"],
    ["tools/docstring_markdown.py"],
    ["bench/run.py"],
    ["examples/demo_bot.py"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[-1])
def test_help_is_plain_text(command, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, *command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
    for markup in ("``", ":class:", ":meth:", ":attr:", ":func:"):
        assert markup not in done.stdout


def test_docstrings_carry_no_restructuredtext() -> None:
    """binance/ docstrings use Markdown (mkdocstrings); tools/docstring_markdown.py rewrites stragglers."""
    done = subprocess.run([sys.executable, "tools/docstring_markdown.py", "--check", "binance"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, "reST markup left (run tools/docstring_markdown.py):\n" + done.stdout[-3000:]
