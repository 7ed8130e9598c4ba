from decimal import Decimal
from pathlib import Path

import pytest

from brokerhub.config import get_settings, load_settings
from brokerhub.errors import ConfigurationError


def test_defaults_put_sqlite_in_home(isolated_home: Path) -> None:
    settings = get_settings()
    assert settings.home == isolated_home
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{isolated_home}/brokerhub.db"
    assert settings.auto_trading_enabled is False


def test_postgres_url_gets_the_async_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKERHUB_DATABASE_URL", "postgresql://u@127.0.0.1/db")
    assert load_settings().effective_database_url == "postgresql+asyncpg://u@127.0.0.1/db"


def test_seed_config_ini_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = tmp_path / "config.ini"
    ini.write_text(
        "[DEFAULT]\nCONSUMER_KEY = ck\nCONSUMER_SECRET = cs\n"
        "SANDBOX_BASE_URL = http://127.0.0.1:9\nPROD_BASE_URL = https://api.etrade.com\n\n"
        "[AI_SERVICES]\nAUTO_TRADING_ENABLED = true\nAI_CONFIDENCE_THRESHOLD = 0.8\n"
    )
    monkeypatch.setenv("BROKERHUB_CONFIG_INI", str(ini))
    settings = load_settings()
    assert settings.etrade_consumer_key == "ck"
    assert settings.etrade_consumer_secret is not None
    assert settings.etrade_consumer_secret.get_secret_value() == "cs"
    assert "cs" not in repr(settings)
    assert settings.etrade_sandbox_base_url == "http://127.0.0.1:9"
    assert settings.auto_trading_enabled is True
    assert settings.ai_confidence_threshold == Decimal("0.8")


def test_environment_beats_config_ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = tmp_path / "config.ini"
    ini.write_text("[AI_SERVICES]\nAI_CONFIDENCE_THRESHOLD = 0.8\n")
    monkeypatch.setenv("BROKERHUB_CONFIG_INI", str(ini))
    monkeypatch.setenv("BROKERHUB_AI_CONFIDENCE_THRESHOLD", "0.9")
    assert load_settings().ai_confidence_threshold == Decimal("0.9")


def test_toml_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "brokerhub.toml"
    toml.write_text('port = 9000\npaper_starting_cash = "25000"\n')
    monkeypatch.setenv("BROKERHUB_CONFIG_FILE", str(toml))
    settings = load_settings()
    assert (settings.port, settings.paper_starting_cash) == (9000, Decimal(25000))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BROKERHUB_PORT", "70000", "BROKERHUB_PORT"),
        ("BROKERHUB_AI_CONFIDENCE_THRESHOLD", "1.5", "BROKERHUB_AI_CONFIDENCE_THRESHOLD"),
        ("BROKERHUB_PAPER_STARTING_CASH", "lots", "BROKERHUB_PAPER_STARTING_CASH"),
        ("BROKERHUB_CONFIG_INI", "/nonexistent/config.ini", "not a file"),
    ],
)
def test_invalid_config_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()
