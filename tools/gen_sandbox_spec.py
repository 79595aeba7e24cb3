"""Copy the parts of the API spec the sandbox needs into `binance/sandbox/spec_data.json`.

Run from the repository root: `python tools/gen_sandbox_spec.py [SPEC_DIR]` (default `tools/spec`).
The sandbox reads only the generated file at run time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from _cli import spec_dir_from

ENDPOINT_KEYS = (
    "name", "http_method", "path", "security", "weight", "required", "optional",
    "example_response", "category", "status",
)
STREAM_KEYS = (
    "key", "markets", "stream_name_pattern", "event_type", "update_speed", "params",
    "example_payload", "example_payload_by_market",
)


def main(argv: list) -> int:
    """Write the sandbox spec data file from the spec directory given (or the default one)."""
    root = Path(__file__).resolve().parent.parent
    spec_dir = spec_dir_from(argv, __doc__, "python tools/gen_sandbox_spec.py")
    out: dict = {"rest": {}, "streams": [], "user_data_events": []}
    for market, fname in (("um", "um_rest.json"), ("cm", "cm_rest.json")):
        data = json.loads((spec_dir / fname).read_text())
        out["rest"][market] = [
            {k: ep.get(k) for k in ENDPOINT_KEYS} for ep in data["endpoints"]
        ]
    ws = json.loads((spec_dir / "websocket.json").read_text())
    out["streams"] = [{k: s.get(k) for k in STREAM_KEYS} for s in ws["streams"]]
    out["user_data_events"] = [
        {"event_type": e["event_type"], "markets": e["markets"], "key_fields": e["key_fields"]}
        for e in ws["user_data_events"]
    ]
    target = root / "binance" / "sandbox" / "spec_data.json"
    target.write_text(json.dumps(out, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
