"""mypy --strict and pyright (strict) over the bots, the demo bot and tests/typing/typed_bot.py (issue 14).

Both checkers must find nothing except on the lines of typed_bot.py marked `# misuse: ...`, and each of
those lines must be reported by both (a mistake the types let through fails the test). The library is
seen as a user's checker sees an installed package: its types are used, its own findings are not
reported (tests/typing/mypy.ini, tests/typing/pyrightconfig.json).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHECKED = ["examples/bots", "examples/demo_bot.py", "examples/_common.py", "tests/typing/typed_bot.py"]
BOT = HERE / "typed_bot.py"

pytestmark = pytest.mark.timeout(300)


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (it comes with the dev extra: pip install -e '.[dev]')")
    return found


def _misuses() -> Dict[int, str]:
    """Line number -> what the misuse on it is."""
    out = {}
    for number, line in enumerate(BOT.read_text().splitlines(), 1):
        found = re.search(r"\S  # misuse: (.+)$", line)  # an inline comment after code
        if found:
            out[number] = found.group(1)
    return out


def _split(findings: List[Tuple[str, int, str]]) -> Tuple[Set[int], List[str]]:
    """Lines of typed_bot.py with a finding, and every finding elsewhere or on an unmarked line."""
    misuse_lines = set(_misuses())
    hit: Set[int] = set()
    unexpected = []
    for path, line, text in findings:
        if Path(path).resolve() == BOT and line in misuse_lines:
            hit.add(line)
        else:
            unexpected.append(f"{path}:{line}: {text}")
    return hit, unexpected


def test_the_misuses_are_there():
    kinds = " | ".join(_misuses().values())
    for expected in (
        "misspelt response key",
        "misspelt client option",
        "order-type Literal",
        "missing required argument",
        "wrong key on a user-data event",
        "misspelt Sandbox attribute",
    ):
        assert expected in kinds


def test_mypy_strict():
    mypy = _tool("mypy")
    result = subprocess.run(
        [mypy, "--config-file", str(HERE / "mypy.ini"), *CHECKED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    findings = [
        (m.group(1), int(m.group(2)), m.group(3))
        for m in re.finditer(r"^(.+?):(\d+): error: (.*)$", result.stdout, flags=re.M)
    ]
    hit, unexpected = _split(findings)
    assert unexpected == [], "mypy --strict found problems:\n" + "\n".join(unexpected)
    missed = {n: what for n, what in _misuses().items() if n not in hit}
    assert missed == {}, f"mypy let these misuses through: {missed}"


def test_pyright_strict():
    pyright = _tool("pyright")
    result = subprocess.run(
        [pyright, "--outputjson", "-p", str(HERE / "pyrightconfig.json"), "--pythonpath", sys.executable],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"pyright did not run: {result.stdout[-2000:]} {result.stderr[-2000:]}")
    findings = [
        (d["file"], d["range"]["start"]["line"] + 1, d["message"].splitlines()[0])
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert report["summary"]["filesAnalyzed"] >= 5
    hit, unexpected = _split(findings)
    assert unexpected == [], "pyright (strict) found problems:\n" + "\n".join(unexpected)
    missed = {n: what for n, what in _misuses().items() if n not in hit}
    assert missed == {}, f"pyright let these misuses through: {missed}"
