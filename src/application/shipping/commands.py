"""Shipping commands. Changes and deletions carry the `expected_version` read from the ETag:
None (no If-Match) is refused with 428."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from application.shared.bus import Command
from application.shipping.views import ShippingMethodView
from domain.shipping.values import DEFAULT_TAX_CATEGORY, Basis, MethodKind, TariffInput


@dataclass(frozen=True, kw_only=True)
class CreateShippingMethod(Command[ShippingMethodView]):
    code: str
    name: str
    kind: MethodKind
    basis: Basis
    countries: Sequence[str]
    tariffs: Sequence[TariffInput]
    tax_category: str = DEFAULT_TAX_CATEGORY
    max_weight_grams: int | None = None
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class ChangeShippingMethod(Command[ShippingMethodView]):
    """A partial update: fields left None keep their value; `tariffs` replaces them all."""

    method_id: UUID
    expected_version: int | None
    name: str | None = None
    countries: Sequence[str] | None = None
    basis: Basis | None = None
    tariffs: Sequence[TariffInput] | None = None
    tax_category: str | None = None
    max_weight_grams: int | None = None
    clear_max_weight: bool = False
    active: bool | None = None


@dataclass(frozen=True, kw_only=True)
class DeleteShippingMethod(Command[None]):
    method_id: UUID
    expected_version: int | None
