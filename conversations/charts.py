"""Small chart images (PNG), drawn with matplotlib: a patient's progress, a therapist's cohort."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO
from types import ModuleType

from coachbot.domain.adherence import session_credit
from coachbot.domain.summary import CohortSummary, Day, PatientFigures
from coachbot.i18n import Translator


@cache
def _pyplot() -> ModuleType:
    """matplotlib, imported when the first chart is drawn (tens of MB the bot need not
    hold until then), drawing to memory only."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    return matplotlib.pyplot


_COLOURS = {1.0: "#2e7d32", 0.5: "#f9a825", 0.0: "#c62828"}


def progress_chart(days: list[Day], _: Translator, title: str | None = None) -> bytes:
    """Bars for what was done each day (green done, yellow partly, red not), pain as a line."""
    plt = _pyplot()
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
        axis.set_title(title or _("Your last 28 days"))
        figure.tight_layout()
        buffer = BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def cohort_chart(summary: CohortSummary, _: Translator) -> bytes:
    """Per patient: adherence this week against the week before, and mean pain."""
    patients = summary.patients
    height_inches = 1.5 + 0.45 * max(len(patients), 1)
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(7, height_inches), dpi=100, sharey=True)
    try:
        names = [p.name or f"#{p.patient_id}" for p in patients]
        rows = range(len(patients))
        height = 0.38

        def values(pick: Callable[[PatientFigures], float | None], scale: float) -> list[float]:
            return [(v or 0.0) * scale for v in map(pick, patients)]

        left.barh(
            [r + height / 2 for r in rows],
            values(lambda p: p.adherence_before.ratio, 100),
            height,
            color="#bdbdbd",
            label=_("week before"),
        )
        left.barh(
            [r - height / 2 for r in rows],
            values(lambda p: p.adherence_now.ratio, 100),
            height,
            color="#2e7d32",
            label=_("this week"),
        )
        left.set_xlim(0, 100)
        left.set_title(_("Adherence (%)"), fontsize=9)
        left.set_yticks(list(rows), names, fontsize=8)
        left.invert_yaxis()
        # Below both panels, so it never hides a bar.
        figure.legend(*left.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=7)
        right.barh(
            [r + height / 2 for r in rows],
            values(lambda p: p.pain_before, 1),
            height,
            color="#bdbdbd",
        )
        right.barh(
            [r - height / 2 for r in rows], values(lambda p: p.pain_now, 1), height, color="#1565c0"
        )
        right.set_xlim(0, 10)
        right.set_title(_("Mean pain (0-10)"), fontsize=9)
        figure.tight_layout(rect=(0, 0.3 / height_inches, 1, 1))
        buffer = BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
