"""Free TCP ports on 127.0.0.1, for endpoints where nothing must listen."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now (another process may take it later: for a server of our
    own, bind port 0 and pass the socket on instead, as tools/served.py does)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
