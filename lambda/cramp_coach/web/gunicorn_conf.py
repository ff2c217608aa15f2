"""gunicorn's settings for the served skill (`make serve`, `make load`, the tests and the bench):

    gunicorn -c cramp_coach/web/gunicorn_conf.py --bind 127.0.0.1:8080 \
        'cramp_coach.web.app:create_app()'

Threaded workers (gthread): a client that sends slowly holds one thread, not a whole worker,
and a connection that sends nothing waits in the worker's poller without a thread. The app
itself caps a body at 64 KiB and gives a client 5 s to send it (web/app.py); gunicorn caps the
request line and headers. In production a buffering reverse proxy in front (README) takes the
slow clients before they reach gunicorn at all.
"""

from __future__ import annotations

worker_class = "gthread"
workers = 2
threads = 16  # per worker: 8 slow clients on one worker still leave it threads to answer with
worker_connections = 256
timeout = 30  # a worker whose main loop stops for 30 s is restarted
graceful_timeout = 10
keepalive = 5  # seconds an idle kept-alive connection stays open

# Alexa's request line is short and it sends about a dozen headers, the longest the
# 344-character signature; room for a proxy's X-Forwarded-* headers too.
limit_request_line = 2048
limit_request_fields = 32
limit_request_field_size = 4096
