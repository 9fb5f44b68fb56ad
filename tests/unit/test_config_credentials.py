"""Which extraEnv names and values count as credentials, on real-world names.

Caught: names whose value is a credential. Not caught: names about a credential (its length,
file, name, id or switch), counts of tokens, and common harmless variables.
"""

from __future__ import annotations

import pytest

from components.config.credentials import is_credential_name, is_credential_value

CREDENTIALS = [
    # From the issue: glued words, short forms, personal access tokens, URLs that carry secrets.
    "PGPASSWORD", "MYSQL_PWD", "DB_PASS", "GITHUB_PAT", "DATABASE_URL", "PRIVATEKEY",
    "SLACK_WEBHOOK_URL",
    # API keys and tokens of common services.
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY",
    "STRIPE_API_KEY", "GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN", "NPM_TOKEN", "VAULT_TOKEN",
    "GHTOKEN", "APIKEY", "KEY",
    # Cloud credentials.
    "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN",
    "AZURE_CLIENT_SECRET", "AZURE_STORAGE_CONNECTION_STRING", "GOOGLE_API_KEY",
    # Database and cache passwords and URLs.
    "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "REDIS_PASSWORD", "MONGODB_URI", "DB_URL",
    "PG_URI", "SENTRY_DSN", "SMTP_PASS",
    # Application secrets and keys.
    "SECRET_KEY_BASE", "DJANGO_SECRET_KEY", "JWT_SECRET", "NEXTAUTH_SECRET", "CLIENT_SECRET",
    "ENCRYPTION_KEY", "SIGNING_KEY", "SSH_PRIVATE_KEY", "LICENSE_KEY", "GPG_PASSPHRASE",
    "BASIC_AUTH", "DISCORD_WEBHOOK", "DOCKER_CREDS",
]  # fmt: skip

NOT_CREDENTIALS = [
    # About a credential, not the credential.
    "PASSWORD_MIN_LENGTH", "PASSWORD_RESET_TIMEOUT", "SECRET_NAME", "TOKEN_FILE",
    "API_KEY_FILE", "API_KEY_HEADER", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "KMS_KEY_ID", "OAUTH_TOKEN_URL", "AUTH_MODE",
    "DISABLE_AUTH", "SSH_AUTH_SOCK",
    # A path to a credentials file.
    "GOOGLE_APPLICATION_CREDENTIALS",
    # Counts of tokens, and a tokenizer switch.
    "MAX_TOKENS", "OPENAI_MAX_TOKENS", "TOKENIZERS_PARALLELISM",
    # Keys of data structures, and public keys.
    "CACHE_KEY_PREFIX", "PARTITION_KEY", "ROUTING_KEY", "PUBLIC_KEY",
    # Words that only contain a credential word, and everyday variables.
    "PWD", "OLDPWD", "PATH", "HOME", "LOG_LEVEL", "NEXTAUTH_URL", "KEYCLOAK_URL",
    "REDIS_URL", "PASS_THROUGH", "SESSION_COOKIE_SECURE", "COMPASS_MODE",
]  # fmt: skip


@pytest.mark.parametrize("name", CREDENTIALS)
def test_credential_names_are_caught(name: str) -> None:
    assert is_credential_name(name)


@pytest.mark.parametrize("name", NOT_CREDENTIALS)
def test_harmless_names_are_not(name: str) -> None:
    assert not is_credential_name(name)


@pytest.mark.parametrize(
    "value",
    [
        "redis://:pw@cache:6379/0",
        "postgresql://app:s3cret@db:5432/app",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
        "lsv2_pt_0123456789abcdef",
        "sk-" + "a" * 40,
        "ghp_" + "A" * 36,
        "github_pat_11ABCDEFG",
        "xoxb-123-456-abc",
        "AKIA" + "A" * 16,
        "AIza" + "b" * 35,
    ],
)
def test_credential_values_are_caught_whatever_the_name(value: str) -> None:
    assert is_credential_value(value)


@pytest.mark.parametrize(
    "value",
    ["redis://cache:6379/0", "https://user@example.com", "info", "1", "/var/run/x", "sk-learn"],
)
def test_ordinary_values_are_not(value: str) -> None:
    assert not is_credential_value(value)
