"""Inventory use cases: receive and adjust stock; reserve, keep, release, commit and expire
reservations (the ordering context asks for all but the last)."""
