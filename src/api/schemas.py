"""What every context's schemas share: requests refuse unknown fields; responses are read off a
view's attributes (routes return views, the route's `response_model` shapes them); money is a
decimal string."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Serialised as a JSON string so no client parses it into a binary float.
DecimalString = Annotated[Decimal, PlainSerializer(str, return_type=str)]


class RequestModel(BaseModel):
    """A request body: a field the API does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ResponseModel(BaseModel):
    """Built from a view (a dataclass of the application layer) by attribute name."""

    model_config = ConfigDict(from_attributes=True)


class MoneyModel(ResponseModel):
    """An amount of money in responses; immutable, like the domain's Money it mirrors."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    amount: DecimalString = Field(examples=["19.90"])
    currency: str = Field(examples=["EUR"])
