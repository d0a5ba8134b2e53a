"""The ordering API schemas: mappings round-trip, totals are derived, money is immutable."""

import pytest
from pydantic import ValidationError

from api.ordering.schemas import AddressModel, CartLineInput, OrderResponse
from api.schemas import MoneyModel
from domain.ordering.cart import MAX_QUANTITY
from tests.support.orders import ADDRESS, line, placed


def test_an_order_renders_with_derived_line_totals_as_decimal_strings() -> None:
    order = placed(line("2.50", 3), line("10.00", 1))
    body = OrderResponse.model_validate(order.state).model_dump(mode="json")
    assert [item["line_total"] for item in body["lines"]] == [
        {"amount": "7.50", "currency": "EUR"},
        {"amount": "10.00", "currency": "EUR"},
    ]
    assert body["total"] == {"amount": "17.50", "currency": "EUR"}
    assert body["status"] == "placed"


def test_the_address_schema_maps_to_the_domain_and_back() -> None:
    assert AddressModel.model_validate(ADDRESS).to_domain() == ADDRESS


def test_the_cart_schema_takes_its_limit_from_the_domain() -> None:
    assert CartLineInput(quantity=MAX_QUANTITY).quantity == MAX_QUANTITY
    with pytest.raises(ValidationError):
        CartLineInput(quantity=MAX_QUANTITY + 1)


def test_money_in_responses_is_immutable() -> None:
    price = MoneyModel(amount="1.00", currency="EUR")
    with pytest.raises(ValidationError):
        price.amount = 0  # type: ignore[assignment, misc]
