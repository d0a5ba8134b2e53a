"""Adapters that talk to Redis: the client, login throttling, the catalog cache, and live
order updates."""
