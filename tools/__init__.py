"""Scripts and harnesses shared by the tests, the bench and the make targets (never shipped).

tools/package.py is `make package`; the other modules are harnesses that start real parts on
127.0.0.1 (gunicorn, dynalite) or make real test material (a certificate authority), imported by
tests/ and bench/ alike. Nothing here imports from tests/.
"""
