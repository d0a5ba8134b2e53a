"""The User aggregate (state-stored): who may log in, with which roles."""

from datetime import datetime
from uuid import UUID

from domain.identity import events as ev
from domain.identity.errors import AccountDeactivated, CannotChangeOwnAccess, RoleNotGrantable
from domain.identity.values import EmailAddress, Permission, Role, permissions_of
from domain.shared.aggregate import AggregateRoot

MAX_NAME_LENGTH = 200


class User(AggregateRoot):
    """An account. `version` guards against lost updates (optimistic concurrency)."""

    stream_type = "user"

    def __init__(
        self,
        *,
        id: UUID,
        email: EmailAddress,
        password_hash: str,
        full_name: str,
        roles: frozenset[Role],
        is_active: bool,
        created_at: datetime,
        updated_at: datetime,
        version: int,
        email_verified_at: datetime | None = None,
    ) -> None:
        super().__init__()
        self.id, self.email, self.password_hash = id, email, password_hash
        self.full_name, self.roles, self.is_active = full_name, roles, is_active
        self.email_verified_at = email_verified_at
        self.created_at, self.updated_at, self.version = created_at, updated_at, version

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        email: EmailAddress,
        password_hash: str,
        full_name: str,
        now: datetime,
        roles: frozenset[Role] = frozenset({Role.CUSTOMER}),
    ) -> "User":
        """A new, active account; customers unless told otherwise (the CLI makes admins)."""
        user = cls(
            id=id,
            email=email,
            password_hash=password_hash,
            full_name=full_name.strip()[:MAX_NAME_LENGTH],
            roles=roles,
            is_active=True,
            created_at=now,
            updated_at=now,
            version=0,
        )
        user._record(
            ev.UserRegistered(
                occurred_at=now, user_id=id, email=email.value, roles=tuple(sorted(roles))
            )
        )
        return user

    def update_profile(self, *, full_name: str, now: datetime) -> None:
        self._ensure_active()
        self.full_name = full_name.strip()[:MAX_NAME_LENGTH]
        self.updated_at = now
        self._record(
            ev.UserProfileUpdated(occurred_at=now, user_id=self.id, full_name=self.full_name)
        )

    def verify_email(self, *, now: datetime) -> None:
        """The owner proved they read mail at the address; done once, kept until it changes."""
        self._ensure_active()
        if self.email_verified_at is not None:
            return
        self.email_verified_at = self.updated_at = now
        self._record(ev.EmailVerified(occurred_at=now, user_id=self.id, email=self.email.value))

    def change_password(self, *, new_hash: str, now: datetime) -> None:
        self._ensure_active()
        self.password_hash = new_hash
        self.updated_at = now
        self._record(ev.PasswordChanged(occurred_at=now, user_id=self.id))

    def rehash_password(self, *, new_hash: str) -> None:
        """Same password, stronger hash parameters: not a change the user made, so no event."""
        self.password_hash = new_hash

    def grant_role(self, role: Role, *, by: UUID, now: datetime) -> None:
        if role == Role.GUEST:
            raise RoleNotGrantable("the guest role is for guest sessions, not accounts")
        if role in self.roles:
            return
        self.roles = self.roles | {role}
        self.updated_at = now
        self._record(ev.RoleGranted(occurred_at=now, user_id=self.id, role=role, granted_by=by))

    def revoke_role(self, role: Role, *, by: UUID, now: datetime) -> None:
        if role == Role.ADMIN and by == self.id:
            raise CannotChangeOwnAccess("an admin cannot revoke their own admin role")
        if role not in self.roles:
            return
        self.roles = self.roles - {role}
        self.updated_at = now
        self._record(ev.RoleRevoked(occurred_at=now, user_id=self.id, role=role, revoked_by=by))

    def deactivate(self, *, by: UUID, now: datetime) -> None:
        if by == self.id:
            raise CannotChangeOwnAccess("an admin cannot deactivate their own account")
        if not self.is_active:
            return
        self.is_active = False
        self.updated_at = now
        self._record(ev.UserDeactivated(occurred_at=now, user_id=self.id, deactivated_by=by))

    def reactivate(self, *, by: UUID, now: datetime) -> None:
        if self.is_active:
            return
        self.is_active = True
        self.updated_at = now
        self._record(ev.UserReactivated(occurred_at=now, user_id=self.id, reactivated_by=by))

    @property
    def stream_id(self) -> str:
        return str(self.id)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def can(self, permission: Permission) -> bool:
        return self.is_active and permission in self.permissions

    def _ensure_active(self) -> None:
        if not self.is_active:
            raise AccountDeactivated(f"user {self.id} is deactivated")
