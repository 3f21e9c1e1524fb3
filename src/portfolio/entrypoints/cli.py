"""The ``portfolio`` command: serve, migrate, manage users, tokens and media, prune the audit
log, load demo data.

Exit codes (``EXIT_CODES``, printed at the foot of ``portfolio --help``): 0 done; 1 the work
failed, or some of it did; 2 the command line was wrong; 3 the set-up (settings, ``.env``,
the database) cannot be used; 130 interrupted. Every failure is one line on stderr.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import psycopg

from portfolio.adapters.postgres.migrations import migrate, pending_migrations
from portfolio.adapters.postgres.pool import connect_failure
from portfolio.application.accounts.errors import (
    InvalidPermissionCode,
    UnknownUser,
    UserAlreadyExists,
)
from portfolio.application.ids import MAX_ID
from portfolio.application.media.copy_storage import CopiedFile, CopyOutcome, CopyStorage
from portfolio.application.media.sweep import SweepSummary
from portfolio.application.media.thumbnails import RepairOutcome, ThumbnailRepair
from portfolio.application.ports import StoredToken
from portfolio.domain import DomainError, ServiceUnavailable, human_readable_size
from portfolio.entrypoints.container import Container, build_media_storage, opened
from portfolio.entrypoints.database import (
    DatabaseNotCreated,
    create_missing_database,
    database_url,
    describe,
)
from portfolio.entrypoints.demo import load_demo
from portfolio.entrypoints.embedded_postgres import EmbeddedPostgresUnavailable
from portfolio.entrypoints.env_file import EnvFileError, load_env_file
from portfolio.entrypoints.media_batch import (
    Added,
    add_files,
    describe_repair,
    image_ids,
    repair_thumbnails,
    summarise_repairs,
)
from portfolio.entrypoints.settings import STORAGES, Settings, SettingsError
from portfolio.entrypoints.version import service_version

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

T = TypeVar("T")

IDS = click.IntRange(1, MAX_ID)
"""Object ids as the database holds them: one past bigint is a usage error, not a crash."""
CENTURY_DAYS = 36_500
"""The longest span an option takes: past what dates can hold, a usage error, not a crash."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # click's own code for a usage error
EXIT_SETUP = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
EXIT_CODES = (
    (EXIT_OK, "done"),
    (EXIT_FAILED, "the work failed, or some of it did (each failure is named on stderr)"),
    (EXIT_USAGE, "the command line is wrong (unknown option, missing argument); nothing done"),
    (EXIT_SETUP, "a setting, the .env file or the database cannot be used; fix it, run again"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C), or the input ended at a prompt"),
)


class SetupError(click.ClickException):
    """What the command needs before it can start is unusable: a setting, the ``.env`` file,
    the database (unreachable, refused, lacking migrations)."""

    exit_code = EXIT_SETUP


class PortfolioGroup(click.Group):
    """The command's root: an interruption ends it with 130 and one line, not "Aborted!"."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the chosen command; Ctrl-C, or the end of the input at a prompt (click tells
        the two apart nowhere), exits with 130. `serve` stopped by Ctrl-C has done its job: 0."""
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, click.Abort):
            click.echo("\ninterrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise SetupError(str(error)) from error


def _database() -> tuple[Settings, str]:
    settings = _settings()
    try:
        return settings, database_url(settings)
    except EmbeddedPostgresUnavailable as error:
        raise SetupError(str(error)) from error


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached or used is one clear line, never a traceback."""
    try:
        yield
    except psycopg.Error as error:
        raise SetupError(f"cannot use the database: {connect_failure(error)}") from error


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
    except ServiceUnavailable as error:
        raise SetupError(str(error) or "the database does not answer") from error
    except DomainError as error:
        raise click.ClickException(str(error) or type(error).__name__) from error


def _exit_code_table() -> str:
    # \b keeps click from re-flowing the lines into one paragraph.
    lines = "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES)
    return f"\b\nExit codes:\n{lines}"


@click.group(cls=PortfolioGroup, epilog=_exit_code_table())
@click.version_option(
    service_version(),
    "--version",
    prog_name="portfolio",
    message="%(prog)s %(version)s",
    help="Print the service's version and exit.",
)
def main() -> None:
    """The portfolio service: its HTTP API, its database and its data.

    Settings come from PORTFOLIO_* environment variables, and from a .env file in the current
    directory (or PORTFOLIO_ENV_FILE) for those the environment does not set; see
    docs/configuration.md. `portfolio COMMAND --help` says what each command does.
    """
    try:
        load_env_file()
    except EnvFileError as error:
        raise SetupError(str(error)) from error


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (about one per core); each has its own database pool.",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the HTTP API with granian, until Ctrl-C or SIGTERM.

    Also serves stored files at /media/ unless PORTFOLIO_SERVE_MEDIA=false, and /metrics
    as PORTFOLIO_METRICS says. Refuses to start while migrations are pending.
    """
    settings, url = _database()
    with _database_errors():
        pending = pending_migrations(url)
    if pending:
        raise SetupError(
            f"the database lacks migrations {', '.join(pending)}; run `portfolio db migrate`"
        )
    click.echo(f"database: {describe(url)}", err=True)
    with _shared_metrics(settings):
        _say_how_spans_go(settings)
        # Imported only now: the app imports prometheus-client, which must come after the
        # metrics directory is named.
        from portfolio.entrypoints.server import serve as run_server

        run_server(settings, host, port, workers)


def _say_how_spans_go(settings: Settings) -> None:
    """One line on the exporter when tracing is on; one clear refusal if it cannot be."""
    if not settings.tracing:
        return
    # Imported here: the telemetry package imports prometheus-client, which must come after
    # the metrics directory is named.
    from portfolio.entrypoints.telemetry.tracing import TracingError, exporter_name

    try:
        click.echo(f"tracing: spans go to the {exporter_name(os.environ)} exporter", err=True)
    except TracingError as error:
        raise SetupError(str(error)) from error


@contextmanager
def _shared_metrics(settings: Settings) -> Iterator[None]:
    """Workers that share their metrics through files (prometheus-client's multiprocess
    mode), and the metrics' own listener when ``PORTFOLIO_METRICS`` names one.

    The directory is ``PROMETHEUS_MULTIPROC_DIR`` when set (emptied first), else a temporary
    one removed at exit. It must be named before prometheus-client is first imported, in
    this process and in the workers, hence the imports below.
    """
    if not settings.metrics:
        yield
        return
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="portfolio-metrics-"))
    # Values left by an earlier run would be added to this one's.
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    from prometheus_client import start_http_server

    from portfolio.entrypoints.telemetry.metrics import serving_registry

    try:
        if settings.metrics_address is not None:
            host, port = settings.metrics_address
            try:
                start_http_server(port, host, registry=serving_registry())
            except OSError as error:
                raise SetupError(
                    f"cannot serve metrics on {host}:{port}: {error.strerror}"
                ) from error
            click.echo(f"metrics: http://{host}:{port}/metrics", err=True)
        yield
    finally:
        if not given:
            shutil.rmtree(directory, ignore_errors=True)


@main.command()
def background() -> None:
    """Run the background work (delivering the change feed, firing scheduled moments) apart
    from the API, until Ctrl-C or SIGTERM.

    `portfolio serve` runs it too; one process at a time does it, across every worker and
    host, so running this beside servers is safe. With PORTFOLIO_BACKGROUND=false on the
    servers, only processes like this one do it.
    """
    from portfolio.entrypoints.background import work_forever

    async def forever(container: Container) -> None:
        await work_forever(container.background_works(), container.leadership())

    click.echo("background work: waiting to lead", err=True)
    run_with_container(forever)


API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@main.command("api")
@click.argument("method", type=click.Choice(API_METHODS, case_sensitive=False))
@click.argument("path")
@click.option("--data", default="", help="The JSON body to send (for POST, PUT and PATCH).")
def api(method: str, path: str, data: str) -> None:
    """Call the HTTP API in-process as the operator: an admin with no token.

    METHOD is GET, POST, PUT, PATCH or DELETE; PATH is what follows the host, query included
    (/api/tags/3, /api/portfolios/?search=x). The answer's body is printed; its status goes
    to stderr. Exits with 1 unless it is a success (2xx). The sign-in routes (/api/auth/)
    act on a caller's own token and are not offered here: use `portfolio tokens`.
    """
    if not path.startswith("/api/") or path.startswith("/api/auth/"):
        raise click.UsageError("PATH must be an /api/ route other than /api/auth/")
    from portfolio.entrypoints.http.app import create_app
    from portfolio.entrypoints.operator_calls import call_as_operator

    async def call(container: Container) -> tuple[int, bytes]:
        return await call_as_operator(create_app(container), method, path, data.encode())

    status, body = run_with_container(call)
    click.echo(f"{status}", err=True)
    if body:
        click.echo(body.decode("utf-8", "replace"))
    if not 200 <= status < 300:
        sys.exit(1)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (safe to run from several processes at once).

    When PORTFOLIO_DATABASE_URL names a database the server lacks, it is created first, if
    the URL's role may create databases.
    """
    _, url = _database()
    with _database_errors():
        try:
            created = create_missing_database(url)
        except DatabaseNotCreated as error:
            raise SetupError(str(error)) from error
        if created is not None:
            click.echo(f"created database {created}", err=True)
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
    """Create user USERNAME (with a password only when --password-stdin is given)."""
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
    """Give user USERNAME a new password (prompted for twice unless --password-stdin)."""
    password = _read_password(from_stdin=password_stdin)
    user = run_with_container(lambda c: c.administer_users().set_password_of(username, password))
    click.echo(f"password set for {user.username} (id {user.id})")


@users.command("unlock")
@click.argument("username")
def users_unlock(username: str) -> None:
    """Forget the failed sign-ins of the user called USERNAME, from every client address, so
    they may sign in again at once (failures counted against the addresses themselves stay)."""
    user = run_with_container(lambda c: c.unlock_sign_in().of_name(username))
    click.echo(f"sign-in unlocked for {user.username} (id {user.id})")


@users.command("grant")
@click.argument("username")
@click.argument("codes", nargs=-1, required=True, type=int)
def users_grant(username: str, codes: tuple[int, ...]) -> None:
    """Grant permission CODES (e.g. 4202 4203) to user USERNAME."""
    user = run_with_container(lambda c: c.administer_users().grant(username, frozenset(codes)))
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
@click.option(
    "--expires-in", type=click.IntRange(1, CENTURY_DAYS), help="Days until the token expires."
)
def tokens_create(username: str, expires_in: int | None) -> None:
    """Issue a token for user USERNAME; its key is printed once, as the last line, and never
    stored."""
    lifetime = timedelta(days=expires_in) if expires_in else None
    issued = run_with_container(lambda c: c.manage_tokens().issue(username, lifetime))
    expiry = issued.token.expires_at.isoformat() if issued.token.expires_at else "never"
    click.echo(f"token {issued.token.id} for {username}, expires {expiry}", err=True)
    click.echo(issued.key)


@tokens.command("revoke")
@click.argument("keys", nargs=-1)
@click.option("--user", "username", help="Revoke every token of this user instead.")
def tokens_revoke(keys: tuple[str, ...], username: str | None) -> None:
    """Revoke the tokens whose KEYS are given, or all of a user's tokens with --user.

    Exits with 1 if any key names no token.
    """
    if not keys and not username:
        raise click.UsageError(
            "give the keys of the tokens to revoke, or --user USERNAME to revoke all of a "
            "user's tokens"
        )
    if keys and username:
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
        sys.exit(EXIT_FAILED)


@tokens.command("list")
@click.argument("username")
def tokens_list(username: str) -> None:
    """List user USERNAME's tokens: id, state (live, expired or revoked), when made and when
    they expire. Keys are never stored, so never shown."""

    async def listed(container: Container) -> tuple[list[StoredToken], datetime]:
        return await container.manage_tokens().list_for(username), container.clock()()

    found, now = run_with_container(listed)
    for token in found:
        state = _token_state(token, now)
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        click.echo(f"{token.id}\t{state}\tcreated {token.created_at.isoformat()}\texpires {expiry}")


def _token_state(token: StoredToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    return "live" if token.is_valid_at(now) else "expired"


@main.group()
def audit() -> None:
    """The audit log (admins read it at GET /api/audit/)."""


@audit.command("prune")
@click.option(
    "--older-than",
    type=click.IntRange(1, CENTURY_DAYS),
    required=True,
    metavar="DAYS",
    help="Delete the entries written more than DAYS days ago (at least 1).",
)
def audit_prune(older_than: int) -> None:
    """Delete the audit entries written more than DAYS days ago, in batches (each its own
    transaction, so the log stays writable meanwhile).

    The prune is itself audited (action purge, resource audit), before anything is deleted.
    The only way an entry ever leaves the log: the database refuses any other change or
    deletion. An interrupted run is simply run again.
    """
    removed = run_with_container(lambda c: c.prune_audit_log()(timedelta(days=older_than)))
    click.echo(f"deleted {removed} audit entries older than {older_than} day(s)")


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="The service's address, used only in the printed curl lines.",
)
def demo_load(base_url: str) -> None:
    """Load demo portfolios with real images (once); set the demo users' passwords and issue
    fresh tokens, and print them with curl lines that sign in and fetch a portfolio.

    The passwords are PORTFOLIO_DEMO_PASSWORD when set, else fresh random ones each run.
    `make run` passes --base-url http://HOST:PORT so the lines reach the server it starts.
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
    launch = access.launch_at.strftime("%H:%M:%S UTC")
    click.echo(f"the website's view (no token); {access.launch_slug!r} joins it at {launch}:")
    click.echo(f"  curl {base}/api/public/portfolios/")


@main.group()
def media() -> None:
    """Stored files and images (in the store PORTFOLIO_STORAGE names)."""


def _progress(length: int, label: str) -> ProgressBar[int]:
    # On stderr, so that stdout holds only results; no bar for a single item.
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=length < 2)


@media.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def media_add(paths: tuple[Path, ...]) -> None:
    """Ingest the local files at PATHS as media, as an upload would.

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
        sys.exit(EXIT_FAILED)


@media.command("thumbnails")
@click.argument("ids", nargs=-1, type=IDS)
@click.option("--all", "every", is_flag=True, help="Every image, by ascending id.")
@click.option(
    "--after-id",
    type=click.IntRange(0, MAX_ID),
    default=0,
    help="With --all: start after this id (resume a stopped run from the id it reported).",
)
@click.option("--force", is_flag=True, help="Re-create every thumbnail, not only bad ones.")
def media_thumbnails(ids: tuple[int, ...], every: bool, after_id: int, force: bool) -> None:
    """Check the thumbnails of the images whose IDS are given (or of --all) and re-create
    missing or wrong ones (e.g. after a size change), with their AVIF and WebP variants and
    the image's placeholder when missing.

    Prints a line for each object repaired, skipped or failed, then the counts and the ids
    repaired and failed. Each object is committed on its own. Exits with 1 if any failed.
    """
    if not every and not ids:
        raise click.UsageError("give the ids of the media to check, or --all for every image")
    if every and ids:
        raise click.UsageError("give media ids or --all, not both")
    if after_id and not every:
        raise click.UsageError("--after-id goes with --all")
    _repair_thumbnails(ids, after_id, force, resume="--all --after-id")


@main.group()
def thumbnails() -> None:
    """Thumbnails of images, their AVIF and WebP variants and placeholders."""


@thumbnails.command("regenerate")
@click.argument("ids", nargs=-1, type=IDS)
@click.option(
    "--after-id",
    type=click.IntRange(0, MAX_ID),
    default=0,
    help="Start after this id (resume a stopped run from the id it reported).",
)
@click.option("--force", is_flag=True, help="Re-create everything, not only what is missing.")
def thumbnails_regenerate(ids: tuple[int, ...], after_id: int, force: bool) -> None:
    """Make what images uploaded before lack: the AVIF and WebP variants of each thumbnail,
    the placeholder, and any missing or wrong thumbnail; of every image by ascending id, or
    of those whose IDS are given.

    Resumable: each image is committed on its own, a run again skips what is done, and a
    stopped run says which --after-id goes on from where it stopped. Exits with 1 if any
    image failed.
    """
    if after_id and ids:
        raise click.UsageError("--after-id goes with every image, not with ids")
    _repair_thumbnails(ids, after_id, force, resume="--after-id")


def _repair_thumbnails(ids: tuple[int, ...], after_id: int, force: bool, resume: str) -> None:
    """Repair ``ids`` (every image above ``after_id`` when none) with a progress bar and a
    report; how to resume (``resume`` and the last id) when stopped."""
    every = not ids
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
            click.echo(f"stopped after media {last}; go on with {resume} {last}", err=True)
    if any(report.outcome is RepairOutcome.FAILED for report in reports):
        sys.exit(EXIT_FAILED)


@media.command("sweep")
@click.option(
    "--older-than",
    type=click.IntRange(0, CENTURY_DAYS * 24 * 60),
    default=60,
    show_default=True,
    metavar="MINUTES",
    help="Judge only files last written this long ago (0 only while no upload can be running).",
)
@click.option("--apply", is_flag=True, help="Remove the orphans (without it, only list them).")
def media_sweep(older_than: int, apply: bool) -> None:
    """List (with --apply, remove) stored files that no media or thumbnail record refers to.

    Prints "KEY<tab>SIZE<tab>MODIFIED" for each orphan, then a summary. Exits with 1 if any
    orphan could not be removed.
    """

    async def sweep(container: Container) -> SweepSummary:
        use_case = container.sweep_orphans()
        plan = await use_case.plan(timedelta(minutes=older_than))
        click.echo(
            f"{plan.stored} stored file(s), {len(plan.candidates)} older than "
            f"{older_than} minute(s)",
            err=True,
        )
        with _progress(len(plan.candidates), "checking files") as bar:
            return await use_case(
                plan,
                apply=apply,
                on_orphan=lambda item: click.echo(
                    f"{item.key}\t{item.size}\t{item.modified_at.isoformat(timespec='seconds')}"
                ),
                on_progress=bar.update,
            )

    summary = run_with_container(sweep)
    size = human_readable_size(summary.orphan_bytes)
    if apply:
        click.echo(f"removed {summary.removed} of {summary.orphans} orphaned file(s) ({size})")
    else:
        click.echo(
            f"{summary.orphans} orphaned file(s) ({size}); dry run, nothing removed "
            "(--apply removes them)"
        )
    for key, reason in summary.failed:
        click.echo(f"{key}: not removed: {reason}", err=True)
    if summary.failed:
        sys.exit(EXIT_FAILED)


@media.command("copy-storage")
@click.option(
    "--to",
    "target_kind",
    type=click.Choice(STORAGES),
    required=True,
    help="The store to copy into; the current one is PORTFOLIO_STORAGE.",
)
def media_copy_storage(target_kind: str) -> None:
    """Copy every stored file and thumbnail into another store, under the same keys.

    Each copy is read back and its size and SHA-256 compared with the original's. Files the
    target already holds with the same bytes are skipped, so an interrupted run is resumed by
    running it again. A target file with other bytes under the same key is reported and never
    overwritten. Exits with 1 if any file failed or conflicted; then switch PORTFOLIO_STORAGE.
    """
    settings = _settings()
    if target_kind == settings.storage:
        raise click.UsageError(f"the current store is already {target_kind}")
    try:
        copier = CopyStorage(
            build_media_storage(settings, settings.storage),
            build_media_storage(settings, target_kind),
        )
        files = copier.plan()
        reports: list[CopiedFile] = []
        total = sum(stored.size for stored in files)
        with _progress(total, f"copying {len(files)} file(s) to {target_kind}") as bar:
            for report in copier.run(files):
                reports.append(report)
                bar.update(report.size)
                if report.outcome in (CopyOutcome.CONFLICT, CopyOutcome.FAILED):
                    click.echo(f"{report.key}: {report.outcome}: {report.detail}", err=True)
    except (SettingsError, ServiceUnavailable) as error:
        raise SetupError(str(error)) from error
    except (DomainError, OSError) as error:
        raise click.ClickException(str(error)) from error
    for outcome in CopyOutcome:
        count = sum(report.outcome is outcome for report in reports)
        click.echo(f"{outcome}: {count}")
    if any(report.outcome in (CopyOutcome.CONFLICT, CopyOutcome.FAILED) for report in reports):
        sys.exit(EXIT_FAILED)
