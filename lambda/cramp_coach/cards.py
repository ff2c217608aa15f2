"""The cards shown in the Alexa app: what was said, its sources and when they were reviewed."""

from __future__ import annotations

from ask_sdk_model.ui import SimpleCard

from . import ssml
from .content import Content, Reply, Step


def answer_card(content: Content, reply: Reply, speech: ssml.Speech) -> SimpleCard:
    """An answer: its words as spoken, each source with its link, the review date."""
    reviewed = content.reviewed_line(reply)
    lines = [
        ssml.to_plain_text(speech.ssml()),
        "",
        *(content.source_line(key, link=True) for key in reply.sources),
        "",
        *([reviewed] if reviewed else []),
        content.words["card_footer"],
    ]
    return SimpleCard(title=reply.title, content="\n".join(lines))


def stretch_card(content: Content, step: Step, sentences: tuple[str, ...]) -> SimpleCard:
    """A stretch: its steps for this leg (`sentences`), what it helps, its sources."""
    stretch = step.stretch
    lines = [
        " ".join(sentences),
        "",
        stretch.helps,
        *(content.source_line(key) for key in stretch.sources),
        "",
        content.words["card_footer"],
    ]
    return SimpleCard(title=step.title, content="\n".join(lines))
