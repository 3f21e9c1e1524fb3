"""The ``portfolio`` command as an operator uses it, against a real database."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tests import media_samples
from tests.servers import serving

pytestmark = pytest.mark.postgres

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")


def run(
    database: str, *args: str, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command with the test database (and ``env``) and return what it printed."""
    env = {**os.environ, "PORTFOLIO_DATABASE_URL": database, **(env or {})}
    result = subprocess.run(
        [PORTFOLIO, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_migrate_twice_is_a_no_op(clean_database: str) -> None:
    assert run(clean_database, "db", "migrate").stdout.strip() == "already up to date"


def test_users_grants_and_token_lifecycle(clean_database: str) -> None:
    created = run(clean_database, "users", "create", "editor", "--staff", "--grant", "4202")
    assert "editor" in created.stdout and "4202" in created.stdout
    assert "4201 4202" in run(clean_database, "users", "grant", "editor", "4201").stdout

    issued = run(clean_database, "tokens", "create", "editor", "--expires-in", "30")
    key = issued.stdout.strip().splitlines()[-1]
    assert len(key) == 40 and int(key, 16) >= 0
    listed = run(clean_database, "tokens", "list", "editor").stdout
    assert "live" in listed and key not in listed

    assert "revoked 1 of 1" in run(clean_database, "tokens", "revoke", key).stdout
    again = run(clean_database, "tokens", "revoke", key, check=False)
    assert again.returncode == 1
    assert "revoked" in run(clean_database, "tokens", "list", "editor").stdout


def test_tokens_list_tells_live_expired_and_revoked_apart(clean_database: str) -> None:
    run(clean_database, "users", "create", "editor", "--staff")
    keys = [
        run(clean_database, "tokens", "create", "editor", "--expires-in", "1").stdout.split()[-1]
        for _ in range(3)
    ]
    run(clean_database, "tokens", "revoke", keys[2])
    with psycopg.connect(clean_database, autocommit=True) as conn:
        conn.execute(
            "UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = ("
            " SELECT min(id) FROM api_tokens)"
        )

    listed = run(clean_database, "tokens", "list", "editor").stdout.splitlines()

    assert [line.split("\t")[1] for line in listed] == ["expired", "live", "revoked"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "grant", "nobody", "4202"), "UnknownUser: nobody"),
        (("tokens", "create", "nobody"), "UnknownUser: nobody"),
        (("users", "unlock", "nobody"), "UnknownUser: nobody"),
        (("users", "create", "x", "--grant", "4299"), "InvalidPermissionCode: 4299"),
    ],
)
def test_mistakes_get_one_clear_line_and_a_failure_code(
    clean_database: str, args: tuple[str, ...], message: str
) -> None:
    result = run(clean_database, *args, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("tokens", "revoke"),
            "give the keys of the tokens to revoke, or --user USERNAME to revoke all of a "
            "user's tokens",
        ),
        (
            ("tokens", "revoke", "abc", "--user", "x"),
            "give token keys or --user USERNAME, not both",
        ),
    ],
)
def test_revoke_says_what_it_needs(
    clean_database: str, args: tuple[str, ...], message: str
) -> None:
    result = run(clean_database, *args, check=False)
    assert result.returncode == 2
    assert message in result.stderr


def test_duplicate_user_is_refused(clean_database: str) -> None:
    run(clean_database, "users", "create", "admin", "--admin")
    result = run(clean_database, "users", "create", "admin", check=False)
    assert result.returncode == 1
    assert "UserAlreadyExists: admin" in result.stderr


def test_serve_answers_http_with_two_workers(clean_database: str, tmp_path: Path) -> None:
    run(clean_database, "users", "create", "admin", "--admin")
    key = run(clean_database, "tokens", "create", "admin").stdout.strip().splitlines()[-1]
    env = {"PORTFOLIO_DATABASE_URL": clean_database, "PORTFOLIO_MEDIA_ROOT": str(tmp_path)}
    printed: list[str] = []
    with serving(env, printed, workers=2) as base:
        request = urllib.request.Request(
            f"{base}/api/portfolios/1", headers={"Authorization": f"Token {key}"}
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=5)
        assert raised.value.code == 404
        assert json.load(raised.value) == {"detail": "Not found."}
    output = printed[0]
    assert "GET /api/portfolios/1 404" in output
    assert key not in output


def _status(base: str, host: str) -> int:
    request = urllib.request.Request(f"{base}/api/portfolios/1", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_serve_and_its_workers_take_their_settings_from_dot_env(
    clean_database: str, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "# what this host needs\n"
        f"PORTFOLIO_DATABASE_URL='{clean_database}'\n"
        "export PORTFOLIO_ALLOWED_HOSTS=portfolio.test  # the only name served\n"
        f"PORTFOLIO_MEDIA_ROOT={tmp_path / 'media'}\n"
        "PORTFOLIO_DEMO_PASSWORD='never-shown s3cret'\n"
    )
    # No variable but the file names the database, and the file is the current directory's.
    unset: dict[str, str | None] = {"PORTFOLIO_ENV_FILE": None, "PORTFOLIO_DATABASE_URL": None}
    output: list[str] = []
    with serving(unset, output, workers=2, cwd=tmp_path) as base:
        # Whichever worker answers, it knows the allowed host from the file.
        assert {_status(base, "127.0.0.1") for _ in range(8)} == {400}
        assert {_status(base, "portfolio.test") for _ in range(8)} == {401}
    assert "s3cret" not in output[0]


def test_a_dot_env_it_cannot_read_stops_the_command_at_its_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORTFOLIO_LOG_LEVEL=INFO\nPORTFOLIO_DEMO_PASSWORD=s3cret'\n")
    env = {name: value for name, value in os.environ.items() if name != "PORTFOLIO_ENV_FILE"}
    result = subprocess.run(
        [PORTFOLIO, "db", "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "Error: .env, line 2 (PORTFOLIO_DEMO_PASSWORD): quote a value holding quotes, and "
        "write no ${...}: nothing is expanded"
    ]


def test_demo_loads_once_with_real_files_and_then_only_issues_tokens(
    clean_database: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path),
    }

    def demo() -> str:
        result = subprocess.run(
            [PORTFOLIO, "demo", "load", "--base-url", "http://example.test:9000/"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    first, second = demo(), demo()
    assert "demo catalogue loaded" in first
    assert "already present" in second
    *_, curl, website, public = first.strip().splitlines()
    assert curl.startswith("  curl -H 'Authorization: Token ")
    assert website.startswith("the website's view (no token); 'delivery-app' joins it at ")
    assert public == "  curl http://example.test:9000/api/public/portfolios/"
    assert curl.endswith("http://example.test:9000/api/portfolios/1")
    assert curl not in second  # a fresh token each time

    with psycopg.connect(clean_database) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM portfolios), (SELECT count(*) FROM media),"
            " (SELECT count(*) FROM thumbnails), (SELECT count(*) FROM api_tokens)"
        ).fetchone()
        keys = [
            row[0]
            for row in conn.execute("SELECT key FROM media UNION ALL SELECT key FROM thumbnails")
        ]
    assert counts == (3, 12, 48, 4)
    assert all((tmp_path / key).is_file() for key in keys)
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 60


def media(database: str, media_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``portfolio media ...`` and return what it printed, whatever its exit code."""
    return subprocess.run(
        [PORTFOLIO, "media", *args],
        env={
            **os.environ,
            "PORTFOLIO_DATABASE_URL": database,
            "PORTFOLIO_MEDIA_ROOT": str(media_root),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_media_add_stores_the_good_files_reports_each_bad_one_and_fails(
    clean_database: str, tmp_path: Path
) -> None:
    media_root, sources = tmp_path / "media", tmp_path / "sources"
    sources.mkdir()
    files = {
        "logo.png": media_samples.png(),
        "photo.jpg": media_samples.jpeg(),
        "broken.png": media_samples.png()[:60],
        "notes.txt": b"plain words\n",
    }
    for name, data in files.items():
        (sources / name).write_bytes(data)
    paths = [str(sources / name) for name in files] + [str(sources / "missing.gif")]

    result = media(clean_database, media_root, "add", *paths)

    assert result.returncode == 1
    added = [line.split("\t") for line in result.stdout.splitlines()]
    assert [key.rsplit("/", 1)[-1] for _, key in added] == ["logo.png", "photo.jpg", "notes.txt"]
    for (_, key), name in zip(added, ["logo.png", "photo.jpg", "notes.txt"], strict=True):
        assert (media_root / key).read_bytes() == files[name]
    errors = result.stderr.splitlines()
    assert f"{sources / 'broken.png'}: The PNG image cannot be read" in result.stderr
    assert f"{sources / 'missing.gif'}: No such file or directory" in errors
    assert errors[-1] == "2 of 5 file(s) failed"
    assert "Traceback" not in result.stderr
    with psycopg.connect(clean_database) as conn:
        stored = conn.execute(
            "SELECT id, (SELECT count(*) FROM thumbnails t WHERE t.media_id = m.id)"
            " FROM media m ORDER BY id"
        ).fetchall()
    assert stored == [
        (int(media_id), count) for (media_id, _), count in zip(added, [4, 4, 0], strict=True)
    ]


def test_media_thumbnails_all_re_creates_a_deleted_thumbnail_and_reports_it(
    clean_database: str, tmp_path: Path
) -> None:
    media_root, source = tmp_path / "media", tmp_path / "logo.png"
    source.write_bytes(media_samples.png((600, 400)))
    document = tmp_path / "brochure.pdf"
    document.write_bytes(media_samples.pdf())
    added = media(clean_database, media_root, "add", str(source), str(source), str(document))
    (first, _), (second, _), _ = (line.split("\t") for line in added.stdout.splitlines())
    with psycopg.connect(clean_database) as conn:
        row = conn.execute(
            "SELECT key FROM thumbnails WHERE media_id = %s AND size = 128", (int(second),)
        ).fetchone()
    assert row is not None
    lost = media_root / row[0]
    lost.unlink()

    result = media(clean_database, media_root, "thumbnails", "--all")

    assert result.returncode == 0, result.stderr
    # Uploaded with the service serving the files, the images had no variants yet.
    assert result.stdout.splitlines() == [
        f"repaired {first}: made the web variants of 64, 128, 512, 1080",
        f"repaired {second}: re-created 128; made the web variants of 64, 512, 1080",
        "unchanged 0, repaired 2, skipped 0, failed 0",
        f"repaired ids: {first} {second}",
    ]
    assert lost.is_file()
    assert media_samples.thumbnail_image(lost.read_bytes()).size == (128, 85)

    again = media(clean_database, media_root, "thumbnails", "--all", "--after-id", first)
    assert again.stdout.splitlines() == ["unchanged 1, repaired 0, skipped 0, failed 0"]


def test_thumbnails_regenerate_makes_variants_and_placeholders_of_media_uploaded_before(
    clean_database: str, tmp_path: Path
) -> None:
    media_root, source = tmp_path / "media", tmp_path / "photo.jpg"
    source.write_bytes(media_samples.jpeg((900, 600)))
    added = media(clean_database, media_root, "add", str(source), str(source))
    (first, _), (second, _) = (line.split("\t") for line in added.stdout.splitlines())
    with psycopg.connect(clean_database) as conn:
        # As media uploaded before placeholders existed.
        conn.execute("UPDATE media SET placeholder = NULL")
    regenerate = [PORTFOLIO, "thumbnails", "regenerate"]
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(media_root),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*regenerate, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    resumed = run("--after-id", first)
    result = run()
    again = run()

    made = "made the web variants of 64, 128, 512, 1080; made the placeholder"
    assert resumed.stdout.splitlines()[0] == f"repaired {second}: {made}"
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"repaired {first}: {made}",
        "unchanged 1, repaired 1, skipped 0, failed 0",
        f"repaired ids: {first}",
    ]
    assert again.stdout.splitlines() == ["unchanged 2, repaired 0, skipped 0, failed 0"]
    assert len(list(media_root.rglob("*.avif"))) == len(list(media_root.rglob("*.webp"))) == 8
    with psycopg.connect(clean_database) as conn:
        placeholders = conn.execute("SELECT placeholder FROM media").fetchall()
    assert all(row[0] is not None and len(row[0]) == 28 for row in placeholders)


def test_media_thumbnails_reports_skipped_and_failed_objects_and_fails(
    clean_database: str, tmp_path: Path
) -> None:
    media_root, source = tmp_path / "media", tmp_path / "logo.png"
    source.write_bytes(media_samples.png())
    added = media(clean_database, media_root, "add", str(source))
    media_id, key = added.stdout.strip().split("\t")
    (media_root / key).unlink()

    result = media(clean_database, media_root, "thumbnails", media_id, "999", "--force")

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "skipped 999: no media has this id",
        "unchanged 0, repaired 0, skipped 1, failed 1",
        f"failed ids: {media_id}",
    ]
    assert f"failed {media_id}: the original file {key} is missing" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the ids of the media to check, or --all for every image"),
        (("--all", "3"), "give media ids or --all, not both"),
        (("3", "--after-id", "2"), "--after-id goes with --all"),
        # Past bigint: refused as a usage error before the database is asked.
        ((str(2**63),), "is not in the range 1<=x<=9223372036854775807"),
        (("--all", "--after-id", str(2**63)), "is not in the range 0<=x<=9223372036854775807"),
    ],
)
def test_media_thumbnails_needs_ids_or_all(
    clean_database: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = media(clean_database, tmp_path, "thumbnails", *args)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "prune", "--older-than", "1000000000"),
        ("media", "sweep", "--older-than", str(10**12)),
        ("tokens", "create", "x", "--expires-in", "36501"),
    ],
)
def test_spans_past_what_dates_hold_are_usage_errors(
    clean_database: str, args: tuple[str, ...]
) -> None:
    result = run(clean_database, *args, check=False)
    assert result.returncode == 2
    assert "is not in the range" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("db", "migrate"), ("serve",), ("users", "create", "x")])
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://u:s3cr3t%pw@127.0.0.1:5432/x", "not a valid PostgreSQL connection string"),
        ("postgresql://u:s3cr3t@127.0.0.1:1/x", "Connection refused"),
    ],
)
def test_an_unusable_database_is_one_line_without_traceback_or_password(
    command: tuple[str, ...], url: str, reason: str
) -> None:
    result = run(url, *command, check=False)
    assert result.returncode == 3
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cr3t" not in result.stderr + result.stdout


def test_a_role_without_rights_to_migrate_is_told_so(clean_database: str) -> None:
    with psycopg.connect(clean_database, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS portfolio_reader")
        conn.execute("CREATE ROLE portfolio_reader LOGIN")
    try:
        reader = make_conninfo(clean_database, user="portfolio_reader")
        result = run(reader, "db", "migrate", check=False)
        assert result.returncode == 3
        assert "permission denied" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        with psycopg.connect(clean_database, autocommit=True) as conn:
            conn.execute("DROP ROLE portfolio_reader")


def test_api_calls_the_routes_in_process_as_the_operator(clean_database: str) -> None:
    created = run(clean_database, "api", "POST", "/api/tags/", "--data", '{"name": "Design"}')
    assert json.loads(created.stdout) == {"id": 1, "name": "Design", "image_data": None}
    assert created.stderr.strip() == "201"
    run(clean_database, "api", "patch", "/api/tags/1", "--data", '{"name": "Web"}')
    listed = json.loads(run(clean_database, "api", "GET", "/api/tags/?search=we").stdout)
    assert [tag["name"] for tag in listed["results"]] == ["Web"]

    refused = run(clean_database, "api", "POST", "/api/tags/", "--data", "{}", check=False)
    assert refused.returncode == 1
    assert json.loads(refused.stdout) == {"name": ["This field is required."]}
    missing = run(clean_database, "api", "GET", "/api/tags/99", check=False)
    assert (missing.returncode, missing.stderr.strip()) == (1, "404")


@pytest.mark.parametrize("path", ["/api/auth/me/", "/health", "tags"])
def test_api_offers_only_the_api_routes_that_need_no_token_of_the_callers_own(
    clean_database: str, path: str
) -> None:
    refused = run(clean_database, "api", "GET", path, check=False)
    assert refused.returncode == 2
    assert "PATH must be an /api/ route" in refused.stderr


def test_no_token_is_issued_to_an_inactive_user(clean_database: str) -> None:
    run(clean_database, "users", "create", "former", "--staff")
    run(clean_database, "api", "DELETE", "/api/users/1")
    refused = run(clean_database, "tokens", "create", "former", check=False)
    assert refused.returncode == 1
    assert "user former is inactive: reactivate them first" in refused.stderr
    assert "revoked" not in run(clean_database, "tokens", "list", "former").stdout


def test_migrate_creates_the_database_the_url_names_when_missing(database_server_url: str) -> None:
    name = f"portfolio_created_{secrets.token_hex(4)}"
    url = make_conninfo(database_server_url, dbname=name)
    try:
        result = run(url, "db", "migrate")
        assert result.stderr.splitlines()[0] == f"created database {name}"
        assert result.stdout.startswith("applied: 0001")
        assert run(url, "db", "migrate").stdout.strip() == "already up to date"
    finally:
        with psycopg.connect(database_server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_a_role_that_may_not_create_the_missing_database_is_told_so(
    database_server_url: str,
) -> None:
    role, name = (
        f"portfolio_plain_{secrets.token_hex(4)}",
        f"portfolio_never_{secrets.token_hex(4)}",
    )
    with psycopg.connect(database_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOCREATEDB").format(sql.Identifier(role)))
    try:
        result = run(
            make_conninfo(database_server_url, user=role, dbname=name), "db", "migrate", check=False
        )
        assert result.returncode == 3
        assert result.stderr.strip().splitlines() == [
            f'Error: database "{name}" does not exist, and creating it failed: '
            "permission denied to create database"
        ]
    finally:
        with psycopg.connect(database_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
