from decimal import ROUND_CEILING, ROUND_HALF_UP, ROUND_UP, Decimal

import pytest

from binance.error import ParameterArgumentError
from binance.filters import (
    ExchangeFilters,
    FilterError,
    LotSizeError,
    MarketLotSizeError,
    MaxNumAlgoOrdersError,
    MaxNumOrdersError,
    MinNotionalError,
    PercentPriceError,
    PriceFilterError,
    UnknownSymbolError,
    format_decimal,
)

UM_INFO = {
    "timezone": "UTC",
    "rateLimits": [],
    "symbols": [
        {
            "symbol": "BTCUSDT",
            "pair": "BTCUSDT",
            "contractType": "PERPETUAL",
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": "556.80", "maxPrice": "4529764", "tickSize": "0.10"},
                {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
                {"filterType": "MARKET_LOT_SIZE", "minQty": "0.001", "maxQty": "120", "stepSize": "0.001"},
                {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
                {"filterType": "MIN_NOTIONAL", "notional": "100"},
                {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
                 "multiplierDecimal": "4"},
            ],
        },
        {
            "symbol": "DOGEUSDT",
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": "0", "maxPrice": "0", "tickSize": "0.000010"},
                {"filterType": "LOT_SIZE", "minQty": "1", "maxQty": "50000000", "stepSize": "1"},
            ],
        },
    ],
}

CM_INFO = {
    "symbols": [
        {
            "symbol": "BTCUSD_PERP",
            "pair": "BTCUSD",
            "contractSize": 100,
            "marginAsset": "BTC",
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": "1000", "maxPrice": "4520958", "tickSize": "0.1"},
                {"filterType": "LOT_SIZE", "minQty": "1", "maxQty": "1000000", "stepSize": "1"},
                {"filterType": "MARKET_LOT_SIZE", "minQty": "1", "maxQty": "60000", "stepSize": "1"},
                {"filterType": "MIN_NOTIONAL", "notional": "200"},
            ],
        }
    ]
}

UM = ExchangeFilters.from_exchange_info(UM_INFO)
CM = ExchangeFilters.from_exchange_info(CM_INFO)


def limit(**kw):
    params = {"quantity": "0.010", "price": "30000.0", "timeInForce": "GTC"}
    params.update(kw)
    return params


def test_valid_orders_pass():
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", mark_price="30000", open_orders=199, **limit())
    UM.validate_order("btcusdt", "SELL", "MARKET", quantity="0.004", mark_price="30000")
    UM.validate_order("BTCUSDT", "SELL", "STOP_MARKET", stopPrice="29000.5", closePosition="true", open_algo_orders=9)
    UM.validate_order("DOGEUSDT", "BUY", "LIMIT", quantity=10, price="0.07312")
    CM.validate_order("BTCUSD_PERP", "BUY", "LIMIT", quantity=2, price="30000.1")


def test_filter_errors_are_parameter_argument_errors():
    assert issubclass(FilterError, ParameterArgumentError)
    assert issubclass(FilterError, ValueError)
    assert issubclass(MarketLotSizeError, LotSizeError)


@pytest.mark.parametrize(
    "params, rule, code",
    [
        ({"price": "556.70"}, "min", -1013),
        ({"price": "4529764.1"}, "max", -1013),
        ({"price": "30000.05"}, "tick", -4014),
        ({"price": "30000.001"}, "precision", -1111),
        ({"price": "-1"}, "min", -4001),
    ],
)
def test_price_filter(params, rule, code):
    with pytest.raises(PriceFilterError) as info:
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(**params))
    err = info.value
    assert (err.filter_type, err.parameter, err.rule, err.binance_code) == ("PRICE_FILTER", "price", rule, code)
    assert err.allowed == {"minPrice": "556.8", "maxPrice": "4529764", "tickSize": "0.1"}
    assert "PRICE_FILTER" in str(err) and "tickSize=0.1" in str(err) and "BTCUSDT" in str(err)


def test_price_filter_applies_to_stop_price_and_zero_bounds_disable():
    with pytest.raises(PriceFilterError) as info:
        UM.validate_order("BTCUSDT", "SELL", "STOP", stopPrice="29000.01", **limit())
    assert info.value.parameter == "stopPrice"
    UM.validate_order("DOGEUSDT", "BUY", "LIMIT", quantity=1, price="999999")
    with pytest.raises(PriceFilterError):
        UM.validate_order("DOGEUSDT", "BUY", "LIMIT", quantity=1, price="0.0731201")


@pytest.mark.parametrize(
    "qty, rule, code",
    [("0.0009", "precision", -1111), ("1000.001", "max", -1013), ("0", "min", -4003)],
)
def test_lot_size(qty, rule, code):
    with pytest.raises(LotSizeError) as info:
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(quantity=qty, price="4000000"))
    err = info.value
    assert type(err) is LotSizeError
    assert (err.filter_type, err.rule, err.binance_code) == ("LOT_SIZE", rule, code)
    assert err.allowed == {"minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"}


def test_lot_size_step_and_minimum_when_step_is_not_a_power_of_ten():
    filters = ExchangeFilters.from_exchange_info({"symbols": [{"symbol": "XUSDT", "filters": [
        {"filterType": "LOT_SIZE", "minQty": "0.5", "maxQty": "100", "stepSize": "0.5"}]}]})
    filters.validate_order("XUSDT", "BUY", "MARKET", quantity="2.5")
    with pytest.raises(LotSizeError) as info:
        filters.validate_order("XUSDT", "BUY", "MARKET", quantity="2.7")
    assert (info.value.rule, info.value.binance_code) == ("step", -4023)
    with pytest.raises(LotSizeError) as info:
        filters.validate_order("XUSDT", "BUY", "MARKET", quantity="0.4")
    assert (info.value.rule, info.value.binance_code) == ("min", -1013)
    assert filters.round_quantity("XUSDT", "2.7") == "2.5"


def test_market_lot_size_applies_to_market_orders():
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(quantity="500"))
    with pytest.raises(MarketLotSizeError) as info:
        UM.validate_order("BTCUSDT", "BUY", "MARKET", quantity="500")
    assert info.value.filter_type == "MARKET_LOT_SIZE"
    assert info.value.allowed["maxQty"] == "120"
    with pytest.raises(MarketLotSizeError):
        UM.validate_order("BTCUSDT", "SELL", "STOP_MARKET", quantity="121", stopPrice="29000")


def test_min_notional_um():
    with pytest.raises(MinNotionalError) as info:
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(quantity="0.003"))
    assert info.value.binance_code == -4164
    assert info.value.allowed == {"notional": "100"}
    assert "90" in str(info.value)
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", reduceOnly="true", **limit(quantity="0.003"))
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", reduceOnly=True, **limit(quantity="0.003"))
    with pytest.raises(MinNotionalError):
        UM.validate_order("BTCUSDT", "BUY", "MARKET", quantity="0.003", mark_price="30000")
    UM.validate_order("BTCUSDT", "BUY", "MARKET", quantity="0.003")


def test_min_notional_cm_uses_contract_size():
    assert CM.symbol("BTCUSD_PERP").notional(3) == Decimal(300)
    CM.validate_order("BTCUSD_PERP", "BUY", "MARKET", quantity=2)
    with pytest.raises(MinNotionalError) as info:
        CM.validate_order("BTCUSD_PERP", "BUY", "LIMIT", quantity=1, price="30000")
    assert info.value.allowed == {"notional": "200", "contractSize": "100"}


def test_percent_price_is_side_specific():
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", mark_price="30000", **limit(price="31500.0"))
    with pytest.raises(PercentPriceError) as info:
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", mark_price="30000", **limit(price="31500.1"))
    assert (info.value.rule, info.value.binance_code) == ("up", -4016)
    assert info.value.allowed["multiplierUp"] == "1.05"
    UM.validate_order("BTCUSDT", "SELL", "LIMIT", mark_price="30000", **limit(price="40000.0"))
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", mark_price="30000", **limit(price="20000.0"))
    with pytest.raises(PercentPriceError) as info:
        UM.validate_order("BTCUSDT", "SELL", "LIMIT", mark_price="30000", **limit(price="28499.9"))
    assert (info.value.rule, info.value.binance_code) == ("down", -4024)
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(price="90000.0"))


def test_max_num_orders_and_algo_orders():
    with pytest.raises(MaxNumOrdersError) as info:
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", open_orders=200, **limit())
    assert info.value.allowed == {"limit": 200} and info.value.binance_code == -2025
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", open_algo_orders=10, **limit())
    with pytest.raises(MaxNumAlgoOrdersError):
        UM.validate_order("BTCUSDT", "BUY", "STOP", open_algo_orders=10, stopPrice="30000", **limit())


def test_unknown_symbol_and_bad_values():
    with pytest.raises(UnknownSymbolError) as info:
        UM.validate_order("ETHUSDT", "BUY", "LIMIT", **limit())
    assert isinstance(info.value, ParameterArgumentError) and info.value.binance_code == -1121
    with pytest.raises(ParameterArgumentError):
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(price="abc"))
    with pytest.raises(ParameterArgumentError):
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(price=True))
    assert "BTCUSDT" in UM and "ETHUSDT" not in UM
    assert UM.symbols == ["BTCUSDT", "DOGEUSDT"]


def test_round_price_to_tick():
    assert UM.round_price("BTCUSDT", "30000.19") == "30000.1"
    assert UM.round_price("BTCUSDT", "30000.11", ROUND_UP) == "30000.2"
    assert UM.round_price("BTCUSDT", "30000.15", ROUND_HALF_UP) == "30000.2"
    assert UM.round_price("BTCUSDT", 30000) == "30000"
    assert UM.round_price("BTCUSDT", 0.7 * 10**5) == "70000"
    assert UM.round_price("DOGEUSDT", "0.0731299") == "0.07312"
    assert UM.round_price("DOGEUSDT", Decimal("1E+2")) == "100"
    with pytest.raises(ParameterArgumentError):
        UM.round_price("BTCUSDT", "1", "nearest")


def test_round_quantity_to_step():
    assert UM.round_quantity("BTCUSDT", "0.0129") == "0.012"
    assert UM.round_quantity("BTCUSDT", 0.0121, ROUND_CEILING) == "0.013"
    assert UM.round_quantity("BTCUSDT", "1E-7") == "0"
    assert UM.round_quantity("DOGEUSDT", "12.9") == "12"
    assert CM.round_quantity("BTCUSD_PERP", "7.5", order_type="MARKET") == "7"
    rounded = UM.round_quantity("BTCUSDT", "0.0129")
    UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(quantity=rounded, price=UM.round_price("BTCUSDT", "9000.05")))


def test_rounded_values_pass_the_filters_they_round_to():
    for raw in ("556.83", "1234.5678", "30000.0999", "4529763.99"):
        UM.validate_order("BTCUSDT", "BUY", "LIMIT", **limit(price=UM.round_price("BTCUSDT", raw), quantity="1"))


def test_format_decimal_has_no_exponent():
    assert format_decimal(Decimal("1E+3")) == "1000"
    assert format_decimal(Decimal("0.00000010")) == "0.0000001"
    assert format_decimal(Decimal("0E-8")) == "0"


def test_sandbox_rejects_the_same_orders_with_the_same_codes():
    engine = pytest.importorskip("binance.sandbox.engine")
    from binance.sandbox.handlers import dispatch

    exchange = engine.Exchange(seed=3)
    exchange.um.create_account("filters-test")
    info = exchange.um.exchange_info()
    filters = ExchangeFilters.from_exchange_info(info)
    mark = Decimal(dispatch(exchange, "um", "GET", "/fapi/v1/premiumIndex", None, {"symbol": "BTCUSDT"})["markPrice"])
    below = filters.round_price("BTCUSDT", mark * Decimal("0.97"))
    sym = filters.symbol("BTCUSDT")
    cases = [
        {"type": "LIMIT", "side": "BUY", "quantity": "0.010", "price": str(Decimal(below) + Decimal("0.05"))},
        {"type": "LIMIT", "side": "BUY", "quantity": "0.010", "price": format_decimal(sym.price.minimum - 1)},
        {"type": "LIMIT", "side": "SELL", "quantity": "0.010", "price": format_decimal(sym.price.maximum + 1)},
        {"type": "LIMIT", "side": "BUY", "quantity": "0.0101", "price": below},
        {"type": "LIMIT", "side": "BUY", "quantity": "0", "price": below},
        {"type": "LIMIT", "side": "BUY", "quantity": format_decimal(sym.lot_size.maximum + 1), "price": below},
        {"type": "MARKET", "side": "BUY", "quantity": format_decimal(sym.market_lot_size.maximum + 1)},
        {"type": "LIMIT", "side": "BUY", "quantity": "0.001", "price": below},
        {"type": "LIMIT", "side": "BUY", "quantity": "0.010", "price": filters.round_price("BTCUSDT", mark * 2)},
        {"type": "LIMIT", "side": "SELL", "quantity": "0.010", "price": filters.round_price("BTCUSDT", mark / 2)},
    ]
    for params in cases:
        if params["type"] == "LIMIT":
            params["timeInForce"] = "GTC"
        with pytest.raises(FilterError) as info:
            filters.validate_order("BTCUSDT", mark_price=mark, **params)
        with pytest.raises(engine.EngineError) as rejected:
            dispatch(exchange, "um", "POST", "/fapi/v1/order", "filters-test", dict(params, symbol="BTCUSDT"))
        assert info.value.binance_code == rejected.value.code, (params, str(info.value), rejected.value.msg)
