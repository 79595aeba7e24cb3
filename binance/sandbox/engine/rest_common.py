"""The request context handed to REST handlers, and shape helpers for documented examples."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import TYPE_CHECKING, Any, List, Mapping, Optional

from .errors import EngineError, mandatory
from .util import get_bool, get_dec, get_int, get_str

if TYPE_CHECKING:  # pragma: no cover
    from .accounts import Account
    from .endpoints import EndpointInfo
    from .exchange import Exchange
    from .market import MarketEngine
    from .state import SymbolState


class Ctx:
    """One REST call: the exchange, the market engine, the caller's key, the decoded parameters and the
    `source` recorded in `ex.order_log` for orders it places ("REST", "WS_API" ...)."""

    def __init__(self, ex: "Exchange", market: str, api_key: Optional[str], params: Mapping[str, str],
                 info: "EndpointInfo", source: str = "REST") -> None:
        self.ex = ex
        self.kind = market
        self.m: "MarketEngine" = ex.market(market)
        self.api_key = api_key
        self.params = params
        self.info = info
        self.source = source

    @property
    def ws_api(self) -> bool:
        """Whether the call answers a WebSocket API request (whose answers document a few more fields)."""
        return self.source == "WS_API"

    @property
    def acct(self) -> "Account":
        """The caller's account (-2015 when the key has none)."""
        return self.m.account(self.api_key)

    def check_account(self) -> None:
        """-2015 unless the caller's key has an account."""
        self.m.account(self.api_key)

    def now(self) -> int:
        """Exchange time."""
        return self.m.now()

    def str(self, name: str, required: bool = False) -> Optional[str]:
        """A string parameter."""
        return get_str(self.params, name, required)

    def int(self, name: str, required: bool = False, default: Optional[int] = None) -> Optional[int]:
        """An integer parameter."""
        return get_int(self.params, name, required, default)

    def dec(self, name: str, required: bool = False) -> Optional[Decimal]:
        """A decimal parameter."""
        return get_dec(self.params, name, required)

    def bool(self, name: str, default: bool = False) -> bool:
        """A true/false parameter."""
        return get_bool(self.params, name, default)

    def limit(self, default: int, maximum: int) -> int:
        """The `limit` parameter clamped to [1, maximum]."""
        value = self.int("limit", default=default) or default
        return max(1, min(value, maximum))

    def state(self, name: str = "symbol", required: bool = True) -> Optional["SymbolState"]:
        """The symbol state named by a parameter (-1102 when required and absent, -1121 when unknown)."""
        symbol = self.str(name, required)
        if symbol is None:
            return None
        return self.m.state(symbol)

    def states(self, symbol_param: str = "symbol", pair_param: Optional[str] = "pair") -> List["SymbolState"]:
        """States selected by an optional symbol (or pair) filter; every symbol when neither is given."""
        symbol = self.str(symbol_param)
        if symbol is not None:
            return [self.m.state(symbol)]
        pair = self.str(pair_param) if pair_param else None
        if pair is not None:
            return self.m.pair_states(pair)
        return list(self.m.states.values())

    def require_one(self, *names: str) -> None:
        """-1102 unless at least one of `names` was sent."""
        if not any(self.str(n) for n in names):
            raise mandatory(names[0])

    def time_window(self, rows: list, key: str, default_limit: int, max_limit: int) -> list:
        """Filter rows by startTime/endTime on `key` and apply `limit` (newest rows when no start)."""
        start = self.int("startTime")
        end = self.int("endTime")
        if start is not None and end is not None and start > end:
            raise EngineError(-1023, "Start time is greater than end time.")
        rows = [r for r in rows if (start is None or r[key] >= start) and (end is None or r[key] <= end)]
        limit = self.limit(default_limit, max_limit)
        return rows[:limit] if start is not None else rows[-limit:]


def fill_example(example: Any, values: Mapping[str, Any]) -> Any:
    """A copy of a documented example with matching keys replaced by `values` (recursively in lists)."""
    if isinstance(example, list):
        return [fill_example(e, values) for e in example]
    if isinstance(example, dict):
        out = copy.deepcopy(example)
        for k in out:
            if k in values:
                out[k] = values[k]
        return out
    return copy.deepcopy(example)
