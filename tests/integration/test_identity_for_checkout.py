"""What the new checkout reads of identity, on real PostgreSQL: ordering's AddressBook port
served in one statement on ordering's own connection (never another customer's address), and
the caller's principal, a guest's included, in one statement with its email and whether it is
verified."""

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from agora.contexts.identity import AddressBookForOrdering
from domain.identity.address_book import AddressBook
from domain.identity.session import GuestSession
from domain.identity.values import AddressKind, PostalAddress, Role
from domain.ordering.values import ShippingAddress
from infrastructure.db.statements import counting_statements
from infrastructure.identity.readers import SqlUserDirectory
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.users import NOW, a_user, add, session_with_token

HOME = PostalAddress(
    name="Ada Lovelace",
    line1="Unter den Linden 1",
    line2=None,
    city="Berlin",
    postal_code="10117",
    country="DE",
    region="DE-BE",
    phone="+49 30 1234567",
)


async def book_of_one(engine: AsyncEngine) -> tuple[uuid.UUID, uuid.UUID]:
    def new_uow() -> SqlIdentityUnitOfWork:
        return SqlIdentityUnitOfWork(engine, REGISTRY)

    user = a_user(f"{uuid.uuid4().hex[:8]}@example.com")
    await add(new_uow, user)
    book, address_id = AddressBook.open(user_id=user.id), uuid.uuid4()
    book.add(address_id=address_id, label="Home", address=HOME, now=NOW)
    async with new_uow() as uow:
        await uow.address_books.save(book)
        await uow.commit()
    return user.id, address_id


async def test_ordering_reads_a_saved_address_in_one_statement(engine: AsyncEngine) -> None:
    customer, address_id = await book_of_one(engine)
    stranger, _ = await book_of_one(engine)
    async with engine.connect() as conn:
        book = AddressBookForOrdering(conn)
        with counting_statements() as counted:
            found = await book.address(customer_id=customer, address_id=address_id)
        assert counted.statements == 1
        assert await book.address(customer_id=stranger, address_id=address_id) is None
        assert await book.address(customer_id=customer, address_id=uuid.uuid4()) is None
    assert found == ShippingAddress(
        name="Ada Lovelace",
        line1="Unter den Linden 1",
        line2=None,
        city="Berlin",
        postal_code="10117",
        country="DE",
        region="DE-BE",
        phone="+49 30 1234567",
    )


async def test_ordering_reads_a_default_address_in_one_statement(engine: AsyncEngine) -> None:
    customer, _ = await book_of_one(engine)
    async with engine.connect() as conn:
        book = AddressBookForOrdering(conn)
        with counting_statements() as counted:
            shipping = await book.default(customer_id=customer, kind="shipping")
        assert counted.statements == 1
        assert await book.default(customer_id=customer, kind=AddressKind.BILLING) == shipping
        assert await book.default(customer_id=uuid.uuid4(), kind="shipping") is None
    assert shipping is not None
    assert shipping.city == "Berlin"


async def test_a_principal_carries_its_email_and_whether_it_is_verified(
    engine: AsyncEngine,
) -> None:
    def new_uow() -> SqlIdentityUnitOfWork:
        return SqlIdentityUnitOfWork(engine, REGISTRY)

    session = await session_with_token(new_uow, "hash-principal")
    directory = SqlUserDirectory(engine)
    with counting_statements() as counted:
        before = await directory.principal(user_id=session.user_id, session_id=session.id, now=NOW)
    assert counted.statements == 1
    async with new_uow() as uow:
        user = await uow.users.get(session.user_id)
        assert user is not None
        user.verify_email(now=NOW)
        await uow.users.save(user)
        await uow.commit()
    after = await directory.principal(user_id=session.user_id, session_id=session.id, now=NOW)
    assert before is not None
    assert after is not None
    assert (before.email, before.email_verified, before.is_guest) == (
        user.email.value,
        False,
        False,
    )
    assert after.email_verified


async def test_a_guest_principal_is_one_statement_and_ends_with_its_session(
    engine: AsyncEngine,
) -> None:
    guest = GuestSession(
        id=uuid.uuid4(), guest_id=uuid.uuid4(), created_at=NOW, expires_at=NOW + timedelta(hours=1)
    )
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.sessions.start_guest(guest)
        await uow.commit()
    directory = SqlUserDirectory(engine)
    with counting_statements() as counted:
        found = await directory.guest(guest_id=guest.guest_id, session_id=guest.id, now=NOW)
    assert counted.statements == 1
    assert found is not None
    assert (found.user_id, found.roles, found.is_guest, found.email) == (
        guest.guest_id,
        frozenset({Role.GUEST}),
        True,
        None,
    )
    later = NOW + timedelta(hours=1)
    assert await directory.guest(guest_id=guest.guest_id, session_id=guest.id, now=later) is None
    assert await directory.guest(guest_id=uuid.uuid4(), session_id=guest.id, now=NOW) is None
    async with SqlIdentityUnitOfWork(engine, REGISTRY) as uow:
        await uow.sessions.revoke_guest(guest.id, now=NOW)
        await uow.commit()
    assert await directory.guest(guest_id=guest.guest_id, session_id=guest.id, now=NOW) is None
