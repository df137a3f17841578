"""An alert's facts are worded in each language; no key, placeholder or English fragment
reaches a therapist, whatever facts an alert has (old ones may have none)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coachbot.domain.model import Alert
from coachbot.domain.red_flags import RED_FLAGS
from coachbot.domain.vocabulary import AlertKind, RedFlag
from coachbot.i18n import Translator
from conversations import labels

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def alert(
    kind: AlertKind,
    *,
    pain: int | None = None,
    days: int | None = None,
    red_flag: RedFlag | None = None,
) -> Alert:
    return Alert(1, kind, NOW, pain=pain, days=days, red_flag=red_flag)


def test_every_red_flag_asked_has_a_phrase_in_both_languages() -> None:
    assert set(labels.RED_FLAG_LABELS) == set(RED_FLAGS) == set(RedFlag)
    for flag, phrase in labels.RED_FLAG_LABELS.items():
        german = Translator("de")(phrase)
        assert german != phrase
        assert " " in phrase and "_" not in phrase and flag.value not in german


@pytest.mark.parametrize(
    ("days", "english", "german"),
    [
        (
            1,
            "🔕 Anna has sent no report for 1 day.",
            "🔕 Anna hat seit 1 Tag keine Rückmeldung geschickt.",
        ),
        (
            3,
            "🔕 Anna has sent no report for 3 days.",
            "🔕 Anna hat seit 3 Tagen keine Rückmeldung geschickt.",
        ),
    ],
)
def test_days_without_a_report_take_the_right_plural(days: int, english: str, german: str) -> None:
    silent = alert(AlertKind.SILENT, days=days)
    assert labels.alert_text(silent, "Anna", Translator("en")) == english
    assert labels.alert_text(silent, "Anna", Translator("de")) == german
    assert (
        labels.alert_facts(silent, Translator("de")) == f"{days} {'Tag' if days == 1 else 'Tage'}"
    )


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    "case",
    [
        alert(AlertKind.PAIN_HIGH, pain=9),
        alert(AlertKind.PAIN_RISE, pain=6),
        alert(AlertKind.SILENT, days=4),
        *(alert(AlertKind.RED_FLAG, red_flag=flag) for flag in RedFlag),
        alert(AlertKind.BOT_BLOCKED),
        # From before facts were stored, where the old text said nothing the code wrote.
        alert(AlertKind.PAIN_HIGH),
        alert(AlertKind.PAIN_RISE),
        alert(AlertKind.SILENT),
        alert(AlertKind.RED_FLAG),
    ],
    ids=lambda case: f"{case.kind}-{case.pain or case.days or case.red_flag}",
)
def test_every_alert_reads_as_a_sentence(language: str, case: Alert) -> None:
    _ = Translator(language)
    text = labels.alert_text(case, "Anna", _)
    facts = labels.alert_facts(case, _)
    assert text.startswith(("⚠️ Anna", "⚠️ Die Schmerzen von Anna", "🔕 Anna", "🚨 Anna", "🚫 Anna"))
    for shown in (text, facts or ""):
        assert "{" not in shown and "None" not in shown and "_" not in shown
    if case.pain is not None:
        assert f"{case.pain}/10" in text and facts == f"{case.pain}/10"
    if case.days is not None:
        assert str(case.days) in text
    if case.red_flag is not None:
        assert facts == _(labels.RED_FLAG_LABELS[case.red_flag]) and facts in text
    if language == "de":
        assert "days" not in text and "pain" not in text
