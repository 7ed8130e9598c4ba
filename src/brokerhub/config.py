"""Settings: environment variables ``BROKERHUB_*``, an optional TOML file and a config.ini.

Precedence, highest first: explicit arguments, environment, the TOML file named by
``BROKERHUB_CONFIG_FILE``, the E*TRADE seed's ``config.ini`` named by ``BROKERHUB_CONFIG_INI``,
then defaults. Nothing is built at import time; :func:`get_settings` builds and caches.
"""

from __future__ import annotations

import configparser
import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from brokerhub.errors import ConfigurationError

ENV_PREFIX = "BROKERHUB_"

# config.ini (section, key) -> settings field, as the E*TRADE seed lays the file out.
CONFIG_INI_KEYS: dict[tuple[str, str], str] = {
    ("DEFAULT", "CONSUMER_KEY"): "etrade_consumer_key",
    ("DEFAULT", "CONSUMER_SECRET"): "etrade_consumer_secret",
    ("DEFAULT", "SANDBOX_BASE_URL"): "etrade_sandbox_base_url",
    ("DEFAULT", "PROD_BASE_URL"): "etrade_prod_base_url",
    ("AI_SERVICES", "AUTO_TRADING_ENABLED"): "auto_trading_enabled",
    ("AI_SERVICES", "AI_CONFIDENCE_THRESHOLD"): "ai_confidence_threshold",
}


def default_home() -> Path:
    """Return the user's data folder for brokerhub (platformdirs)."""
    return Path(platformdirs.user_data_dir("brokerhub", appauthor=False))


class Settings(BaseSettings):
    """Every setting of brokerhub; each field is also ``BROKERHUB_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    home: Path = Field(default_factory=default_home, description="Folder holding all state")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; default SQLite in home"
    )
    redis_url: str | None = None
    secret_keys: SecretStr | None = Field(
        default=None, description="Comma-separated Fernet keys for the vault, newest first"
    )
    secret_key: SecretStr | None = Field(
        default=None, description="The vault's Fernet key (SECRET_KEYS holds a rotation list)"
    )
    api_rate_limit_per_minute: int = Field(default=100, ge=1)
    sync_min_interval_seconds: int = Field(default=3600, ge=0)
    connect_failures_per_hour: int = Field(default=5, ge=1)
    config_file: Path | None = None
    config_ini: Path | None = None

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    paper_starting_cash: Decimal = Field(default=Decimal(100_000), ge=0)
    sim_seed: int = 42
    sim_follow_market_calendar: bool = False
    sim_commission_per_share: Decimal = Field(default=Decimal(0), ge=0)
    sim_commission_per_contract: Decimal = Field(default=Decimal("0.65"), ge=0)
    sim_slippage_bps: Decimal = Field(default=Decimal(0), ge=0)

    etrade_consumer_key: str | None = None
    etrade_consumer_secret: SecretStr | None = None
    etrade_sandbox_base_url: str = "https://apisb.etrade.com"
    etrade_prod_base_url: str = "https://api.etrade.com"

    redis_namespace: str = Field(
        default="brokerhub", description="Prefix of Redis keys, channels and the Celery queue"
    )
    celery_broker_url: str | None = Field(
        default=None, description="Celery broker (e.g. amqp://...); default: redis_url"
    )
    celery_visibility_timeout_seconds: int = Field(default=3600, ge=1)
    sync_interval_seconds: float = Field(default=900, gt=0, description="Scheduled sync period")
    ai_trades_interval_seconds: float = Field(default=1800, gt=0)
    webhook_delivery_interval_seconds: float = Field(default=5, gt=0)
    cleanup_interval_seconds: float = Field(default=3600, gt=0)
    order_tracking_interval_seconds: float = Field(
        default=5, gt=0, description="How often working orders are checked at their broker"
    )
    authorization_check_interval_seconds: float = Field(
        default=900, gt=0, description="How often authorizations are checked for expiry"
    )
    authorization_warning_days: float = Field(
        default=3,
        gt=0,
        description="connection_expiring is sent this long before an authorization dies "
        "(at most half its lifetime before, for short-lived ones such as E*TRADE's day)",
    )
    sync_lock_seconds: float = Field(
        default=600, gt=0, description="Lease of the per-connection sync lock"
    )
    webhook_retry_schedule_seconds: list[float] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 36000],
        min_length=1,
        description="Wait before each retry of a failed delivery (about 27.6 h in all)",
    )
    webhook_timeout_seconds: float = Field(default=15, gt=0)
    webhook_allowed_networks: list[str] = Field(
        default=[],
        description="CIDRs that webhook URLs may resolve to although private or loopback",
    )
    event_retention_days: int = Field(default=30, ge=1)

    auto_trading_enabled: bool = False
    ai_confidence_threshold: Decimal = Field(default=Decimal("0.7"), ge=0, le=1)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        return value

    @property
    def effective_database_url(self) -> str:
        """Return the database URL, defaulting to SQLite in ``home``."""
        return self.database_url or f"sqlite+aiosqlite:///{self.home / 'brokerhub.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = os.environ.get(f"{ENV_PREFIX}CONFIG_FILE")
        if toml_path:
            path = _existing_file(toml_path, f"{ENV_PREFIX}CONFIG_FILE")
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        ini_path = os.environ.get(f"{ENV_PREFIX}CONFIG_INI")
        if ini_path:
            path = _existing_file(ini_path, f"{ENV_PREFIX}CONFIG_INI")
            sources.append(ConfigIniSource(settings_cls, path))
        return tuple(sources)


def _existing_file(raw: str, variable: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigurationError(f"{variable} names {path}, which is not a file")
    return path


class ConfigIniSource(PydanticBaseSettingsSource):
    """Read the E*TRADE seed's config.ini keys (see :data:`CONFIG_INI_KEYS`)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        parser = configparser.ConfigParser()
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error as exc:
            raise ConfigurationError(f"{path} is not a valid config.ini: {exc}") from exc
        self._values: dict[str, Any] = {}
        for (section, key), field_name in CONFIG_INI_KEYS.items():
            if section == "DEFAULT" or parser.has_section(section):
                value = parser[section].get(key)
                if value is not None:
                    self._values[field_name] = value.strip()

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment and files.

    Raises:
        ConfigurationError: naming each bad setting and why.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from exc


def broker_base_url_override(broker: str) -> str | None:
    """Return ``BROKERHUB_<BROKER>_BASE_URL``: where to send a broker's requests instead."""
    return os.environ.get(f"{ENV_PREFIX}{broker.upper()}_BASE_URL") or None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process's settings, built once on first call (tests call ``cache_clear``)."""
    return load_settings()
