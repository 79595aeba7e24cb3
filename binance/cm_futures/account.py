"""4.2.0 import path `binance.cm_futures.account`: its endpoint functions, now methods of
[CMFutures][binance.cm_futures.account.CMFutures].

`from binance.cm_futures.account import depth` keeps working; each name is the class's function (`self` first).
"""

from binance.cm_futures import CMFutures

__all__ = [
    "account",
    "adl_quantile",
    "balance",
    "cancel_batch_order",
    "cancel_open_orders",
    "cancel_order",
    "change_leverage",
    "change_margin_type",
    "change_position_mode",
    "commission_rate",
    "countdown_cancel_order",
    "force_orders",
    "get_account_trades",
    "get_all_orders",
    "get_download_id_transaction_history",
    "get_income_history",
    "get_open_orders",
    "get_orders",
    "get_position_margin_history",
    "get_position_mode",
    "get_position_risk",
    "leverage_brackets",
    "modify_batch_order",
    "modify_isolated_position_margin",
    "modify_order",
    "new_batch_order",
    "new_order",
    "order_modify_history",
    "query_order",
]

account = CMFutures.account
adl_quantile = CMFutures.adl_quantile
balance = CMFutures.balance
cancel_batch_order = CMFutures.cancel_batch_order
cancel_open_orders = CMFutures.cancel_open_orders
cancel_order = CMFutures.cancel_order
change_leverage = CMFutures.change_leverage
change_margin_type = CMFutures.change_margin_type
change_position_mode = CMFutures.change_position_mode
commission_rate = CMFutures.commission_rate
countdown_cancel_order = CMFutures.countdown_cancel_order
force_orders = CMFutures.force_orders
get_account_trades = CMFutures.get_account_trades
get_all_orders = CMFutures.get_all_orders
get_download_id_transaction_history = CMFutures.get_download_id_transaction_history
get_income_history = CMFutures.get_income_history
get_open_orders = CMFutures.get_open_orders
get_orders = CMFutures.get_orders
get_position_margin_history = CMFutures.get_position_margin_history
get_position_mode = CMFutures.get_position_mode
get_position_risk = CMFutures.get_position_risk
leverage_brackets = CMFutures.leverage_brackets
modify_batch_order = CMFutures.modify_batch_order
modify_isolated_position_margin = CMFutures.modify_isolated_position_margin
modify_order = CMFutures.modify_order
new_batch_order = CMFutures.new_batch_order
new_order = CMFutures.new_order
order_modify_history = CMFutures.order_modify_history
query_order = CMFutures.query_order
