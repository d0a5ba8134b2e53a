"""the append notification names the stream types and event types its statement appended, so
each subscriber wakes only for what it handles

Revision ID: 5b7e2c41d9a3
Revises: 9c3e5a1f7b20
Create Date: 2026-12-01 17:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b7e2c41d9a3"
down_revision: str | None = "9c3e5a1f7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A statement trigger sees the rows it appended as a transition table: one notification per
    # statement, whose payload is small (a unit of work appends a few types). PostgreSQL caps a
    # payload below 8,000 bytes; past that it names nothing, which wakes every subscriber.
    op.execute("DROP TRIGGER event_log_notify ON event_log")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION notify_event_log() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            appended text;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM appended_rows) THEN
                RETURN NULL;  -- an append of only duplicates inserted nothing: wake no one
            END IF;
            SELECT json_build_object(
                       'stream_types', array_agg(DISTINCT stream_type),
                       'event_types', array_agg(DISTINCT event_type))::text
              INTO appended
              FROM appended_rows;
            IF octet_length(appended) > 7900 THEN
                appended := '';
            END IF;
            PERFORM pg_notify('agora_event_log', appended);
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER event_log_notify AFTER INSERT ON event_log"
        " REFERENCING NEW TABLE AS appended_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION notify_event_log()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER event_log_notify ON event_log")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION notify_event_log() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('agora_event_log', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER event_log_notify AFTER INSERT ON event_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION notify_event_log()"
    )
