"""The Promotion aggregate (state-stored, optimistic `version`): active until staff end it or
its window closes. What it gives is its `Terms`; the pipeline decides how promotions stack."""

from datetime import datetime
from uuid import UUID

from domain.promotions import events as ev
from domain.promotions.errors import InvalidPromotion, PromotionEnded
from domain.promotions.values import MAX_NAME, PromotionStatus, Terms
from domain.shared.aggregate import AggregateRoot


class Promotion(AggregateRoot):
    """Something off: automatic for every cart it fits, or only with one of its coupon codes."""

    stream_type = "promotion"

    def __init__(
        self,
        *,
        id: UUID,
        name: str,
        terms: Terms,
        automatic: bool,
        status: PromotionStatus,
        created_at: datetime,
        updated_at: datetime,
        version: int,
    ) -> None:
        super().__init__()
        self.id, self.name, self.terms, self.automatic = id, name, terms, automatic
        self.status, self.created_at, self.updated_at = status, created_at, updated_at
        self.version = version

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def create(
        cls, *, id: UUID, name: str, terms: Terms, automatic: bool, by: UUID, now: datetime
    ) -> "Promotion":
        promotion = cls(
            id=id,
            name=_name(name),
            terms=terms,
            automatic=automatic,
            status=PromotionStatus.ACTIVE,
            created_at=now,
            updated_at=now,
            version=0,
        )
        promotion._record(
            ev.PromotionCreated(
                occurred_at=now,
                promotion_id=id,
                name=promotion.name,
                kind=terms.kind,
                target=terms.target,
                automatic=automatic,
                created_by=by,
            )
        )
        return promotion

    # -- commands -------------------------------------------------------------------------

    def change(self, *, name: str, terms: Terms, automatic: bool, by: UUID, now: datetime) -> None:
        """New terms from now on; orders priced before keep the ones they were priced at."""
        self.ensure_not_ended()
        self.name, self.terms, self.automatic = _name(name), terms, automatic
        self.updated_at = now
        self._record(
            ev.PromotionChanged(
                occurred_at=now, promotion_id=self.id, name=self.name, changed_by=by
            )
        )

    def end(self, *, by: UUID, now: datetime) -> None:
        """Neither it nor its codes apply from now on; ending it again changes nothing."""
        if self.status is PromotionStatus.ENDED:
            return
        self.status, self.updated_at = PromotionStatus.ENDED, now
        self._record(ev.PromotionEnded(occurred_at=now, promotion_id=self.id, ended_by=by))

    # -- queries --------------------------------------------------------------------------

    def live_at(self, now: datetime) -> bool:
        """Applies at `now`: not ended, and within its window."""
        return self.status is PromotionStatus.ACTIVE and self.terms.live_at(now)

    def ensure_not_ended(self) -> None:
        if self.status is PromotionStatus.ENDED:
            raise PromotionEnded(f"promotion {self.id} has ended")

    @property
    def stream_id(self) -> str:
        return f"promotion-{self.id}"


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidPromotion(f"a name has 1 to {MAX_NAME} characters")
    return name
