"""4.2.0 scripts may import endpoint functions from their old modules; those paths keep working."""

import importlib

import pytest

from binance.cm_futures import CMFutures
from binance.um_futures import UMFutures

# module -> (client class, number of 4.2.0 functions, a few names that 4.2.0 defined there)
LEGACY_MODULES = {
    "binance.um_futures.market": (UMFutures, 28, ["ping", "depth", "klines", "blvt_kline", "asset_Index"]),
    "binance.um_futures.account": (UMFutures, 41, ["new_order", "cancel_order", "aysnc_download_info"]),
    "binance.um_futures.convert": (UMFutures, 4, ["list_all_convert_pairs", "send_quote_request"]),
    "binance.um_futures.data_stream": (UMFutures, 3, ["new_listen_key", "renew_listen_key", "close_listen_key"]),
    "binance.cm_futures.market": (CMFutures, 24, ["ping", "depth", "basis", "query_index_price_constituents"]),
    "binance.cm_futures.account": (CMFutures, 29, ["new_order", "modify_batch_order", "order_modify_history"]),
    "binance.cm_futures.data_stream": (CMFutures, 3, ["new_listen_key", "renew_listen_key", "close_listen_key"]),
}


@pytest.mark.parametrize("module_name", sorted(LEGACY_MODULES))
def test_legacy_module_exports_the_clients_functions(module_name):
    cls, count, samples = LEGACY_MODULES[module_name]
    module = importlib.import_module(module_name)
    assert len(module.__all__) == count
    for name in module.__all__:
        assert getattr(module, name) is getattr(cls, name)
    assert set(samples) <= set(module.__all__)
