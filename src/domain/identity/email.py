"""The email address value object: the account's login name, unique ignoring case."""

import re
from dataclasses import dataclass

from domain.identity.errors import InvalidEmail

# Deliberately modest: full RFC 5322 is the api layer's job (email-validator); the domain
# only guarantees the shape every stored address has.
_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LENGTH = 254


@dataclass(frozen=True)
class EmailAddress:
    """A normalised (trimmed, lower-cased) email address."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> "EmailAddress":
        normalised = raw.strip().lower()
        if len(normalised) > MAX_LENGTH or not _SHAPE.match(normalised):
            raise InvalidEmail(f"{raw!r} is not a valid email address")
        return cls(normalised)

    def __str__(self) -> str:
        return self.value
