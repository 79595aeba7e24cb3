"""Bench-only virtualenvs under ``bench/.venvs/``: the competitors and the chart tool, never library deps.

Each venv is created once with ``python -m venv`` and ``pip install`` of its pinned requirements,
then reused: a stamp file records the requirements it was built with, and a venv whose stamp does
not match is rebuilt. ``BENCH_VENV_ROOT`` moves them elsewhere (e.g. a CI cache).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

logger = logging.getLogger(__name__)

VENV_ROOT = os.environ.get("BENCH_VENV_ROOT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), ".venvs")
STAMP = ".bench-requirements"

# name -> requirements. The competitors get their own interpreter so that nothing of ours is importable.
VENVS: Dict[str, List[str]] = {
    "ref": ["binance-futures-connector==4.2.0"],
    "pybinance": ["python-binance"],
    "sdk": ["binance-sdk-derivatives-trading-usds-futures"],
    "ccxt": ["ccxt"],
    "chart": ["matplotlib"],
}


def venv_python(name: str, root: str = VENV_ROOT) -> str:
    """Path of the interpreter of the bench venv ``name`` (it may not exist yet)."""
    return os.path.join(root, name, "bin", "python")


def _stamp_text(requirements: Sequence[str]) -> str:
    return "\n".join(sorted(requirements)) + "\n"


def is_ready(name: str, requirements: Sequence[str], root: str = VENV_ROOT) -> bool:
    """True when the venv exists and was built with exactly ``requirements``."""
    stamp = os.path.join(root, name, STAMP)
    if not os.path.isfile(venv_python(name, root)) or not os.path.isfile(stamp):
        return False
    with open(stamp, encoding="utf-8") as handle:
        return handle.read() == _stamp_text(requirements)


def ensure_venv(
    name: str,
    requirements: Optional[Sequence[str]] = None,
    root: str = VENV_ROOT,
    base_python: str = sys.executable,
    timeout: float = 420.0,
) -> str:
    """Create (or reuse) the bench venv ``name`` with ``requirements``; return its python.

    Raises :class:`subprocess.CalledProcessError` or :class:`subprocess.TimeoutExpired` when pip fails;
    the half-built venv is removed so that the next run starts clean.
    """
    reqs = list(VENVS[name] if requirements is None else requirements)
    python = venv_python(name, root)
    if is_ready(name, reqs, root):
        return python
    path = os.path.join(root, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(root, exist_ok=True)
    logger.info("creating bench venv %s with %s", name, " ".join(reqs))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    log_path = os.path.join(root, name + ".log")
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            run = dict(check=True, env=env, timeout=timeout, stdout=log, stderr=subprocess.STDOUT)
            subprocess.run([_real_python(base_python), "-m", "venv", path], **run)
            pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
            subprocess.run(pip + reqs, **run)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        logger.error("building bench venv %s failed; pip's output is in %s", name, log_path)
        raise
    with open(os.path.join(path, STAMP), "w", encoding="utf-8") as handle:
        handle.write(_stamp_text(reqs))
    return python


def _real_python(python: str) -> str:
    """The base interpreter behind a venv's python, so that bench venvs never nest in the project venv."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(getattr(sys, '_base_executable', sys.executable))"],
            capture_output=True, text=True, timeout=30, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return python
    path = out.stdout.strip()
    return path if path and os.path.isfile(path) else python


ENV_VARS = {"ref": "BENCH_REF_PYTHON", "pybinance": "BENCH_PYBINANCE_PYTHON", "sdk": "BENCH_SDK_PYTHON",
            "ccxt": "BENCH_CCXT_PYTHON", "chart": "BENCH_CHART_PYTHON"}


def competitor_python(name: str) -> Optional[str]:
    """The python of bench venv ``name`` as exported by ``bench/run.py`` (``BENCH_*_PYTHON``).

    Unset: the venv is built (or reused) now. Set but empty: it could not be built; None.
    """
    value = os.environ.get(ENV_VARS[name])
    if value is not None:
        return value or None
    try:
        return ensure_venv(name)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.error("bench venv %s could not be built: %s", name, exc)
        return None


def installed_version(python: str, distribution: str) -> Optional[str]:
    """Version of ``distribution`` in the interpreter ``python``, or None."""
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    try:
        out = subprocess.run([python, "-I", "-c", code], capture_output=True, text=True, timeout=60, check=True,
                             cwd=os.path.dirname(python))
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
