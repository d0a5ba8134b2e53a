"""Notification adapters: webhook tables, the SSRF guard, the delivery subscriber and sender."""
