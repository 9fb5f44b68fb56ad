"""Which extraEnv names and values count as credentials, on real-world names.

Caught: names whose value is a credential, and values that hold one. Not caught: names about a
credential (its length, file, name, id, lifetime or switch), counts of tokens, common harmless
variables, and credential names whose value holds no secret. The whole rule is measured on the
corpus in tests/unit/data/env_names.tsv (see credentials_corpus.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from components.config import parse_stack_config
from components.config.credentials import (
    NameSays,
    credential_reason,
    is_credential_name,
    is_credential_value,
    looks_random,
    name_says,
)
from tests.unit.credentials_corpus import measure, rows

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


# Measured with `.venv/bin/python tests/unit/credentials_corpus.py`; docs/errors.md, "Credentials
# in extraEnv", lists them with the reason. A change to the rule must not add to these, and a
# change that removes one updates them (and docs/errors.md).
RECORDED_MISSES: set[str] = set()
RECORDED_FALSE_ALARMS = {
    # Supabase's anon key is public by design, but it is a signed JWT, and a signed JWT in a
    # value is refused whatever the name (it is a bearer credential far more often).
    "SUPABASE_ANON_KEY",
}


def test_the_corpus_is_a_few_hundred_real_names_with_sources() -> None:
    corpus = rows()
    assert len({r.name for r in corpus}) >= 300
    assert {r.label for r in corpus} == {"credential", "setting"}
    assert all(r.source for r in corpus)
    assert sum(r.label == "credential" for r in corpus) >= 100


def test_misses_and_false_alarms_on_the_corpus_are_the_recorded_ones() -> None:
    misses, false_alarms = measure()
    assert {r.name for r in misses} == RECORDED_MISSES, [r.key for r in misses]
    assert {r.name for r in false_alarms} == RECORDED_FALSE_ALARMS, [r.key for r in false_alarms]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("PWD", NameSays.AMBIGUOUS),
        ("PASS", NameSays.AMBIGUOUS),
        ("SMTPPASS", NameSays.AMBIGUOUS),
        ("CACHE_BYPASS", NameSays.AMBIGUOUS),
        ("REDIS_AUTH", NameSays.AMBIGUOUS),
        ("RABBITMQ_ERLANG_COOKIE", NameSays.AMBIGUOUS),
        ("DB_PASSWD", NameSays.CREDENTIAL),
        ("MAIL_PASS", NameSays.CREDENTIAL),
        ("ADMIN_PWD", NameSays.CREDENTIAL),
        ("WORDPRESS_AUTH_SALT", NameSays.CREDENTIAL),
        ("DISCORD_WEBHOOK", NameSays.CREDENTIAL),
        ("TF_TOKEN_app_terraform_io", NameSays.CREDENTIAL),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", NameSays.SETTING),
        ("REFRESH_TOKEN_EXPIRE_DAYS", NameSays.SETTING),
        ("WEBHOOK_MAX_RETRIES", NameSays.SETTING),
        ("WEBHOOK_EVENTS", NameSays.SETTING),
        ("SECRET_SCANNING_ENABLED", NameSays.SETTING),
        ("MAX_THINKING_TOKENS", NameSays.SETTING),
        ("PASS_THROUGH", NameSays.SETTING),
        ("SSL_PASSTHROUGH", NameSays.SETTING),
        ("STRIPE_PUBLISHABLE_KEY", NameSays.SETTING),
        ("REDIS_KEY_PREFIX", NameSays.SETTING),
    ],
)
def test_what_a_name_says(name: str, says: NameSays) -> None:
    assert name_says(name) is says


@pytest.mark.parametrize(
    "value",
    [
        '{"Authorization": "Bearer sk-proj-Xa8kQw2LmZ7pVn3sRt9yBc4d"}',
        "X-Api-Key: lsv2_sk_0123456789abcdef",
        "Authorization=Basic%20YWdlbnQ6N2hGcTJ4TG1w",
        "x-honeycomb-team=hcaik_01hq7a2b3c4d5e6f7g8h9j0k1m",
        "-Xmx2g -Dspring.datasource.password=Rq8wLm3kZx7p",
        "host=db user=app password=Rq8wLm3kZx7p",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFyYmF6cXV4",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqb2IifQ.c2lnbmF0dXJlLWxpdGVyYWw",
        "token glpat-Xa8kQw2LmZ7pVn3sRt9y",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567",
    ],
)
def test_credentials_inside_values_are_caught(value: str) -> None:
    assert is_credential_value(value)


@pytest.mark.parametrize(
    "value",
    [
        "service.version=1.2.3,deployment.environment=prod",
        "User-Agent:http.user_agent,Referer:http.referer",
        "--max-old-space-size=4096",
        "postgres://app:$(PGPASSWORD)@db:5432/app",
        "use-sk-learn-preprocessing-everywhere",
        "x-scope-orgid=tenant-1",
        "token_auth=true",
    ],
)
def test_settings_with_pairs_or_references_are_not(value: str) -> None:
    assert not is_credential_value(value)


@pytest.mark.parametrize(
    ("value", "random"),
    [
        ("Tn5xQw2LmZ8vKp4r", True),
        ("neo4j/Xw9kLq2zPm7vRt4s", True),
        ("short7X", False),
        ("/usr/local/bin/git-askpass", False),
        ("https://example.com/a1B2c3", False),
        ("correct horse battery staple", False),
        ("passthroughall", False),
        ("aaaaaaaaaaaa1111", False),
    ],
)
def test_looks_random(value: str, random: bool) -> None:
    assert looks_random(value) is random


def _accepted(name: str, value: str) -> Any:
    raw = {
        "controlPlane": {"url": "http://127.0.0.1:8765", "listenerComputeId": "dev-cluster"},
        "apiKey": "lsv2_pt_case_api_key_0123",
        "licenseKey": "lgp-case-licence-4567",
        "workloads": {"api": {"extraEnv": [{"name": name, "value": value}]}},
    }
    return parse_stack_config(raw, ["apiKey", "licenseKey"])


# Harmless settings refused before issue 26 (class 4), accepted now.
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "30"),
        ("REFRESH_TOKEN_EXPIRE_DAYS", "7"),
        ("WEBHOOK_MAX_RETRIES", "3"),
        ("WEBHOOK_EVENTS", "run.completed,run.failed"),
        ("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"),
        ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_test_51Hx0a1b2c3d4e5f6g7h8i9j0"),
        ("DATABASE_URL", "postgres://app:$(PGPASSWORD)@db:5432/app"),
        ("DATABASE_URL", "postgres://db:5432/app?sslmode=require"),
        ("LLM_API_KEY", "$(OPENAI_API_KEY)"),
        ("TLS_KEY", "/etc/tls/tls.key"),
        ("OTEL_EXPORTER_OTLP_CLIENT_KEY", "/etc/otel/client.key"),
        ("CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "/run/secrets/sa.json"),
        ("PASS", "1"),
        ("PWD", "/workspace"),
        ("SKIP_AUTH", "true"),
        ("GIT_ASKPASS", "/usr/local/bin/git-askpass-helper"),
        ("NEO4J_AUTH", "none"),
        ("REDIS_PASSWORD", ""),
    ],
)
def test_harmless_settings_are_accepted(name: str, value: str) -> None:
    assert credential_reason(name, value) is None
    _accepted(name, value)
