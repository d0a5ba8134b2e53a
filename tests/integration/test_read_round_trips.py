"""Readers that run one statement per connection send no BEGIN or ROLLBACK around it, and the
pool lends a connection without pinging it: a read is its one statement on the wire."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.catalog.readers import SqlCatalogReader
from infrastructure.db.engine import build_engine
from infrastructure.identity.readers import SqlUserDirectory


class SimpleStatements:
    """Every statement asyncpg sends outside prepared statements: BEGIN, ROLLBACK, pings."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.sent: list[str] = []
        event.listen(engine.sync_engine, "connect", self._log)

    def around_reads(self) -> list[str]:
        """What was sent besides the reads' own statements (and asyncpg's type introspection)."""
        return [q for q in self.sent if q.strip() in ("", ";") or _transaction_control(q)]

    def _log(self, dbapi_connection: object, _record: object) -> None:
        driver = dbapi_connection.driver_connection  # type: ignore[attr-defined]
        driver.add_query_logger(lambda record: self.sent.append(record.query))


async def test_catalog_and_identity_reads_open_no_transaction(database_url: str) -> None:
    engine = build_engine(database_url, pool_size=1, max_overflow=0)
    statements = SimpleStatements(engine)
    catalog, users = SqlCatalogReader(engine), SqlUserDirectory(engine)
    try:
        for _ in range(2):  # the second time on a pooled connection
            await catalog.details(uuid.uuid4(), include_all=False)
            await users.principal(
                user_id=uuid.uuid4(), session_id=uuid.uuid4(), now=datetime.now(UTC)
            )
            await users.details(uuid.uuid4())
    finally:
        await engine.dispose()
    assert statements.around_reads() == []


def _transaction_control(query: str) -> bool:
    return query.split()[0].rstrip(";").upper() in ("BEGIN", "ROLLBACK", "COMMIT")
