"""4.2.0 import path `binance.um_futures.convert`: its endpoint functions, now methods of
[UMFutures][binance.um_futures.convert.UMFutures].

`from binance.um_futures.convert import depth` keeps working; each name is the class's function (`self` first).
"""

from binance.um_futures import UMFutures

__all__ = [
    "accept_offered_quote",
    "list_all_convert_pairs",
    "order_status",
    "send_quote_request",
]

accept_offered_quote = UMFutures.accept_offered_quote
list_all_convert_pairs = UMFutures.list_all_convert_pairs
order_status = UMFutures.order_status
send_quote_request = UMFutures.send_quote_request
