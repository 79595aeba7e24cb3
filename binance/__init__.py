"""binance-futures-connector: USDⓈ-M and COIN-M futures REST and WebSocket clients."""

import logging

from binance.__version__ import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__"]
