from decimal import Decimal

import pytest

from binance._params import encode_params, format_value, quote_signature
from binance._redact import redact


@pytest.mark.parametrize(
    "value, wire",
    [
        (1e-08, "0.00000001"),
        (0.1, "0.1"),
        (30000.0, "30000"),
        (1.5e16, "15000000000000000"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.00010000"), "0.0001"),
        (True, "true"),
        (False, "false"),
        (7, "7"),
        (["BTCUSDT", "ETHUSDT"], '["BTCUSDT","ETHUSDT"]'),
        ([{"symbol": "BTCUSDT", "quantity": Decimal("0.001")}], '[{"symbol":"BTCUSDT","quantity":"0.001"}]'),
        ("GTC", "GTC"),
    ],
)
def test_values_take_their_wire_form(value, wire):
    assert format_value(value) == wire


def test_nan_is_refused_before_sending():
    with pytest.raises(ValueError):
        format_value(float("nan"))


def test_encoding_keeps_order_drops_none_and_keeps_at_sign():
    query = encode_params({"symbol": "BTCUSDT", "price": None, "newClientOrderId": "me@x", "quantity": 1e-3})
    assert query == "symbol=BTCUSDT&newClientOrderId=me@x&quantity=0.001"


def test_signature_is_url_encoded():
    assert quote_signature("ab+/c=") == "ab%2B%2Fc%3D"


def test_redact_masks_every_secret_form():
    text = redact(
        "https://u:pw@h/fapi/v1/order?symbol=X&timestamp=1&signature=abc "
        '{"listenKey":"LK1"} listenKey=LK2&apiKey=K'
    )
    for secret in ("pw@", "abc", "LK1", "LK2", "=K"):
        assert secret not in text
    assert "symbol=X" in text
