"""AWS Lambda entry point (the name Alexa-hosted skills and the ASK CLI expect)."""

from typing import Any

from cramp_coach.entry import handle_event


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle_event(event, context)
