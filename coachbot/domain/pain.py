"""Pain judged against the person's usual pain, as a physiotherapist judges it.

Most people in a back school live with some pain every day, so a fixed number says
little: 6/10 is a bad day for one person and an ordinary day for another. These rules
follow the pain-monitoring model used in exercise therapy for persistent pain:

- Silbernagel KG, Thomeé R, Eriksson BI, Karlsson J. Continued sports activity, using a
  pain-monitoring model, during rehabilitation in patients with Achilles tendinopathy.
  Am J Sports Med 2007;35:897-906 (pain during exercise may rise a little; it must settle
  by the next morning, and must not build up from week to week).
- Smith BE et al. Should exercises be painful in the management of chronic
  musculoskeletal pain? Br J Sports Med 2017;51:1679-87 (exercise that hurts somewhat is
  no worse than pain-free exercise in the short term).
- NICE NG59 (2016, updated 2020), low back pain and sciatica: keep active; exercise as
  part of self-management.

The rules, with their thresholds:

- Usual pain: the pain the person gave at enrolment, then the median of their recent
  reports made outside a flare (`usual_after`).
- Acceptable: at most ACCEPTABLE_RISE (2) points above usual during or after exercise,
  and settled back to usual by the next morning (`Morning`).
- A marked rise is MARKED_RISE (3) or more above usual: the plan is made easier, the
  therapist is alerted, and the safety re-check (cauda equina signs) is asked.
- A lasting rise: ACCEPTABLE_RISE or more above usual in each of the last LASTING
  reports; the therapist is alerted.
- Severe pain: SEVERE (9) or more and at least ACCEPTABLE_RISE above usual; the
  therapist is alerted and the safety re-check is asked.
- Worse the next morning: the plan is made easier; twice in a row alerts the therapist.
- One report raises at most one alert naming every sign that applies, and none while an
  unseen pain alert of the last ALERT_QUIET days already reports pain as high.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum
from statistics import median_low

from coachbot.domain.vocabulary import Morning, PainSign

ACCEPTABLE_RISE = 2
MARKED_RISE = 3
STRONG_RISE = 5
SEVERE = 9
LASTING = 3
# Reports outside a flare that make up the usual pain, and how recent they must be.
USUAL_WINDOW = 5
USUAL_MIN = 3
USUAL_DAYS = timedelta(days=28)
# A flare is "under way" for this long after a marked rise or a worse morning: the usual
# pain is not updated meanwhile, so a flare never becomes the new normal.
FLARE_DAYS = timedelta(days=3)
ALERT_QUIET = timedelta(days=7)
# Before any pain is known (a patient enrolled before usual pain was asked) pain is judged
# as if usual were none: the most careful reading.
UNKNOWN_USUAL = 0


class Light(StrEnum):
    """The traffic light the patient sees after a pain answer, relative to usual pain."""

    GREEN = "green"  # up to 2 above usual: fine, carry on
    AMBER = "amber"  # 3-4 above usual, or severe: go easier
    RED = "red"  # 5 or more above usual: rest from the exercises until it settles


def check_pain(pain: int) -> None:
    if not 0 <= pain <= 10:
        raise ValueError(f"pain must be 0-10, not {pain}")


def usual_of(baseline: int | None, usual: int | None) -> int:
    """The usual pain to judge against: as reports showed it, else as told at enrolment."""
    if usual is not None:
        return usual
    return baseline if baseline is not None else UNKNOWN_USUAL


def light(pain: int, usual: int) -> Light:
    """The traffic light for pain after exercise, against the person's usual pain."""
    check_pain(pain)
    rise = pain - usual
    if rise >= STRONG_RISE:
        return Light.RED
    if rise >= MARKED_RISE or (pain >= SEVERE and rise >= ACCEPTABLE_RISE):
        return Light.AMBER
    return Light.GREEN


def zones(usual: int) -> tuple[int, int | None]:
    """The highest green pain and the lowest red one (None: red cannot be reached), for
    the traffic light a patient reads before a session."""
    green = min(10, usual + ACCEPTABLE_RISE)
    red = usual + STRONG_RISE
    return green, red if red <= 10 else None


def signs(pain: int, usual: int, earlier: Sequence[int]) -> list[PainSign]:
    """What makes a pain report worth a therapist's attention; `earlier` holds the pain of
    the previous reports, newest first."""
    check_pain(pain)
    rise = pain - usual
    found = []
    if rise >= MARKED_RISE:
        found.append(PainSign.MARKED_RISE)
    recent = [pain, *earlier[: LASTING - 1]]
    if len(recent) == LASTING and all(p - usual >= ACCEPTABLE_RISE for p in recent):
        found.append(PainSign.LASTING_RISE)
    if pain >= SEVERE and rise >= ACCEPTABLE_RISE:
        found.append(PainSign.SEVERE)
    return found


def recheck(found: Sequence[PainSign]) -> bool:
    """Whether to ask the safety re-check: on a marked rise or severe pain, not on pain at
    the usual level however high that is."""
    return PainSign.MARKED_RISE in found or PainSign.SEVERE in found


def already_told(pain: int, open_alert_pain: int | None) -> bool:
    """An unseen pain alert of the last days already says pain is this high: another for
    the same flare would only repeat it."""
    return open_alert_pain is not None and open_alert_pain >= pain


def mornings_worse(newest_first: Sequence[Morning]) -> bool:
    """Worse than usual on the last two next-morning checks."""
    return len(newest_first) >= 2 and all(m is Morning.WORSE for m in newest_first[:2])


def usual_after(baseline: int | None, usual: int | None, calm_pains: Sequence[int]) -> int | None:
    """The usual pain after a report, from the pains reported outside a flare in the last
    USUAL_DAYS (newest first, the new one included); unchanged with fewer than USUAL_MIN.

    Only reports within ACCEPTABLE_RISE of the usual pain count, so the usual pain follows
    a person who improves (or whose enrolment guess was off by a point or two) without a
    flare ever becoming their new normal."""
    current = usual_of(baseline, usual)
    calm = [p for p in calm_pains[:USUAL_WINDOW] if p - current <= ACCEPTABLE_RISE]
    if len(calm) < USUAL_MIN:
        return usual
    return int(median_low(calm))
