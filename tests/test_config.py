"""Settings: clear messages for bad values, and no default secret in production."""

from __future__ import annotations

import pytest

from supportdesk.config import ConfigError, load_settings


def test_production_refuses_a_missing_or_short_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SUPPORTDESK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SUPPORTDESK_SECRET_KEY"):
        load_settings(env="production", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings(env="production", data_dir=tmp_path, secret_key="changeme")


def test_dev_keeps_a_generated_secret_in_the_data_directory(tmp_path):
    first = load_settings(env="dev", data_dir=tmp_path)
    second = load_settings(env="dev", data_dir=tmp_path)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_bad_values_name_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_MAX_UPLOAD_BYTES", "ten megabytes")
    monkeypatch.setenv("SUPPORTDESK_DATABASE_URL", "mysql://x")
    monkeypatch.setenv("SUPPORTDESK_RATE_LIMITS", "maybe")
    with pytest.raises(ConfigError) as info:
        load_settings(env="dev", data_dir=tmp_path)
    message = str(info.value)
    for name in (
        "SUPPORTDESK_MAX_UPLOAD_BYTES",
        "SUPPORTDESK_DATABASE_URL",
        "SUPPORTDESK_RATE_LIMITS",
    ):
        assert name in message


def test_rate_limits_accept_on_and_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_RATE_LIMITS", "off")
    assert load_settings(env="dev", data_dir=tmp_path).rate_limits is False


def test_database_urls_get_their_async_driver(tmp_path):
    pg = load_settings(env="dev", data_dir=tmp_path, database_url="postgresql://u@h/db")
    assert pg.resolved_database_url == "postgresql+asyncpg://u@h/db"
    default = load_settings(env="dev", data_dir=tmp_path)
    assert default.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert default.resolved_database_url.endswith("supportdesk.db")
