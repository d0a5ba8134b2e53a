"""The User aggregate's rules and the events it records."""

import uuid
from datetime import UTC, datetime

import pytest

from domain.identity.errors import AccountDeactivated, CannotChangeOwnAccess
from domain.identity.events import (
    PasswordChanged,
    RoleGranted,
    RoleRevoked,
    UserDeactivated,
    UserRegistered,
)
from domain.identity.user import User
from domain.identity.values import EmailAddress, Permission, Role

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ADMIN_ID = uuid.uuid4()


def a_user(*, roles: frozenset[Role] = frozenset({Role.CUSTOMER})) -> User:
    user = User.register(
        id=uuid.uuid4(),
        email=EmailAddress.parse("Ada@Example.com"),
        password_hash="hash",
        full_name="  Ada Lovelace  ",
        now=NOW,
        roles=roles,
    )
    user.collect_events()
    return user


def test_registering_makes_an_active_customer_and_records_it() -> None:
    user = User.register(
        id=uuid.uuid4(),
        email=EmailAddress.parse("Ada@Example.com"),
        password_hash="hash",
        full_name="  Ada Lovelace  ",
        now=NOW,
    )
    assert user.roles == {Role.CUSTOMER}
    assert user.is_active
    assert user.full_name == "Ada Lovelace"
    assert user.email.value == "ada@example.com"
    [event] = user.collect_events()
    assert isinstance(event, UserRegistered)
    assert event.roles == ("customer",)
    assert user.collect_events() == []


def test_granting_a_role_twice_records_one_event() -> None:
    user = a_user()
    user.grant_role(Role.STAFF, by=ADMIN_ID, now=NOW)
    user.grant_role(Role.STAFF, by=ADMIN_ID, now=NOW)
    assert user.roles == {Role.CUSTOMER, Role.STAFF}
    assert [type(e) for e in user.collect_events()] == [RoleGranted]


def test_revoking_a_role_removes_its_permissions() -> None:
    user = a_user(roles=frozenset({Role.CUSTOMER, Role.STAFF}))
    assert user.can(Permission.CATALOG_WRITE)
    user.revoke_role(Role.STAFF, by=ADMIN_ID, now=NOW)
    assert not user.can(Permission.CATALOG_WRITE)
    assert [type(e) for e in user.collect_events()] == [RoleRevoked]


def test_an_admin_cannot_revoke_their_own_admin_role() -> None:
    admin = a_user(roles=frozenset({Role.ADMIN}))
    with pytest.raises(CannotChangeOwnAccess):
        admin.revoke_role(Role.ADMIN, by=admin.id, now=NOW)
    assert admin.roles == {Role.ADMIN}


def test_an_admin_cannot_deactivate_themselves() -> None:
    admin = a_user(roles=frozenset({Role.ADMIN}))
    with pytest.raises(CannotChangeOwnAccess):
        admin.deactivate(by=admin.id, now=NOW)
    assert admin.is_active


def test_a_deactivated_user_can_do_nothing_and_cannot_change_their_profile() -> None:
    user = a_user()
    user.deactivate(by=ADMIN_ID, now=NOW)
    assert [type(e) for e in user.collect_events()] == [UserDeactivated]
    assert not user.can(Permission.PROFILE_READ)
    with pytest.raises(AccountDeactivated):
        user.update_profile(full_name="Ada", now=NOW)
    with pytest.raises(AccountDeactivated):
        user.change_password(new_hash="new", now=NOW)


def test_changing_the_password_records_an_event_without_the_hash() -> None:
    user = a_user()
    user.change_password(new_hash="secret-hash", now=NOW)
    [event] = user.collect_events()
    assert isinstance(event, PasswordChanged)
    assert "secret-hash" not in repr(event)


def test_rehashing_is_not_a_password_change() -> None:
    user = a_user()
    user.rehash_password(new_hash="stronger")
    assert user.password_hash == "stronger"
    assert user.collect_events() == []


def test_names_are_trimmed_and_bounded() -> None:
    user = a_user()
    user.update_profile(full_name="x" * 500, now=NOW)
    assert len(user.full_name) == 200
