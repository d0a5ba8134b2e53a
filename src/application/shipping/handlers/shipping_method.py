"""Handlers of shipping methods: create, change, delete."""

import uuid
from uuid import UUID

from application.shared.versions import check_version
from application.shipping import commands as c
from application.shipping.deps import ShippingDeps
from application.shipping.ports import ShippingUnitOfWork
from application.shipping.views import ShippingMethodView
from domain.shipping.errors import ShippingMethodNotFound
from domain.shipping.shipping_method import ShippingMethod


async def create_shipping_method(
    cmd: c.CreateShippingMethod, deps: ShippingDeps
) -> ShippingMethodView:
    method = ShippingMethod.create(
        id=uuid.uuid4(),
        code=cmd.code,
        name=cmd.name,
        kind=cmd.kind,
        basis=cmd.basis,
        countries=cmd.countries,
        tariffs=cmd.tariffs,
        tax_category=cmd.tax_category,
        max_weight_grams=cmd.max_weight_grams,
        active=cmd.active,
        now=deps.clock.now(),
    )
    async with deps.uow() as uow:
        await uow.methods.add(method)
        await uow.commit()
    return ShippingMethodView.of(method)


async def change_shipping_method(
    cmd: c.ChangeShippingMethod, deps: ShippingDeps
) -> ShippingMethodView:
    async with deps.uow() as uow:
        method = await _load(uow, cmd.method_id, expected_version=cmd.expected_version)
        method.change(
            now=deps.clock.now(),
            name=cmd.name,
            countries=cmd.countries,
            basis=cmd.basis,
            tariffs=cmd.tariffs,
            tax_category=cmd.tax_category,
            max_weight_grams=cmd.max_weight_grams,
            clear_max_weight=cmd.clear_max_weight,
            active=cmd.active,
        )
        await uow.methods.save(method)
        await uow.commit()
    return ShippingMethodView.of(method)


async def delete_shipping_method(cmd: c.DeleteShippingMethod, deps: ShippingDeps) -> None:
    async with deps.uow() as uow:
        method = await _load(uow, cmd.method_id, expected_version=cmd.expected_version)
        method.delete(now=deps.clock.now())
        await uow.methods.delete(method)
        await uow.commit()


async def _load(
    uow: ShippingUnitOfWork, method_id: UUID, *, expected_version: int | None
) -> ShippingMethod:
    method = await uow.methods.get(method_id)
    if method is None:
        raise ShippingMethodNotFound(f"shipping method {method_id} not found")
    check_version(expected_version, method.version, what="shipping method")
    return method
