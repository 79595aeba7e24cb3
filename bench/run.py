"""`make bench`: ours against 4.2.0, the modular SDK, ccxt and python-binance: one run, one table.

    .venv/bin/python bench/run.py [--quick] [--only MODULE ...] [--no-chart] [--out DIR | --publish]

1. creates (or reuses) the bench-only venvs under `bench/.venvs/` (4.2.0, the modular SDK, ccxt,
   python-binance, matplotlib);
2. runs each bench module's `run(quick) -> list[Row]` (see bench/README.md), each in turn;
3. prints one table (ours, each peer, the ratio to the best peer, floor, targets met / not met) and writes
   `results.md` (the table and the machine) and `results.png` (the chart) to `bench/out/`
   (not tracked); `--publish` writes the published `bench/results.md` / `bench/results.png` instead.

A module that fails is reported and the others still run. A full run takes a few minutes; the
first one also builds the venvs (about two minutes).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import functools
import importlib
import io
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import redirect_stdout
from typing import Any, Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (HERE, ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import _table  # noqa: E402
import _venvs  # noqa: E402
from _table import Row, as_row  # noqa: E402

# Module name -> what it measures. Order = order of the table.
MODULES: Dict[str, str] = {
    "bench_rest": "REST overhead per call and signing alone",
    "bench_memory": "stream dispatch rate and memory",
    "bench_streams": "stream delivery from bursts (aggTrade, depth diffs) and reconnect time",
    "bench_orderbook": "order-book diff events per second",
    "bench_ws_api": "WebSocket API order round trip",
}


def machine_info() -> Dict[str, str]:
    """CPU model, cores, Python version, OS and the date, for the results file."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    virtual = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            virtual = ", virtual machine" if " hypervisor" in handle.read() else ""
    except OSError:
        pass
    return {
        "commit": commit or "unknown",
        "machine": f"{os.cpu_count()}-core {platform.machine()}{virtual}",
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


PEER_VENVS = ("ref", "sdk", "ccxt", "pybinance")
PEER_DISTRIBUTIONS = {"ref": "binance-futures-connector", "sdk": "binance-sdk-derivatives-trading-usds-futures",
                      "ccxt": "ccxt", "pybinance": "python-binance"}


def prepare_venvs(need_chart: bool) -> Dict[str, Optional[str]]:
    """Build (or reuse) the bench venvs, in parallel; export their pythons as `BENCH_*_PYTHON`."""
    wanted = list(PEER_VENVS) + (["chart"] if need_chart else [])
    missing = [name for name in wanted if not _venvs.is_ready(name, _venvs.VENVS[name])]
    if missing:
        print(f"building bench venvs {', '.join(missing)} (first run only) ...", flush=True)
    started = time.monotonic()

    def build(name: str) -> Optional[str]:
        try:
            return _venvs.ensure_venv(name)
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"bench venv {name} could not be built: {exc}", file=sys.stderr)
            return None

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        pythons = dict(zip(wanted, pool.map(build, wanted)))
    if missing:
        print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    for name, python in pythons.items():
        os.environ[_venvs.ENV_VARS[name]] = python or ""
    return pythons


def competitor_versions(pythons: Dict[str, Optional[str]]) -> str:
    """E.g. `binance-futures-connector 4.2.0, python-binance 1.0.37` (what the bench venvs hold)."""
    found = []
    for name, dist in PEER_DISTRIBUTIONS.items():
        python = pythons.get(name)
        version = _venvs.installed_version(python, dist) if python else None
        if version:
            found.append(f"{dist} {version}")
    return ", ".join(found)



# Module name -> a runner for a module that has no run(quick) (yet): it calls the module's own functions.
ADAPTERS: Dict[str, Any] = {}


def run_module(name: str, quick: bool) -> Tuple[List[Row], str, Optional[str]]:
    """Run one module's `run(quick)`; return (rows, what it printed, error text or None)."""
    buffer = io.StringIO()
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return [], "", "not present"
        return [], "", traceback.format_exc(limit=3)
    runner = getattr(module, "run", None)
    if runner is None and name in ADAPTERS:
        runner = functools.partial(ADAPTERS[name], module)
    if runner is None:
        return [], "", "has no run(quick) yet (see bench/README.md)"
    try:
        with redirect_stdout(buffer):
            rows = [as_row(item) for item in runner(quick)]
    except Exception:
        return [], buffer.getvalue(), traceback.format_exc(limit=4)
    return rows, buffer.getvalue(), None


def write_markdown(path: str, rows: Sequence[Row], info: Dict[str, str], notes: Sequence[str],
                   seconds: float, quick: bool) -> None:
    """Write the results file: machine, table, notes, how to reproduce."""
    lines = [
        "# Benchmark results",
        "",
        f"Run of {info['date']} at commit `{info['commit']}`, on a {info['machine']} ({info['cpu']}), "
        f"Python {info['python']}, {info['os']}; one `make bench`{' --quick' if quick else ''} ({seconds:.0f} s). "
        "Each competitor ran in its own virtualenv process against the same local server as ours"
        + (f" ({info['competitors']})." if info.get("competitors") else "."),
        "",
        "`ratio` is ours / the best peer's figure in the row's unit (a time below 1 or a rate above 1 means ours "
        "is faster; `best peer` names it); `ours/floor` compares ours with the bare primitive doing the same work "
        "(a bare `requests.Session` call, a bare websocket-client receive loop, the signing primitive "
        "with a pre-parsed key).",
        "",
        _table.format_markdown(rows),
        "",
        "![benchmark chart](results.png)",
        "",
    ]
    row_notes = [f"- {r.section} / {r.metric}: {r.note}" for r in rows if r.note]
    if row_notes or notes:
        lines += ["## Notes", ""] + row_notes + [f"- {n}" for n in notes] + [""]
    lines += ["Reproduce: `make bench` (or `.venv/bin/python bench/run.py`; `--publish` updates this file); "
              "see bench/README.md.", ""]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def write_chart(rows: Sequence[Row], path: str, title: str, python: Optional[str]) -> Optional[str]:
    """Draw the chart with the `chart` venv's matplotlib; return an error text or None."""
    if not python:
        return "no matplotlib venv"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"rows": [r.to_dict() for r in rows], "title": title}, handle)
        data = handle.name
    try:
        out = subprocess.run([python, os.path.join(HERE, "_table.py"), "--chart", data, path],
                             capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(data)
    return None if out.returncode == 0 else (out.stderr or out.stdout)[-500:]


def main(argv: Optional[List[str]] = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts (a smoke run, not figures)")
    parser.add_argument("--only", action="append", choices=list(MODULES), help="run only these modules")
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument("--out", default=None, help="where results.md / results.png go (default: bench/out/; "
                                                    "a --quick run writes them only when --out is given)")
    parser.add_argument("--publish", action="store_true",
                        help="update the published bench/results.md and bench/results.png (the README's figures)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    started = time.monotonic()
    modules = args.only or list(MODULES)
    if args.publish and (args.out or args.quick):
        parser.error("--publish writes bench/ from a full run: not with --out or --quick")
    out_dir = HERE if args.publish else args.out or (None if args.quick else os.path.join(HERE, "out"))
    pythons = prepare_venvs(need_chart=bool(out_dir) and not args.no_chart)
    if not pythons.get("ref"):
        print("the official 4.2.0 venv is missing: competitor figures will be n/a", file=sys.stderr)

    rows: List[Row] = []
    notes: List[str] = []
    for name in modules:
        print(f"running {name}: {MODULES[name]} ...", flush=True)
        module_started = time.monotonic()
        module_rows, printed, error = run_module(name, args.quick)
        rows += module_rows
        took = time.monotonic() - module_started
        if error:
            short = error.strip().splitlines()[-1]
            print(f"  {name}: {short}", flush=True)
            if error != "not present":
                notes.append(f"{name}: {short}")
                if printed.strip():
                    print(printed, flush=True)
        else:
            print(f"  {len(module_rows)} row(s) in {took:.0f} s", flush=True)

    info = machine_info()
    info["competitors"] = competitor_versions(pythons)
    seconds = time.monotonic() - started
    print()
    print(f"{info['machine']}, {info['cpu']}, Python {info['python']}, {info['date']}, commit {info['commit']}; "
          f"{info['competitors']}")
    print(_table.format_text(rows))
    missed = [r for r in rows if r.met is False]
    print(f"\n{sum(r.met is True for r in rows)} target(s) met, {len(missed)} not met; total {seconds:.0f} s")
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        md_path = os.path.join(out_dir, "results.md")
        write_markdown(md_path, rows, info, notes, seconds, args.quick)
        print(f"wrote {md_path}")
        if not args.no_chart:
            png = os.path.join(out_dir, "results.png")
            title = (f"binance-futures-connector 5.x vs 4.2.0, modular SDK, ccxt, python-binance — {info['cpu']} "
                     f"({info['cores']} cores), Python {info['python']}, {info['date']}")
            error = write_chart(rows, png, title, pythons.get("chart"))
            print(f"chart not written: {error}" if error else f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
