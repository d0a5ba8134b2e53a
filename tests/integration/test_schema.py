"""The migrated schema is exactly what the table definitions say (reflection + autogenerate)."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.db.schema import metadata


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata) if "alembic_version" not in str(d)]


async def test_migrations_produce_the_schema_the_models_describe(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        differences = await conn.run_sync(_diff)
    assert differences == []


async def test_constraints_are_named_by_the_convention(engine: AsyncEngine) -> None:
    def names(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        found = {inspector.get_pk_constraint("users")["name"]}
        found |= {u["name"] for u in inspector.get_unique_constraints("users")}
        found |= {f["name"] for f in inspector.get_foreign_keys("refresh_tokens")}
        found |= {c["name"] for c in inspector.get_check_constraints("users")}
        return {n for n in found if n}

    async with engine.connect() as conn:
        assert await conn.run_sync(names) == {
            "pk_users",
            "uq_users_email",
            "fk_refresh_tokens_session_id_login_sessions",
            "ck_users_email_is_lower_case",
        }
