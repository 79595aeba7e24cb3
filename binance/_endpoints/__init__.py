"""REST endpoints as mixins of [UMFutures][binance.um_futures.UMFutures] and [CMFutures][binance.cm_futures.CMFutures].

An endpoint that is the same in both markets is written once here, against `self._market.rest_prefix`
(`/fapi` or `/dapi`); what differs per market lives in `binance/um_futures/_*.py` and
`binance/cm_futures/_*.py`. Every method builds `(method, path, params)` and calls one of the
`binance.api.API` request helpers, which sign, send and translate errors.
"""
