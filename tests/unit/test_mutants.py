"""Cases that kill mutants the other unit tests let live (issue 16): each names the one-line change it catches.

The existing session tests read one-row files, where "any row on paper" and "every row on paper" agree; a
programme mixes sessions on paper and online ones, and there they do not.
"""

from __future__ import annotations

import pytest

from dashboard.ingest import parse_file
from tests.factories import NEW_GROUPS, session, sessions_csv

PAPER_COLUMNS = (
    "session_paperMode_sheetsPerInteraction", "session_paperMode_totalInteractions",
    "session_paperMode_bookletFilename", "session_paperMode_scanUploadStartDate",
    "session_paperMode_scanUploadEndDate",
)


@pytest.mark.parametrize("first_on_paper", [True, False], ids=["paper-first", "online-first"])
@pytest.mark.parametrize("missing", [PAPER_COLUMNS, *((name,) for name in PAPER_COLUMNS)],
                         ids=["all", *PAPER_COLUMNS])
def test_one_session_on_paper_among_online_ones_needs_the_paper_columns(first_on_paper: bool,
                                                                        missing: tuple[str, ...]) -> None:
    """Kills ``if any(on):`` -> ``if all(on):`` in ``parse_sessions``: with one row on paper and one not, the
    paper columns the header lacks are still errors on line 1."""
    columns = tuple(name for name in NEW_GROUPS if name not in missing)
    on_paper = session("History 4A", "Class 4A")
    online = session("Online 4B", "Class 4B", session_paperMode_isEnabled="0")
    rows = (on_paper, online) if first_on_paper else (online, on_paper)
    report = parse_file("sessions.csv", sessions_csv(*rows, columns=columns))
    assert [(problem.line, problem.column) for problem in report.errors] == [(1, name) for name in missing]
    assert all("is missing from the header" in problem.message for problem in report.errors)


def test_the_same_two_sessions_both_online_need_no_paper_column() -> None:
    """The other side of the rule: no session on paper, no paper column needed (so the test above is about the
    paper row, not about the missing columns alone)."""
    columns = tuple(name for name in NEW_GROUPS if name not in PAPER_COLUMNS)
    rows = (session(name, group, session_paperMode_isEnabled="0") for name, group in
            (("Online 4A", "Class 4A"), ("Online 4B", "Class 4B")))
    report = parse_file("sessions.csv", sessions_csv(*rows, columns=columns))
    assert (report.errors, report.valid) == ([], True)
