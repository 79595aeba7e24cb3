"""Server-side WebSocket text frames built in bulk, so many messages go out in one transport write.

Binance sends one stream message per frame; so does the sandbox. Building the frames here (unmasked,
FIN set, no compression: what aiohttp writes for a server socket without per-message deflate) lets
the connection writer hand a whole batch of frames to the socket at once instead of one write each.
"""

from __future__ import annotations

import struct
from typing import Iterable, List

__all__ = ["text_frames"]

_LEN2 = struct.Struct("!BBH").pack
_LEN3 = struct.Struct("!BBQ").pack
_TEXT = 0x81  # FIN + opcode 1 (text)


def text_frames(texts: Iterable[str]) -> bytes:
    """The frames of `texts` (one text frame each, in order) as one byte string."""
    parts: List[bytes] = []
    append = parts.append
    for text in texts:
        data = text.encode("utf-8")
        size = len(data)
        if size < 126:
            append(bytes((_TEXT, size)))
        elif size < 65536:
            append(_LEN2(_TEXT, 126, size))
        else:
            append(_LEN3(_TEXT, 127, size))
        append(data)
    return b"".join(parts)
