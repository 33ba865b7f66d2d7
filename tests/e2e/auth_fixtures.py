"""Servers for the login journeys: an OIDC provider on loopback and a dashboard configured to use it.

The provider is ``oidc-provider-mock`` (it accepts any client; its login page takes a subject, which it also
gives as the e-mail claim). The dashboard is ``streamlit run`` started from a folder of its own, whose
``.streamlit/secrets.toml`` holds ``[auth]`` and the allow-list: Streamlit reads secrets from the working
directory, so the repository's own (git-ignored) secrets never take part. Everything uses 127.0.0.1: the app
URL, ``redirect_uri`` and ``server_metadata_url`` must agree for the login cookie and the OIDC checks.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from serving import ROOT, free_port, running, streamlit_command  # bench/serving.py, on pytest's path

from tests.conftest import unavailable
from tests.e2e.conftest import Server, fail

APP = ROOT / "dashboard" / "app.py"


@contextmanager
def oidc_provider(folder: Path) -> Iterator[str]:
    """``python -m oidc_provider_mock`` on a free 127.0.0.1 port; yields its base URL."""
    if importlib.util.find_spec("oidc_provider_mock") is None:
        unavailable("oidc-provider-mock is not installed (pip install -e '.[dev]')")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    with running(command, ready_url=f"{url}/.well-known/openid-configuration", log=folder / "oidc.log",
                 cwd=folder, env={**os.environ, "NO_COLOR": "1"}, fail=fail):
        yield url


def secrets_toml(*, app_url: str, provider_url: str, managers: Sequence[str], viewers: Sequence[str]) -> str:
    """A ``.streamlit/secrets.toml`` that requires login through ``provider_url`` (the default provider)."""
    def toml_list(values: Sequence[str]) -> str:
        return "[" + ", ".join(f'"{value}"' for value in values) + "]"

    return "\n".join([
        "[auth]",
        f'redirect_uri = "{app_url}/oauth2callback"',
        f'cookie_secret = "{secrets.token_hex(32)}"',
        'client_id = "scanready-e2e"',
        'client_secret = "not-a-secret"',
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"',
        "",
        "[scanready]",
        f"managers = {toml_list(managers)}",
        f"viewers = {toml_list(viewers)}",
        "",
    ])


@contextmanager
def dashboard_with_login(folder: Path, *, provider_url: str, managers: Sequence[str],
                         viewers: Sequence[str]) -> Iterator[Server]:
    """``streamlit run dashboard/app.py`` from ``folder`` (its secrets require login), on a fresh SQLite file."""
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", folder / "store.db", folder / "streamlit.log")
    settings = folder / ".streamlit"
    settings.mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", settings / "config.toml")
    (settings / "secrets.toml").write_text(secrets_toml(app_url=server.url, provider_url=provider_url,
                                                        managers=managers, viewers=viewers), encoding="utf-8")
    env = {**os.environ, "SCANREADY_DATABASE_URL": f"sqlite:///{server.store}",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with running(streamlit_command(APP, port), ready_url=f"{server.url}/_stcore/health", log=server.log,
                 cwd=folder, env=env, fail=fail):
        yield server
