"""How moments, spans and counts read to a manager: "16 Mar 2027 07:00 Europe/Paris", "in 3 days", "1 hour".

Pure, standard library only; every function takes its moments (nothing here reads the clock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Fixed English month names: strftime's %b follows the process locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# (unit, seconds in it, count at which the next unit takes over); beyond hours, days.
_UNITS = (("minute", 60, 60), ("hour", 3_600, 24))


def _zone(name: str | None) -> tuple[tzinfo, str]:
    """The zone to show a moment in, and its label; UTC for None or a name this system does not know."""
    if name:
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            pass  # the ingest refuses unknown names; a stale one still shows a correct time, labelled UTC
    return UTC, "UTC"


@lru_cache(maxsize=65_536)  # a programme's sessions share few moments and zones: a big board formats each once
def format_moment(moment: datetime, zone: str | None) -> str:
    """``moment`` in the session's zone: "16 Mar 2027 07:00 Europe/Paris" (UTC when ``zone`` is None). A time the
    autumn's clock change repeats says which it is: "31 Oct 2027 02:30 (UTC+02:00) Europe/Paris", then "(UTC+01:00)"."""
    if moment.utcoffset() is None:
        raise ValueError("format_moment needs an aware datetime")  # astimezone would guess the server's zone
    where, label = _zone(zone)
    local = moment.astimezone(where)
    offset = local.utcoffset()
    repeated = offset is not None and local.replace(fold=1 - local.fold).utcoffset() != offset
    which = f" (UTC{_offset(offset)})" if repeated and offset is not None else ""
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M}{which} {label}"


def _offset(offset: timedelta) -> str:
    """"+02:00", "-03:30"."""
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"


def iso_utc(moment: datetime) -> str:
    """``moment`` for machines (JSON, URLs, CSV): ISO 8601 in UTC to the second, "2027-03-16T07:00:00Z"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def count(number: int, one: str, many: str) -> str:
    """A number and its noun: "1 test-taker", "1,200 test-takers"."""
    return f"{number:,} {one if number == 1 else many}"


@lru_cache(maxsize=65_536)
def span(delta: timedelta) -> str:
    """A duration in the largest unit that rounds to at least one: "2 days" for 1 day 12 hours, "1 hour", "59 minutes".

    Rounded half up, and promoted when rounding reaches the next unit (59 min 30 s reads "1 hour", not "60 minutes").
    """
    seconds = int(abs(delta).total_seconds())
    if seconds < 30:
        return "less than a minute"
    for unit, size, limit in _UNITS:
        amount = (seconds + size // 2) // size
        if amount < limit:
            return count(amount, unit, f"{unit}s")
    return count((seconds + 43_200) // 86_400, "day", "days")


@lru_cache(maxsize=65_536)
def format_relative(moment: datetime, as_of: datetime) -> str:
    """``moment`` seen from ``as_of``: "in 3 days", "2 hours ago", "in under a minute", "just now"."""
    delta = moment - as_of
    if delta > timedelta(0):
        return "in under a minute" if delta < timedelta(minutes=1) else f"in {span(delta)}"
    return "just now" if -delta < timedelta(minutes=1) else f"{span(delta)} ago"


def listing(items: Sequence[str], limit: int = 5) -> str:
    """Names in a sentence: "A", "A and B", "A, B and C", "A, B, C, D, E and 2 others" beyond ``limit``."""
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit:,} others")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" and {shown[-1]}" if shown else ""


KIND_NOUNS = {"sessions": ("session", "sessions"), "enrolments": ("enrolment link", "enrolment links"),
              "activity": ("activity row", "activity rows"), "scans": ("scanned batch", "scanned batches"),
              "scan_pdf": ("scanned PDF", "scanned PDFs")}
"""What a record of each kind of file is called, one and many."""


def kind_counts(kind: str, counts: Mapping[str, int], verbs: Mapping[str, str]) -> str:
    """One kind's counts in words, those that are not zero: "5 sessions created, 1 updated" (``verbs`` maps each
    count's key to its word, in order); "no session" when all are zero."""
    one, many = KIND_NOUNS.get(kind, ("record", "records"))
    parts = [(counts[key], verb) for key, verb in verbs.items() if counts.get(key)]
    if not parts:
        return f"no {one}"
    (first, verb), *rest = parts
    return ", ".join([f"{count(first, one, many)} {verb}", *(f"{n:,} {word}" for n, word in rest)])


IMPORT_VERBS = {"created": "created", "updated": "updated", "removed": "removed", "unchanged": "unchanged"}
UNDO_VERBS = {"removed": "removed", "restored": "given back", "kept": "kept as other imports hold them"}


def per_kind(counts: Mapping[str, Mapping[str, int]], verbs: Mapping[str, str]) -> str:
    """Counts of several kinds in one line: "5 sessions created; 15 enrolment links created; 4 activity rows
    created" (``nothing`` when there is no kind)."""
    return "; ".join(kind_counts(kind, values, verbs) for kind, values in counts.items()) or "nothing"


ITEM_TITLES = {"enrolment": "Test-takers enrolled", "roles": "Someone can upload scans",
               "launched": "Test launched at least once", "submitted": "Session submitted",
               "window": "Scan upload window open", "schedule": "Window after submission"}
"""Each checklist item's title, in the checklist's order (the keys are ``readiness.ITEMS``)."""

ITEM_RULES = {
    "enrolment": "Ok when at least one user has the TEST_TAKER role in the session's group; otherwise a problem.",
    "roles": "Ok when someone in the group has the SCAN_UPLOADER role; otherwise a problem: nobody could upload "
             "the sheets.",
    "launched": "Ok when at least one enrolled test-taker had started by the as-of moment (activity other than not "
                "started); pending until the submission date (or the end date when there is none), a problem "
                "after it.",
    "submitted": "Ok when the submission date (session_submissionDate) has passed; pending before it; a problem when "
                 "there is none.",
    "window": "Ok when the scan upload window has opened and not yet closed; pending before it opens; a problem once "
              "closed or when a date is missing.",
    "schedule": "Ok when the scan upload window closes after the submission date; otherwise a problem: scans come "
                "only after submission, so none could be uploaded.",
}
"""Each checklist item's rule, as the README's table "The readiness checklist" says it."""


def short_id(identifier: str) -> str:
    """The last part of a URI-like id, "history-8" for "https://tao.example.org/delivery/history-8" (after its last
    "/" or "#"); the id itself when it has no such part."""
    trimmed = identifier.rstrip("/#")
    cut = max(trimmed.rfind("/"), trimmed.rfind("#"))
    return trimmed[cut + 1:] or identifier
