"""Settings for tests: real services, a fixed secret, and login limits loose unless a test
tightens them."""

from typing import Any

from agora.settings import (
    AppSettings,
    AuthSettings,
    DatabaseSettings,
    HttpSettings,
    MailSettings,
    RedisSettings,
    Settings,
)

TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


def settings_for(*, database_url: str, redis_url: str, redis_prefix: str, **auth: Any) -> Settings:
    auth_fields: dict[str, Any] = {
        "jwt_secret": TEST_JWT_SECRET,
        "login_limit_per_ip": "1000/minute",
        "login_limit_per_account": "1000/minute",
        "registration_limit_per_ip": "1000/minute",
    } | auth
    return Settings(
        app=AppSettings(env="test"),
        database=DatabaseSettings(url=database_url, pool_size=5),
        redis=RedisSettings(url=redis_url, key_prefix=redis_prefix),
        auth=AuthSettings(**auth_fields),
        http=HttpSettings(max_body_bytes=4096),
        # Mail goes to the log unless a test starts an SMTP server (tests/support/mail.py).
        mail=MailSettings(backend="log"),
    )
