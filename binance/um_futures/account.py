"""4.2.0 import path `binance.um_futures.account`: its endpoint functions, now methods of
[UMFutures][binance.um_futures.account.UMFutures].

`from binance.um_futures.account import depth` keeps working; each name is the class's function (`self` first).
"""

from binance.um_futures import UMFutures

__all__ = [
    "account",
    "adl_quantile",
    "api_trading_status",
    "async_download_order_id",
    "async_download_trade_id",
    "aysnc_download_info",
    "balance",
    "cancel_batch_order",
    "cancel_open_orders",
    "cancel_order",
    "change_leverage",
    "change_margin_type",
    "change_multi_asset_mode",
    "change_position_mode",
    "commission_rate",
    "countdown_cancel_order",
    "download_order_asyn",
    "download_trade_asyn",
    "download_transactions_asyn",
    "force_orders",
    "futures_account_configuration",
    "get_account_trades",
    "get_all_orders",
    "get_bnb_burn",
    "get_income_history",
    "get_multi_asset_mode",
    "get_open_orders",
    "get_orders",
    "get_position_margin_history",
    "get_position_mode",
    "get_position_risk",
    "leverage_brackets",
    "modify_isolated_position_margin",
    "modify_order",
    "new_batch_order",
    "new_order",
    "new_order_test",
    "query_order",
    "query_user_rate_limit",
    "symbol_configuration",
    "toggle_bnb_burn",
]

account = UMFutures.account
adl_quantile = UMFutures.adl_quantile
api_trading_status = UMFutures.api_trading_status
async_download_order_id = UMFutures.async_download_order_id
async_download_trade_id = UMFutures.async_download_trade_id
aysnc_download_info = UMFutures.aysnc_download_info
balance = UMFutures.balance
cancel_batch_order = UMFutures.cancel_batch_order
cancel_open_orders = UMFutures.cancel_open_orders
cancel_order = UMFutures.cancel_order
change_leverage = UMFutures.change_leverage
change_margin_type = UMFutures.change_margin_type
change_multi_asset_mode = UMFutures.change_multi_asset_mode
change_position_mode = UMFutures.change_position_mode
commission_rate = UMFutures.commission_rate
countdown_cancel_order = UMFutures.countdown_cancel_order
download_order_asyn = UMFutures.download_order_asyn
download_trade_asyn = UMFutures.download_trade_asyn
download_transactions_asyn = UMFutures.download_transactions_asyn
force_orders = UMFutures.force_orders
futures_account_configuration = UMFutures.futures_account_configuration
get_account_trades = UMFutures.get_account_trades
get_all_orders = UMFutures.get_all_orders
get_bnb_burn = UMFutures.get_bnb_burn
get_income_history = UMFutures.get_income_history
get_multi_asset_mode = UMFutures.get_multi_asset_mode
get_open_orders = UMFutures.get_open_orders
get_orders = UMFutures.get_orders
get_position_margin_history = UMFutures.get_position_margin_history
get_position_mode = UMFutures.get_position_mode
get_position_risk = UMFutures.get_position_risk
leverage_brackets = UMFutures.leverage_brackets
modify_isolated_position_margin = UMFutures.modify_isolated_position_margin
modify_order = UMFutures.modify_order
new_batch_order = UMFutures.new_batch_order
new_order = UMFutures.new_order
new_order_test = UMFutures.new_order_test
query_order = UMFutures.query_order
query_user_rate_limit = UMFutures.query_user_rate_limit
symbol_configuration = UMFutures.symbol_configuration
toggle_bnb_burn = UMFutures.toggle_bnb_burn
