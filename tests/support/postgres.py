"""A throwaway PostgreSQL cluster on 127.0.0.1, in a temp dir, for the test run.

PostgreSQL refuses to run as root, so under root the cluster belongs to the
`postgres` system user and its commands run through `runuser`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60


def find_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    bin_dir: Path
    data_dir: Path
    port: int
    durable: bool = False  # tests trade durability for speed; benchmarks measure the real thing

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = START_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data_dir}"
            " -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "-l",
            str(self.data_dir / "server.log"),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", str(START_TIMEOUT_S), "stop")

    def pids(self) -> list[int]:
        """The postmaster and its children (the server processes), or [] when it is not running."""
        try:
            postmaster = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def pause(self) -> None:
        """SIGSTOP to every server process: connections stay open, nothing answers."""
        self._signal_all(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal_all(signal.SIGCONT)

    def _signal_all(self, sig: signal.Signals) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def create_cluster(*, durable: bool = False) -> PostgresCluster:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise FileNotFoundError("initdb not found (install PostgreSQL, or see .ci/run)")
    base = Path(tempfile.mkdtemp(prefix="statusboard-pg-"))
    data_dir = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    os.chmod(base, 0o755)
    cluster = PostgresCluster(bin_dir, data_dir, free_port(), durable)
    cluster._run("initdb", "-D", str(data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
    cluster.start()
    return cluster


def create_migrated_database(cluster: PostgresCluster, name: str) -> str:
    """A new database on `cluster` at the current schema; returns its URL."""
    from sqlalchemy import create_engine, text

    from statusboard.storage import schema
    from statusboard.storage.engine import build_engine

    admin = create_engine(cluster.admin_url.replace("postgresql://", "postgresql+psycopg://"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = cluster.url(name)
    engine = build_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    return url


def destroy_cluster(cluster: PostgresCluster) -> None:
    try:
        if cluster.pids():  # a fault test may have left it stopped
            cluster.stop("immediate")
    finally:
        shutil.rmtree(cluster.data_dir.parent, ignore_errors=True)
