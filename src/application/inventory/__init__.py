"""Inventory use cases: receive and adjust stock; reserve, release, commit and expire
reservations (the ordering context calls the last four)."""
