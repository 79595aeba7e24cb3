"""The fields the WebSocket API documents beyond the REST answer it mirrors carry the engine's values.

USDⓈ-M `ticker.book` `lastUpdateId`, USDⓈ-M `account.status` positions' `breakEvenPrice`, COIN-M
`account.status` positions' `isolatedWallet` and COIN-M `account.position` `isolatedWallet`/`notionalValue`
are compared with the same numbers in the REST answers that do carry them, with an open position.
"""

from __future__ import annotations

from decimal import Decimal

from binance.cm_futures import CMFutures
from binance.um_futures import UMFutures


def _held(entries, symbol):
    (entry,) = [e for e in entries if e["symbol"] == symbol and Decimal(e["positionAmt"]) != 0]
    return entry


def test_um_ticker_book_and_break_even_price(sandbox, make_client):
    ws = make_client("um")
    with UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url) as rest:
        book = ws.ticker_book(symbol="BTCUSDT")
        assert book["lastUpdateId"] == rest.depth("BTCUSDT", limit=5)["lastUpdateId"] > 0
        assert "lastUpdateId" not in rest.book_ticker("BTCUSDT")  # REST documents none
        rest.new_order("BTCUSDT", "BUY", "MARKET", quantity="0.01")
        position = _held(ws.account_status()["positions"], "BTCUSDT")
        risk = _held(rest.get_position_risk(symbol="BTCUSDT"), "BTCUSDT")
        assert position["breakEvenPrice"] == risk["breakEvenPrice"]
        assert Decimal(position["breakEvenPrice"]) > Decimal(risk["entryPrice"]) > 0  # a long pays the taker fee
        assert all("breakEvenPrice" not in p for p in rest.account()["positions"])  # REST v2 documents none


def test_cm_isolated_wallet_and_notional_value(sandbox, make_client):
    ws = make_client("cm")
    with CMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.cm_rest_url) as rest:
        rest.change_margin_type("BTCUSD_PERP", "ISOLATED")
        rest.new_order("BTCUSD_PERP", "BUY", "MARKET", quantity="2")
        status = _held(ws.account_status()["positions"], "BTCUSD_PERP")
        position = _held(ws.account_position(pair="BTCUSD"), "BTCUSD_PERP")
        risk = _held(rest.get_position_risk(pair="BTCUSD"), "BTCUSD_PERP")
        account = _held(rest.account()["positions"], "BTCUSD_PERP")
        wallet = Decimal(status["isolatedWallet"])
        assert wallet > 0 and Decimal(position["isolatedWallet"]) == wallet
        assert Decimal(risk["isolatedMargin"]) == wallet + Decimal(risk["unRealizedProfit"])
        assert position["notionalValue"] == account["notionalValue"] and Decimal(account["notionalValue"]) > 0
        assert "isolatedWallet" not in account and "notionalValue" not in risk  # REST documents neither
