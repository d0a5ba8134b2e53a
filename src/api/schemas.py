"""What every context's schemas share: requests refuse unknown fields; every text a client sends
is a SafeStr and every instant an Instant; responses are read off a view's attributes (routes
return views, the route's `response_model` shapes them); money is a decimal string."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from application.shared.pagination import utc_instant
from domain.shared.text import text_fault

T = TypeVar("T")

# Serialised as a JSON string so no client parses it into a binary float.
DecimalString = Annotated[Decimal, PlainSerializer(str, return_type=str)]


def storable(value: T) -> T:
    """The validator of SafeStr (and of unions holding text): `value` unchanged, or ValueError
    saying why the text cannot be kept."""
    fault = text_fault(value) if isinstance(value, str) else None
    if fault is not None:
        raise ValueError(fault)
    return value


SafeStr = Annotated[str, AfterValidator(storable)]
"""Text from a client, in a body, query, header, path or form field: NUL and lone surrogates
are a 422 naming the field (the database could not store them). Add the field's own length
limit with `Field`/`Query`/`Header`/`Form(max_length=...)`."""

Instant = Annotated[datetime, AfterValidator(utc_instant)]
"""A point in time from a client, in UTC (naive is read as UTC): a date that leaves the
calendar once its offset is applied (`0001-01-01T00:00:00+14:00`) is a 422 naming the field."""


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
