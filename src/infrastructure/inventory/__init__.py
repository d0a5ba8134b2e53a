"""Inventory adapters: stock tables, the atomic stock repository, the append-only ledger."""
