"""The address book's repository on the unit of work's connection, and its data mapping: one
`address_books` row (version and defaults) and one `addresses` row per entry. A save writes
only the entries that changed since the load."""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.errors import ConcurrencyConflict
from domain.identity.address_book import AddressBook, SavedAddress
from domain.identity.values import AddressKind, PostalAddress
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.identity.tables import address_books, addresses

_DEFAULT_COLUMNS = {
    AddressKind.SHIPPING: "default_shipping_id",
    AddressKind.BILLING: "default_billing_id",
}
_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postal_code", "region", "country", "phone")


class SqlAddressBookRepository:
    """Address books with optimistic concurrency on the book's `version`."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen
        self._loaded: dict[UUID, dict[UUID, SavedAddress]] = {}

    async def get(self, user_id: UUID) -> AddressBook | None:
        # Two selects, not a join: an empty book has a row and no entries.
        book = (
            await self._conn.execute(
                select(address_books).where(address_books.c.user_id == user_id)
            )
        ).first()
        if book is None:
            return None
        rows = await self._conn.execute(select(addresses).where(addresses.c.user_id == user_id))
        entries = [entry_from_row(r._mapping) for r in rows]
        self._loaded[user_id] = {e.id: e for e in entries}
        defaults = {
            kind: book._mapping[column]
            for kind, column in _DEFAULT_COLUMNS.items()
            if book._mapping[column] is not None
        }
        loaded = AddressBook(
            user_id=user_id, entries=entries, defaults=defaults, version=book.version
        )
        return self._seen.add(loaded)

    async def save(self, book: AddressBook) -> None:
        await self._save_book_row(book)
        before = self._loaded.get(book.user_id, {})
        now_held = {e.id: e for e in book.entries}
        gone = [entry_id for entry_id in before if entry_id not in now_held]
        if gone:
            await self._conn.execute(delete(addresses).where(addresses.c.id.in_(gone)))
        changed = [entry for entry in now_held.values() if before.get(entry.id) != entry]
        if changed:
            upsert = insert(addresses).values([entry_to_row(book.user_id, e) for e in changed])
            replaced = ("label", *_ADDRESS_FIELDS, "version", "updated_at")
            await self._conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[addresses.c.id],
                    set_={column: upsert.excluded[column] for column in replaced},
                    # Never another customer's row, were two random ids ever to collide.
                    where=addresses.c.user_id == book.user_id,
                )
            )
        self._loaded[book.user_id] = now_held
        self._seen.add(book)

    async def _save_book_row(self, book: AddressBook) -> None:
        values = {column: book.default_of(kind) for kind, column in _DEFAULT_COLUMNS.items()}
        if book.user_id not in self._loaded:
            inserted = await self._conn.execute(
                insert(address_books)
                .values(user_id=book.user_id, version=1, **values)
                .on_conflict_do_nothing()
            )
            if inserted.rowcount != 1:
                raise ConcurrencyConflict("the address book was created concurrently; try again")
        else:
            result = await self._conn.execute(
                update(address_books)
                .where(
                    address_books.c.user_id == book.user_id,
                    address_books.c.version == book.version,
                )
                .values(**values, version=book.version + 1)
            )
            if result.rowcount != 1:
                raise ConcurrencyConflict("the address book was changed concurrently; try again")
        book.version += 1


def entry_to_row(user_id: UUID, entry: SavedAddress) -> dict[str, Any]:
    return {
        "id": entry.id,
        "user_id": user_id,
        "label": entry.label,
        **{field: getattr(entry.address, field) for field in _ADDRESS_FIELDS},
        "version": entry.version,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


def address_from_row(row: Mapping[Any, Any]) -> PostalAddress:
    return PostalAddress(**{field: row[field] for field in _ADDRESS_FIELDS})


def entry_from_row(row: Mapping[Any, Any]) -> SavedAddress:
    return SavedAddress(
        id=row["id"],
        label=row["label"],
        address=address_from_row(row),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
