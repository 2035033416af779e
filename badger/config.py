"""Settings from environment variables, with safe defaults for a laptop.

Every setting a deployer may change is read here and nowhere else, so the README's
configuration table and this file tell the same story — except ``BADGER_BACKUP_PASSPHRASE``,
read by ``badger backup`` / ``restore`` only (``badger/backup.py``), so that a running server
never holds it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from badger.cache import instance_prefix

#: Secrets that must never reach production (shown in docs or used by tests).
INSECURE_SECRETS = frozenset({"", "dev", "changeme", "secret", "test", "insecure"})
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """Raised when the app is asked to start with settings that would be unsafe."""


def project_root() -> Path:
    """The folder holding pyproject.toml in a checkout (the current directory otherwise)."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def _read_or_create_secret(path: Path, nbytes: int = 48) -> str:
    """Read a generated secret, creating it once with mode 0600 so restarts keep sessions."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _languages(value: str | None) -> tuple[str, ...] | None:
    """``fr,en,ar`` → ("fr", "en", "ar"); unset or empty → None (all shipped languages)."""
    codes = tuple(c.strip() for c in (value or "").split(",") if c.strip())
    return codes or None


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, then apply explicit overrides (tests)."""
    env = os.environ
    overrides = dict(overrides or {})
    mode = overrides.get("BADGER_ENV", env.get("BADGER_ENV", "development"))
    instance_path.mkdir(parents=True, exist_ok=True)

    secret = overrides.get("SECRET_KEY") or env.get("BADGER_SECRET_KEY")
    if not secret and mode != "production":
        secret = _read_or_create_secret(instance_path / "secret_key")
    passphrase = overrides.get("BADGER_KEY_PASSPHRASE") or env.get("BADGER_KEY_PASSPHRASE")
    if not passphrase and mode != "production":
        passphrase = _read_or_create_secret(instance_path / "key_passphrase")

    base_url = env.get("BADGER_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    database_url = env.get("BADGER_DATABASE_URL") or f"sqlite:///{instance_path / 'badger.sqlite'}"
    redis_url = env.get("BADGER_REDIS_URL")

    config: dict[str, Any] = {
        "BADGER_ENV": mode,
        "SECRET_KEY": secret,
        "BADGER_KEY_PASSPHRASE": passphrase,
        "BADGER_BASE_URL": base_url,
        "BADGER_DATABASE_URL": database_url,
        "BADGER_KEYS_DIR": env.get("BADGER_KEYS_DIR", str(project_root() / "keys")),
        "BADGER_REDIS_URL": redis_url,
        "BADGER_ALLOW_PRIVATE_FETCH": _bool(env.get("BADGER_ALLOW_PRIVATE_FETCH")),
        "BADGER_LOGIN_CODE_MINUTES": int(env.get("BADGER_LOGIN_CODE_MINUTES", "30")),
        "BADGER_SHARE_DEFAULT_DAYS": int(env.get("BADGER_SHARE_DEFAULT_DAYS", "90")),
        "BADGER_CLAIM_DAYS": int(env.get("BADGER_CLAIM_DAYS", "180")),
        "BADGER_AWARD_SYNC_LIMIT": int(env.get("BADGER_AWARD_SYNC_LIMIT", "50")),
        # how often each server process looks for award jobs nobody runs (0: never)
        "BADGER_JOB_POLL_SECONDS": float(env.get("BADGER_JOB_POLL_SECONDS", "5")),
        "MAX_CONTENT_LENGTH": int(env.get("BADGER_MAX_UPLOAD_BYTES", str(16 * 1024 * 1024))),
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_SECURE": base_url.startswith("https://"),
        "PREFERRED_URL_SCHEME": "https" if base_url.startswith("https://") else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        # None: every language with a compiled catalogue (badger.i18n checks the list at startup).
        "BADGER_LANGUAGES": _languages(env.get("BADGER_LANGUAGES")),
        # Limits count through badger.cache (its Redis when BADGER_REDIS_URL is set, so a
        # login limit holds across every process; see badger.cache.CacheStorage).
        "RATELIMIT_STORAGE_URI": "badger-cache://",
        "BADGER_REDIS_PREFIX": env.get("BADGER_REDIS_PREFIX") or None,
        "RATELIMIT_HEADERS_ENABLED": True,
        "BADGER_LOGIN_RATE_LIMIT": env.get("BADGER_LOGIN_RATE_LIMIT", "10 per minute"),
        "BADGER_VERIFY_RATE_LIMIT": env.get("BADGER_VERIFY_RATE_LIMIT", "60 per minute"),
        "BADGER_IMPORTED_VERIFY_TTL": int(env.get("BADGER_IMPORTED_VERIFY_TTL", "300")),
        "BADGER_TRUSTED_REGISTRIES": env.get("BADGER_TRUSTED_REGISTRIES", ""),
        "BADGER_REGISTRY_TTL": int(env.get("BADGER_REGISTRY_TTL", "3600")),
        "BADGER_TRUSTED_PROXIES": int(env.get("BADGER_TRUSTED_PROXIES", "0")),
        # proving an e-mail / phone (badger.holders.sending)
        "BADGER_SMTP_URL": env.get("BADGER_SMTP_URL") or None,
        "BADGER_SMTP_FROM": env.get("BADGER_SMTP_FROM") or None,
        "BADGER_SMS_BACKEND": env.get(
            "BADGER_SMS_BACKEND", "none" if mode == "production" else "outbox"
        ),
        # notifications (badger.notifications.sending): tries, first wait (doubled each time)
        "BADGER_NOTIFY_MAX_ATTEMPTS": int(env.get("BADGER_NOTIFY_MAX_ATTEMPTS", "6")),
        "BADGER_NOTIFY_RETRY_SECONDS": int(env.get("BADGER_NOTIFY_RETRY_SECONDS", "60")),
        "BADGER_SESSION_IDLE_MINUTES": env.get("BADGER_SESSION_IDLE_MINUTES", "120"),
        "BADGER_SESSION_MAX_HOURS": env.get("BADGER_SESSION_MAX_HOURS", "12"),
        **{key: env.get(key, str(days)) for key, days in RETENTION_DAYS.items()},
        # cohort statistics (badger.outcomes): the smallest group a figure is shown for
        "BADGER_STATS_MIN_GROUP": env.get("BADGER_STATS_MIN_GROUP", "5"),
    }
    config.update(overrides)
    config.setdefault("RATELIMIT_STORAGE_OPTIONS", {
        "redis_url": config.get("BADGER_REDIS_URL") or "", "prefix": instance_prefix(config)})
    check_retention(config)
    check_sessions(config)
    check_stats(config)
    check_config(config)
    return config


#: How many days ``badger purge`` keeps each kind of data once it is no longer needed (the rules
#: are in ``badger/maintenance.py``): setting → default.
RETENTION_DAYS = {
    "BADGER_RETENTION_AUDIT_DAYS": 400,
    "BADGER_RETENTION_CODES_DAYS": 30,
    "BADGER_RETENTION_JOBS_DAYS": 30,
    "BADGER_RETENTION_NOTIFICATIONS_DAYS": 30,
    "BADGER_RETENTION_SHARES_DAYS": 365,
}
MAX_RETENTION_DAYS = 36_500


def check_retention(config: dict[str, Any]) -> None:
    """Turn each retention setting into a whole number of days, or refuse to start: a typo must
    not purge everything (0) nor overflow a date (a huge number)."""
    for key in RETENTION_DAYS:
        value = config[key]
        try:
            days = None if isinstance(value, bool | float) else int(str(value).strip())
        except ValueError:
            days = None
        if days is None or not 1 <= days <= MAX_RETENTION_DAYS:
            raise ConfigError(
                f"{key} must be a whole number of days from 1 to {MAX_RETENTION_DAYS} "
                f"(got {value!r})."
            )
        config[key] = days


def check_sessions(config: dict[str, Any]) -> None:
    """Session lifetimes are whole positive numbers (minutes idle, hours in all), or no start:
    a typo must not make sessions everlasting nor end them at once."""
    limits = (("BADGER_SESSION_IDLE_MINUTES", 43_200), ("BADGER_SESSION_MAX_HOURS", 8_760))
    for key, largest in limits:
        value = config[key]
        try:
            number = None if isinstance(value, bool | float) else int(str(value).strip())
        except ValueError:
            number = None
        if number is None or not 1 <= number <= largest:
            raise ConfigError(f"{key} must be a whole number from 1 to {largest} (got {value!r}).")
        config[key] = number


#: Below this, a "group" is a few people one can tell apart: BADGER_STATS_MIN_GROUP refuses it.
STATS_MIN_GROUP_FLOOR = 3


def check_stats(config: dict[str, Any]) -> None:
    """``BADGER_STATS_MIN_GROUP``: a whole number, never below 3 (stored as an int)."""
    value = config.get("BADGER_STATS_MIN_GROUP", 5)
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not STATS_MIN_GROUP_FLOOR <= number <= 1000:
        raise ConfigError(
            f"BADGER_STATS_MIN_GROUP must be a whole number from {STATS_MIN_GROUP_FLOOR} to 1000 "
            f"(got {value!r})."
        )
    config["BADGER_STATS_MIN_GROUP"] = number


def check_config(config: dict[str, Any]) -> None:
    """Refuse to run in production with a guessable secret or unencrypted keys."""
    if config["BADGER_ENV"] != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret.lower() in INSECURE_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            "BADGER_SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_LENGTH} characters in production."
        )
    passphrase = config.get("BADGER_KEY_PASSPHRASE") or ""
    if len(passphrase) < 16:
        raise ConfigError("BADGER_KEY_PASSPHRASE must be set (16+ characters) in production.")
    if not str(config["BADGER_BASE_URL"]).startswith("https://"):
        raise ConfigError("BADGER_BASE_URL must be an https:// origin in production.")
