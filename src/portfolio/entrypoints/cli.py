"""The ``portfolio`` command: serve, migrate, manage users, tokens and media, load demo data."""

from __future__ import annotations

import asyncio
import shlex
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import psycopg

from portfolio.adapters.postgres import connect_failure, migrate, pending_migrations
from portfolio.application import (
    InvalidPermissionCode,
    RepairOutcome,
    ThumbnailRepair,
    UnknownUser,
    UserAlreadyExists,
)
from portfolio.domain import DomainError
from portfolio.entrypoints.container import Container, opened
from portfolio.entrypoints.database import database_url, describe
from portfolio.entrypoints.demo import load_demo
from portfolio.entrypoints.embedded_postgres import EmbeddedPostgresUnavailable
from portfolio.entrypoints.logs import logging_config
from portfolio.entrypoints.media_batch import (
    Added,
    add_files,
    describe_repair,
    image_ids,
    repair_thumbnails,
    summarise_repairs,
)
from portfolio.entrypoints.settings import Settings, SettingsError

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error


def _database() -> tuple[Settings, str]:
    settings = _settings()
    try:
        return settings, database_url(settings)
    except EmbeddedPostgresUnavailable as error:
        raise click.ClickException(str(error)) from error


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached or used is one clear line, never a traceback."""
    try:
        yield
    except psycopg.Error as error:
        raise click.ClickException(f"cannot use the database: {connect_failure(error)}") from error


def run_with_container(work: Callable[[Container], Awaitable[T]]) -> T:
    """Run ``work`` against a Postgres-backed container opened for this command only."""
    settings, url = _database()

    async def main() -> T:
        container = Container(settings=settings, database_url=url)
        async with opened(container):
            return await work(container)

    try:
        return asyncio.run(main())
    except (UnknownUser, UserAlreadyExists, InvalidPermissionCode) as error:
        raise click.ClickException(f"{type(error).__name__}: {error}") from error
    except DomainError as error:
        raise click.ClickException(str(error) or type(error).__name__) from error


@click.group()
def main() -> None:
    """Portfolio service. Settings come from PORTFOLIO_* environment variables (see README)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the HTTP API (and /media/ unless PORTFOLIO_SERVE_MEDIA=false)."""
    import uvicorn

    settings, url = _database()
    with _database_errors():
        pending = pending_migrations(url)
    if pending:
        raise click.ClickException(
            f"the database lacks migrations {', '.join(pending)}; run `portfolio db migrate`"
        )
    click.echo(f"database: {describe(url)}", err=True)
    uvicorn.run(
        "portfolio.entrypoints.http.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the app logs one line per request itself
        log_config=logging_config(settings.log_level),
        # X-Forwarded-For and -Proto only from PORTFOLIO_TRUSTED_PROXIES (uvicorn's default
        # trusts 127.0.0.1, which would let any local caller pick its own client address).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=[str(network) for network in settings.trusted_proxies],
        server_header=False,
    )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (safe to run from several processes at once)."""
    _, url = _database()
    with _database_errors():
        applied = migrate(url)
    click.echo(f"applied: {', '.join(applied)}" if applied else "already up to date")


@main.group()
def users() -> None:
    """Users who may call the API."""


def _read_password(from_stdin: bool) -> str:
    """The password from stdin (one line, its line ending dropped) or typed twice at a
    prompt that does not echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users.command("create")
@click.argument("username")
@click.option("--staff", is_flag=True, help="Staff: may do what their codes grant.")
@click.option("--admin", is_flag=True, help="Admin: may do everything.")
@click.option("--inactive", is_flag=True, help="Create the user inactive (cannot authenticate).")
@click.option("--grant", "codes", multiple=True, type=int, help="Permission code, e.g. 4202.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read a password for signing in from the first line of stdin.",
)
def users_create(
    username: str,
    staff: bool,
    admin: bool,
    inactive: bool,
    codes: tuple[int, ...],
    password_stdin: bool,
) -> None:
    """Create a user (with a password only when --password-stdin is given)."""
    password = _read_password(from_stdin=True) if password_stdin else None
    user = run_with_container(
        lambda c: c.administer_users().create(
            username,
            is_staff=staff,
            is_admin=admin,
            is_active=not inactive,
            permissions=frozenset(codes),
            password=password,
        )
    )
    click.echo(_describe_user(user))


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
def users_set_password(username: str, password_stdin: bool) -> None:
    """Give a user a new password (prompted for twice unless --password-stdin)."""
    password = _read_password(from_stdin=password_stdin)
    user = run_with_container(lambda c: c.administer_users().set_password_of(username, password))
    click.echo(f"password set for {user.username} (id {user.id})")


@users.command("grant")
@click.argument("username")
@click.argument("codes", nargs=-1, required=True, type=int)
def users_grant(username: str, codes: tuple[int, ...]) -> None:
    """Grant permission codes to a user."""
    user = run_with_container(lambda c: c.manage_users().grant(username, frozenset(codes)))
    click.echo(_describe_user(user))


def _describe_user(user: Any) -> str:
    flags = [name for name in ("is_admin", "is_staff", "is_active") if getattr(user, name)]
    codes = " ".join(map(str, sorted(user.permissions))) or "-"
    return f"user {user.username} (id {user.id}) {' '.join(flags) or 'inactive'}; codes: {codes}"


@main.group()
def tokens() -> None:
    """API tokens (stored as SHA-256 digests only)."""


@tokens.command("create")
@click.argument("username")
@click.option("--expires-in", type=click.IntRange(1, 36500), help="Days until the token expires.")
def tokens_create(username: str, expires_in: int | None) -> None:
    """Issue a token; its key is printed once, as the last line, and never stored."""
    lifetime = timedelta(days=expires_in) if expires_in else None
    issued = run_with_container(lambda c: c.manage_tokens().issue(username, lifetime))
    expiry = issued.token.expires_at.isoformat() if issued.token.expires_at else "never"
    click.echo(f"token {issued.token.id} for {username}, expires {expiry}", err=True)
    click.echo(issued.key)


@tokens.command("revoke")
@click.argument("keys", nargs=-1)
@click.option("--user", "username", help="Revoke every token of this user instead.")
def tokens_revoke(keys: tuple[str, ...], username: str | None) -> None:
    """Revoke tokens by key (or all of a user's tokens with --user)."""
    if bool(keys) == bool(username):
        raise click.UsageError("give token keys or --user USERNAME, not both")
    if username:
        count = run_with_container(lambda c: c.manage_tokens().revoke_all(username))
        click.echo(f"revoked {count} token(s) of {username}")
        return

    async def revoke_each(container: Container) -> list[bool]:
        return [await container.manage_tokens().revoke(key) for key in keys]

    results = run_with_container(revoke_each)
    click.echo(f"revoked {sum(results)} of {len(results)} token(s)")
    if not all(results):
        sys.exit(1)


@tokens.command("list")
@click.argument("username")
def tokens_list(username: str) -> None:
    """List a user's tokens (ids and dates; keys are never stored)."""
    found = run_with_container(lambda c: c.manage_tokens().list_for(username))
    for token in found:
        state = "revoked" if token.revoked_at else "live"
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        click.echo(f"{token.id}\t{state}\tcreated {token.created_at.isoformat()}\texpires {expiry}")


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where the server will listen, for the printed curl line.",
)
def demo_load(base_url: str) -> None:
    """Load demo portfolios with real images (once); set the demo users' passwords and issue
    fresh tokens, and print them with curl lines that sign in and fetch a portfolio.

    The passwords are PORTFOLIO_DEMO_PASSWORD when set, else fresh random ones each run.
    """
    password = _settings().demo_password
    access = run_with_container(lambda c: load_demo(c, password))
    if access.loaded:
        click.echo("demo catalogue loaded: 3 portfolios, users admin and editor")
    else:
        click.echo("demo catalogue already present; set passwords and issued fresh tokens")
    portfolio_id = access.first_portfolio_id or 1
    base = base_url.rstrip("/")
    click.echo(f"admin password:  {access.admin_password}")
    click.echo(f"editor password: {access.editor_password}")
    click.echo(f"admin token (30 days):  {access.admin_key}")
    click.echo(f"editor token (30 days): {access.editor_key}")
    click.echo("sign in (answers a token that expires), then use the token:")
    click.echo(
        "  curl -d username=admin --data-urlencode "
        f"{shlex.quote('password=' + access.admin_password)} {base}/api/auth/token/"
    )
    click.echo(
        f"  curl -H 'Authorization: Token {access.admin_key}' {base}/api/portfolios/{portfolio_id}"
    )


@main.group()
def media() -> None:
    """Stored files and images (under PORTFOLIO_MEDIA_ROOT)."""


def _progress(length: int, label: str) -> ProgressBar[int]:
    # On stderr, so that stdout holds only results; no bar for a single item.
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=length < 2)


@media.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def media_add(paths: tuple[Path, ...]) -> None:
    """Ingest local files as media, as an upload would.

    Prints "ID<tab>KEY" for each new media object, and one line on stderr for each file that
    is refused or cannot be read; the others go on. Exits with 1 if any file failed.
    """
    added: list[Added] = []

    async def ingest(container: Container) -> None:
        with _progress(len(paths), "adding files") as bar:
            await add_files(container.upload_media(), paths, added, lambda: bar.update(1))

    try:
        run_with_container(ingest)
    finally:
        # Also after an interruption: what was stored is reported.
        for outcome in added:
            if outcome.media is not None:
                click.echo(f"{outcome.media.id}\t{outcome.media.key}")
            else:
                click.echo(f"{outcome.path}: {outcome.error}", err=True)
    failed = sum(outcome.media is None for outcome in added)
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) failed", err=True)
        sys.exit(1)


@media.command("thumbnails")
@click.argument("ids", nargs=-1, type=click.IntRange(min=1))
@click.option("--all", "every", is_flag=True, help="Every image, by ascending id.")
@click.option(
    "--after-id",
    type=click.IntRange(min=0),
    default=0,
    help="With --all: start after this id (resume a stopped run from the id it reported).",
)
@click.option("--force", is_flag=True, help="Re-create every thumbnail, not only bad ones.")
def media_thumbnails(ids: tuple[int, ...], every: bool, after_id: int, force: bool) -> None:
    """Check images' thumbnails and re-create missing or wrong ones (e.g. after a size change).

    Prints a line for each object repaired, skipped or failed, then the counts and the ids
    repaired and failed. Each object is committed on its own. Exits with 1 if any failed.
    """
    if every == bool(ids):
        raise click.UsageError("give media ids or --all, not both")
    if after_id and not every:
        raise click.UsageError("--after-id goes with --all")
    reports: list[ThumbnailRepair] = []

    async def repair(container: Container) -> None:
        chosen = await image_ids(container.media_repository(), after_id) if every else ids
        with _progress(len(chosen), "checking thumbnails") as bar:
            await repair_thumbnails(
                container.regenerate_thumbnails(),
                chosen,
                reports,
                lambda: bar.update(1),
                force=force,
            )

    finished = False
    try:
        run_with_container(repair)
        finished = True
    finally:
        for report in reports:
            if report.outcome is not RepairOutcome.UNCHANGED:
                click.echo(describe_repair(report), err=report.outcome is RepairOutcome.FAILED)
        for line in summarise_repairs(reports):
            click.echo(line)
        if every and reports and not finished:
            last = reports[-1].media_id
            click.echo(f"stopped after media {last}; go on with --all --after-id {last}", err=True)
    if any(report.outcome is RepairOutcome.FAILED for report in reports):
        sys.exit(1)
