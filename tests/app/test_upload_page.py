"""AppTest of the import page: the real app script, a real SQLite file, st.file_uploader driven."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from dashboard.example import example_files
from models import Activity, ExamSession, GroupLink, ImportFile

HEADER = ("session_deliveryId,group_name,session_name,session_timezone,session_startDate,session_endDate,"
          "session_submissionDate,session_paperMode_isEnabled,session_paperMode_sheetsPerInteraction,"
          "session_paperMode_totalInteractions,session_paperMode_bookletFilename,"
          "session_paperMode_scanUploadStartDate,session_paperMode_scanUploadEndDate")
ROW = ("d1,{group},{name},Europe/Brussels,2028-06-12T07:00:00Z,2028-06-12T10:00:00Z,2028-06-12T11:00:00Z,1,{sheets},6,"
       "history,2028-06-13T06:00:00.000Z,2028-06-27T18:00:00.000Z")


def sessions_csv(*rows: tuple[str, str, str]) -> bytes:
    return "\n".join([HEADER, *(ROW.format(group=g, name=n, sheets=s) for g, n, s in rows)]).encode() + b"\n"


GOOD = sessions_csv(("Class 4A", "History 4A", "1"), ("Class 4B", "History 4B", "2"))
BAD = sessions_csv(("Class 4A", "History 4A", "1"), ("Class 4B", "History 4B", "none"))


def count(engine, table) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(table))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_empty_store_welcomes_with_templates_and_example(make_app):
    at = make_app("import").run()
    assert not at.exception
    assert any("The store is empty" in info.value for info in at.info)
    labels = [b.proto.label for b in at.get("download_button") if b.proto.ignore_rerun]  # a download starts no rerun
    assert labels == ["Template: existing groups", "Template: new groups"]
    assert button(at, "Load example programme")
    assert "No import yet." in [c.value for c in at.caption]


def test_valid_upload_shows_summary_preview_and_imports(make_app, app_engine):
    at = make_app("import").run()
    at.file_uploader[0].set_value([("good.csv", GOOD, "text/csv")]).run()
    assert not at.exception
    summary = at.dataframe[0].value
    assert summary.to_dict("records") == [{"file": "good.csv", "kind": "sessions",
                                           "template": "sessions-with-delivery-in-existing-groups", "rows": 2,
                                           "errors": 0, "warnings": 0}]
    assert [s.value for s in at.success] == ["All 1 file(s) are valid."]
    preview = at.dataframe[-1].value
    assert list(preview["session_name"]) == ["History 4A", "History 4B"]
    assert not button(at, "Import").disabled
    button(at, "Import").click().run()
    assert not at.exception
    assert "Imported: 2 sessions created." in [s.value for s in at.success]
    assert count(app_engine, ExamSession) == 2
    history = at.dataframe[-1].value
    assert history.loc[0, "changes"] == "2 sessions created"  # counts per kind, never mixed
    assert "good.csv (sessions, 2 rows, sha256 " in history.loc[0, "files"]
    assert count(app_engine, ImportFile) == 1


def test_invalid_upload_lists_errors_and_keeps_import_disabled(make_app, app_engine):
    at = make_app("import").run()
    at.file_uploader[0].set_value([("bad.csv", BAD, "text/csv")]).run()
    assert not at.exception
    assert at.error[0].value.startswith("1 error(s)")
    problems = at.dataframe[1].value
    assert problems[["severity", "file", "line", "column", "value"]].to_dict("records") == [
        {"severity": "error", "file": "bad.csv", "line": 3, "column": "session_paperMode_sheetsPerInteraction",
         "value": "none"}]
    assert button(at, "Import").disabled
    assert [(b.proto.label, b.proto.ignore_rerun) for b in at.get("download_button")][-1] == (
        "Download problems as CSV", True)
    assert count(app_engine, ExamSession) == 0


def test_show_errors_only_hides_warnings(make_app):
    bad_with_warning = BAD.replace(b"session_deliveryId,", b"session_deliveryId,colour,", 1).replace(
        b"\nd1,", b"\nd1,blue,")
    at = make_app("import").run()
    at.file_uploader[0].set_value([("bad.csv", bad_with_warning, "text/csv")]).run()
    assert at.toggle[0].value is True
    assert set(at.dataframe[1].value["severity"]) == {"error"}
    at.toggle[0].set_value(False).run()
    assert set(at.dataframe[1].value["severity"]) == {"error", "warning"}
    assert "colour" in set(at.dataframe[1].value["column"])


def test_one_bad_file_among_several_blocks_the_whole_upload(make_app, app_engine):
    links = b"user_username,group_name,group_role\nana,Class 4A,TEST_TAKER\n"
    at = make_app("import").run()
    at.file_uploader[0].set_value([("links.csv", links, "text/csv"), ("bad.csv", BAD, "text/csv")]).run()
    assert list(at.dataframe[0].value["errors"]) == [0, 1]
    assert button(at, "Import").disabled
    assert count(app_engine, GroupLink) == 0


def test_duplicate_session_across_files_is_an_error_on_the_second(make_app):
    other = sessions_csv(("Class 4A", "History 4A", "1"))
    at = make_app("import").run()
    at.file_uploader[0].set_value([("a.csv", GOOD, "text/csv"), ("b.csv", other, "text/csv")]).run()
    problems = at.dataframe[1].value
    assert problems[["file", "line", "column"]].to_dict("records") == [
        {"file": "b.csv", "line": 2, "column": "session_name"}]


def test_reimport_of_the_same_files_says_nothing_changed_and_records_nothing(make_app, app_engine):
    at = make_app("import").run()
    at.file_uploader[0].set_value([("good.csv", GOOD, "text/csv")]).run()
    button(at, "Import").click().run()
    at.file_uploader[0].set_value([("good.csv", GOOD, "text/csv")]).run()
    button(at, "Import").click().run()
    assert "Nothing changed: the store already holds every record as these files give it, so no import was " \
           "recorded." in [i.value for i in at.info]
    assert count(app_engine, ExamSession) == 2
    assert count(app_engine, ImportFile) == 1  # one import in the history, not two


def test_load_example_programme_fills_the_store(make_app, app_engine):
    at = make_app("import").run()
    button(at, "Load example programme").click().run()
    assert not at.exception
    example_sessions = example_files(datetime.now(UTC))[0][1]
    assert count(app_engine, ExamSession) == len(example_sessions.splitlines()) - 1 == 36
    assert any(s.value.startswith("Imported: ") for s in at.success)
    assert not any("The store is empty" in info.value for info in at.info)


def test_an_undecodable_file_is_a_whole_file_error(make_app):
    at = make_app("import").run()
    at.file_uploader[0].set_value([("scan.pdf.csv", b"%PDF-1.4\n\x81\x8d\x8f\x90\x9d\x00", "text/csv")]).run()
    assert not at.exception
    problems = at.dataframe[1].value
    assert problems.loc[0, "severity"] == "error"
    assert problems["line"].isna().all()
    assert button(at, "Import").disabled


def test_a_manager_undoes_the_last_import_from_the_history(make_app, app_engine):
    at = make_app("import").run()
    at.file_uploader[0].set_value([("good.csv", GOOD, "text/csv")]).run()
    button(at, "Import").click().run()
    assert count(app_engine, ExamSession) == 2
    choice = at.selectbox(key="undo_choice")
    assert choice.value is None  # nothing is worked out before the manager picks an import
    assert not [m for m in at.markdown if m.value.startswith("Undoing import")]
    assert not [b for b in at.button if b.label.startswith("Undo import")]
    assert choice.options[0].endswith(": good.csv")  # the label names the files
    choice.set_value(1).run()
    # Before anything happens, the page says what the undo will do, per kind; then the manager confirms.
    assert "Undoing import #1: 2 sessions removed." in [m.value for m in at.markdown]
    assert count(app_engine, ExamSession) == 2
    button(at, "Undo import #1").click().run()
    assert not at.exception
    assert "Import #1 undone: 2 sessions removed." in [s.value for s in at.success]
    assert count(app_engine, ExamSession) == 0
    assert at.dataframe[-1].value.loc[0, "undone"] != ""
    assert not [s for s in at.selectbox if s.key == "undo_choice"]  # nothing left to undo


LINKS = b"user_username,group_name,group_role\nana,Class 4A,TEST_TAKER\nup,Class 4A,SCAN_UPLOADER\n"


def test_a_tao_export_asks_for_its_session_and_imports_every_row_there(make_app, app_engine):
    from tests.conftest import read

    at = make_app("import").run()
    at.file_uploader[0].set_value([("good.csv", GOOD, "text/csv"), ("links.csv", LINKS, "text/csv")]).run()
    button(at, "Import").click().run()
    at.file_uploader[0].set_value([("portal.csv", read("tao_portal_results.csv"), "text/csv")]).run()
    assert not at.exception
    choice = at.selectbox(key="export_session::portal.csv")
    assert choice.label == "Session of this export: portal\\.csv"  # the file's name with its Markdown made inert
    assert choice.options == ["Match each row by its login's group and delivery", "History 4A", "History 4B"]
    # Matched by login, only Ana is a test-taker of a paper session, but of delivery d1, not the export's.
    assert list(at.dataframe[1].value["severity"]) == ["warning"] * 4
    choice.set_value("History 4A").run()
    assert not at.exception
    assert "problems" not in [d.key for d in at.dataframe]  # named, every row has its session: no warning
    button(at, "Import").click().run()
    assert not at.exception
    assert "Imported: 4 activity rows created." in [s.value for s in at.success]
    assert count(app_engine, Activity) == 4


def test_complete_rosters_show_what_they_remove_before_the_import(make_app, app_engine):
    at = make_app("import").run()
    at.file_uploader[0].set_value([("good.csv", GOOD, "text/csv"), ("links.csv", LINKS, "text/csv")]).run()
    button(at, "Import").click().run()
    only_ana = b"user_username,group_name,group_role\nana,Class 4A,TEST_TAKER\n"
    at.file_uploader[0].set_value([("links.csv", only_ana, "text/csv")]).run()
    sync = at.checkbox(key="sync_links")
    assert (sync.label, sync.value) == ("These files list everyone in their groups", False)
    sync.check().run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["Importing removes 1 link(s) that these files leave out, in 1 group(s):"]
    preview = at.dataframe[0].value
    assert (list(preview["group"]), list(preview["links removed"])) == (["Class 4A"], [1])
    assert count(app_engine, GroupLink) == 2  # nothing removed yet
    button(at, "Import").click().run()
    assert "Imported: 1 enrolment link removed, 1 unchanged." in [s.value for s in at.success]
    assert count(app_engine, GroupLink) == 1


def test_the_date_order_of_an_export_is_the_managers_choice(make_app):
    from tests.conftest import read

    table = read("tao_results_table.csv").replace(b"16/03/2027", b"04/03/2027")
    at = make_app("import").run()
    at.file_uploader[0].set_value([("good.csv", GOOD, "text/csv"), ("links.csv", LINKS, "text/csv")]).run()
    button(at, "Import").click().run()
    at.file_uploader[0].set_value([("table.csv", table, "text/csv")]).run()
    preview = next(d.value for d in at.dataframe if "started_at" in d.value)  # Ana's row, in History 4A by her group
    assert str(preview["started_at"][0]).startswith("2027-03-04 08:05")  # 4 March 09:05 in Brussels
    order = at.radio(key="date_order")
    assert order.value == "auto"
    order.set_value("mdy").run()
    assert not at.exception
    assert at.radio(key="date_order").value == "mdy"
    preview = next(d.value for d in at.dataframe if "started_at" in d.value)
    assert str(preview["started_at"][0]).startswith("2027-04-03 07:05")  # 3 April 09:05 in Brussels (summer)
