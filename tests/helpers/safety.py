"""The safety net a session's first miss or error begins with (conversation.safety_net)."""

from __future__ import annotations

from cramp_coach.content import Content


def after_the_safety_net(content: Content, speech: str, *, night: bool = False) -> str:
    """What a first miss says after its emergency line; fails if the line is not first."""
    net = content.replies["safety_net_night" if night else "safety_net"]
    line = next((p for p in net.say if speech.startswith(p)), None)
    assert line is not None, f"no safety line first: {speech!r}"
    return speech[len(line) :].lstrip()
