"""Schemas of the identity endpoints (login, guests, accounts, verification, addresses, API
keys), with the examples Swagger UI shows. Responses are read from the application's views by
attribute."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Form
from pydantic import EmailStr, Field

from api.schemas import RequestModel, ResponseModel, SafeStr
from domain.identity.values import AddressKind, Permission, PostalAddress, Role

# Characters, not bytes: at most 4 bytes each in UTF-8, so never over the 4,096 bytes the
# password hasher accepts (passlib refuses more with an error, not a verdict).
PASSWORD_MAX_LENGTH = 1024


class LoginForm:
    """The OAuth2 password flow's form (RFC 6749 section 4.3.2), each field safe text with a
    limit; other fields (`client_id`, `client_secret`) are ignored."""

    def __init__(
        self,
        *,
        username: Annotated[SafeStr, Form(max_length=254, description="The account's email.")],
        password: Annotated[SafeStr, Form(max_length=PASSWORD_MAX_LENGTH)],
        grant_type: Annotated[SafeStr | None, Form(pattern="^password$")] = None,
        scope: Annotated[SafeStr, Form(max_length=1000)] = "",
    ) -> None:
        self.username = username
        self.password = password
        self.grant_type = grant_type
        self.scope = scope


class RegistrationRequest(RequestModel):
    """A new customer account."""

    email: EmailStr = Field(max_length=254, examples=["ada@example.com"])
    password: SafeStr = Field(
        min_length=1,
        max_length=PASSWORD_MAX_LENGTH,
        description="At least 12 characters, not common, not containing the email's name.",
        examples=["correct-horse-battery-staple"],
    )
    full_name: SafeStr = Field(min_length=1, max_length=200, examples=["Ada Lovelace"])


class ProfileUpdate(RequestModel):
    """The fields a user may change on their own account (`roles` in here is a 422)."""

    full_name: SafeStr = Field(min_length=1, max_length=200, examples=["Ada King"])


class PasswordChange(RequestModel):
    """Replace the password; every other session of the account ends."""

    current_password: SafeStr = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)
    new_password: SafeStr = Field(
        min_length=1, max_length=PASSWORD_MAX_LENGTH, examples=["a-new-long-passphrase"]
    )


class RefreshRequest(RequestModel):
    """Trade a refresh token for a new pair; the old token is spent."""

    refresh_token: SafeStr = Field(min_length=1, max_length=256)


class TokenResponse(ResponseModel):
    """OAuth2 token response (RFC 6749 section 5.1) with a rotating refresh token."""

    access_token: str
    token_type: str = Field("bearer", examples=["bearer"])
    expires_in: int = Field(examples=[900])
    refresh_token: str


class UserSummaryResponse(ResponseModel):
    """An account in a list."""

    id: UUID
    email: str = Field(examples=["ada@example.com"])
    full_name: str = Field(examples=["Ada Lovelace"])
    roles: list[Role] = Field(examples=[["customer"]])
    is_active: bool
    created_at: datetime


class UserResponse(UserSummaryResponse):
    """An account with what it may do; `version` is also sent as the ETag."""

    permissions: list[Permission] = Field(examples=[["cart:write", "orders:place"]])
    email_verified: bool = Field(description="Whether the holder proved they read this email.")
    email_verified_at: datetime | None
    updated_at: datetime
    version: int


class UserPage(ResponseModel):
    """A page of accounts; pass `next_cursor` back as `cursor` for the next one."""

    items: list[UserSummaryResponse]
    next_cursor: str | None


class AccountEventResponse(ResponseModel):
    """One change to an account, as recorded in the event log."""

    position: int = Field(description="Position in the event log.")
    event_type: str = Field(examples=["RoleGranted"])
    occurred_at: datetime
    actor_id: UUID | None = Field(description="Who made the change (null for registration).")
    summary: str = Field(examples=["role staff granted"])


class AccountHistoryPage(ResponseModel):
    """A page of an account's history, oldest first."""

    items: list[AccountEventResponse]
    next_cursor: str | None


class NewApiKey(RequestModel):
    """A key for an integration: a name to recognise it by and the scopes it may use."""

    name: SafeStr = Field(min_length=1, max_length=100, examples=["warehouse"])
    scopes: list[Annotated[SafeStr, Field(max_length=40)]] = Field(
        min_length=1,
        max_length=10,
        description="Any of `orders:read:any`, `orders:fulfil`, `inventory:read`, "
        "`inventory:write`.",
        examples=[["orders:read:any", "orders:fulfil"]],
    )


class ApiKeyResponse(ResponseModel):
    """An API key's record; the key itself is shown only once, when it is created."""

    id: UUID
    name: str
    prefix: str = Field(description="Identifies the key in lists; not secret.")
    scopes: list[str]
    created_by: UUID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedApiKeyResponse(ApiKeyResponse):
    """A new key's record with the key itself in `key`, returned this once only."""

    key: str = Field(description="Shown this once; only its hash is kept. Send it as X-API-Key.")


class ApiKeyList(ResponseModel):
    """Every API key, oldest first, revoked ones included."""

    items: list[ApiKeyResponse]


class GuestTokenResponse(ResponseModel):
    """A guest's access token (RFC 6749 section 5.1), without a refresh token: when it expires,
    the guest starts again or registers."""

    access_token: str
    token_type: str = Field("bearer", examples=["bearer"])
    expires_in: int = Field(examples=[86_400])
    guest_id: UUID = Field(description="The customer id the guest's cart and orders carry.")


class VerificationRequest(RequestModel):
    """The token from the verification link."""

    token: SafeStr = Field(
        min_length=1, max_length=256, examples=["Xq3v9k2b7Yt1mR8sLw0pZc4nJd6hGf5aEu2iOy7TbQk"]
    )


class VerificationSentResponse(ResponseModel):
    """A verification link was sent to the account's email."""

    email: str = Field(examples=["ada@example.com"])
    expires_at: datetime


class PasswordResetRequest(RequestModel):
    """Ask for a password reset link; the answer is the same whether or not the account
    exists."""

    email: EmailStr = Field(max_length=254, examples=["ada@example.com"])


class PasswordResetAccepted(ResponseModel):
    """The one answer to every password reset request."""

    detail: str = Field(
        examples=["If an account has this email, a password reset link is on its way."]
    )


class PasswordResetConfirm(RequestModel):
    """The token from the password reset link, and the new password."""

    token: SafeStr = Field(
        min_length=1, max_length=256, examples=["Xq3v9k2b7Yt1mR8sLw0pZc4nJd6hGf5aEu2iOy7TbQk"]
    )
    new_password: SafeStr = Field(
        min_length=1,
        max_length=PASSWORD_MAX_LENGTH,
        description="At least 12 characters, not common, not containing the email's name.",
        examples=["a-new-long-passphrase"],
    )


class AddressRequest(RequestModel):
    """A postal address to save, with the label the customer knows it by."""

    label: SafeStr = Field(min_length=1, max_length=50, examples=["Home"])
    name: SafeStr = Field(min_length=1, max_length=200, examples=["Ada Lovelace"])
    line1: SafeStr = Field(min_length=1, max_length=200, examples=["12 St James's Square"])
    line2: SafeStr | None = Field(None, max_length=200, examples=["Flat 3"])
    city: SafeStr = Field(min_length=1, max_length=200, examples=["London"])
    postal_code: SafeStr = Field(min_length=1, max_length=200, examples=["SW1Y 4JH"])
    region: SafeStr | None = Field(
        None, max_length=6, description="ISO 3166-2 subdivision, e.g. `GB-LND`.", examples=[None]
    )
    country: SafeStr = Field(
        min_length=2, max_length=2, description="ISO 3166-1 alpha-2.", examples=["GB"]
    )
    phone: SafeStr | None = Field(None, max_length=32, examples=["+44 20 7946 0000"])

    def postal_address(self) -> PostalAddress:
        return PostalAddress(**self.model_dump(exclude={"label"}))


class AddressResponse(ResponseModel):
    """A saved address; `version` is also sent as the ETag."""

    id: UUID
    label: str
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    region: str | None
    country: str
    phone: str | None
    default_for: list[AddressKind] = Field(
        description="What this address is the default for.", examples=[["shipping", "billing"]]
    )
    version: int
    created_at: datetime
    updated_at: datetime


class AddressList(ResponseModel):
    """Every saved address of the caller, oldest first (at most 50)."""

    items: list[AddressResponse]
