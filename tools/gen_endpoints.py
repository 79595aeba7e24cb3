"""Generate the REST endpoint mixins from the API spec (a development tool; the library never reads the spec).

Run from the repository root: `python tools/gen_endpoints.py [SPEC_DIR]` (default `tools/spec`, the project's copy
of the API spec, brought up to date with the official modular SDK; see the `revisions` entry of each file).

It writes:

* `binance/_endpoints/{market,trade,account,user_stream}.py`: endpoints that are the same in both markets,
  written once against `self._market.rest_prefix`;
* `binance/_endpoints/{convert,algo}.py`: USDⓈ-M-only groups;
* `binance/um_futures/_{group}.py` and `binance/cm_futures/_{group}.py`: what differs per market;
* `tests/rest/data/endpoints.json`: the spec entries the tests call, one list per market.

Names, positional args and defaults follow the 4.2.0 connector where it had the method (`legacy_signature`),
the spec's `name` otherwise. The deliberate deviations from 4.2.0 are in `SIGNATURE_OVERRIDES`; everything
else is derived from the spec. A method written once for both markets documents each market's own parameters:
a parameter only one market takes says so, and a note that differs between the markets is given per market.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from _cli import spec_dir_from

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_types  # noqa: E402  (tools/gen_types.py: the response TypedDicts and their names)

ROOT = Path(__file__).resolve().parent.parent
MARKETS = ("um", "cm")
MARKET_LABEL = {"um": "USDⓈ-M", "cm": "COIN-M"}
PREFIX = {"um": "/fapi", "cm": "/dapi"}
REQUIRED = object()

# 4.2.0 signatures that cannot reach a documented parameter, widened compatibly (names, order kept).
SIGNATURE_OVERRIDES: Dict[Tuple[str, str], str] = {
    ("um", "new_batch_order"): "new_batch_order(batchOrders, **kwargs)",
    ("cm", "new_batch_order"): "new_batch_order(batchOrders, **kwargs)",
    ("cm", "modify_batch_order"): "modify_batch_order(batchOrders, **kwargs)",
    ("cm", "mark_price"): "mark_price(symbol=None, pair=None)",
    ("um", "funding_info"): "funding_info(**kwargs)",
    # 4.2.0 positional params that Binance made optional: still positional, now with a default, so a 4.2.0 call
    # (positional or keyword) sends the same request and the parameter can be left out.
    ("um", "get_all_orders"): "get_all_orders(symbol=None, **kwargs)",
    ("um", "funding_rate"): "funding_rate(symbol=None, **kwargs)",
    ("cm", "open_interest_hist"): "open_interest_hist(pair, contractType=None, period=None, **kwargs)",
}
# (first, second): exactly one of them (at least one) must be given.
ONE_OF_PAIRS = (("orderId", "origClientOrderId"), ("orderIdList", "origClientOrderIdList"), ("algoId", "clientAlgoId"))
# Methods where the spec says one of a pair is needed and the check is done before sending.
ONE_OF_METHODS = {
    "query_order",
    "cancel_order",
    "get_open_orders",
    "modify_order",
    "order_modify_history",
    "get_order_modify_history",
    "cancel_batch_order",
    "query_algo_order",
    "cancel_algo_order",
}

TYPES = {
    "symbol": "str",
    "pair": "str",
    "side": "Side",
    "type": "str",
    "interval": "KlineInterval",
    "period": "PeriodInterval",
    "contractType": "ContractType",
    "listenKey": "str",
    "marginType": "MarginType",
    "downloadId": "str",
    "quoteId": "str",
    "fromAsset": "str",
    "toAsset": "str",
    "algoType": "str",
    "asset": "str",
    "origClientOrderId": "str",
    "orderId": "int",
    "leverage": "int",
    "countdownTime": "int",
    "startTime": "int",
    "endTime": "int",
    "quantity": "Number",
    "price": "Number",
    "amount": "Number",
    "dualSidePosition": "Flag",
    "multiAssetsMargin": "Flag",
    "feeBurn": "Flag",
    "batchOrders": "List[Dict[str, Any]]",
    "orderIdList": "List[int]",
    "origClientOrderIdList": "List[str]",
}
TYPE_BY_METHOD = {
    ("modify_isolated_position_margin", "type"): "Literal[1, 2]",
    ("new_order", "type"): "OrderType",
    ("new_order_test", "type"): "OrderType",
    ("new_algo_order", "type"): "AlgoOrderType",
    ("new_algo_order", "algoType"): 'Literal["CONDITIONAL"]',
    ("depth", "limit"): "DepthLimit",
}
# The most used endpoints: their documented optional parameters become named, typed keyword parameters
# (issue 14); other endpoints take them through **kwargs. Every endpoint keeps **kwargs for the rest.
NAMED_METHODS = frozenset(
    {
        "new_order",
        "new_order_test",
        "modify_order",
        "cancel_order",
        "cancel_open_orders",
        "cancel_batch_order",
        "countdown_cancel_order",
        "query_order",
        "query_open_order",
        "get_open_orders",
        "get_orders",
        "get_all_orders",
        "account",
        "balance",
        "get_position_risk",
        "change_leverage",
        "change_margin_type",
        "change_position_mode",
        "modify_isolated_position_margin",
        "get_position_margin_history",
        "leverage_brackets",
        "commission_rate",
        "klines",
        "continuous_klines",
        "index_price_klines",
        "mark_price_klines",
        "premium_index_klines",
        "depth",
        "trades",
        "agg_trades",
        "historical_trades",
        "get_account_trades",
        "get_income_history",
        "new_algo_order",
        "cancel_algo_order",
        "query_algo_order",
        "ticker_price",
        "book_ticker",
        "mark_price",
        "funding_rate",
    }
)
# Types of the named keyword parameters (a documented parameter missing here stays in **kwargs).
NAMED_TYPES = {
    **{k: v for k, v in TYPES.items() if k != "type"},
    "positionSide": "PositionSide",
    "timeInForce": "TimeInForce",
    "reduceOnly": "Flag",
    "newClientOrderId": "str",
    "stopPrice": "Number",
    "closePosition": "Flag",
    "activationPrice": "Number",
    "activatePrice": "Number",
    "callbackRate": "Number",
    "triggerPrice": "Number",
    "workingType": "WorkingType",
    "priceProtect": "Flag",
    "newOrderRespType": "NewOrderRespType",
    "priceMatch": "PriceMatch",
    "selfTradePreventionMode": "SelfTradePreventionMode",
    "goodTillDate": "int",
    "recvWindow": "int",
    "limit": "int",
    "fromId": "int",
    "incomeType": "IncomeType",
    "clientAlgoId": "str",
    "algoId": "int",
    "marginAsset": "str",
    "modifyId": "int",
}
PARAM_TYPE_NAMES = (
    "AlgoOrderType",
    "ContractType",
    "DepthLimit",
    "IncomeType",
    "KlineInterval",
    "MarginType",
    "NewOrderRespType",
    "OrderType",
    "PeriodInterval",
    "PositionSide",
    "PriceMatch",
    "SelfTradePreventionMode",
    "Side",
    "TimeInForce",
    "WorkingType",
)

GROUP_OF_CATEGORY = {
    "market_data": "market",
    "trade": "trade",
    "account": "account",
    "portfolio_margin": "account",
    "convert": "convert",
    "user_data_streams": "user_stream",
}
GROUP_DOC = {
    "market": "Market data endpoints (public, or API key only)",
    "trade": "Order and position endpoints (signed)",
    "account": "Account, balance and configuration endpoints (signed)",
    "user_stream": "User-data stream listenKey endpoints (API key, unsigned)",
    "convert": "Convert endpoints (USDⓈ-M only)",
    "algo": "Algo (conditional) order endpoints (USDⓈ-M only)",
}
UM_ONLY_GROUPS = ("convert", "algo")


@dataclass
class Param:
    name: str
    default: object = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass
class Method:
    name: str
    market: str
    entries: List[dict]
    params: List[Param]
    var_kwargs: bool
    helper: str
    checks: List[str]
    one_of: Optional[Tuple[str, str]]
    group: str
    shared_with: List["Method"] = field(default_factory=list)
    named: List[str] = field(default_factory=list)
    returns: str = "Any"
    response_key: tuple = ()
    by_symbol: Optional[str] = None  # USDⓈ-M: one object with a symbol, a list of them without

    def key(self) -> tuple:
        paths = tuple(_unprefixed(e["path"]) for e in self.entries)
        params = tuple((p.name, p.required) for p in self.params)
        return (
            params,
            self.var_kwargs,
            self.helper,
            tuple(self.checks),
            self.one_of,
            paths,
            tuple(e["http_method"] for e in self.entries),
            self.response_key,
        )


def _unprefixed(path: str) -> str:
    for prefix in PREFIX.values():
        if path.startswith(prefix + "/"):
            return "{prefix}" + path[len(prefix) :]
    return path


def parse_signature(text: str) -> Tuple[List[Param], bool]:
    """`name(a, b=None, **kwargs)` -> params and whether `**kwargs` is accepted."""
    inner = text[text.index("(") + 1 : text.rindex(")")].strip()
    params, var_kwargs = [], False
    for part in [p.strip() for p in inner.split(",") if p.strip()]:
        if part.startswith("**"):
            var_kwargs = True
        elif "=" in part:
            name, default = part.split("=", 1)
            if default.strip() != "None":
                raise ValueError(f"unexpected default in {text}")
            params.append(Param(name.strip(), None))
        else:
            params.append(Param(part))
    return params, var_kwargs


def helper_for(entry: dict) -> str:
    if entry.get("legacy_helper") and entry["name"] != "list_all_convert_pairs":
        return entry["legacy_helper"]
    if entry["signed"]:
        return "sign_request"
    if entry["security"] == "USER_STREAM":
        return "send_request"
    if entry["api_key_required"]:
        return "limit_request"
    return "query"


def build_methods(spec: Dict[str, dict]) -> Dict[str, Dict[str, Method]]:
    out: Dict[str, Dict[str, Method]] = {m: {} for m in MARKETS}
    for market in MARKETS:
        by_name: Dict[str, List[dict]] = {}
        for entry in spec[market]["endpoints"]:
            by_name.setdefault(entry["legacy_name"] or entry["name"], []).append(entry)
        for name, entries in by_name.items():
            first = entries[0]
            signature = SIGNATURE_OVERRIDES.get((market, name)) or first.get("legacy_signature")
            if signature:
                params, var_kwargs = parse_signature(signature)
            else:
                params, var_kwargs = [Param(n) for n in first["required"]], True
            required = set().union(*(e["required"] for e in entries))
            checks = [p.name for p in params if p.required]
            # A defaulted param the API requires (new methods, or one after a 4.2.0 param made optional) is checked.
            widened = not first["legacy_name"] or (market, name) in SIGNATURE_OVERRIDES
            checks += [p.name for p in params if not p.required and p.name in required and widened]
            one_of = None
            if name in ONE_OF_METHODS:
                names = {p.name for p in params} | set(first["optional"])
                one_of = next(pair for pair in ONE_OF_PAIRS if set(pair) <= names)
                checks = [c for c in checks if c not in one_of]
            group = "algo" if "algo" in name.lower() else GROUP_OF_CATEGORY[first["category"]]
            out[market][name] = Method(
                name, market, entries, params, var_kwargs, helper_for(first), checks, one_of, group
            )
    return out


# --------------------------------------------------------------------------- rendering


def _annotation(method: str, param: Param) -> str:
    base = TYPE_BY_METHOD.get((method, param.name)) or TYPES.get(param.name, "str")
    return base if param.required else f"Optional[{base}]"


def _named_annotation(method: str, name: str) -> str:
    return f"Optional[{TYPE_BY_METHOD.get((method, name)) or NAMED_TYPES[name]}]"


def _params(m: Method, symbol: Optional[str] = None) -> List[str]:
    parts = ["self"]
    for p in m.params:
        ann = _annotation(m.name, p)
        if symbol is not None and p.name == "symbol":
            parts.append(f"symbol: {symbol}" if symbol == "str" else "symbol: None = None")
        else:
            parts.append(f"{p.name}: {ann}" if p.required else f"{p.name}: {ann} = None")
    if m.named:
        parts.append("*")
        parts += [f"{n}: {_named_annotation(m.name, n)} = None" for n in m.named]
    if m.var_kwargs:
        parts.append("**kwargs: Any")
    return parts


def _def(name: str, parts: List[str], returns: str, stub: bool = False) -> str:
    tail = " ..." if stub else ""
    # mypy wants __new__ to return an instance of its class; Union[_T, subclass] is one, it cannot tell
    note = "  # type: ignore[misc]" if name == "__new__" and returns.startswith("Union[_T") else ""
    line = f"    def {name}({', '.join(parts)}) -> {returns}:{tail}"
    if len(line) <= 120:
        return line + note
    inner = ",\n".join("        " + x for x in parts)
    return f"    def {name}({note}\n{inner},\n    ) -> {returns}:{tail}"


def _signature(m: Method) -> str:
    if m.by_symbol is None:
        return _def(m.name, _params(m), m.returns)
    item = m.by_symbol
    return "\n".join(
        [
            "    @overload",
            _def(m.name, _params(m, "str"), item, stub=True),
            "",
            "    @overload",
            _def(m.name, _params(m, "None"), f"List[{item}]", stub=True),
            "",
            "    @overload",
            _def(m.name, _params(m), m.returns, stub=True),
            "",
            _def(m.name, _params(m), m.returns),
        ]
    )


def _wrap(text: str, indent: str) -> List[str]:
    return textwrap.wrap(
        text,
        width=116 - len(indent),
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
        break_long_words=False,
    )


DEFAULT_NOTES = {
    "symbol": "contract symbol, e.g. BTCUSDT (USDⓈ-M) or BTCUSD_PERP (COIN-M)",
    "pair": "underlying pair, e.g. BTCUSDT (USDⓈ-M) or BTCUSD (COIN-M)",
    "side": "BUY or SELL",
    "orderId": "exchange order id",
    "origClientOrderId": "the client order id given when the order was placed",
    "listenKey": "the key returned by new_listen_key()",
    "limit": "number of rows",
    "startTime": "ms",
    "endTime": "ms",
    "price": "order price",
    "algoId": "the algo order's id",
    "quoteId": "the quote id returned by send_quote_request()",
    "fromAsset": "the asset to convert from",
    "toAsset": "the asset to convert to",
    "asset": "asset name, e.g. USDT",
}
SPECIAL_NOTES = {
    ("cm", "leverage_brackets"): "With `pair` it calls the per-pair v1 endpoint, otherwise the per-symbol v2 one.",
}


def _note(name: str, notes: dict) -> str:
    note = notes.get(name) or DEFAULT_NOTES.get(name, "")
    note = note.replace("\\", "/").replace('"""', "'''")
    if name == "recvWindow" and not note:
        note = "ms the request stays valid, at most 60000"
    return note or "as documented by Binance (see the link below)"


def _same(a: str, b: str) -> bool:
    """Notes that name the same values (enum members, numbers) say the same thing in other words."""

    def facts(text: str) -> set:
        return set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b|\d+", text))

    return facts(a) == facts(b)


@dataclass
class _MarketDoc:
    market: str
    notes: dict
    params: List[str]
    rules: str


def _market_doc(m: Method) -> _MarketDoc:
    notes: dict = {}
    params: List[str] = []
    rules = ""
    for e in m.entries:
        for k, v in e["param_notes"].items():
            notes.setdefault(k, v)
        params += [p for p in e["required"] + e["optional"] if p not in params]
        rules = rules or (e["conditional_required"] or "")
    return _MarketDoc(m.market, notes, params, rules)


def _param_lines(name: str, docs: List[_MarketDoc]) -> List[str]:
    having = [d for d in docs if name in d.params or name in d.notes]
    if len(docs) == 1 or not having:
        return _wrap(f"{name}: {_note(name, (having or docs)[0].notes)}", "            ")
    if len(having) == 1:
        only = having[0]
        return _wrap(f"{name}: ({MARKET_LABEL[only.market]} only) {_note(name, only.notes)}", "            ")
    explicit = [_note(name, d.notes) for d in having if name in d.notes]
    if not explicit or all(_same(explicit[0], t) for t in explicit[1:]):
        return _wrap(f"{name}: {explicit[0] if explicit else _note(name, {})}", "            ")
    per_market = "; ".join(f"{MARKET_LABEL[d.market]}: {_note(name, d.notes).rstrip('.')}" for d in having)
    return _wrap(f"{name}: {per_market}", "            ")


def _docstring(methods: List[Method]) -> str:
    first = methods[0]
    entry = first.entries[0]
    titles: List[str] = []
    for m in methods:
        for e in m.entries:
            if e["title"].strip().rstrip(".").lower() not in [t.lower() for t in titles]:
                titles.append(e["title"].strip().rstrip("."))
    title = " / ".join(titles)
    lines = [f'        """{title}.', ""]
    for m in methods:
        label = f"{MARKET_LABEL[m.market]}: " if len(methods) > 1 else ""
        for e in m.entries:
            lines += _wrap(f"{label}`{e['http_method']} {e['path']}` - weight {e['weight']}.", "        ")
    security = entry["security"]
    if (first.market, first.name) in SPECIAL_NOTES and len(methods) == 1:
        lines += _wrap(SPECIAL_NOTES[(first.market, first.name)], "        ")
    for m in methods:
        for e in m.entries:
            if e.get("deprecated"):
                label = f"{MARKET_LABEL[m.market]}: " if len(methods) > 1 else ""
                lines += _wrap(f"Deprecated: {label}{e['deprecated'].rstrip('.')}.", "        ")
    lines.append(f"        Security: {security}{' (signed)' if entry['signed'] else ''}.")
    docs = [_market_doc(m) for m in methods]
    all_params: List[str] = []
    for d in docs:
        all_params += [p for p in d.params if p not in all_params]
    positional = [p.name for p in first.params]
    kw_only = [o for o in all_params if o not in positional]
    if positional:
        lines += ["", "        Args:"]
        for name in positional:
            lines += _param_lines(name, docs)
    if kw_only and first.var_kwargs:
        lines += ["", "        Keyword Args:"]
        for name in kw_only:
            lines += _param_lines(name, docs)
    rules = [d for d in docs if d.rules]
    if rules and len(rules) == len(docs) and all(_same(r.rules, rules[0].rules) for r in rules):
        lines += [""] + _wrap("Rules: " + rules[0].rules.rstrip(".") + ".", "        ")
    else:
        for r in rules:
            lines += [""] + _wrap(f"Rules ({MARKET_LABEL[r.market]}): " + r.rules.rstrip(".") + ".", "        ")
    lines.append("")
    urls: List[str] = []
    for m in methods:
        for e in m.entries:
            if e["doc_url"] not in urls:
                urls.append(e["doc_url"])
    for url in urls:
        lines.append(f"        {url}")
    lines.append('        """')
    return "\n".join(lines)


def _path_expr(m: Method, entry: dict, shared: bool) -> str:
    path = entry["path"]
    if shared and not path.startswith("/futures/"):
        rest = path[len(PREFIX[m.market]) :]
        return f'self._market.rest_prefix + "{rest}"'
    return f'"{path}"'


def _body(m: Method, shared: bool) -> str:
    lines = []
    if len(m.checks) == 1:
        lines.append(f'        check_required_parameter({m.checks[0]}, "{m.checks[0]}")')
    elif m.checks:
        inner = ", ".join(f'[{c}, "{c}"]' for c in m.checks)
        lines.append(f"        check_required_parameters([{inner}])")
    if m.one_of:
        a, b = m.one_of
        bound = {p.name for p in m.params} | set(m.named)
        args = [f"{n}={n}" if n in bound else f'{n}=kwargs.get("{n}")' for n in (a, b)]
        lines.append(f"        require_one_of({', '.join(args)})")
    if m.name == "leverage_brackets" and m.market == "cm":
        extra = "".join(f'"{n}": {n}, ' for n in m.named) + "**kwargs"
        lines += [
            "        if pair is not None and symbol is not None:",
            '            raise ParameterArgumentError("leverage_brackets takes symbol or pair, not both")',
            f"        params = {{{extra}}}",
            "        if pair is not None:",
            '            return self.sign_request("GET", "/dapi/v1/leverageBracket", {"pair": pair, **params})',
            '        return self.sign_request("GET", "/dapi/v2/leverageBracket", {"symbol": symbol, **params})',
        ]
        return "\n".join(lines)
    entry = m.entries[0]
    path = _path_expr(m, entry, shared)
    items = [f'"{p.name}": {p.name}' for p in m.params] + [f'"{n}": {n}' for n in m.named]
    if m.var_kwargs:
        items.append("**kwargs")
    method = entry["http_method"]
    if items:
        lines.append("        params = {" + ", ".join(items) + "}")
        if len(lines[-1]) > 120:
            lines[-1] = "        params = {\n" + "".join(f"            {i},\n" for i in items) + "        }"
        payload = ", params"
    else:
        payload = ""
    if m.helper == "query":
        lines.append(f"        return self.query({path}{payload})")
    else:
        lines.append(f'        return self.{m.helper}("{method}", {path}{payload})')
    return "\n".join(lines)


def _render_method(methods: List[Method], shared: bool) -> str:
    m = methods[0]
    return "\n".join([_signature(m), _docstring(methods), _body(m, shared)])


HEADER = '''"""{doc}.

Generated by `tools/gen_endpoints.py` from the API spec; edit the generator, not this file.
"""

from __future__ import annotations

{imports}

class {cls}(EndpointMixin):
    """{doc}."""

'''


def _imports(body: str, types_module: str) -> str:
    typing_names = [
        n
        for n in ("Any", "Dict", "List", "Literal", "Optional", "Type", "Union")
        if re.search(rf"\b{n}\[|\b{n}\b", body)
    ]
    if "@overload" in body:
        typing_names.append("overload")
    base_names = [
        n
        for n in ("EndpointMixin", "Flag", "Number", "require_one_of")
        if n == "EndpointMixin" or re.search(rf"\b{n}\b", body)
    ]
    utils = [n for n in ("check_required_parameter", "check_required_parameters") if re.search(rf"\b{n}\(", body)]
    responses = sorted(set(re.findall(r"\b([A-Z]\w*Response\d*)\b", body)))
    literals = [n for n in PARAM_TYPE_NAMES if re.search(rf"\b{n}\b", body)]
    lines = [f"from typing import {', '.join(['TYPE_CHECKING'] + typing_names)}", ""]
    lines.append(f"from binance._endpoints._base import {', '.join(base_names)}")
    if "ParameterArgumentError" in body:
        lines.append("from binance.error import ParameterArgumentError")
    if utils:
        lines.append(f"from binance.lib.utils import {', '.join(utils)}")
    lines += ["", "if TYPE_CHECKING:  # pragma: no cover  (annotations only: nothing is imported at run time)"]
    if responses:
        lines.append(f"    from {types_module} import {', '.join(responses)}")
    if literals:
        lines.append(f"    from binance.types.params import {', '.join(literals)}")
    return "\n".join(lines) + "\n\n"


def render_module(doc: str, cls: str, rendered: List[str], types_module: str) -> str:
    body = "\n\n".join(rendered) + "\n"
    return HEADER.format(doc=doc, cls=cls, imports=_imports(body, types_module)) + body


CLASS_NAMES = {
    "market": "MarketEndpoints",
    "trade": "TradeEndpoints",
    "account": "AccountEndpoints",
    "user_stream": "UserStreamEndpoints",
    "convert": "ConvertEndpoints",
    "algo": "AlgoEndpoints",
}


def _add_types(spec: Dict[str, dict], methods: Dict[str, Dict[str, Method]]) -> None:
    """Return annotations (the generated TypedDicts) and named keyword parameters of every method."""
    shapes = gen_types.rest_shapes(spec)
    for market in MARKETS:
        for name, m in methods[market].items():
            answers = shapes[(market, name)]
            m.response_key = tuple(shape.key() for shape, _ in answers)
            m.returns = gen_types.response_class(name)
            by_symbol = _dict_or_list(m, answers)
            if by_symbol:
                m.by_symbol = m.returns
                m.returns = f"Union[{m.returns}, List[{m.returns}]]"
            if name in NAMED_METHODS:
                positional = {p.name for p in m.params}
                documented: List[str] = []
                for e in m.entries:
                    documented += [n for n in e["required"] + e["optional"] if n not in documented]
                m.named = [n for n in documented if n not in positional and n in NAMED_TYPES]


def _dict_or_list(m: Method, answers: list) -> bool:
    """A USDⓈ-M market-data endpoint answering one object for a symbol and a list of them without one."""
    if m.market != "um" or len(answers) != 1 or m.entries[0]["category"] != "market_data":
        return False
    shape, entry = answers[0]
    symbol = next((p for p in m.params if p.name == "symbol"), None)
    return (
        symbol is not None
        and not symbol.required
        and shape.fields is not None
        and "__value__" not in shape.fields
        and "symbol" in shape.fields
    )


WRAPPED_HEADER = '''# ruff: noqa: E501  (the ignore comments of the re-declared methods)
"""Static types of a {label} client made with `show_limit_usage=True` or `show_header=True`.

Nothing here runs: the class `{cls}New` only tells a type checker that `{cls}(...)` with one of those
options set returns `Wrapped{cls}`, whose methods return `binance.types.wrapped.Wrapped[<answer>]`.
Generated by `tools/gen_endpoints.py` (the constructor from `binance.api.API.__init__`, the methods from
the spec); edit the generator, not this file.
"""

from __future__ import annotations

{imports}
'''


def _constructor_params() -> List[Tuple[str, str, bool]]:
    """(name, annotation, has default) of ``binance.api.API.__init__``, as the overloads repeat them."""
    import inspect

    sys.path.insert(0, str(ROOT))
    from binance.api import API

    out = []
    for p in list(inspect.signature(API.__init__).parameters.values())[1:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            raise ValueError("API.__init__ takes **kwargs: list the option instead")
        out.append((p.name, str(p.annotation), p.default is not p.empty))
    return out


def _constructor_imports(params: List[Tuple[str, str, bool]]) -> List[str]:
    import binance.api as api

    names = set()
    for _, ann, _ in params:
        names |= set(re.findall(r"\b[A-Za-z_]\w*\b", ann))
    lines = []
    for name in sorted(names):
        obj = api.__dict__.get(name)
        if obj is None or name in ("Optional", "Dict", "Union", "List", "Any", "Mapping", "None"):
            continue
        if inspect_module(obj):
            lines.append(f"    import {name}")
        elif isinstance(obj, type) and obj.__module__.startswith("binance."):
            lines.append(f"    from {obj.__module__} import {name}")
        else:
            lines.append(f"    from binance.api import {name}")
    return lines


def inspect_module(obj: object) -> bool:
    import types

    return isinstance(obj, types.ModuleType)


def _new_overloads(cls: str, params: List[Tuple[str, str, bool]]) -> str:
    def parts(kind: str) -> List[str]:
        if kind in ("show_limit_usage", "show_header"):
            return _kw_only_option(params, kind)
        out = ["cls: Type[_T]"]
        for name, ann, _ in params:
            if name in ("show_limit_usage", "show_header"):
                out.append(f"{name}: {'Literal[False]' if kind == 'plain' else 'bool'} = ...")
            else:
                out.append(f"{name}: {ann} = ...")
        return out

    blocks = []
    for kind, returns in (
        ("plain", "_T"),
        ("show_limit_usage", f"Wrapped{cls}"),
        ("show_header", f"Wrapped{cls}"),
        ("either", f"Union[_T, Wrapped{cls}]"),
    ):
        blocks.append(
            "        @overload\n"
            + _def("__new__", parts(kind), returns, stub=True)
            .replace("\n    ", "\n        ")
            .replace("    def", "        def", 1)
        )
    impl = _def("__new__", ["cls", "*args: Any", "**kwargs: Any"], "Any")
    blocks.append(impl.replace("    def", "        def", 1) + "\n            raise NotImplementedError")
    return "\n\n".join(blocks)


def _kw_only_option(params: List[Tuple[str, str, bool]], option: str) -> List[str]:
    """The parameters with ``option: Literal[True]`` required: keyword-only after ``key, secret`` (a call that
    passes the option or an earlier option positionally is matched by the ``bool`` overload)."""
    out = ["cls"]
    for name, ann, _ in params:
        if name not in ("key", "secret") and "*" not in out:
            out.append("*")
        if name == option:
            out.append(f"{name}: Literal[True]")
        elif name in ("show_limit_usage", "show_header"):
            out.append(f"{name}: bool = ...")
        else:
            out.append(f"{name}: {ann} = ...")
    return out


def render_wrapped(market: str, methods: List[Method]) -> str:
    cls = "UMFutures" if market == "um" else "CMFutures"
    pkg = "um_futures" if market == "um" else "cm_futures"
    params = _constructor_params()
    defs = []
    ignore = "  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]"
    for m in sorted(methods, key=lambda m: m.name):
        text = _def(m.name, _params(m), f"Wrapped[{m.returns}]", stub=True)
        first, nl, rest = text.partition("\n")
        if nl:
            # the ignore comments go on the line the error is reported on (the def line)
            text = first + ignore + nl + rest
        else:
            text += ignore
        defs.append(text.replace("\n    ", "\n        ").replace("    def", "        def", 1))
    body = "\n\n".join(defs)
    new = _new_overloads(cls, params)
    text_for_names = body + new
    typing_names = [
        n
        for n in ("Any", "Dict", "List", "Literal", "Optional", "Type", "Union")
        if re.search(rf"\b{n}\b", text_for_names)
    ]
    responses = sorted(set(re.findall(r"\b([A-Z]\w*Response\d*)\b", body)))
    literals = [n for n in PARAM_TYPE_NAMES if re.search(rf"\b{n}\b", body)]
    base = [n for n in ("Flag", "Number") if re.search(rf"\b{n}\b", body)]
    imports = [
        f"from typing import {', '.join(['TYPE_CHECKING'] + typing_names + ['TypeVar', 'overload'])}",
        "",
        "if TYPE_CHECKING:  # pragma: no cover",
    ]
    imports += _constructor_imports(params)
    if base:
        imports.append(f"    from binance._endpoints._base import {', '.join(base)}")
    imports.append(f"    from binance.{pkg} import {cls}")
    if literals:
        imports.append(f"    from binance.types.params import {', '.join(literals)}")
    if responses:
        imports.append(f"    from binance.types.{market} import {', '.join(responses)}")
    imports.append("    from binance.types.wrapped import Wrapped")
    imports += ["", '_T = TypeVar("_T")', "", "if TYPE_CHECKING:  # pragma: no cover", ""]
    imports += [
        f"    class Wrapped{cls}({cls}):",
        f'        """A `{cls}` made with `show_limit_usage=True` or `show_header=True`: every answer is wrapped."""',
        "",
    ]
    head = WRAPPED_HEADER.format(label=MARKET_LABEL[market], cls=cls, imports="\n".join(imports))
    tail = (
        f"\n\nclass {cls}New:\n"
        f'    """Base of `{cls}` that only types its constructor for the checker (see the module docstring)."""\n\n'
        f"    if TYPE_CHECKING:  # pragma: no cover\n\n{new}\n"
    )
    return head + body + "\n" + tail


WS_FULL_HEADER = '''# ruff: noqa: E501  (long generated lines)
"""Static types of a {label} WebSocket API client made with `return_full_response=True`.

Nothing here runs: the class `{cls}New` only tells a type checker that `{cls}(...)` with that option
returns `Full{cls}`, whose methods return `binance.types.wrapped.FullReply[<result>]` (it is not a
subclass of `{cls}`: this module must not import the client's module, which imports it).
Generated by `tools/gen_endpoints.py` from the client classes; edit the generator, not this file.
"""

from __future__ import annotations

{imports}
'''


def render_ws_full(market: str) -> str:
    """The typing-only full-reply client of one market's WebSocket API client (from its runtime class)."""
    import inspect
    import typing

    sys.path.insert(0, str(ROOT))
    module = __import__(f"binance.websocket.api.{market}_futures", fromlist=["x"])
    cls_name = f"{market.upper()}FuturesWebsocketAPIClient"
    cls = getattr(module, cls_name)
    from binance.websocket.api import client as client_module
    from binance.websocket.api._endpoints import CommonMethods

    bound: Dict[str, str] = {}
    for base in cls.__orig_bases__:
        if typing.get_origin(base) is CommonMethods:
            params = CommonMethods.__parameters__
            for var, arg in zip(params, typing.get_args(base)):
                bound[var.__name__] = arg.__forward_arg__.split(".")[-1]
    methods = []
    for name in sorted(n for n in dir(cls) if not n.startswith("_")):
        func = getattr(cls, name)
        if not callable(func) or name in dir(client_module.WebsocketAPIClient):
            continue
        sig = inspect.signature(func)
        parts = []
        star = False
        for p in sig.parameters.values():
            if p.name == "self":
                parts.append("self")
                continue
            ann = str(p.annotation)
            if p.kind is p.VAR_KEYWORD:
                parts.append(f"**{p.name}: {ann}")
                continue
            if p.kind is p.KEYWORD_ONLY and not star:
                parts.append("*")
                star = True
            parts.append(f"{p.name}: {ann}" + (" = ..." if p.default is not p.empty else ""))
        returns = bound.get(str(sig.return_annotation), str(sig.return_annotation))
        methods.append((name, parts, f"FullReply[{returns}]"))
    defs = []
    for name, parts, returns in methods:
        text = _def(name, parts, returns, stub=True)
        defs.append(text.replace("\n    ", "\n        ").replace("    def", "        def", 1))
    ctor = []
    for p in list(inspect.signature(client_module.WebsocketAPIClient.__init__).parameters.values())[1:]:
        ctor.append((p.name, str(p.annotation), p.kind is p.KEYWORD_ONLY))

    def overload(kind: str, returns: str) -> str:
        parts = ["cls" if kind == "full" else "cls: Type[_T]"]
        star = False
        for name, ann, kw_only in ctor:
            if kw_only and not star:
                parts.append("*")
                star = True
            if name == "return_full_response":
                parts.append(
                    {
                        "plain": "return_full_response: Literal[False] = ...",
                        "full": "return_full_response: Literal[True]",
                    }.get(kind, "return_full_response: bool = ...")
                )
            else:
                parts.append(f"{name}: {ann} = ...")
        text = _def("__new__", parts, returns, stub=True)
        return "        @overload\n" + text.replace("\n    ", "\n        ").replace("    def", "        def", 1)

    full = f"Full{cls_name}"
    news = [
        overload("plain", "_T"),
        overload("full", full),
        overload("either", f"Union[_T, {full}]"),
        _def("__new__", ["cls", "*args: Any", "**kwargs: Any"], "Any").replace("    def", "        def", 1)
        + "\n            raise NotImplementedError",
    ]
    body = "\n\n".join(defs)
    text = body + "\n".join(news) + "\n".join(a for _, a, _ in ctor)
    typing_names = [
        n for n in ("Any", "Dict", "List", "Literal", "Optional", "Type", "Union") if re.search(rf"\b{n}\b", text)
    ]
    literals = [n for n in PARAM_TYPE_NAMES if re.search(rf"\b{n}\b", body)]
    results = sorted(set(re.findall(r"\b([A-Z]\w*Result)\b", body)))
    shared = [r for r in results if r.startswith("UserDataStream")]
    own = [r for r in results if r not in shared]
    ctor_names = set()
    for _, ann, _ in ctor:
        ctor_names |= set(re.findall(r"\b[A-Za-z_]\w*\b", ann))
    imports = [
        f"from typing import {', '.join(['TYPE_CHECKING'] + typing_names + ['TypeVar', 'overload'])}",
        "",
        "if TYPE_CHECKING:  # pragma: no cover",
    ]
    for name in sorted(ctor_names):
        obj = client_module.__dict__.get(name)
        if obj is None or name in ("Optional", "Dict", "Union", "List", "Any", "Mapping", "None"):
            continue
        source = (
            obj.__module__ if isinstance(obj, type) and obj.__module__.startswith("binance.") else "binance._signing"
        )
        imports.append(f"    from {source} import {name}")
    if re.search(r"\bFlag\b", body):
        imports.append("    from binance._endpoints._base import Flag")
    if re.search(r"\bNumber\b", body):
        imports.append("    from binance.types.params import Number")
    if literals:
        imports.append(f"    from binance.types.params import {', '.join(literals)}")
    if shared:
        imports.append(f"    from binance.types.shared import {', '.join(shared)}")
    if own:
        imports.append(f"    from binance.types.{market} import {', '.join(own)}")
    imports.append("    from binance.types.wrapped import FullReply")
    imports.append("    from binance.websocket.api.client import WebsocketAPIClient")
    imports += ["", '_T = TypeVar("_T")', ""]
    head = WS_FULL_HEADER.format(label=MARKET_LABEL[market], cls=cls_name, imports="\n".join(imports))
    new_class = (
        f"\nclass {cls_name}New:\n"
        f'    """Base of `{cls_name}` that only types its constructor for the checker (see the module '
        'docstring)."""\n\n'
        f"    if TYPE_CHECKING:  # pragma: no cover\n\n" + "\n\n".join(news) + "\n"
    )
    full_class = (
        "\n\nif TYPE_CHECKING:  # pragma: no cover\n\n"
        f"    class {full}({cls_name}New, WebsocketAPIClient):\n"
        f'        """A `{cls_name}` made with `return_full_response=True`: every call returns the whole reply."""\n\n'
    )
    return head + new_class + full_class + body + "\n"


def generate(spec_dir: Path) -> Dict[Path, str]:
    spec = {m: json.loads((spec_dir / f"{m}_rest.json").read_text()) for m in MARKETS}
    methods = build_methods(spec)
    _add_types(spec, methods)
    shared: Dict[str, List[List[Method]]] = {}
    per_market: Dict[Tuple[str, str], List[List[Method]]] = {}
    for name, um in methods["um"].items():
        cm = methods["cm"].get(name)
        if cm is not None and cm.key() == um.key():
            named = um.named + [n for n in cm.named if n not in um.named]
            um.named = cm.named = named
            shared.setdefault(um.group, []).append([um, cm])
    shared_names = {ms[0].name for group in shared.values() for ms in group}
    for market in MARKETS:
        for name, m in methods[market].items():
            if name in shared_names:
                continue
            group = m.group
            per_market.setdefault((market, group), []).append([m])
    files: Dict[Path, str] = {}
    for group, items in shared.items():
        items.sort(key=lambda ms: ms[0].name)
        rendered = [_render_method(ms, shared=True) for ms in items]
        doc = GROUP_DOC[group] + ", the same in both markets"
        files[ROOT / "binance" / "_endpoints" / f"{group}.py"] = render_module(
            doc, CLASS_NAMES[group], rendered, "binance.types.shared"
        )
    for (market, group), items in per_market.items():
        items.sort(key=lambda ms: ms[0].name)
        rendered = [_render_method(ms, shared=False) for ms in items]
        if group in UM_ONLY_GROUPS:
            path = ROOT / "binance" / "_endpoints" / f"{group}.py"
            files[path] = render_module(GROUP_DOC[group], CLASS_NAMES[group], rendered, "binance.types.um")
        else:
            pkg = "um_futures" if market == "um" else "cm_futures"
            doc = f"{GROUP_DOC[group]}: what differs in {MARKET_LABEL[market]}"
            cls = market.upper() + CLASS_NAMES[group]
            files[ROOT / "binance" / pkg / f"_{group}.py"] = render_module(
                doc, cls, rendered, f"binance.types.{market}"
            )
    for market in MARKETS:
        pkg = "um_futures" if market == "um" else "cm_futures"
        files[ROOT / "binance" / pkg / "_wrapped.py"] = render_wrapped(market, list(methods[market].values()))
    for market in MARKETS:
        files[ROOT / "binance" / "websocket" / "api" / f"_{market}_full.py"] = render_ws_full(market)
    test_data = {
        market: [
            {
                k: e.get(k)
                for k in (
                    "name",
                    "legacy_name",
                    "legacy_signature",
                    "title",
                    "http_method",
                    "path",
                    "security",
                    "signed",
                    "api_key_required",
                    "required",
                    "optional",
                    "conditional_required",
                    "weight",
                    "doc_url",
                    "status",
                )
            }
            for e in spec[market]["endpoints"]
        ]
        for market in MARKETS
    }
    files[ROOT / "tests" / "rest" / "data" / "endpoints.json"] = json.dumps(test_data, indent=1) + "\n"
    return files


def main(argv: List[str]) -> int:
    """Write the generated modules (and the tests' copy of the spec)."""
    spec_dir = spec_dir_from(argv, __doc__, "python tools/gen_endpoints.py")
    files = generate(spec_dir)
    for path, text in sorted(files.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    py_files = [str(p) for p in files if p.suffix == ".py"]
    ruff = ROOT / ".venv" / "bin" / "ruff"
    if ruff.exists():
        subprocess.run([str(ruff), "check", "--fix", "-q", *py_files], check=False)
        subprocess.run([str(ruff), "format", "-q", "--line-length", "120", *py_files], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
