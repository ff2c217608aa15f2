"""AWS Lambda entry point (the name Alexa-hosted skills and the ASK CLI expect)."""

import gc
from typing import Any

# A cold start creates only objects that live as long as the process (modules, the skill, the
# content), so looking for garbage among them is wasted time before the first word: collection
# waits until the first request is answered (or initialisation ahead of time is done), and
# those objects are then set aside for good.
gc.disable()

from cramp_coach.entry import (  # noqa: E402
    handle_event,
    invocation_done,
    prepare_ahead,
    write_metrics_after_answers,
)


def _settle() -> None:
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


if prepare_ahead():  # SnapStart or provisioned concurrency: everything loaded at init
    _settle()
else:  # on demand: the metrics extension, each EMF line written after its answer has gone
    write_metrics_after_answers()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return handle_event(event, context)
    finally:
        _settle()
        invocation_done()
