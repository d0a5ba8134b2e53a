"""The address book and verification token ports: the in-memory fakes and the PostgreSQL
adapters keep the same promises (a book round trips with its defaults, a stale save is a
conflict, a verification token is spent once, and not after it expires)."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from application.identity.ports import IdentityUnitOfWorkFactory, Spent, TokenOutcome
from application.shared.errors import ConcurrencyConflict
from domain.identity.address_book import AddressBook
from domain.identity.session import VerificationToken
from domain.identity.values import AddressKind, PostalAddress
from infrastructure.identity.unit_of_work import SqlIdentityUnitOfWork
from tests.support.eventlog import REGISTRY
from tests.support.fakes.identity import FakeIdentityUnitOfWork, Store
from tests.support.users import NOW, a_user, add

HOME = PostalAddress(
    name="Ada Lovelace",
    line1="12 St James's Square",
    line2="Second floor",
    city="London",
    postal_code="SW1Y 4JH",
    country="GB",
    region="GB-LND",
    phone="+44 20 7946 0000",
)
WORK = PostalAddress(
    name="Ada", line1="1 Rue de Rivoli", line2=None, city="Paris", postal_code="75001", country="FR"
)


@pytest.fixture(params=["memory", "postgres"])
def new_uow(request: pytest.FixtureRequest) -> IdentityUnitOfWorkFactory:
    if request.param == "memory":
        store = Store()
        return lambda: FakeIdentityUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue("engine")
    return lambda: SqlIdentityUnitOfWork(engine, REGISTRY)


async def stored_book(new_uow: IdentityUnitOfWorkFactory) -> tuple[uuid.UUID, list[uuid.UUID]]:
    user = a_user(f"{uuid.uuid4().hex[:8]}@example.com")
    await add(new_uow, user)
    ids = [uuid.uuid4(), uuid.uuid4()]
    book = AddressBook.open(user_id=user.id)
    book.add(address_id=ids[0], label="Home", address=HOME, now=NOW)
    book.add(address_id=ids[1], label="Work", address=WORK, now=NOW + timedelta(seconds=1))
    book.choose_default(ids[1], kind=AddressKind.BILLING, now=NOW)
    async with new_uow() as uow:
        await uow.address_books.save(book)
        await uow.commit()
    return user.id, ids


async def test_a_book_round_trips_with_its_entries_and_defaults(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    user_id, [home, work] = await stored_book(new_uow)
    async with new_uow() as uow:
        loaded = await uow.address_books.get(user_id)
        assert await uow.address_books.get(uuid.uuid4()) is None
    assert loaded is not None
    assert [(e.id, e.label, e.address) for e in loaded.entries] == [
        (home, "Home", HOME),
        (work, "Work", WORK),
    ]
    assert (loaded.default_of(AddressKind.SHIPPING), loaded.default_of(AddressKind.BILLING)) == (
        home,
        work,
    )
    assert loaded.version == 1


async def test_changes_removals_and_defaults_are_saved(new_uow: IdentityUnitOfWorkFactory) -> None:
    user_id, [home, work] = await stored_book(new_uow)
    async with new_uow() as uow:
        book = await uow.address_books.get(user_id)
        assert book is not None
        book.remove(home, now=NOW)
        book.change(work, label="Office", address=HOME, now=NOW)
        book.choose_default(work, kind=AddressKind.SHIPPING, now=NOW)
        await uow.address_books.save(book)
        await uow.commit()
    async with new_uow() as uow:
        loaded = await uow.address_books.get(user_id)
    assert loaded is not None
    assert [(e.id, e.label, e.address, e.version) for e in loaded.entries] == [
        (work, "Office", HOME, 2)
    ]
    assert loaded.defaults_of(work) == (AddressKind.SHIPPING, AddressKind.BILLING)


async def race(new_uow: IdentityUnitOfWorkFactory, user_id: uuid.UUID) -> list[str]:
    """Two rivals, each in a task of its own (one in the same task would join), each loading
    the book (or opening a new one) before either saves, each adding an address."""
    loaded = [asyncio.Event(), asyncio.Event()]
    first_done = asyncio.Event()

    async def add_one(n: int) -> str:
        async with new_uow() as uow:
            book = await uow.address_books.get(user_id) or AddressBook.open(user_id=user_id)
            loaded[n].set()
            await loaded[1 - n].wait()
            if n == 1:
                await first_done.wait()
            book.add(address_id=uuid.uuid4(), label=f"Rival {n}", address=WORK, now=NOW)
            try:
                await uow.address_books.save(book)
                await uow.commit()
                return "saved"
            except ConcurrencyConflict:
                return "conflict"
            finally:
                first_done.set()

    return list(await asyncio.gather(add_one(0), add_one(1)))


async def test_a_save_from_a_stale_book_is_a_conflict(new_uow: IdentityUnitOfWorkFactory) -> None:
    user_id, _ = await stored_book(new_uow)
    assert await race(new_uow, user_id) == ["saved", "conflict"]
    async with new_uow() as uow:
        book = await uow.address_books.get(user_id)
    assert book is not None
    assert {e.label for e in book.entries} == {"Home", "Work", "Rival 0"}
    assert book.version == 2


async def test_of_two_first_addresses_saved_at_once_one_wins(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user(f"{uuid.uuid4().hex[:8]}@example.com")
    await add(new_uow, user)
    assert await race(new_uow, user.id) == ["saved", "conflict"]


async def spend(
    new_uow: IdentityUnitOfWorkFactory, token_hash: str, after: timedelta = timedelta(0)
) -> Spent | TokenOutcome:
    async with new_uow() as uow:
        outcome = await uow.verifications.spend(token_hash, now=NOW + after)
        await uow.commit()
    return outcome


async def issued_token(new_uow: IdentityUnitOfWorkFactory, token_hash: str) -> VerificationToken:
    user = a_user(f"{uuid.uuid4().hex[:8]}@example.com")
    await add(new_uow, user)
    token = VerificationToken(
        id=uuid.uuid4(),
        user_id=user.id,
        email=user.email.value,
        token_hash=token_hash,
        issued_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )
    async with new_uow() as uow:
        await uow.verifications.issue(token)
        await uow.commit()
    return token


async def test_a_verification_token_is_spent_once(new_uow: IdentityUnitOfWorkFactory) -> None:
    token = await issued_token(new_uow, "digest-once")
    assert await spend(new_uow, "digest-once") == Spent(user_id=token.user_id, email=token.email)
    assert await spend(new_uow, "digest-once") == TokenOutcome.USED
    assert await spend(new_uow, "no-such-digest") == TokenOutcome.UNKNOWN


async def test_a_verification_token_is_refused_from_its_expiry_on(
    new_uow: IdentityUnitOfWorkFactory,
) -> None:
    await issued_token(new_uow, "digest-expiring")
    assert await spend(new_uow, "digest-expiring", timedelta(hours=1)) == TokenOutcome.EXPIRED
    assert isinstance(await spend(new_uow, "digest-expiring", timedelta(minutes=59)), Spent)


async def test_of_concurrent_uses_of_one_token_exactly_one_wins(engine: AsyncEngine) -> None:
    def new_uow() -> SqlIdentityUnitOfWork:
        return SqlIdentityUnitOfWork(engine, REGISTRY)

    await issued_token(new_uow, "digest-raced")
    outcomes = await asyncio.gather(*(spend(new_uow, "digest-raced") for _ in range(5)))
    assert sum(isinstance(o, Spent) for o in outcomes) == 1
    assert outcomes.count(TokenOutcome.USED) == 4
