"""Handlers of accounts: registration, profile, password, roles, activation. Each opens a unit
of work, changes the user through its methods and commits; its events reach the log with it."""

import uuid
from collections.abc import Callable
from datetime import datetime

from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.ports import IdentityUnitOfWork
from application.identity.views import UserDetails
from application.shared.errors import PreconditionFailed
from domain.identity.errors import EmailAlreadyRegistered, UserNotFound, WrongPassword
from domain.identity.user import User
from domain.identity.values import EmailAddress, Role, check_password_policy


async def register_user(cmd: c.RegisterUser, deps: IdentityDeps) -> UserDetails:
    await deps.throttle.check_registration(client_ip=cmd.client_ip)
    email = EmailAddress.parse(cmd.email)
    check_password_policy(cmd.password, email=email, common=deps.common_passwords)
    password_hash = await deps.hasher.hash(cmd.password)
    async with deps.uow() as uow:
        if await uow.users.get_by_email(email) is not None:
            raise EmailAlreadyRegistered(f"{email} is already registered")
        user = _new_user(email, password_hash, cmd.full_name, deps=deps)
        await uow.users.add(user)
        await uow.commit()
    return UserDetails.of(user)


async def create_admin(cmd: c.CreateAdmin, deps: IdentityDeps) -> UserDetails:
    email = EmailAddress.parse(cmd.email)
    check_password_policy(cmd.password, email=email, common=deps.common_passwords)
    password_hash = await deps.hasher.hash(cmd.password)
    now = deps.clock.now()
    async with deps.uow() as uow:
        user = await uow.users.get_by_email(email)
        if user is None:
            user = _new_user(email, password_hash, cmd.full_name, deps=deps, roles={Role.ADMIN})
            await uow.users.add(user)
        else:
            user.grant_role(Role.ADMIN, by=user.id, now=now)
            user.reactivate(by=user.id, now=now)
            user.change_password(new_hash=password_hash, now=now)
            await uow.users.save(user)
        await uow.commit()
    return UserDetails.of(user)


async def provision_account(cmd: c.ProvisionAccount, deps: IdentityDeps) -> UserDetails:
    email = EmailAddress.parse(cmd.email)
    async with deps.uow() as uow:
        existing = await uow.users.get_by_email(email)
        if existing is not None:
            return UserDetails.of(existing)
    check_password_policy(cmd.password, email=email, common=deps.common_passwords)
    password_hash = await deps.hasher.hash(cmd.password)
    user = _new_user(email, password_hash, cmd.full_name, deps=deps, roles=cmd.roles)
    async with deps.uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    return UserDetails.of(user)


async def update_profile(cmd: c.UpdateProfile, deps: IdentityDeps) -> UserDetails:
    def update(user: User, now: datetime) -> None:
        if cmd.expected_version is not None and cmd.expected_version != user.version:
            raise PreconditionFailed(
                f"the profile is at version {user.version}, not {cmd.expected_version}"
            )
        user.update_profile(full_name=cmd.full_name, now=now)

    return await _change_user(cmd.actor.user_id, update, deps=deps)


async def change_password(cmd: c.ChangePassword, deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        user = await _load(uow, cmd.actor.user_id)
        # Re-entering the password is a login attempt: throttled like one, so a stolen session
        # cannot be used to guess the password and lock the owner out.
        await deps.throttle.check(email=user.email.value, client_ip=cmd.client_ip)
        matches, _ = await deps.hasher.verify(cmd.current_password, user.password_hash)
        if not matches:
            await deps.throttle.record_failure(email=user.email.value, client_ip=cmd.client_ip)
            raise WrongPassword("the current password is wrong")
        check_password_policy(cmd.new_password, email=user.email, common=deps.common_passwords)
        now = deps.clock.now()
        user.change_password(new_hash=await deps.hasher.hash(cmd.new_password), now=now)
        await uow.users.save(user)
        # A changed password ends every other login: whoever knew the old one is out.
        await uow.sessions.revoke_all_of(user.id, now=now, except_session=cmd.actor.session_id)
        await uow.commit()


async def grant_role(cmd: c.GrantRole, deps: IdentityDeps) -> UserDetails:
    def grant(user: User, now: datetime) -> None:
        user.grant_role(cmd.role, by=cmd.actor.user_id, now=now)

    return await _change_user(cmd.user_id, grant, deps=deps)


async def revoke_role(cmd: c.RevokeRole, deps: IdentityDeps) -> UserDetails:
    def revoke(user: User, now: datetime) -> None:
        user.revoke_role(cmd.role, by=cmd.actor.user_id, now=now)

    return await _change_user(cmd.user_id, revoke, deps=deps)


async def deactivate_user(cmd: c.DeactivateUser, deps: IdentityDeps) -> UserDetails:
    def deactivate(user: User, now: datetime) -> None:
        user.deactivate(by=cmd.actor.user_id, now=now)

    return await _change_user(cmd.user_id, deactivate, deps=deps, end_sessions=True)


async def reactivate_user(cmd: c.ReactivateUser, deps: IdentityDeps) -> UserDetails:
    def reactivate(user: User, now: datetime) -> None:
        user.reactivate(by=cmd.actor.user_id, now=now)

    return await _change_user(cmd.user_id, reactivate, deps=deps)


async def _change_user(
    user_id: uuid.UUID,
    change: Callable[[User, datetime], None],
    *,
    deps: IdentityDeps,
    end_sessions: bool = False,
) -> UserDetails:
    async with deps.uow() as uow:
        user = await _load(uow, user_id)
        now = deps.clock.now()
        change(user, now)
        await uow.users.save(user)
        if end_sessions:
            await uow.sessions.revoke_all_of(user.id, now=now)
        await uow.commit()
    return UserDetails.of(user)


async def _load(uow: IdentityUnitOfWork, user_id: uuid.UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise UserNotFound(f"user {user_id} not found")
    return user


def _new_user(
    email: EmailAddress,
    password_hash: str,
    full_name: str,
    *,
    deps: IdentityDeps,
    roles: frozenset[Role] | set[Role] = frozenset({Role.CUSTOMER}),
) -> User:
    return User.register(
        id=uuid.uuid4(),
        email=email,
        password_hash=password_hash,
        full_name=full_name,
        now=deps.clock.now(),
        roles=frozenset(roles),
    )
