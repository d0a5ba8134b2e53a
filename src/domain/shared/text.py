"""Text the shop can keep: PostgreSQL refuses U+0000 in text and JSON, and a lone surrogate
(U+D800 to U+DFFF) has no UTF-8 encoding. One rule, so every input refuses the same text."""


def text_fault(value: str) -> str | None:
    """Why `value` cannot be stored, or None when it can."""
    if "\x00" in value:
        return "must not contain the NUL character (U+0000)"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain a lone surrogate (U+D800 to U+DFFF)"
    return None
