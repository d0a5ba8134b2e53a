"""Inventory's rules that hold before any I/O: SKUs, quantities, adjustments, availability."""

import pytest

from domain.inventory.errors import InvalidQuantity, ReasonRequired
from domain.inventory.values import MAX_QUANTITY, StockLevel, check_adjustment, check_quantity
from domain.shared.sku import InvalidSku, Sku


@pytest.mark.parametrize(("raw", "sku"), [(" mug-blue-350 ", "MUG-BLUE-350"), ("A1B", "A1B")])
def test_skus_are_trimmed_and_upper_cased(raw: str, sku: str) -> None:
    assert Sku.parse(raw).value == sku


@pytest.mark.parametrize("raw", ["", "AB", "-ABC", "MUG BLUE", "MUG_BLUE", "X" * 33, "MÜG-1"])
def test_malformed_skus_are_refused(raw: str) -> None:
    with pytest.raises(InvalidSku):
        Sku.parse(raw)


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1])
def test_quantities_are_positive_and_bounded(quantity: int) -> None:
    with pytest.raises(InvalidQuantity):
        check_quantity(quantity)
    assert check_quantity(MAX_QUANTITY) == MAX_QUANTITY


def test_an_adjustment_moves_something_and_says_why() -> None:
    assert check_adjustment(-2, "  broken in transit ") == "broken in transit"
    with pytest.raises(InvalidQuantity):
        check_adjustment(0, "nothing")
    with pytest.raises(ReasonRequired):
        check_adjustment(1, " ok ")


def test_available_is_on_hand_minus_reserved() -> None:
    assert StockLevel("MUG-1", on_hand=10, reserved=4).available == 6
