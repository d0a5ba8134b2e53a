"""What the inventory handlers are given by the composition root."""

from dataclasses import dataclass, field

from application.inventory.ports import InventoryUnitOfWorkFactory
from application.shared.clock import Clock
from domain.inventory.allocation import AllocationStrategy, OneLocationFirst


@dataclass(frozen=True, kw_only=True)
class InventoryDeps:
    """The unit of work, the clock, and how reservations are spread over locations."""

    uow: InventoryUnitOfWorkFactory
    clock: Clock
    allocation: AllocationStrategy = field(default_factory=OneLocationFirst)
