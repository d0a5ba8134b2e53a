"""What every context's response schemas share: a base that reads a view's attributes (routes
return views; the route's `response_model` shapes them), and money as a decimal string."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Serialised as a JSON string so no client parses it into a binary float.
DecimalString = Annotated[Decimal, PlainSerializer(str, return_type=str)]


class ResponseModel(BaseModel):
    """Built from a view (a dataclass of the application layer) by attribute name."""

    model_config = ConfigDict(from_attributes=True)


class MoneyModel(ResponseModel):
    """An amount of money in responses; immutable, like the domain's Money it mirrors."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    amount: DecimalString = Field(examples=["19.90"])
    currency: str = Field(examples=["EUR"])
