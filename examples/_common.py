"""What every example shares: where to connect, with which credentials, and how to show the answers.

By default an example starts a local :class:`binance.sandbox.Sandbox` in its own process: a funded
demo account, no keys to set, no network. To run the same example against Binance instead, set:

=========================== ===============================================================================
``BINANCE_API_KEY``         your API key
``BINANCE_API_SECRET``      its secret (HMAC keys), or
``BINANCE_PRIVATE_KEY_FILE`` the PEM file of an RSA or Ed25519 key (``BINANCE_PRIVATE_KEY_PASS`` if encrypted)
``BINANCE_BASE_URL``        REST root, e.g. ``https://testnet.binancefuture.com`` (default: production)
``BINANCE_STREAM_URL``      market/user stream root, e.g. ``wss://fstream.binancefuture.com``
``BINANCE_WS_API_URL``      WebSocket API URL, e.g. ``wss://testnet.binancefuture.com/ws-fapi/v1``
=========================== ===============================================================================

Any one of them switches the example to Binance. Keys are read from the environment only; no
example writes or prints one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, Callable, Dict, Generator, List, Mapping, Optional, Sequence, Tuple, Union, cast

try:
    import binance  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError:  # running from a clone without installing: use the source tree next to examples/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from binance.cm_futures import CMFutures
from binance.error import Error
from binance.types.um import UserDataEvent
from binance.um_futures import UMFutures

ENV_VARS = (
    "BINANCE_API_KEY",
    "BINANCE_API_SECRET",
    "BINANCE_PRIVATE_KEY_FILE",
    "BINANCE_BASE_URL",
    "BINANCE_STREAM_URL",
    "BINANCE_WS_API_URL",
)
PRODUCTION = {
    "um": ("https://fapi.binance.com", "wss://fstream.binance.com", "wss://ws-fapi.binance.com/ws-fapi/v1"),
    "cm": ("https://dapi.binance.com", "wss://dstream.binance.com", "wss://ws-dapi.binance.com/ws-dapi/v1"),
}
DEFAULT_SYMBOL = {"um": "BTCUSDT", "cm": "BTCUSD_PERP"}

Client = Union[UMFutures, CMFutures]


@dataclass
class Target:
    """One market of one exchange (the sandbox or Binance): URLs and credentials."""

    market: str
    rest_url: str
    stream_url: str
    ws_api_url: str
    api_key: Optional[str] = field(default=None, repr=False)
    api_secret: Optional[str] = field(default=None, repr=False)
    private_key: Optional[str] = field(default=None, repr=False)
    private_key_pass: Optional[str] = field(default=None, repr=False)
    live: bool = False

    @property
    def symbol(self) -> str:
        """The example symbol of this market: BTCUSDT (USDⓈ-M) or BTCUSD_PERP (COIN-M)."""
        return DEFAULT_SYMBOL[self.market]

    def credentials(self) -> Dict[str, Any]:
        """Keyword arguments that authenticate a client: key plus secret or private key."""
        kwargs: Dict[str, Any] = {"key": self.api_key, "secret": self.api_secret}
        if self.private_key:
            kwargs["private_key"] = self.private_key
            kwargs["private_key_pass"] = self.private_key_pass
        return kwargs

    def rest(self, **kwargs: Any) -> Client:
        """A REST client for this market."""
        cls = UMFutures if self.market == "um" else CMFutures
        client: Client = cls(base_url=self.rest_url, **self.credentials(), **kwargs)
        return client

    def um_rest(self, **kwargs: Any) -> UMFutures:
        """A USDⓈ-M REST client (for the examples that only run on USDⓈ-M)."""
        if self.market != "um":
            raise ValueError("this example runs on USDⓈ-M only")
        client: UMFutures = UMFutures(base_url=self.rest_url, **self.credentials(), **kwargs)
        return client

    @classmethod
    def from_sandbox(cls, sandbox: Any, market: str) -> "Target":
        """The target of a running sandbox's demo account."""
        return cls(
            market=market,
            rest_url=getattr(sandbox, f"{market}_rest_url"),
            stream_url=getattr(sandbox, f"{market}_stream_url"),
            ws_api_url=getattr(sandbox, f"{market}_ws_api_url"),
            api_key=sandbox.api_key,
            api_secret=sandbox.api_secret,
        )

    @classmethod
    def from_env(cls, market: str, env: Optional[Dict[str, str]] = None) -> Optional["Target"]:
        """The Binance target described by the environment, or None when none of ENV_VARS is set."""
        env = dict(os.environ if env is None else env)
        if not any(env.get(name) for name in ENV_VARS):
            return None
        rest_url, stream_url, ws_api_url = PRODUCTION[market]
        private_key = None
        if env.get("BINANCE_PRIVATE_KEY_FILE"):
            private_key = Path(env["BINANCE_PRIVATE_KEY_FILE"]).expanduser().read_text()
        return cls(
            market=market,
            rest_url=env.get("BINANCE_BASE_URL") or rest_url,
            stream_url=env.get("BINANCE_STREAM_URL") or stream_url,
            ws_api_url=env.get("BINANCE_WS_API_URL") or ws_api_url,
            api_key=env.get("BINANCE_API_KEY") or None,
            api_secret=env.get("BINANCE_API_SECRET") or None,
            private_key=private_key,
            private_key_pass=env.get("BINANCE_PRIVATE_KEY_PASS") or None,
            live=True,
        )


@contextlib.contextmanager
def open_target(market: str, seed: int = 7) -> Generator[Target, None, None]:
    """Binance when the environment says so, otherwise a sandbox started here and stopped on exit."""
    live = Target.from_env(market)
    if live is not None:
        yield live
        return
    try:
        from binance.sandbox import Sandbox
    except ImportError as exc:  # the sandbox's server library is an optional extra
        raise SystemExit(
            f"the sandbox needs its extra: pip install 'binance-futures-connector[sandbox]' ({exc})"
        ) from exc
    with Sandbox(seed=seed) as sandbox:
        yield Target.from_sandbox(sandbox, market)


# ---------------------------------------------------------------- order sizes from the exchange's filters

Filters = Dict[str, Mapping[str, Any]]
_FILTERS: Dict[Tuple[str, str], Filters] = {}


def _market_of(client: Client) -> str:
    return "cm" if isinstance(client, CMFutures) else "um"


def symbol_filters(client: Client, symbol: str) -> Filters:
    """The symbol's exchangeInfo filters by type (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL ...), cached."""
    key = (client.base_url, symbol)
    if key not in _FILTERS:
        info = client.exchange_info()
        for entry in info["symbols"]:
            if entry["symbol"] == symbol:
                _FILTERS[key] = {f["filterType"]: f for f in entry["filters"]}
                break
        else:
            raise ValueError(f"{symbol} is not listed on {client.base_url}")
    return _FILTERS[key]


def mark_price(client: Client, symbol: str) -> Decimal:
    """The symbol's current mark price."""
    answer = client.mark_price(symbol=symbol)
    if isinstance(answer, list):  # COIN-M answers with a list
        answer = answer[0]
    return Decimal(str(answer["markPrice"]))


def _step(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).to_integral_value(rounding=rounding) * step


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def resting(client: Client, symbol: Optional[str] = None, side: str = "BUY", distance: float = 0.02) -> Dict[str, str]:
    """``price`` and ``quantity`` of the smallest valid limit order ``distance`` away from the mark price.

    The price sits on the passive side (below the mark for a BUY), rounded to the tick size, so the
    order rests on the book; the quantity is the smallest that passes LOT_SIZE and MIN_NOTIONAL.
    """
    symbol = symbol or DEFAULT_SYMBOL[_market_of(client)]
    filters = symbol_filters(client, symbol)
    tick = Decimal(filters["PRICE_FILTER"]["tickSize"])
    factor = Decimal(1) - Decimal(str(distance)) if side == "BUY" else Decimal(1) + Decimal(str(distance))
    price = _step(mark_price(client, symbol) * factor, tick, ROUND_FLOOR if side == "BUY" else ROUND_CEILING)
    return {"price": _plain(price), "quantity": _plain(_min_quantity(filters, price, "LOT_SIZE"))}


def market_quantity(client: Client, symbol: Optional[str] = None) -> str:
    """The smallest MARKET order quantity that passes MARKET_LOT_SIZE and MIN_NOTIONAL, with some headroom."""
    symbol = symbol or DEFAULT_SYMBOL[_market_of(client)]
    filters = symbol_filters(client, symbol)
    lot = "MARKET_LOT_SIZE" if "MARKET_LOT_SIZE" in filters else "LOT_SIZE"
    return _plain(_min_quantity(filters, mark_price(client, symbol) * Decimal("0.9"), lot))


def _min_quantity(filters: Filters, price: Decimal, lot: str) -> Decimal:
    step = Decimal(filters[lot]["stepSize"])
    quantity = Decimal(filters[lot]["minQty"])
    notional = filters.get("MIN_NOTIONAL", {}).get("notional")
    if notional is not None:
        needed = _step(Decimal(str(notional)) * Decimal("1.05") / price, step, ROUND_CEILING)
        quantity = max(quantity, needed)
    return max(quantity, step)


# ---------------------------------------------------------------- showing answers


def show(result: Any, max_items: int = 5) -> None:
    """Print an answer as indented JSON, long lists cut to their first items."""
    print(json.dumps(_trim(result, max_items), indent=2, default=str))


def _trim(value: Any, max_items: int) -> Any:
    if isinstance(value, list):
        items = cast(Sequence[Any], value)
        kept = [_trim(v, max_items) for v in items[:max_items]]
        if len(items) > max_items:
            kept.append(f"... {len(items) - max_items} more")
        return kept
    if isinstance(value, dict):
        fields = cast(Mapping[str, Any], value)
        return {k: _trim(v, max_items) for k, v in fields.items()}
    return value


class Inbox:
    """Collects what a stream client receives: subscription answers apart from events.

    Pass :meth:`on_message` as the client's ``on_message``; it prints the first ``limit`` events.
    """

    def __init__(self, limit: int = 3, quiet: bool = False) -> None:
        self.limit = limit
        self.quiet = quiet
        self.answers: List[Mapping[str, Any]] = []
        self.events: List[Any] = []
        self.errors: List[str] = []
        self._cond = threading.Condition()
        self._started = time.monotonic()

    def on_message(self, _client: Any, message: Union[str, bytes]) -> None:
        """Record one text frame from the stream client."""
        try:
            data: Any = json.loads(message)
        except ValueError:
            self.errors.append(str(message[:200]))
            return
        obj: Mapping[str, Any] = {}
        if isinstance(data, dict):
            obj = cast(Mapping[str, Any], data)
        with self._cond:
            if "id" in obj and ("result" in obj or "error" in obj):
                self.answers.append(obj)
            else:
                if "stream" in obj and "data" in obj:
                    data = obj["data"]
                self.events.append(data)
                if not self.quiet and len(self.events) <= self.limit:
                    print(f"event {len(self.events)}: {_one_line(data)}")
            self._cond.notify_all()

    def wait(self, seconds: float, events: int = 1) -> bool:
        """Wait up to ``seconds`` for ``events`` events (0: for the subscription's answer). True if they came."""
        deadline = time.monotonic() + seconds
        with self._cond:
            while not self._enough(events):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def wait_subscribed(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the answer to a SUBSCRIBE. True if it came."""
        return self.wait(seconds, events=0)

    def _enough(self, events: int) -> bool:
        if events <= 0:
            return bool(self.answers) or bool(self.events)
        return len(self.events) >= events

    @property
    def ok(self) -> bool:
        """True once the server answered: a subscription answer or an event."""
        return bool(self.answers or self.events)

    def summary(self) -> str:
        """One line: how many events in how long."""
        elapsed = time.monotonic() - self._started
        failed = [a for a in self.answers if a.get("error")]
        text = f"{len(self.events)} events in {elapsed:.1f}s, {len(self.answers)} subscription answers"
        if failed:
            text += f" ({len(failed)} errors: {failed[0]['error']})"
        return text


def user_event(message: Union[str, bytes]) -> Optional[UserDataEvent]:
    """The USDⓈ-M user-data event of a stream frame; None for the server's answer to a SUBSCRIBE.

    The annotation is all it takes: the parsed dict is typed, and `event["e"] == "ORDER_TRADE_UPDATE"`
    narrows it to an `OrderTradeUpdateEvent` for the type checker.
    """
    event: UserDataEvent = json.loads(message)
    return event if "e" in event else None


def _one_line(data: Any, width: int = 150) -> str:
    text = json.dumps(data, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 3] + "..."


# ---------------------------------------------------------------- entry points


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(sys.modules["__main__"].__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run or wait (default 5)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request (keys are redacted)")
    return parser


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )


def run_rest(main: Callable[[Client], Any], market: str) -> None:
    """Run a REST example: ``main(client)`` against the sandbox or Binance, print its answer, exit."""
    args = _parser().parse_args()
    _setup_logging(args.verbose)
    with open_target(market) as target:
        client = target.rest()
        try:
            show(main(client))
        except Error as error:
            print(f"{type(error).__name__}: {error}", file=sys.stderr)
            raise SystemExit(1) from None
        finally:
            client.close()


def run_target(main: Callable[..., Any], market: str) -> None:
    """Run a stream, WebSocket API or bot example: ``main(target, seconds=...)``; exit 1 if it says it failed."""
    args = _parser().parse_args()
    _setup_logging(args.verbose)
    with open_target(market) as target:
        try:
            result = main(target, seconds=args.seconds)
        except Error as error:
            print(f"{type(error).__name__}: {error}", file=sys.stderr)
            raise SystemExit(1) from None
    if isinstance(result, Inbox):
        print(result.summary())
        if not result.ok:
            print("no answer from the stream server", file=sys.stderr)
            raise SystemExit(1)
    elif result is False:
        raise SystemExit(1)
    elif result is not None and result is not True:
        show(result)
