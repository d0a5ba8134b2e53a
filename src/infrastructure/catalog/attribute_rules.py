"""The AttributeRules port, by a Pydantic model built at run time from a product type's schema
(`create_model`): one field per attribute definition, typed and bounded by it. Models are built
once per (type id, version) and kept, so a schema change is picked up by its new version."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model

from domain.catalog.attribute_schema import MAX_TEXT, AttributeDefinition, AttributeKind
from domain.catalog.errors import AttributeProblem, InvalidAttributes
from domain.catalog.product_type import ProductType
from domain.catalog.values import Attributes

MODELS_KEPT = 256


class PydanticAttributeRules:
    """Checks attributes with the product type's model: unknown attributes, missing required
    ones, values of the wrong kind, out of bounds or not among the choices are each named."""

    def __init__(self, *, kept: int = MODELS_KEPT) -> None:
        self._models: OrderedDict[tuple[UUID, int], type[BaseModel]] = OrderedDict()
        self._kept = kept
        self.built = 0  # how many models were built: the cache's effect, for tests

    def check(self, product_type: ProductType, attributes: Mapping[str, object]) -> Attributes:
        try:
            model = self.model_for(product_type).model_validate(dict(attributes))
        except ValidationError as exc:
            raise InvalidAttributes([_problem(e) for e in exc.errors()]) from None
        values = model.model_dump(by_alias=True, exclude_none=True)
        return {code: _stored(value) for code, value in values.items()}

    def model_for(self, product_type: ProductType) -> type[BaseModel]:
        """The model of this version of the type's schema, built on first use."""
        key = (product_type.id, product_type.version)
        if key in self._models:
            self._models.move_to_end(key)
            return self._models[key]
        model = build_model(product_type)
        self.built += 1
        self._models[key] = model
        if len(self._models) > self._kept:
            self._models.popitem(last=False)
        return model


def build_model(product_type: ProductType) -> type[BaseModel]:
    """A model with one field per attribute. Fields are named `a0`, `a1`... with the code as
    alias: a code such as `json` or `copy` would otherwise shadow a BaseModel attribute."""
    fields: dict[str, Any] = {}
    for index, definition in enumerate(product_type.attributes):
        value_type = _value_type(definition)
        if definition.required:
            fields[f"a{index}"] = (value_type, Field(alias=definition.code))
        else:
            fields[f"a{index}"] = (value_type | None, Field(None, alias=definition.code))
    model: type[BaseModel] = create_model(
        f"Attributes_{product_type.id.hex}_v{product_type.version}",
        __config__=ConfigDict(extra="forbid", populate_by_name=False),
        **fields,
    )
    return model


def _value_type(definition: AttributeDefinition) -> Any:
    """The Python type of one attribute, strict: no text read as a number, no 1 as yes."""
    match definition.kind:
        case AttributeKind.TEXT:
            return Annotated[
                str,
                StringConstraints(
                    strict=True,
                    strip_whitespace=True,
                    min_length=definition.min_length,
                    max_length=MAX_TEXT if definition.max_length is None else definition.max_length,
                ),
            ]
        case AttributeKind.NUMBER:
            low, high = definition.minimum, definition.maximum
            return Annotated[
                float,
                Field(
                    strict=True,
                    allow_inf_nan=False,
                    ge=None if low is None else float(low),
                    le=None if high is None else float(high),
                ),
            ]
        case AttributeKind.BOOLEAN:
            return Annotated[bool, Field(strict=True)]
        case AttributeKind.CHOICE:
            return Literal[definition.choices]


def _stored(value: Any) -> str | int | float | bool:
    """Whole numbers are kept as integers (`180`, not `180.0`); the unit is in the schema."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    assert isinstance(value, str | int | float | bool)
    return value


def _problem(error: Mapping[str, Any]) -> AttributeProblem:
    location = ".".join(str(part) for part in error.get("loc", ())) or "attributes"
    message = (
        "is not an attribute of this product type"
        if error["type"] == "extra_forbidden"
        else error["msg"]
    )
    return AttributeProblem(field=location, message=message)
