"""Frozen facts that differ between USDⓈ-M (UM) and COIN-M (CM) futures; everything else is shared."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Market:
    """One futures market: its REST prefix and default endpoints."""

    name: str
    rest_prefix: str
    base_url: str
    testnet_base_url: str
    stream_url: str
    testnet_stream_url: str
    ws_api_url: str
    testnet_ws_api_url: str
    doc_root: str

    def path(self, version: str, endpoint: str) -> str:
        """REST path for `endpoint` under this market's prefix, e.g. `/fapi/v1/depth`."""
        return f"{self.rest_prefix}/{version}/{endpoint}"


UM = Market(
    name="um",
    rest_prefix="/fapi",
    base_url="https://fapi.binance.com",
    testnet_base_url="https://testnet.binancefuture.com",
    stream_url="wss://fstream.binance.com",
    testnet_stream_url="wss://fstream.binancefuture.com",
    ws_api_url="wss://ws-fapi.binance.com/ws-fapi/v1",
    testnet_ws_api_url="wss://testnet.binancefuture.com/ws-fapi/v1",
    doc_root="https://developers.binance.com/docs/derivatives/usds-margined-futures",
)

CM = Market(
    name="cm",
    rest_prefix="/dapi",
    base_url="https://dapi.binance.com",
    testnet_base_url="https://testnet.binancefuture.com",
    stream_url="wss://dstream.binance.com",
    testnet_stream_url="wss://dstream.binancefuture.com",
    ws_api_url="wss://ws-dapi.binance.com/ws-dapi/v1",
    testnet_ws_api_url="wss://testnet.binancefuture.com/ws-dapi/v1",
    doc_root="https://developers.binance.com/docs/derivatives/coin-margined-futures",
)

MARKETS = {"um": UM, "cm": CM}
