"""Notifications: webhook subscriptions that send the log's events to outside URLs."""
