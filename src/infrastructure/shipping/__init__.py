"""Shipping in PostgreSQL: tables, repositories, the unit of work and the read side."""
