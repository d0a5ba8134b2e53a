"""Gift cards in PostgreSQL: the cards, their append-only ledger, and the conditional updates."""
