"""Handlers of address books. Each loads the caller's own book (a new one for the first
address), changes it through its methods and saves it; another customer's address is simply
not in it, so it is not found."""

import uuid
from collections.abc import Callable
from datetime import datetime

from application.identity import commands as c
from application.identity.deps import IdentityDeps
from application.identity.views import AddressView
from application.shared.versions import check_version
from domain.identity.address_book import AddressBook
from domain.identity.errors import AddressNotFound


async def add_address(cmd: c.AddAddress, deps: IdentityDeps) -> AddressView:
    address_id = uuid.uuid4()

    def add(book: AddressBook, now: datetime) -> None:
        book.add(address_id=address_id, label=cmd.label, address=cmd.address, now=now)

    book = await _change_book(cmd.actor.user_id, add, deps=deps, may_open=True)
    return AddressView.of(book, book.entry(address_id))


async def change_address(cmd: c.ChangeAddress, deps: IdentityDeps) -> AddressView:
    if cmd.expected_version is None:  # refused before anything is read
        check_version(cmd.expected_version, 0, what="address")

    def change(book: AddressBook, now: datetime) -> None:
        check_version(cmd.expected_version, book.entry(cmd.address_id).version, what="address")
        book.change(cmd.address_id, label=cmd.label, address=cmd.address, now=now)

    book = await _change_book(cmd.actor.user_id, change, deps=deps)
    return AddressView.of(book, book.entry(cmd.address_id))


async def remove_address(cmd: c.RemoveAddress, deps: IdentityDeps) -> None:
    def remove(book: AddressBook, now: datetime) -> None:
        book.remove(cmd.address_id, now=now)

    await _change_book(cmd.actor.user_id, remove, deps=deps)


async def choose_default_address(cmd: c.ChooseDefaultAddress, deps: IdentityDeps) -> AddressView:
    def choose(book: AddressBook, now: datetime) -> None:
        book.choose_default(cmd.address_id, kind=cmd.kind, now=now)

    book = await _change_book(cmd.actor.user_id, choose, deps=deps)
    return AddressView.of(book, book.entry(cmd.address_id))


async def _change_book(
    user_id: uuid.UUID,
    change: Callable[[AddressBook, datetime], None],
    *,
    deps: IdentityDeps,
    may_open: bool = False,
) -> AddressBook:
    async with deps.uow() as uow:
        book = await uow.address_books.get(user_id)
        if book is None:
            if not may_open:
                raise AddressNotFound("the address book is empty")
            book = AddressBook.open(user_id=user_id)
        change(book, deps.clock.now())
        await uow.address_books.save(book)
        await uow.commit()
    return book
