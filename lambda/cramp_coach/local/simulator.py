"""A conversation with the skill, the way an Echo device would hold it.

It keeps the session (id, `new`, attributes) between turns, opens a new one after the skill
ends it, turns typed lines into requests through the local resolver (including "open cramp
coach" and one-shot "ask cramp coach ..." forms, in the device's language: local/alexa_words.json),
and hands envelopes to a Lambda-style handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from ..intents import Intent
from ..ssml import to_plain_text
from . import envelope as env
from .locales import AlexaWords
from .resolver import Resolution, Resolver

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class Turn:
    """What the skill did with one request."""

    request: dict[str, Any]
    response: dict[str, Any]
    resolution: Resolution | None = None

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.response.get("response") or {}
        return body

    @property
    def ssml(self) -> str:
        return str((self.body.get("outputSpeech") or {}).get("ssml", ""))

    @property
    def speech(self) -> str:
        return to_plain_text(self.ssml)

    @property
    def reprompt_ssml(self) -> str:
        reprompt = self.body.get("reprompt") or {}
        return str((reprompt.get("outputSpeech") or {}).get("ssml", ""))

    @property
    def reprompt(self) -> str:
        return to_plain_text(self.reprompt_ssml)

    @property
    def card(self) -> Mapping[str, Any] | None:
        card: Mapping[str, Any] | None = self.body.get("card")
        return card

    @property
    def ends_session(self) -> bool:
        return bool(self.body.get("shouldEndSession", False))

    @property
    def directives(self) -> list[dict[str, Any]]:
        directives: list[dict[str, Any]] = self.body.get("directives") or []
        return directives

    def shown(self, kind: str = "RenderDocument") -> list[dict[str, Any]]:
        """The APL directives of this kind (RenderDocument, ExecuteCommands) it sent."""
        name = f"Alexa.Presentation.APL.{kind}"
        return [d for d in self.directives if d.get("type") == name]

    @property
    def screen(self) -> dict[str, Any] | None:
        """The APL document it rendered, with its token and datasources (None: none)."""
        rendered = self.shown()
        return rendered[0] if rendered else None

    @property
    def consent_request(self) -> tuple[str, str] | None:
        for directive in self.directives:
            if (
                directive.get("type") == "Connections.SendRequest"
                and directive.get("name") == "AskFor"
            ):
                scope = str((directive.get("payload") or {}).get("permissionScope", ""))
                return str(directive.get("token") or ""), scope
        return None

    @property
    def attributes(self) -> dict[str, Any]:
        attributes: dict[str, Any] = self.response.get("sessionAttributes") or {}
        return attributes


@dataclass
class Simulator:
    handler: Handler
    resolver: Resolver | None = None
    device: env.Device = field(default_factory=env.Device)
    clock: Callable[[], datetime] | None = None
    session: env.Session | None = None
    history: list[Turn] = field(default_factory=list)
    # An AskFor permission request Alexa is putting to the person: (token, scope).
    consent_request: tuple[str, str] | None = None
    # What the person says to run their Alexa Routine, which has the skill's task as an action
    # (None: the device language's, from alexa_words.json: "good night", "gute Nacht").
    routine_phrase: str | None = None
    routine_task: str = "StartBedtimeStretches"
    # The device's time zone, as Alexa knows it: "tomorrow" is the day after the person's
    # today there (None: the UTC date).
    zone: Callable[[], str | None] | None = None
    # The token of the APL document on the device's screen (a device with a screen only).
    on_screen: str | None = None

    def _now(self) -> datetime | None:
        return self.clock() if self.clock else None

    @property
    def words(self) -> AlexaWords:
        """Alexa's own words in the device's language (how a skill is opened, asked, ...)."""
        return AlexaWords.of(self.device.locale)

    def today(self) -> date:
        """The person's date, on the device's clock, for the days Alexa reads ("tomorrow")."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        now = self._now() or datetime.now(UTC)
        name = self.zone() if self.zone else None
        try:
            return now.astimezone(ZoneInfo(name)).date() if name else now.astimezone(UTC).date()
        except (ZoneInfoNotFoundError, ValueError):
            return now.astimezone(UTC).date()

    @property
    def in_session(self) -> bool:
        return self.session is not None

    def send(self, request: dict[str, Any], *, new_session: bool = False) -> Turn:
        """Send one request in the current session (or a new one), as Alexa would."""
        if new_session or self.session is None:
            self.session = env.Session()
        event = env.envelope(request, self.device, self.session, self.on_screen)
        response = self.handler(event, None)
        turn = Turn(event, response)
        if self.device.viewport is not None and turn.screen is not None:
            self.on_screen = str(turn.screen.get("token") or "")
        self.history.append(turn)
        self.consent_request = turn.consent_request
        ended = request.get("type") == "SessionEndedRequest" or turn.ends_session
        if self.consent_request is not None:
            ended = False  # Alexa holds the session while it asks, then answers the skill
        # A response without shouldEndSession and without a reprompt also ends the session
        # on devices without a screen; treat it the same here.
        if not ended and "shouldEndSession" not in turn.body:
            ended = not turn.reprompt_ssml
        if ended:
            self.session = None
        else:
            self.session.new = False
            self.session.attributes = turn.attributes
        return turn

    def launch(self) -> Turn:
        return self.send(env.launch_request(self.device.locale, self._now()), new_session=True)

    def intent(
        self,
        name: str,
        slots: Mapping[str, env.Slot | None] | None = None,
        *,
        new_session: bool = False,
    ) -> Turn:
        request = env.intent_request(
            name, slots, self.device.locale, self._now(), self.device.skill_id
        )
        return self.send(request, new_session=new_session)

    def touch(self, *arguments: Any) -> Turn:
        """The person touches a button on the screen: its SendEvent's arguments reach the
        skill as a UserEvent, in the session the document belongs to (or a new one)."""
        request = env.user_event(list(arguments), self.on_screen, self.device.locale, self._now())
        return self.send(request)

    def end(self, reason: str = "USER_INITIATED", error_type: str | None = None) -> Turn | None:
        """Alexa closes the session (the person walked away, or an error)."""
        if self.session is None:
            return None
        request = env.session_ended_request(
            reason, error_type, locale=self.device.locale, now=self._now()
        )
        return self.send(request)

    def _intent_for(self, line: str, *, new_session: bool) -> Turn:
        if self.resolver is None:
            raise RuntimeError("a resolver is needed to understand typed lines")
        resolution = self.resolver.resolve(line, self.today())
        declared = self.resolver.slots_of(resolution.intent)
        slots: dict[str, env.Slot | None] = {}
        for name, slot_type in declared.items():
            heard = resolution.slots.get(name)
            slots[name] = (
                env.Slot(heard.spoken, heard.value_id, heard.value_name, slot_type)
                if heard
                else None
            )
        turn = self.intent(resolution.intent, slots or None, new_session=new_session)
        turn.resolution = resolution
        return turn

    def run_routine(self, task_input: Mapping[str, Any] | None = None) -> Turn:
        """The person's Alexa Routine runs its "Cramp Coach: start bedtime stretches" action."""
        task = {
            "name": f"{self.device.skill_id}.{self.routine_task}",
            "version": "1",
            "input": dict(task_input or {}),
        }
        request = env.launch_request(self.device.locale, self._now(), task)
        return self.send(request, new_session=True)

    def answer_consent(self, status: str) -> Turn:
        """The person answers Alexa's permission question: ACCEPTED, DENIED or NOT_ANSWERED."""
        assert self.consent_request is not None
        token, scope = self.consent_request
        if status == "ACCEPTED":
            granted = self.device.granted_scopes | {scope}
            self.device = replace(self.device, granted_scopes=granted)
        request = env.connections_response(
            "AskFor",
            {"permissionScope": scope, "status": status},
            token,
            self.device.locale,
            self._now(),
        )
        return self.send(request)

    def ask(self, request: str) -> Turn:
        """A one-shot: the invocation name and a request in one breath ("Alexa, ask cramp coach
        what do I do"), in whatever language: a new session that starts with the intent."""
        return self._intent_for(request, new_session=True)

    def say(self, line: str) -> Turn:
        """One typed or spoken line, with or without the wake word and invocation name."""
        if self.consent_request is not None and self.resolver is not None:
            heard = self.resolver.resolve(line).intent
            answers: dict[str, str] = {Intent.YES: "ACCEPTED", Intent.NO: "DENIED"}
            status = answers.get(heard, "NOT_ANSWERED")
            return self.answer_consent(status)
        words = self.words
        text = re.sub(r"^\s*alexa[\s,.!]*", "", line.strip(), flags=re.IGNORECASE)
        lowered = re.sub(r"[^\w' ]+", " ", text.lower()).strip()
        lowered = re.sub(r"\s+", " ", lowered)
        name = self.resolver.invocation_name if self.resolver else "cramp coach"
        if self.session is None and lowered == (self.routine_phrase or words.routine_phrase):
            return self.run_routine()
        if words.opens(lowered, name):
            return self.launch()
        rest = words.request_after(text, name)
        if rest is not None:
            return self.ask(rest) if rest else self.launch()
        return self._intent_for(text, new_session=self.session is None)
