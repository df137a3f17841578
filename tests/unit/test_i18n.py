"""Every string the bot can say exists in English and German."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from coachbot.domain.vocabulary import Language
from coachbot.i18n import LOCALE_DIR, Translator, pick_language

ROOT = Path(__file__).resolve().parents[2]
# p_ translates for the other person of a conversation (a therapist's action told to the patient).
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "p_": None}


def source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("coachbot", "conversations"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def german_pairs() -> list[tuple[str, str]]:
    """(English, German) for every message; plurals give one pair per form."""
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "coachbot.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="de")
    pairs: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        # A plural message has a tuple of forms on both sides; the others one string each.
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else message.string
        pairs += list(zip(ids, strings or (), strict=True))
    return pairs


def german_catalog() -> dict[str, str]:
    return dict(german_pairs())


def test_every_message_in_the_code_has_a_german_translation() -> None:
    german = german_catalog()
    missing = sorted(m for m in source_messages() if not german.get(m))
    assert missing == [], "run pybabel extract/update and translate:\n" + "\n".join(missing)


def test_translations_keep_placeholders_and_markup() -> None:
    for english, german in german_pairs():
        assert set(re.findall(r"\{\w+\}", english)) == set(re.findall(r"\{\w+\}", german)), english
        for tag in ("<b>", "</b>", "<i>", "</i>"):
            assert english.count(tag) == german.count(tag), english
        for command in re.findall(r"/[a-z]+\b", english):
            assert command in german, (command, english)


def test_translator_speaks_german_and_falls_back_to_english() -> None:
    assert Translator("de")("Yes") == "Ja"
    assert Translator("en")("Yes") == "Yes"
    assert Translator("fr")("Yes") == "Yes"
    assert pick_language("de-AT") == "de"
    assert pick_language("fr", default=Language.DE) == "de"
    assert pick_language(None) == "en"
