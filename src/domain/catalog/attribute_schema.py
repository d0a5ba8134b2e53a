"""A product type's attribute schema: which attributes its products have, of which kind, within
which bounds; and which changes to a schema products already using it would not survive."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.catalog.errors import InvalidProductType
from domain.shared.text import text_fault

MAX_DEFINITIONS = 50  # a product has at most 50 attributes (values.MAX_ATTRIBUTES)
MAX_CHOICES = 100
MAX_TEXT = 200  # the longest attribute text a product keeps (values.MAX_NAME)
MAX_LABEL = 100
MAX_UNIT = 20
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class AttributeKind(StrEnum):
    """What an attribute's value is: text, a number (in the definition's unit), yes/no, or one
    of a fixed list of choices."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@dataclass(frozen=True, kw_only=True)
class AttributeDefinition:
    """One attribute of a product type. Bounds belong to their kind: `minimum`/`maximum` and
    `unit` to numbers, `min_length`/`max_length` to text, `choices` to choices."""

    code: str
    label: str
    kind: AttributeKind
    required: bool = False
    unit: str | None = None
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise InvalidProductType(f"attribute code {self.code!r} must be lower_snake_case")
        _text(self.label, what=f"the label of {self.code}", longest=MAX_LABEL)
        self._kind_fields()
        if self.kind is AttributeKind.NUMBER:
            _ordered(self.minimum, self.maximum, what=f"{self.code}'s minimum and maximum")
        if self.kind is AttributeKind.TEXT:
            _lengths(self.min_length, self.max_length, code=self.code)
        if self.kind is AttributeKind.CHOICE:
            _choices(self.choices, code=self.code)

    def _kind_fields(self) -> None:
        """A field of another kind is refused rather than ignored: it would say something the
        schema does not check."""
        number, text = self.kind is AttributeKind.NUMBER, self.kind is AttributeKind.TEXT
        stray = [
            name
            for name, given, allowed in (
                ("unit", self.unit is not None, number),
                ("minimum", self.minimum is not None, number),
                ("maximum", self.maximum is not None, number),
                ("min_length", self.min_length is not None, text),
                ("max_length", self.max_length is not None, text),
                ("choices", bool(self.choices), self.kind is AttributeKind.CHOICE),
            )
            if given and not allowed
        ]
        if stray:
            raise InvalidProductType(
                f"{self.code} is a {self.kind} attribute: {', '.join(stray)} do not apply"
            )
        if self.unit is not None:
            _text(self.unit, what=f"the unit of {self.code}", longest=MAX_UNIT)


def check_schema(definitions: Iterable[AttributeDefinition]) -> tuple[AttributeDefinition, ...]:
    """A schema: at most 50 attributes, each code once."""
    schema = tuple(definitions)
    if len(schema) > MAX_DEFINITIONS:
        raise InvalidProductType(f"a product type has at most {MAX_DEFINITIONS} attributes")
    codes = [d.code for d in schema]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise InvalidProductType(f"attribute codes appear twice: {', '.join(twice)}")
    return schema


def breaking_changes(
    old: Sequence[AttributeDefinition], new: Sequence[AttributeDefinition]
) -> list[str]:
    """What in `new` a product valid under `old` could fail: the changes refused while products
    use the type. Labels, new optional attributes, new choices and wider bounds are safe."""
    before, after = {d.code: d for d in old}, {d.code: d for d in new}
    reasons = [f"{code} is removed" for code in before if code not in after]
    reasons += [
        f"{c} is new and required" for c, d in after.items() if c not in before and d.required
    ]
    for code in before.keys() & after.keys():
        reasons += [f"{code}: {why}" for why in _narrowed(before[code], after[code])]
    return sorted(reasons)


def _narrowed(old: AttributeDefinition, new: AttributeDefinition) -> list[str]:
    if old.kind is not new.kind:
        return [f"its kind changes from {old.kind} to {new.kind}"]
    reasons = []
    if new.required and not old.required:
        reasons.append("it becomes required")
    if new.unit != old.unit:
        reasons.append(f"its unit changes from {old.unit} to {new.unit}")
    if dropped := sorted(set(old.choices) - set(new.choices)):
        reasons.append(f"choices are removed: {', '.join(dropped)}")
    if _raised(old.minimum, new.minimum) or _raised(old.min_length, new.min_length):
        reasons.append("its lower bound rises")
    if _raised(new.maximum, old.maximum) or _raised(new.max_length, old.max_length):
        reasons.append("its upper bound falls")
    return reasons


def _raised(low: Decimal | int | None, high: Decimal | int | None) -> bool:
    """Whether the bound `high` excludes values that `low` allowed (None is no bound)."""
    return high is not None and (low is None or high > low)


def _text(value: str, *, what: str, longest: int) -> None:
    if fault := text_fault(value):
        raise InvalidProductType(f"{what} {fault}")
    if not 1 <= len(value.strip()) <= longest:
        raise InvalidProductType(f"{what} has 1 to {longest} characters")


def _ordered(low: Decimal | int | None, high: Decimal | int | None, *, what: str) -> None:
    for bound in (low, high):
        if isinstance(bound, Decimal) and not bound.is_finite():
            raise InvalidProductType(f"{what} must be finite")
    if low is not None and high is not None and low > high:
        raise InvalidProductType(f"{what} are the wrong way round")


def _lengths(low: int | None, high: int | None, *, code: str) -> None:
    if any(b is not None and not 0 <= b <= MAX_TEXT for b in (low, high)):
        raise InvalidProductType(f"{code}'s lengths are between 0 and {MAX_TEXT}")
    _ordered(low, high, what=f"{code}'s min_length and max_length")


def _choices(choices: tuple[str, ...], *, code: str) -> None:
    if not 1 <= len(choices) <= MAX_CHOICES:
        raise InvalidProductType(f"{code} has 1 to {MAX_CHOICES} choices")
    if len(set(choices)) != len(choices):
        raise InvalidProductType(f"{code} lists a choice twice")
    for choice in choices:
        _text(choice, what=f"a choice of {code}", longest=MAX_TEXT)
