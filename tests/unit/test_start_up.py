"""What a command loads before its first row: the start-up every CLI command pays (docs/performance.md). The
readiness and receipt commands load neither pandas nor pypdf; the services package imports each name from its
module on first use, and its two lists of names (for the type checker, for the run) are the same."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import dashboard.services as services_package

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "pypdf", "altair", "streamlit", "alembic")

LOADED = """
import sys
from dashboard.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write("LOADED " + " ".join(sorted(name for name in sys.modules if name.split(".")[0] in {heavy})))
"""


def loaded_by(tmp_path: Path, *args: str) -> set[str]:
    """The heavy top-level packages in memory after ``scanready *args`` ran in a fresh interpreter."""
    code = LOADED.replace("{heavy}", repr(set(HEAVY)))
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path,
                          check=True)
    listed = done.stderr.rpartition("LOADED ")[2]
    return {name.split(".")[0] for name in listed.split()}


def test_readiness_and_receipt_load_neither_pandas_nor_pdfs(tmp_path):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    subprocess.run([sys.executable, "-m", "dashboard.cli", "migrate", "--db", store], check=True, cwd=ROOT,
                   capture_output=True)
    assert loaded_by(tmp_path, "readiness", "--db", store, "--json") == set()
    assert loaded_by(tmp_path, "readiness", "--db", store, "--csv") == set()
    assert loaded_by(tmp_path, "receipt", "--db", store, "--json") == set()  # its days are counted in plain Python
    assert "pandas" in loaded_by(tmp_path, "volume", "--db", store, "--json")  # it does need pandas: measured


def test_the_services_package_names_each_name_once_per_list():
    """Every name of ``__all__`` resolves (importing its module), and the names imported under TYPE_CHECKING are
    exactly those of ``_HOMES``, each from the module ``_HOMES`` says."""
    for name in services_package.__all__:
        assert getattr(services_package, name) is not None
    tree = ast.parse(Path(str(services_package.__file__)).read_text(encoding="utf-8"))
    typed = {(node.module.rsplit(".", 1)[-1], alias.name) for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dashboard.services.")
             for alias in node.names}
    assert typed == {(module, name) for module, names in services_package._HOMES.items() for name in names}
    assert len(services_package.__all__) == len(set(services_package.__all__))
