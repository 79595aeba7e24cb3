"""How the tests call a spec endpoint: which method, which arguments, and the params expected on the wire.

Shared by the recording-server test and the sandbox test.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

from binance._params import format_value

DATA = json.loads((Path(__file__).parent / "data" / "endpoints.json").read_text())

PER_MARKET = {
    "um": {"symbol": "BTCUSDT", "pair": "BTCUSDT", "quantity": "0.002", "asset": "USDT", "marginAsset": "USDT"},
    "cm": {"symbol": "BTCUSD_PERP", "pair": "BTCUSD", "quantity": "1", "asset": "BTC", "marginAsset": "BTC"},
}
SAMPLES: Dict[str, Any] = {
    "side": "BUY",
    "type": "LIMIT",
    "price": "30000",
    "stopPrice": "29000",
    "triggerPrice": "29000",
    "activationPrice": "31000",
    "activatePrice": "31000",
    "callbackRate": "1",
    "interval": "1m",
    "period": "5m",
    "contractType": "PERPETUAL",
    "listenKey": "testListenKey123",
    "orderId": 12345,
    "origClientOrderId": "myOrder1",
    "orderIdList": [12345, 12346],
    "origClientOrderIdList": ["myOrder1", "myOrder2"],
    "leverage": 5,
    "marginType": "ISOLATED",
    "amount": "10",
    "dualSidePosition": "false",
    "multiAssetsMargin": "false",
    "feeBurn": "true",
    "countdownTime": 1000,
    "startTime": 1700000000000,
    "endTime": 1700003600000,
    "downloadId": "dl-1",
    "fromAsset": "USDT",
    "toAsset": "BTC",
    "fromAmount": "10",
    "toAmount": "0.0001",
    "validTime": "10s",
    "quoteId": "quote-1",
    "timeInForce": "GTC",
    "limit": 10,
    "recvWindow": 5000,
    "fromId": 1,
    "page": 1,
    "incomeType": "FUNDING_FEE",
    "autoCloseType": "LIQUIDATION",
    "positionSide": "BOTH",
    "reduceOnly": "false",
    "closePosition": "false",
    "priceProtect": "false",
    "workingType": "CONTRACT_PRICE",
    "priceMatch": "NONE",
    "newClientOrderId": "newOrder1",
    "newOrderRespType": "ACK",
    "selfTradePreventionMode": "NONE",
    "goodTillDate": 1800000000000,
    "modifyId": 1,
    "algoType": "CONDITIONAL",
    "algoId": 777,
    "clientAlgoId": "algo-1",
}
# Params of which a caller sends only one (the first one listed is used).
EXCLUSIVE = [
    ("orderId", "origClientOrderId"),
    ("orderIdList", "origClientOrderIdList"),
    ("algoId", "clientAlgoId"),
    ("symbol", "pair"),
    ("fromAmount", "toAmount"),
    ("fromId", "startTime"),
    ("fromId", "endTime"),
    ("price", "priceMatch"),
    ("quantity", "closePosition"),
    ("reduceOnly", "closePosition"),
]


def sample(market: str, name: str, method: str, entry: dict) -> Any:
    """A plausible value for one param."""
    if name == "batchOrders":
        qty = PER_MARKET[market]["quantity"]
        sym = PER_MARKET[market]["symbol"]
        if entry["http_method"] == "PUT":
            return [{"symbol": sym, "orderId": 12345, "side": "BUY", "quantity": qty, "price": "30000"}]
        return [
            {"symbol": sym, "side": "BUY", "type": "LIMIT", "quantity": qty, "price": "30000", "timeInForce": "GTC"}
        ]
    if method == "modify_isolated_position_margin" and name == "type":
        return 1
    if name == "type" and method == "new_algo_order":
        return "STOP_MARKET"
    if name in PER_MARKET[market]:
        return PER_MARKET[market][name]
    return SAMPLES[name]


@dataclass
class Call:
    """One call of a client method and the params it must put on the wire."""

    market: str
    method: str
    entry: dict
    args: List[Any]
    kwargs: Dict[str, Any]
    expected: Dict[str, str]

    @property
    def id(self) -> str:
        return "%s.%s %s %s" % (self.market, self.method, self.entry["http_method"], self.entry["path"])


def wanted_params(entry: dict, only_required: bool = False) -> List[str]:
    """Spec params to send: the required ones and (unless ``only_required``) the optional ones, minus the
    second of each exclusive pair."""
    names = list(entry["required"])
    if not only_required:
        names += [o for o in entry["optional"] if o not in entry["required"]]
    for first, second in EXCLUSIVE:
        if first in names and second in names and second not in entry["required"]:
            names.remove(second)
    return names


def build_call(market: str, entry: dict, client_class: type, only_required: bool = False) -> Call:
    """Arguments for one spec entry, fitted to the method's Python signature."""
    method = entry["legacy_name"] or entry["name"]
    func = getattr(client_class, method)
    sig = inspect.signature(func)
    names = wanted_params(entry, only_required)
    values = {n: sample(market, n, method, entry) for n in names}
    args: List[Any] = []
    kwargs: Dict[str, Any] = {}
    var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    for pname, param in list(sig.parameters.items())[1:]:
        if param.kind is param.VAR_KEYWORD:
            continue
        if param.default is inspect.Parameter.empty:
            args.append(values.get(pname))
        elif pname in values:
            kwargs[pname] = values[pname]
    for n in names:
        if n not in sig.parameters and var_kw:
            kwargs[n] = values[n]
    sent = {n: v for n, v in values.items() if n in sig.parameters or var_kw}
    expected = {n: format_value(v) for n, v in sent.items()}
    return Call(market, method, entry, args, kwargs, expected)


def all_calls(client_classes: Dict[str, type]) -> List[Call]:
    """One :class:`Call` per spec endpoint of both markets."""
    return [build_call(m, e, client_classes[m]) for m in ("um", "cm") for e in DATA[m]]
