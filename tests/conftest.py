"""Suite-wide guard: nothing in the test suite reaches a host other than this machine (see netguard.py)."""

from __future__ import annotations

import pytest
from netguard import install, netguard, uninstall


def pytest_configure(config: pytest.Config) -> None:
    install()


def pytest_unconfigure(config: pytest.Config) -> None:
    uninstall()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    refused = netguard.pending()
    if refused:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = sorted(set(refused))
        if reporter is not None:
            reporter.write_line(f"network guard: {len(refused)} attempt(s) to leave the machine:", red=True)
            for line in lines:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
