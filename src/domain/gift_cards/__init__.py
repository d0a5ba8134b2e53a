"""Gift cards: value sold or given by the shop, spent at checkout, never below zero."""
