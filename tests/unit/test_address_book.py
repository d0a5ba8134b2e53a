"""The AddressBook aggregate's rules: one default of each kind, a bound on entries, a removed
address is nobody's default, and events that carry no street, name or phone."""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from application.identity.views import describe
from domain.identity import events as ev
from domain.identity.address_book import MAX_ADDRESSES, AddressBook
from domain.identity.errors import AddressBookFull, AddressNotFound, InvalidPostalAddress
from domain.identity.values import AddressKind, PostalAddress

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOME = PostalAddress(
    name="Ada Lovelace",
    line1="12 St James's Square",
    line2=None,
    city="London",
    postal_code="SW1Y 4JH",
    country="GB",
    region="GB-LND",
    phone="+44 20 7946 0000",
)


def book_with(count: int) -> tuple[AddressBook, list[uuid.UUID]]:
    book = AddressBook.open(user_id=uuid.uuid4())
    ids = [uuid.uuid4() for _ in range(count)]
    for n, address_id in enumerate(ids):
        book.add(address_id=address_id, label=f"Place {n}", address=HOME, now=NOW)
    return book, ids


def test_the_first_address_is_the_default_for_shipping_and_billing() -> None:
    book, [first, second] = book_with(2)
    assert book.default_of(AddressKind.SHIPPING) == first
    assert book.default_of(AddressKind.BILLING) == first
    assert book.defaults_of(second) == ()


def test_choosing_a_default_takes_it_from_the_previous_one_of_that_kind_only() -> None:
    book, [first, second] = book_with(2)
    book.choose_default(second, kind=AddressKind.SHIPPING, now=NOW)
    assert book.defaults_of(second) == (AddressKind.SHIPPING,)
    assert book.defaults_of(first) == (AddressKind.BILLING,)
    shipping = [e for e in book.entries if AddressKind.SHIPPING in book.defaults_of(e.id)]
    assert len(shipping) == 1


def test_a_removed_address_is_nobodys_default() -> None:
    book, [first, second] = book_with(2)
    book.collect_events()
    book.remove(first, now=NOW)
    assert book.default_of(AddressKind.SHIPPING) is None
    assert book.default_of(AddressKind.BILLING) is None
    assert [e.id for e in book.entries] == [second]
    assert [type(e) for e in book.collect_events()] == [
        ev.AddressRemoved,
        ev.DefaultAddressChosen,
        ev.DefaultAddressChosen,
    ]


def test_a_book_holds_at_most_fifty_addresses() -> None:
    book, _ = book_with(MAX_ADDRESSES)
    with pytest.raises(AddressBookFull):
        book.add(address_id=uuid.uuid4(), label="One more", address=HOME, now=NOW)
    assert len(book.entries) == MAX_ADDRESSES


def test_a_change_bumps_the_entrys_version_and_an_identical_one_records_nothing() -> None:
    book, [first] = book_with(1)
    book.collect_events()
    book.change(first, label="Place 0", address=HOME, now=NOW)
    assert book.entry(first).version == 1
    assert book.collect_events() == []
    moved = dataclasses.replace(HOME, city="Bath", postal_code="BA1 1AA", region=None)
    book.change(first, label="Old home", address=moved, now=NOW + timedelta(days=1))
    assert (book.entry(first).version, book.entry(first).address.city) == (2, "Bath")
    assert book.entry(first).updated_at == NOW + timedelta(days=1)


def test_an_address_not_in_the_book_is_not_found() -> None:
    book, _ = book_with(1)
    with pytest.raises(AddressNotFound):
        book.remove(uuid.uuid4(), now=NOW)
    with pytest.raises(AddressNotFound):
        book.choose_default(uuid.uuid4(), kind=AddressKind.BILLING, now=NOW)
    with pytest.raises(AddressNotFound):
        book.change(uuid.uuid4(), label="x", address=HOME, now=NOW)


def test_events_name_the_address_and_country_but_never_its_lines_name_or_phone() -> None:
    book, _ = book_with(1)
    recorded = repr(book.collect_events())
    assert "GB" in recorded
    for personal in (HOME.name, HOME.line1, HOME.postal_code, "7946"):
        assert personal not in recorded


@pytest.mark.parametrize(
    "change",
    [
        {"country": "gb"},
        {"country": "GBR"},
        {"region": "FR-75"},
        {"region": "London"},
        {"phone": "call me"},
        {"line1": "  "},
        {"postal_code": "x" * 201},
    ],
)
def test_a_malformed_address_is_refused(change: dict[str, str]) -> None:
    with pytest.raises(InvalidPostalAddress):
        dataclasses.replace(HOME, **change)


def test_a_label_is_required() -> None:
    book = AddressBook.open(user_id=uuid.uuid4())
    with pytest.raises(InvalidPostalAddress):
        book.add(address_id=uuid.uuid4(), label=" ", address=HOME, now=NOW)


def test_the_account_history_names_address_changes_without_the_address() -> None:
    book, _ = book_with(1)
    lines = [describe(e)[1] for e in book.collect_events()]
    assert lines == [
        "address 'Place 0' saved",
        "default shipping address chosen",
        "default billing address chosen",
    ]
