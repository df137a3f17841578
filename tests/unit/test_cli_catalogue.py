"""`coachbot catalogue list | show` for operators and clinicians."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coachbot.cli import main


@pytest.fixture(autouse=True)
def no_extra_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CATALOGUE_PATHS", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer


def test_list_filters_by_kind_and_equipment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "list", "--kind", "balance"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith("exercise(s)") and int(lines[-1].split()[0]) >= 6
    assert all("balance" in line.split()[1] for line in lines[:-1])

    assert main(["catalogue", "list", "--equipment", "elastic_band"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] and all("elastic_band" in line for line in lines[:-1])

    assert main(["catalogue", "list", "--equipment", "none"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(line.split()[2] == "none" for line in lines[:-1])


def test_show_prints_the_whole_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "show", "pelvic_tilt"]) == 0
    entry = yaml.safe_load(capsys.readouterr().out)
    assert entry["id"] == "pelvic_tilt"
    assert entry["title"]["de"] and entry["cautions"][0]["en"]
    assert main(["catalogue", "show", "no_such_thing"]) == 1
    assert "no_such_thing" in capsys.readouterr().err
