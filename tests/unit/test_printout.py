"""The printable plan on paper: every exercise of the catalogue, in each language, fits
the A4 page in type large enough to read, with nothing overlapping; the PDF holds the
text as text (umlauts included), a picture per exercise, and the same bytes each time."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from itertools import combinations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox
from pypdf import PdfReader

from catalogue.loader import Catalogue
from coachbot.domain.model import Patient, PlanItem
from coachbot.domain.vocabulary import Condition, Language, Level
from coachbot.plans import catalogue_dose
from conversations import printout
from conversations.printed_plan import plan_document, plan_pages
from tests.shipped import shipped_catalogue

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def patient(language: Language, conditions: list[Condition], linked: bool = False) -> Patient:
    return Patient(
        telegram_user_id=1,
        chat_id=1,
        language=language,
        timezone="Europe/Berlin",
        consent_at=NOW,
        created_at=NOW,
        conditions=conditions,
        level=Level.BEGINNER,
        baseline_pain=3,
        display_name="Jürgen",
        therapist_id=7 if linked else None,
        id=1,
    )


def plan(catalogue: Catalogue, ids: list[str]) -> list[PlanItem]:
    items = []
    for position, exercise_id in enumerate(ids):
        dose = catalogue_dose(catalogue, exercise_id, Level.BEGINNER)
        item = PlanItem(patient_id=1, exercise_id=exercise_id, position=position, sets=1)
        item.dose = dose
        items.append(item)
    return items


def overlap(a: Bbox, b: Bbox) -> float:
    """The area two boxes share, in square pixels."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(max(0.0, width) * max(0.0, height))


@pytest.mark.parametrize("language", list(Language))
def test_every_exercise_fits_the_page_and_nothing_overlaps(language: Language) -> None:
    catalogue = shipped_catalogue()
    # Every condition: every caution of every exercise is printed, the longest plan there is.
    person = patient(language, list(Condition))
    laid = plan_pages(person, plan(catalogue, sorted(catalogue.exercises)), catalogue, NOW.date())
    figures = printout.figures(laid.pages, laid.footer)
    assert laid.exercises == len(catalogue.exercises)
    # Short pages would waste paper: on average more than one exercise a page.
    assert len(figures) < len(catalogue.exercises)
    for number, figure in enumerate(figures, start=1):
        renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
        page = figure.bbox
        texts = [t for t in figure.texts if t.get_text().strip()]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        boxes += [("picture", axes.get_window_extent(renderer)) for axes in figure.axes]
        for text in texts:
            assert float(text.get_fontsize()) >= printout.SMALL, text.get_text()
        for what, box in boxes:
            inside = (
                box.x0 >= page.x0 + 0.5 * page.width * printout.MARGIN / printout.PAGE[0]
                and box.x1 <= page.x1 - 0.5 * page.width * printout.MARGIN / printout.PAGE[0]
                and box.y0 >= page.y0
                and box.y1 <= page.y1
            )
            assert inside, f"page {number}: {what!r} runs off the page ({box})"
        for (first, a), (second, b) in combinations(boxes, 2):
            assert overlap(a, b) < 1.0, f"page {number}: {first!r} overlaps {second!r}"


def test_the_pdf_holds_its_text_a_picture_per_exercise_and_the_same_bytes_each_time() -> None:
    catalogue = shipped_catalogue()
    ids = sorted(catalogue.exercises)[:4]
    person = patient(Language.DE, [Condition.HERNIATED_DISC], linked=True)
    document = plan_document(person, plan(catalogue, ids), catalogue, NOW)
    assert document.filename == "coachbot-plan-2026-11-30.pdf"
    assert document.data == plan_document(person, plan(catalogue, ids), catalogue, NOW).data
    reader = PdfReader(BytesIO(document.data))
    assert reader.metadata is not None
    assert reader.metadata.title == "Mein Übungsplan – Jürgen"
    assert reader.metadata.author == "Coachbot"
    assert reader.metadata.creation_date == NOW
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Jürgen · 30. November 2026" in text
    for exercise_id in ids:
        title = catalogue.exercises[exercise_id].title.de
        assert " ".join(title.split()) in text, title
    assert "Therapeutin oder Ihrem Therapeuten" in text  # a therapist is linked
    # (matplotlib lists every picture of the file in each page's resources)
    pictures = {image.name: image.data for page in reader.pages for image in page.images}
    assert len(set(pictures.values())) == len(ids)
    pages = len(reader.pages)
    assert f"Seite {pages} von {pages}" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
