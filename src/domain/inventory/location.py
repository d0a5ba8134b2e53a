"""The Location aggregate: a place stock is kept (a warehouse, a shop's back room), named by a
short code. A deactivated location takes no new stock or reservations."""

from datetime import datetime
from uuid import UUID

from domain.inventory import events as ev
from domain.inventory.errors import LocationInactive
from domain.inventory.values import check_location_code
from domain.shared.aggregate import AggregateRoot


class Location(AggregateRoot):
    """A stock location."""

    stream_type = "stock-location"

    def __init__(self, code: str, *, name: str, active: bool = True) -> None:
        super().__init__()
        self.code, self.name, self.active = code, name, active

    @classmethod
    def open(cls, code: str, name: str, *, actor_id: UUID | None, now: datetime) -> "Location":
        name = name.strip()
        location = cls(check_location_code(code), name=name or code)
        location._record(
            ev.LocationOpened(occurred_at=now, code=code, name=location.name, actor_id=actor_id)
        )
        return location

    def deactivate(self, *, actor_id: UUID | None, now: datetime) -> None:
        """Once; deactivating again changes nothing."""
        if not self.active:
            return
        self.active = False
        self._record(ev.LocationDeactivated(occurred_at=now, code=self.code, actor_id=actor_id))

    def check_active(self) -> "Location":
        if not self.active:
            raise LocationInactive(f"stock location {self.code} is inactive")
        return self

    @property
    def stream_id(self) -> str:
        return f"stock-location-{self.code}"
