"""Generate the response and event ``TypedDict``s from the API spec.

A development tool; the library never reads the spec.

Run from the repository root: ``python tools/gen_types.py [SPEC_DIR]`` (default ``tools/spec``);
``tools/gen_endpoints.py`` runs it too, and uses :func:`rest_return_types` for the endpoints' annotations.

It writes ``binance/types/shared.py`` (shapes that are the same in both markets), ``binance/types/um.py``
and ``binance/types/cm.py`` (every REST answer, WebSocket API result, market stream event and user-data
event of that market; the shared shapes are re-exported there).

Types come from the documented example answers: JSON strings stay ``str`` (Binance sends most numbers
as strings), integers ``int``, other numbers ``float``, objects become ``TypedDict``s, arrays ``List``.
A field missing from some of the documented objects of a list, documented as sent only in some cases,
or (order-shaped answers) known only from another order answer of the same market is not required
(it sits in a ``total=False`` class). User-data events have no documented examples: their field types
are in ``USER_DATA_TYPES`` below.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
MARKETS = ("um", "cm")
LABEL = {"um": "USDⓈ-M", "cm": "COIN-M"}

# Example answers the spec leaves empty or null, filled in from Binance's documentation of the same field.
EXAMPLE_FIXES: Dict[Tuple[str, str], Any] = {
    ("um", "index_price_constituents"): {
        "symbol": "BTCUSDT",
        "time": 1697421272043,
        "constituents": [{"exchange": "binance", "symbol": "BTCUSDT", "price": "27400.1", "weight": "0.1"}],
    },
    **{
        ("um", name): [
            [
                1499040000000,
                "0.01634790",
                "0.80000000",
                "0.01575800",
                "0.01577100",
                "148976.11427815",
                1499644799999,
                "2434.19055334",
                308,
                "1756.87402397",
                "28.46694368",
                "0",
            ]
        ]
        for name in ("klines", "continuous_klines", "index_price_klines", "mark_price_klines", "premium_index_klines")
    },  # the spec cuts these rows to their first value
    ("um", "blvt_kline"): [
        [
            1598371200000,
            "5.88275270",
            "6.03142087",
            "5.85749741",
            "5.99403551",
            "2.28602984",
            1598374799999,
            "0",
            6209,
            "14517.64507907",
            "0",
            "0",
        ]
    ],
}
PATCHES: Dict[Tuple[str, str, str], Any] = {
    ("um", "index_info", "baseAssetList"): [
        {
            "baseAsset": "BAKE",
            "quoteAsset": "USDT",
            "weightInQuantity": "1.04406228",
            "weightInPercentage": "0.02783900",
        }
    ],
    ("um", "insurance_balance", "symbols"): ["BTCUSDT"],
    ("um", "insurance_balance", "assets"): [{"asset": "USDT", "marginBalance": "1.0", "updateTime": 1715000000000}],
    ("um", "leverage_brackets", "brackets"): [
        {
            "bracket": 1,
            "initialLeverage": 75,
            "notionalCap": 10000.0,
            "notionalFloor": 0.0,
            "maintMarginRatio": 0.0065,
            "cum": 0.0,
        }
    ],
}
# Numbers Binance sends as JSON numbers that are not always whole although the example shows an integer.
FLOAT_FIELDS = frozenset(
    {
        "cum",
        "notionalCap",
        "notionalFloor",
        "qtyCap",
        "qtylFloor",
        "maintMarginRatio",
        "notionalCoef",
        "value",
        "triggerValue",
        "mmr",
        "cf",
    }
)
# Objects keyed by a symbol or asset (not a fixed set of field names): typed as Dict[str, value].
MAP_FIELDS = frozenset({"indicators"})
# Fields that identify an order object; every order object of a market may carry the fields any of them has.
ORDER_KEYS = frozenset({"orderId", "clientOrderId", "status", "origQty"})
# Order fields that only some orders have although a documented example shows them (trailing-stop fields,
# the modifyId some modify answers carry).
ORDER_OPTIONAL = frozenset({"activatePrice", "priceRate", "modifyId"})
# exchangeInfo symbol filters, one shape per filterType (the spec documents them merged into one object).
SYMBOL_FILTERS = {
    "PriceFilter": ("PRICE_FILTER", {"minPrice": "str", "maxPrice": "str", "tickSize": "str"}),
    "LotSizeFilter": ("LOT_SIZE", {"minQty": "str", "maxQty": "str", "stepSize": "str"}),
    "MarketLotSizeFilter": ("MARKET_LOT_SIZE", {"minQty": "str", "maxQty": "str", "stepSize": "str"}),
    "MaxNumOrdersFilter": ("MAX_NUM_ORDERS", {"limit": "int"}),
    "MaxNumAlgoOrdersFilter": ("MAX_NUM_ALGO_ORDERS", {"limit": "int"}),
    "MinNotionalFilter": ("MIN_NOTIONAL", {"notional": "str"}),
    "PercentPriceFilter": (
        "PERCENT_PRICE",
        {"multiplierUp": "str", "multiplierDown": "str", "multiplierDecimal": "str"},
    ),
}

# ---------------------------------------------------------------------------------------------- user data
# Field types of the user-data events (the spec documents names, not JSON types); anything not named is str.
_INT = "int"
_BOOL = "bool"
USER_DATA_TYPES: Dict[str, Dict[str, str]] = {
    "ORDER_TRADE_UPDATE": {
        "E": _INT,
        "T": _INT,
        "o.i": _INT,
        "o.T": _INT,
        "o.t": _INT,
        "o.m": _BOOL,
        "o.R": _BOOL,
        "o.cp": _BOOL,
        "o.pP": _BOOL,
        "o.si": _INT,
        "o.ss": _INT,
        "o.gtd": _INT,
        "o.M": _INT,
    },
    "ACCOUNT_UPDATE": {"E": _INT, "T": _INT},
    "MARGIN_CALL": {"E": _INT},
    "ACCOUNT_CONFIG_UPDATE": {"E": _INT, "T": _INT, "ac.l": _INT, "ai.j": _BOOL},
    "listenKeyExpired": {"E": _INT},
    "TRADE_LITE": {},  # typed from the documented example
    "STRATEGY_UPDATE": {"T": _INT, "E": _INT, "su.si": _INT, "su.ut": _INT, "su.c": _INT},
    "GRID_UPDATE": {"T": _INT, "E": _INT, "gu.si": _INT, "gu.ut": _INT},
    "ALGO_UPDATE": {
        "T": _INT,
        "E": _INT,
        "o.aid": _INT,
        "o.cp": _BOOL,
        "o.pP": _BOOL,
        "o.R": _BOOL,
        "o.tt": _INT,
        "o.gtd": _INT,
        "o.ia": _BOOL,
    },
    "CONDITIONAL_ORDER_TRIGGER_REJECT": {},
}
# Fields of user-data events that are not in every event (besides those documented "only pushed ...").
USER_DATA_OPTIONAL: Dict[str, Tuple[str, ...]] = {
    "ORDER_TRADE_UPDATE": ("o.N", "o.n", "o.M", "o.AP", "o.cr", "o.er", "o.gtd"),
    "ACCOUNT_UPDATE": ("a.S",),
    "MARGIN_CALL": ("cw",),
    "ACCOUNT_CONFIG_UPDATE": ("ac", "ai"),
    "ALGO_UPDATE": ("o.ai", "o.ap", "o.aq", "o.act", "o.rm", "o.ia", "o.gtd", "o.tt"),
}
EVENT_CLASS = {
    "ORDER_TRADE_UPDATE": "OrderTradeUpdateEvent",
    "ACCOUNT_UPDATE": "AccountUpdateEvent",
    "MARGIN_CALL": "MarginCallEvent",
    "ACCOUNT_CONFIG_UPDATE": "AccountConfigUpdateEvent",
    "listenKeyExpired": "ListenKeyExpiredEvent",
    "TRADE_LITE": "TradeLiteEvent",
    "STRATEGY_UPDATE": "StrategyUpdateEvent",
    "GRID_UPDATE": "GridUpdateEvent",
    "ALGO_UPDATE": "AlgoUpdateEvent",
    "CONDITIONAL_ORDER_TRIGGER_REJECT": "ConditionalOrderTriggerRejectEvent",
}


# ---------------------------------------------------------------------------------------------- model


@dataclass
class Shape:
    """A JSON value's type: a Python type expression, or an object (fields) to become a TypedDict."""

    expr: str = ""
    fields: Optional[Dict[str, "Shape"]] = None
    optional: set = field(default_factory=set)
    literal_e: Optional[List[str]] = None  # the event-type field's values, typed as a Literal

    def key(self) -> str:
        if self.fields is None:
            return self.expr
        inner = ",".join(f"{k}{'?' if k in self.optional else ''}:{v.key()}" for k, v in self.fields.items())
        lit = "|".join(self.literal_e or [])
        return "{" + inner + "}" + lit


def _class_name(text: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", text))
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 3:
        return name[:-1]
    return name


def infer(value: Any, name: str = "") -> Shape:
    """The shape of one documented JSON value (``name`` is its field name, for the type tables)."""
    if isinstance(value, bool):
        return Shape("bool")
    if isinstance(value, int):
        return Shape("float" if name in FLOAT_FIELDS else "int")
    if isinstance(value, float):
        return Shape("float")
    if isinstance(value, str):
        return Shape("str")
    if value is None:
        return Shape("Optional[str]")
    if isinstance(value, list):
        if not value:
            raise ValueError(f"empty list for {name!r}: add it to PATCHES")
        if all(isinstance(v, dict) and "filterType" in v for v in value):
            return Shape("List[SymbolFilter]")
        if all(isinstance(v, dict) for v in value) or all(isinstance(v, list) for v in value):
            return _list_of(merge([infer(v, name) for v in value]))
        kinds = sorted({infer(v, name).expr for v in value})
        return Shape(f"List[{kinds[0]}]" if len(kinds) == 1 else f"List[Union[{', '.join(kinds)}]]")
    if isinstance(value, dict):
        if name in MAP_FIELDS:
            return Shape("Dict[str, {0}]", fields={"__value__": merge([infer(v, name) for v in value.values()])})
        return Shape(fields={k: infer(v, k) for k, v in value.items()})
    raise TypeError(type(value))


def _list_of(item: Shape) -> Shape:
    return Shape("List[{0}]", fields={"__value__": item})


def merge(shapes: List[Shape]) -> Shape:
    """One shape for several documented values of the same field (fields missing from some are optional)."""
    first = shapes[0]
    if all(s.fields is not None and "__value__" not in s.fields for s in shapes):
        fields: Dict[str, Shape] = {}
        seen: Dict[str, int] = {}
        optional: set = set()
        for s in shapes:
            assert s.fields is not None
            for k, v in s.fields.items():
                fields[k] = merge([fields[k], v]) if k in fields else v
                seen[k] = seen.get(k, 0) + 1
            optional |= s.optional
        optional |= {k for k, n in seen.items() if n < len(shapes)}
        return Shape(fields=fields, optional=optional)
    if all(s.fields is not None and "__value__" in s.fields for s in shapes) and len({s.expr for s in shapes}) == 1:
        return Shape(first.expr, fields={"__value__": merge([s.fields["__value__"] for s in shapes])})  # type: ignore
    exprs = {s.expr for s in shapes if s.fields is None}
    if len(exprs) == len(shapes) or (exprs and all(s.fields is None for s in shapes)):
        if exprs <= {"int", "float"}:
            return Shape("float" if "float" in exprs else "int")
        if len(exprs) == 1:
            return Shape(exprs.pop())
        return Shape(f"Union[{', '.join(sorted(exprs))}]")
    return first


# ---------------------------------------------------------------------------------------------- rendering


class Module:
    """The TypedDicts of one generated module, named and deduplicated."""

    def __init__(self) -> None:
        self.blocks: List[str] = []
        self.by_key: Dict[str, str] = {}
        self.names: set = set()
        self.aliases: List[str] = []

    def unique(self, name: str) -> str:
        base, n = name, 2
        while name in self.names:
            name, n = f"{base}{n}", n + 1
        self.names.add(name)
        return name

    def render(self, shape: Shape, name: str, doc: str = "", top: bool = False) -> str:
        """The type expression for ``shape``; TypedDicts are emitted as needed (named after ``name``)."""
        if shape.fields is None:
            return shape.expr
        if "__value__" in shape.fields:
            inner = self.render(shape.fields["__value__"], name, doc=doc)
            return shape.expr.format(inner)
        key = shape.key()
        if key in self.by_key and not top:
            return self.by_key[key]
        cls = self.unique(name)
        self.by_key.setdefault(key, cls)
        base = re.sub(r"(Response|Result|Event|Item)\d*$", "", cls)
        field_types = {
            k: self.render(
                v,
                base + (_class_name(_singular(k)) if len(k) > 2 else _field_suffix(k)),
                doc=f"The `{k}` part of `{cls}`.",
            )
            for k, v in shape.fields.items()
        }
        if shape.literal_e:
            field_types["e"] = "Literal[" + ", ".join(json.dumps(x) for x in shape.literal_e) + "]"
        required = [k for k in shape.fields if k not in shape.optional]
        optional = [k for k in shape.fields if k in shape.optional]
        doc = doc or f"Part of an answer: `{name}`."
        self.blocks.append(_typed_dict(cls, required, optional, field_types, doc))
        return cls


_SHORT = {
    "B": "Balance",
    "P": "Position",
    "a": "Data",
    "o": "Order",
    "k": "Kline",
    "p": "Position",
    "ac": "Leverage",
    "ai": "AssetMode",
    "su": "Strategy",
    "gu": "Grid",
    "or": "Reject",
    "bks": "Bracket",
    "b": "Bid",
    "a_": "Ask",
}


def _field_suffix(key: str) -> str:
    return _SHORT.get(key, key.upper() if len(key) <= 2 else _class_name(key))


def _valid(key: str) -> bool:
    return key.isidentifier() and not keyword.iskeyword(key)


def _typed_dict(cls: str, required: List[str], optional: List[str], types: Dict[str, str], doc: str) -> str:
    keys = required + optional
    if not all(_valid(k) for k in keys):
        return _functional(cls, required, optional, types, doc)
    lines: List[str] = []
    if required and optional:
        base = f"_{cls}Fields"
        lines += [f"class {base}(TypedDict):", f'    """The fields `{cls}` always has."""', ""]
        lines += [f"    {k}: {types[k]}" for k in required]
        lines += ["", "", f"class {cls}({base}, total=False):", f'    """{doc}"""', ""]
        lines += [f"    {k}: {types[k]}" for k in optional]
    elif optional:
        lines += [f"class {cls}(TypedDict, total=False):", f'    """{doc}"""', ""]
        lines += [f"    {k}: {types[k]}" for k in optional]
    else:
        lines += [f"class {cls}(TypedDict):", f'    """{doc}"""']
        if required:
            lines.append("")
        lines += [f"    {k}: {types[k]}" for k in required]
    return "\n".join(lines)


def _functional(cls: str, required: List[str], optional: List[str], types: Dict[str, str], doc: str) -> str:
    """A TypedDict with a key that is not a Python name: the functional form (for the part that needs it)."""

    def body(keys: List[str]) -> str:
        return "{" + ", ".join(f"{json.dumps(k)}: {types[k]}" for k in keys) + "}"

    if not (required and optional):
        total = ", total=False" if optional else ""
        return f'{cls} = TypedDict({json.dumps(cls)}, {body(required + optional)}{total})\n"""{doc}"""'
    if all(_valid(k) for k in optional):
        base, base_keys, own, total = f"_{cls}Fields", required, optional, ", total=False"
        base_total = ""
    elif all(_valid(k) for k in required):
        base, base_keys, own, total = f"_{cls}Optional", optional, required, ""
        base_total = ", total=False"
    else:
        raise ValueError(f"{cls}: keys that are not Python names on both sides")
    lines = [f"{base} = TypedDict({json.dumps(base)}, {body(base_keys)}{base_total})", "", ""]
    lines += [f"class {cls}({base}{total}):", f'    """{doc}"""', ""] + [f"    {k}: {types[k]}" for k in own]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- REST


def method_name(entry: dict) -> str:
    return entry["legacy_name"] or entry["name"]


def _patched(market: str, name: str, value: Any) -> Any:
    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {
                k: (PATCHES[(market, name, k)] if (market, name, k) in PATCHES and x == [] else walk(x))
                for k, x in v.items()
            }
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value)


def _order_extras(spec: Dict[str, dict]) -> Dict[str, Dict[str, Shape]]:
    """Per market: every field seen on any documented order object (for the optional order fields)."""
    out: Dict[str, Dict[str, Shape]] = {}
    for market in MARKETS:
        seen: Dict[str, Shape] = {}
        for entry in spec[market]["endpoints"]:
            for obj in _objects(entry["example_response"]):
                if ORDER_KEYS <= set(obj) and "algoId" not in obj:
                    for k, v in infer(obj).fields.items():  # type: ignore[union-attr]
                        if k not in ("code", "msg"):
                            seen.setdefault(k, v)
        out[market] = seen
    return out


def _objects(value: Any) -> List[dict]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _with_order_extras(shape: Shape, extras: Dict[str, Shape]) -> Shape:
    target = shape
    while target.fields is not None and "__value__" in target.fields:
        target = target.fields["__value__"]
    if target.fields is not None and ORDER_KEYS <= set(target.fields) and "algoId" not in target.fields:
        for k, v in extras.items():
            if k not in target.fields:
                target.fields[k] = v
                target.optional.add(k)
        target.optional |= ORDER_OPTIONAL & set(target.fields)
    return shape


def rest_shapes(spec: Dict[str, dict]) -> Dict[Tuple[str, str], List[Tuple[Shape, dict]]]:
    """(market, method name) -> the shape of each of its endpoints' documented answer."""
    extras = _order_extras(spec)
    out: Dict[Tuple[str, str], List[Tuple[Shape, dict]]] = {}
    for market in MARKETS:
        for entry in spec[market]["endpoints"]:
            name = method_name(entry)
            example = EXAMPLE_FIXES.get((market, name), entry["example_response"])
            shape = _with_order_extras(_split_batch_errors(infer(_patched(market, name, example))), extras[market])
            out.setdefault((market, name), []).append((shape, entry))
    return out


def _split_batch_errors(shape: Shape) -> Shape:
    """A batch answer documents an order and an error ({code, msg}) as one object: they are two shapes."""
    item = shape.fields.get("__value__") if shape.fields else None
    if item is None or item.fields is None or not {"code", "msg"} <= set(item.fields) or len(item.fields) <= 3:
        return shape
    item.fields = {k: v for k, v in item.fields.items() if k not in ("code", "msg")}
    return Shape("List[Union[{0}, BatchOrderError]]", fields={"__value__": item})


def response_class(name: str) -> str:
    return _class_name(name) + "Response"


# ---------------------------------------------------------------------------------------------- streams


def stream_shapes(ws: dict) -> Dict[str, List[Tuple[str, Shape, dict]]]:
    """market -> (class name, shape, stream entry) of each market stream's event."""
    out: Dict[str, List[Tuple[str, Shape, dict]]] = {m: [] for m in MARKETS}
    by_key = {s["key"]: s for s in ws["streams"]}
    for s in ws["streams"]:
        if s["category"] == "private" or s["key"] == "user_data":
            continue
        for market in s["markets"]:
            example = (s.get("example_payload_by_market") or {}).get(market) or s.get("example_payload")
            if example is None and s["key"] == "asset_index":
                example = by_key["all_asset_index"]["example_payload"][0]
            if example is None:
                raise ValueError(f"no example for stream {s['key']}")
            shape = infer(example)
            events = s["event_type"] if isinstance(s["event_type"], list) else [s["event_type"]]
            item = shape.fields["__value__"] if shape.fields and "__value__" in shape.fields else shape
            if item.fields is not None and "e" in item.fields:
                item.literal_e = events
            out[market].append((_class_name(s["key"]) + "Event", shape, s))
    return out


# ---------------------------------------------------------------------------------------------- user data


def user_data_shapes(ws: dict) -> Dict[str, List[Tuple[str, Shape, dict]]]:
    out: Dict[str, List[Tuple[str, Shape, dict]]] = {m: [] for m in MARKETS}
    for event in ws["user_data_events"]:
        kind = event["event_type"]
        if kind not in EVENT_CLASS:
            continue
        for market in event["markets"]:
            if event.get("example_payload"):
                shape = infer(event["example_payload"])
            else:
                shape = _from_key_fields(kind, event["key_fields"][market])
            assert shape.fields is not None
            shape.fields = {"e": Shape("str"), **{k: v for k, v in shape.fields.items() if k != "e"}}
            shape.literal_e = [kind]
            out[market].append((EVENT_CLASS[kind], shape, event))
    return out


def _from_key_fields(kind: str, key_fields: Dict[str, Dict[str, str]]) -> Shape:
    types = USER_DATA_TYPES[kind]
    optional = set(USER_DATA_OPTIONAL.get(kind, ()))

    def build(prefix: str) -> Shape:
        section = "top" if prefix == "" else prefix
        fields: Dict[str, Shape] = {}
        opt: set = set()
        for k, desc in key_fields[section].items():
            path = f"{prefix}.{k}" if prefix else k
            if f"{path}[]" in key_fields:
                fields[k] = _list_of(build(f"{path}[]"))
            elif path in key_fields:
                fields[k] = build(path)
            else:
                fields[k] = Shape(types.get(path.replace("[]", ""), "str"))
            low = desc.lower()
            if path.replace("[]", "") in optional or "only pushed" in low or "only display" in low:
                opt.add(k)
        return Shape(fields=fields, optional=opt)

    return build("")


# ---------------------------------------------------------------------------------------------- WebSocket API


def ws_api_shapes(ws: dict) -> Dict[str, List[Tuple[str, Shape, dict]]]:
    out: Dict[str, List[Tuple[str, Shape, dict]]] = {m: [] for m in MARKETS}
    for market in MARKETS:
        for m in ws["ws_api"]["methods"][market]:
            result = m["example_response"]["result"]
            out[market].append((ws_api_class(m["method"]), infer(result), m))
    return out


def ws_api_class(method: str) -> str:
    version = ""
    found = re.match(r"^(v\d+)/(.+)$", method)
    if found:
        version, method = found.group(1).upper(), found.group(2)
    return _class_name(method.replace(".", " ")) + version + "Result"


# ---------------------------------------------------------------------------------------------- modules

HEADER = '''"""{doc}

Generated by `tools/gen_types.py` from the API spec; edit the generator, not this file.
"""

from __future__ import annotations

{imports}
'''


def _imports(body: str, extra: str = "") -> str:
    names = [
        n
        for n in ("Dict", "List", "Literal", "Optional", "TypedDict", "Union", "final")
        if re.search(rf"\b{n}\b", body)
    ]
    text = f"from typing import {', '.join(names)}\n" if names else ""
    return text + extra


def generate(spec_dir: Path) -> Dict[Path, str]:
    spec = {m: json.loads((spec_dir / f"{m}_rest.json").read_text()) for m in MARKETS}
    ws = json.loads((spec_dir / "websocket.json").read_text())
    rest = rest_shapes(spec)
    streams = stream_shapes(ws)
    user = user_data_shapes(ws)
    wsapi = ws_api_shapes(ws)
    extras = _order_extras(spec)
    for market in MARKETS:
        for _, shape, _ in wsapi[market]:
            _with_order_extras(shape, extras[market])

    shared_exports: List[str] = []
    shared = Module()
    shared.names.add("BatchOrderError")
    shared.blocks.append(
        _typed_dict(
            "BatchOrderError",
            ["code", "msg"],
            [],
            {"code": "int", "msg": "str"},
            "An order of a batch that failed: Binance's error code and message, in the order's place.\n\n"
            '    Final, so that `"orderId" in entry` tells the two kinds of entry apart for the checker.',
        ).replace("class BatchOrderError", "@final\nclass BatchOrderError")
    )
    shared_exports.append("BatchOrderError")
    for cls, (kind, fields) in SYMBOL_FILTERS.items():
        shared.names.add(cls)
        types = {"filterType": f'Literal["{kind}"]', **fields}
        doc = f"A `{kind}` entry of a symbol's `filters` in `exchangeInfo`."
        shared.blocks.append(_typed_dict(cls, list(types), [], types, doc))
        shared_exports.append(cls)
    shared.names.add("SymbolFilter")
    shared.aliases.append(
        "SymbolFilter = Union[\n" + "".join(f"    {c},\n" for c in SYMBOL_FILTERS) + "]\n"
        '"""One entry of a symbol\'s `filters` in `exchangeInfo`; narrow it on `filterType`."""'
    )
    shared_exports.append("SymbolFilter")
    modules = {m: Module() for m in MARKETS}
    exports: Dict[str, List[str]] = {m: [] for m in MARKETS}

    def emit(market: str, cls: str, shape: Shape, doc: str, same_in_other: bool) -> None:
        module = shared if same_in_other else modules[market]
        if same_in_other and cls in shared.names:
            if cls not in exports[market]:
                exports[market].append(cls)
            return
        if shape.fields is not None and "__value__" in shape.fields:
            item = shape.fields["__value__"]
            inner_name = re.sub(r"(Response|Result|Event)\d*$", "", cls) + "Item"
            expr = shape.expr.format(module.render(item, inner_name, doc=f"One entry of `{cls}`."))
            module.names.add(cls)
            module.aliases.append(f'{cls} = {expr}\n"""{doc}"""')
        elif shape.fields is None:
            module.names.add(cls)
            module.aliases.append(f'{cls} = {shape.expr}\n"""{doc}"""')
        else:
            got = module.render(shape, cls, doc=doc, top=True)
            assert got == cls, (got, cls)
        (shared_exports if same_in_other else exports[market]).append(cls)
        if same_in_other:
            exports[market].append(cls)

    # REST
    names = sorted({name for (_, name) in rest})
    for name in names:
        um, cm = rest.get(("um", name)), rest.get(("cm", name))
        same = bool(um and cm and [s.key() for s, _ in um] == [s.key() for s, _ in cm])
        for market, entries in (("um", um), ("cm", cm)):
            if not entries:
                continue
            cls = response_class(name)
            if len(entries) == 1:
                shape, entry = entries[0]
                doc = f"The answer of `{name}` (`{entry['http_method']} {entry['path']}`)."
                emit(market, cls, shape, doc, same)
            else:
                parts = []
                for i, (shape, entry) in enumerate(entries, 1):
                    part = f"{cls}{i}"
                    doc = f"The answer of `{name}` from `{entry['http_method']} {entry['path']}`."
                    emit(market, part, shape, doc, same)
                    parts.append(part)
                module = shared if same else modules[market]
                if cls not in module.names:
                    module.names.add(cls)
                    module.aliases.append(
                        f'{cls} = Union[{", ".join(parts)}]\n"""The answer of `{name}` (one of its endpoints)."""'
                    )
                    (shared_exports if same else exports[market]).append(cls)
                if same and cls not in exports[market]:
                    exports[market].append(cls)
    # WebSocket API, streams, user data
    for table, what in ((wsapi, "ws_api"), (streams, "stream"), (user, "user")):
        per = {m: {cls: (shape, entry) for cls, shape, entry in table[m]} for m in MARKETS}
        for market in MARKETS:
            for cls, (shape, entry) in per[market].items():
                other = per["cm" if market == "um" else "um"].get(cls)
                same = other is not None and other[0].key() == shape.key()
                if what == "ws_api":
                    doc = f"The `result` of the WebSocket API method `{entry['method']}`."
                elif what == "stream":
                    doc = f"An event of the `{entry['stream_name_pattern']}` stream."
                else:
                    doc = f"The `{entry['event_type']}` user-data event."
                emit(market, cls, shape, doc, same)
    for market in MARKETS:
        module = modules[market]
        events = [c for c, _, _ in user[market]]
        module.aliases.append(
            "UserDataEvent = Union[\n" + "".join(f"    {c},\n" for c in events) + "]\n"
            '"""Any user-data event; narrow it with `event["e"] == "ORDER_TRADE_UPDATE"` and so on."""'
        )
        exports[market].append("UserDataEvent")
        market_events = [c for c, shape, _ in streams[market] if not (shape.fields and "__value__" in shape.fields)]
        market_events = list(dict.fromkeys(market_events))
        module.aliases.append(
            "MarketEvent = Union[\n" + "".join(f"    {c},\n" for c in market_events) + "]\n"
            '"""Any single-object market stream event (the all-market streams send lists of them); narrow on `e`."""'
        )
        exports[market].append("MarketEvent")

    files: Dict[Path, str] = {}
    out_dir = ROOT / "binance" / "types"
    shared_body = "\n\n\n".join(shared.blocks + shared.aliases) + "\n"
    files[out_dir / "shared.py"] = (
        HEADER.format(
            doc="Answer shapes that are the same in USDⓈ-M and COIN-M.\n\n"
            "Re-exported by `binance.types.um` and `binance.types.cm`.",
            imports=_imports(shared_body),
        )
        + "\n"
        + _all(shared_exports)
        + "\n\n"
        + shared_body
    )
    for market in MARKETS:
        module = modules[market]
        body = "\n\n\n".join(module.blocks + module.aliases) + "\n"
        always = {"BatchOrderError", "SymbolFilter", *SYMBOL_FILTERS}
        from_shared = sorted({c for c in exports[market] if c in shared.names} | always)
        exports[market].extend(sorted(always))
        extra = ""
        if from_shared:
            extra = (
                "\nfrom binance.types.shared import (\n" + "".join(f"    {c} as {c},\n" for c in from_shared) + ")\n"
            )
        doc = (
            f"{LABEL[market]} answers and events.\n\nREST responses (`...Response`), WebSocket API results "
            "(`...Result`),\nmarket stream events and user-data events (`...Event`)."
        )
        files[out_dir / f"{market}.py"] = (
            HEADER.format(doc=doc, imports=_imports(body, extra))
            + "\n"
            + _all(sorted(set(exports[market])))
            + "\n\n"
            + body
        )
    return files


def _all(names: List[str]) -> str:
    return "__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]\n"


def rest_return_types(spec_dir: Path) -> Dict[Tuple[str, str], str]:
    """(market, method name) -> the return annotation the endpoint generator writes."""
    spec = {m: json.loads((spec_dir / f"{m}_rest.json").read_text()) for m in MARKETS}
    return {key: response_class(key[1]) for key in rest_shapes(spec)}


def main(argv: List[str]) -> int:
    spec_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "tools" / "spec"
    files = generate(spec_dir)
    for path, text in sorted(files.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    import subprocess

    ruff = ROOT / ".venv" / "bin" / "ruff"
    if ruff.exists():
        py = [str(p) for p in files]
        subprocess.run([str(ruff), "format", "-q", "--line-length", "120", *py], check=False)
        subprocess.run([str(ruff), "check", "--fix", "-q", *py], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
