"""What the tax handlers are given by the composition root."""

from dataclasses import dataclass

from application.shared.clock import Clock
from application.taxes.ports import TaxesUnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class TaxesDeps:
    """Ports shared by the tax handlers."""

    uow: TaxesUnitOfWorkFactory
    clock: Clock
