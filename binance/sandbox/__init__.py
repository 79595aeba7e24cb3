"""Local Binance futures exchange (sandbox)."""
