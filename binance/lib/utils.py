"""Helpers kept under their 4.2.0 names (scripts import them), backed by the library's encoders."""

from __future__ import annotations

import json
import time
from enum import Enum
from typing import Any, Iterable, Mapping, Optional, Sequence, Type
from urllib.parse import urlparse

from binance._params import clean_none, encode_params
from binance.error import ParameterRequiredError, ParameterTypeError, ParameterValueError

__all__ = [
    "cleanNoneValue",
    "check_required_parameter",
    "check_required_parameters",
    "check_enum_parameter",
    "check_type_parameter",
    "get_timestamp",
    "encoded_string",
    "convert_list_to_json_array",
    "config_logging",
    "parse_proxies",
]


def cleanNoneValue(d: Mapping[str, Any]) -> dict:
    """Return a copy of `d` without the `None` values."""
    return clean_none(d)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


def check_required_parameter(value: Any, name: str) -> None:
    """Raise [ParameterRequiredError][binance.api.ParameterRequiredError] when `value` is `None`, blank or an empty
    list."""
    if _is_empty(value):
        raise ParameterRequiredError([name])


def check_required_parameters(params: Iterable[Sequence[Any]]) -> None:
    """Check several `[value, name]` pairs with
    [check_required_parameter][binance.lib.utils.check_required_parameter]."""
    for value, name in params:
        check_required_parameter(value, name)


def check_enum_parameter(value: Any, enum_class: Type[Enum]) -> None:
    """Raise [ParameterValueError][binance.error.ParameterValueError] when `value` is not a value of `enum_class`."""
    if value not in {item.value for item in enum_class}:
        raise ParameterValueError([value])


def check_type_parameter(value: Any, name: str, data_type: type) -> None:
    """Raise [ParameterTypeError][binance.error.ParameterTypeError] when `value` is set and not a `data_type`."""
    if value is not None and not isinstance(value, data_type):
        raise ParameterTypeError([name, data_type])


def get_timestamp() -> int:
    """Current time in milliseconds."""
    return int(time.time() * 1000)


def encoded_string(query: Mapping[str, Any], special: bool = False) -> str:
    """URL-encode `query` as it goes on the wire (`special` is accepted for 4.2.0 callers).

    Lists are sent as compact JSON rather than 4.2.0's Python repr.
    """
    return encode_params(query)


def convert_list_to_json_array(symbols: Optional[list]) -> Optional[str]:
    """Compact JSON text of a list (`None` stays `None`)."""
    if symbols is None:
        return symbols
    return json.dumps(symbols, separators=(",", ":"))


def config_logging(logging: Any, logging_devel: Any, log_file: Optional[str] = None) -> None:
    """Configure the root logger (for example scripts; the library itself never does this)."""
    logging.basicConfig(level=logging_devel, filename=log_file)


def parse_proxies(proxies: Mapping[str, str]) -> dict:
    """websocket-client proxy options from a requests-style `proxies` dict (http/https proxies only)."""
    proxy_url = proxies.get("http") or proxies.get("https")
    if not proxy_url:
        return {}
    parsed = urlparse(proxy_url)
    return {
        "http_proxy_host": parsed.hostname,
        "http_proxy_port": parsed.port,
        "http_proxy_auth": (parsed.username, parsed.password) if parsed.username and parsed.password else None,
    }


