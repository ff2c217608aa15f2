"""How many generated requests the fuzz tests sent, per entry point (`make fuzz` reports it)."""

from __future__ import annotations

from collections import Counter

EXAMPLES: Counter[str] = Counter()
