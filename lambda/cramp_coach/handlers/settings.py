"""A person's settings by voice: "whisper" / "speak normally" (remembered), and "I've moved"
(the device's time zone looked up again at once)."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from .. import person, slots
from ..deps import Deps
from ..intents import Intent, Slot
from ..night import NORMAL, WHISPER
from ..respond import say_prompt
from .base import DepsIntentHandler
from .lazy import Loaded


class VoiceHandler(DepsIntentHandler):
    intents = (Intent.VOICE,)

    def handle(self, handler_input: HandlerInput) -> Response:
        mode = slots.resolved(handler_input).get(Slot.VOICE_MODE)
        if mode not in ("WHISPER", "NORMAL"):  # a voice Alexa heard but we don't know
            return say_prompt(handler_input, self.deps, "fallback")
        voice = WHISPER if mode == "WHISPER" else NORMAL
        if self.deps.profiles is not None:
            self.deps.profiles.set_voice(handler_input, voice)
            person.refresh(handler_input, self.deps.profiles)  # the answer in the new voice
        return say_prompt(handler_input, self.deps, f"voice_{voice}")


class MovedHandler(DepsIntentHandler):
    """The zone is looked up weekly; someone who moved or travels says so, and it is now."""

    intents = (Intent.MOVED,)

    def handle(self, handler_input: HandlerInput) -> Response:
        profiles = self.deps.profiles
        if profiles is None or not profiles.relearn_zone(handler_input):
            return say_prompt(handler_input, self.deps, "moved_unknown")
        person.refresh(handler_input, profiles)  # the answer at the new local time
        return say_prompt(handler_input, self.deps, "moved")


def settings_handlers(deps: Deps) -> Loaded:
    return Loaded([VoiceHandler(deps), MovedHandler(deps)])
