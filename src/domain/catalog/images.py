"""Which images the shop accepts: JPEG, PNG and WebP, recognised by their bytes, not by name."""

from domain.catalog.errors import InvalidProduct

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class UnsupportedImage(InvalidProduct):
    """Not a JPEG, PNG or WebP image, whatever its name or declared type says."""


class ImageTooLarge(InvalidProduct):
    """Bigger than the configured limit."""


def sniff(data: bytes) -> str:
    """The content type the bytes really are."""
    for signature, content_type in _SIGNATURES:
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
