"""Identity wired: users, sessions, API keys and address books in PostgreSQL, Argon2id
passwords, JWT access tokens, login throttling in Redis, verification and password reset mail
through notifications' outbox, the account-history projection; and the adapters serving
ordering's AddressBook port and notifications' AccountEmails port."""

from datetime import timedelta
from functools import partial
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from agora.platform import Platform, Wiring
from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.handlers import (
    address_book,
    api_key,
    password_reset,
    session,
    user,
    verification,
)
from application.identity.queries import IdentityQueries
from application.shared.bus import CommandBus
from domain.identity.events import EVENTS
from domain.identity.values import AddressKind, PostalAddress
from domain.ordering.values import ShippingAddress
from infrastructure.identity.readers import (
    SqlAddressDirectory,
    SqlApiKeyDirectory,
    SqlUserDirectory,
    account_email,
    default_address,
    saved_address,
)
from infrastructure.identity.subscribers import AccountHistoryProjection
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from infrastructure.mail.transports import sender_domain
from infrastructure.notifications.account_mail import OutboxAccountMail
from infrastructure.redis.login_throttle import RedisLoginThrottle, limits_storage
from infrastructure.security.passwords import Argon2PasswordHasher, common_passwords
from infrastructure.security.tokens import JwtAccessTokens

NAME = "identity"
__all__ = [
    "EVENTS",
    "NAME",
    "AccountEmailsForNotifications",
    "AddressBookForOrdering",
    "dependencies",
    "queries",
    "register",
    "wire",
]


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    return Wiring(subscribers=[AccountHistoryProjection(p.registry)])


def register(bus: CommandBus, deps: IdentityDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.RegisterUser, user.register_user, deps)
    bus.register(c.CreateAdmin, user.create_admin, deps)
    bus.register(c.ProvisionAccount, user.provision_account, deps)
    bus.register(c.UpdateProfile, user.update_profile, deps)
    bus.register(c.ChangePassword, user.change_password, deps)
    bus.register(c.GrantRole, user.grant_role, deps)
    bus.register(c.RevokeRole, user.revoke_role, deps)
    bus.register(c.DeactivateUser, user.deactivate_user, deps)
    bus.register(c.ReactivateUser, user.reactivate_user, deps)
    bus.register(c.LogIn, session.log_in, deps)
    bus.register(c.RefreshSession, session.refresh_session, deps)
    bus.register(c.LogOut, session.log_out, deps)
    bus.register(c.CreateApiKey, api_key.create_api_key, deps)
    bus.register(c.RevokeApiKey, api_key.revoke_api_key, deps)
    bus.register(c.StartGuestSession, session.start_guest_session, deps)
    bus.register(c.RequestEmailVerification, verification.request_email_verification, deps)
    bus.register(c.VerifyEmail, verification.verify_email, deps)
    bus.register(c.RequestPasswordReset, password_reset.request_password_reset, deps)
    bus.register(c.ResetPassword, password_reset.reset_password, deps)
    bus.register(c.AddAddress, address_book.add_address, deps)
    bus.register(c.ChangeAddress, address_book.change_address, deps)
    bus.register(c.RemoveAddress, address_book.remove_address, deps)
    bus.register(c.ChooseDefaultAddress, address_book.choose_default_address, deps)


def queries(p: Platform) -> IdentityQueries:
    return IdentityQueries(
        users=SqlUserDirectory(p.engine),
        keys=SqlApiKeyDirectory(p.engine),
        addresses=SqlAddressDirectory(p.engine),
        tokens=_tokens(p),
        clock=p.clock,
    )


def dependencies(p: Platform) -> IdentityDeps:
    auth = p.settings.auth
    return IdentityDeps(
        uow=partial(SqlIdentityUnitOfWork, p.engine, p.registry),
        hasher=Argon2PasswordHasher(
            memory_kib=auth.argon2_memory_kib, time_cost=auth.argon2_time_cost
        ),
        tokens=_tokens(p),
        throttle=RedisLoginThrottle(
            storage=limits_storage(
                p.redis_url,
                key_prefix=f"{p.settings.redis.key_prefix}:limits",
                timeout_seconds=p.settings.redis.timeout_seconds,
            ),
            circuit=p.redis_circuit,
            per_ip=auth.login_limit_per_ip,
            per_account=auth.login_limit_per_account,
            registrations_per_ip=auth.registration_limit_per_ip,
            guests_per_ip=auth.guest_limit_per_ip,
            password_resets_per_email=auth.password_reset_limit_per_email,
        ),
        clock=p.clock,
        session_lifetime=timedelta(days=auth.session_ttl_days),
        common_passwords=common_passwords(),
        mail=OutboxAccountMail(
            p.engine, clock=p.clock, domain=sender_domain(p.settings.mail.sender)
        ),
        guest_lifetime=timedelta(minutes=auth.guest_token_minutes),
        verification_lifetime=timedelta(minutes=auth.verification_token_minutes),
        verification_link=auth.verification_link,
        reset_lifetime=timedelta(minutes=auth.password_reset_token_minutes),
        reset_link=auth.password_reset_link,
    )


def _tokens(p: Platform) -> JwtAccessTokens:
    auth = p.settings.auth
    return JwtAccessTokens(
        secret=auth.jwt_secret.get_secret_value(),
        issuer=auth.jwt_issuer,
        audience=auth.jwt_audience,
        lifetime=timedelta(seconds=auth.access_token_ttl_seconds),
    )


class AddressBookForOrdering:
    """Serves ordering's AddressBook port from the customer's saved addresses, on ordering's
    connection (inside its transaction), one statement per call."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def address(self, *, customer_id: UUID, address_id: UUID) -> ShippingAddress | None:
        found = await saved_address(self._conn, user_id=customer_id, address_id=address_id)
        return None if found is None else _shipping_address(found)

    async def default(self, *, customer_id: UUID, kind: str) -> ShippingAddress | None:
        """`kind` is `shipping` or `billing`; None if the customer chose no default of it."""
        found = await default_address(self._conn, user_id=customer_id, kind=AddressKind(kind))
        return None if found is None else _shipping_address(found)


class AccountEmailsForNotifications:
    """Serves notifications' AccountEmails port on the order mailer's connection, one
    statement per call."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def email_of(self, customer_id: UUID) -> str | None:
        return await account_email(self._conn, user_id=customer_id)


def _shipping_address(found: PostalAddress) -> ShippingAddress:
    # Ordering's value mirrors identity's field for field; the translation is by name.
    return ShippingAddress(
        name=found.name,
        line1=found.line1,
        line2=found.line2,
        city=found.city,
        postal_code=found.postal_code,
        country=found.country,
        region=found.region,
        phone=found.phone,
    )
