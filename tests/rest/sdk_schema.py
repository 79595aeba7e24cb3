"""Check JSON answers against the official modular SDK's pydantic response models (a test helper).

The SDK packages (``binance-sdk-derivatives-trading-usds-futures``, ``...-coin-futures``) are test-only
dependencies: their models are generated from Binance's own API definitions, an independent schema of what
Binance answers. The SDK models accept any extra field and leave every field optional, so this module walks
them itself, strictly: an integer must be a JSON integer (never ``5.0``), a string a JSON string, every field
the model documents must be present and no other field may be.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
import typing
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from pydantic import BaseModel

PACKAGES = {
    "um": "binance_sdk_derivatives_trading_usds_futures",
    "cm": "binance_sdk_derivatives_trading_coin_futures",
}
_ONE_OF = "actual_instance"


def package(market: str, part: str) -> Any:
    """Import ``<sdk package>.<part>`` of one market."""
    return importlib.import_module("%s.%s" % (PACKAGES[market], part))


def _api_functions(market: str, kind: str) -> List[Tuple[str, str]]:
    """(function name, source) of every public method of the SDK's ``<kind>/api`` classes."""
    api = package(market, "%s.api" % kind)
    out = []
    for info in pkgutil.iter_modules(api.__path__):
        module = importlib.import_module("%s.%s" % (api.__name__, info.name))
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for name, func in inspect.getmembers(cls, inspect.isfunction):
                if not name.startswith("_"):
                    out.append((name, inspect.getsource(func)))
    return out


def rest_response_models(market: str) -> Dict[Tuple[str, str], type]:
    """``(HTTP method, path) -> response model`` for every REST endpoint of the market's SDK."""
    models = package(market, "rest_api.models")
    out: Dict[Tuple[str, str], type] = {}
    for _, source in _api_functions(market, "rest_api"):
        path = re.search(r'path="([^"]+)"', source)
        method = re.search(r'method="([A-Z]+)"', source)
        model = re.search(r"response_model=(\w+)", source)
        if path and method and model:
            out[(method.group(1), path.group(1))] = getattr(models, model.group(1))
    return out


def ws_api_response_models(market: str) -> Dict[str, type]:
    """``WebSocket API method (e.g. "order.place", "v2/account.status") -> reply model`` of the market's SDK."""
    models = package(market, "websocket_api.models")
    out: Dict[str, type] = {}
    for _, source in _api_functions(market, "websocket_api"):
        method = re.search(r'"method": "/([^"]+)"', source)
        model = re.search(r"response_model=(\w+)", source)
        if method and model:
            out[method.group(1)] = getattr(models, model.group(1))
    return out


def user_data_event_models(market: str) -> Dict[str, type]:
    """``event type ("ORDER_TRADE_UPDATE", "listenKeyExpired", ...) -> model`` of the market's SDK streams."""
    models = package(market, "websocket_streams.models")
    union = models.UserDataStreamEventsResponse.model_fields[_ONE_OF].annotation
    out: Dict[str, type] = {}
    for model in typing.get_args(union):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        name = model.__name__  # AccountUpdate -> ACCOUNT_UPDATE; ListenKeyExpired -> listenKeyExpired
        event = name[0].lower() + name[1:] if name == "ListenKeyExpired" else re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name)
        out[event if name == "ListenKeyExpired" else event.upper()] = model
    return out


@dataclass(frozen=True)
class Allowances:
    """What Binance documents as sometimes absent or null, which the SDK models cannot say.

    ``optional``: ``Model.field`` (or ``*.field``) sent only in some answers; ``nullable``: field names whose
    documented example is null; ``maps``: models whose field names are example keys of a map (symbols, ...):
    their values are checked, their keys are not.
    """

    optional: FrozenSet[str] = frozenset()
    nullable: FrozenSet[str] = frozenset()
    maps: FrozenSet[str] = frozenset()

    def may_lack(self, model: str, name: str) -> bool:
        return (
            "%s.%s" % (model, name) in self.optional
            or "*.%s" % name in self.optional
            or ("%s.*" % model in self.optional)
        )


@dataclass
class Report:
    """What one check found: problems, and how many objects were compared field by field."""

    problems: List[str] = field(default_factory=list)
    objects: int = 0
    unschemed: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _strip_annotated(tp: Any) -> Tuple[Any, bool]:
    """The base type of ``Annotated[...]`` and whether pydantic's Strict marker is on it."""
    strict = False
    while typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        strict = strict or any(type(a).__name__ == "Strict" for a in args[1:])
        tp = args[0]
    return tp, strict


def _fields(model: type) -> Dict[str, Any]:
    """``alias -> annotation`` of a model's documented fields."""
    return {
        (f.alias or name): f.annotation
        for name, f in model.model_fields.items()
        if name != "additional_properties" and not name.startswith("oneof_schema_") and name != "one_of_schemas"
    }


def _is_array_model(model: type) -> bool:
    is_array = getattr(model, "is_array", None)
    return bool(is_array and is_array())


def _item_model(model: type) -> Optional[type]:
    for base in model.__mro__[1:]:
        if isinstance(base, type) and issubclass(base, BaseModel) and base is not BaseModel:
            return base
    return None


def check(value: Any, schema: Any, where: str = "$", allow: Allowances = Allowances()) -> Report:
    """Compare ``value`` (decoded JSON) with a model or type annotation."""
    report = Report()
    _check(value, schema, where, allow, report)
    return report


def _check(value: Any, tp: Any, where: str, allow: Allowances, report: Report) -> None:
    tp, _strict = _strip_annotated(tp)
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return
    if origin is typing.Union:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            if where.rsplit(".", 1)[-1] not in allow.nullable:
                report.problems.append("%s: null where %s is documented" % (where, _name(options[0])))
            return
        if len(options) == 1:
            _check(value, options[0], where, allow, report)
            return
        tries = []
        for option in options:
            trial = Report()
            _check(value, option, where, allow, trial)
            if trial.ok:
                report.objects += trial.objects
                report.unschemed += trial.unschemed
                return
            tries.append(trial)
        shaped = [t for t, o in zip(tries, options) if _shape_matches(value, o)] or tries
        best = min(shaped, key=lambda r: len(r.problems))
        report.problems += best.problems
        report.objects += best.objects
        return
    if origin in (list, List):
        (item,) = typing.get_args(tp) or (Any,)
        if not isinstance(value, list):
            report.problems.append("%s: %s where a list is documented" % (where, type(value).__name__))
            return
        if isinstance(item, type) and issubclass(item, BaseModel) and _is_array_model(item):
            _check_model(value, item, where, allow, report)  # a oneOf's list[X2] where X2 is itself a list model
            return
        for i, v in enumerate(value):
            _check(v, item, "%s[%d]" % (where, i), allow, report)
        return
    if origin in (dict, Dict):
        if not isinstance(value, dict):
            report.problems.append("%s: %s where an object is documented" % (where, type(value).__name__))
        return
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        _check_model(value, tp, where, allow, report)
        return
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        if value not in [m.value for m in tp]:
            report.problems.append("%s: %r is not one of %s" % (where, value, [m.value for m in tp]))
        return
    expected = {str: (str,), int: (int,), bool: (bool,), float: (float, int)}.get(tp)
    if expected is None:
        return
    if isinstance(value, bool) and tp is not bool:
        report.problems.append("%s: %r (bool) where %s is documented" % (where, value, tp.__name__))
    elif not isinstance(value, expected):
        report.problems.append("%s: %r (%s) where %s is documented" % (where, value, type(value).__name__, tp.__name__))


def _check_model(value: Any, model: type, where: str, allow: Allowances, report: Report) -> None:
    fields = model.model_fields
    if _ONE_OF in fields:
        _check(value, fields[_ONE_OF].annotation, where, allow, report)
        return
    if _is_array_model(model):
        if not isinstance(value, list):
            report.problems.append("%s: %s where a list is documented" % (where, type(value).__name__))
            return
        item = _item_model(model)
        if item is None or not _fields(item):
            report.unschemed.append("%s (%s: the SDK documents no item fields)" % (where, model.__name__))
            return
        for i, v in enumerate(value):
            _check_model(v, item, "%s[%d]" % (where, i), allow, report)
        return
    documented = _fields(model)
    if not documented:
        report.unschemed.append("%s (%s: the SDK documents no fields)" % (where, model.__name__))
        return
    if not isinstance(value, dict):
        kind = type(value).__name__
        report.problems.append("%s: %s where an object (%s) is documented" % (where, kind, model.__name__))
        return
    report.objects += 1
    name = model.__name__
    if name in allow.maps:
        (annotation, *_) = documented.values()
        for key, v in value.items():
            _check(v, annotation, "%s.%s" % (where, key), allow, report)
        return
    for key in sorted(set(value) - set(documented)):
        report.problems.append("%s.%s: field not documented by %s" % (where, key, name))
    for key in sorted(set(documented) - set(value)):
        if not allow.may_lack(name, key):
            report.problems.append("%s.%s: documented by %s but missing" % (where, key, name))
    for key, annotation in documented.items():
        if key in value:
            _check(value[key], annotation, "%s.%s" % (where, key), allow, report)


def _shape_matches(value: Any, tp: Any) -> bool:
    """Whether a JSON list/object has the outer shape of an annotation (to report the right union member)."""
    tp, _ = _strip_annotated(tp)
    is_list = typing.get_origin(tp) in (list, List) or (
        isinstance(tp, type) and issubclass(tp, BaseModel) and _is_array_model(tp)
    )
    return isinstance(value, list) == is_list


def _name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)
