"""Contract tests: each suite runs against the in-memory fake and the real adapter of one port."""
