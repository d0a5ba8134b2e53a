"""Handlers that change accounts: registration, profile, password, roles, activation."""

import uuid

from application.identity.commands import (
    ChangePassword,
    CreateAdmin,
    DeactivateUser,
    GrantRole,
    ProvisionAccount,
    ReactivateUser,
    RegisterUser,
    RevokeRole,
    UpdateProfile,
)
from application.identity.dependencies import IdentityDeps, details_of
from application.identity.errors import WrongPassword
from application.identity.ports import IdentityUnitOfWork
from application.identity.views import UserDetails
from application.shared.errors import PreconditionFailed
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered, UserNotFound
from domain.identity.password_policy import check_password_policy
from domain.identity.roles import Role
from domain.identity.user import User


async def register_user(cmd: RegisterUser, *, deps: IdentityDeps) -> UserDetails:
    email = EmailAddress.parse(cmd.email)
    check_password_policy(cmd.password, email=email)
    password_hash = await deps.hasher.hash(cmd.password)
    async with deps.uow() as uow:
        if await uow.users.get_by_email(email) is not None:
            raise EmailAlreadyRegistered(f"{email} is already registered")
        user = User.register(
            id=uuid.uuid4(),
            email=email,
            password_hash=password_hash,
            full_name=cmd.full_name,
            now=deps.clock.now(),
        )
        await uow.users.add(user)
        await uow.commit()
    return details_of(user)


async def create_admin(cmd: CreateAdmin, *, deps: IdentityDeps) -> UserDetails:
    email = EmailAddress.parse(cmd.email)
    check_password_policy(cmd.password, email=email)
    password_hash = await deps.hasher.hash(cmd.password)
    now = deps.clock.now()
    async with deps.uow() as uow:
        user = await uow.users.get_by_email(email)
        if user is None:
            user = User.register(
                id=uuid.uuid4(),
                email=email,
                password_hash=password_hash,
                full_name=cmd.full_name,
                now=now,
                roles=frozenset({Role.ADMIN}),
            )
            await uow.users.add(user)
        else:
            user.grant_role(Role.ADMIN, by=user.id, now=now)
            user.reactivate(by=user.id, now=now)
            user.change_password(new_hash=password_hash, now=now)
            await uow.users.save(user)
        await uow.commit()
    return details_of(user)


async def provision_account(cmd: ProvisionAccount, *, deps: IdentityDeps) -> UserDetails:
    email = EmailAddress.parse(cmd.email)
    async with deps.uow() as uow:
        existing = await uow.users.get_by_email(email)
        if existing is not None:
            return details_of(existing)
    check_password_policy(cmd.password, email=email)
    user = User.register(
        id=uuid.uuid4(),
        email=email,
        password_hash=await deps.hasher.hash(cmd.password),
        full_name=cmd.full_name,
        now=deps.clock.now(),
        roles=cmd.roles,
    )
    async with deps.uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    return details_of(user)


async def update_profile(cmd: UpdateProfile, *, deps: IdentityDeps) -> UserDetails:
    async with deps.uow() as uow:
        user = await _load(uow, cmd.actor.user_id)
        if cmd.expected_version is not None and cmd.expected_version != user.version:
            raise PreconditionFailed(
                f"the profile is at version {user.version}, not {cmd.expected_version}"
            )
        user.update_profile(full_name=cmd.full_name, now=deps.clock.now())
        await uow.users.save(user)
        await uow.commit()
    return details_of(user)


async def change_password(cmd: ChangePassword, *, deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        user = await _load(uow, cmd.actor.user_id)
        # Re-entering the password is a login attempt: throttled like one, so a stolen session
        # cannot be used to guess the password and lock the owner out.
        await deps.throttle.check(email=user.email.value, client_ip=cmd.client_ip)
        matches, _ = await deps.hasher.verify(cmd.current_password, user.password_hash)
        if not matches:
            await deps.throttle.record_failure(email=user.email.value, client_ip=cmd.client_ip)
            raise WrongPassword("the current password is wrong")
        check_password_policy(cmd.new_password, email=user.email)
        now = deps.clock.now()
        user.change_password(new_hash=await deps.hasher.hash(cmd.new_password), now=now)
        await uow.users.save(user)
        # A changed password ends every other login: whoever knew the old one is out.
        await uow.sessions.revoke_all_of(user.id, now=now, except_session=cmd.actor.session_id)
        await uow.commit()


async def grant_role(cmd: GrantRole, *, deps: IdentityDeps) -> UserDetails:
    async with deps.uow() as uow:
        user = await _load(uow, cmd.user_id)
        user.grant_role(cmd.role, by=cmd.actor.user_id, now=deps.clock.now())
        await uow.users.save(user)
        await uow.commit()
    return details_of(user)


async def revoke_role(cmd: RevokeRole, *, deps: IdentityDeps) -> UserDetails:
    async with deps.uow() as uow:
        user = await _load(uow, cmd.user_id)
        user.revoke_role(cmd.role, by=cmd.actor.user_id, now=deps.clock.now())
        await uow.users.save(user)
        await uow.commit()
    return details_of(user)


async def deactivate_user(cmd: DeactivateUser, *, deps: IdentityDeps) -> UserDetails:
    async with deps.uow() as uow:
        user = await _load(uow, cmd.user_id)
        now = deps.clock.now()
        user.deactivate(by=cmd.actor.user_id, now=now)
        await uow.users.save(user)
        await uow.sessions.revoke_all_of(user.id, now=now)
        await uow.commit()
    return details_of(user)


async def reactivate_user(cmd: ReactivateUser, *, deps: IdentityDeps) -> UserDetails:
    async with deps.uow() as uow:
        user = await _load(uow, cmd.user_id)
        user.reactivate(by=cmd.actor.user_id, now=deps.clock.now())
        await uow.users.save(user)
        await uow.commit()
    return details_of(user)


async def _load(uow: IdentityUnitOfWork, user_id: uuid.UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise UserNotFound(f"user {user_id} not found")
    return user
