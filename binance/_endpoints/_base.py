"""What every endpoint mixin relies on: the market it talks to, the request helpers, shared argument types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

from binance._markets import Market
from binance.error import ParameterRequiredError
from binance.types.params import Number

__all__ = ["EndpointMixin", "Number", "Flag", "require_one_of"]

Flag = Union[str, bool]
"""A boolean switch: `True` / `False` are sent as `true` / `false`; strings are sent as given."""


def require_one_of(**named: Any) -> None:
    """Raise [ParameterRequiredError][binance.api.ParameterRequiredError] unless at least one of the named values is
    given (not `None`/empty)."""
    for value in named.values():
        if value is not None and value != "" and value != []:
            return
    raise ParameterRequiredError([" or ".join(named)])


class EndpointMixin:
    """Base of the endpoint mixins: `_market` holds the market's REST prefix; requests go through the API seam."""

    _market: Market

    if TYPE_CHECKING:  # provided by binance.api.API

        def query(self, url_path: str, payload: Optional[Mapping[str, Any]] = None) -> Any: ...

        def limit_request(
            self, http_method: str, url_path: str, payload: Optional[Mapping[str, Any]] = None
        ) -> Any: ...

        def sign_request(
            self,
            http_method: str,
            url_path: str,
            payload: Optional[Mapping[str, Any]] = None,
            special: bool = False,
        ) -> Any: ...

        def send_request(
            self,
            http_method: str,
            url_path: str,
            payload: Optional[Mapping[str, Any]] = None,
            special: bool = False,
        ) -> Any: ...
