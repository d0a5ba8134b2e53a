"""Values of the catalog: a product's status and attributes, and which images it accepts."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.catalog.errors import ImageTooLarge, InvalidProduct, UnsupportedImage
from domain.shared.text import text_fault

Attributes = dict[str, str | int | bool]

MAX_NAME = 200
MAX_ATTRIBUTES = 50
_ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


MAX_OPTIONS = 3
MAX_OPTION_VALUES = 50
DEFAULT_TAX_CATEGORY = "standard"
_OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TAX_CATEGORY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class ProductStatus(StrEnum):
    """draft -> active -> archived; only active products are public."""

    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


@dataclass(frozen=True, kw_only=True)
class ProductOption:
    """A way the product's variants differ (size, colour) and the values it allows, in order."""

    name: str
    values: tuple[str, ...]


def check_options(options: Sequence[tuple[str, Sequence[str]]]) -> tuple[ProductOption, ...]:
    """Options in the order staff gave them: a few, each with a few dozen distinct values."""
    if len(options) > MAX_OPTIONS:
        raise InvalidProduct(f"a product has at most {MAX_OPTIONS} options")
    checked: list[ProductOption] = []
    for name, values in options:
        if not _OPTION_NAME.match(name):
            raise InvalidProduct(f"option name {name!r} must be lower_snake_case, 1-40 chars")
        cleaned = tuple(v.strip() for v in values)
        if not 1 <= len(cleaned) <= MAX_OPTION_VALUES:
            raise InvalidProduct(f"option {name!r} has 1 to {MAX_OPTION_VALUES} values")
        for value in cleaned:
            fault = text_fault(value) or (None if 1 <= len(value) <= 40 else "has 1 to 40 chars")
            if fault:
                raise InvalidProduct(f"option {name!r}: a value {fault}")
        if len(set(cleaned)) != len(cleaned) or any(o.name == name for o in checked):
            raise InvalidProduct(f"option {name!r} is named twice or repeats a value")
        checked.append(ProductOption(name=name, values=cleaned))
    return tuple(checked)


def check_tax_category(code: str) -> str:
    """A tax category's code (the taxes context defines their rates)."""
    if not _TAX_CATEGORY.match(code):
        raise InvalidProduct(f"tax category {code!r} must be lower case, 1-40 chars")
    return code


def check_attributes(attributes: Mapping[str, object]) -> Attributes:
    """Flat `key: value` pairs (text, whole numbers, yes/no), queryable by containment."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidProduct(f"at most {MAX_ATTRIBUTES} attributes")
    checked: Attributes = {}
    for key, value in attributes.items():
        if not _ATTRIBUTE_KEY.match(key):
            raise InvalidProduct(f"attribute name {key!r} must be lower_snake_case, 1-40 chars")
        if isinstance(value, str) and (fault := text_fault(value)):
            raise InvalidProduct(f"attribute {key!r} {fault}")
        if isinstance(value, str) and len(value) <= MAX_NAME:
            checked[key] = value.strip()
        elif isinstance(value, bool | int) and not (isinstance(value, int) and abs(value) > 2**53):
            checked[key] = value
        else:
            raise InvalidProduct(
                f"attribute {key!r} must be text (<= 200), a whole number or yes/no"
            )
    return checked


# JPEG, PNG and WebP, recognised by their bytes, not by name.
_IMAGE_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def sniff(data: bytes) -> str:
    """The content type the bytes really are."""
    for signature, content_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise UnsupportedImage("only JPEG, PNG and WebP images are accepted")


def check_image(data: bytes, *, declared: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise ImageTooLarge(f"images are limited to {max_bytes} bytes")
    actual = sniff(data)
    if declared.split(";")[0].strip().lower() != actual:
        raise UnsupportedImage(f"the file is {actual}, not {declared}")
    return actual
