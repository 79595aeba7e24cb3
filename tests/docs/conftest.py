"""Report how many documentation blocks ran and how many are marked not runnable (issue 15)."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from test_doc_snippets import BLOCKS

    stats = terminalreporter.stats
    ran = [r for r in stats.get("passed", []) if "test_block_runs_as_written" in r.nodeid and r.when == "call"]
    if not ran and not any("test_block_runs_as_written" in r.nodeid for r in stats.get("failed", [])):
        return
    marked = [b for b in BLOCKS if b.no_run]
    terminalreporter.write_line(
        f"documentation python blocks: {len(BLOCKS)} in all, {len(ran)} ran and passed, {len(marked)} marked no-run"
    )
    for block in marked:
        terminalreporter.write_line(f"  no-run {block.id}: {block.no_run}")
