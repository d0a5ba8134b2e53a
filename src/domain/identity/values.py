"""Values of identity: the email address an account logs in with, what the shop accepts as a
password, and roles (what the shop calls people) with the permissions routes ask for."""

import hashlib
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.identity.errors import InvalidEmail, WeakPassword

# Deliberately modest: full RFC 5322 is the api layer's job (email-validator); the domain
# only guarantees the shape every stored address has.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True)
class EmailAddress:
    """A normalised (trimmed, lower-cased) email address: unique ignoring case."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> "EmailAddress":
        normalised = raw.strip().lower()
        if len(normalised) > MAX_EMAIL_LENGTH or not _EMAIL_SHAPE.match(normalised):
            raise InvalidEmail(f"{raw!r} is not a valid email address")
        return cls(normalised)

    def __str__(self) -> str:
        return self.value


class Role(StrEnum):
    """The three kinds of account."""

    CUSTOMER = "customer"
    STAFF = "staff"
    ADMIN = "admin"


class Permission(StrEnum):
    """One capability, written `resource:action[:scope]`."""

    PROFILE_READ = "profile:read"
    PROFILE_WRITE = "profile:write"
    CART_WRITE = "cart:write"
    ORDERS_READ_OWN = "orders:read:own"
    ORDERS_PLACE = "orders:place"
    ORDERS_READ_ANY = "orders:read:any"
    ORDERS_FULFIL = "orders:fulfil"
    ORDERS_REFUND = "orders:refund"
    CATALOG_WRITE = "catalog:write"
    INVENTORY_READ = "inventory:read"
    INVENTORY_WRITE = "inventory:write"
    REPORTS_READ = "reports:read"
    USERS_READ_ANY = "users:read:any"
    USERS_MANAGE = "users:manage"
    WEBHOOKS_MANAGE = "webhooks:manage"
    API_KEYS_MANAGE = "api-keys:manage"
    TAXES_WRITE = "taxes:write"
    SHIPPING_WRITE = "shipping:write"
    PROMOTIONS_WRITE = "promotions:write"
    GIFT_CARDS_WRITE = "gift_cards:write"


_CUSTOMER = frozenset(
    {
        Permission.PROFILE_READ,
        Permission.PROFILE_WRITE,
        Permission.CART_WRITE,
        Permission.ORDERS_READ_OWN,
        Permission.ORDERS_PLACE,
    }
)
_STAFF = frozenset(
    {
        Permission.PROFILE_READ,
        Permission.PROFILE_WRITE,
        Permission.ORDERS_READ_ANY,
        Permission.ORDERS_FULFIL,
        Permission.ORDERS_REFUND,
        Permission.CATALOG_WRITE,
        Permission.INVENTORY_READ,
        Permission.INVENTORY_WRITE,
        Permission.REPORTS_READ,
        Permission.TAXES_WRITE,
        Permission.SHIPPING_WRITE,
        Permission.PROMOTIONS_WRITE,
        Permission.GIFT_CARDS_WRITE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CUSTOMER: _CUSTOMER,
    Role.STAFF: _STAFF,
    # An admin can do everything, including what later contexts add to Permission.
    Role.ADMIN: frozenset(Permission),
}


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    return frozenset(p for role in roles for p in ROLE_PERMISSIONS[role])


# What the shop accepts as a password: long enough, not trivially guessable (NIST SP 800-63B).
MIN_PASSWORD_LENGTH = 12
# Argon2 hashes any length, but an unbounded input is a cheap denial-of-service lever.
MAX_PASSWORD_LENGTH = 128


def check_password_policy(password: str, *, email: EmailAddress, common: Container[str]) -> None:
    """Raise WeakPassword listing every rule the password breaks. `common` holds the passwords
    too common to accept, lower-case (the composition root provides a breach-list estimator)."""
    reasons: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        reasons.append(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        reasons.append(f"must be at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        reasons.append("must use at least 4 different characters")
    if password.lower() in common:
        reasons.append("is too common")
    local_part = email.value.split("@", 1)[0]
    if len(local_part) >= 4 and local_part in password.lower():
        reasons.append("must not contain the email's name")
    if reasons:
        raise WeakPassword(reasons)


def secret_digest(plain: str) -> str:
    """How refresh tokens and API key secrets are kept: 256 random bits need no slow hash, and
    their SHA-256 makes a stolen table useless."""
    return hashlib.sha256(plain.encode()).hexdigest()
