"""The moments conversations happen at, when a test does not set the clock itself."""

from __future__ import annotations

from datetime import UTC, datetime

# Mid-morning in New York: day mode, unless a test sets the clock to the night.
DAYTIME = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
