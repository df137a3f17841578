"""Red flags: the warning signs screened for before training, how urgent each is, and
the groups they are asked in. Never a diagnosis: a yes only means "a doctor first".

Sources (checked 2026-12):
- NICE CKS "Back pain - low (without radiculopathy)", red flags for serious causes:
  cauda equina syndrome, spinal fracture, cancer, infection.
- NHS "Cauda equina syndrome" and the GIRFT/BASS national pathway (2023): bladder,
  bowel, saddle or sexual changes, or weakness in the legs with back pain -> A&E now.
- NICE NG59 "Low back pain and sciatica in over 16s" (2016, updated 2020): exclude
  specific causes before non-specific back-pain care; reassess if symptoms change.
- NICE NG234 "Spinal metastases and metastatic spinal cord compression" (2023): back
  pain new or changed in someone with cancer needs a prompt medical review.
"""

from __future__ import annotations

from enum import StrEnum

from coachbot.domain.vocabulary import RedFlag


class Urgency(StrEnum):
    EMERGENCY = "emergency"  # seek medical care today (emergency department, 112/911)
    DOCTOR = "doctor"  # see a doctor before training again


class Group(StrEnum):
    """The screen's groups, one message each; the values are stored in steps."""

    NERVES = "nerves"  # nerves, bladder and bowel: every one an emergency
    ILLNESS = "illness"  # signs of a serious illness behind the pain
    INJURY = "injury"  # falls and fragile bones


# Every flag with its urgency, in the order asked (groups in order, most urgent first).
RED_FLAGS: dict[RedFlag, Urgency] = {
    # NHS cauda equina / NICE CKS: bladder or bowel dysfunction, saddle anaesthesia.
    RedFlag.CAUDA_EQUINA: Urgency.EMERGENCY,
    # NHS cauda equina / GIRFT pathway: new change in sexual function.
    RedFlag.SEXUAL_DYSFUNCTION: Urgency.EMERGENCY,
    # NICE CKS: severe or progressive neurological deficit in the legs, gait disturbance.
    RedFlag.LEG_WEAKNESS: Urgency.EMERGENCY,
    # NICE CKS: progressive motor loss (e.g. foot drop) is referred the same day.
    RedFlag.ONE_LEG_WEAKNESS: Urgency.EMERGENCY,
    # NICE CKS: fever, chills or systemic illness suggest spinal infection: same day.
    RedFlag.FEVER_WEIGHT: Urgency.EMERGENCY,
    # NICE CKS: unexplained weight loss (possible cancer): a doctor first, not an emergency.
    RedFlag.WEIGHT_LOSS: Urgency.DOCTOR,
    # NICE NG234 / CKS: history of cancer with new or changed back pain.
    RedFlag.CANCER: Urgency.DOCTOR,
    # NICE CKS: immunosuppression or intravenous drug use (infection risk).
    RedFlag.INFECTION_RISK: Urgency.DOCTOR,
    # NICE CKS: persistent night pain not relieved by a change of position.
    RedFlag.NIGHT_PAIN: Urgency.DOCTOR,
    # NICE CKS: back pain after significant trauma (possible fracture).
    RedFlag.TRAUMA: Urgency.DOCTOR,
    # NICE CKS: minor trauma in osteoporosis or with long-term corticosteroids.
    RedFlag.FRACTURE_RISK: Urgency.DOCTOR,
    # NICE CKS: new onset of back pain over 50 (possible cancer).
    RedFlag.NEW_AFTER_50: Urgency.DOCTOR,
}

GROUPS: dict[Group, tuple[RedFlag, ...]] = {
    Group.NERVES: (
        RedFlag.CAUDA_EQUINA,
        RedFlag.SEXUAL_DYSFUNCTION,
        RedFlag.LEG_WEAKNESS,
        RedFlag.ONE_LEG_WEAKNESS,
    ),
    Group.ILLNESS: (
        RedFlag.FEVER_WEIGHT,
        RedFlag.WEIGHT_LOSS,
        RedFlag.CANCER,
        RedFlag.INFECTION_RISK,
        RedFlag.NIGHT_PAIN,
    ),
    Group.INJURY: (RedFlag.TRAUMA, RedFlag.FRACTURE_RISK, RedFlag.NEW_AFTER_50),
}
FIRST_GROUP = Group.NERVES
NONE = "none"  # the answer "none of these" to a group


def group_of(flag: RedFlag) -> Group:
    """The group that asks about `flag`."""
    return next(group for group, flags in GROUPS.items() if flag in flags)


def next_group(group: Group) -> Group | None:
    """The group asked after `group`, or None after the last."""
    order = list(Group)
    index = order.index(group)
    return order[index + 1] if index + 1 < len(order) else None


def sign_in(group: Group, value: str) -> RedFlag | None:
    """The warning sign `value` names, if `group` asks about it."""
    return next((flag for flag in GROUPS[group] if flag.value == value), None)
