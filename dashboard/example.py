"""The example programme and TAO's blank templates, built by code (seeded, so always the same).

``example_files(anchor)`` returns a realistic programme around ``anchor`` (a few dozen paper sessions
in three deliveries, their enrolments, activity and the scanning centre's log) with every readiness state and
every receipt state represented.
``python -m dashboard.example DIR`` writes it as CSV files. Imports only ``ingest`` column names.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dashboard.ingest.sessions import FIELDS, NEW_GROUP_COLUMNS

SESSION_COLUMNS = [name for name in FIELDS if name != "session_batteryId"]
EXISTING_COLUMNS = [name for name in SESSION_COLUMNS if name not in NEW_GROUP_COLUMNS]
DELIVERIES = [("math-8", "Mathematics grade 8", 12), ("history-8", "History grade 8", 6),
              ("science-8", "Science grade 8", 8)]
SCHOOLS = [("Lincoln", "Europe/Paris"), ("Curie", "Europe/Brussels"), ("Chopin", "Europe/Warsaw"),
           ("Erasmus", "Europe/Amsterdam")]
CLASSES = ["8A", "8B", "8C"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _link(user: str, group: str, role: str) -> dict[str, str]:
    return {"user_username": user, "group_name": group, "group_role": role}


def _session_row(delivery: tuple[str, str, int], group: str, zone: str, exam: datetime, *, case: str) -> dict[str, str]:
    slug, title, interactions = delivery
    start = exam
    submission = exam + timedelta(hours=4)
    scan_start, scan_end = exam + timedelta(days=1), exam + timedelta(days=15)
    if case == "window_before_submission":
        scan_end = submission - timedelta(hours=1)
        scan_start = exam - timedelta(days=1)
    if case == "no_submission":
        submission_text = ""
    else:
        submission_text = _iso(submission)
    return {
        "session_deliveryId": f"https://tao.example.org/delivery/{slug}",
        "group_name": group, "group_description": f"{group}, grade 8", "group_active": "TRUE",
        "session_name": f"{title} - {group}", "session_timezone": zone,
        "session_startDate": _iso(start), "session_endDate": _iso(start + timedelta(hours=2)),
        "session_submissionDate": submission_text, "session_waitingPageDate": _iso(start - timedelta(minutes=30)),
        "session_securitySettings": "requireFullscreen,preventScreenshot", "session_reviewSettings": "",
        "session_testRunnerAccessibilityPlugins": "", "session_testRunnerSessionPlugins": "",
        "session_reportSettings": "", "session_readAloud": "", "group_organizationId": "",
        "session_paperMode_isEnabled": "0" if case == "online" else "1",
        "session_paperMode_sheetsPerInteraction": "2" if slug == "history-8" else "1",
        "session_paperMode_totalInteractions": str(interactions),
        "session_paperMode_bookletFilename": f"{slug}-{group.lower().replace(' ', '-')}",
        "session_paperMode_scanUploadStartDate": _iso(scan_start),
        "session_paperMode_scanUploadEndDate": _iso(scan_end),
    }


def example_files(anchor: datetime) -> list[tuple[str, bytes]]:
    """Sessions, enrolments and activity of a programme around ``anchor`` (aware), as CSV files."""
    rng = random.Random(20270316)
    day = anchor.astimezone(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    sessions: list[dict[str, str]] = []
    links: list[dict[str, str]] = []
    activity: list[dict[str, str]] = []
    offsets = [-20, -9, -3, 0, 4, 11, 25, 40]
    for g, ((school, zone), klass) in enumerate((s, c) for s in SCHOOLS for c in CLASSES):
        group = f"{school} {klass}"
        size = rng.randint(18, 30) if group != "Erasmus 8C" else 0
        users = [f"{school.lower()}.{klass.lower()}.{n:02d}" for n in range(1, size + 1)]
        links += [_link(user, group, "TEST_TAKER") for user in users]
        if school != "Chopin" or klass == "8A":  # Chopin 8B and 8C have nobody to upload scans
            links.append(_link(f"{school.lower()}.scans", group, "SCAN_UPLOADER"))
        links.append(_link(f"{school.lower()}.office", group, "BOOKLET_PUBLISHER"))
        for d, delivery in enumerate(DELIVERIES):
            exam = day + timedelta(days=offsets[(g + 3 * d) % len(offsets)])
            case = {(1, 2): "window_before_submission", (5, 1): "online", (7, 0): "no_submission"}.get((g, d), "")
            row = _session_row(delivery, group, zone, exam, case=case)
            sessions.append(row)
            if exam + timedelta(hours=1) > anchor or (g, d) == (2, 0):
                continue  # not sat yet; Chopin 8C's maths session was never launched
            for user in users:
                status = rng.choices(["finished", "not_started", "terminated"], [90, 8, 2])[0]
                started = exam + timedelta(minutes=rng.randint(0, 10))
                activity.append({"session_name": row["session_name"], "user_username": user, "status": status,
                                 "started_at": "" if status == "not_started" else _iso(started),
                                 "finished_at": "" if status == "not_started" else
                                 _iso(started + timedelta(minutes=rng.randint(50, 110)))})
    return [
        ("example-sessions.csv", _csv(SESSION_COLUMNS, sessions)),
        ("example-enrolments.csv", _csv(["user_username", "group_name", "group_role"], links)),
        ("example-activity.csv", _csv(list(activity[0]), activity)),
        ("example-scans.csv", _csv(["session_name", "pages", "received_at", "batch_id"],
                                   _scan_log(sessions, activity, anchor, rng))),
    ]


def _scan_log(sessions: list[dict[str, str]], activity: list[dict[str, str]], anchor: datetime,
              rng: random.Random) -> list[dict[str, str]]:
    """The scanning centre's log of the sessions whose scan window opened before ``anchor``: a batch a day, some
    sessions complete, some short, one with nothing yet and one scanned twice over, so that every receipt state
    shows (the pages of the test-takers who started, as TAO counts them)."""
    started: dict[str, int] = {}
    for row in activity:
        started[row["session_name"]] = started.get(row["session_name"], 0) + (row["status"] != "not_started")
    rows: list[dict[str, str]] = []
    opened = [s for s in sessions if s["session_paperMode_isEnabled"] == "1" and s["session_name"] in started
              and datetime.fromisoformat(s["session_paperMode_scanUploadStartDate"]) < anchor]
    for number, session in enumerate(opened):
        opens = datetime.fromisoformat(session["session_paperMode_scanUploadStartDate"])
        closes = datetime.fromisoformat(session["session_paperMode_scanUploadEndDate"])
        target = (started[session["session_name"]] * int(session["session_paperMode_totalInteractions"])
                  * int(session["session_paperMode_sheetsPerInteraction"]))
        share = (1.0, 0.6, 1.0, 0.0, 1.04, 0.85)[number % 6]  # complete, short, nothing yet, scanned twice over
        days = max(min((min(anchor, closes) - opens).days, 4), 1)
        pages = round(target * share)
        for day in range(days):
            batch = pages // days + (1 if day < pages % days else 0)
            if batch:
                moment = opens + timedelta(days=day, hours=rng.randint(2, 8))
                rows.append({"session_name": session["session_name"], "pages": str(batch),
                             "received_at": _iso(moment), "batch_id": f"{number:02d}-{day + 1}"})
    return rows


def template_files() -> dict[str, bytes]:
    """TAO's two session templates (header and one paper-mode sample row) for download."""
    sample = _session_row(DELIVERIES[0], "Lincoln 8A", "Europe/Paris",
                          datetime(2027, 3, 16, 7, tzinfo=UTC), case="")
    return {
        "sessions-with-delivery-in-existing-groups.csv": _csv(EXISTING_COLUMNS, [
            {k: v for k, v in sample.items() if k in EXISTING_COLUMNS}]),
        "sessions-with-delivery-in-new-groups.csv": _csv(SESSION_COLUMNS, [sample]),
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "examples")
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in example_files(datetime(2027, 3, 16, tzinfo=UTC)):
        (folder / name).write_bytes(data)
    (folder / "templates").mkdir(exist_ok=True)
    for name, data in template_files().items():
        (folder / "templates" / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
