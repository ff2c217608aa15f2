"""Every spoken word, loaded from `content/` and validated once per process, per locale.

The files are JSON so the standard library reads them at almost no cost on a cold start. The
structure every locale shares is kept apart from the words, so a new locale adds only words:

- `structure.json`   what the skill knows, by id: the sources' links; each topic's intent (and
                     slot ids, `when`), sources, review dates and offer (what a yes leads to);
                     the bedtime routine's stretches, sides, lengths, holds and sources.
- `<locale>/`        only words, by the same ids:
  - `answers.json`   each topic's title, phrasings (day and night) and the words of its offer;
                     under `cites`, the sources a locale's words cite for a topic instead of
                     the structure's (pages in its language, its country's services), with
                     the dates they were checked against them.
  - `prompts.json`   replies the skill needs around the answers (launch, help, fallback, ...),
                     a few `words` used to assemble cards and lists, how the locale writes
                     dates (`months`) and times (`time`), its `numbers` (the emergency number),
                     which fill `{emergency_number}`-style placeholders in every answer as it
                     loads, and `spoken_as`: how a written form is said ("911": "nine one one").
  - `sources.json`   how each source is named aloud and titled on a card; under `own`, the
                     sources only this locale cites, with their links and check dates.
  - `reminders.json` the bedtime reminder's replies and the words that describe a schedule.
  - `routine.json`   each stretch's name and steps, each length's name, the spoken cues, and
                     the routine's replies.
- `schema/`          JSON Schema for each kind of file, named by each file's `$schema`: editors
                     validate while people write, the tests validate every file. The keys the
                     code relies on come from there, through the derived `content_keys` module.

A locale may be written against another one instead of from scratch (`<locale>/locale.json`
names the one it `extends`): its folder then holds only what differs. Its words files give
only the entries that change (an object is merged key by key, a list of phrasings replaces the
base's list whole); `respell` changes words throughout the base's words it inherits ("toward"
-> "towards"; source names excepted); `structure` gives the ids that differ in the shared
structure for this market (its own sources, a topic's sources and review dates). The loader
merges the base and the overlay once per locale, when the locale is first asked for.

Every topic records when it was last reviewed against its sources and when its next review is
due (`reviewed`, `next_review`: ISO dates), as health publishers do; the card shows the first.

A reply that carries a reprompt (its own, or its offer's) asks a question and keeps the session
open; a reply without one is a statement and ends it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from . import content_keys as keys

EMPTY: Mapping[str, str] = MappingProxyType({})

# Slot value meaning "the person named something, but it matched none of our values".
UNMATCHED = "OTHER"

STRUCTURE = "structure.json"
# A locale written against another: which one it extends, and what differs besides its words.
LOCALE_FILE = "locale.json"
# The words files of a locale, in the order the loader reads them.
WORDS_FILES = ("sources", "prompts", "answers", "routine", "reminders")
# The words files `respell` changes (sources are names, and keep their own spelling).
RESPELLED = frozenset({"prompts", "answers", "routine", "reminders"})
# Derived from content/schema/ (see content_keys): the names kept for the code that uses them.
REQUIRED_REPLIES = keys.REQUIRED["prompts.replies"]
REQUIRED_REMINDER_REPLIES = keys.REQUIRED["reminders.replies"]
REQUIRED_ROUTINE_REPLIES = keys.REQUIRED["routine.replies"]
REQUIRED_CUES = keys.REQUIRED["routine.cues"]
QUESTION_REPLIES = keys.QUESTIONS
MIN_PHRASINGS = keys.MIN_PHRASINGS
OFFER_ACTIONS = keys.OFFER_ACTIONS
MIN_HOLD, MAX_HOLD = keys.MIN_HOLD, keys.MAX_HOLD


class ContentError(ValueError):
    """The content files are missing or break the rules the code relies on."""


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    spoken: str
    title: str
    url: str | None
    checked: str | None = None  # ISO date the source was last checked against the answers


@dataclass(frozen=True, slots=True)
class Offer:
    ask: tuple[str, ...]
    reprompt: tuple[str, ...]
    yes: str | None = None  # the topic a "yes" gives...
    action: str | None = None  # ...or what it does (one of OFFER_ACTIONS)


@dataclass(frozen=True, slots=True)
class Reply:
    key: str
    say: tuple[str, ...]
    reprompt: tuple[str, ...] = ()
    offer: Offer | None = None
    title: str | None = None
    sources: tuple[str, ...] = ()
    intent: str | None = None
    when: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    night: tuple[str, ...] = ()  # one-breath phrasings for the middle of the night
    reviewed: date | None = None  # topics: when the words were last checked against the sources
    next_review: date | None = None  # ... and when that check is due again
    private: bool = False  # topics: asking tells something of the person's health (memory.py)
    urgent: bool = False  # red flags led by an urgent action: said in a normal voice at any hour
    screen: str | None = None  # topics: the key action, large on a screen (screens.py)
    call: str | None = None  # red flags: the number to call, alone on a screen

    @property
    def asks(self) -> bool:
        """True when this reply ends in a question and keeps the session open."""
        return bool(self.reprompt) or self.offer is not None


@dataclass(frozen=True, slots=True)
class Stretch:
    key: str
    name: str
    title: str  # as a card's title
    helps: str  # a sentence, for the card
    steps: tuple[str, ...]
    sides: tuple[str, ...]  # empty: both legs at once
    sources: tuple[str, ...]
    short: str = ""  # its instructions in one short sentence, once the person knows it


@dataclass(frozen=True, slots=True)
class Step:
    """One stretch as a routine length does it, for one leg (or both, for a stretch without
    sides): how long each hold is, how often, and the rest between holds. A length lists each
    stretch once; it is done one leg per step, so every step fits in one response."""

    stretch: Stretch
    hold: int
    reps: int = 1
    rest: int = 5
    side: str | None = None  # one of the stretch's sides, or None for both legs at once
    label: str = ""  # how the step is named aloud: "the wall calf stretch, right leg"
    title: str = ""  # the step's card title: "The wall calf stretch, right leg"

    def __post_init__(self) -> None:
        if not self.label:  # named aloud as the stretch unless a length names the step
            object.__setattr__(self, "label", self.stretch.name)
        if not self.title:
            object.__setattr__(self, "title", self.stretch.title)


@dataclass(frozen=True, slots=True)
class Length:
    key: str
    name: str
    about: str
    seconds: int
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Routine:
    lengths: Mapping[str, Length]
    default_length: str
    cues: Mapping[str, tuple[str, ...]]
    words: Mapping[str, str]
    sources: tuple[str, ...]
    reviewed: date | None = None
    next_review: date | None = None


@dataclass(frozen=True, slots=True)
class Clock:
    """How the locale says a time of day (prompts.json `time`): a name for each hour 0-23, the
    part of the day each hour falls in, and the patterns that put them with the minutes."""

    hours: tuple[str, ...]  # 24 names: "12", "1", ... "11", "12", "1", ... on a 12-hour clock
    periods: tuple[str, ...]  # 24: the part of the day of each hour ("AM", "PM")
    on_the_hour: str  # {hour} {period} {minute}
    with_minutes: str

    def say(self, hour: int, minute: int) -> str:
        pattern = self.on_the_hour if minute == 0 else self.with_minutes
        return pattern.format(hour=self.hours[hour], period=self.periods[hour], minute=minute)


@dataclass(frozen=True, slots=True)
class Content:
    locale: str
    topics: Mapping[str, Reply]
    replies: Mapping[str, Reply]
    sources: Mapping[str, Source]
    words: Mapping[str, str]
    routine: Routine
    months: tuple[str, ...]  # January .. December, as the locale writes them
    spoken_as: Mapping[str, str] = field(
        default_factory=lambda: EMPTY
    )  # written form -> how it is said ("911" -> "nine one one")
    clock: Clock = field(kw_only=True)  # how a time of day is said
    numbers: Mapping[str, str] = field(
        default_factory=lambda: EMPTY, kw_only=True
    )  # the locale's numbers by name ("emergency_number" -> "911"), as its words write them

    @property
    def answer_intents(self) -> frozenset[str]:
        return frozenset(t.intent for t in self.topics.values() if t.intent)

    def topic_for(self, intent: str, slots: Mapping[str, str | None]) -> Reply | None:
        """The topic for an intent, picking the variant whose `when` matches the slot ids.

        `slots` maps slot name to its resolved id, `UNMATCHED` for a value that resolved to
        nothing, or None when the slot was not filled.
        """
        fallback: Reply | None = None
        for topic in self.topics.values():
            if topic.intent != intent:
                continue
            if not topic.when:
                fallback = fallback or topic
            elif all(slots.get(name) == value for name, value in topic.when.items()):
                return topic
        return fallback

    def reviewed_line(self, reply: Reply) -> str | None:
        """'Reviewed December 2026', for a topic's card."""
        if reply.reviewed is None:
            return None
        month = self.months[reply.reviewed.month - 1]
        return self.words["reviewed"].format(month=month, year=reply.reviewed.year)

    def source_line(self, key: str, link: bool = False) -> str:
        """'Source: NHS: Leg cramps' for a card; with the address too, if `link` and it has one."""
        source = self.sources[key]
        if link and source.url:
            return self.words["source_link"].format(title=source.title, url=source.url)
        return self.words["source_line"].format(title=source.title)

    def spoken_list(self, items: list[str]) -> str:
        """'a, b and c', as the locale joins a list."""
        if len(items) <= 1:
            return "".join(items)
        rest = self.words["list_separator"].join(items[:-1])
        return self.words["list_last"].format(rest=rest, last=items[-1])

    def time_of_day(self, hour: int, minute: int) -> str:
        """'10 PM', '9:30 PM': a time (24-hour `hour`) as the locale says it."""
        return self.clock.say(hour, minute)


def _strings(value: Any, where: str, problems: list[str], minimum: int = 1) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: must be a list of non-empty strings")
        return ()
    if len(value) < minimum:
        problems.append(f"{where}: needs at least {minimum} phrasings, has {len(value)}")
    if len(set(value)) != len(value):
        problems.append(f"{where}: repeats a phrasing")
    for phrase in value:
        if "<" in phrase or ">" in phrase:
            problems.append(f"{where}: contains markup; content is plain text ({phrase[:40]!r})")
    return tuple(value)


def _reply(key: str, raw: Any, where: str, problems: list[str]) -> Reply:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be an object")
        return Reply(key=key, say=())
    offer = None
    if "offer" in raw:
        o = raw["offer"]
        if not isinstance(o, dict) or (o.get("yes") is None) == (o.get("action") is None):
            problems.append(f"{where}.offer: needs ask, reprompt and either yes or action")
        else:
            offer = Offer(
                ask=_strings(o.get("ask"), f"{where}.offer.ask", problems, MIN_PHRASINGS),
                reprompt=_strings(o.get("reprompt"), f"{where}.offer.reprompt", problems),
                yes=o.get("yes"),
                action=o.get("action"),
            )
            if offer.action is not None and offer.action not in OFFER_ACTIONS:
                problems.append(f"{where}.offer.action: unknown action {offer.action!r}")
    reviewed = _date(raw.get("reviewed"), f"{where}.reviewed", problems)
    next_review = _date(raw.get("next_review"), f"{where}.next_review", problems)
    when = raw.get("when", {})
    if not isinstance(when, dict) or not all(isinstance(v, str) for v in when.values()):
        problems.append(f"{where}.when: must map slot names to value ids")
        when = {}
    return Reply(
        key=key,
        say=_strings(raw.get("say"), f"{where}.say", problems, MIN_PHRASINGS),
        reprompt=_strings(raw["reprompt"], f"{where}.reprompt", problems)
        if "reprompt" in raw
        else (),
        offer=offer,
        title=raw.get("title"),
        sources=tuple(raw.get("sources", ())),
        intent=raw.get("intent"),
        when=when,
        night=_strings(raw["night"], f"{where}.night", problems) if "night" in raw else (),
        reviewed=reviewed,
        next_review=next_review,
        private=raw.get("private") is True,
        urgent=raw.get("urgent") is True,
        screen=_text(raw.get("screen"), f"{where}.screen", problems),
        call=_text(raw.get("call"), f"{where}.call", problems),
    )


def _text(value: Any, where: str, problems: list[str]) -> str | None:
    """An optional line of plain text."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "<" in value or ">" in value:
        problems.append(f"{where}: must be a line of plain text")
        return None
    return value


def _date(value: Any, where: str, problems: list[str]) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where} is not an ISO date (YYYY-MM-DD): {value!r}")
        return None


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _fill_numbers(raw: Any, numbers: Mapping[str, str]) -> Any:
    """The raw topic with the locale's numbers (`{emergency_number}`) written into its words."""
    if isinstance(raw, str):
        return _PLACEHOLDER.sub(lambda m: numbers.get(m.group(1), m.group(0)), raw)
    if isinstance(raw, list):
        return [_fill_numbers(item, numbers) for item in raw]
    if isinstance(raw, dict):
        return {key: _fill_numbers(value, numbers) for key, value in raw.items()}
    return raw


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError as error:
        raise ContentError(f"missing content file {path}") from error
    except json.JSONDecodeError as error:
        raise ContentError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise ContentError(f"{path}: must hold a JSON object")
    data.pop("$schema", None)  # names the file's JSON Schema, for editors and the tests
    return data


def read_structure(root: str | os.PathLike[str]) -> dict[str, Any]:
    """`content/structure.json`: the part of the content every locale shares."""
    return _read(os.path.join(root, STRUCTURE))


@dataclass(frozen=True, slots=True)
class Raw:
    """One locale's content as read, before it is checked: the structure it uses and each words
    file by name, the overlays of the locales it extends merged in."""

    structure: Mapping[str, Any]
    words: Mapping[str, Mapping[str, Any]]


def merge(base: Any, overlay: Any) -> Any:
    """The base with the overlay's entries: objects merged key by key, anything else (a list of
    phrasings, a date, a string) replaced whole."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return overlay


def _respeller(table: Mapping[str, str]) -> re.Pattern[str] | None:
    return (
        re.compile(r"\b(" + "|".join(map(re.escape, sorted(table, key=len, reverse=True))) + r")\b")
        if table
        else None
    )


def respell(value: Any, table: Mapping[str, str]) -> Any:
    """Every string in `value` with each whole word of the table replaced ("toward" ->
    "towards"); a lowercase word that starts a sentence takes the replacement with a capital."""
    forms = {k[:1].upper() + k[1:]: v[:1].upper() + v[1:] for k, v in table.items() if k.islower()}
    forms.update(table)  # a word given as it is written ("PM") is replaced as given
    pattern = _respeller(forms)
    if pattern is None:
        return value

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return pattern.sub(lambda m: forms[m.group(1)], item)
        if isinstance(item, list):
            return [walk(x) for x in item]
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        return item

    return walk(value)


def _isfile(path: str) -> bool:
    """Whether a file is there, without opening it (a cold start counts the files it opens)."""
    return os.path.isfile(path)


# How a locale's base is had: (base, the locales extending it so far) -> its raw content.
BaseOf = Callable[[str, tuple[str, ...]], Raw]


def read_raw(
    root: str | os.PathLike[str],
    locale: str,
    structure: Mapping[str, Any],
    base_of: BaseOf | None = None,
    extending: tuple[str, ...] = (),
) -> Raw:
    """A locale's words files (and the structure it uses), read from `root/locale`. A locale
    that extends another is its base, from `base_of` (which may keep the bases it read before;
    by default, read again) with this folder's overlay merged in. `extending`: the locales on
    the way here, which the base may not be (a loop)."""
    root = os.fspath(root)
    folder = os.path.join(root, locale)
    declared_path = os.path.join(folder, LOCALE_FILE)
    if not _isfile(declared_path):
        return Raw(
            structure, {name: _read(os.path.join(folder, f"{name}.json")) for name in WORDS_FILES}
        )
    declared = _read(declared_path)
    base_name = declared.get("extends")
    chain = (*extending, locale)
    if not isinstance(base_name, str) or not base_name:
        raise ContentError(f"{declared_path}: needs `extends`, the locale it is written against")
    if base_name in chain:
        loop = " -> ".join((*chain, base_name))
        raise ContentError(f"{declared_path}: extends a locale that extends it ({loop})")
    if not os.path.isdir(os.path.join(root, base_name)):
        raise ContentError(f"{declared_path}: extends {base_name!r}, which is no locale folder")
    if base_of is None:

        def base_of(name: str, on_the_way: tuple[str, ...]) -> Raw:
            return read_raw(root, name, structure, None, on_the_way)

    base = base_of(base_name, chain)
    table = declared.get("respell") or {}
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in table.items()
    ):
        raise ContentError(f"{declared_path}: `respell` must map words to words")
    words: dict[str, Mapping[str, Any]] = {}
    for name in WORDS_FILES:
        inherited = respell(base.words[name], table) if name in RESPELLED else base.words[name]
        path = os.path.join(folder, f"{name}.json")
        words[name] = merge(inherited, _read(path)) if _isfile(path) else inherited
    return Raw(merge(base.structure, declared.get("structure") or {}), words)


def _combine(structure: Any, words: Any, where: str, problems: list[str]) -> Any:
    """One object from its structure and its words. Each key belongs to one side: a key both
    give (other than an object that both fill in, like an offer) is a mistake."""
    if not isinstance(structure, dict) or not isinstance(words, dict):
        problems.append(f"{where}: given both in {STRUCTURE} and in the words")
        return structure
    combined = dict(structure)
    for key, value in words.items():
        where_key = f"{where}.{key}"
        combined[key] = (
            _combine(combined[key], value, where_key, problems) if key in combined else value
        )
    return combined


def _by_id(
    where: str, structure: Any, words: Any, words_file: str, problems: list[str]
) -> dict[str, Any]:
    """Each id's structure with its words, in the structure's order: every id needs both."""
    structure = structure if isinstance(structure, dict) else {}
    words = words if isinstance(words, dict) else {}
    problems.extend(f"{where}.{k}: no words in {words_file}" for k in structure if k not in words)
    problems.extend(
        f"{where}.{k}: words in {words_file} for an id {STRUCTURE} does not have"
        for k in words
        if k not in structure
    )
    combined: dict[str, Any] = {}
    for key, value in structure.items():
        if isinstance(value, dict):
            combined[key] = _combine(value, words.get(key, {}), f"{where}.{key}", problems)
        else:
            problems.append(f"{where}.{key}: must be an object in {STRUCTURE}")
    return combined


def _own_sources(raw: Any, shared: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """The sources only this locale cites (`own` in its sources.json: pages in its language,
    its country's services), each with its address and when it was checked, like the
    structure's."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        problems.append("sources.own: must map ids to sources")
        return {}
    for key, source in raw.items():
        if key in shared:
            problems.append(f"sources.own.{key}: already a source in {STRUCTURE}")
        if "url" not in source or "checked" not in source:
            problems.append(f"sources.own.{key}: needs its url and when it was checked")
    return {key: value for key, value in raw.items() if key not in shared}


# A locale's own citation of a topic (`cites` in its answers.json): the sources its words
# cite there and when they were checked against them, instead of the structure's.
CITATION = ("sources", "reviewed", "next_review")


def _cite(topic: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """The topic with the locale's citation in place of the structure's, if it gives one."""
    if "cites" not in topic:
        return topic
    cites = topic.pop("cites")
    if not isinstance(cites, dict) or set(cites) != set(CITATION):
        problems.append(f"{where}.cites: needs exactly {CITATION}")
        return topic
    return {**topic, **cites}


def _check_keys(name: str, raw: Mapping[str, Any], problems: list[str]) -> None:
    """The keys content/schema/ fixes for this words file: each required one given, no other."""
    for place, required in keys.REQUIRED.items():
        file, section = place.split(".", 1)
        if file != name:
            continue
        given = raw.get(section)
        given = given if isinstance(given, dict) else {}
        problems.extend(f"{place}.{k}: missing" for k in required if not given.get(k))
        problems.extend(
            f"{place}.{k}: unknown (not in content/schema/{file}.schema.json)"
            for k in given
            if k not in keys.ALLOWED[place]
        )


def _check_pattern(
    where: str,
    pattern: str,
    problems: list[str],
    sample: Mapping[str, object],
    needed: tuple[str, ...] | None = None,
) -> None:
    """A words pattern may use only the fields of `sample` (values of the types the code fills
    in), and must use the needed ones (all, by default)."""
    try:
        pattern.format(**sample)
    except (KeyError, IndexError, ValueError) as error:
        problems.append(f"{where} uses a field other than {tuple(sample)} ({error!r})")
    missing = [f for f in (sample if needed is None else needed) if "{" + f not in pattern]
    if missing:
        problems.append(f"{where}: needs " + " ".join("{" + f + "}" for f in missing))


def _clock(raw: Any, problems: list[str]) -> Clock:
    raw = raw if isinstance(raw, dict) else {}
    hours = raw.get("hours")
    if not (
        isinstance(hours, list)
        and len(hours) == 24
        and all(isinstance(h, str) and h for h in hours)
    ):
        problems.append("prompts.time.hours: needs a name for each of the 24 hours, from 0")
        hours = [""] * 24
    starts = raw.get("periods")
    periods = [""] * 24
    if (
        not isinstance(starts, dict)
        or "0" not in starts
        or not all(isinstance(v, str) for v in starts.values())
        or not all(k.isdigit() and k == str(int(k)) and int(k) < 24 for k in starts)
    ):
        problems.append('prompts.time.periods: must map starting hours (from "0") to words')
    else:
        for hour in range(24):
            periods[hour] = starts.get(str(hour), periods[hour - 1])
    clock = Clock(
        tuple(hours),
        tuple(periods),
        str(raw.get("on_the_hour", "")),
        str(raw.get("with_minutes", "")),
    )
    sample = {"hour": hours[0], "period": periods[0], "minute": 0}
    period = ("period",) if any(periods) else ()
    for name, needed in (
        ("on_the_hour", ("hour", *period)),
        ("with_minutes", ("hour", *period, "minute")),
    ):
        _check_pattern(f"prompts.time.{name}", getattr(clock, name), problems, sample, needed)
    return clock


def parse(
    locale: str,
    folder: str | os.PathLike[str],
    structure: Mapping[str, Any] | None = None,
) -> Content:
    """Read and validate one locale's words with the shared structure (read from the folder
    beside the locale's when not given), and its base's if it extends one; raise ContentError
    listing every problem."""
    folder = os.path.abspath(folder)
    root = os.path.dirname(folder)
    if structure is None:
        structure = read_structure(root)
    return build(locale, read_raw(root, os.path.basename(folder), structure))


def build(locale: str, raw: Raw) -> Content:
    """Validate one locale's content as read (`read_raw`) and build it; raise ContentError
    listing every problem."""
    problems: list[str] = []
    structure = raw.structure

    def words_file(name: str) -> Mapping[str, Any]:
        words = raw.words[name]
        _check_keys(name, words, problems)
        return words

    raw_source_words = words_file("sources")
    raw_sources = _by_id(
        "sources",
        structure.get("sources"),
        raw_source_words.get("sources"),
        f"{locale}/sources.json",
        problems,
    )
    raw_sources.update(_own_sources(raw_source_words.get("own"), raw_sources, problems))
    sources = {
        key: Source(key, s.get("spoken", ""), s.get("title", ""), s.get("url"), s.get("checked"))
        for key, s in raw_sources.items()
    }
    for source in sources.values():
        if not source.spoken or not source.title:
            problems.append(f"sources.{source.key}: needs spoken and title")

    raw_prompts = words_file("prompts")
    numbers = raw_prompts.get("numbers") or {}
    if not isinstance(numbers, dict) or not all(isinstance(v, str) for v in numbers.values()):
        problems.append("prompts.numbers: must map names to the words that say them")
        numbers = {}
    raw_topics = _by_id(
        "topics",
        structure.get("topics"),
        words_file("answers").get("topics"),
        f"{locale}/answers.json",
        problems,
    )
    raw_topics = {k: _cite(t, f"topics.{k}", problems) for k, t in raw_topics.items()}
    topics = {
        key: _reply(key, _fill_numbers(raw, numbers), f"topics.{key}", problems)
        for key, raw in raw_topics.items()
    }
    offered = {t.offer.yes for t in topics.values() if t.offer}
    seen_variants: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for topic in topics.values():
        where = f"topics.{topic.key}"
        if not topic.title:
            problems.append(f"{where}: needs a title (used on the card)")
        if not topic.sources:
            problems.append(f"{where}: names no source")
        if topic.reviewed is None or topic.next_review is None:
            problems.append(f"{where}: needs reviewed and next_review dates")
        elif topic.next_review <= topic.reviewed:
            problems.append(f"{where}: next_review must come after reviewed")
        for phrase in (*topic.say, *topic.night, *(topic.offer.ask if topic.offer else ())):
            problems.extend(
                f"{where}: unknown placeholder {{{name}}}" for name in _PLACEHOLDER.findall(phrase)
            )
        problems.extend(f"{where}: unknown source {s!r}" for s in topic.sources if s not in sources)
        if topic.reprompt:
            problems.append(f"{where}: topics ask through an offer, not a bare reprompt")
        if topic.offer and topic.offer.yes is not None and topic.offer.yes not in topics:
            problems.append(f"{where}.offer.yes: unknown topic {topic.offer.yes!r}")
        if not topic.intent and topic.key not in offered:
            problems.append(f"{where}: unreachable (no intent, and no offer leads to it)")
        if topic.intent:
            variant = (topic.intent, tuple(sorted(topic.when.items())))
            if variant in seen_variants:
                problems.append(f"{where}: another topic already answers {variant}")
            seen_variants.add(variant)

    raw_routine = _routine_of(structure.get("routine"), words_file("routine"), locale, problems)
    routine = _routine(raw_routine, sources, problems)
    replies = {
        key: _reply(key, _fill_numbers(raw, numbers), f"replies.{key}", problems)
        for key, raw in raw_prompts.get("replies", {}).items()
    }
    raw_reminders = words_file("reminders")
    for name, raw_file in (("routine", raw_routine), ("reminders", raw_reminders)):
        for key, raw in raw_file.get("replies", {}).items():
            if key in replies:
                problems.append(f"{name}.replies.{key}: already defined elsewhere")
            replies[key] = _reply(
                key, _fill_numbers(raw, numbers), f"{name}.replies.{key}", problems
            )
    problems.extend(
        f"replies.{k}: must ask a question (needs a reprompt)"
        for k in QUESTION_REPLIES
        if k in replies and not replies[k].asks
    )
    for phrase in replies.get("source_of_last", Reply("", ())).say:
        if "{sources}" not in phrase:
            problems.append("replies.source_of_last: every phrasing needs {sources}")
    words = {**raw_prompts.get("words", {}), **raw_reminders.get("words", {})}
    for where, sample in (
        ("prompts.words.reviewed", {"month": "", "year": 2000}),
        ("prompts.words.source_line", {"title": ""}),
        ("prompts.words.source_link", {"title": "", "url": ""}),
        ("prompts.words.list_last", {"rest": "", "last": ""}),
        ("reminders.words.reminder_item", {"when": "", "time": ""}),
        ("reminders.words.ONCE_ON", {"month": "", "day": 1}),
        ("reminders.words.ONCE_ITEM", {"when": "", "time": ""}),
    ):
        _check_pattern(where, str(words.get(where.rsplit(".", 1)[1], "")), problems, sample)
    months = raw_prompts.get("months")
    if (
        not isinstance(months, list)
        or len(months) != 12
        or not all(isinstance(m, str) and m for m in months)
    ):
        problems.append("prompts.months: needs the twelve month names")
        months = [""] * 12
    spoken_as = raw_prompts.get("spoken_as") or {}
    if not isinstance(spoken_as, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in spoken_as.items()
    ):
        problems.append("prompts.spoken_as: must map written forms to the words that say them")
        spoken_as = {}
    clock = _clock(raw_prompts.get("time"), problems)

    if problems:
        raise ContentError(f"content/{locale} is invalid:\n  " + "\n  ".join(problems))
    return Content(
        locale,
        topics,
        replies,
        sources,
        words,
        routine,
        tuple(months),
        MappingProxyType(spoken_as),
        clock=clock,
        numbers=MappingProxyType(dict(numbers)),
    )


def _routine_of(structure: Any, words: Mapping[str, Any], locale: str, problems: list[str]) -> Any:
    """The routine's structure with its words: each stretch and length by id."""
    structure = structure if isinstance(structure, dict) else {}
    by_id = ("stretches", "lengths")
    raw = _combine(
        {k: v for k, v in structure.items() if k not in by_id},
        {k: v for k, v in words.items() if k not in by_id},
        "routine",
        problems,
    )
    for part in by_id:
        raw[part] = _by_id(
            f"routine.{part}",
            structure.get(part),
            words.get(part),
            f"{locale}/routine.json",
            problems,
        )
    return raw


def _routine(raw: Any, sources: Mapping[str, Source], problems: list[str]) -> Routine:
    stretches: dict[str, Stretch] = {}
    for key, s in (raw.get("stretches") or {}).items():
        where = f"routine.stretches.{key}"
        stretch = Stretch(
            key=key,
            name=str(s.get("name", "")),
            title=str(s.get("title", "")),
            helps=str(s.get("helps", "")),
            steps=_strings(s.get("steps"), f"{where}.steps", problems),
            sides=tuple(s.get("sides", ())),
            sources=tuple(s.get("sources", ())),
            short=str(s.get("short", "")),
        )
        if not stretch.name or not stretch.title or not stretch.helps or not stretch.short:
            problems.append(f"{where}: needs a name, a title, what it helps and a short form")
        if not stretch.sources:
            problems.append(f"{where}: names no source")
        problems.extend(
            f"{where}: unknown source {x!r}" for x in stretch.sources if x not in sources
        )
        has_side = any("{side}" in step for step in stretch.steps)
        if has_side != bool(stretch.sides):
            problems.append(f"{where}: {{side}} in the steps exactly when the stretch has sides")
        if ("{side}" in stretch.short) != bool(stretch.sides):
            problems.append(f"{where}: {{side}} in the short form exactly when it has sides")
        stretches[key] = stretch
    words = raw.get("words") or {}
    if any(s.sides for s in stretches.values()) and "{side}" not in words.get("side_step", ""):
        problems.append("routine.words.side_step: needs {name} and {side}")
    for stretch in stretches.values():
        problems.extend(
            f"routine.words: no word for side {side!r}"
            for side in stretch.sides
            if side not in words
        )
    lengths: dict[str, Length] = {}
    for key, length in (raw.get("lengths") or {}).items():
        where = f"routine.lengths.{key}"
        steps: list[Step] = []
        for i, item in enumerate(length.get("stretches", [])):
            stretch_key = item.get("stretch")
            if stretch_key not in stretches:
                problems.append(f"{where}[{i}]: unknown stretch {stretch_key!r}")
                continue
            stretch = stretches[stretch_key]
            hold = int(item.get("hold", 0))
            reps = int(item.get("reps", 1))
            rest = int(item.get("rest", 5))
            if not MIN_HOLD <= hold <= MAX_HOLD or reps < 1 or rest < 0:
                problems.append(f"{where}[{i}]: hold {hold} s x {reps} is out of range")
            for side in stretch.sides or (None,):  # one step per leg
                label, title = stretch.name, stretch.title
                if side is not None:
                    word = words.get(side, side)
                    label = words.get("side_step", "{name}").format(name=stretch.name, side=word)
                    title = words.get("side_title", "{title}").format(title=title, side=word)
                steps.append(Step(stretch, hold, reps, rest, side, label, title))
        if not steps:
            problems.append(f"{where}: has no stretches")
        lengths[key] = Length(
            key,
            str(length.get("name", key)),
            str(length.get("about", "")),
            int(length.get("seconds", 0)),
            tuple(steps),
        )
    default = raw.get("default_length")
    if default not in lengths:
        problems.append(f"routine.default_length: {default!r} is not a length")
    cues = {
        key: _strings(value, f"routine.cues.{key}", problems, MIN_PHRASINGS)
        for key, value in (raw.get("cues") or {}).items()
    }
    problems.extend(f"routine.cues.{k}: missing" for k in REQUIRED_CUES if k not in cues)
    routine_sources = tuple(raw.get("sources", ()))
    problems.extend(f"routine: unknown source {x!r}" for x in routine_sources if x not in sources)
    reviewed = _date(raw.get("reviewed"), "routine.reviewed", problems)
    next_review = _date(raw.get("next_review"), "routine.next_review", problems)
    if reviewed is None or next_review is None:
        problems.append("routine: needs reviewed and next_review dates")
    return Routine(lengths, str(default), cues, words, routine_sources, reviewed, next_review)


def content_root() -> str:
    """`content/` beside the package (the Lambda bundle) or at the repository top level."""
    here = os.path.dirname(os.path.realpath(__file__))
    for candidate in (
        os.path.join(here, "..", "content"),
        os.path.join(here, "..", "..", "content"),
    ):
        if os.path.isdir(candidate):
            return os.path.normpath(candidate)
    raise ContentError(f"no content/ folder found near {here}")


class ContentLibrary:
    """Loads each locale's content on first use and keeps it for the life of the process: the
    shared structure once, and only the words of the locales asked for."""

    def __init__(
        self, root: str | os.PathLike[str] | None = None, default_locale: str = "en-US"
    ) -> None:
        self._root = os.fspath(root) if root is not None else None
        self._default = default_locale
        self._loaded: dict[str, Content] = {}
        self._raw: dict[str, Raw] = {}  # as read: a base, once, for every locale extending it
        self._available: frozenset[str] | None = None
        self._structure: dict[str, Any] | None = None

    @property
    def root(self) -> str:
        if self._root is None:
            self._root = content_root()
        return self._root

    def available(self) -> frozenset[str]:
        if self._available is None:
            self._available = frozenset(
                name
                for name in os.listdir(self.root)
                if any(
                    os.path.isfile(os.path.join(self.root, name, marker))
                    for marker in ("answers.json", LOCALE_FILE)
                )
            )
        return self._available

    def resolve(self, locale: str | None) -> str:
        """The content locale to use: exact match, then same language, then the default. Of
        the same language, a locale written in full comes before the markets written against
        it: a market's numbers and services are its own (en-NZ must not hear Australia's)."""
        available = self.available()
        if locale in available:
            return locale
        language = (locale or "").split("-")[0].lower()

        def market(candidate: str) -> bool:
            return os.path.isfile(os.path.join(self.root, candidate, LOCALE_FILE))

        for candidate in sorted(available, key=lambda c: (market(c), c)):
            if candidate.split("-")[0].lower() == language:
                return candidate
        return self._default

    def get(self, locale: str | None) -> Content:
        chosen = self.resolve(locale)
        content = self._loaded.get(chosen)
        if content is None:
            content = build(chosen, self._read(chosen, ()))
            self._loaded[chosen] = content
        return content

    def _read(self, locale: str, extending: tuple[str, ...]) -> Raw:
        """A locale as read, kept: the locales that extend it read it once between them."""
        raw = self._raw.get(locale)
        if raw is None:
            if self._structure is None:
                self._structure = read_structure(self.root)
            raw = read_raw(self.root, locale, self._structure, self._read, extending)
            self._raw[locale] = raw
        return raw
