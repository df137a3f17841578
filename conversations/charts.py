"""Small chart images (PNG) for the patient's progress, drawn with matplotlib."""

from __future__ import annotations

from io import BytesIO

import matplotlib

matplotlib.use("Agg")  # no screen: draw to memory only

import matplotlib.pyplot as plt

from coachbot.domain.adherence import session_credit
from coachbot.i18n import Translator
from coachbot.services import DayRecord

_COLOURS = {1.0: "#2e7d32", 0.5: "#f9a825", 0.0: "#c62828"}


def progress_chart(days: list[DayRecord], _: Translator) -> bytes:
    """Bars for what was done each day (green done, yellow partly, red not), pain as a line."""
    figure, axis = plt.subplots(figsize=(6, 3), dpi=100)
    try:
        labels = [d.day.strftime("%d.%m") for d in days]
        credits = [session_credit(d.state) for d in days]
        axis.bar(
            range(len(days)),
            [1.0 if c is not None else 0.0 for c in credits],
            color=[_COLOURS.get(c, "#bdbdbd") if c is not None else "#e0e0e0" for c in credits],
            width=0.8,
            label=_("Sessions"),
        )
        axis.set_ylim(0, 1.1)
        axis.set_yticks([])
        axis.set_xticks(range(len(days)), labels, rotation=90, fontsize=7)
        pain_axis = axis.twinx()
        points = [(i, d.pain) for i, d in enumerate(days) if d.pain is not None]
        if points:
            pain_axis.plot(
                [i for i, _p in points],
                [p for _i, p in points],
                color="#1565c0",
                marker="o",
                label=_("Pain (0-10)"),
            )
        pain_axis.set_ylim(0, 10.5)
        pain_axis.set_ylabel(_("Pain (0-10)"))
        axis.set_title(_("Your last 28 days"))
        figure.tight_layout()
        buffer = BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
