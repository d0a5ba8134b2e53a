"""Settings refuse unsafe production configurations, and the README documents every one."""

from pathlib import Path

import pytest

from agora.settings import (
    DEV_JWT_SECRET,
    DEV_WEBHOOK_SECRET,
    AppSettings,
    AuthSettings,
    ConfigurationError,
    DatabaseSettings,
    HttpSettings,
    MailSettings,
    PaymentsSettings,
    RedisSettings,
    Settings,
    environment_variables,
    load_settings,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def settings(
    *,
    env: str = "production",
    secret: str = "x" * 40,
    webhook_secret: str = "y" * 40,
    demo: bool = False,
) -> Settings:
    return Settings(
        app=AppSettings(env=env, demo=demo),
        database=DatabaseSettings(),
        redis=RedisSettings(),
        auth=AuthSettings(jwt_secret=secret),
        http=HttpSettings(),
        payments=PaymentsSettings(webhook_secret=webhook_secret),
    )


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ConfigurationError, match="AUTH_JWT_SECRET is the development default"):
        settings(secret=DEV_JWT_SECRET).check_production_safety()


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ConfigurationError, match="at least 32"):
        settings(secret="short-secret").check_production_safety()


def test_production_refuses_the_development_webhook_secret() -> None:
    with pytest.raises(ConfigurationError, match="PAYMENTS_WEBHOOK_SECRET is the development"):
        settings(webhook_secret=DEV_WEBHOOK_SECRET).check_production_safety()


def test_production_refuses_demo_accounts() -> None:
    with pytest.raises(ConfigurationError, match="AGORA_DEMO"):
        settings(demo=True).check_production_safety()


def test_production_refuses_mail_written_to_the_log() -> None:
    unsafe = settings().model_copy(update={"mail": MailSettings(backend="log")})
    with pytest.raises(ConfigurationError, match="MAIL_BACKEND=log"):
        unsafe.check_production_safety()


def test_production_accepts_a_long_random_secret_and_development_accepts_defaults() -> None:
    settings().check_production_safety()
    settings(
        env="development", secret=DEV_JWT_SECRET, webhook_secret=DEV_WEBHOOK_SECRET, demo=True
    ).check_production_safety()


def test_environment_variable_names_follow_each_concern() -> None:
    names = environment_variables()
    assert {"DATABASE_URL", "REDIS_URL", "AUTH_JWT_SECRET", "HTTP_PORT", "AGORA_ENV"} <= set(names)
    assert all(description for description in names.values())


def test_the_readme_configuration_table_lists_every_setting() -> None:
    readme = README.read_text()
    missing = [name for name in environment_variables() if f"`{name}`" not in readme]
    assert missing == []


def test_rate_limits_must_be_in_the_limits_syntax() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="login_limit_per_ip"):
        AuthSettings(login_limit_per_ip="lots")
    assert AuthSettings(login_limit_per_ip="3 per 10 seconds").login_limit_per_ip


def test_an_invalid_setting_is_named_by_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PORT", "eighty")
    monkeypatch.setenv("AUTH_ARGON2_TIME_COST", "1")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("invalid setting ")
    assert "HTTP_PORT: Input should be a valid integer" in message
    assert "AUTH_ARGON2_TIME_COST: Input should be greater than or equal to 2" in message
    assert "eighty" not in message  # a value may be a secret; the variable's name is enough
    assert "\n" not in message


def test_the_log_format_is_auto_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert AppSettings().log_format == "auto"
    monkeypatch.setenv("AGORA_LOG_FORMAT", "human")
    assert AppSettings().log_format == "human"
    monkeypatch.setenv("AGORA_LOG_FORMAT", "xml")
    with pytest.raises(ConfigurationError, match="AGORA_LOG_FORMAT"):
        load_settings()
