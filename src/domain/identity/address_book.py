"""The AddressBook aggregate (state-stored): one per customer, holding their saved addresses and
which one is the default for shipping and for billing. The book, not each address, is the
aggregate because its rules span entries: at most one default of each kind, at most
MAX_ADDRESSES entries, a removed address is nobody's default."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.identity import events as ev
from domain.identity.errors import AddressBookFull, AddressNotFound
from domain.identity.values import AddressKind, PostalAddress, check_label
from domain.shared.aggregate import AggregateRoot

# Enough for home, work, family and friends; a bound keeps one book's load and save small.
MAX_ADDRESSES = 50


@dataclass(frozen=True, kw_only=True)
class SavedAddress:
    """One entry of the book. `version` is the entry's own, for its ETag."""

    id: UUID
    label: str
    address: PostalAddress
    version: int
    created_at: datetime
    updated_at: datetime


class AddressBook(AggregateRoot):
    """A customer's addresses. `version` is the book's, guarding every change against a
    concurrent one (two adds at the 50th place cannot both win)."""

    stream_type = "address-book"

    def __init__(
        self,
        *,
        user_id: UUID,
        entries: Iterable[SavedAddress] = (),
        defaults: dict[AddressKind, UUID] | None = None,
        version: int = 0,
    ) -> None:
        super().__init__()
        self.user_id = user_id
        self._entries = {entry.id: entry for entry in entries}
        self._defaults = dict(defaults or {})
        self.version = version

    @classmethod
    def open(cls, *, user_id: UUID) -> "AddressBook":
        """An empty book; it is stored with its first address."""
        return cls(user_id=user_id)

    def add(self, *, address_id: UUID, label: str, address: PostalAddress, now: datetime) -> None:
        """Save an address; the first one becomes the default for shipping and billing."""
        if len(self._entries) >= MAX_ADDRESSES:
            raise AddressBookFull(f"an address book holds at most {MAX_ADDRESSES} addresses")
        entry = SavedAddress(
            id=address_id,
            label=check_label(label),
            address=address,
            version=1,
            created_at=now,
            updated_at=now,
        )
        self._entries[address_id] = entry
        self._record(
            ev.AddressAdded(
                occurred_at=now,
                user_id=self.user_id,
                address_id=address_id,
                label=entry.label,
                country=address.country,
            )
        )
        for kind in AddressKind:
            if kind not in self._defaults:
                self.choose_default(address_id, kind=kind, now=now)

    def change(
        self, address_id: UUID, *, label: str, address: PostalAddress, now: datetime
    ) -> None:
        """Replace the entry's label and address; its defaults stay."""
        entry = self.entry(address_id)
        changed = replace(
            entry, label=check_label(label), address=address, version=entry.version + 1
        )
        if (changed.label, changed.address) == (entry.label, entry.address):
            return
        self._entries[address_id] = replace(changed, updated_at=now)
        self._record(
            ev.AddressChanged(
                occurred_at=now,
                user_id=self.user_id,
                address_id=address_id,
                label=changed.label,
                country=address.country,
            )
        )

    def remove(self, address_id: UUID, *, now: datetime) -> None:
        """Delete the entry; a default it was falls to no address (the customer picks anew)."""
        self.entry(address_id)
        del self._entries[address_id]
        self._record(
            ev.AddressRemoved(occurred_at=now, user_id=self.user_id, address_id=address_id)
        )
        for kind in [k for k, chosen in self._defaults.items() if chosen == address_id]:
            del self._defaults[kind]
            self._record(
                ev.DefaultAddressChosen(
                    occurred_at=now, user_id=self.user_id, kind=kind, address_id=None
                )
            )

    def choose_default(self, address_id: UUID, *, kind: AddressKind, now: datetime) -> None:
        """Make the entry the one default of `kind`; the previous one stops being it."""
        self.entry(address_id)
        if self._defaults.get(kind) == address_id:
            return
        self._defaults[kind] = address_id
        self._record(
            ev.DefaultAddressChosen(
                occurred_at=now, user_id=self.user_id, kind=kind, address_id=address_id
            )
        )

    def entry(self, address_id: UUID) -> SavedAddress:
        found = self._entries.get(address_id)
        if found is None:
            raise AddressNotFound(f"address {address_id} not found")
        return found

    @property
    def entries(self) -> tuple[SavedAddress, ...]:
        """Oldest first, as the customer added them."""
        return tuple(sorted(self._entries.values(), key=lambda e: (e.created_at, e.id)))

    def default_of(self, kind: AddressKind) -> UUID | None:
        return self._defaults.get(kind)

    def defaults_of(self, address_id: UUID) -> tuple[AddressKind, ...]:
        return tuple(kind for kind in AddressKind if self._defaults.get(kind) == address_id)

    @property
    def stream_id(self) -> str:
        return f"address-book-{self.user_id}"
