"""Which literal environment values are credentials, by the variable's name and the value's shape.

A literal `value` in `extraEnv` (or a sidecar's `env`) sits in plain text in the pod spec, the
state and the rendered manifests, so credentials must come by `valueFrom.secretKeyRef`.

The rule was built on, and is measured against, a corpus of a few hundred real variable names
from public documentation (tests/unit/data/env_names.tsv; docs/errors.md, "Credentials in
extraEnv").

A name says one of three things (upper-cased and split into words on anything but letters and
digits):

- **credential**: a word that says "credential": `PASSWORD`, `PASSWD`, `PASSPHRASE`, `SECRET`,
  `CREDENTIAL(S)`, also inside a word (`PGPASSWORD`, `CLIENTSECRET`); `TOKEN` or a word ending in
  it (`GHTOKEN`; not `TOKENS` or `TOKENIZERS`, which count things, nor `MAX_TOKEN`); `CREDS`,
  `PAT` (personal access token), `DSN`, `SALT`; `PASS` or `PWD` as the last word after another
  (`DB_PASS`, `MYSQL_PWD`); `AUTH` after `BASIC`, `PROXY`, `HTTP` or `DIGEST`; `AUTHORIZATION`
  as the last word (a header's value); `CONNECTION_STRING`; `WEBHOOK` as the last word
  (`DISCORD_WEBHOOK`); `KEY` as a word (`API_KEY`, `LICENSE_KEY`) or glued to a word that makes
  it a credential (`APIKEY`, `PRIVATEKEY`, `ACCESSKEY`...), but not a key of a data structure
  (`PARTITION_KEY`, `CACHE_KEY`...) nor a public key; a database or webhook URL (`DATABASE_URL`,
  `SLACK_WEBHOOK_URL`); and `AWS_ACCESS_KEY_ID` (half of an AWS key pair);
- **setting**, though a credential word is in it, when a word after the last credential word says
  the value is *about* the credential: a file, path, name, id, length, lifetime, count, retry or
  switch (`PASSWORD_MIN_LENGTH`, `TOKEN_FILE`, `ACCESS_TOKEN_EXPIRE_MINUTES`, `SECRET_NAME`,
  `API_KEY_HEADER`, `SECRET_SCANNING_ENABLED`); `WEBHOOK` before other words
  (`WEBHOOK_MAX_RETRIES`); a count of tokens (`MAX_TOKENS`, `TOKENIZERS_PARALLELISM`);
- **ambiguous**: a bare `PWD` (the shell's working directory) or `PASS`, a word ending in `PASS`
  or `PWD` (`SMTPPASS`, but also `BYPASS`, `COMPASS`), `AUTH` as the last word (`REDIS_AUTH`,
  but also `SKIP_AUTH`): the value decides.

The value then decides:

- whatever the name, a value that *contains* a credential is one: a URL with a password in it
  (`redis://:pw@host`), a PEM private key, a well-known API key format anywhere in it (`sk-`,
  `sk-ant-`, `lsv2_`, `ghp_`, `github_pat_`, `glpat-`, `xoxb-`, `AKIA`, `AIza`, `sk_live_`,
  `hf_`, a signed JWT, ...), `Bearer <token>`, or a `key=value`/`"key": "value"`/`Key: value` pair
  whose key is a credential name (`{"Authorization": "Bearer ..."}`, `X-Api-Key: ...`,
  `-Dspring.datasource.password=...`);
- an ambiguous name is a credential when its value looks random: at least 12 characters, no
  spaces, not a path or URL, two kinds of characters of letters in both cases and digits, and a
  Shannon entropy of at least 3 bits a character;
- a credential name is not refused when its value carries no secret: empty, only `$(VAR)`
  references to other variables (Kubernetes expands them), a file path, or for a database URL, a
  URL without a literal password (`postgres://app:$(PGPASSWORD)@db/app`).

A name caught by mistake keeps working through `valueFrom.configMapKeyRef`.
"""

from __future__ import annotations

import enum
import math
import re
from collections import Counter


class NameSays(enum.Enum):
    CREDENTIAL = "credential"
    SETTING = "setting"
    AMBIGUOUS = "ambiguous"


_CREDENTIAL_INSIDE = re.compile(r"PASSWORD|PASSWD|PASSPHRASE|SECRET|CREDENTIAL")
_CREDENTIAL_WORDS = frozenset({"CREDS", "PAT", "DSN", "SALT"})
_GLUED_KEY = re.compile(
    r"(API|SECRET|PRIVATE|ACCESS|SIGNING|ENCRYPTION|MASTER|LICEN[CS]E|AUTH|CLIENT|SERVICE"
    r"|ACCOUNT|SESSION|SSH|GPG|PGP|JWT|HMAC)KEY$"
)
# Words before `KEY` that make it a key of a data structure, or a public key: not a credential.
_NOT_SECRET_KEYS = frozenset(
    {"PARTITION", "SORT", "CACHE", "ROUTING", "PRIMARY", "FOREIGN", "SHARD", "IDEMPOTENCY",
     "LOOKUP", "GROUP", "MAP", "DEDUP", "DEDUPLICATION", "HASH", "HOT", "OBJECT", "S3", "PUBLIC",
     "PUBLISHABLE", "SEARCH", "QUERY", "INDEX", "METADATA", "LABEL", "TAG", "ANNOTATION",
     "CONFIG", "SETTINGS", "STATE", "LOCK", "PREFIX"}
)  # fmt: skip
# Words before `TOKEN` that make it a count of (language model) tokens.
_TOKEN_COUNTS = frozenset(
    {"MAX", "MIN", "NUM", "TOTAL", "CONTEXT", "OUTPUT", "INPUT", "COMPLETION"}
)
_DATABASES = frozenset(
    {"DATABASE", "DB", "POSTGRES", "POSTGRESQL", "PG", "MYSQL", "MARIADB", "MONGO", "MONGODB",
     "SQLALCHEMY", "JDBC", "AMQP", "RABBITMQ", "BROKER"}
)  # fmt: skip
# Words that, after the last credential word, describe a credential rather than hold one.
_ABOUT = frozenset(
    {"FILE", "FILES", "PATH", "DIR", "DIRECTORY", "NAME", "ID", "URL", "URI", "ENDPOINT", "HOST",
     "PORT", "HEADER", "LENGTH", "LEN", "MIN", "MAX", "TTL", "EXPIRY", "EXPIRE", "EXPIRES",
     "EXPIRATION", "LIFETIME", "TIMEOUT", "ENABLED", "DISABLED", "ENABLE", "DISABLE", "REQUIRED",
     "POLICY", "TYPE", "FIELD", "PARAM", "PREFIX", "SIZE", "COUNT", "LIMIT", "VERSION", "REF",
     "KIND", "MODE", "FORMAT", "ALGORITHM", "ALG", "ROTATION", "REGEX", "PATTERN", "SOCK",
     "SOCKET", "REGION", "ARN", "PROVIDER", "BACKEND", "STORE", "KEYS", "LOCATION", "MINUTES",
     "SECONDS", "HOURS", "DAYS", "SECS", "MS", "MILLIS", "RETRIES", "RETRY", "ATTEMPTS",
     "INTERVAL", "DURATION", "DELAY", "AGE", "AUDIENCE", "ISSUER", "SCOPE", "SCOPES", "REFRESH",
     "CACHE", "VERIFY", "VALIDATION", "CHECK", "ENGINE", "MOUNT", "ROLE", "USER", "USERNAME",
     "EMAIL", "COMMAND", "CMD", "HELPER", "LEEWAY", "SKEW", "STRENGTH", "COMPLEXITY", "HASHER",
     "HASHERS", "VAR", "ENV", "SOURCE"}
)  # fmt: skip
_ALWAYS = frozenset({"AWS_ACCESS_KEY_ID"})
_NEVER = frozenset({"GOOGLE_APPLICATION_CREDENTIALS"})  # a path to a key file

# A literal credential inside a value, whatever the variable's name: a URL with a password, a
# PEM private key, or a well-known API key format (not preceded by a letter or digit).
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s:]*:([^/?#@\s]+)@")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_KEY_FORMATS = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"lsv2_[A-Za-z0-9_]{8,}|ls__[0-9a-f]{20,}"  # LangSmith
    r"|sk-(?:ant|proj|svcacct|admin|lf)-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9]{20,}"  # OpenAI, Anthropic
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{5,}"  # GitHub
    r"|gl(?:pat|ptt|rt|dt)-[A-Za-z0-9_-]{16,}"  # GitLab
    r"|xox[abposre]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{10,}"  # Slack
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|ya29\.[A-Za-z0-9_-]{20,}"  # AWS, Google
    r"|GOCSPX-[A-Za-z0-9_-]{20,}"
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{10,}"  # Stripe
    r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"  # SendGrid
    r"|hf_[A-Za-z0-9]{30,}|npm_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{40,}"  # Hugging Face, npm, PyPI
    r"|pul-[0-9a-f]{40}|hvs\.[A-Za-z0-9_-]{20,}|dop_v1_[0-9a-f]{40,}"  # Pulumi, Vault, DO
    r"|gsk_[A-Za-z0-9]{20,}|r8_[A-Za-z0-9]{20,}|pplx-[A-Za-z0-9]{20,}|tvly-[A-Za-z0-9-]{16,}"
    r"|xai-[A-Za-z0-9]{20,}|pcsk_[A-Za-z0-9_]{20,}|sntrys_[A-Za-z0-9_]{20,}"
    r"|hca[ik]k_[A-Za-z0-9]{20,}"  # Honeycomb
    r"|NRAK-[A-Z0-9]{20,}|PMAK-[A-Za-z0-9-]{20,}|lin_api_[A-Za-z0-9]{20,}|dapi[0-9a-f]{32}"
    r"|shp(?:at|ss|ca|pa)_[A-Fa-f0-9]{32}|key-[0-9a-f]{32}|dp\.(?:st|sa|ct|pt)\.[A-Za-z0-9_.-]{20,}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # a signed JWT
    r"|(?:Bearer|Basic)(?:\s+|%20)[A-Za-z0-9._~+/=-]{16,}"  # an Authorization header's value
    r")"
)
# `key=value`, `key: value`, `"key": "value"` inside a value (a JSON map, a header list, JVM or
# connection-string options), the key preceded by the value's start or a separator.
_PAIR = re.compile(
    r"""(?:^|[\s{,;&?"'(-])["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?"""
    r"""((?:(?:Bearer|Basic|Token)(?:\s+|%20))?[^"',;&\s}]*)"""
)
_REFERENCE = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[A-Za-z_][A-Za-z0-9_.-]*\}")
_PATH = re.compile(r"(?:/|~/|\./)[\w.@/+-]*")
_SWITCH = re.compile(r"(?i)true|false|yes|no|on|off|0|1")
_PLAIN = re.compile(r"(?i)true|false|yes|no|on|off|none|null|[0-9.]+[a-z]{0,2}")


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^A-Z0-9]+", name.upper()) if w]


def _word_says(words: list[str], i: int) -> NameSays | None:
    """What word `i` of a name says on its own, if anything."""
    word, last = words[i], i == len(words) - 1
    before = words[i - 1] if i > 0 else ""
    if _CREDENTIAL_INSIDE.search(word):
        return NameSays.CREDENTIAL
    if word.endswith("TOKEN"):
        return None if before in _TOKEN_COUNTS else NameSays.CREDENTIAL
    if word in {"PWD", "PASS"}:
        if not last:
            return None
        return NameSays.CREDENTIAL if i > 0 else NameSays.AMBIGUOUS
    if word.endswith(("PASS", "PWD")) and last:
        return NameSays.AMBIGUOUS
    if word == "KEY":
        return NameSays.CREDENTIAL if before not in _NOT_SECRET_KEYS else None
    if word == "AUTH":
        if before in {"BASIC", "PROXY", "HTTP", "DIGEST"}:
            return NameSays.CREDENTIAL
        return NameSays.AMBIGUOUS if last else None
    if word == "COOKIE" and last and i > 0:
        return NameSays.AMBIGUOUS
    if word in {"AUTHORIZATION", "WEBHOOK"}:
        return NameSays.CREDENTIAL if last else None
    if word == "CONNECTION":
        return NameSays.CREDENTIAL if not last and words[i + 1] in {"STRING", "STR"} else None
    if word in _CREDENTIAL_WORDS or _GLUED_KEY.search(word):
        return NameSays.CREDENTIAL
    return None


def name_says(name: str) -> NameSays:
    """Does this environment variable name say its value is a credential, or let the value say?"""
    if name.upper() in _ALWAYS:
        return NameSays.CREDENTIAL
    if name.upper() in _NEVER:
        return NameSays.SETTING
    words = _words(name)
    if (
        len(words) > 1
        and words[-1] in {"URL", "URI", "URIS", "URLS"}
        and (words[-2] in _DATABASES or "WEBHOOK" in words[-2])
    ):
        return NameSays.CREDENTIAL
    said = [(i, s) for i in range(len(words)) if (s := _word_says(words, i)) is not None]
    if not said:
        return NameSays.SETTING
    last_i = said[-1][0]
    if any(w in _ABOUT for w in words[last_i + 1 :]):
        return NameSays.SETTING
    if any(s is NameSays.CREDENTIAL for _, s in said):
        return NameSays.CREDENTIAL
    return NameSays.AMBIGUOUS


def is_credential_name(name: str) -> bool:
    """Does this environment variable name alone say that its value is a credential?"""
    return name_says(name) is NameSays.CREDENTIAL


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(value: str) -> bool:
    """A long single token of mixed characters with a high Shannon entropy: a generated secret."""
    v = value.strip()
    if len(v) < 12 or any(c.isspace() for c in v) or "://" in v or _PATH.fullmatch(v):
        return False
    kinds = sum(any(f(c) for c in v) for f in (str.islower, str.isupper, str.isdigit))
    return kinds >= 2 and _entropy(v) >= 3.0


def _carries_nothing(value: str) -> bool:
    """Empty, or only `$(VAR)` references and punctuation: no literal secret."""
    return not re.sub(r"[^A-Za-z0-9]", "", _REFERENCE.sub("", value))


def _pair_is_credential(key: str, value: str) -> bool:
    value = value.strip("\"'")
    if _carries_nothing(value) or _PLAIN.fullmatch(value):
        return False
    says = name_says(key)
    if says is NameSays.CREDENTIAL:
        return True
    return says is NameSays.AMBIGUOUS and looks_random(value)


def is_credential_value(value: str) -> bool:
    """Does this literal value hold a credential, whatever its variable's name?"""
    for match in _URL_PASSWORD.finditer(value):
        if not _carries_nothing(match.group(1)):
            return True
    if _PEM.search(value) or _KEY_FORMATS.search(value):
        return True
    return any(_pair_is_credential(k, v) for k, v in _PAIR.findall(value))


def _carries_no_secret(words: list[str], value: str) -> bool:
    """A credential name whose literal value holds no secret all the same."""
    v = value.strip()
    if _carries_nothing(v) or _PATH.fullmatch(v) or _SWITCH.fullmatch(v):
        return True
    is_db_url = len(words) > 1 and words[-1].startswith(("URL", "URI")) and words[-2] in _DATABASES
    if not is_db_url or "://" not in v:
        return False
    return all(_carries_nothing(m.group(1)) for m in _URL_PASSWORD.finditer(v))


def credential_reason(name: str, value: str) -> str | None:
    """`"name"` or `"value"`: why a literal `value` of variable `name` is a credential; or None."""
    says = name_says(name)
    if says is NameSays.CREDENTIAL and not _carries_no_secret(_words(name), value):
        return "name"
    if is_credential_value(value):
        return "value"
    if says is NameSays.AMBIGUOUS and looks_random(value):
        return "value"
    return None
