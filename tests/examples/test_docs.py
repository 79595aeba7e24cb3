"""The documentation stays complete: a reference page for every public module, an up-to-date
examples index, and links between pages that resolve. (``tools/check_docs.sh`` runs the full
``mkdocs build --strict``; the last test here does too when mkdocs is installed.)"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tools"))

import check_reference  # noqa: E402
import gen_examples  # noqa: E402


def test_every_public_module_has_a_reference_page() -> None:
    modules = check_reference.public_modules(ROOT / "binance")
    assert "binance.um_futures" in modules and "binance.error" in modules
    assert check_reference.missing(modules, check_reference.documented(DOCS / "reference")) == []


def test_the_reference_check_notices_a_module_without_a_page() -> None:
    assert check_reference.missing(["binance.newthing"], {"binance.api"}) == ["binance.newthing"]
    assert check_reference.missing(["binance.websocket"], {"binance.websocket.user_data"}) == []


def test_the_examples_page_lists_every_generated_example() -> None:
    spec = json.loads((ROOT / "examples" / "_data" / "spec.json").read_text())
    assert (DOCS / "examples.md").read_text() == gen_examples.docs_index(spec), "run tools/gen_examples.py"


def test_links_between_pages_resolve() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in DOCS.rglob("*.md"):
        assert page.relative_to(DOCS).as_posix() in nav, f"{page} is not in the nav of mkdocs.yml"
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).resolve().exists(), f"{page.name} links to missing {target}"


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="needs requirements-docs.txt installed")
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
