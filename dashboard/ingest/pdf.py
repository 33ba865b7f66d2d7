"""Scanned session PDFs: how many pages one holds, and which session a PDF belongs to by its file name.

Owns: ``pdf_pages`` (the page count, read with pypdf, or ``FileFormatError`` with a sentence a manager can act on),
TAO's per-PDF page limit as a warning (``page_limit_warning``), and the file-name matching (``SessionMatcher``,
``match_session``).

Reading: pypdf in its lenient mode, because scanner software writes slightly non-compliant files (wrong cross-
reference offsets, a marker off its line) that pypdf repairs and that are fine. Leniency has one blind spot this
module closes itself: a file cut short inside a later revision (an incremental update, or the main part of a
"fast web view" file) reads as its earlier revision, with fewer pages and no error. So a PDF must end with its
end-of-file marker ``%%EOF``, followed by nothing but padding (whitespace, NUL, Ctrl-Z); anything else after the
last marker means a cut revision or trailing debris, and both are refused. A file cut exactly at the end of an
earlier revision is a complete older PDF and cannot be told apart. Every page must also carry a page size
(``/MediaBox``, which the PDF standard requires): a page damaged in the middle of a file loses it.
pypdf reports its repairs through the ``pypdf`` logger, which this module silences (they are not for managers);
pypdf 7 raises no Python warnings while reading.

Must not import: the database, pandas, streamlit, ``dashboard.services``. Standard library, pypdf and ``errors``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

from dashboard.errors import FileFormatError
from dashboard.tao import MAX_PAGES_PER_PDF

PDF_PAGE_LIMIT = MAX_PAGES_PER_PDF  # TAO's limit per session PDF
_HEAD = 1_024  # readers accept "%PDF-" anywhere in the first KiB, as Acrobat does
_PADDING = b"\x00\t\n\x0c\r \x1a"  # PDF whitespace, and Ctrl-Z that old Windows tools append
_DETAIL_LIMIT = 200  # characters of pypdf's own explanation kept in a message

logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # repairs and errors become our FileFormatError or nothing


def _read(data: bytes) -> PdfReader:
    """The file opened by pypdf, or FileFormatError for a file that is empty, not a PDF or cut short."""
    if not data.strip(_PADDING):
        raise FileFormatError("The file is empty: copy the session's PDF from the scanning centre again.")
    if b"%PDF-" not in data[:_HEAD]:
        raise FileFormatError("The file is not a PDF (it does not start with %PDF-): upload the session PDF "
                              "produced by the scanning centre.")
    if not data.rstrip(_PADDING).endswith(b"%%EOF"):
        raise FileFormatError("The PDF is incomplete: it does not end with its end-of-file marker (%%EOF), so it "
                              "was probably cut short while being copied or uploaded. Copy it again.")
    from pypdf import PdfReader  # here: only a PDF needs it, and every command imports this package

    try:
        return PdfReader(io.BytesIO(data))
    except Exception as exc:  # pypdf raises many kinds on hostile bytes; here each one means a damaged file
        raise _damaged(exc) from exc


def _damaged(exc: Exception) -> FileFormatError:
    detail = " ".join(str(exc).split())[:_DETAIL_LIMIT] or type(exc).__name__
    return FileFormatError(f"The PDF is damaged and cannot be read: copy or export it again. (pypdf: {detail})")


def pdf_pages(data: bytes) -> int:
    """The number of pages of a scanned session PDF, or FileFormatError saying what is wrong with the file.

    Refused: an empty file, a file that is not a PDF, a PDF cut short or damaged, an encrypted PDF (even one that
    opens without a password: TAO cannot read it), a PDF without pages.
    """
    reader = _read(data)
    if reader.is_encrypted:
        raise FileFormatError("The PDF is encrypted: export it again unencrypted (no password and no security "
                              "settings), then upload that file.")
    try:
        pages = reader.pages
        total = len(pages)
        broken = next((number for number, page in enumerate(pages, start=1) if not _has_size(page)), None)
    except Exception as exc:  # as in _read: a page tree that cannot be walked is a damaged file
        raise _damaged(exc) from exc
    if broken is not None:
        raise FileFormatError(f"Page {broken:,} of the PDF is damaged (it has no page size): copy or export the "
                              "PDF again.")
    if total == 0:
        raise FileFormatError("The PDF has no pages: export the session's scans again.")
    return total


def _has_size(page: PageObject) -> bool:
    try:
        return page.mediabox is not None  # a property that raises ValueError when the page has no size
    except ValueError:
        return False


def page_limit_warning(pages: int) -> str | None:
    """The warning for a PDF above TAO's ``PDF_PAGE_LIMIT`` pages (None at or below it): worth knowing, not an error,
    since the pages still count as received."""
    if pages <= PDF_PAGE_LIMIT:
        return None
    return (f"The PDF has {pages:,} pages, more than TAO's {PDF_PAGE_LIMIT} per session PDF: TAO may refuse it, "
            "so ask the scanning centre to split it.")


# --- Which session a PDF belongs to, by its file name -------------------------------------------------------------

MatchedBy = Literal["booklet", "name"]
_Entries = tuple[tuple[str, str], ...]  # (booklet file name or session name as spelt, session name)
_NAMED = 3  # sessions named in a message; the rest are counted


@dataclass(frozen=True, slots=True)
class Match:
    """Which session a PDF's file name points to.

    ``session`` is the one session, or None when nothing matched or several sessions fit equally well; then
    ``candidates`` (sorted) holds those sessions and ``ambiguous`` is true. ``by`` says which rule decided and
    ``key`` what it matched (the booklet file name or session name as the sessions spell it; for an ambiguous
    match, the part of the file name that several sessions fit).
    """

    file_name: str
    session: str | None
    by: MatchedBy | None
    key: str | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def message(self) -> str | None:
        """The sentence for a file without a session (None when it has one)."""
        if self.session is not None:
            return None
        if not self.ambiguous:
            return (f'No session matches "{self.file_name}": its name starts with no session\'s booklet file name '
                    "and is no session's name. Rename it after its session.")
        sessions = _quoted(self.candidates)
        if self.by == "booklet":
            return (f'"{self.file_name}" starts with the booklet file name "{self.key}", which sessions {sessions} '
                    "share: rename the file to its session's name.")
        return (f'"{self.file_name}" is the name of sessions {sessions}, in different letter case: rename the file '
                "with its session's name exactly.")


def _quoted(names: tuple[str, ...]) -> str:
    shown = [f'"{name}"' for name in names[:_NAMED]]
    if len(names) > _NAMED:
        shown.append(f"{len(names) - _NAMED:,} others")
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _stem(file_name: str) -> str:
    """The file name without folders and without a ``.pdf`` extension (in any case); other extensions stay, since
    session names may hold dots ("Maths 4.A")."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:-4].rstrip() if base.casefold().endswith(".pdf") else base


class SessionMatcher:
    """File names to sessions, for many files: built once from every session's booklet file name and name.

    The rules, in order:
    1. Booklet: the session whose ``session_paperMode_bookletFilename`` the file name (without ``.pdf``) starts
       with; the longest such booklet file name wins. Letter case is ignored (scanners may upper-case names), but
       among booklet file names of that length an exact-case one is preferred.
    2. Name: else, or when rule 1 is ambiguous, the session whose ``session_name`` equals the file name without
       ``.pdf``: exact case first, else ignoring case.
    Ambiguous (no session, ``candidates`` naming them): the longest booklet file name is shared by several sessions
    (or spelt by them alike up to case) and rule 2 does not settle it; or rule 2 alone finds several names that
    differ only by case. Empty booklet file names are ignored.

    Cost: a dict lookup per prefix of the file name (longest first), never a pass over the booklets.
    """

    def __init__(self, booklets: Mapping[str, str] | Iterable[tuple[str, str]], names: Collection[str]) -> None:
        """``booklets`` maps booklet file name to session name; pairs (booklet, session) let sessions share one."""
        pairs = booklets.items() if isinstance(booklets, Mapping) else booklets
        self._booklets = _index((booklet, session) for booklet, session in pairs if booklet.strip())
        self._names = _index((name, name) for name in names)

    def match(self, file_name: str) -> Match:
        """The session ``file_name`` belongs to, an ambiguous match, or no match (see the class's rules)."""
        stem = _stem(file_name)
        found: Match | None = None
        for end in range(len(stem), 0, -1):
            entries = self._booklets.get(stem[:end].casefold())
            if entries:
                found = _pick(file_name, "booklet", stem[:end], entries)
                break
        if found is not None and not found.ambiguous:
            return found
        entries = self._names.get(stem.casefold()) if stem else None
        by_name = _pick(file_name, "name", stem, entries) if entries else None
        if by_name is not None and (found is None or not by_name.ambiguous):
            return by_name
        return found or Match(file_name, None, None, None)


def _index(pairs: Iterable[tuple[str, str]]) -> dict[str, _Entries]:
    index: dict[str, _Entries] = {}
    for spelt, session in pairs:
        key = spelt.casefold()
        index[key] = (*index.get(key, ()), (spelt, session))
    return index


def _pick(file_name: str, by: MatchedBy, spelt: str, entries: _Entries) -> Match:
    """The session among ``entries`` (all equal to ``spelt`` up to case), preferring those spelt exactly alike."""
    chosen = [entry for entry in entries if entry[0] == spelt] or list(entries)
    sessions = tuple(sorted({session for _, session in chosen}))
    if len(sessions) == 1:
        return Match(file_name, sessions[0], by, chosen[0][0], sessions)
    return Match(file_name, None, by, spelt, sessions)


def match_session(file_name: str, booklets: Mapping[str, str] | Iterable[tuple[str, str]],
                  names: Collection[str]) -> Match:
    """The session of one PDF by its file name (``SessionMatcher``'s rules); build a ``SessionMatcher`` once to
    match many files against many sessions."""
    return SessionMatcher(booklets, names).match(file_name)
