"""``scanready``: the command-line front of the services, for automation.

Exit status: 0 valid (and stored), 1 a file is invalid (nothing stored), 2 a usage error, a path that
cannot be read or a store that cannot be opened, 3 (``readiness --fail-on-blocked``) a session is blocked or
(``receipt --fail-on-missing``) a session whose scan window has closed is short of pages.
Output goes through ``_out`` only (``_binary_out`` for the encoded document of ``readiness --json``).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from dashboard.cli_args import parser
from dashboard.config import load_settings
from dashboard.errors import ScanreadyError

if TYPE_CHECKING:
    from dashboard.services import Board, ImportOptions, Validation

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BLOCKED = 0, 1, 2, 3
EXIT_PIPE = 128 + 13  # the reader closed the pipe early (``| head``): the status a shell gives a tool SIGPIPE stops


class _UsageError(ScanreadyError):
    """A path that cannot be read, or a flag's value that makes no sense."""


def _out(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")


def _options(args: argparse.Namespace) -> ImportOptions:
    from dashboard.services import ImportOptions

    return ImportOptions(date_order=args.date_order, sync_links=args.sync_links,
                         sessions=dict.fromkeys((Path(path).name for path in args.files), args.session)
                         if args.session else {})


def _read(paths: Sequence[str], *, max_mb: int) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The files' bytes, and the names of those refused for their size (not read: the CLI never swaps)."""
    files, too_big = [], []
    for path in paths:
        name = _readable(Path(path).name)
        try:
            if Path(path).stat().st_size > max_mb * 1_000_000:
                too_big.append(name)
                continue
            files.append((name, Path(path).read_bytes()))
        except OSError as exc:
            raise _UsageError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return files, too_big


def _readable(name: str) -> str:
    """A file's name as text: a name that is not UTF-8 (its bytes kept by Python as surrogates, which neither JSON
    nor the store can hold) with each byte it cannot read shown as \ufffd."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_or_refuse(args: argparse.Namespace, *, max_mb: int) -> list[tuple[str, bytes]] | None:
    """The files of ``args``; None (the refusal already reported, as an invalid file) when one is too big."""
    from dashboard.ingest import FileReport
    from dashboard.services import Validation

    files, too_big = _read(args.files, max_mb=max_mb)
    if not too_big:
        return files
    message = (f"The file is larger than {max_mb:,} MB (SCANREADY_MAX_FILE_MB); split it or raise the limit. "
               "Nothing was read.")
    reports = [FileReport(file=name, sha256="") for name in too_big]
    for report in reports:
        report.error(None, None, "", message)
    _emit_validation(Validation(reports), args)
    return None


def _emit_validation(validation: Validation, args: argparse.Namespace) -> None:
    from dashboard.cli_text import validation_text

    text = validation_text(validation, command="import" if args.command == "import" else "validate")
    _out(orjson.dumps(validation.to_dict()).decode() if args.json else text)


@contextmanager
def _database(url: str | None, *, upgrade: bool = True, write: bool = False, creates: bool = False) -> Iterator[Any]:
    """A unit of work on the store (migrated first, or only opened when ``upgrade`` is False). A command that
    does not expect to create the store (``creates``) says so on stderr when it had to: a mistyped --db."""
    from dashboard.db import make_engine, migrate, open_existing, session_scope

    target = load_settings(url).database_url
    engine = make_engine(target) if upgrade else open_existing(target)
    try:
        if upgrade and migrate(engine) and not creates:
            _out(f"scanready: there was no store at {engine.url.render_as_string(hide_password=True)}; an empty "
                 "one was created. Check --db (or SCANREADY_DATABASE_URL), or import files first.", err=True)
        with session_scope(engine, write=write) as db:
            yield db
    finally:
        engine.dispose()


def _validate(args: argparse.Namespace) -> int:
    from dashboard import services

    settings = load_settings(args.db)
    files = _read_or_refuse(args, max_mb=settings.max_file_mb)
    if files is None:
        return EXIT_INVALID
    if args.db:  # checked against an existing store, which is neither created nor migrated
        with _database(args.db, upgrade=False) as db:
            validation = services.validate_files(files, settings=settings, db=db, options=_options(args))
            db.rollback()
    else:
        validation = services.validate_files(files, settings=settings, options=_options(args))
    _emit_validation(validation, args)
    return EXIT_OK if validation.valid else EXIT_INVALID


def _import(args: argparse.Namespace) -> int:
    from dashboard import services
    from dashboard.cli_text import import_text

    settings = load_settings(args.db)
    files = _read_or_refuse(args, max_mb=settings.max_file_mb)
    if files is None:
        return EXIT_INVALID
    with _database(args.db, write=True, creates=True) as db:
        outcome = services.import_files(files, db=db, settings=settings, options=_options(args),
                                        progress=_progress_line())
        if outcome.import_id is None:
            db.rollback()
    _out(orjson.dumps(outcome.to_dict()).decode() if args.json else import_text(outcome))
    return EXIT_OK if outcome.validation.valid else EXIT_INVALID


def _board(args: argparse.Namespace) -> Board:
    """The readiness board of ``--db`` at ``--as-of`` (default: now), for the commands that print it."""
    from dashboard import services

    as_of = services.parse_as_of(args.as_of) if args.as_of else None
    with _database(args.db) as db:
        return services.readiness_board(db=db, as_of=as_of)


def _readiness(args: argparse.Namespace) -> int:
    from dashboard import services

    if args.json:  # written from pre-encoded pieces: a board of 100,000 sessions builds no Checklist
        as_of = services.parse_as_of(args.as_of) if args.as_of else None
        with _database(args.db) as db, _binary_out() as out:
            counts = services.write_readiness_json(db=db, out=out, as_of=as_of)
        return EXIT_BLOCKED if args.fail_on_blocked and counts["blocked"] else EXIT_OK
    board = _board(args)
    if args.csv:
        _out_document(services.readiness_csv(board))
    else:
        from dashboard.cli_text import board_text

        _out(board_text(board))
    blocked = board.counts()["blocked"]
    return EXIT_BLOCKED if args.fail_on_blocked and blocked else EXIT_OK


def _out_document(document: bytes) -> None:
    """``_out`` for an encoded document (JSON or CSV, UTF-8), written as it is rather than decoded and encoded
    again (at 100,000 sessions, ``receipt --json`` is 21 MB), a line end added only when it has none."""
    with _binary_out(end=b"" if document.endswith(b"\n") else b"\n") as out:
        out.write(document)


@contextmanager
def _binary_out(end: bytes = b"\n") -> Iterator[BinaryIO]:
    """``_out`` for an encoded document written piece by piece (``readiness --json``), ending it with ``end``."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (an embedding that swapped sys.stdout): decoded once, at the end
        collected = io.BytesIO()
        yield collected
        sys.stdout.write((collected.getvalue() + end).decode())
        return
    sys.stdout.flush()  # whatever was written as text comes first
    yield buffer
    buffer.write(end)
    buffer.flush()


def _undo(args: argparse.Namespace) -> int:
    from dashboard import services
    from dashboard.cli_text import undo_text

    with _database(args.db, write=True) as db:
        outcome = services.undo_import(db=db, import_id=args.import_id)
    _out(orjson.dumps(outcome.to_dict()).decode() if args.json else undo_text(outcome))
    return EXIT_OK


def _progress_line() -> Any:
    """A progress line on stderr when it is a terminal (redrawn in place), else nothing."""
    if not sys.stderr.isatty():
        return lambda _fraction, _doing: None

    def show(fraction: float, doing: str) -> None:
        sys.stderr.write(f"\r\x1b[K{fraction:4.0%} {doing}" + ("\n" if fraction >= 1 else ""))
        sys.stderr.flush()

    return show


def _migrate(args: argparse.Namespace) -> int:
    from dashboard.db import SCHEMA_REVISION

    with _database(args.db, creates=True) as db:
        url = db.get_bind().engine.url.render_as_string(hide_password=True)
    _out(f"Store at {url} is at schema {SCHEMA_REVISION}.")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from dashboard.svg import Renderer

    with Renderer() as renderer:  # first: it starts vl-convert's engine on another core while the store is read
        from dashboard import report, services

        as_of = services.parse_as_of(args.as_of) if args.as_of else None
        with _database(args.db) as db:
            board = services.readiness_board(db=db, as_of=as_of)
            receipts = services.receipt_board(db=db, as_of=board.as_of, capacity=args.capacity)
        html = services.review_report(board, capacity=args.capacity, receipts=receipts,
                                      render=report.drawn_by(renderer))
    from dashboard.wording import iso_utc

    try:
        Path(args.output).write_text(html, encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"Cannot write {args.output}: {exc.strerror or exc}.") from exc
    counts = board.counts()
    _out(f"Wrote {args.output}: readiness as of {iso_utc(board.as_of)}, {counts['blocked']:,} blocked, "
         f"{counts['pending']:,} pending, {counts['ready']:,} ready.")
    return EXIT_OK


def _volume(args: argparse.Namespace) -> int:
    from dashboard import services
    from dashboard.volume import daily_series, series_records, unscheduled, with_received

    as_of = services.parse_as_of(args.as_of) if args.as_of else None
    with _database(args.db) as db:
        board = services.readiness_board(db=db, as_of=as_of)
        received = services.received_per_day(db=db, as_of=board.as_of)
    series = with_received(daily_series(board.checklists, capacity=args.capacity), received)
    if args.json:
        _out_document(orjson.dumps(series_records(series)))
    elif args.csv:
        from dashboard.export import safe_csv

        _out_document(safe_csv(series))
    else:
        from dashboard.cli_text import volume_text

        _out(volume_text(series_records(series), unscheduled(board.checklists)))
    return EXIT_OK


def _receipt(args: argparse.Namespace) -> int:
    from dashboard import services

    as_of = services.parse_as_of(args.as_of) if args.as_of else None
    with _database(args.db) as db:
        board = services.receipt_board(db=db, as_of=as_of, capacity=args.capacity)
    if args.json:
        _out_document(orjson.dumps(board.to_dict()))
    elif args.csv:
        _out_document(services.receipt_csv(board))
    else:
        from dashboard.cli_text import receipt_text

        _out(receipt_text(board))
    return EXIT_BLOCKED if args.fail_on_missing and board.short_after_closing else EXIT_OK


COMMANDS = {"validate": _validate, "import": _import, "readiness": _readiness, "undo": _undo, "migrate": _migrate,
            "report": _report, "volume": _volume, "receipt": _receipt}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return code
    except BrokenPipeError:
        # Python's own advice: point stdout at /dev/null so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except ScanreadyError as exc:
        if getattr(args, "json", False):
            _out(orjson.dumps({"valid": False, "error": str(exc)}).decode())
        _out(f"scanready: {exc}", err=True)
        return EXIT_USAGE


def run() -> None:
    """The ``scanready`` command: ``main`` in a process of its own, with Python's cyclic collector off for good.

    A command is one short process. Its bulk steps pause the collector already (``collector_paused``), but turning
    it back on let the next allocation walk every object made meanwhile, hundreds of thousands of them: 0.08-0.18 s
    of an import, ``readiness`` or ``receipt`` at programme scale, for nothing, since reference counting frees
    every value as soon as it is unused and the few cycles made are given back when the process exits (peak
    memory measured unchanged). ``main`` itself leaves the collector as it found it, for callers in a process
    that lives on (the tests).

    Once ``main`` has returned, the process ends without taking the interpreter down: the store is closed
    (``_database`` disposes of its engine), every file written is closed and the output is flushed here, and
    freeing a programme's values one by one only to give their memory back to the system took 0.05 s of an
    import of 100,000 sessions. An exception ``main`` does not handle still ends the usual way, with its
    traceback."""
    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # a reader gone since main's own flush: as main does, say so in the exit status
        code = EXIT_PIPE
    os._exit(code)


if __name__ == "__main__":
    run()
