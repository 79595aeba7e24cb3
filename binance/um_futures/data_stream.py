"""4.2.0 import path `binance.um_futures.data_stream`: its endpoint functions, now methods of
[UMFutures][binance.um_futures.data_stream.UMFutures].

`from binance.um_futures.data_stream import depth` keeps working; each name is the class's function (`self` first).
"""

from binance.um_futures import UMFutures

__all__ = [
    "close_listen_key",
    "new_listen_key",
    "renew_listen_key",
]

close_listen_key = UMFutures.close_listen_key
new_listen_key = UMFutures.new_listen_key
renew_listen_key = UMFutures.renew_listen_key
