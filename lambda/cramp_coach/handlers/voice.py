""" "Whisper" / "speak normally": the person's choice of voice, remembered."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ..night import NORMAL, WHISPER
from ..respond import say_prompt
from .answers import resolved_slots
from .base import DepsIntentHandler


class VoiceHandler(DepsIntentHandler):
    intents = ("VoiceIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        mode = resolved_slots(handler_input).get("mode")
        if mode not in ("WHISPER", "NORMAL"):  # a voice Alexa heard but we don't know
            return say_prompt(handler_input, self.deps, "fallback")
        voice = WHISPER if mode == "WHISPER" else NORMAL
        if self.deps.night is not None:
            self.deps.night.set_voice(handler_input, self.deps.store, voice)
        return say_prompt(handler_input, self.deps, f"voice_{voice}")
