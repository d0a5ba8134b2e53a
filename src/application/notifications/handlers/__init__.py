"""Notifications handlers: webhook subscriptions and their deliveries."""
