"""What the inventory handlers are given by the composition root."""

from dataclasses import dataclass

from application.inventory.ports import InventoryUnitOfWorkFactory
from application.shared.clock import Clock


@dataclass(frozen=True, kw_only=True)
class InventoryDeps:
    """The unit of work and the clock."""

    uow: InventoryUnitOfWorkFactory
    clock: Clock
