"""Roles are what the shop calls people; permissions are what routes ask for."""

from collections.abc import Iterable
from enum import StrEnum


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
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CUSTOMER: _CUSTOMER,
    Role.STAFF: _STAFF,
    # An admin can do everything, including what later contexts add to Permission.
    Role.ADMIN: frozenset(Permission),
}


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """The union of the permissions each role grants."""
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted
