"""Schemas of the identity endpoints, with the examples Swagger UI shows."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from application.identity.views import AccountEvent, TokenPair, UserDetails, UserSummary
from domain.identity.roles import Permission, Role


class _Strict(BaseModel):
    # Unknown fields are refused (422), so nobody can slip `roles` into a profile update.
    model_config = ConfigDict(extra="forbid")


class RegistrationRequest(_Strict):
    """A new customer account."""

    email: EmailStr = Field(max_length=254, examples=["ada@example.com"])
    password: str = Field(
        min_length=1,
        max_length=1024,
        description="At least 12 characters, not common, not containing the email's name.",
        examples=["correct-horse-battery-staple"],
    )
    full_name: str = Field(min_length=1, max_length=200, examples=["Ada Lovelace"])


class ProfileUpdate(_Strict):
    """The fields a user may change on their own account."""

    full_name: str = Field(min_length=1, max_length=200, examples=["Ada King"])


class PasswordChange(_Strict):
    """Replace the password; every other session of the account ends."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024, examples=["a-new-long-passphrase"])


class RefreshRequest(_Strict):
    """Trade a refresh token for a new pair; the old token is spent."""

    refresh_token: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    """OAuth2 token response (RFC 6749 section 5.1) with a rotating refresh token."""

    access_token: str
    token_type: str = Field("bearer", examples=["bearer"])
    expires_in: int = Field(examples=[900])
    refresh_token: str

    @classmethod
    def of(cls, pair: TokenPair) -> "TokenResponse":
        return cls(
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            refresh_token=pair.refresh_token,
        )


class UserSummaryResponse(BaseModel):
    """An account in a list."""

    id: UUID
    email: str = Field(examples=["ada@example.com"])
    full_name: str = Field(examples=["Ada Lovelace"])
    roles: list[Role] = Field(examples=[["customer"]])
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: UserSummary) -> "UserSummaryResponse":
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            roles=list(user.roles),
            is_active=user.is_active,
            created_at=user.created_at,
        )


class UserResponse(UserSummaryResponse):
    """An account with what it may do; `version` is also sent as the ETag."""

    permissions: list[Permission] = Field(examples=[["cart:write", "orders:place"]])
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, user: UserDetails) -> "UserResponse":  # type: ignore[override]
        return cls(
            **UserSummaryResponse.of(user).model_dump(),
            permissions=list(user.permissions),
            updated_at=user.updated_at,
            version=user.version,
        )


class UserPage(BaseModel):
    """A page of accounts; pass `next_cursor` back as `cursor` for the next one."""

    items: list[UserSummaryResponse]
    next_cursor: str | None


class AccountEventResponse(BaseModel):
    """One change to an account, as recorded in the event log."""

    position: int = Field(description="Position in the event log.")
    event_type: str = Field(examples=["RoleGranted"])
    occurred_at: datetime
    actor_id: UUID | None = Field(description="Who made the change (null for registration).")
    summary: str = Field(examples=["role staff granted"])

    @classmethod
    def of(cls, event: AccountEvent) -> "AccountEventResponse":
        return cls(
            position=event.position,
            event_type=event.event_type,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            summary=event.summary,
        )


class AccountHistoryPage(BaseModel):
    """A page of an account's history, oldest first."""

    items: list[AccountEventResponse]
    next_cursor: str | None
