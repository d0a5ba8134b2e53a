"""Inventory: stock per SKU, reservations for orders, and the ledger of every movement."""
