"""The location repository: stock locations on the unit of work's connection."""

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.inventory.errors import LocationExists
from domain.inventory.location import Location
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.inventory.tables import stock_locations

loc = stock_locations.c


class SqlLocationRepository:
    """The LocationRepository port."""

    def __init__(self, conn: AsyncConnection, seen: SeenAggregates) -> None:
        self._conn = conn
        self._seen = seen

    async def get(self, code: str) -> Location | None:
        row = (await self._conn.execute(select(stock_locations).where(loc.code == code))).first()
        if row is None:
            return None
        return self._seen.add(Location(row.code, name=row.name, active=row.active))

    async def active(self) -> list[str]:
        rows = await self._conn.execute(
            select(loc.code).where(loc.active.is_(True)).order_by(loc.code)
        )
        return list(rows.scalars())

    async def add(self, location: Location) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(stock_locations).values(
                        code=location.code,
                        name=location.name,
                        active=location.active,
                        created_at=location.pending_events[0].occurred_at,
                    )
                )
        except IntegrityError:
            raise LocationExists(f"stock location {location.code} exists already") from None
        self._seen.add(location)

    async def save(self, location: Location) -> None:
        await self._conn.execute(
            update(stock_locations)
            .where(loc.code == location.code)
            .values(name=location.name, active=location.active)
        )
