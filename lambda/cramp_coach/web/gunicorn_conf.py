"""gunicorn's settings for `make serve` (`gunicorn -c python:cramp_coach.web.gunicorn_conf`).

Threaded workers, so a client that sends its request slowly holds one thread, not a whole
worker: `/health` and every other client keep being answered. A body still arriving after the
web app's body deadline is refused (408), so a held thread comes back. The request line and
headers are capped far below gunicorn's defaults: Alexa's are short. In production, put a
buffering reverse proxy in front (README, "Serving it yourself"): it absorbs slow clients
before they reach a thread at all.
"""

worker_class = "gthread"
workers = 2
threads = 16  # per worker: slow clients each hold one of these, for the body deadline at most
timeout = 30  # a worker silent this long is restarted
graceful_timeout = 10
keepalive = 5
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
