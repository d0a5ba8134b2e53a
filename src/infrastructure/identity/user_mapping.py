"""Data mapping between the User aggregate and a `users` row, in both directions."""

from collections.abc import Mapping
from typing import Any

from domain.identity.email import EmailAddress
from domain.identity.roles import Role
from domain.identity.user import User


def user_to_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email.value,
        "password_hash": user.password_hash,
        "full_name": user.full_name,
        "roles": sorted(user.roles),
        "is_active": user.is_active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "version": user.version,
    }


def user_from_row(row: Mapping[Any, Any]) -> User:
    return User(
        id=row["id"],
        email=EmailAddress(row["email"]),
        password_hash=row["password_hash"],
        full_name=row["full_name"],
        roles=frozenset(Role(r) for r in row["roles"]),
        is_active=row["is_active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )
