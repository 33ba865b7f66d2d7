"""``scanready report`` (one offline HTML file) and ``scanready volume`` (sheets per UTC day, JSON/CSV/text)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.factories import readiness_store, session

AS_OF = "2028-06-14T00:00:00Z"


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A ready session, a blocked one (nobody can upload) named like HTML, and one without enrolments.

    Windows: 13 Jun 06:00 to 27 Jun 18:00 UTC (15 UTC days); 4A expects 1 × 6 × 1 sheets, the HTML-named 2 × 6 × 2,
    so the days carry 6 and 24 sheets spread as [0, 0, 1, 0, 1, ...] and [1, 2, 1, 2, 2, ...].
    """
    return readiness_store(tmp_path, [
        session("History 4A"),
        session("<img src=x onerror=alert(1)>", group="Class 4B", session_paperMode_sheetsPerInteraction="2"),
        session("Empty 4C", group="Class 4C")])


def test_report_writes_one_self_contained_html_file(store, tmp_path, capsys):
    out = tmp_path / "review.html"
    assert main(["report", "--db", store, "--as-of", AS_OF, "--output", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Wrote {out}: readiness as of 2028-06-14T00:00:00Z, 2 blocked, 0 pending, 1 ready.")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<svg") == 2
    assert "as of <strong>14 Jun 2028 00:00 UTC</strong>" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img" not in page
    assert "No one in group Class 4B can upload scans" in page
    assert "No test-taker is enrolled in group Class 4C" in page
    assert "<script" not in page and "<link" not in page


def test_report_draws_its_charts_in_a_renderer_process_as_it_would_itself(store, tmp_path, monkeypatch):
    """The command starts a renderer process first (vl-convert's engine warms on another core while the store is
    read); what it draws there is what the command would draw itself, and the process is gone afterwards."""
    import os
    import re
    import signal

    from dashboard import report, svg

    started: list[svg.Renderer] = []
    drawn_here: list[str] = []

    class Watched(svg.Renderer):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    def here(spec: dict, prefix: str, vl_version: str) -> str:
        drawn_here.append(prefix)
        return svg.spec_svg(spec, prefix, vl_version)

    monkeypatch.setattr(svg, "Renderer", Watched)
    monkeypatch.setattr(report, "spec_svg", here)
    out = tmp_path / "review.html"
    assert main(["report", "--db", store, "--as-of", AS_OF, "--output", str(out)]) == 0
    assert len(started) == 1 and started[0].pid != os.getpid() and drawn_here == []
    with pytest.raises(ProcessLookupError):  # collected: not even a zombie is left
        os.kill(started[0].pid, 0)
    monkeypatch.setattr(svg, "Renderer", svg.Renderer)
    page = out.read_text(encoding="utf-8")
    in_process = tmp_path / "here.html"
    with svg.Renderer() as dead:  # a renderer that died (killed): the command draws its charts itself
        os.kill(dead.pid, signal.SIGKILL)
        monkeypatch.setattr(svg, "Renderer", lambda: dead)
        assert main(["report", "--db", store, "--as-of", AS_OF, "--output", str(in_process)]) == 0
    assert drawn_here == ["timeline", "volume"]

    def charts(html: str) -> list[str]:
        return [re.sub(r"clip\d+", "clip", chart) for chart in re.findall(r"<svg.*?</svg>", html, re.S)]

    assert len(charts(page)) == 2 and charts(page) == charts(in_process.read_text(encoding="utf-8"))


def test_report_follows_as_of(store, tmp_path, capsys):
    out = tmp_path / "early.html"
    assert main(["report", "--db", store, "--as-of", "2028-06-01", "--output", str(out)]) == 0
    assert "0 ready" in capsys.readouterr().out
    assert "Pending sessions (1)" in out.read_text(encoding="utf-8")


def test_report_with_a_capacity_lists_the_days_above_it(store, tmp_path):
    out = tmp_path / "review.html"
    assert main(["report", "--db", store, "--as-of", AS_OF, "--output", str(out), "--capacity", "2"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "3 day(s) above the scanner's capacity of 2 sheets" in page
    assert all(f"<tr><td>{day}</td><td>3</td><td>1</td></tr>" in page for day in ("2028-06-17", "2028-06-22",
                                                                                     "2028-06-27"))


def test_report_needs_an_output(store, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--db", store])
    assert exit_.value.code == 2
    assert "--output" in capsys.readouterr().err


def test_report_to_an_unwritable_path_is_a_usage_error(store, tmp_path, capsys):
    assert main(["report", "--db", store, "--output", str(tmp_path / "missing" / "review.html")]) == 2
    assert "Cannot write" in capsys.readouterr().err


def test_volume_json_is_the_per_day_series(store, capsys):
    assert main(["volume", "--db", store, "--as-of", AS_OF, "--json"]) == 0
    days = json.loads(capsys.readouterr().out)
    assert [d["date"] for d in days] == [f"2028-06-{n}" for n in range(13, 28)]
    assert set(days[0]) == {"date", "expected_sheets", "blocked", "pending", "ready", "sessions", "cumulative",
                            "received"}
    assert {d["received"] for d in days} == {0}  # no scan imported
    assert sum(d["expected_sheets"] for d in days) == 6 + 24  # every session's sheets, exactly
    assert sum(d["ready"] for d in days) == 6 and sum(d["blocked"] for d in days) == 24
    assert days[-1]["cumulative"] == 30
    assert [d["expected_sheets"] for d in days] == [1, 2, 2, 2, 3] * 3


def test_volume_agrees_with_readiness(store, capsys):
    main(["readiness", "--db", store, "--as-of", AS_OF, "--json"])
    sessions = json.loads(capsys.readouterr().out)["sessions"]
    main(["volume", "--db", store, "--as-of", AS_OF, "--json"])
    days = json.loads(capsys.readouterr().out)
    assert sum(d["expected_sheets"] for d in days) == sum(s["expected_sheets"] for s in sessions)


def test_volume_with_capacity_flags_the_days(store, capsys):
    assert main(["volume", "--db", store, "--as-of", AS_OF, "--json", "--capacity", "2"]) == 0
    days = json.loads(capsys.readouterr().out)
    assert [d["over_capacity"] for d in days] == [d["expected_sheets"] > 2 for d in days]
    assert any(d["over_capacity"] for d in days) and not all(d["over_capacity"] for d in days)


def test_volume_csv_has_one_row_per_day(store, capsys):
    assert main(["volume", "--db", store, "--as-of", AS_OF, "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 15
    assert list(rows[0]) == ["date", "expected_sheets", "blocked", "pending", "ready", "sessions", "cumulative",
                             "received"]
    assert sum(int(r["expected_sheets"]) for r in rows) == 30


def test_volume_text_marks_days_over_capacity(store, capsys):
    assert main(["volume", "--db", store, "--as-of", AS_OF, "--capacity", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 15
    assert lines[0].startswith("2028-06-13")
    assert all(("OVER CAPACITY" in line) == (" 3 sheets" in line) for line in lines)


def test_volume_of_an_empty_store(tmp_path, capsys):
    assert main(["volume", "--db", f"sqlite:///{tmp_path / 'empty.db'}"]) == 0
    assert capsys.readouterr().out == "No sheets are expected on any day.\n"
    assert main(["volume", "--db", f"sqlite:///{tmp_path / 'empty.db'}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("capacity", ["0", "-5", "many", "٣", "+3", "1_000", "10000001"])  # ASCII digits only
def test_a_capacity_must_be_a_positive_whole_number(store, capacity, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["volume", "--db", store, "--capacity", capacity])
    assert exit_.value.code == 2
    assert "--capacity" in capsys.readouterr().err


def test_json_and_csv_are_exclusive(store, capsys):
    with pytest.raises(SystemExit):
        main(["volume", "--db", store, "--json", "--csv"])
