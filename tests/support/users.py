"""Users for tests: a registered customer who is also staff, at a fixed time."""

import uuid
from datetime import UTC, datetime

from domain.identity.user import User
from domain.identity.values import EmailAddress, Role

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_user(email: str = "ada@example.com") -> User:
    return User.register(
        id=uuid.uuid4(),
        email=EmailAddress.parse(email),
        password_hash="$argon2id$fake",
        full_name="Ada",
        now=NOW,
        roles=frozenset({Role.CUSTOMER, Role.STAFF}),
    )
