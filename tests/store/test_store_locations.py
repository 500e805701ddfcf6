"""Store locations: every form a PostgreSQL user writes reaches PostgreSQL, anything that is
neither a connection string nor a plausible folder is refused, and a password never ends up in
a path, a repr, a message or a chained exception."""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from driftscope.cli import cli
from driftscope.errors import ConfigError, StoreUnavailableError
from driftscope.monitor import ModelMonitor
from driftscope.store import EmbeddedStore, PostgresStore, open_store
from driftscope.store.location import StoreLocation
from tests.store.conftest import PG_URL

SECRET = "s3cr3t-Pw0rd"
CLOSED = "127.0.0.1:1"  # nothing listens on port 1: connecting is refused at once

#: The forms PostgreSQL users write, each aimed at ``{host}`` and ``{port}``.
POSTGRES_FORMS = [
    "postgresql://postgres:{pw}@{host}:{port}/test",
    "postgres://postgres:{pw}@{host}:{port}/test",
    "POSTGRESQL://postgres:{pw}@{host}:{port}/test",
    "PostgreS://postgres:{pw}@{host}:{port}/test",
    "postgresql+psycopg://postgres:{pw}@{host}:{port}/test",
    "postgresql+psycopg2://postgres:{pw}@{host}:{port}/test",
    "POSTGRESQL+ASYNCPG://postgres:{pw}@{host}:{port}/test",
    "postgresql://postgres@{host}:{port}/test?password={pw}&sslmode=disable",
    "host={host} port={port} dbname=test user=postgres password={pw}",
    "  host = {host}  port={port} password='{pw}' dbname=test user=postgres ",
    "password={pw} host={host} port={port} dbname=test user=postgres",
    "host={host} port={port} dbname=test user=postgres sslpassword={pw}",
]

#: Neither a PostgreSQL location nor a plausible folder.
REFUSED = [
    "mysql://root:{pw}@db:3306/monitoring",
    "s3://bucket/{pw}/store",
    "https://user:{pw}@example.com/store",
    "sqlite:///tmp/{pw}.db",
    "jdbc:postgresql://db:5432/test?password={pw}",
    "postgresql:postgres:{pw}@db/test",
    "postgres:{pw}@db:5432/test",
    "postgres:{pw}@db/test",
    "host=db port=5432 password={pw} dbnmae=test",
    "host=db password='{pw} dbname=test",
    "db=monitoring user=me password={pw}",
    "",
    "   ",
    "folder\0{pw}",
    "folder\n{pw}",
]

#: Folders, although they hold characters that appear in connection strings.
FOLDERS = ["store", "runs/lr=0.1", "lr=0.1", "my store", "C:drive-like", "a@b", "x:y"]


def _chain_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def _leaves_no_trace(exc: BaseException, where: os.PathLike[str]) -> None:
    assert SECRET not in _chain_text(exc)
    assert SECRET not in str(exc) and SECRET not in repr(exc)
    assert not any(SECRET in p.name for p in where.rglob("*"))


@pytest.mark.parametrize("form", POSTGRES_FORMS)
def test_every_postgres_form_reaches_postgres_and_keeps_the_password(form, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    host, port = CLOSED.split(":")
    location = form.format(pw=SECRET, host=host, port=port)
    parsed = StoreLocation.parse(location)
    assert parsed.kind == "postgresql" and parsed.where == CLOSED
    assert SECRET not in repr(parsed) and SECRET not in parsed.where
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(location, connect_timeout=1)
    assert CLOSED in str(caught.value)
    _leaves_no_trace(caught.value, tmp_path)
    with ModelMonitor("m", store=location) as monitor:
        assert SECRET not in repr(monitor)
        with pytest.raises(StoreUnavailableError) as caught:
            monitor.store  # noqa: B018 - opening the store is the point
    _leaves_no_trace(caught.value, tmp_path)
    assert list(tmp_path.iterdir()) == []  # no folder named after the connection string


@pytest.mark.parametrize("form", POSTGRES_FORMS)
def test_every_postgres_form_opens_the_server(form, tmp_path, monkeypatch, pg_schema):
    """The same forms against the real server (trust auth: the password is not checked)."""
    monkeypatch.chdir(tmp_path)
    server = urlsplit(PG_URL)
    location = form.format(pw=SECRET, host=server.hostname, port=server.port)
    store = open_store(location, schema=pg_schema, archive_dir=tmp_path / "archive")
    try:
        assert isinstance(store, PostgresStore)
        assert SECRET not in repr(store) and f"{server.hostname}:{server.port}" in repr(store)
        assert store.models() == []
    finally:
        store.close()
    assert not (tmp_path / "archive").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("form", REFUSED)
def test_what_is_neither_refused_without_echoing(form, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    location = form.format(pw=SECRET)
    with pytest.raises(ConfigError, match="store location") as caught:
        open_store(location)
    _leaves_no_trace(caught.value, tmp_path)
    with pytest.raises(ConfigError) as caught:
        ModelMonitor("m", store=location)
    _leaves_no_trace(caught.value, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("folder", FOLDERS)
def test_plausible_folders_stay_folders(folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert StoreLocation.parse(folder).kind == "folder"
    with open_store(folder) as store:
        assert isinstance(store, EmbeddedStore)
    assert (tmp_path / folder).is_dir()


@pytest.mark.parametrize("home", ["host=db password={pw}", "postgresql://u:{pw}@db/x", "s3://{pw}"])
def test_driftscope_home_is_a_folder(home, tmp_path, monkeypatch, pg_schema):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRIFTSCOPE_HOME", home.format(pw=SECRET))
    with pytest.raises(ConfigError, match="DRIFTSCOPE_HOME") as caught:
        open_store()
    _leaves_no_trace(caught.value, tmp_path)
    with pytest.raises(ConfigError, match="DRIFTSCOPE_HOME"):  # its default archive folder
        PostgresStore(PG_URL, schema=pg_schema)
    assert list(tmp_path.iterdir()) == []


def test_path_objects_name_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    odd = Path("runs") / "lr = 0.1 host=x"
    assert StoreLocation.parse(odd) == StoreLocation("folder", str(odd), str(odd))
    with pytest.raises(ConfigError, match="control character"):
        StoreLocation.parse(Path("a\0b"))


def test_file_urls_name_folders(tmp_path):
    with open_store((tmp_path / "home").as_uri()) as store:
        assert isinstance(store, EmbeddedStore)
    assert (tmp_path / "home").is_dir()


def test_postgres_store_takes_sqlalchemy_urls_itself(pg_schema, tmp_path):
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    with PostgresStore(url, schema=pg_schema, archive_dir=tmp_path) as store:
        assert store.models() == []


@pytest.mark.parametrize(
    "location",
    [
        f"host=127.0.0.1 port=1 dbname=test user=u password={SECRET}",
        f"POSTGRESQL+psycopg://u:{SECRET}@127.0.0.1:1/test",
        f"mysql://u:{SECRET}@db/test",
        f"host=127.0.0.1 password={SECRET} nonsense",
    ],
)
def test_cli_store_option(location, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "churn", "--store", location])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("driftscope: error: ") and result.stderr.count("\n") == 1
    assert SECRET not in result.output and SECRET not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_goes_away_never_shows_the_password(pg_schema, tmp_path):
    """Every call on a store whose server went away fails without the password, whatever
    form gave it (URL userinfo, query parameter, key=value)."""
    from driftscope.drift.reference import Reference
    from tests.store.batches import prediction_batch
    from tests.store.pg_support import Proxy

    proxy = Proxy()
    proxy.start()
    forms = [
        f"postgresql://postgres:{SECRET}@127.0.0.1:{proxy.port}/test",
        f"postgresql://postgres@127.0.0.1:{proxy.port}/test?password={SECRET}",
        f"host=127.0.0.1 port={proxy.port} dbname=test user=postgres password={SECRET}",
    ]
    stores = [
        open_store(f, schema=pg_schema, archive_dir=tmp_path, connect_timeout=1) for f in forms
    ]
    proxy.stop()
    calls = [
        lambda s: s.models(),
        lambda s: s.write_predictions("m", prediction_batch(3)),
        lambda s: s.load_reference("m"),
        lambda s: s.save_reference("m", Reference.fit({"x": [1.0, 2.0]})),
    ]
    for store in stores:
        assert SECRET not in repr(store)
        for call in calls:
            with pytest.raises(StoreUnavailableError) as caught:
                call(store)
            assert SECRET not in _chain_text(caught.value)
        store.close()
