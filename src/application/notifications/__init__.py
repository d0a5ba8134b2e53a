"""Notifications use cases: registering, stopping and redelivering outbound webhooks."""
