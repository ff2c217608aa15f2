"""Serving a standard-library (or werkzeug) HTTP server from a thread, quick to stop.

serve_forever looks for a shutdown request every `poll_interval` seconds, 0.5 by default: every
stop would wait up to that long."""

from __future__ import annotations

import socketserver
import threading

POLL = 0.02  # seconds


def serve_in_background(server: socketserver.BaseServer) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True
    )
    thread.start()
    return thread
