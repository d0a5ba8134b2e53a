"""Inventory adapters: its tables, the stock repository, its unit of work and readers."""
