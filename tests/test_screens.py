"""Echo Show: the answer, stretch and red-flag screens (APL), and a screenless device that keeps
its cards.

Every document in content/apl/ is APL of the documents' version, lays itself out by viewport
profile, and binds only datasource paths the skill really sends; a Show gets one document per
answer and per stretch (the stretch with the commands that restart its countdown at each
hold), a speaker or an old APL runtime gets none; a touch on Next, Pause or Repeat is answered
exactly as the spoken command; and a session whose SessionEndedRequest never comes loses no
routine progress.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cramp_coach import ssml, state
from cramp_coach.config import Config
from cramp_coach.content import ContentLibrary
from cramp_coach.entry import handle_event
from cramp_coach.intents import Touch
from cramp_coach.local import envelope as env
from cramp_coach.local.envelope import SCREENS, Device, with_screen
from cramp_coach.local.resolver import Resolver
from cramp_coach.local.simulator import Simulator, Turn
from cramp_coach.questions import Question
from cramp_coach.routine import Progress
from cramp_coach.screens import APL_VERSION, COUNTDOWN, DATASOURCE, HOLD_START, Document
from cramp_coach.session import PENDING
from cramp_coach.skill import build_skill
from cramp_coach.store import SqliteStore

from .helpers.clock import DAYTIME
from .helpers.fuzz_count import EXAMPLES
from .helpers.locales import LOCALES
from .helpers.paths import CONTENT, ROOT
from .helpers.routine_turns import asks_continue_or_restart, stretch_number
from .helpers.stored import saved

APL = CONTENT / "apl"
SHOW_5 = "hubLandscapeSmall"
NIGHT = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 03:00 in New York
BOUND = re.compile(r"\$\{[^}]*\}")  # a data-binding expression
PAYLOAD_PATH = re.compile(r"\bpayload((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
# Profiles the documents lay out on their own; the others (landscape medium and large) take
# the documents' default sizes.
OWN_SIZES = ("hubRoundSmall", "hubLandscapeSmall", "hubLandscapeXLarge", "hubPortraitMedium")


def document(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((APL / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def dp(size: str) -> int:
    return int(size.removesuffix("dp"))


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def types(node: Any) -> Iterator[str]:
    """The `type` of every object in a document: components, commands, the document itself."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            yield node["type"]
        for value in node.values():
            yield from types(value)
    elif isinstance(node, list):
        for value in node:
            yield from types(value)


def components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component of a document's layout, depth first."""
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for key in ("item", "items"):
            yield from components(node.get(key))
    elif isinstance(node, list):
        for value in node:
            yield from components(value)


def bound_paths(doc: dict[str, Any]) -> set[tuple[str, ...]]:
    """Every `payload.x.y` path the document's bindings read."""
    found: set[tuple[str, ...]] = set()
    for text in strings(doc["mainTemplate"]):
        for expression in BOUND.findall(text):
            for match in PAYLOAD_PATH.finditer(expression):
                found.add(tuple(match.group(1).strip(".").split(".")))
    return found


def leaf_paths(node: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if isinstance(node, dict):
        return {path for key, value in node.items() for path in leaf_paths(value, (*prefix, key))}
    return {prefix}


def has_path(data: Any, path: tuple[str, ...]) -> bool:
    for step in path:
        if not isinstance(data, dict) or step not in data:
            return False
        data = data[step]
    return True


def show(echo: Simulator, profile: str = SHOW_5) -> Simulator:
    """The same Echo, now with a screen of this viewport profile."""
    echo.device = with_screen(echo.device, profile)
    return echo


def twin(tmp_path: Path, library: ContentLibrary, name: str, resolver: Resolver) -> Simulator:
    """An Echo Show of its own, on a skill and store of its own, its choices seeded like every
    other twin's: two twins told the same things say the same words."""
    store = SqliteStore(tmp_path / f"{name}.sqlite3")
    skill = build_skill(Config(), store, content=library, rng=random.Random(7))
    device = with_screen(Device(user_id=f"amzn1.ask.account.{name}"), SHOW_5)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_event(event, context, skill)

    return Simulator(handler, resolver, device, clock=lambda: DAYTIME)


def apl_directives(turn: Turn) -> list[dict[str, Any]]:
    return [d for d in turn.directives if str(d.get("type", "")).startswith("Alexa.Presentation")]


# --- The documents ----------------------------------------------------------------------------


def test_the_documents_are_the_screens_the_skill_sends() -> None:
    assert sorted(p.stem for p in APL.glob("*.json")) == sorted(d.value for d in Document)


@pytest.mark.parametrize("name", [d.value for d in Document])
def test_every_document_is_apl_of_its_version_with_the_viewport_profiles(name: str) -> None:
    doc = document(name)
    assert doc["type"] == "APL"
    assert tuple(int(p) for p in doc["version"].split(".")) == APL_VERSION
    assert {"name": "alexa-viewport-profiles", "version": "1.6.0"} in doc["import"]
    assert doc["mainTemplate"]["parameters"] == [DATASOURCE]
    assert doc["mainTemplate"]["items"], "a document shows something"
    assert all(isinstance(c["type"], str) for c in components(doc["mainTemplate"]["items"]))


@pytest.mark.parametrize("name", [d.value for d in Document])
def test_each_profile_gets_its_own_text_sizes_inside_the_document(name: str) -> None:
    """Layout is decided in the document by @viewportProfile, not by the SDK's helper: every
    profile that needs its own sizes gets every size, and text on the round screen stays
    legible at arm's length and clear of its edge."""
    doc = document(name)
    default = next(
        r["dimensions"] for r in doc["resources"] if "dimensions" in r and "when" not in r
    )
    by_profile = {
        re.sub(r"^\$\{@viewportProfile == @(\w+)\}$", r"\1", r["when"]): r["dimensions"]
        for r in doc["resources"]
        if "when" in r
    }
    assert sorted(by_profile) == sorted(OWN_SIZES)
    for profile, sizes in by_profile.items():
        assert profile in SCREENS
        assert set(sizes) == set(default), profile
    round_small = by_profile["hubRoundSmall"]
    for key, size in round_small.items():
        if key.endswith("Size"):
            assert dp(size) >= 18, (key, size)
    # Clear of the round screen's edge: each corner of the padded box lies inside the circle.
    radius = SCREENS["hubRoundSmall"].pixel_width / 2
    side, top, bottom = (dp(round_small[k]) for k in ("pad", "padTop", "padBottom"))
    assert (radius - side) ** 2 + (radius - min(top, bottom)) ** 2 <= radius**2
    for text in strings(doc["mainTemplate"]):
        for profile in re.findall(r"@viewportProfile == @(\w+)", text):
            assert profile in SCREENS, profile


@pytest.mark.parametrize("name", [d.value for d in Document])
def test_no_image_no_video_and_no_animation_but_the_countdown(name: str) -> None:
    doc = document(name)
    kinds = {c["type"] for c in components(doc["mainTemplate"]["items"])}
    assert not kinds & {"Image", "VectorGraphic", "Video"}
    assert not {t for t in types(doc) if t.startswith("Animate")}
    assert "onMount" not in json.dumps(doc)
    timed = [
        b for s in strings(doc["mainTemplate"]) for b in BOUND.findall(s) if "elapsedTime" in b
    ]
    assert len(timed) == (1 if name == Document.STRETCH else 0)  # the countdown's text


def test_long_words_scroll_rather_than_being_clipped() -> None:
    """The key action and a stretch's steps can be long: they sit in a ScrollView, on the round
    screen too."""
    for name, path in (("answer", "answer.action"), ("stretch", "stretch.instructions")):
        scrolled = [
            c
            for c in components(document(name)["mainTemplate"]["items"])
            if c["type"] == "ScrollView"
        ]
        assert any(path in s for view in scrolled for s in strings(view)), name


def test_the_countdown_is_a_binding_on_elapsed_time_that_a_hold_restarts() -> None:
    countdown = next(
        c
        for c in components(document("stretch")["mainTemplate"]["items"])
        if c.get("id") == COUNTDOWN
    )
    assert {"name": HOLD_START, "value": -1} in countdown["bind"]
    assert "elapsedTime" in countdown["text"] and HOLD_START in countdown["text"]


def test_the_buttons_send_the_touches_the_skill_handles() -> None:
    sent = [
        c["onPress"]
        for c in components(document("stretch")["mainTemplate"]["items"])
        if c["type"] == "TouchWrapper"
    ]
    arguments = [press[0]["arguments"] for press in sent]
    assert all(press[0]["type"] == "SendEvent" for press in sent)
    assert sorted(a[0] for a in arguments) == sorted(Touch)


def test_the_red_flag_screen_shows_the_number_and_nothing_else() -> None:
    doc = document("red_flag")
    texts = [c for c in components(doc["mainTemplate"]["items"]) if c["type"] == "Text"]
    assert [t["text"] for t in texts] == ["${payload.call.number}"]
    assert bound_paths(doc) == {("theme", "night"), ("call", "number")}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_emergency_answer_knows_its_markets_number_for_the_screen(
    library: ContentLibrary, locale: str
) -> None:
    content = library.get(locale)
    number = content.topics["emergency"].call
    assert number == content.numbers["emergency_number"]
    assert number is not None and len(number) <= 5  # one line, huge, on the round screen too
    called = {key: topic.call for key, topic in content.topics.items() if topic.call}
    assert called == {"emergency": number, "stroke": number}  # the same in every market
    for key, topic in content.topics.items():
        assert topic.screen and len(topic.screen.split()) <= 20, key


# --- What a device is sent -------------------------------------------------------------------


def a_night_on_the_show(echo: Simulator) -> list[Turn]:
    """An answer, a red flag, the routine's introduction and two stretches."""
    return [
        echo.say("ask cramp coach what do I do for a calf cramp"),
        echo.say("ask cramp coach I have chest pain and can't breathe"),
        echo.say("ask cramp coach to start my short bedtime stretches"),
        echo.say("yes"),
        echo.say("next"),
    ]


def test_a_speaker_keeps_its_cards_and_gets_no_apl(echo: Simulator) -> None:
    turns = a_night_on_the_show(echo)
    assert all(apl_directives(turn) == [] for turn in turns)
    assert turns[0].card is not None and turns[3].card is not None


def test_an_apl_runtime_older_than_the_documents_gets_no_screen(echo: Simulator) -> None:
    echo.device = with_screen(echo.device, SHOW_5, apl_version="1.6")
    turns = a_night_on_the_show(echo)
    assert all(apl_directives(turn) == [] for turn in turns)
    assert turns[0].card is not None


@pytest.mark.parametrize("profile", sorted(SCREENS))
def test_a_show_gets_one_screen_per_answer_and_per_stretch(echo: Simulator, profile: str) -> None:
    answer, red_flag, intro, first, second = a_night_on_the_show(show(echo, profile))
    assert [d["token"] for d in answer.shown()] == [Document.ANSWER.token]
    assert [d["token"] for d in red_flag.shown()] == [Document.RED_FLAG.token]
    assert apl_directives(intro) == []  # the introduction is no stretch
    for turn in (first, second):
        assert [d["token"] for d in turn.shown()] == [Document.STRETCH.token]
        assert [d["token"] for d in turn.shown("ExecuteCommands")] == [Document.STRETCH.token]
        assert turn.card is not None  # the card is kept, for the Alexa app
    assert answer.card is not None


def test_every_path_a_document_binds_is_in_the_datasource_sent_with_it(echo: Simulator) -> None:
    sent: dict[str, list[dict[str, Any]]] = {}
    for turn in [*a_night_on_the_show(show(echo)), echo.touch(Touch.REPEAT)]:
        for rendered in turn.shown():
            sent.setdefault(rendered["token"], []).append(rendered)
    assert sorted(sent) == sorted(d.token for d in Document)
    for name in Document:
        bound = bound_paths(document(name.value))
        for rendered in sent[name.token]:
            assert rendered["document"] == document(name.value)
            data = rendered["datasources"][DATASOURCE]
            assert [p for p in bound if not has_path(data, p)] == [], name
            assert leaf_paths(data) <= bound, "everything sent is shown"


def test_the_screen_shows_the_words_said(echo: Simulator, library: ContentLibrary) -> None:
    content = library.get("en-US")
    answer, red_flag, _, first, _ = a_night_on_the_show(show(echo))
    shown = answer.screen["datasources"][DATASOURCE]["answer"] if answer.screen else {}
    topic = content.topics["cramp_now"]
    assert shown["title"] == topic.title and shown["action"] == topic.screen
    assert shown["reviewed"] == content.reviewed_line(topic)
    assert shown["sources"] == [content.source_line(key) for key in topic.sources]
    assert red_flag.screen is not None
    assert red_flag.screen["datasources"][DATASOURCE]["call"] == {"number": "911"}
    stretch = first.screen["datasources"][DATASOURCE]["stretch"] if first.screen else {}
    assert stretch["position"] == f"{stretch_number(first)} of 4"
    assert stretch["instructions"].split(".")[0] in first.speech


def test_each_hold_restarts_the_countdown_as_it_begins(echo: Simulator) -> None:
    first = a_night_on_the_show(show(echo))[3]
    assert first.screen is not None
    hold_ms = first.screen["datasources"][DATASOURCE]["stretch"]["holdMs"]
    [execute] = first.shown("ExecuteCommands")
    [sequence] = execute["commands"]
    commands = sequence["commands"]
    assert sequence["type"] == "Sequential"
    idles, sets = commands[0::2], commands[1::2]
    assert [c["type"] for c in idles] == ["Idle"] * 3  # the short routine: three holds a stretch
    assert all(c == {**sets[0]} for c in sets)
    assert sets[0] == {
        "type": "SetValue",
        "componentId": COUNTDOWN,
        "property": HOLD_START,
        "value": "${elapsedTime}",
    }
    assert idles[0]["delay"] > 4000  # the steps and settling in come first
    assert all(idle["delay"] >= hold_ms for idle in idles[1:])  # one hold after the other


def test_at_night_the_screen_is_dark(echo: Simulator) -> None:
    echo.clock = lambda: NIGHT
    turn = show(echo).say("ask cramp coach what do I do for a calf cramp")
    assert turn.screen is not None
    assert turn.screen["datasources"][DATASOURCE]["theme"] == {"night": True}
    echo.clock = lambda: DAYTIME
    turn = echo.say("ask cramp coach what do I do for a calf cramp")
    assert turn.screen is not None
    assert turn.screen["datasources"][DATASOURCE]["theme"] == {"night": False}


# --- Touches ---------------------------------------------------------------------------------


def started(echo: Simulator) -> Turn:
    echo.say("ask cramp coach to start my short bedtime stretches")
    return echo.say("yes")


@pytest.mark.parametrize(
    ("spoken", "touch"), [("next", Touch.NEXT), ("pause", Touch.PAUSE), ("repeat", Touch.REPEAT)]
)
def test_a_touch_is_answered_as_the_spoken_command(
    tmp_path: Path, library: ContentLibrary, resolver: Resolver, spoken: str, touch: Touch
) -> None:
    speaking, touching = (twin(tmp_path, library, n, resolver) for n in ("SPEAKS", "TOUCHES"))
    assert started(speaking).speech == started(touching).speech
    said, touched = speaking.say(spoken), touching.touch(touch)
    assert touched.speech == said.speech
    assert touched.reprompt == said.reprompt and touched.ends_session == said.ends_session
    assert touched.attributes == said.attributes
    assert [d["type"] for d in touched.directives] == [d["type"] for d in said.directives]


def test_touches_in_the_middle_of_a_routine(echo: Simulator) -> None:
    first = started(show(echo))
    assert stretch_number(first) == 1
    assert stretch_number(echo.touch(Touch.NEXT)) == 2
    assert stretch_number(echo.touch(Touch.REPEAT)) == 2
    paused = echo.touch(Touch.PAUSE)
    assert paused.ends_session and "place" in paused.speech
    assert stretch_number(echo.say("ask cramp coach to continue my stretches")) == 3


def test_a_touch_that_is_no_button_of_ours_is_not_taken_for_one(echo: Simulator) -> None:
    started(show(echo))
    turn = echo.touch("skip-to-the-end")
    assert stretch_number(turn) is None


# --- Echo Show devices sometimes never send SessionEndedRequest --------------------------------


def test_a_session_that_ends_without_a_word_loses_no_progress(
    echo: Simulator, store: SqliteStore
) -> None:
    """The place is saved on every turn, so a session Alexa drops without a SessionEndedRequest
    (the person walked away from the Show) is picked up at the right stretch next time."""
    started(show(echo))
    assert stretch_number(echo.touch(Touch.NEXT)) == 2
    echo.session = None  # the device closes the session and never tells the skill
    offer = echo.say("open cramp coach")
    assert (offer.attributes.get(PENDING) or {}).get("kind") == Question.RESUME
    assert not offer.ends_session and "2" in offer.speech  # two stretches left
    resumed = echo.say("yes")
    assert stretch_number(resumed) == 3
    assert resumed.screen is not None
    assert resumed.screen["datasources"][DATASOURCE]["stretch"]["position"] == "3 of 4"
    echo.session = None  # and again, in the middle of a start
    asked = echo.say("ask cramp coach to start my short bedtime stretches")
    assert asks_continue_or_restart(asked) and "4" in asked.speech


def test_the_place_is_in_the_store_after_every_stretch(
    echo: Simulator, store: SqliteStore, library: ContentLibrary
) -> None:
    routine = library.get("en-US").routine
    started(show(echo))
    for position in (1, 2):
        echo.touch(Touch.NEXT)
        kept = Progress.from_json(saved(store).get(state.ROUTINE), routine)
        assert kept == Progress("short", position)


# --- skill.json --------------------------------------------------------------------------------


def test_the_manifest_declares_apl_for_every_screen_the_documents_lay_out() -> None:
    manifest = json.loads((ROOT / "skill.json").read_text(encoding="utf-8"))["manifest"]
    [apl] = [
        i for i in manifest["apis"]["custom"]["interfaces"] if i["type"] == "ALEXA_PRESENTATION_APL"
    ]
    viewports = apl["supportedViewports"]
    assert all(v["mode"] == "HUB" for v in viewports)
    for profile, screen in SCREENS.items():
        assert any(
            v["shape"] == screen.shape
            and v["minWidth"] <= screen.pixel_width <= v["maxWidth"]
            and v["minHeight"] <= screen.pixel_height <= v["maxHeight"]
            for v in viewports
        ), profile


# --- Whatever a screen sends ----------------------------------------------------------------

FUZZ_SKILL = build_skill(
    Config(),
    SqliteStore(Path(tempfile.mkdtemp()) / "fuzz.sqlite3"),
    content=ContentLibrary(CONTENT),
    rng=random.Random(7),
)
ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
TOUCHED = st.lists(st.sampled_from([*Touch, "skip", ""]) | ANYTHING, max_size=3)
REQUESTS = st.sampled_from(["touch", "CrampNowIntent", "EmergencyIntent", "AMAZON.NextIntent"])
RUNTIMES = st.sampled_from([None, "2023.3", "2024.2", "1.6", "2023", "garbage"])
PLACES = (
    st.none()
    | ANYTHING
    | st.fixed_dictionaries(
        {"length": st.sampled_from(["short", "full", "?"]), "position": st.integers(-2, 9)}
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=REQUESTS,
    arguments=TOUCHED,
    runtime=RUNTIMES,
    profile=st.sampled_from(sorted(SCREENS)),
    place=PLACES,
    night=st.booleans(),
)
def test_whatever_a_screen_sends_it_gets_a_valid_answer_and_only_screens_it_can_show(
    kind: str, arguments: list[Any], runtime: str | None, profile: str, place: Any, night: bool
) -> None:
    EXAMPLES["screens"] += 1
    device = Device() if runtime is None else with_screen(Device(), profile, runtime)
    now = NIGHT if night else DAYTIME
    request = (
        env.user_event(arguments, Document.STRETCH.token, now=now)
        if kind == "touch"
        else env.intent_request(kind, now=now)
    )
    session = env.Session(new=False, attributes={} if place is None else {"routine": place})
    result = handle_event(env.envelope(request, device, session), None, FUZZ_SKILL)
    response = result["response"]
    speech = (response.get("outputSpeech") or {}).get("ssml")
    reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
    for said in (speech, reprompt):
        assert said is None or ssml.validate(said) == []
    assert (reprompt is not None) == (response.get("shouldEndSession") is False)
    rendered = [
        d for d in response.get("directives", []) if d["type"].startswith("Alexa.Presentation")
    ]
    if runtime not in ("2023.3", "2024.2"):
        assert rendered == []  # no screen, or one that cannot read these documents
    for directive in rendered:
        if directive["type"].endswith("RenderDocument"):
            name = Document(directive["token"].removeprefix("cramp-coach-"))
            data = directive["datasources"][DATASOURCE]
            assert [p for p in bound_paths(document(name.value)) if not has_path(data, p)] == []
