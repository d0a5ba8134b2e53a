"""What shipping queries and commands return: a method as staff manage it, and a method as a
destination is offered it (one currency's tariff)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from application.shared.views import view_of
from domain.shipping.shipping_method import ShippingMethod
from domain.shipping.values import Tariff


@dataclass(frozen=True, kw_only=True)
class BandView:
    """From `from_value` on (grams or an amount), shipping costs `price`."""

    from_value: Decimal
    price: Decimal


@dataclass(frozen=True, kw_only=True)
class TariffView:
    """A method's prices in one currency."""

    currency: str
    bands: tuple[BandView, ...]
    free_above: Decimal | None

    @classmethod
    def of(cls, tariff: Tariff) -> "TariffView":
        return cls(
            currency=tariff.currency,
            bands=tuple(
                BandView(from_value=b.from_value, price=b.price.amount) for b in tariff.bands
            ),
            free_above=None if tariff.free_above is None else tariff.free_above.amount,
        )


@dataclass(frozen=True, kw_only=True)
class ShippingMethodView:
    """A shipping method in full; `version` is its ETag."""

    id: UUID
    code: str
    name: str
    kind: str
    basis: str
    countries: tuple[str, ...]
    tariffs: tuple[TariffView, ...]
    tax_category: str
    max_weight_grams: int | None
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, method: ShippingMethod) -> "ShippingMethodView":
        return view_of(
            cls,
            method,
            kind=method.kind.value,
            basis=method.basis.value,
            countries=tuple(sorted(method.countries)),
            tariffs=tuple(TariffView.of(t) for t in method.tariffs.values()),
        )


@dataclass(frozen=True, kw_only=True)
class OfferedMethod:
    """An active method serving a country, with its tariff in the asked currency."""

    id: UUID
    code: str
    name: str
    kind: str
    basis: str
    currency: str
    bands: tuple[BandView, ...]
    free_above: Decimal | None
    tax_category: str
    max_weight_grams: int | None
