"""The red-flag screen's table: every sign asked once, with its urgency, in short groups."""

from __future__ import annotations

import pytest

from coachbot.domain.enrolment import (
    FIRST_STEP,
    current_step,
    enrolling,
    next_step,
    screening_group,
)
from coachbot.domain.red_flags import (
    GROUPS,
    RED_FLAGS,
    Group,
    Urgency,
    group_of,
    next_group,
    sign_in,
)
from coachbot.domain.vocabulary import RedFlag


def test_every_sign_is_in_exactly_one_group_with_an_urgency() -> None:
    asked = [flag for flags in GROUPS.values() for flag in flags]
    assert sorted(asked) == sorted(RedFlag)
    assert len(asked) == len(set(asked))
    assert set(RED_FLAGS) == set(RedFlag)
    # The table lists them in the order they are asked.
    assert list(RED_FLAGS) == asked


def test_the_groups_stay_short_and_are_asked_in_order() -> None:
    assert list(GROUPS) == list(Group)
    assert all(1 <= len(flags) <= 5 for flags in GROUPS.values())
    assert next_group(Group.NERVES) is Group.ILLNESS
    assert next_group(Group.ILLNESS) is Group.INJURY
    assert next_group(Group.INJURY) is None


def test_nerve_signs_are_emergencies_and_come_first() -> None:
    assert all(RED_FLAGS[flag] is Urgency.EMERGENCY for flag in GROUPS[Group.NERVES])
    assert RED_FLAGS[RedFlag.ONE_LEG_WEAKNESS] is Urgency.EMERGENCY
    assert RED_FLAGS[RedFlag.SEXUAL_DYSFUNCTION] is Urgency.EMERGENCY
    # A fever with back pain is seen the same day; weight loss alone by a doctor first.
    assert RED_FLAGS[RedFlag.FEVER_WEIGHT] is Urgency.EMERGENCY
    doctor_first = {
        RedFlag.WEIGHT_LOSS,
        RedFlag.CANCER,
        RedFlag.INFECTION_RISK,
        RedFlag.NIGHT_PAIN,
        RedFlag.TRAUMA,
        RedFlag.FRACTURE_RISK,
        RedFlag.NEW_AFTER_50,
    }
    assert {flag for flag, urgency in RED_FLAGS.items() if urgency is Urgency.DOCTOR} == (
        doctor_first
    )


@pytest.mark.parametrize(
    ("flag", "group"),
    [
        (RedFlag.CAUDA_EQUINA, Group.NERVES),
        (RedFlag.LEG_WEAKNESS, Group.NERVES),
        (RedFlag.FEVER_WEIGHT, Group.ILLNESS),
        (RedFlag.CANCER, Group.ILLNESS),
        (RedFlag.TRAUMA, Group.INJURY),
    ],
)
def test_a_step_from_before_the_groups_is_its_groups(flag: RedFlag, group: Group) -> None:
    old = f"ob:rf:{flag}"
    assert group_of(flag) is group
    assert enrolling(old)
    assert current_step(old) == f"ob:rf:{group}"
    assert screening_group(old) is group


def test_the_screen_comes_first_then_the_profile() -> None:
    assert FIRST_STEP == "ob:rf:nerves"
    assert next_step("ob:rf:nerves") == "ob:rf:illness"
    assert next_step("ob:rf:cancer") == "ob:rf:injury"  # an old step goes on after its group
    assert next_step("ob:rf:injury") == "ob:cond"
    assert screening_group("ob:cond") is None
    assert current_step("ob:rf:unknown") == "ob:rf:unknown"
    assert not enrolling("ob:rf:unknown")


def test_an_answer_names_a_sign_of_its_own_group_only() -> None:
    assert sign_in(Group.NERVES, "cauda_equina") is RedFlag.CAUDA_EQUINA
    assert sign_in(Group.NERVES, "trauma") is None
    assert sign_in(Group.INJURY, "none") is None
