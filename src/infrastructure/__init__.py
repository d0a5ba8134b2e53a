"""Adapters: PostgreSQL, Redis, JWT, password hashing, embedded services, migrations."""
