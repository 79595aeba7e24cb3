"""The bench's common currency: :class:`Row`, and the text table, the Markdown and the chart made from rows.

Every bench module exposes ``run(quick: bool) -> list[Row]`` (see bench/README.md). A row holds one
figure for ours, for the competitor and for the floor (the bare primitive), with optional target
bounds; ratios, "x floor" and met / not met are derived here, in one place.

This module needs only the standard library, except :func:`write_chart` (matplotlib), which
``bench/run.py`` runs in the bench-only ``chart`` venv: ``python bench/_table.py --chart rows.json out.png``.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Dict, Iterable, List, Optional, Sequence

# The peers of the table, in column order (labels as the modules give them in ``Row.peers``).
PEERS = ("4.2.0", "SDK", "ccxt", "python-binance")
PEER_TITLES = {"4.2.0": "4.2.0", "SDK": "modular SDK", "ccxt": "ccxt", "python-binance": "python-binance"}


@dataclass
class Row:
    """One figure of the benchmark.

    ``ratio`` is ``ours / theirs`` and ``x floor`` is ``value / floor``, in the row's own unit: for a
    time (``higher_is_better=False``) below 1 means faster, for a rate above 1 means faster.
    The ``*_max`` / ``*_min`` bounds are the targets; a row without any has no target.
    """

    section: str
    metric: str
    unit: str
    ours: Optional[float]
    theirs: Optional[float] = None
    floor: Optional[float] = None
    theirs_label: str = "4.2.0"
    floor_label: str = ""
    higher_is_better: bool = False
    ratio_max: Optional[float] = None
    ratio_min: Optional[float] = None
    floor_max: Optional[float] = None
    floor_min: Optional[float] = None
    value_max: Optional[float] = None
    value_min: Optional[float] = None
    show_ratio: bool = True
    note: str = ""
    peers: Dict[str, Optional[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """With ``peers`` and no ``theirs``, ``theirs`` is the best peer's figure (the ratio's denominator)."""
        if self.theirs is None and self.peers:
            known = [(label, value) for label, value in self.peers.items() if value is not None and not _bad(value)]
            if known:
                pick = max if self.higher_is_better else min
                self.theirs_label, self.theirs = pick(known, key=lambda item: item[1])

    @property
    def ratio(self) -> Optional[float]:
        """``ours / theirs``, or None when either is missing (or ``show_ratio`` is off)."""
        return _div(self.ours, self.theirs) if self.show_ratio else None

    @property
    def ours_x_floor(self) -> Optional[float]:
        """``ours / floor``."""
        return _div(self.ours, self.floor)

    @property
    def theirs_x_floor(self) -> Optional[float]:
        """``theirs / floor``."""
        return _div(self.theirs, self.floor)

    def target_text(self) -> str:
        """The targets in words, e.g. ``ratio <= 0.90, <= 1.15x floor``."""
        parts = []
        for bound, text in (
            (self.ratio_max, "ratio <= {:.2f}"),
            (self.ratio_min, "ratio >= {:.2f}"),
            (self.floor_max, "<= {:.2f}x floor"),
            (self.floor_min, ">= {:.2f}x floor"),
            (self.value_max, "<= {:g} " + self.unit),
            (self.value_min, ">= {:g} " + self.unit),
        ):
            if bound is not None:
                parts.append(text.format(bound))
        return ", ".join(parts)

    @property
    def met(self) -> Optional[bool]:
        """True when every target holds, False when one fails or cannot be measured, None without targets."""
        checks = (
            (self.ratio, self.ratio_max, self.ratio_min),
            (self.ours_x_floor, self.floor_max, self.floor_min),
            (self.ours, self.value_max, self.value_min),
        )
        verdict: Optional[bool] = None
        for value, upper, lower in checks:
            if upper is None and lower is None:
                continue
            if value is None:
                return False
            ok = (upper is None or value <= upper) and (lower is None or value >= lower)
            verdict = ok if verdict is None else verdict and ok
        return verdict

    def to_dict(self) -> Dict[str, Any]:
        """Plain dict (JSON-safe) of the row's fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Row":
        """Build a row from :meth:`to_dict` output, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def as_row(item: Any) -> Row:
    """Accept a :class:`Row` or a dict with its field names (modules may return either)."""
    if isinstance(item, Row):
        return item
    if isinstance(item, dict):
        return Row.from_dict(item)
    return Row.from_dict(vars(item))


def _div(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None or b is None or b == 0 or _bad(a) or _bad(b):
        return None
    return a / b


def _bad(value: float) -> bool:
    return isinstance(value, float) and (math.isnan(value) or math.isinf(value))


def fmt_value(value: Optional[float]) -> str:
    """A figure with sensible precision: ``12,345``, ``123``, ``12.3``, ``1.23``; ``n/a`` for None."""
    if value is None or _bad(value):
        return "n/a"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_ratio(value: Optional[float]) -> str:
    """``0.83x``; ``n/a`` for None."""
    return "n/a" if value is None else f"{value:.2f}x"


def fmt_met(met: Optional[bool]) -> str:
    """``met`` / ``NOT MET`` / empty."""
    return "" if met is None else ("met" if met else "NOT MET")


HEADERS = ("section", "metric", "unit", "ours") + tuple(PEER_TITLES[p] for p in PEERS) + (
    "best peer", "ratio", "floor", "ours/floor", "target", "met")


def peer_value(row: Row, peer: str) -> Optional[float]:
    """The row's figure for ``peer`` (from ``peers``, or ``theirs`` when its label is that peer)."""
    if peer in row.peers:
        return row.peers[peer]
    return row.theirs if row.theirs_label == peer else None


def table_cells(rows: Iterable[Row]) -> List[List[str]]:
    """The table's cells, one list per row, in :data:`HEADERS` order."""
    out = []
    for row in rows:
        out.append([row.section, row.metric, row.unit, fmt_value(row.ours)]
                   + [fmt_value(peer_value(row, peer)) for peer in PEERS]
                   + [row.theirs_label if row.theirs is not None else "",
                      fmt_ratio(row.ratio), fmt_value(row.floor), fmt_ratio(row.ours_x_floor),
                      row.target_text(), fmt_met(row.met)])
    return out


_RIGHT = {"ours", "ratio", "floor", "ours/floor"} | set(PEER_TITLES.values())


def format_text(rows: Sequence[Row]) -> str:
    """A fixed-width table for the terminal."""
    cells = table_cells(rows)
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(HEADERS)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if h in _RIGHT else v.ljust(w) for v, w, h in zip(values, widths, HEADERS)]
        return "  ".join(parts).rstrip()

    rule = "-" * len(line(["-" * w for w in widths]))
    return "\n".join([line(HEADERS), rule] + [line(c) for c in cells])


def format_markdown(rows: Sequence[Row]) -> str:
    """A GitHub Markdown table of the same cells."""
    cells = table_cells(rows)
    align = ["---:" if h in _RIGHT else "---" for h in HEADERS]
    lines = ["| " + " | ".join(HEADERS) + " |", "| " + " | ".join(align) + " |"]
    for c in cells:
        lines.append("| " + " | ".join(v.replace("|", "\\|") for v in c) + " |")
    return "\n".join(lines)


def speedup(row: Row) -> Optional[float]:
    """How many times better ours is than theirs (>1 is better, whatever the unit's direction)."""
    ratio = row.ratio
    if ratio is None or ratio <= 0:
        return None
    return ratio if row.higher_is_better else 1 / ratio


def floor_efficiency(value: Optional[float], row: Row) -> Optional[float]:
    """A client's speed as a fraction of the floor's (1.0 = as fast as the bare primitive)."""
    x = _div(value, row.floor)
    if x is None or x <= 0:
        return None
    return x if row.higher_is_better else 1 / x


PEER_COLORS = {"4.2.0": "#9e9e9e", "SDK": "#ef6c00", "ccxt": "#6a1b9a", "python-binance": "#00838f"}


def peer_speedup(row: Row, peer: str) -> Optional[float]:
    """How many times better ours is than ``peer`` on this row (>1 is better), or None."""
    value = _div(row.ours, peer_value(row, peer))
    if value is None or value <= 0 or not row.show_ratio:
        return None
    return value if row.higher_is_better else 1 / value


def write_chart(rows: Sequence[Row], path: str, title: str = "") -> None:
    """Two panels: ours against every peer (times better), and every client's speed relative to the floor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    left = [r for r in rows if any(peer_speedup(r, p) is not None for p in PEERS)]
    right = [r for r in rows if floor_efficiency(r.ours, r) is not None and r.unit != "MB"]
    height = max(3.0, 0.6 * max(len(left), len(right), 1) + 1.8)
    fig, axes = plt.subplots(1, 2 if right else 1, figsize=(18 if right else 9, height), squeeze=False,
                             layout="constrained")
    ax1 = axes[0][0]
    width = 0.8 / len(PEERS)
    values_seen: List[float] = []
    for k, peer in enumerate(PEERS):
        ys, values = [], []
        for i, row in enumerate(left):
            value = peer_speedup(row, peer)
            if value is not None:
                ys.append(i - 0.4 + width * (k + 0.5))
                values.append(value)
        values_seen += values
        ax1.barh(ys, values, height=width, color=PEER_COLORS[peer], label=f"vs {PEER_TITLES[peer]}")
    ax1.set_yticks(range(len(left)), [f"{r.section}: {r.metric}" for r in left], fontsize=7)
    ax1.invert_yaxis()
    ax1.set_xscale("log")
    ax1.set_xlim(min([0.5] + [v / 1.5 for v in values_seen]), max([2.0] + [v * 3 for v in values_seen]))
    ax1.axvline(1.0, color="black", linewidth=0.8)
    ax1.legend(fontsize=7, loc="lower right")
    ax1.set_title("ours vs each peer: times better (log scale; > 1 = ours better)", fontsize=9)

    if right:
        _floor_panel(axes[0][1], right)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _floor_panel(ax2: Any, right: Sequence[Row]) -> None:
    labels = [f"{r.section}: {r.metric}" for r in right]
    series = [("ours", "#1565c0", [floor_efficiency(r.ours, r) or 0.0 for r in right])]
    series += [(PEER_TITLES[p], PEER_COLORS[p], [floor_efficiency(peer_value(r, p), r) or 0.0 for r in right])
               for p in PEERS]
    width = 0.8 / len(series)
    for k, (label, color, values) in enumerate(series):
        ax2.barh([i - 0.4 + width * (k + 0.5) for i in range(len(right))], values, height=width, label=label,
                 color=color)
    ax2.set_yticks(list(range(len(right))), labels, fontsize=7)
    ax2.invert_yaxis()
    ax2.axvline(1.0, color="black", linewidth=0.8)
    ax2.set_xlim(0, max([1.1] + [v * 1.1 for _, _, values in series for v in values]))
    ax2.set_title("speed relative to the floor (1.0 = bare primitive)", fontsize=9)
    ax2.legend(fontsize=7, loc="lower right")


def _main(argv: List[str]) -> int:
    if len(argv) >= 3 and argv[0] == "--chart":
        with open(argv[1], encoding="utf-8") as handle:
            data = json.load(handle)
        write_chart([Row.from_dict(d) for d in data["rows"]], argv[2], data.get("title", ""))
        return 0
    print("usage: python bench/_table.py --chart rows.json out.png", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))


def median(values: Iterable[Optional[float]]) -> Optional[float]:
    """Median of the values that are not None; None when there are none."""
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None
