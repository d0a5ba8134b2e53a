"""Values of identity: the email address an account logs in with, what the shop accepts as a
password, roles (what the shop calls people) with the permissions routes ask for, and the
postal addresses of an address book."""

import hashlib
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.identity.errors import InvalidEmail, InvalidPostalAddress, WeakPassword

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
    """The three kinds of account, and the guest: a shopper without one (never granted)."""

    CUSTOMER = "customer"
    STAFF = "staff"
    ADMIN = "admin"
    GUEST = "guest"


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
# A guest keeps a cart and places and reads its own orders; it has no profile to read or write.
_GUEST = frozenset({Permission.CART_WRITE, Permission.ORDERS_PLACE, Permission.ORDERS_READ_OWN})
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
    Role.GUEST: _GUEST,
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


class AddressKind(StrEnum):
    """What a saved address is the default for."""

    SHIPPING = "shipping"
    BILLING = "billing"


MAX_ADDRESS_FIELD = 200
MAX_LABEL_LENGTH = 50
# ISO 3166-2 subdivision codes: the country, a hyphen, one to three letters or digits (DE-BE).
_REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
# E.164 allows 15 digits; people write spaces, dashes and brackets, which carriers accept.
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{3,30}$")


@dataclass(frozen=True, kw_only=True)
class PostalAddress:
    """Where a parcel or an invoice goes; checked for shape, the carrier checks the rest."""

    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2
    region: str | None = None  # ISO 3166-2, when the country's carriers or taxes need it
    phone: str | None = None

    def __post_init__(self) -> None:
        for field in ("name", "line1", "city", "postal_code"):
            _check_text(field, getattr(self, field), required=True)
        _check_text("line2", self.line2, required=False)
        if not (len(self.country) == 2 and self.country.isascii() and self.country.isupper()):
            raise InvalidPostalAddress("country is a two-letter ISO 3166 code such as DE or FR")
        if self.region is not None and not (
            _REGION.match(self.region) and self.region.startswith(f"{self.country}-")
        ):
            raise InvalidPostalAddress(
                f"region is an ISO 3166-2 code of {self.country}, such as {self.country}-BE"
            )
        if self.phone is not None and not _PHONE.match(self.phone):
            raise InvalidPostalAddress("phone has digits, spaces, dashes and brackets only")


def check_label(label: str) -> str:
    """What the customer calls an address ("Home", "Office"): trimmed, 1 to 50 characters."""
    trimmed = label.strip()
    if not trimmed or len(trimmed) > MAX_LABEL_LENGTH:
        raise InvalidPostalAddress(f"label is 1 to {MAX_LABEL_LENGTH} characters")
    return trimmed


def _check_text(field: str, value: str | None, *, required: bool) -> None:
    if value is None or not value.strip():
        if required:
            raise InvalidPostalAddress(f"{field} is required")
        return
    if len(value) > MAX_ADDRESS_FIELD:
        raise InvalidPostalAddress(f"{field} is longer than {MAX_ADDRESS_FIELD} characters")
