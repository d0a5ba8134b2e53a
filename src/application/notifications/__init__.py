"""Notifications use cases: outbound webhook subscriptions, their deliveries, and sending."""
