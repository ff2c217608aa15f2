"""What the skill keeps of a returning person, and how much shorter it speaks to them.

Three things, all in the person's persistent attributes (state.py), none about their health:

- `last_visit`: the local date of their last launch or routine. A first visit hears the full
  welcome and the disclaimer; later visits a short greeting. The disclaimer comes again after
  DISCLAIMER_AFTER_DAYS without a visit. Thirty days: someone who uses the skill every night,
  or every week, never hears it twice (hearing it nightly is what made the skill sound as if it
  talked to a stranger), while someone back after a month or more, by when most people no
  longer remember what the skill is and is not, or when someone else in the household has
  picked it up on the shared account, hears once more that this is general information and
  not medical advice. The date is written at most once a day, by the request that finds it
  stale, so a returning launch costs no store write on later visits the same day.
- `familiar`: for each stretch, how many times the person has completed it (both legs).
  After FAMILIAR_AFTER completions the routine says it in short form, with a way to hear the
  full instructions again ("say explain"); the holds themselves are never shortened.
- whether they know the routine's flow: they have finished it at least once (`last_finished`
  is set). They then hear the short introduction and shorter questions and reprompts.

"Delete my data" deletes the person's whole item, so all of this goes with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from . import state
from .content import Step

DISCLAIMER_AFTER_DAYS = 30  # a visit after this long without one hears the disclaimer again
FAMILIAR_AFTER = 3  # completions of a stretch after which it is said in short form


def _days_between(earlier: str, later: str) -> int | None:
    try:
        return (date.fromisoformat(later) - date.fromisoformat(earlier)).days
    except (TypeError, ValueError):
        return None


def disclaimer_due(attributes: Mapping[str, Any] | None, today: str) -> bool:
    """The disclaimer is due: a first visit, one after a long absence, or nothing is known of
    the person (the store failing), to be safe. A person welcomed before visits were dated is
    not told again until a dated absence says so."""
    if attributes is None or not attributes.get(state.WELCOMED):
        return True
    last = attributes.get(state.LAST_VISIT)
    if not isinstance(last, str):
        return False
    days = _days_between(last, today)
    return days is not None and days >= DISCLAIMER_AFTER_DAYS


def first_visit(attributes: Mapping[str, Any] | None) -> bool:
    return attributes is None or not attributes.get(state.WELCOMED)


def visit_is_news(attributes: Mapping[str, Any], today: str) -> bool:
    """Recording this visit would change what is stored (at most once a day)."""
    return not attributes.get(state.WELCOMED) or attributes.get(state.LAST_VISIT) != today


def record_visit(attributes: dict[str, Any], today: str) -> None:
    """The person has been welcomed (heard the disclaimer, now or before) and visited today."""
    attributes[state.WELCOMED] = True
    attributes[state.LAST_VISIT] = today


def completes_stretch(step: Step) -> bool:
    """The step finishes its stretch: the last leg of it, or both legs at once."""
    sides = step.stretch.sides
    return step.side is None or not sides or step.side == sides[-1]


def completions(attributes: Mapping[str, Any], stretch_key: str) -> int:
    counts = attributes.get(state.FAMILIAR)
    count = counts.get(stretch_key) if isinstance(counts, Mapping) else None
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def familiar(attributes: Mapping[str, Any], stretch_key: str) -> bool:
    return completions(attributes, stretch_key) >= FAMILIAR_AFTER


def count_completion(attributes: dict[str, Any], stretch_key: str) -> None:
    """One more completion of the stretch (a count, nothing else)."""
    counts = attributes.get(state.FAMILIAR)
    counts = dict(counts) if isinstance(counts, Mapping) else {}
    counts[stretch_key] = completions(attributes, stretch_key) + 1
    attributes[state.FAMILIAR] = counts


def knows_flow(attributes: Mapping[str, Any] | None) -> bool:
    """The person has finished the routine before: they know how it goes."""
    return attributes is not None and isinstance(attributes.get(state.LAST_FINISHED), str)
