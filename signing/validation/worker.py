"""Child process loop for sandbox.py: ``python -m signing.validation.worker LIMIT``."""

from __future__ import annotations

import json
import logging
import os
import resource
import struct
import sys


def _read_exact(stream, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _limit_memory(limit: int):
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # not permitted here: the timeout still applies
        pass


def main(argv: list[str]) -> int:
    # Keep the protocol channel for ourselves; stray prints go to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    logging.getLogger().addHandler(logging.NullHandler())
    # the engine reads pyHanko's warnings to refine sub-indications
    logging.getLogger("pyhanko").setLevel(logging.INFO)
    logging.getLogger("pyhanko").propagate = False
    _limit_memory(int(argv[1]) if len(argv) > 1 else 1536 * 1024 * 1024)

    from .engine import ValidationOptions, validate_bytes

    inp = sys.stdin.buffer
    while True:
        raw = _read_exact(inp, 4)
        if raw is None:
            return 0
        header = _read_exact(inp, struct.unpack(">I", raw)[0])
        size_raw = _read_exact(inp, 8)
        if header is None or size_raw is None:
            return 0
        data = _read_exact(inp, struct.unpack(">Q", size_raw)[0])
        if data is None:
            return 0
        options = ValidationOptions.from_json(json.loads(header))
        report = validate_bytes(data, options)
        payload = json.dumps(report.to_dict(), ensure_ascii=False).encode()
        out.write(struct.pack(">I", len(payload)) + payload)
        out.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
