"""Scanned session PDFs: page counts of files written here with pypdf, every way a file is refused, the 400-page
warning, and the file-name matching table."""

from __future__ import annotations

import ast
import io
import logging
import re
from pathlib import Path

import pytest
from pypdf import PdfWriter

from dashboard import readiness
from dashboard.errors import FileFormatError
from dashboard.ingest import pdf as pdf_module
from dashboard.ingest.pdf import (
    PDF_PAGE_LIMIT,
    Match,
    SessionMatcher,
    match_session,
    page_limit_warning,
    pdf_pages,
)


def pdf(pages: int, *, user_password: str | None = None, algorithm: str = "AES-256") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def updated(data: bytes, more: int) -> bytes:
    """``data`` with an incremental update appended that adds ``more`` pages (a second revision)."""
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    for _ in range(more):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


THREE = pdf(3)
EMPTY = "The file is empty: copy the session's PDF from the scanning centre again."
NOT_PDF = ("The file is not a PDF (it does not start with %PDF-): upload the session PDF produced by the scanning "
           "centre.")
INCOMPLETE = ("The PDF is incomplete: it does not end with its end-of-file marker (%%EOF), so it was probably cut "
              "short while being copied or uploaded. Copy it again.")
ENCRYPTED = ("The PDF is encrypted: export it again unencrypted (no password and no security settings), then upload "
             "that file.")


@pytest.mark.parametrize("pages", [1, 3, 401])
def test_page_count(pages: int) -> None:
    assert pdf_pages(pdf(pages)) == pages


@pytest.mark.parametrize(("data", "message"), [
    (b"", EMPTY),
    (b" \r\n\x00", EMPTY),
    (b"hello, this is a text file\n", NOT_PDF),
    (b"PK\x03\x04 a zip file that ends with %%EOF", NOT_PDF),
    (THREE[: len(THREE) // 2], INCOMPLETE),
    (THREE[:-3], INCOMPLETE),  # inside the %%EOF marker itself
    (THREE + b"1 0 obj\n<< >>\nendobj\n", INCOMPLETE),  # debris (or the start of a revision) after the marker
    (pdf(2, user_password=""), ENCRYPTED),  # opens without a password, but TAO cannot read it
    (pdf(2, user_password="secret"), ENCRYPTED),
    (pdf(2, user_password="", algorithm="RC4-128"), ENCRYPTED),
    (pdf(0), "The PDF has no pages: export the session's scans again."),
], ids=["empty", "blank", "text", "zip", "cut-half", "cut-in-marker", "debris-after-marker", "encrypted-no-password",
        "encrypted-password", "encrypted-rc4", "no-pages"])
def test_refused_files_say_why(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        pdf_pages(data)
    assert str(caught.value) == message


def test_every_cut_short_file_is_refused() -> None:
    """Cut at every byte before the end of its %%EOF marker, the file never yields a count."""
    end = THREE.rindex(b"%%EOF") + len(b"%%EOF")
    for cut in range(1, end):
        with pytest.raises(FileFormatError):
            pdf_pages(THREE[:cut])
    assert pdf_pages(THREE[:end]) == 3  # what follows the marker is only a line break


def test_file_cut_inside_a_later_revision_is_refused() -> None:
    """pypdf alone reads such a file as its first revision (3 pages of 5) without an error."""
    both = updated(THREE, 2)
    assert pdf_pages(both) == 5
    for cut in (len(THREE) + 10, (len(THREE) + len(both)) // 2, len(both) - 30):
        with pytest.raises(FileFormatError, match=re.escape(INCOMPLETE)):
            pdf_pages(both[:cut])


def test_bytes_lost_inside_a_page_are_refused() -> None:
    """A chunk lost in the middle of page 1's object: pypdf repairs the offsets but the page has lost its size."""
    start = THREE.index(b"/Type /Page\n")
    damaged = THREE[: start + 15] + THREE[start + 75:]
    with pytest.raises(FileFormatError, match=r"^Page 1 of the PDF is damaged \(it has no page size\)"):
        pdf_pages(damaged)


def test_damaged_structure_is_refused_with_pypdf_detail() -> None:
    broken = THREE.replace(b"/Pages 2 0 R", b"/Pages 9 0 R", 1)  # the page tree's root is no object of the file
    with pytest.raises(FileFormatError, match=r"^The PDF is damaged and cannot be read: copy or export it again\. "
                                              r"\(pypdf: .+\)$"):
        pdf_pages(broken)


@pytest.mark.parametrize("tail", [b"\n\n", b"\x00" * 3_000, b"\r\n\x1a", b" \t\x0c"])
def test_padding_after_the_marker_is_accepted(tail: bytes) -> None:
    assert pdf_pages(THREE + tail) == 3


def test_leniently_repaired_file_counts_and_pypdf_stays_quiet(caplog: pytest.LogCaptureFixture,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong cross-reference offset (common from scanner software) is repaired, and pypdf's note is not shown."""
    offset = re.search(rb"startxref\n(\d+)\n", THREE)
    assert offset is not None
    wrong = THREE.replace(offset.group(0), b"startxref\n" + str(int(offset.group(1)) + 7).encode() + b"\n")
    with caplog.at_level(logging.DEBUG):
        assert pdf_pages(wrong) == 3
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(("pages", "warning"), [
    (1, None),
    (400, None),
    (401, "The PDF has 401 pages, more than TAO's 400 per session PDF: TAO may refuse it, so ask the scanning centre "
          "to split it."),
    (1_200, "The PDF has 1,200 pages, more than TAO's 400 per session PDF: TAO may refuse it, so ask the scanning "
            "centre to split it."),
])
def test_page_limit_warning(pages: int, warning: str | None) -> None:
    assert page_limit_warning(pages) == warning


def test_page_limit_is_taos_booklet_limit() -> None:
    assert PDF_PAGE_LIMIT == readiness.MAX_PAGES_PER_PDF == 400


# --- Matching -----------------------------------------------------------------------------------------------------

BOOKLETS = [
    ("school-math", "Maths 4A"),
    ("school-math-advanced", "Maths 4B"),
    ("School-Physics", "Physics 4A"),
    ("school-physics", "Physics 4B"),  # the same booklet up to case: the exact spelling decides
    ("shared", "History 4A"),
    ("shared", "History 4B"),  # one booklet file name, two sessions
    ("SHARED-GEO", "Geography 4A"),
    ("Shared-Geo", "Geography 4B"),  # alike up to case, neither exact for "shared-geo"
    ("", "Music 4A"),  # no booklet file name: never a prefix of everything
]
NAMES = ["Maths 4A", "Maths 4B", "Physics 4A", "Physics 4B", "History 4A", "History 4B", "Geography 4A",
         "Geography 4B", "Music 4A", "Art 4A", "art 4a", "Maths 4.A", "shared-history 4b"]


@pytest.mark.parametrize(("file_name", "expected"), [
    ("school-math.pdf", ("Maths 4A", "booklet", "school-math", ())),
    ("school-math_batch-02.PDF", ("Maths 4A", "booklet", "school-math", ())),
    ("SCHOOL-MATH-003.Pdf", ("Maths 4A", "booklet", "school-math", ())),
    ("school-math-advanced-1.pdf", ("Maths 4B", "booklet", "school-math-advanced", ())),  # longest wins
    ("school-math-advance.pdf", ("Maths 4A", "booklet", "school-math", ())),
    ("scans/2027/school-math.pdf", ("Maths 4A", "booklet", "school-math", ())),
    ("C:\\scans\\school-math.pdf", ("Maths 4A", "booklet", "school-math", ())),
    ("School-Physics-01.pdf", ("Physics 4A", "booklet", "School-Physics", ())),
    ("school-physics-01.pdf", ("Physics 4B", "booklet", "school-physics", ())),
    ("SCHOOL-PHYSICS-01.pdf", (None, "booklet", "SCHOOL-PHYSICS", ("Physics 4A", "Physics 4B"))),
    ("shared-01.pdf", (None, "booklet", "shared", ("History 4A", "History 4B"))),
    ("shared-history 4C.pdf", (None, "booklet", "shared", ("History 4A", "History 4B"))),
    ("shared-history 4b.pdf", ("shared-history 4b", "name", "shared-history 4b", ())),  # the name settles it
    ("SHARED-HISTORY 4B.pdf", ("shared-history 4b", "name", "shared-history 4b", ())),
    ("shared-geo.pdf", (None, "booklet", "shared-geo", ("Geography 4A", "Geography 4B"))),
    ("Maths 4A.pdf", ("Maths 4A", "name", "Maths 4A", ())),
    ("maths 4a.pdf", ("Maths 4A", "name", "Maths 4A", ())),
    ("Maths 4.A.pdf", ("Maths 4.A", "name", "Maths 4.A", ())),
    ("Maths 4.A", ("Maths 4.A", "name", "Maths 4.A", ())),  # no .pdf: the dot is part of the name
    ("Music 4A .pdf", ("Music 4A", "name", "Music 4A", ())),
    ("Art 4A.pdf", ("Art 4A", "name", "Art 4A", ())),  # exact case preferred
    ("ART 4A.pdf", (None, "name", "ART 4A", ("Art 4A", "art 4a"))),
    ("Maths 4A-extra.pdf", (None, None, None, ())),
    ("biology.pdf", (None, None, None, ())),
    (".pdf", (None, None, None, ())),
    ("", (None, None, None, ())),
])
def test_match_session(file_name: str, expected: tuple[str | None, str | None, str | None, tuple[str, ...]]) -> None:
    match = match_session(file_name, BOOKLETS, NAMES)
    session, by, key, candidates = expected
    assert (match.session, match.by, match.key) == (session, by, key)
    assert match.ambiguous == bool(candidates)
    assert match.candidates == (candidates or ((session,) if session else ()))
    assert match.file_name == file_name
    assert (match.message() is None) == (session is not None)


def test_mapping_of_booklets_is_accepted() -> None:
    assert match_session("SCHOOL-MATH-1.pdf", {"school-math": "Maths 4A"}, []).session == "Maths 4A"


@pytest.mark.parametrize(("match", "message"), [
    (Match("a.pdf", "Maths 4A", "booklet", "a"), None),
    (Match("biology.pdf", None, None, None),
     'No session matches "biology.pdf": its name starts with no session\'s booklet file name and is no session\'s '
     "name. Rename it after its session."),
    (Match("shared-01.pdf", None, "booklet", "shared", ("History 4A", "History 4B")),
     '"shared-01.pdf" starts with the booklet file name "shared", which sessions "History 4A" and "History 4B" '
     "share: rename the file to its session's name."),
    (Match("shared-01.pdf", None, "booklet", "shared", ("A", "B", "C", "D", "E")),
     '"shared-01.pdf" starts with the booklet file name "shared", which sessions "A", "B", "C" and 2 others '
     "share: rename the file to its session's name."),
    (Match("ART 4A.pdf", None, "name", "ART 4A", ("Art 4A", "art 4a", "art 4A")),
     '"ART 4A.pdf" is the name of sessions "Art 4A", "art 4a" and "art 4A", in different letter case: rename the '
     "file with its session's name exactly."),
])
def test_match_message(match: Match, message: str | None) -> None:
    assert match.message() == message


def test_matcher_over_many_booklets() -> None:
    """100,000 booklets built once; each file finds its own booklet, the longest of those it starts with."""
    matcher = SessionMatcher(((f"booklet-{i}", f"Session {i}") for i in range(100_000)), [])
    assert matcher.match("booklet-99999-scan.pdf").session == "Session 99999"
    assert matcher.match("BOOKLET-1234.PDF").session == "Session 1234"
    assert matcher.match("booklet-12345.pdf").session == "Session 12345"  # not booklet-1234 nor booklet-1
    assert matcher.match("booklet-.pdf").session is None


def test_module_imports_no_database_pandas_or_streamlit() -> None:
    tree = ast.parse(Path(str(pdf_module.__file__)).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "io", "logging", "collections.abc", "dataclasses", "typing", "pypdf",
                        "dashboard.errors", "dashboard.tao"}
