"""What the promotions handlers are given by the composition root."""

from dataclasses import dataclass

from application.promotions.ports import PromotionsUnitOfWorkFactory
from application.shared.clock import Clock


@dataclass(frozen=True, kw_only=True)
class PromotionsDeps:
    """The unit of work and the clock."""

    uow: PromotionsUnitOfWorkFactory
    clock: Clock
