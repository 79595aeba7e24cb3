"""Every REST answer of the sandbox, both markets, against the official SDK's response models.

The official modular SDK (``binance-sdk-derivatives-trading-usds-futures`` 18.1.0, ``...-coin-futures``
14.1.0, test-only dependencies in the dev extra) carries pydantic models generated from Binance's own API
definitions. Each endpoint is called through the real client (the calls of the every-endpoint sandbox test)
and its answer is compared strictly with the model of the same method and path (see ``sdk_schema``): a JSON
integer where an integer is documented (``5``, never ``5.0``), a string where a string is, every documented
field present and no other field. What Binance documents as conditional is listed in ``ALLOW`` below.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Tuple

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("binance_sdk_derivatives_trading_usds_futures")
pytest.importorskip("binance_sdk_derivatives_trading_coin_futures")

import sdk_schema  # noqa: E402
import test_rest_every_endpoint_sandbox as every  # noqa: E402

from binance.error import ClientError  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402

ALLOW = sdk_schema.Allowances(
    optional=frozenset(
        {
            # only for TRAILING_STOP_MARKET orders
            "*.activatePrice",
            "*.priceRate",
            # echoed only when the amendment had one
            "*.modifyId",
            # a batch item is either an order or an error
            "PlaceMultipleOrdersResponseInner.code",
            "PlaceMultipleOrdersResponseInner.msg",
            "ModifyMultipleOrdersResponseInner.code",
            "ModifyMultipleOrdersResponseInner.msg",
            "CancelMultipleOrdersResponseInner.code",
            "CancelMultipleOrdersResponseInner.msg",
            # one model for every filter type; each filter has its own fields
            "ExchangeInformationResponseSymbolsInnerFiltersInner.*",
            # BOTH in one-way mode, HEDGE in hedge mode
            "PositionAdlQuantileEstimationResponseInnerAdlQuantile.BOTH",
            "PositionAdlQuantileEstimationResponseInnerAdlQuantile.HEDGE",
            # one entry per market type that has a schedule
            "TradingScheduleResponseMarketSchedules.*",
            # user-data events: leverage (ac) or multi-assets mode (ai) changed
            "AccountConfigUpdate.ac",
            "AccountConfigUpdate.ai",
            # the symbol of a FUNDING_FEE balance update
            "AccountUpdateA.S",
            # trailing stops only; M only for an amendment that had a modifyId
            "OrderTradeUpdateO.AP",
            "OrderTradeUpdateO.cr",
            "OrderTradeUpdateO.M",
            # only once the algo order triggered and its order is in the matching engine; trailing only
            "AlgoUpdateO.act",
            "AlgoUpdateO.ap",
            "AlgoUpdateO.aq",
            "AlgoUpdateO.ia",
        }
    ),
    # documented examples show null
    nullable=frozenset({"icebergQuantity", "isExpired"}),
    # keyed by symbol (and ACCOUNT): the model's field names are example keys
    maps=frozenset({"FuturesTradingQuantitativeRulesIndicatorsResponseIndicators"}),
)
# Binance documents klines as arrays; the SDK models them without item fields.
KLINE_ROW = (int, str, str, str, str, str, int, str, int, str, str, str)
# Endpoints whose documented answer is an empty object (the SDK has no response model for them).
EMPTY_OBJECT = {
    ("GET", "/fapi/v1/ping"),
    ("GET", "/dapi/v1/ping"),
    ("DELETE", "/fapi/v1/listenKey"),
    ("DELETE", "/dapi/v1/listenKey"),
}
# Not in the SDK at all (4.2.0's retired BLVT klines).
NOT_IN_SDK = {("GET", "/fapi/v1/lvtKlines")}

Key = Tuple[str, str, str]


def _key(market: str, entry: dict) -> Key:
    return (market, entry["http_method"], entry["path"])


def _seed(ctx: Any) -> None:
    """Give the histories something to show: fills, commissions and PnL, an isolated-margin change."""
    ctx.c.new_order(ctx.symbol, "BUY", "MARKET", quantity=ctx.qty)
    ctx.c.new_order(ctx.symbol, "SELL", "MARKET", quantity=ctx.qty)
    every._isolated_margin(ctx)


def _liquidate(sb: Any, ctx: Any) -> None:
    """Give forceOrders a liquidation: an isolated long whose mark price falls through its margin."""
    symbol = every.OTHER_SYMBOL[ctx.m]
    engine = sb.exchange.market(ctx.m)
    ctx.c.change_margin_type(symbol, "ISOLATED")
    ctx.c.change_leverage(symbol, 20)
    ctx.c.new_order(symbol, "BUY", "MARKET", quantity="0.05" if ctx.m == "um" else "1")
    with sb.exchange.lock:
        mark = engine.states[symbol].mark
        engine.set_mark_price(symbol, mark * Decimal("0.93"))  # 7% down at 20x: liquidated
        assert engine.accounts[sb.api_key].position(symbol, "BOTH").amt == 0
        engine.set_mark_price(symbol, mark)
    ctx.c.change_margin_type(symbol, "CROSSED")


def _with_position(ctx: Any, call: Any) -> Any:
    """``call`` while the account holds a position (the every-endpoint calls leave it flat)."""
    ctx.c.new_order(ctx.symbol, "BUY", "MARKET", quantity=ctx.qty)
    try:
        return call(ctx)
    finally:
        ctx.c.new_order(ctx.symbol, "SELL", "MARKET", quantity=ctx.qty, reduceOnly="true")


def _with_algo_order(ctx: Any, call: Any) -> Any:
    """``call`` while a conditional order rests (far from the market)."""
    placed = ctx.c.new_algo_order(
        "CONDITIONAL", ctx.symbol, "BUY", "STOP_MARKET", quantity=ctx.qty, triggerPrice="90000"
    )
    try:
        return call(ctx)
    finally:
        ctx.c.cancel_algo_order(algoId=placed["algoId"])


def _case(market: str, entry: dict) -> Any:
    """The every-endpoint call, in a state where the answer has something in it."""
    call = every._case(market, entry)
    path = entry["path"]
    if path.endswith(("/adlQuantile", "/v3/positionRisk")):
        return lambda ctx: _with_position(ctx, call)
    if path.endswith("/openAlgoOrders"):
        return lambda ctx: _with_algo_order(ctx, call)
    if path.endswith("/positionMargin/history"):  # the seed changed the other symbol's isolated margin
        method = entry["legacy_name"] or entry["name"]
        return lambda ctx: getattr(ctx.c, method)(every.OTHER_SYMBOL[ctx.m])
    return call


@pytest.fixture(scope="module")
def answers() -> Dict[Key, Any]:
    """Every endpoint's answer (or the ClientError it raised), called once against one sandbox."""
    limits = RateLimits(weight_per_minute=10**9, orders_per_10s=10**6, orders_per_minute=10**6)
    out: Dict[Key, Any] = {}
    with Sandbox(seed=11, tick_interval=None, limits=limits) as sb:
        clients = {
            "um": every.UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url),
            "cm": every.CMFutures(sb.api_key, sb.api_secret, base_url=sb.cm_rest_url),
        }
        for market in ("um", "cm"):
            _seed(every.Ctx(market, clients[market]))
            _liquidate(sb, every.Ctx(market, clients[market]))
        for market, entry in every.ENTRIES:
            ctx = every.Ctx(market, clients[market])
            try:
                out[_key(market, entry)] = _case(market, entry)(ctx)
            except ClientError as exc:
                out[_key(market, entry)] = exc
    return out


@pytest.fixture(scope="module")
def models() -> Dict[str, Dict[Tuple[str, str], type]]:
    return {m: sdk_schema.rest_response_models(m) for m in ("um", "cm")}


def _kline_problems(rows: Any) -> List[str]:
    if not isinstance(rows, list) or not rows:
        return ["$: %r where a non-empty list of klines is expected" % (rows,)]
    problems = []
    for i, row in enumerate(rows):
        types = tuple(type(v) for v in row) if isinstance(row, list) else None
        if types != KLINE_ROW:
            problems.append("$[%d]: %r does not match the documented kline columns" % (i, row))
    return problems


def validate(
    market: str, entry: dict, answer: Any, models: Dict[str, Dict[Tuple[str, str], type]]
) -> Tuple[str, List[str]]:
    """(outcome, problems): outcome is "validated", "empty" or "no model"."""
    where = (entry["http_method"], entry["path"])
    if isinstance(answer, ClientError):
        return "error", ["%s %s -> %s" % (where[0], where[1], answer)]
    if where in NOT_IN_SDK:
        return "no model", []
    if where in EMPTY_OBJECT:
        return ("validated", []) if answer == {} else ("validated", ["$: %r where {} is documented" % (answer,)])
    model = models[market].get(where)
    if model is None:
        return "no model", ["the SDK documents no answer for %s %s" % where]
    if "Kline" in model.__name__:
        return "validated", _kline_problems(answer)
    report = sdk_schema.check(answer, model, allow=ALLOW)
    if report.unschemed:
        return "no model", report.problems + report.unschemed
    return ("validated" if report.objects else "empty"), report.problems


@pytest.mark.parametrize(
    "market, entry", every.ENTRIES, ids=["%s %s %s" % (m, e["http_method"], e["path"]) for m, e in every.ENTRIES]
)
def test_answer_matches_the_official_sdk_model(answers, models, market, entry):
    outcome, problems = validate(market, entry, answers[_key(market, entry)], models)
    assert problems == []
    where = (entry["http_method"], entry["path"])
    assert outcome != "empty", "the answer had no object to compare: seed the sandbox for it"
    if outcome == "no model":
        assert where in NOT_IN_SDK


def test_count_of_validated_endpoints(answers, models):
    outcomes = {
        key: validate(key[0], {"http_method": key[1], "path": key[2]}, a, models)[0] for key, a in answers.items()
    }
    validated = sorted(k for k, o in outcomes.items() if o == "validated")
    total = len(outcomes)
    print("\nREST answers validated against the official SDK models: %d / %d" % (len(validated), total))
    assert total == len(every.ENTRIES)
    assert len(validated) == total - len(NOT_IN_SDK)


def test_the_check_is_strict():
    """The checker itself: a float for an integer, a number for a string, a missing or extra field all fail."""
    model = sdk_schema.package("cm", "rest_api.models").NotionalBracketForPairResponse
    good = [
        {
            "pair": "BTCUSD",
            "brackets": [
                {"bracket": 1, "initialLeverage": 125, "qtyCap": 5, "qtylFloor": 0, "maintMarginRatio": 0.004, "cum": 0}
            ],
        }
    ]
    assert sdk_schema.check(good, model).problems == []
    as_float = [{**good[0], "brackets": [{**good[0]["brackets"][0], "qtyCap": 5.0}]}]
    assert sdk_schema.check(as_float, model).problems == [
        "$[0].brackets[0].qtyCap: 5.0 (float) where int is documented"
    ]
    as_number = [{**good[0], "pair": 1}]
    assert sdk_schema.check(as_number, model).problems == ["$[0].pair: 1 (int) where str is documented"]
    missing = [{"brackets": good[0]["brackets"]}]
    assert sdk_schema.check(missing, model).problems == [
        "$[0].pair: documented by NotionalBracketForPairResponseInner but missing"
    ]
    extra = [{**good[0], "markPrice": "1"}]
    assert sdk_schema.check(extra, model).problems == [
        "$[0].markPrice: field not documented by NotionalBracketForPairResponseInner"
    ]


@pytest.mark.parametrize("market", ["um", "cm"])
def test_an_amendment_with_a_modify_id_echoes_it(market, models):
    """`modifyId` is documented in the amendment answer; it is sent back when the request had one."""
    with Sandbox(seed=17, tick_interval=None) as sb:
        client_class = every.UMFutures if market == "um" else every.CMFutures
        base_url = sb.um_rest_url if market == "um" else sb.cm_rest_url
        ctx = every.Ctx(market, client_class(sb.api_key, sb.api_secret, base_url=base_url))
        order = ctx.rest()
        modified = ctx.c.modify_order(
            ctx.symbol, "BUY", orderId=order["orderId"], quantity=ctx.qty, price="63100", modifyId=77
        )
        batch = ctx.c.modify_batch_order(
            [
                {
                    "symbol": ctx.symbol,
                    "orderId": order["orderId"],
                    "side": "BUY",
                    "quantity": ctx.qty,
                    "price": "63200",
                    "modifyId": 78,
                }
            ]
        )
    assert modified["modifyId"] == 77 and batch[0]["modifyId"] == 78
    prefix = "/fapi" if market == "um" else "/dapi"
    assert sdk_schema.check(modified, models[market][("PUT", prefix + "/v1/order")]).problems == []
    assert sdk_schema.check(batch, models[market][("PUT", prefix + "/v1/batchOrders")], allow=ALLOW).problems == []


def test_time_in_force_lists_follow_each_market(answers):
    """The models type `timeInForce` as strings only: COIN-M has no GTD (GTC, IOC, FOK, GTX)."""
    um = answers[("um", "GET", "/fapi/v1/exchangeInfo")]["symbols"]
    cm = answers[("cm", "GET", "/dapi/v1/exchangeInfo")]["symbols"]
    assert all(s["timeInForce"] == ["GTC", "IOC", "FOK", "GTX"] for s in cm)
    assert all("GTD" in s["timeInForce"] for s in um)
