"""One settings object for the whole process, read from ``SUPPORTDESK_*`` variables."""

from __future__ import annotations

import re
import secrets
from email.utils import parseaddr
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

INSECURE_SECRET_KEYS = frozenset({"", "changeme", "change-me", "secret", "supportdesk"})
MIN_SECRET_KEY_LENGTH = 32
_ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?"
)


class ConfigError(Exception):
    """A setting has a bad value; the message names the variable and the problem."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORTDESK_", extra="ignore")

    env: Literal["production", "dev", "demo", "test"] = "production"
    data_dir: Path = Path("./supportdesk-data")
    database_url: str = ""
    redis_url: str = ""
    redis_channel_prefix: str = Field(default="supportdesk", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    secret_key: str = ""
    identity_secret: str = ""
    rate_limits: bool = True
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    max_message_chars: int = Field(default=10_000, ge=1, le=1_000_000)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1024**3)
    session_max_age_seconds: int = Field(default=14 * 24 * 3600, ge=300)
    visitor_token_max_age_seconds: int = Field(default=365 * 24 * 3600, ge=300)
    cookie_secure: bool = False
    ws_send_buffer: int = Field(default=256, ge=8, le=100_000)
    ws_idle_timeout_seconds: float = Field(default=75.0, ge=5)
    presence_timeout_seconds: float = Field(default=90.0, ge=5)
    event_retention_days: int = Field(default=30, ge=1)
    login_attempts_per_window: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    # Compute missing semantic-search vectors in the background (after a bulk import).
    # Off only where something else encodes them (tests that drive encoding themselves).
    search_vector_worker: bool = True
    # Host pages allowed to embed the chat widget (CSP frame-ancestors), comma-separated
    # origins such as "https://www.example.com,https://app.example.com"; the desk's own
    # origin is always allowed. "*" allows any site (only outside production).
    widget_origins: str = ""
    # Email (docs/email.md). Outbound: the SMTP server that sends the desk's mail; nothing is
    # sent while smtp_host is empty (replies wait in the outbox). smtp_from is the desk's
    # address, "Support <support@desk.example>"; email_domain (default: smtp_from's domain)
    # names the per-conversation reply addresses (support+t.<token>@domain) and Message-IDs.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_from: str = ""
    smtp_retry_seconds: float = Field(default=30.0, gt=0)  # first retry; doubles up to 1 h
    smtp_max_attempts: int = Field(default=12, ge=1)
    email_domain: str = Field(default="", pattern=r"^[A-Za-z0-9.-]*$")
    # Inbound: the built-in SMTP receiver (0: off; `serve --smtp-port N`) ...
    smtp_receiver_port: int = Field(default=0, ge=0, le=65535)
    smtp_receiver_host: str = "127.0.0.1"
    # ... and an existing IMAP mailbox, polled when imap_host is set.
    imap_host: str = ""
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_username: str = ""
    imap_password: str = ""
    imap_tls: bool = True
    imap_mailbox: str = "INBOX"
    imap_poll_seconds: float = Field(default=60.0, gt=0)

    @field_validator("rate_limits", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in {"on", "off"}:
            return value.strip().lower() == "on"
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql", "postgres://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("widget_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in filter(None, (part.strip() for part in value.split(","))):
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: write scheme://host[:port], such as "
                    "https://www.example.com (no path, no trailing slash)"
                )
        return value

    @property
    def widget_origin_list(self) -> tuple[str, ...]:
        return tuple(filter(None, (part.strip() for part in self.widget_origins.split(","))))

    @model_validator(mode="after")
    def _no_wildcard_embedding_in_production(self) -> Settings:
        if self.env == "production" and "*" in self.widget_origin_list:
            raise ValueError(
                "SUPPORTDESK_WIDGET_ORIGINS=* lets any site embed the widget; list the host "
                "sites' origins in production"
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.env in ("production",) and (
            self.secret_key.strip().lower() in INSECURE_SECRET_KEYS
            or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        ):
            raise ValueError(
                "SUPPORTDESK_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (for example: python -c "
                "'import secrets; print(secrets.token_urlsafe(48))'); "
                "or set SUPPORTDESK_ENV=dev for a local trial"
            )
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy async URL: the configured one with its async driver, or SQLite."""
        url = self.database_url
        if not url:
            return f"sqlite+aiosqlite:///{(self.data_dir / 'supportdesk.db').resolve()}"
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            return "postgresql+asyncpg://" + url.removeprefix("postgresql://")
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
        return url

    @property
    def desk_address(self) -> tuple[str, str] | None:
        """``(display name, address)`` of SUPPORTDESK_SMTP_FROM; None when it is not set."""
        name, address = parseaddr(self.smtp_from)
        return (name, address) if "@" in address else None

    @property
    def mail_domain(self) -> str:
        desk = self.desk_address
        return self.email_domain or (desk[1].rpartition("@")[2] if desk else "")

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read the environment; turn pydantic's report into one readable :class:`ConfigError`."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    if not settings.secret_key:
        settings.secret_key = _local_secret(settings.data_dir)
    return settings


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        name = f"SUPPORTDESK_{field.upper()}" if field else "configuration"
        lines.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _local_secret(data_dir: Path) -> str:
    """Outside production a random key is kept in the data directory, so tokens survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
