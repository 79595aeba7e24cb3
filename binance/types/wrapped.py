"""The shapes of answers wrapped by the clients' options (static types only; plain dicts at run time).

* REST: `UMFutures(show_limit_usage=True)` returns `{"limit_usage": {...}, "data": <answer>}` from every
  endpoint, `show_header=True` `{"header": {...}, "data": <answer>}` (both: all three keys). A client made
  with either option set to `True` is typed as `WrappedUMFutures` / `WrappedCMFutures`, whose methods
  return `Wrapped[<the answer's type>]`; with a `bool` that is not a literal, the checker cannot know
  and types the client as either one.
* WebSocket API: `return_full_response=True` (or `full_response=True` on one call) returns the whole
  reply, `FullReply[<the result's type>]`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Generic, List, Mapping, TypedDict, TypeVar, Union

__all__ = ["Wrapped", "FullReply", "ReplyRateLimit"]

T = TypeVar("T")


class ReplyRateLimit(TypedDict):
    """One entry of a WebSocket API reply's `rateLimits`."""

    rateLimitType: str
    interval: str
    intervalNum: int
    limit: int
    count: int


if TYPE_CHECKING:  # generic TypedDicts need Python 3.11 at run time; checkers see them on any version

    class _WrappedData(TypedDict, Generic[T]):
        data: T

    class Wrapped(_WrappedData[T], total=False):
        """A REST answer with `show_limit_usage=True` and/or `show_header=True`: `data` is the answer."""

        limit_usage: Dict[str, str]
        header: Mapping[str, str]

    class _FullReplyFields(TypedDict, Generic[T]):
        id: Union[str, int, None]
        status: int
        result: T

    class FullReply(_FullReplyFields[T], total=False):
        """A whole WebSocket API reply: `result` is what the method returns by default."""

        rateLimits: List[ReplyRateLimit]

else:

    class Wrapped(TypedDict, total=False):
        """A REST answer with `show_limit_usage=True` and/or `show_header=True`: `data` is the answer."""

        data: Any
        limit_usage: Dict[str, str]
        header: Mapping[str, str]

    class FullReply(TypedDict, total=False):
        """A whole WebSocket API reply: `result` is what the method returns by default."""

        id: Union[str, int, None]
        status: int
        result: Any
        rateLimits: List[ReplyRateLimit]
