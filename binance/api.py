"""The REST seam: one [API][binance.api.API] object owns a `requests.Session`, signs, sends and translates errors.

Every endpoint method builds `(method, path, params, security)` and calls `API._request`
through the 4.2.0 helpers ([query][binance.api.API.query], [limit_request][binance.api.API.limit_request],
[sign_request][binance.api.API.sign_request],
[limited_encoded_sign_request][binance.api.API.limited_encoded_sign_request],
[send_request][binance.api.API.send_request]).
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Union

import requests

from binance import _answer, _transport
from binance.__version__ import __version__
from binance._algo_orders import name_algo_order_call
from binance._markets import Market
from binance._params import MAX_RECV_WINDOW as MAX_RECV_WINDOW  # kept importable from binance.api
from binance._params import check_recv_window, clean_none, encode_params, quote_signature
from binance._rate_guard import RateGuard
from binance._redact import install_redacting_filter, redact, redact_values
from binance._signing import KeyMaterial, Signer, make_signer
from binance.environments import Environment, EnvironmentLike, environment_of_rest_url, get_environment
from binance.error import (
    Error,
    IPBannedError,
    ParameterArgumentError,
    ParameterRequiredError,
    TimestampError,
    TooManyRequestsError,
    retry_after_seconds,
)
from binance.lib.utils import check_required_parameter
from binance.ratelimit import (
    DEFAULT_FUTURES_LIMITS,
    RateLimitUsage,
    parse_rate_limits,
    request_cost,
)
from binance.timesync import parse_server_time

if TYPE_CHECKING:  # binance.filters is imported on first use (validate_orders, exchange_filters)
    from binance.filters import ExchangeFilters

logger = logging.getLogger(__name__)
for _name in ("urllib3.connectionpool", "urllib3.poolmanager", "urllib3.util.retry"):
    install_redacting_filter(_name)

DEFAULT_TIMEOUT = 10
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})
_UNSET: Any = object()
_ORDER_PATHS = ("/v1/order", "/v1/order/test")
_LIMIT_HEADER_PREFIXES = ("x-mbx-used-weight", "x-mbx-order-count", "x-sapi-used")

Timeout = Union[None, float, tuple]


class API:
    """Base REST client.

    Args:
        key: API key, sent as `X-MBX-APIKEY`.
        secret: API secret for HMAC-SHA256 signing.

    Keyword Args:
        base_url: REST root, e.g. `https://fapi.binance.com` or a sandbox URL.
        timeout: a deadline in seconds for the whole call (connect, send, headers and body); default 10.
            Past it the call raises `binance.error.ReadTimeoutError` (or `ConnectTimeoutError` while still
            connecting). A `(connect, read)` tuple bounds connecting by `connect` and the whole call by
            `connect + read`. Pass `None` explicitly to wait forever (as 4.2.0 did by default).
        proxies: requests-style proxies, e.g. `{"https": "http://1.2.3.4:8080"}`.
        show_limit_usage: return `{"limit_usage": {...}, "data": ...}` with the rate-limit headers.
        show_header: return `{"header": ..., "data": ...}` with the response headers.
        private_key: PEM text, bytes or file path of an RSA or Ed25519 key; it wins over `secret`.
            Parsed once, here; a key that does not parse raises [PrivateKeyError][binance.error.PrivateKeyError].
        private_key_pass: passphrase of an encrypted `private_key` (`private_key_passphrase` is
            accepted too, as in 4.2.0's base class).
        validate_orders: check `new_order` / `new_order_test` / `modify_order` params against the
            symbol's `exchangeInfo` filters before sending (fetched once, then cached); a violation raises a
            [FilterError][binance.filters.FilterError] naming the filter and nothing is sent. PERCENT_PRICE (and a
            MARKET order's MIN_NOTIONAL) use the mark price from `premiumIndex`, MAX_NUM_ORDERS the count
            from `openOrders` (weight 1 each, fetched for each order that needs them). Off by default.
        rate_limit_guard: before each request, wait when it would pass the request-weight limit, and fail an
            order at once with [RateLimitGuardError][binance.ratelimit.RateLimitGuardError] (carrying `retry_after`)
            when it would pass an order-count limit or a 429/418 `Retry-After` is in force. Off by default.
            Usage is tracked from the response headers either way: see
            [rate_limit_usage][binance.api.API.rate_limit_usage].
        rate_limit_store: a Redis URL (`redis://host:6379/0`) to share the limits with every process and
            machine using the same store: request weight per `rate_limit_scope`, orders per account (API key,
            hashed). Implies `rate_limit_guard`; needs the `redis` extra. While Redis is unreachable the
            guard counts in this process alone (one warning) and tries the store again every few seconds.
            See docs/rate-limits.md.
        rate_limit_scope: the name of the shared request-weight budget: one per public IP address (default
            `"default"`: every process on the store shares one).
        sync_time: measure the offset to the server's clock before the first signed request, apply it to
            every timestamp, and measure it again after a -1021 rejection (the rejected request did not
            execute, so it is sent once more). Off by default, as in 4.2.0.
        session: a `requests.Session` to use instead of a new one. Its headers, auth, cookies, proxies,
            adapters and response hooks are used; redirects are never followed whatever its settings.
        environment: where to connect without knowing the URLs: `"production"` (the default),
            `"testnet"`, `"demo"`, an [Environment][binance.environments.Environment] or a started
            sandbox (`environment=sb`). An explicit `base_url` wins for REST. The resolved environment
            (also recognised from a known `base_url`) is `client.environment`; a
            [UserDataStream][binance.websocket.user_data.UserDataStream] follows it.

    Attributes:
        max_response_bytes: the cap on a decoded answer (default 32 MiB,
            `binance._transport.DEFAULT_MAX_RESPONSE_BYTES`); a larger one raises
            `binance.error.ResponseTooLargeError`. Set it on the client or a subclass to change it.
    """

    base_url = ""
    max_response_bytes: int = _transport.DEFAULT_MAX_RESPONSE_BYTES
    _market: Optional[Market] = None

    def __init__(
        self,
        key: Optional[str] = None,
        secret: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Timeout = _UNSET,
        proxies: Optional[Dict[str, str]] = None,
        show_limit_usage: bool = False,
        show_header: bool = False,
        private_key: Optional[KeyMaterial] = None,
        private_key_pass: Optional[KeyMaterial] = None,
        private_key_passphrase: Optional[KeyMaterial] = None,
        sync_time: bool = False,
        validate_orders: bool = False,
        rate_limit_guard: bool = False,
        session: Optional[requests.Session] = None,
        environment: Optional[EnvironmentLike] = None,
        rate_limit_store: Optional[str] = None,
        rate_limit_scope: Optional[str] = None,
    ) -> None:
        self.key = key
        self.secret = secret
        self.timeout: Timeout = DEFAULT_TIMEOUT if timeout is _UNSET else timeout
        self.proxies = proxies if isinstance(proxies, dict) else None
        self.show_limit_usage = show_limit_usage is True
        self.show_header = show_header is True
        self.private_key = private_key
        self.private_key_pass = private_key_pass if private_key_pass is not None else private_key_passphrase
        self._signer: Optional[Signer] = make_signer(secret, private_key, self.private_key_pass)
        self.sync_time = sync_time
        self.time_offset_ms = 0
        self._time_synced = False
        self.validate_orders = validate_orders
        self.rate_limit_guard = rate_limit_guard or rate_limit_store is not None
        market = self._market.name if self._market is not None else "rest"
        self._rate_guard = RateGuard(market, self._server_now_ms, rate_limit_store, rate_limit_scope, key)
        self.rate_limits = self._rate_guard.state
        self._limits_loaded = False
        self._filters: Optional[ExchangeFilters] = None
        self.session = session or requests.Session()
        headers = {
            "Content-Type": "application/json;charset=utf-8",
            "User-Agent": "binance-futures-connector-python/" + __version__,
        }
        if key:
            headers["X-MBX-APIKEY"] = key
        self.session.headers.update(headers)
        self.environment: Optional[Environment] = get_environment(environment) if environment is not None else None
        _transport.prepare_session(self.session)
        if base_url:
            self.base_url = base_url.rstrip("/")
        elif self._market is not None:
            env = self.environment or get_environment("production")
            self.base_url = env.rest_url(self._market.name)
        if self.environment is None and self._market is not None:
            self.environment = environment_of_rest_url(self.base_url, self._market.name)
        if session is None:
            _read_environment_once(self.session, self.base_url)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r}>"

    def close(self) -> None:
        """Close the HTTP session and its pooled connections."""
        self.session.close()

    def __enter__(self) -> "API":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def query(self, url_path: str, payload: Optional[Mapping[str, Any]] = None) -> Any:
        """Public GET (no API key, no signature)."""
        return self._request("GET", url_path, payload, signed=False)

    def limit_request(self, http_method: str, url_path: str, payload: Optional[Mapping[str, Any]] = None) -> Any:
        """Request that needs the API key but no signature (MARKET_DATA / USER_STREAM)."""
        check_required_parameter(self.key, "apiKey")
        return self._request(http_method, url_path, payload, signed=False)

    def sign_request(
        self,
        http_method: str,
        url_path: str,
        payload: Optional[Mapping[str, Any]] = None,
        special: bool = False,
    ) -> Any:
        """Signed request (TRADE / USER_DATA): `timestamp` and `signature` are appended."""
        try:
            return self._request(http_method, url_path, payload, signed=True)
        except Error as exc:
            name_algo_order_call(exc, payload)  # -4120: the new_algo_order call that places the same order
            raise

    def limited_encoded_sign_request(
        self, http_method: str, url_path: str, payload: Optional[Mapping[str, Any]] = None
    ) -> Any:
        """Signed request whose `@` stays unescaped; every signed request is sent that way here."""
        return self._request(http_method, url_path, payload, signed=True)

    def send_request(
        self,
        http_method: str,
        url_path: str,
        payload: Optional[Mapping[str, Any]] = None,
        special: bool = False,
    ) -> Any:
        """Plain request; the session still carries `X-MBX-APIKEY` when a key was given."""
        return self._request(http_method, url_path, payload, signed=False)

    def _request(
        self,
        http_method: str,
        url_path: str,
        payload: Optional[Mapping[str, Any]],
        signed: bool,
    ) -> Any:
        method = str(http_method).upper()
        if method not in HTTP_METHODS:
            raise ParameterArgumentError(f"unsupported HTTP method {http_method!r}; use GET, POST, PUT or DELETE")
        params = clean_none(payload or {})
        params.pop("signature", None)
        check_recv_window(params.get("recvWindow"))
        if self.validate_orders and method in ("POST", "PUT") and url_path.endswith(_ORDER_PATHS):
            self._validate_order(method, params)
        if signed:
            self._ensure_signer()
            if self.sync_time and not self._time_synced:
                self.synchronize_time()
            try:
                return self._send(method, url_path, params, signed=True)
            except TimestampError:
                if not self.sync_time:
                    raise
                logger.info("timestamp rejected (-1021): measuring the server clock offset again")
                self.synchronize_time()
                return self._send(method, url_path, params, signed=True)
        return self._send(method, url_path, params, signed=False)

    def _ensure_signer(self) -> None:
        if self._signer is None:
            raise ParameterRequiredError(["secret or private_key"])

    def synchronize_time(self) -> int:
        """Measure the offset between the server's clock and ours (ms) and apply it to timestamps.

        Uses the round trip of `GET .../time` (midpoint estimate). Returns the offset.
        """
        path = self._time_path()
        started = time.time() * 1000
        data = self._send("GET", path, {}, signed=False, raw=True)
        finished = time.time() * 1000
        server_time = _answer.parse_answer("time", "GET", path, parse_server_time, data)
        self.time_offset_ms = int(round(server_time - (started + finished) / 2))
        self._time_synced = True
        logger.info("server clock offset measured: %d ms", self.time_offset_ms)
        return self.time_offset_ms

    def _time_path(self) -> str:
        return (self._market.rest_prefix if self._market is not None else "/fapi") + "/v1/time"

    def _exchange_info_path(self) -> str:
        return self._time_path().replace("/time", "/exchangeInfo")

    def _fetch_exchange_info(self) -> Mapping[str, Any]:
        return self._send("GET", self._exchange_info_path(), {}, signed=False, raw=True)

    def exchange_filters(self, refresh: bool = False) -> ExchangeFilters:
        """The symbols' `exchangeInfo` filters, fetched once and cached (`refresh=True` fetches again)."""
        if self._filters is None or refresh:
            from binance.filters import ExchangeFilters

            self._limits_loaded = True
            info = self._fetch_exchange_info()
            path = self._exchange_info_path()
            parse = _answer.parse_answer
            self._filters = parse("exchangeInfo", "GET", path, ExchangeFilters.from_exchange_info, info)
            limits = parse("exchangeInfo", "GET", path, parse_rate_limits, info)
            self._rate_guard.set_limits(limits or DEFAULT_FUTURES_LIMITS)
        return self._filters

    def _validate_order(self, method: str, params: Mapping[str, Any]) -> None:
        """Static filters first (no request); then PERCENT_PRICE and a market order's MIN_NOTIONAL
        with the mark price, and, for a new order, MAX_NUM_ORDERS with the open-order count."""
        symbol, side = params.get("symbol"), params.get("side")
        order_type = str(params.get("type") or "LIMIT").upper()
        if not symbol:
            return
        from binance.filters import MARKET_TYPES

        wire = {k: v for k, v in params.items() if k not in ("symbol", "side", "type")}
        filters = self.exchange_filters().symbol(symbol)
        check = _answer.parse_answer  # malformed filter values fail as a malformed exchangeInfo answer
        check("exchangeInfo", method, self._exchange_info_path(), filters.validate_order, side, order_type, **wire)
        context: Dict[str, Any] = {}
        has_price = params.get("price") is not None and order_type not in MARKET_TYPES
        if (has_price and filters.multiplier_up is not None) or (
            order_type == "MARKET" and filters.min_notional and filters.contract_size is None
        ):
            context["mark_price"] = self._order_context(symbol, "premiumIndex", False)
        if method == "POST" and filters.max_num_orders is not None and self._signer is not None:
            context["open_orders"] = self._order_context(symbol, "openOrders", True)
        if any(value is not None for value in context.values()):
            check("exchangeInfo", method, self._exchange_info_path(), filters.validate_order, side, order_type,
                  **context, **wire)

    def _order_context(self, symbol: str, endpoint: str, signed: bool) -> Any:
        """The mark price (`premiumIndex`) or open-order count (`openOrders`) of `symbol`; None
        when it cannot be had (that check is then left to the server)."""
        path = self._time_path().replace("/time", "/" + endpoint)
        try:
            data = self._send("GET", path, {"symbol": symbol}, signed=signed, raw=True)
        except Error as exc:
            logger.warning("order check: %s unavailable, left to the server: %s", endpoint, exc)
            return None
        if endpoint == "openOrders":
            return len(data) if isinstance(data, list) else None
        entries = data if isinstance(data, list) else [data]
        for entry in entries:
            if isinstance(entry, dict) and str(entry.get("symbol", symbol)).upper() == str(symbol).upper():
                return entry.get("markPrice")
        return None

    def rate_limit_usage(self) -> List[RateLimitUsage]:
        """Used, limit and window of each known rate limit, as seen in the latest responses."""
        return self._rate_guard.snapshot()

    def _server_now_ms(self) -> int:
        """Our estimate of the server clock in ms (local time plus the measured offset): the `timestamp`
        of signed requests and the time the rate-limit windows are counted in."""
        return int(time.time() * 1000) + self.time_offset_ms

    def _guard(self, method: str, url_path: str, params: Mapping[str, Any]) -> int:
        """Wait (or refuse an order) per binance._rate_guard; return the server time it was counted at."""
        if not self._limits_loaded:
            self._limits_loaded = True
            try:
                self.exchange_filters()
            except Error as exc:
                logger.warning("could not load rate limits from exchangeInfo, using defaults: %s", exc)
        weight, orders = request_cost(method, url_path, params)
        return self._rate_guard.before(f"{method} {url_path}", weight, orders)

    def _send(
        self,
        method: str,
        url_path: str,
        params: Dict[str, Any],
        signed: bool,
        raw: bool = False,
    ) -> Any:
        sent_ms = self._guard(method, url_path, params) if self.rate_limit_guard else self._server_now_ms()
        if signed:
            params = dict(params)
            params["timestamp"] = self._server_now_ms()
            query = encode_params(params)
            assert self._signer is not None
            query += "&signature=" + quote_signature(self._signer.sign(query))
        else:
            query = encode_params(params)
        url = self.base_url + url_path + ("?" + query if query else "")
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("request %s %s", method, redact(url))
        started = time.perf_counter()
        response = _transport.send(self.session, method, url, url_path, self.timeout, self.proxies,
                                   self.max_response_bytes)
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info("%s %s %s %.1fms", method, url_path, response.status_code, elapsed_ms)
        if logger.isEnabledFor(logging.DEBUG):
            # a server echoing the request back must not put the key in our log
            preview = redact_values(response.content[:2000].decode("utf-8", "replace"), self.key)
            logger.debug("response %s %s: %s", response.status_code, url_path, preview)
        self._after_response(response, sent_ms)
        data = _answer.answer(response, method, url_path)
        if raw:
            return data
        return self._shape_result(response, data)

    def _after_response(self, response: requests.Response, sent_ms: int) -> None:
        retry_after = None
        if response.status_code in (418, 429):
            error = IPBannedError if response.status_code == 418 else TooManyRequestsError
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), error.default_retry_after)
        self._rate_guard.after(response.headers, sent_ms, retry_after)

    def _shape_result(self, response: requests.Response, data: Any) -> Any:
        result: Dict[str, Any] = {}
        if self.show_limit_usage:
            result["limit_usage"] = {
                k.lower(): v for k, v in response.headers.items() if k.lower().startswith(_LIMIT_HEADER_PREFIXES)
            }
        if self.show_header:
            result["header"] = response.headers
        if result:
            result["data"] = data
            return result
        return data


def _read_environment_once(session: requests.Session, base_url: str) -> None:
    """Apply the environment's proxy, CA-bundle and netrc settings for `base_url` to `session` now.

    requests re-reads the whole environment on every request while `trust_env` is on (about a
    quarter of a localhost call's CPU time); a client talks to one host, so it is read once, here,
    with the same precedence (explicit `proxies` still win). Later changes to the environment are
    not seen by this client.
    """
    if not base_url.startswith(("http://", "https://")):
        return
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    if session.auth is None:
        session.auth = requests.utils.get_netrc_auth(base_url)
    session.trust_env = False

