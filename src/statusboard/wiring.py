"""Builds the object graph from settings. Tests call the same function."""

from __future__ import annotations

import gc
import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from statusboard.config import Settings
from statusboard.domain.clock import Clock, SystemClock
from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.resilience.gateway import Resilience
from statusboard.services.agents import AgentService
from statusboard.services.archiving import ArchivingService
from statusboard.services.board import BoardService
from statusboard.services.change_feed import ChangeFeed
from statusboard.services.changes import ChangeLogService
from statusboard.services.claims import ClaimService
from statusboard.services.dependencies import DependencyService
from statusboard.services.deployments import DeploymentService
from statusboard.services.enhancements import EnhancementService
from statusboard.services.migration import MigrationService
from statusboard.services.project_configuration import ProjectConfigurationService
from statusboard.services.session_prompts import SessionPromptService
from statusboard.services.status import StatusService
from statusboard.services.vendors import VendorService
from statusboard.services.work_items import WorkItemService
from statusboard.storage import change_signal, schema
from statusboard.storage.database import Database
from statusboard.storage.engine import build_engine, is_sqlite, normalize_url
from statusboard.storage.errors import LocalFileError, local_file_errors

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    work_items: WorkItemService
    dependencies: DependencyService
    changes: ChangeLogService
    claims: ClaimService
    archiving: ArchivingService
    vendors: VendorService
    deployments: DeploymentService
    enhancements: EnhancementService
    configuration: ProjectConfigurationService
    session_prompts: SessionPromptService
    status: StatusService
    migration: MigrationService
    resilience: Resilience
    change_feed: ChangeFeed  # the process's one change watcher (it runs while anyone subscribes)
    board: BoardService
    agents: AgentService  # the identities of an HTTP server
    warming: threading.Thread | None = None  # a server's build of the full status ahead of requests

    def close(self) -> None:
        if self.warming is not None:
            self.warming.join(timeout=30)  # it may be reading: let it end before the connections go
        self.resilience.close()
        self.db.dispose()


def build_app(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> App:
    engine = build_engine(settings.database_url)
    if migrate:
        schema.ensure_current(engine)
    db = Database(engine)
    clock = clock or SystemClock()
    changes = ChangeLogService(db)
    work_items = WorkItemService(db, clock)
    return App(
        settings=settings,
        db=db,
        work_items=work_items,
        dependencies=DependencyService(db, clock),
        changes=changes,
        claims=ClaimService(db, clock),
        archiving=ArchivingService(db, clock),
        vendors=VendorService(db, clock),
        deployments=DeploymentService(db, clock),
        enhancements=EnhancementService(db, clock),
        configuration=ProjectConfigurationService(db, clock),
        session_prompts=SessionPromptService(db, clock),
        status=StatusService(db, clock, settings.markdown_path),
        migration=MigrationService(db, clock, (Path(settings.markdown_path).absolute().parent, settings.git_repo)),
        resilience=Resilience(settings, db, clock),
        change_feed=ChangeFeed(changes, lambda: change_signal.listening(db), lambda: change_signal.settled_seq(db)),
        board=BoardService(db, clock, work_items),
        agents=AgentService(db, clock),
    )


class FilesUnavailable(Exception):
    """A file the server writes cannot be created: it refuses to start rather than half-work."""


def prepare_files(settings: Settings) -> None:
    """Creates the directories of every file a server writes (an SQLite primary, the cache and
    journal, the status file) and proves each can take a file, naming the first path that cannot.

    AI clients often launch a server from a directory of their own, ignoring the configured one;
    a server that started there anyway would take writes it cannot journal or show."""
    url = normalize_url(settings.database_url)
    if is_sqlite(url) and url.database not in (None, "", ":memory:"):
        _writable_directory(Path(str(url.database)))
    _writable_directory(Path(settings.cache_path))
    _writable_directory(Path(settings.markdown_path))


def _writable_directory(file: Path) -> None:
    directory = file.absolute().parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise FilesUnavailable(f"cannot create {file.absolute()}: {exc.strerror or exc}") from None


def build_server_app(settings: Settings) -> App:
    """The app of a long-running server: it watches the primary, and it starts even while the
    primary is unreachable (serving from the fallback layers; the schema is brought up to date
    when the primary answers). It refuses to start where it cannot create its files."""
    prepare_files(settings)
    try:
        app = build_app(settings)
    except DatabaseUnavailableError as exc:
        log.warning("starting without the primary database (%s); serving from the fallback layers", exc)
        app = build_app(settings, migrate=False)
        app.resilience.schema_check = lambda: schema.ensure_current(app.db.engine)
    try:
        # Opened now, so that a cache it cannot open stops the start. The local store drives
        # its SQLite file itself: its errors are translated here, on their way out of it.
        with local_file_errors():
            app.resilience.store  # noqa: B018
    except (OSError, LocalFileError) as exc:
        app.close()
        raise FilesUnavailable(f"cannot create {Path(settings.cache_path).absolute()}: {exc}") from None
    app.resilience.start_monitor()
    # Everything made so far (the imported libraries, the app) lives as long as the process:
    # keep it out of the garbage collector's full passes, which otherwise walk it all each
    # time, every few requests when large answers are built.
    gc.freeze()
    app.warming = threading.Thread(target=_warm, args=(app,), name="statusboard-warm-status", daemon=True)
    app.warming.start()
    return app


def _warm(app: App) -> None:
    """Builds the kept full status in the background, so that the first client to ask is not
    the one who waits for it; a request arriving meanwhile waits for this build, not a second."""
    try:
        app.status.warm()
    except Exception as exc:  # the primary may be down or going away: the first request builds then
        log.info("the full status was not built ahead: %s", exc)
