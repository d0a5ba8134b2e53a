"""Identity's events in the event log: stored names, schema versions, context."""

from domain.identity import events
from infrastructure.eventlog.registry import EventRegistry

CONTEXT = "identity"
USER_STREAM = "user"


def register_identity_events(registry: EventRegistry) -> None:
    for cls in (
        events.UserRegistered,
        events.UserProfileUpdated,
        events.PasswordChanged,
        events.RoleGranted,
        events.RoleRevoked,
        events.UserDeactivated,
        events.UserReactivated,
    ):
        registry.register(cls, context=CONTEXT)
