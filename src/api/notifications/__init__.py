"""The HTTP interface of notifications: outbound webhooks, managed by admins."""
