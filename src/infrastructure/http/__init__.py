"""Adapters of HTTP to the outside: webhook deliveries, the URL guard that keeps them out of the
shop's own network, the shared client, and request signatures (both directions)."""
