"""The ShippingMethod aggregate (state-stored, optimistic `version`): a way to ship, the
countries it serves, and a tariff per currency. Countries are kept on the method rather than in
shared named zones: a shop has a handful of methods, and a zone shared by several would turn
editing one method into changing others (ADR 0032)."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from domain.shared.aggregate import AggregateRoot
from domain.shipping.errors import InvalidRateBands
from domain.shipping.events import (
    ShippingMethodChanged,
    ShippingMethodCreated,
    ShippingMethodDeleted,
)
from domain.shipping.values import (
    Basis,
    MethodKind,
    Tariff,
    TariffInput,
    countries_of,
    max_weight,
    method_code,
    method_name,
    tax_category_code,
)


class ShippingMethod(AggregateRoot):
    """Offered to a cart shipping to one of `countries` in a currency it has a tariff in,
    while `active`."""

    stream_type = "shipping_method"

    def __init__(
        self,
        *,
        id: UUID,
        code: str,
        name: str,
        kind: MethodKind,
        basis: Basis,
        countries: frozenset[str],
        tariffs: dict[str, Tariff],
        tax_category: str,
        max_weight_grams: int | None,
        active: bool,
        created_at: datetime,
        updated_at: datetime,
        version: int,
    ) -> None:
        super().__init__()
        self.id, self.code, self.name, self.kind, self.basis = id, code, name, kind, basis
        self.countries, self.tariffs, self.tax_category = countries, tariffs, tax_category
        self.max_weight_grams, self.active = max_weight_grams, active
        self.created_at, self.updated_at, self.version = created_at, updated_at, version

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        code: str,
        name: str,
        kind: MethodKind,
        basis: Basis,
        countries: Iterable[str],
        tariffs: Sequence[TariffInput],
        tax_category: str,
        max_weight_grams: int | None,
        active: bool,
        now: datetime,
    ) -> "ShippingMethod":
        method = cls(
            id=id,
            code=method_code(code),
            name=method_name(name),
            kind=kind,
            basis=basis,
            countries=countries_of(countries),
            tariffs=tariffs_of(tariffs, basis=basis),
            tax_category=tax_category_code(tax_category),
            max_weight_grams=max_weight(max_weight_grams),
            active=active,
            created_at=now,
            updated_at=now,
            version=0,
        )
        method._record(
            ShippingMethodCreated(
                occurred_at=now,
                method_id=id,
                code=method.code,
                name=method.name,
                kind=kind.value,
                basis=basis.value,
                countries=tuple(sorted(method.countries)),
                currencies=tuple(method.tariffs),
                active=active,
            )
        )
        return method

    # -- commands -------------------------------------------------------------------------

    def change(
        self,
        *,
        now: datetime,
        name: str | None = None,
        countries: Iterable[str] | None = None,
        basis: Basis | None = None,
        tariffs: Sequence[TariffInput] | None = None,
        tax_category: str | None = None,
        max_weight_grams: int | None = None,
        clear_max_weight: bool = False,
        active: bool | None = None,
    ) -> None:
        """A partial update; a new basis comes with the tariffs measured on it."""
        if basis is not None and basis is not self.basis and tariffs is None:
            raise InvalidRateBands("a new basis needs its tariffs")
        new_basis = self.basis if basis is None else basis
        if name is not None:
            self.name = method_name(name)
        if countries is not None:
            self.countries = countries_of(countries)
        if tariffs is not None:
            self.basis, self.tariffs = new_basis, tariffs_of(tariffs, basis=new_basis)
        if tax_category is not None:
            self.tax_category = tax_category_code(tax_category)
        if clear_max_weight or max_weight_grams is not None:
            self.max_weight_grams = None if clear_max_weight else max_weight(max_weight_grams)
        if active is not None:
            self.active = active
        self.updated_at = now
        self._record(
            ShippingMethodChanged(
                occurred_at=now,
                method_id=self.id,
                name=self.name,
                countries=tuple(sorted(self.countries)),
                currencies=tuple(self.tariffs),
                active=self.active,
            )
        )

    def delete(self, *, now: datetime) -> None:
        self._record(ShippingMethodDeleted(occurred_at=now, method_id=self.id))

    # -- queries --------------------------------------------------------------------------

    @property
    def stream_id(self) -> str:
        return f"shipping_method-{self.id}"


def tariffs_of(tariffs: Sequence[TariffInput], *, basis: Basis) -> dict[str, Tariff]:
    """One tariff per currency, at least one, each checked against the basis; by currency."""
    checked = [
        Tariff.of(currency=t.currency, bands=t.bands, free_above=t.free_above, basis=basis)
        for t in tariffs
    ]
    currencies = [t.currency for t in checked]
    if not checked:
        raise InvalidRateBands("a method has a tariff in at least one currency")
    if len(set(currencies)) != len(currencies):
        raise InvalidRateBands("one tariff per currency")
    return {t.currency: t for t in sorted(checked, key=lambda t: t.currency)}
