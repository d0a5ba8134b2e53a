"""Sharing an amount out at the minor unit so that the shares add up exactly (ADR 0029)."""

from collections.abc import Sequence
from decimal import Decimal

from domain.shared.money import quantum


def allocate(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """`amount` split in proportion to `weights` by the largest-remainder method: each share is
    first rounded down to the minor unit, then the units left over go one each to the shares
    that lost the most, ties to the earlier weight. The shares sum to `amount` exactly, and none
    exceeds its weight when `amount` does not exceed the weights' sum."""
    unit = quantum(currency)
    units = int(amount / unit)
    sizes = [int(weight / unit) for weight in weights]
    whole = sum(sizes)
    if whole == 0:
        return [Decimal(0) * unit for _ in weights]
    floors = [units * size // whole for size in sizes]
    remainders = [units * size % whole for size in sizes]
    left_over = units - sum(floors)
    by_remainder = sorted(range(len(sizes)), key=lambda index: (-remainders[index], index))
    for index in by_remainder[:left_over]:
        floors[index] += 1
    return [share * unit for share in floors]
