"""Fills through the engine checked against balances, positions, PnL, commissions and user-data events
computed by hand (UM linear and COIN-M inverse contracts, one-way and hedge mode)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance.sandbox.engine import EngineError, Exchange
from binance.sandbox.handlers import dispatch

T0 = 1_800_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


@pytest.fixture()
def ex() -> Exchange:
    exchange = Exchange(seed=11, clock=Clock())
    for key in ("A", "B"):
        exchange.create_account(key)
    return exchange


def events_of(ex: Exchange, market: str) -> list:
    got: list = []
    ex.market(market).add_listener(lambda ch, key, payload: got.append((key, payload)) if ch == "user" else None)
    return got


def um(ex: Exchange, method: str, path: str, key: str, **params: str):
    return dispatch(ex, "um", method, "/fapi/v1/" + path if not path.startswith("/") else path, key, params)


def cm(ex: Exchange, method: str, path: str, key: str, **params: str):
    return dispatch(ex, "cm", method, "/dapi/v1/" + path if not path.startswith("/") else path, key, params)


def position(ex: Exchange, market: str, key: str, symbol: str, side: str = "BOTH") -> dict:
    path = "/fapi/v2/positionRisk" if market == "um" else "/dapi/v1/positionRisk"
    rows = dispatch(ex, market, "GET", path, key, {"symbol": symbol})
    return next(r for r in rows if r["positionSide"] == side)


def wallet(ex: Exchange, market: str, key: str, asset: str) -> D:
    path = "/fapi/v2/balance" if market == "um" else "/dapi/v1/balance"
    rows = dispatch(ex, market, "GET", path, key, {})
    return D(next(r for r in rows if r["asset"] == asset)["balance"])


def test_um_fills_positions_pnl_commissions_and_events(ex: Exchange) -> None:
    m = ex.um
    m.reset_book("BTCUSDT")
    m.set_mark_price("BTCUSDT", "60000")
    got = events_of(ex, "um")

    um(ex, "POST", "order", "A", symbol="BTCUSDT", side="SELL", type="LIMIT", timeInForce="GTC",
       quantity="0.5", price="60000", newClientOrderId="a-sell")
    res = um(ex, "POST", "order", "B", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.2",
             newOrderRespType="RESULT")
    assert res["status"] == "FILLED" and res["executedQty"] == "0.200" and res["avgPrice"] == "60000.00000"
    # taker 0.2 * 60000 * 0.0005 = 6; maker 0.2 * 60000 * 0.0002 = 2.4
    assert wallet(ex, "um", "B", "USDT") == D("99994")
    assert wallet(ex, "um", "A", "USDT") == D("99997.6")
    pb = position(ex, "um", "B", "BTCUSDT")
    assert (pb["positionAmt"], pb["entryPrice"]) == ("0.200", "60000")
    pa = position(ex, "um", "A", "BTCUSDT")
    assert (pa["positionAmt"], pa["entryPrice"]) == ("-0.200", "60000")

    b_events = [p for k, p in got if k == "B"]
    assert [e["e"] for e in b_events] == ["ORDER_TRADE_UPDATE", "TRADE_LITE", "ORDER_TRADE_UPDATE",
                                          "ACCOUNT_UPDATE"]
    new, lite, trade, acct = b_events
    assert (new["o"]["x"], new["o"]["X"]) == ("NEW", "NEW")
    assert trade["o"]["x"] == "TRADE" and trade["o"]["X"] == "FILLED"
    assert (trade["o"]["l"], trade["o"]["L"], trade["o"]["n"], trade["o"]["N"]) == ("0.200", "60000", "6.00000000",
                                                                                   "USDT")
    assert trade["o"]["m"] is False and trade["o"]["i"] == res["orderId"] and trade["o"]["t"] == lite["t"]
    assert (lite["l"], lite["L"], lite["S"], lite["m"]) == ("0.200", "60000", "BUY", False)
    assert acct["a"]["m"] == "ORDER"
    assert acct["a"]["B"] == [{"a": "USDT", "wb": "99994.00000000", "cw": "99994.00000000", "bc": "0"}]
    assert acct["a"]["P"][0]["pa"] == "0.200" and acct["a"]["P"][0]["ep"] == "60000"
    a_trade = [p for k, p in got if k == "A" and p["e"] == "ORDER_TRADE_UPDATE"][-1]
    assert a_trade["o"]["m"] is True and a_trade["o"]["X"] == "PARTIALLY_FILLED" and a_trade["o"]["c"] == "a-sell"
    assert a_trade["o"]["n"] == "2.40000000"

    # B sells 0.1 into A's bid at 59000: B realizes 0.1 * (59000 - 60000) = -100, A realizes +100
    um(ex, "POST", "order", "A", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
       quantity="0.1", price="59000")
    um(ex, "POST", "order", "B", symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.1")
    assert wallet(ex, "um", "B", "USDT") == D("99994") - 100 - D("2.95")
    assert wallet(ex, "um", "A", "USDT") == D("99997.6") + 100 - D("1.18")
    trade = [p for k, p in got if k == "B" and p["e"] == "ORDER_TRADE_UPDATE"][-1]
    assert trade["o"]["rp"] == "-100.00000000"

    m.set_mark_price("BTCUSDT", "61000")
    pb = position(ex, "um", "B", "BTCUSDT")
    assert pb["unRealizedProfit"] == "100.00000000" and pb["positionAmt"] == "0.100"
    assert position(ex, "um", "A", "BTCUSDT")["unRealizedProfit"] == "-100.00000000"

    canceled = um(ex, "DELETE", "order", "A", symbol="BTCUSDT", origClientOrderId="a-sell")
    assert (canceled["status"], canceled["executedQty"], canceled["origQty"]) == ("CANCELED", "0.200", "0.500")
    # weighted average entry: 0.1 @ 60000 + 0.3 @ 62000 -> 61500
    um(ex, "POST", "order", "A", symbol="BTCUSDT", side="SELL", type="LIMIT", timeInForce="GTC",
       quantity="0.3", price="62000")
    um(ex, "POST", "order", "B", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="IOC",
       quantity="0.3", price="62000")
    pb = position(ex, "um", "B", "BTCUSDT")
    assert (pb["positionAmt"], pb["entryPrice"]) == ("0.400", "61500")
    assert pb["unRealizedProfit"] == "-200.00000000"

    incomes = um(ex, "GET", "income", "B")
    kinds = [r["incomeType"] for r in incomes]
    assert kinds.count("COMMISSION") == 3 and kinds.count("REALIZED_PNL") == 1 and "TRANSFER" in kinds
    assert next(r for r in incomes if r["incomeType"] == "REALIZED_PNL")["income"] == "-100.00000000"
    trades = um(ex, "GET", "userTrades", "B", symbol="BTCUSDT")
    assert [(t["side"], t["qty"], t["price"], t["maker"]) for t in trades] == [
        ("BUY", "0.200", "60000", False), ("SELL", "0.100", "59000", False), ("BUY", "0.300", "62000", False)]
    assert trades[1]["realizedPnl"] == "-100.00000000" and trades[1]["commission"] == "2.95000000"


def test_um_account_figures_agree_with_positions(ex: Exchange) -> None:
    m = ex.um
    m.reset_book("ETHUSDT")
    m.set_mark_price("ETHUSDT", "3000")
    um(ex, "POST", "leverage", "B", symbol="ETHUSDT", leverage="10")
    m.add_liquidity("ETHUSDT", "SELL", "3000", "10")
    um(ex, "POST", "order", "B", symbol="ETHUSDT", side="BUY", type="MARKET", quantity="2")
    m.set_mark_price("ETHUSDT", "3100")
    acct = dispatch(ex, "um", "GET", "/fapi/v2/account", "B", {})
    fee = D("2") * 3000 * D("0.0005")
    assert D(acct["totalWalletBalance"]) == D("100000") - fee
    assert D(acct["totalUnrealizedProfit"]) == D("200")
    assert D(acct["totalPositionInitialMargin"]) == D("2") * 3100 / 10
    assert D(acct["availableBalance"]) == D("100000") - fee + 200 - D("620")
    eth = next(p for p in acct["positions"] if p["symbol"] == "ETHUSDT")
    assert eth["leverage"] == "10" and eth["positionAmt"] == "2.000"


def test_um_reduce_only_close_caps_at_position_and_rejects_increase(ex: Exchange) -> None:
    m = ex.um
    m.reset_book("BTCUSDT")
    m.set_mark_price("BTCUSDT", "60000")
    m.add_liquidity("BTCUSDT", "SELL", "60000", "1")
    m.add_liquidity("BTCUSDT", "BUY", "59900", "1")
    um(ex, "POST", "order", "B", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.2")
    with pytest.raises(EngineError) as err:
        um(ex, "POST", "order", "B", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.1", reduceOnly="true")
    assert (err.value.code, err.value.msg) == (-2022, "ReduceOnly Order is rejected.")
    res = um(ex, "POST", "order", "B", symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.5",
             reduceOnly="true", newOrderRespType="RESULT")
    assert res["executedQty"] == "0.200" and res["status"] == "EXPIRED"
    pb = position(ex, "um", "B", "BTCUSDT")
    assert pb["positionAmt"] == "0.000"
    # realized 0.2 * (59900 - 60000) = -20; fees 0.2*60000*0.0005 + 0.2*59900*0.0005 = 6 + 5.99
    assert wallet(ex, "um", "B", "USDT") == D("100000") - 20 - 6 - D("5.99")


def test_um_hedge_mode_long_and_short_positions(ex: Exchange) -> None:
    m = ex.um
    m.reset_book("BTCUSDT")
    m.set_mark_price("BTCUSDT", "60000")
    um(ex, "POST", "positionSide/dual", "B", dualSidePosition="true")
    assert um(ex, "GET", "positionSide/dual", "B") == {"dualSidePosition": True}
    with pytest.raises(EngineError) as err:
        um(ex, "POST", "order", "B", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.1")
    assert err.value.code == -4061
    m.add_liquidity("BTCUSDT", "SELL", "60000", "1")
    m.add_liquidity("BTCUSDT", "BUY", "59990", "1")
    um(ex, "POST", "order", "B", symbol="BTCUSDT", side="BUY", positionSide="LONG", type="MARKET", quantity="0.3")
    um(ex, "POST", "order", "B", symbol="BTCUSDT", side="SELL", positionSide="SHORT", type="MARKET", quantity="0.1")
    assert position(ex, "um", "B", "BTCUSDT", "LONG")["positionAmt"] == "0.300"
    short = position(ex, "um", "B", "BTCUSDT", "SHORT")
    assert (short["positionAmt"], short["entryPrice"]) == ("-0.100", "59990")
    closed = um(ex, "POST", "order", "B", symbol="BTCUSDT", side="SELL", positionSide="LONG", type="MARKET",
                quantity="0.5", newOrderRespType="RESULT")
    assert (closed["executedQty"], closed["status"]) == ("0.300", "EXPIRED")
    assert position(ex, "um", "B", "BTCUSDT", "LONG")["positionAmt"] == "0.000"
    assert position(ex, "um", "B", "BTCUSDT", "SHORT")["positionAmt"] == "-0.100"
    realized = [r for r in um(ex, "GET", "income", "B", incomeType="REALIZED_PNL")]
    assert realized[-1]["income"] == "-3.00000000"  # 0.3 * (59990 - 60000)


def test_cm_inverse_contracts_margin_and_pnl_in_coin(ex: Exchange) -> None:
    m = ex.cm
    sym = "BTCUSD_PERP"
    m.reset_book(sym)
    m.set_mark_price(sym, "50000")
    got = events_of(ex, "cm")
    cm(ex, "POST", "order", "A", symbol=sym, side="SELL", type="LIMIT", timeInForce="GTC", quantity="20",
       price="50000")
    cm(ex, "POST", "order", "B", symbol=sym, side="BUY", type="MARKET", quantity="10")
    # notional 10 * 100 / 50000 = 0.02 BTC; taker fee 0.02 * 0.0005 = 0.00001
    assert wallet(ex, "cm", "B", "BTC") == D("9.99999")
    assert wallet(ex, "cm", "A", "BTC") == D("10") - D("0.02") * D("0.0002")
    m.set_mark_price(sym, "40000")
    pb = position(ex, "cm", "B", sym)
    # unrealized 10 * 100 * (1/50000 - 1/40000) = -0.005
    assert pb["unRealizedProfit"] == "-0.00500000"
    cm(ex, "POST", "order", "A", symbol=sym, side="BUY", type="LIMIT", timeInForce="GTC", quantity="10",
       price="40000")
    cm(ex, "POST", "order", "B", symbol=sym, side="BUY", type="MARKET", quantity="10")
    pb = position(ex, "cm", "B", sym)
    assert pb["positionAmt"] == "20" and pb["entryPrice"] == "50000"
    cm(ex, "POST", "order", "B", symbol=sym, side="SELL", type="MARKET", quantity="10", reduceOnly="true")
    # realized 10 * 100 * (1/50000 - 1/40000) = -0.005; fee 10*100/40000*0.0005 = 0.0000125
    assert wallet(ex, "cm", "B", "BTC") == D("9.99999") - D("0.00001") - D("0.005") - D("0.0000125")
    trade = [p for k, p in got if k == "B" and p["e"] == "ORDER_TRADE_UPDATE" and p["o"]["x"] == "TRADE"][-1]
    assert trade["i"] == m.accounts["B"].alias and trade["o"]["ma"] == "BTC" and trade["o"]["N"] == "BTC"
    assert (trade["o"]["rp"], trade["o"]["n"]) == ("-0.00500000", "0.00001250")
    assert not any(p["e"] == "TRADE_LITE" for _, p in got)
    acct_ev = [p for k, p in got if k == "B" and p["e"] == "ACCOUNT_UPDATE"][-1]
    assert acct_ev["a"]["B"][0]["a"] == "BTC" and acct_ev["a"]["P"][0]["pa"] == "10"
    t = cm(ex, "GET", "userTrades", "B", symbol=sym)[-1]
    assert (t["baseQty"], t["marginAsset"], t["commissionAsset"]) == ("0.02500000", "BTC", "BTC")


def test_cm_harmonic_entry_price(ex: Exchange) -> None:
    m = ex.cm
    sym = "BTCUSD_PERP"
    m.reset_book(sym)
    m.set_mark_price(sym, "45000")
    m.add_liquidity(sym, "SELL", "50000", "10")
    m.add_liquidity(sym, "SELL", "45000", "10")
    cm(ex, "POST", "order", "B", symbol=sym, side="BUY", type="MARKET", quantity="20")
    pb = position(ex, "cm", "B", sym)
    # 20 / (10/45000 + 10/50000) = 47368.42105263...
    assert D(pb["entryPrice"]) == (D(20) / (D(10) / 45000 + D(10) / 50000)).quantize(D("0.00000001"))


def test_cm_hedge_mode_and_contract_rules(ex: Exchange) -> None:
    m = ex.cm
    sym = "ETHUSD_PERP"
    m.reset_book(sym)
    m.set_mark_price(sym, "3000")
    m.add_liquidity(sym, "SELL", "3000", "500")
    m.add_liquidity(sym, "BUY", "2990", "500")
    with pytest.raises(EngineError) as err:
        cm(ex, "POST", "order", "B", symbol=sym, side="BUY", type="MARKET", quantity="1.5")
    assert err.value.code == -1111
    cm(ex, "POST", "positionSide/dual", "B", dualSidePosition="true")
    cm(ex, "POST", "order", "B", symbol=sym, side="BUY", positionSide="LONG", type="MARKET", quantity="30")
    cm(ex, "POST", "order", "B", symbol=sym, side="SELL", positionSide="SHORT", type="MARKET", quantity="20")
    long_ = position(ex, "cm", "B", sym, "LONG")
    short = position(ex, "cm", "B", sym, "SHORT")
    assert (long_["positionAmt"], long_["entryPrice"]) == ("30", "3000")
    assert (short["positionAmt"], short["entryPrice"]) == ("-20", "2990")
    # fees in ETH: 30*10/3000*0.0005 + 20*10/2990*0.0005
    fee = (D(300) / 3000 * D("0.0005")).quantize(D("1e-8")) + (D(200) / 2990 * D("0.0005")).quantize(D("1e-8"))
    assert wallet(ex, "cm", "B", "ETH") == D("100") - fee
    m.set_mark_price(sym, "3100")
    # long: 30*10*(1/3000 - 1/3100); short: -20*10*(1/2990 - 1/3100)
    assert D(position(ex, "cm", "B", sym, "LONG")["unRealizedProfit"]) == \
        (D(300) * (D(1) / 3000 - D(1) / 3100)).quantize(D("1e-8"))
    assert D(position(ex, "cm", "B", sym, "SHORT")["unRealizedProfit"]) == \
        (D(-200) * (D(1) / 2990 - D(1) / 3100)).quantize(D("1e-8"))
