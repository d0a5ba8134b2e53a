"""What the shop accepts as a password: long enough, not trivially guessable (NIST SP 800-63B)."""

from domain.identity.email import EmailAddress
from domain.identity.errors import WeakPassword

MIN_LENGTH = 12
# Argon2 hashes any length, but an unbounded input is a cheap denial-of-service lever.
MAX_LENGTH = 128
_COMMON = frozenset(
    {
        "password1234",
        "passwordpassword",
        "123456789012",
        "qwertyuiopas",
        "iloveyou1234",
        "letmein12345",
        "administrator",
        "welcome12345",
    }
)


def check_password_policy(password: str, *, email: EmailAddress) -> None:
    """Raise WeakPassword listing every rule the password breaks."""
    reasons: list[str] = []
    if len(password) < MIN_LENGTH:
        reasons.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        reasons.append(f"must be at most {MAX_LENGTH} characters")
    if len(set(password)) < 4:
        reasons.append("must use at least 4 different characters")
    if password.lower() in _COMMON:
        reasons.append("is too common")
    local_part = email.value.split("@", 1)[0]
    if len(local_part) >= 4 and local_part in password.lower():
        reasons.append("must not contain the email's name")
    if reasons:
        raise WeakPassword(reasons)
