"""4.2.0 import path `binance.cm_futures.data_stream`: its endpoint functions, now methods of
[CMFutures][binance.cm_futures.data_stream.CMFutures].

`from binance.cm_futures.data_stream import depth` keeps working; each name is the class's function (`self` first).
"""

from binance.cm_futures import CMFutures

__all__ = [
    "close_listen_key",
    "new_listen_key",
    "renew_listen_key",
]

close_listen_key = CMFutures.close_listen_key
new_listen_key = CMFutures.new_listen_key
renew_listen_key = CMFutures.renew_listen_key
