"""Which stock locations an order's units are reserved at: a strategy, swappable in the
composition root (ADR 0040). A strategy only chooses; the stock items check and hold."""

from collections.abc import Mapping, Sequence
from typing import Protocol

# sku -> location -> units available there, for the active locations only.
Availability = Mapping[str, Mapping[str, int]]
# sku -> location -> units to reserve there.
Allocation = dict[str, dict[str, int]]


class AllocationStrategy(Protocol):
    """Spread the lines over locations: as many units of each line as `available` allows (the
    caller refuses, or backorders, what is short)."""

    def allocate(self, lines: Sequence[tuple[str, int]], available: Availability) -> Allocation: ...


def _locations(available: Availability) -> list[str]:
    return sorted({location for by_location in available.values() for location in by_location})


class OneLocationFirst:
    """The default: one location that has every line whole (the one with the most of them
    available, then by code); else split, taking each time the location that covers the most
    of what is left, so the order ships from as few locations as it can."""

    def allocate(self, lines: Sequence[tuple[str, int]], available: Availability) -> Allocation:
        locations = _locations(available)
        stock = {sku: dict(available.get(sku, {})) for sku, _ in lines}
        whole = [loc for loc in locations if all(stock[s].get(loc, 0) >= q for s, q in lines)]
        if whole:
            best = max(
                whole,
                key=lambda loc: (
                    sum(stock[s].get(loc, 0) for s, _ in lines),
                    -locations.index(loc),
                ),
            )
            return {sku: {best: quantity} for sku, quantity in lines}
        left = {sku: quantity for sku, quantity in lines}
        allocation: Allocation = {sku: {} for sku, _ in lines}
        candidates = list(locations)
        while candidates and any(left.values()):

            def cover(loc: str) -> tuple[int, int, int]:
                whole_lines = sum(1 for s, n in left.items() if n and stock[s].get(loc, 0) >= n)
                units = sum(min(n, stock[s].get(loc, 0)) for s, n in left.items())
                return whole_lines, units, -locations.index(loc)

            best = max(candidates, key=cover)
            if cover(best)[1] == 0:
                break
            candidates.remove(best)
            for sku, need in left.items():
                take = min(need, stock[sku].get(best, 0))
                if take:
                    allocation[sku][best] = take
                    left[sku] = need - take
        return allocation


class InCodeOrder:
    """Each line from the locations in the order of their codes, as far as each goes: simple,
    and it keeps one location (say `main`, if it sorts first) as the one drawn down first."""

    def allocate(self, lines: Sequence[tuple[str, int]], available: Availability) -> Allocation:
        allocation: Allocation = {}
        for sku, quantity in lines:
            allocation[sku], need = {}, quantity
            for location, units in sorted(available.get(sku, {}).items()):
                take = min(need, units)
                if take > 0:
                    allocation[sku][location], need = take, need - take
        return allocation


STRATEGIES: dict[str, type[OneLocationFirst] | type[InCodeOrder]] = {
    "one_location_first": OneLocationFirst,
    "in_code_order": InCodeOrder,
}
