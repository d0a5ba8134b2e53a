"""Identity wired: users, sessions and API keys in PostgreSQL, Argon2id passwords, JWT access
tokens, login throttling in Redis, and the account-history projection."""

from datetime import timedelta
from functools import partial

from agora.platform import Platform, Wiring
from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.handlers import api_key, session, user
from application.identity.queries import IdentityQueries
from application.shared.bus import CommandBus
from domain.identity.events import EVENTS
from infrastructure.identity.readers import SqlApiKeyDirectory, SqlUserDirectory
from infrastructure.identity.subscribers import AccountHistoryProjection
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from infrastructure.redis.login_throttle import RedisLoginThrottle, limits_storage
from infrastructure.security.passwords import Argon2PasswordHasher, common_passwords
from infrastructure.security.tokens import JwtAccessTokens

NAME = "identity"
__all__ = ["EVENTS", "NAME", "dependencies", "queries", "register", "wire"]


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


def queries(p: Platform) -> IdentityQueries:
    return IdentityQueries(
        users=SqlUserDirectory(p.engine),
        keys=SqlApiKeyDirectory(p.engine),
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
        ),
        clock=p.clock,
        session_lifetime=timedelta(days=auth.session_ttl_days),
        common_passwords=common_passwords(),
    )


def _tokens(p: Platform) -> JwtAccessTokens:
    auth = p.settings.auth
    return JwtAccessTokens(
        secret=auth.jwt_secret.get_secret_value(),
        issuer=auth.jwt_issuer,
        audience=auth.jwt_audience,
        lifetime=timedelta(seconds=auth.access_token_ttl_seconds),
    )
