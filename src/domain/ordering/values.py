"""Value objects of ordering: what the catalog offers, what was bought, where it goes, and
where the order stands."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.ordering.errors import InvalidAddress
from domain.shared.money import Money


class OrderStatus(StrEnum):
    """The order's life: placed -> awaiting_payment -> paid -> (partially_shipped ->) shipped
    -> delivered, or one of the endings rejected (no stock), cancelled and refunded."""

    PLACED = "placed"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    PARTIALLY_SHIPPED = "partially_shipped"  # some units left in parcels, others not yet
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


@dataclass(frozen=True, kw_only=True)
class CatalogItem:
    """What the catalog says about a SKU right now, in ordering's terms. A SKU is one variant
    of a product: `name` shows its option values, `price` is its price in its first currency,
    `prices` every currency's; `category_ids` are its category and every one above it."""

    product_id: UUID
    sku: str
    name: str
    price: Money
    active: bool
    variant_id: UUID | None = None
    prices: tuple[Money, ...] = ()
    category_ids: tuple[UUID, ...] = ()
    tax_category: str = "standard"
    weight_grams: int = 0
    options: tuple[tuple[str, str], ...] = ()

    def price_in(self, currency: str) -> Money | None:
        """The price in `currency`, or None when the catalog asks none in it."""
        for price in self.prices or (self.price,):
            if price.currency == currency:
                return price
        return None


@dataclass(frozen=True, kw_only=True)
class OrderLine:
    """One product at the price the catalog asked when the order was placed."""

    product_id: UUID
    sku: str
    name: str
    unit_price: Money
    quantity: int

    @property
    def total(self) -> Money:
        return Money(self.unit_price.amount * self.quantity, self.unit_price.currency)


@dataclass(frozen=True, kw_only=True)
class ShippingAddress:
    """Where the parcel goes. Checked for presence and length; the carrier checks the rest."""

    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2
    region: str | None = None  # ISO 3166-2 (DE-BE), when taxes or the carrier need it
    phone: str | None = None  # for the carrier's delivery notice

    def __post_init__(self) -> None:
        for field in ("name", "line1", "city", "postal_code"):
            value: str = getattr(self, field)
            if not value.strip():
                raise InvalidAddress(f"{field} is required")
            if len(value) > 200:
                raise InvalidAddress(f"{field} is longer than 200 characters")
        if not (len(self.country) == 2 and self.country.isascii() and self.country.isupper()):
            raise InvalidAddress("country is a two-letter ISO 3166 code such as DE or FR")
        if self.region is not None and not self.region.startswith(f"{self.country}-"):
            raise InvalidAddress("region is an ISO 3166-2 code of the country, such as US-CA")


@dataclass(frozen=True, kw_only=True)
class LineUnits:
    """Some units of one line of an order, named by its SKU: what a shipment carries, a return
    asks back or a refund pays for."""

    sku: str
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError("a line's units are at least one")


class Disposition(StrEnum):
    """What happens to a returned unit once it is back."""

    RESTOCK = "restock"  # back on sale at a stock location
    WRITE_OFF = "write_off"  # damaged or unsellable: counted out of stock for good


@dataclass(frozen=True, kw_only=True)
class ReturnedUnits:
    """Units of a line asked back, with the customer's reason."""

    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReceivedUnits:
    """Units of a line that came back, and where they went: restocked at `location` (a stock
    location's code), or written off (`location` None)."""

    sku: str
    quantity: int
    disposition: Disposition
    location: str | None = None


@dataclass(frozen=True, kw_only=True)
class Refund:
    """One refund of an order (ADR 0037): requested first, under its own id (the provider's
    idempotency key is `refund-<id>`), then issued with the provider's reference."""

    refund_id: UUID
    amount: Money
    reason: str
    actor_id: UUID | None = None
    lines: tuple[LineUnits, ...] = ()
    return_id: UUID | None = None
    refund_reference: str | None = None  # None while requested, not yet issued

    @property
    def issued(self) -> bool:
        return self.refund_reference is not None


class ReturnStatus(StrEnum):
    """A return's life: requested -> approved -> received -> refunded, or refused."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    RECEIVED = "received"
    REFUNDED = "refunded"


@dataclass(frozen=True, kw_only=True)
class Shipment:
    """One parcel of an order: the units it carries, how to follow it, where it left from,
    and when it left and arrived (`delivered_at` None while on its way)."""

    id: UUID
    lines: tuple[LineUnits, ...]
    tracking_number: str
    carrier: str | None
    location: str | None
    shipped_at: datetime
    delivered_at: datetime | None = None
