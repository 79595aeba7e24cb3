"""The public surface: every spec endpoint is a documented method with a 4.2.0-compatible signature."""

from __future__ import annotations

import inspect
import warnings

import pytest
from rest_endpoint_calls import DATA

from binance.api import API
from binance.cm_futures import CMFutures
from binance.um_futures import UMFutures

CLIENTS = {"um": UMFutures, "cm": CMFutures}
API_HELPERS = {n for n in dir(API) if not n.startswith("_") and callable(getattr(API, n))}
# 4.2.0 signatures widened on purpose (same names and order; only new optional params or **kwargs).
WIDENED = {
    ("um", "new_batch_order"): "new_batch_order(batchOrders, **kwargs)",
    ("cm", "new_batch_order"): "new_batch_order(batchOrders, **kwargs)",
    ("cm", "modify_batch_order"): "modify_batch_order(batchOrders, **kwargs)",
    ("cm", "mark_price"): "mark_price(symbol=None, pair=None)",
    ("um", "funding_info"): "funding_info(**kwargs)",
    # 4.2.0 positional params Binance made optional (2026-10): still positional, now defaulted.
    ("um", "get_all_orders"): "get_all_orders(symbol=None, **kwargs)",
    ("um", "funding_rate"): "funding_rate(symbol=None, **kwargs)",
    ("cm", "open_interest_hist"): "open_interest_hist(pair, contractType=None, period=None, **kwargs)",
}


def _method_name(entry):
    return entry["legacy_name"] or entry["name"]


def _legacy_style(name, func):
    parts = []
    for pname, p in list(inspect.signature(func).parameters.items())[1:]:
        if p.kind is p.KEYWORD_ONLY:
            continue  # the named, typed keyword parameters of issue 14: new, and not positional
        if p.kind is p.VAR_KEYWORD:
            parts.append("**" + pname)
        elif p.default is inspect.Parameter.empty:
            parts.append(pname)
        else:
            parts.append("%s=%r" % (pname, p.default))
    return "%s(%s)" % (name, ", ".join(parts))


ENTRIES = [(m, e) for m in ("um", "cm") for e in DATA[m]]


@pytest.mark.parametrize("market, entry", ENTRIES, ids=lambda x: x if isinstance(x, str) else _method_name(x))
def test_docstring_names_the_http_method_and_path(market, entry):
    func = getattr(CLIENTS[market], _method_name(entry))
    doc = inspect.getdoc(func)
    assert doc, "no docstring"
    assert "%s %s" % (entry["http_method"], entry["path"]) in doc
    assert entry["doc_url"] in doc
    assert "weight" in doc.lower()


@pytest.mark.parametrize("cls", [UMFutures, CMFutures])
def test_every_public_method_has_a_docstring(cls):
    names = [n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))]
    undocumented = [n for n in names if not inspect.getdoc(getattr(cls, n))]
    assert undocumented == []


@pytest.mark.parametrize("market", ["um", "cm"])
def test_public_methods_are_exactly_the_spec_endpoints_and_the_api_helpers(market):
    cls = CLIENTS[market]
    names = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
    expected = {_method_name(e) for e in DATA[market]} | API_HELPERS
    assert names == expected


@pytest.mark.parametrize(
    "market, entry",
    [(m, e) for m, e in ENTRIES if e["legacy_signature"]],
    ids=lambda x: x if isinstance(x, str) else x["legacy_name"],
)
def test_legacy_signature_is_kept(market, entry):
    name = entry["legacy_name"]
    ours = _legacy_style(name, getattr(CLIENTS[market], name))
    assert ours == WIDENED.get((market, name), entry["legacy_signature"])


@pytest.mark.parametrize("cls, url", [(UMFutures, "https://fapi.binance.com"), (CMFutures, "https://dapi.binance.com")])
def test_constructor_matches_4_2_0(cls, url):
    # 4.2.0: (key=None, secret=None, **kwargs) handed to API; here API's typed options directly (issue 14),
    # so every 4.2.0 option keeps its name and a misspelt one is a TypeError (and a type-checker error).
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [(p.name, p.default, p.kind) for p in params[:2]] == [
        ("key", None, inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("secret", None, inspect.Parameter.POSITIONAL_OR_KEYWORD),
    ]
    names = {p.name for p in params}
    legacy = {"base_url", "timeout", "proxies", "show_limit_usage", "show_header", "private_key", "private_key_pass"}
    assert legacy <= names
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in params)
    with pytest.raises(TypeError):
        cls(valdiate_orders=True)
    assert cls().base_url == url
    assert cls(base_url="http://127.0.0.1:1/").base_url == "http://127.0.0.1:1"
    assert isinstance(cls("k", "s"), API)


def test_time_path_follows_the_market():
    assert UMFutures()._time_path() == "/fapi/v1/time"
    assert CMFutures()._time_path() == "/dapi/v1/time"


def test_futures_alias_warns_and_is_um(server):
    with pytest.warns(DeprecationWarning, match="UMFutures"):
        from binance.futures import Futures
    assert issubclass(Futures, UMFutures)
    client = Futures(base_url=server.url)
    assert client.base_url == server.url
    client.ping()
    assert server.last.path == "/fapi/v1/ping"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Futures().base_url == "https://fapi.binance.com"
