"""The CLI's arguments: its commands, their flags and their help (``parser``); ``cli.py`` runs them."""

from __future__ import annotations

import argparse
from typing import Any

from dashboard.config import MAX_CAPACITY


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(prog="scanready", description="Get TAO paper-based sessions ready for scanning.")
    commands = found.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser("validate", help="check files; stores nothing")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--db", metavar="URL", help="also check against this store (e.g. a session's group change)")
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    _upload_options(validate)
    load = commands.add_parser("import", help="validate files, then store all of them or none")
    load.add_argument("files", nargs="+", metavar="FILE")
    load.add_argument("--db", metavar="URL", help="store URL (default: SCANREADY_DATABASE_URL, else ./data)")
    load.add_argument("--json", action="store_true", help="print one JSON object")
    _upload_options(load)
    readiness = _reading(commands, "readiness", "every paper session's readiness checklist", capacity=False)
    _json_or_csv(readiness, "print one JSON object", "print one CSV row per session")
    readiness.add_argument("--fail-on-blocked", action="store_true", help="exit 3 when any session is blocked")
    undo = commands.add_parser("undo", help="revert an import (default: the newest one not yet undone)")
    undo.add_argument("import_id", nargs="?", type=int, metavar="IMPORT_ID")
    undo.add_argument("--db", metavar="URL", help="store URL")
    undo.add_argument("--json", action="store_true", help="print one JSON object")
    migrate = commands.add_parser("migrate", help="create or upgrade the store's schema")
    migrate.add_argument("--db", metavar="URL", help="store URL")
    report = _reading(commands, "report", "write the readiness review as one self-contained HTML file")
    report.add_argument("--output", metavar="FILE", required=True, help="the HTML file to write (e.g. review.html)")
    volume = _reading(commands, "volume", "sheets expected per UTC day across the programme")
    _json_or_csv(volume, "print one JSON list, one object per day", "print one CSV row per day")
    receipt = _reading(commands, "receipt", "scans received against each session's target, and per day")
    _json_or_csv(receipt, "print one JSON object", "print one CSV row per session")
    receipt.add_argument("--fail-on-missing", action="store_true",
                         help="exit 3 when a session whose scan window has closed is short of pages")
    return found


def _reading(commands: Any, name: str, purpose: str, *, capacity: bool = True) -> argparse.ArgumentParser:
    """A command that reads the programme at a moment: --db, --as-of, and (by default) the scanner's --capacity."""
    command: argparse.ArgumentParser = commands.add_parser(name, help=purpose)
    command.add_argument("--db", metavar="URL", help="store URL")
    command.add_argument("--as-of", metavar="ISO8601", help="judge the programme at this moment (default: now)")
    if capacity:
        command.add_argument("--capacity", metavar="SHEETS", type=_capacity, help="scanner capacity, sheets per day")
    return command


def _json_or_csv(command: argparse.ArgumentParser, as_json: str, as_csv: str) -> None:
    output = command.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help=as_json)
    output.add_argument("--csv", action="store_true", help=as_csv)


def _upload_options(command: argparse.ArgumentParser) -> None:
    """What a manager can say of an upload beside its files (``services.ImportOptions``)."""
    command.add_argument("--session", metavar="NAME", help="the session of every row of the TAO activity exports "
                         "given (TAO's Portal exports one session per file); without it, rows are matched to "
                         "sessions by the login's group")
    command.add_argument("--sync-links", action="store_true", help="the link files list everyone in their groups: "
                         "links of those groups that they leave out are removed (without it, links are only added)")
    command.add_argument("--date-order", choices=("dmy", "mdy"), help="how slashed dates such as 04/03/2027 read: "
                         "dmy, day first (TAO's default), or mdy; without it, day first unless only month first fits")


def _capacity(text: str) -> int:
    """``--capacity``: a whole number of sheets per day in ASCII digits (as a file's counts are: ``int`` alone also
    reads "+3", "1_000" and other scripts' digits), from 1 to ``MAX_CAPACITY``."""
    if not (text.isascii() and text.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of sheets")
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("the capacity must be at least 1 sheet per day")
    if value > MAX_CAPACITY:
        raise argparse.ArgumentTypeError(f"the capacity can be at most {MAX_CAPACITY:,} sheets per day")
    return value
