"""What the tests share besides fixtures: one module per job, each saying its job first.

Fixtures live in tests/conftest.py; harnesses the bench uses too live in tools/. No test module
imports another test module or conftest (tests/test_layout.py checks).
"""
