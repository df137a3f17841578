"""Safety rules: the red-flag questions and their urgency."""

from __future__ import annotations

from coachbot.domain.safety import RED_FLAGS, Urgency


def test_red_flags_are_asked_in_order_with_their_urgency() -> None:
    assert list(RED_FLAGS) == ["cauda_equina", "leg_weakness", "fever_weight", "cancer", "trauma"]
    assert RED_FLAGS == {
        "cauda_equina": Urgency.EMERGENCY,
        "leg_weakness": Urgency.EMERGENCY,
        "fever_weight": Urgency.DOCTOR,
        "cancer": Urgency.DOCTOR,
        "trauma": Urgency.DOCTOR,
    }
    # The emergencies are asked first.
    urgencies = list(RED_FLAGS.values())
    assert urgencies == sorted(urgencies, key=lambda u: u is not Urgency.EMERGENCY)
