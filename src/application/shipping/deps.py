"""What the shipping handlers are given by the composition root."""

from dataclasses import dataclass

from application.shared.clock import Clock
from application.shipping.ports import ShippingUnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class ShippingDeps:
    """Ports shared by the shipping handlers."""

    uow: ShippingUnitOfWorkFactory
    clock: Clock
