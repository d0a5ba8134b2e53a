"""Roles grant permissions; emails normalise; passwords meet the policy."""

import pytest

from domain.identity.errors import InvalidEmail, WeakPassword
from domain.identity.values import (
    ROLE_PERMISSIONS,
    EmailAddress,
    Permission,
    Role,
    check_password_policy,
    permissions_of,
)

COMMON = frozenset({"password1234"})  # the composition root gives the breach list


def test_admins_can_do_everything() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)


@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (Role.CUSTOMER, Permission.ORDERS_PLACE, Permission.ORDERS_READ_ANY),
        (Role.CUSTOMER, Permission.CART_WRITE, Permission.CATALOG_WRITE),
        (Role.STAFF, Permission.CATALOG_WRITE, Permission.USERS_MANAGE),
        (Role.STAFF, Permission.ORDERS_REFUND, Permission.WEBHOOKS_MANAGE),
    ],
)
def test_role_grants_and_withholds(role: Role, allowed: Permission, denied: Permission) -> None:
    assert allowed in ROLE_PERMISSIONS[role]
    assert denied not in ROLE_PERMISSIONS[role]


def test_only_admins_manage_users() -> None:
    holders = {r for r, perms in ROLE_PERMISSIONS.items() if Permission.USERS_MANAGE in perms}
    assert holders == {Role.ADMIN}


def test_permissions_of_several_roles_is_the_union() -> None:
    both = permissions_of([Role.CUSTOMER, Role.STAFF])
    assert both == ROLE_PERMISSIONS[Role.CUSTOMER] | ROLE_PERMISSIONS[Role.STAFF]
    assert permissions_of([]) == frozenset()


def test_permission_strings_follow_resource_action_scope() -> None:
    for permission in Permission:
        parts = permission.value.split(":")
        assert 2 <= len(parts) <= 3, permission


@pytest.mark.parametrize("raw", ["  Ada@Example.COM ", "ada@example.com"])
def test_emails_are_trimmed_and_lower_cased(raw: str) -> None:
    assert EmailAddress.parse(raw).value == "ada@example.com"


@pytest.mark.parametrize("raw", ["", "ada", "ada@", "@example.com", "a b@example.com", "a@b"])
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        EmailAddress.parse(raw)


def test_a_good_password_passes() -> None:
    check_password_policy(
        "correct-horse-battery", email=EmailAddress.parse("ada@example.com"), common=COMMON
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 12"),
        ("x" * 129, "at most 128"),
        ("aaaaaaaaaaaaaa", "4 different"),
        ("password1234", "too common"),
        ("lovelace-is-my-name", "email's name"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password_policy(
            password, email=EmailAddress.parse("lovelace@example.com"), common=COMMON
        )
    assert any(reason in r for r in refused.value.reasons)
