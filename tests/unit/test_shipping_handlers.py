"""The shipping handlers over in-memory fakes: a method is created with its tariffs, changed
from the version it was read at (428 without, 412 when stale), deleted, each on the log."""

from decimal import Decimal

import pytest

from application.shared.errors import PreconditionFailed, PreconditionRequired
from application.shipping import commands as c
from application.shipping.handlers import shipping_method
from domain.shipping.errors import ShippingMethodNotFound
from domain.shipping.events import (
    ShippingMethodChanged,
    ShippingMethodCreated,
    ShippingMethodDeleted,
)
from domain.shipping.values import Basis, MethodKind, TariffInput
from tests.support.fakes.shipping import shipping_deps

PICKUP = c.CreateShippingMethod(
    code="pickup",
    name="Pick up in the shop",
    kind=MethodKind.PICKUP,
    basis=Basis.ORDER_VALUE,
    countries=("DE",),
    tariffs=(TariffInput(currency="EUR", bands=((Decimal(0), Decimal(0)),)),),
)


async def test_a_method_changes_from_the_version_it_was_read_at() -> None:
    deps, store = shipping_deps()
    created = await shipping_method.create_shipping_method(PICKUP, deps)

    def change(version: int | None) -> c.ChangeShippingMethod:
        return c.ChangeShippingMethod(
            method_id=created.id, expected_version=version, countries=("DE", "AT")
        )

    with pytest.raises(PreconditionRequired):
        await shipping_method.change_shipping_method(change(None), deps)
    changed = await shipping_method.change_shipping_method(change(0), deps)
    with pytest.raises(PreconditionFailed):
        await shipping_method.change_shipping_method(change(0), deps)
    await shipping_method.delete_shipping_method(
        c.DeleteShippingMethod(method_id=created.id, expected_version=1), deps
    )
    with pytest.raises(ShippingMethodNotFound):
        await shipping_method.change_shipping_method(change(2), deps)

    assert (created.tax_category, created.tariffs[0].bands[0].price) == ("standard", Decimal(0))
    assert (changed.countries, changed.version) == (("AT", "DE"), 1)
    assert [type(e) for e in store.events()] == [
        ShippingMethodCreated,
        ShippingMethodChanged,
        ShippingMethodDeleted,
    ]
