"""Reporting adapters: the sales materialized views, their refresh, and the order export."""
