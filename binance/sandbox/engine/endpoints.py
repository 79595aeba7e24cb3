"""REST endpoint metadata from the spec copy: security, mandatory params, example shape and weight rules."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

SPEC_FILE = Path(__file__).resolve().parent.parent / "spec_data.json"

_KLINE_BANDS = ((100, 1), (500, 2), (1001, 5))


def load_spec() -> dict:
    """The spec copy shipped with the package (`binance/sandbox/spec_data.json`)."""
    return json.loads(SPEC_FILE.read_text(encoding="utf-8"))


def _limit(params: Mapping[str, str], default: int) -> int:
    try:
        return int(params.get("limit") or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class EndpointInfo:
    """One REST endpoint: name, security type, weight rule, order-limit flag, params and documented example."""

    market: str
    http_method: str
    path: str
    name: str
    security: str
    weight_spec: str = ""
    required: Tuple[str, ...] = ()
    optional: Tuple[str, ...] = ()
    example: Any = None
    category: str = ""
    is_order: bool = False
    order_weight: int = 0
    _base: int = field(default=1, repr=False)

    @property
    def weight(self) -> int:
        """IP weight with no parameters (the default)."""
        return self.weight_for({})

    def weight_for(self, params: Mapping[str, str]) -> int:
        """IP weight of a request with `params` (depth/kline limit and with/without symbol rules)."""
        spec = self.weight_spec
        if "limit" in spec and ("by limit" in spec or "based on limit" in spec):
            if self.path.endswith("/depth") or self.path.endswith("/rpiDepth"):
                limit = _limit(params, 500 if self.path.endswith("/depth") else 1000)
                if limit <= 50:
                    return 2
                if limit <= 100:
                    return 5
                if limit <= 500:
                    return 10
                return 20
            limit = _limit(params, 500)
            for bound, weight in _KLINE_BANDS:
                if limit < bound:
                    return weight
            return 10
        m = re.match(r"^(\d+) (?:with symbol|for a single symbol), (\d+)", spec)
        if m:
            has_symbol = bool(params.get("symbol"))
            return int(m.group(1)) if has_symbol else int(m.group(2))
        return self._base


def _base_weight(spec: str) -> int:
    m = re.search(r"(\d+) on IP", spec)
    if m:
        return int(m.group(1))
    m = re.match(r"^\s*(\d+)", spec)
    return int(m.group(1)) if m else 1


def _order_weight(method: str, path: str, spec: str) -> int:
    m = re.search(r"(\d+) on 10s order count", spec)
    if m:
        return int(m.group(1))
    if "order count" in spec or "order rate limit" in spec:
        return 1
    if method in ("POST", "PUT") and path.endswith(("/order", "/batchOrders")):
        return 1
    return 0


def build_endpoints(spec: Optional[dict] = None) -> Dict[Tuple[str, str, str], EndpointInfo]:
    """ENDPOINTS keyed by (market, HTTP method, path)."""
    spec = spec or load_spec()
    out: Dict[Tuple[str, str, str], EndpointInfo] = {}
    for market, endpoints in spec["rest"].items():
        for ep in endpoints:
            method = ep["http_method"].upper()
            wspec = ep.get("weight") or ""
            order_weight = _order_weight(method, ep["path"], wspec)
            if ep["path"].endswith("/order/test"):
                order_weight = 0
            info = EndpointInfo(
                market=market, http_method=method, path=ep["path"], name=ep["name"], security=ep["security"],
                weight_spec=wspec, required=tuple(ep.get("required") or ()), optional=tuple(ep.get("optional") or ()),
                example=ep.get("example_response"), category=ep.get("category") or "",
                is_order=order_weight > 0, order_weight=order_weight, _base=_base_weight(wspec),
            )
            out[(market, method, ep["path"])] = info
    return out
