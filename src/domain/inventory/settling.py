"""Which held reservations a shipment's units come out of: the lines' units from the order's
reservations at the shipment's location (None: at whichever locations hold them), by
location code. Both the check ordering makes before it ships and the commit that follows the
shipment use this one rule."""

from collections.abc import Sequence

from domain.inventory.stock import Reservation


def shipment_plan(
    held: Sequence[Reservation], lines: Sequence[tuple[str, int]], location: str | None
) -> tuple[list[tuple[Reservation, int]], dict[str, int]]:
    """(reservation, units) to commit, and the units of each SKU no held reservation covers."""
    plan: list[tuple[Reservation, int]] = []
    short: dict[str, int] = {}
    taken: dict[object, int] = {}
    wanted: dict[str, int] = {}
    for sku, quantity in lines:
        wanted[sku] = wanted.get(sku, 0) + quantity
    for sku, quantity in sorted(wanted.items()):
        need = quantity
        for reservation in sorted(held, key=lambda r: (r.location, str(r.id))):
            if reservation.sku != sku or need == 0:
                continue
            if location is not None and reservation.location != location:
                continue
            free = reservation.on_hand - taken.get(reservation.id, 0)
            take = min(need, free)
            if take > 0:
                plan.append((reservation, take))
                taken[reservation.id] = taken.get(reservation.id, 0) + take
                need -= take
        if need:
            short[sku] = short.get(sku, 0) + need
    return plan, short


def why_not(short: dict[str, int], location: str | None) -> str | None:
    """The reason shown to staff when a shipment's units are not held where it leaves from."""
    if not short:
        return None
    where = f"at {location}" if location is not None else "for the order"
    missing = ", ".join(f"{units} of {sku}" for sku, units in sorted(short.items()))
    return f"not reserved {where}: {missing}"
