"""Import progress: the services report each step, the CLI draws a line on a terminal only."""

from __future__ import annotations

import io

from dashboard import cli, services
from dashboard.config import Settings
from tests.factories import LINKS, NEW_GROUPS, csv_bytes, session


def test_an_import_reports_checking_then_storing_up_to_done(db):
    seen: list[tuple[float, str]] = []
    files = [("links.csv", csv_bytes(LINKS, [{"user_username": "ana", "group_name": "Class 4A",
                                              "group_role": "TEST_TAKER"}])),
             ("sessions.csv", csv_bytes(NEW_GROUPS, [session("History 4A")]))]
    outcome = services.import_files(files, db=db, settings=Settings(),
                                    progress=lambda f, doing: seen.append((f, doing)))
    assert outcome.import_id is not None
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    doing = [d for _, d in seen]
    assert doing.index("Checking links.csv") < doing.index("Checking sessions.csv") < doing.index(
        "Storing sessions.csv") < doing.index("Storing links.csv")  # stored in dependency order
    assert doing[-1] == "Stored"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_cli_draws_progress_on_a_terminal_only(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    show = cli._progress_line()
    show(0.25, "Checking sessions.csv")
    show(1.0, "Stored")
    assert terminal.getvalue() == "\r\x1b[K 25% Checking sessions.csv\r\x1b[K100% Stored\n"
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    cli._progress_line()(0.5, "Storing")
    assert piped.getvalue() == ""
