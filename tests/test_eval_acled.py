"""`sitrep eval acled` on a small ACLED-format file written for the test, and a regression guard
on the development data when ../shared is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.evaluate.acled import KEYS, strip_label

runner = CliRunner()
FIXTURE = Path(__file__).parent / "fixtures" / "acled" / "small.csv"
SHARED_ACLED = Path(__file__).resolve().parents[2] / "shared" / "data" / "acled-mali-2017-2018.csv"


def run(*args) -> dict:
    result = runner.invoke(app, ["eval", "acled", *map(str, args), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_labels_that_give_the_answer_away_are_removed():
    assert strip_label("Looting: On 4 March 2024, gunmen looted shops.") == "On 4 March 2024, gunmen looted shops."
    assert strip_label("On 4 March: gunmen looted shops.") == "On 4 March: gunmen looted shops."


def test_small_file_is_coded_like_the_hand_coding(tmp_path):
    errors = tmp_path / "misses.jsonl"
    figures = run(FIXTURE, "--errors", errors)
    assert list(figures) == KEYS
    assert figures["rows"] == 5 and figures["detected"] == 1.0
    for key in ("event_type_acc", "sub_event_type_acc", "actor1_acc", "actor2_acc", "location_50km",
                "fatalities_exact", "date_exact"):
        assert figures[key] == 1.0, (key, errors.read_text())
    assert figures["location_median_km"] < 25
    assert errors.read_text() == ""


def test_a_wrong_gold_row_is_counted_and_written_out(tmp_path):
    wrong = tmp_path / "wrong.csv"
    text = FIXTURE.read_text().replace("Military Forces of Mali (2021-),", "Military Forces of Niger,")
    text = text.replace(",Battles,Armed clash,", ",Riots,Mob violence,")
    wrong.write_text(text)
    errors = tmp_path / "misses.jsonl"
    figures = run(wrong, "--errors", errors)
    assert figures["event_type_acc"] == 0.8 and figures["actor2_acc"] == 0.8
    [miss] = [json.loads(line) for line in errors.read_text().splitlines()]
    assert {"event_type", "sub_event_type", "actor2"} <= set(miss["missed"])


# Figures reached on the development data, less 0.01; raise them as the method improves, never
# lower. Reached (session 7): detected 0.966, event type 0.870, sub-type 0.857, actor1 0.752,
# actor2 0.707, location <= 50 km 0.399, fatalities 0.885, date 0.571.
FLOORS = {"detected": 0.956, "event_type_acc": 0.860, "sub_event_type_acc": 0.847, "actor1_acc": 0.742,
          "actor2_acc": 0.697, "location_50km": 0.389, "fatalities_exact": 0.875, "date_exact": 0.561}


def test_development_figures_do_not_regress():
    if not SHARED_ACLED.is_file():
        pytest.skip("../shared/data/acled-mali-2017-2018.csv is absent (development data, not shipped)")
    figures = run(SHARED_ACLED)
    low = {k: (figures[k], floor) for k, floor in FLOORS.items() if figures[k] < floor}
    assert not low, low
