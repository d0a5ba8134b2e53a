"""The event log: one PostgreSQL table for every context, its subscribers, and Kafka."""
