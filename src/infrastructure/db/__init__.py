"""PostgreSQL access through SQLAlchemy 2 (async, asyncpg)."""
