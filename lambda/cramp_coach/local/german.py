"""German words for the local resolver: how a typed German line becomes the tokens it compares.

Lowercase, umlauts and ß kept as letters (never split into pieces), spelled-out acronyms
joined (a. l. s. -> als), filler dropped beside other words, and a light stem: umlauts and ß
folded (Krämpfe and Krampf, Füße and Fuß meet), one inflectional ending removed, and the
common irregular verbs put to one form. Like Alexa's own matching, it is about the words'
forms, never about which intent a word should win. For the local resolver only.
"""

from __future__ import annotations

import re

# Filler that carries no meaning for any intent; dropped beside other words.
FILLER = frozenset(
    [
        "äh",
        "ähm",
        "öhm",
        "hm",
        "hmm",
        "ach",
        "oh",
        "ah",
        "na",
        "hey",
        "hallo",
        "bitte",
        "mal",
        "also",
        "so",
        "eigentlich",
        "einfach",
        "okay",
        "ok",
        "alexa",
    ]
)
# Forms no ending rule brings together: the verbs people use most, a few plurals.
_IRREGULAR = {
    "bin": "sein",
    "bist": "sein",
    "ist": "sein",
    "sind": "sein",
    "seid": "sein",
    "war": "sein",
    "waren": "sein",
    "hab": "hab",
    "habe": "hab",
    "hast": "hab",
    "hat": "hab",
    "haben": "hab",
    "hatte": "hab",
    "hatten": "hab",
    "tut": "tun",
    "tue": "tun",
    "tun": "tun",
    "kann": "konn",
    "kannst": "konn",
    "können": "konn",
    "könnte": "konn",
    "muss": "muss",
    "musst": "muss",
    "müssen": "muss",
    "soll": "soll",
    "sollte": "soll",
    "sollst": "soll",
    "sollen": "soll",
    "hilft": "helf",
    "hilf": "helf",
    "helfen": "helf",
    "half": "helf",
    "geholfen": "helf",
    "nimm": "nehm",
    "nimmst": "nehm",
    "nimmt": "nehm",
    "nehmen": "nehm",
    "genommen": "nehm",
    "schläft": "schlaf",
    "schlafe": "schlaf",
    "schlafen": "schlaf",
    "eingeschlafen": "schlaf",
    "weckt": "weck",
    "wecken": "weck",
    "geweckt": "weck",
    "wach": "wach",
    "aufgewacht": "aufwach",
    "aufwachen": "aufwach",
    "wache": "wach",
    "krampft": "krampf",
    "krampfte": "krampf",
    "verkrampft": "krampf",
    "gekrampft": "krampf",
    "krampfen": "krampf",
    "krampfender": "krampf",
    "krämpfe": "krampf",
    "krämpfen": "krampf",
    "wehtut": "weh",
    "wehtun": "weh",
    "weh": "weh",
    "doc": "arzt",
    "doktor": "arzt",
    "ärztin": "arzt",
    "ärzte": "arzt",
    "hausarzt": "arzt",
    "hausärztin": "arzt",
    "eine": "ein",
    "einen": "ein",
    "einem": "ein",
    "einer": "ein",
    "eines": "ein",
    "keine": "kein",
    "keinen": "kein",
    "keinem": "kein",
    "keiner": "kein",
    "hilfe": "helf",
    "diabetiker": "diabetes",
    "diabetikerin": "diabetes",
    "schwanger": "schwanger",
    "schwangerschaft": "schwanger",
}
# Endings removed (the longest that fits), leaving at least this many letters.
_ENDINGS = (("ern", 4), ("em", 4), ("en", 4), ("er", 4), ("es", 4), ("e", 4), ("n", 4), ("s", 4))
_VERB_ENDINGS = (("est", 5), ("st", 5), ("et", 5), ("t", 5))
_ACRONYM = re.compile(r"\b((?:[^\W\d_]\.\s*){2,})")
_NON_WORD = re.compile(r"[^\w{}\s]+")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _collapse_acronym(match: re.Match[str]) -> str:
    return match.group(1).replace(".", "").replace(" ", "") + " "


def stem(token: str, keep: frozenset[str] = frozenset()) -> str:
    """One token's light stem; `keep` names tokens that stay as they are (markers)."""
    if token.startswith("{") or token in keep or token.isdigit():
        return token
    if token in _IRREGULAR:
        return _IRREGULAR[token].translate(_FOLD)
    word = token.translate(_FOLD)
    for ending, rest in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= rest:
            return word[: -len(ending)]
    for ending, rest in _VERB_ENDINGS:
        if (
            word.endswith(ending)
            and len(word) - len(ending) >= rest
            and word[-len(ending) - 1] not in "aeiouh"
        ):
            return word[: -len(ending)]
    return word


def tokens(line: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """Lowercase, acronyms joined, punctuation and filler dropped, each word stemmed. Filler
    is dropped only beside other words: said on its own ("okay"), it is the answer."""
    text = line.lower().replace("\u2019", "'")
    text = _ACRONYM.sub(_collapse_acronym, text)
    text = text.replace("'", "")
    text = _NON_WORD.sub(" ", text)
    words = text.split()
    meant = [word for word in words if word not in FILLER] or words
    return [stem(word, keep) for word in meant]
