"""Static types of everything the library returns or passes to callbacks; plain dicts and lists at run time.

* `binance.types.um` / `binance.types.cm`: each market's REST responses (`NewOrderResponse`,
  `AccountResponse`, ...), WebSocket API results (`OrderPlaceResult`, ...), market stream events
  (`AggTradeEvent`, `MarketEvent`) and user-data events (`OrderTradeUpdateEvent`, `UserDataEvent`), as
  `TypedDict`s generated from Binance's documented answers by `tools/gen_types.py`. Numbers Binance
  sends as strings are `str`. Fields Binance does not always send are not required keys: read them
  with `.get()`.
* `binance.types.shared`: the shapes that are the same in both markets (re-exported by both).
* `binance.types.params`: the `Literal`s of the fixed request values (`Side`, `OrderType`, `TimeInForce`, ...).
* `binance.types.wrapped`: the shapes `show_limit_usage=True` / `show_header=True` wrap answers in.

Nothing here runs at request time: the REST and WebSocket clients return the parsed JSON as it is;
the types only tell a type checker (mypy, pyright) and an IDE what it holds. Stream callbacks receive
the text Binance sent; annotate the parsed value to get the event's type:

    import json
    from binance.types.um import UserDataEvent

    def on_message(client, message):
        event: UserDataEvent = json.loads(message)
        if event["e"] == "ORDER_TRADE_UPDATE":
            print(event["o"]["X"])          # the checker knows event is an OrderTradeUpdateEvent here
"""
