"""Rules of notifications."""

from domain.shared.errors import DomainError


class InvalidSubscription(DomainError):
    """A subscription names known event types and a secret long enough to sign with."""


class UnsafeWebhookUrl(DomainError):
    """The URL is not https, or its host resolves to an address inside the network (SSRF)."""


class WebhookNotFound(DomainError):
    """No such webhook subscription or delivery."""
