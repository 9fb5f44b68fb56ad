"""Which literal environment values are credentials, by the variable's name or the value's shape.

A literal `value` in `extraEnv` (or a sidecar's `env`) sits in plain text in the pod spec, the
state and the rendered manifests, so credentials must come by `valueFrom.secretKeyRef`.

By name (upper-cased and split into words on anything but letters and digits):

- a word that says "credential": `PASSWORD`, `PASSWD`, `PASSPHRASE`, `SECRET`, `CREDENTIAL(S)`
  and `WEBHOOK`, also inside a word (`PGPASSWORD`, `CLIENTSECRET`); `TOKEN` or a word ending
  in it (`GHTOKEN`; not `TOKENS` or `TOKENIZERS`, which count things); `CREDS`, `PAT`
  (personal access token) and `DSN`; `PASS` as the last word (`DB_PASS`); `PWD` after another
  word (`MYSQL_PWD`; a bare `PWD` is the working directory); `AUTH` after `BASIC`, `PROXY`,
  `HTTP` or `DIGEST` (`BASIC_AUTH`; not `AUTH_MODE` or `DISABLE_AUTH`); `CONNECTION_STRING`;
- `KEY` as a word (`API_KEY`, `LICENSE_KEY`), or glued to a word that makes it a credential
  (`APIKEY`, `PRIVATEKEY`, `SECRETKEY`, `ACCESSKEY`, ...), but not a key of a data structure
  (`PARTITION_KEY`, `SORT_KEY`, `CACHE_KEY`, `ROUTING_KEY`, ...) or a public key;
- a database URL: `URL` or `URI` after `DATABASE`, `DB`, `POSTGRES`, `PG`, `MYSQL`, `MONGO`...
  (`DATABASE_URL`), and any webhook URL (`SLACK_WEBHOOK_URL`): these URLs are credentials;
- unless the last word says the value is *about* the credential, not the credential: a file,
  path, name, id, length, limit, lifetime or switch (`PASSWORD_MIN_LENGTH`, `TOKEN_FILE`,
  `SECRET_NAME`, `API_KEY_HEADER`, `AUTH_ENABLED`), with two exceptions that are credentials
  whatever they end with: `AWS_ACCESS_KEY_ID` (half of an AWS key pair) and the URLs above.
- `GOOGLE_APPLICATION_CREDENTIALS` is a file path, not a credential.

By value, whatever the name: a URL with a password in it (`redis://:pw@host`), a PEM private
key, and the prefixes of well-known API keys (`lsv2_` LangSmith, `sk-` OpenAI and Anthropic,
`ghp_`/`github_pat_` GitHub, `xoxb-` Slack, `AKIA` AWS, `AIza` Google).

A name caught by mistake keeps working through `valueFrom.configMapKeyRef`.
"""

from __future__ import annotations

import re

_CREDENTIAL_INSIDE = re.compile(r"PASSWORD|PASSWD|PASSPHRASE|SECRET|CREDENTIAL|WEBHOOK")
_CREDENTIAL_WORDS = frozenset({"CREDS", "PAT", "DSN"})
_GLUED_KEY = re.compile(
    r"(API|SECRET|PRIVATE|ACCESS|SIGNING|ENCRYPTION|MASTER|LICEN[CS]E|AUTH|CLIENT|SERVICE"
    r"|ACCOUNT|SESSION|SSH|GPG|PGP|JWT|HMAC)KEY$"
)
# Words before `KEY` that make it a key of a data structure, or a public key: not a credential.
_NOT_SECRET_KEYS = frozenset(
    {"PARTITION", "SORT", "CACHE", "ROUTING", "PRIMARY", "FOREIGN", "SHARD", "IDEMPOTENCY",
     "LOOKUP", "GROUP", "MAP", "DEDUP", "DEDUPLICATION", "HASH", "HOT", "OBJECT", "S3", "PUBLIC"}
)  # fmt: skip
_DATABASES = frozenset(
    {"DATABASE", "DB", "POSTGRES", "POSTGRESQL", "PG", "MYSQL", "MARIADB", "MONGO", "MONGODB"}
)
# Last words that describe a credential rather than hold one.
_ABOUT = frozenset(
    {"FILE", "PATH", "DIR", "NAME", "ID", "URL", "URI", "ENDPOINT", "HOST", "PORT", "HEADER",
     "LENGTH", "LEN", "MIN", "MAX", "TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "LIFETIME",
     "TIMEOUT", "ENABLED", "DISABLED", "ENABLE", "DISABLE", "REQUIRED", "POLICY", "TYPE",
     "FIELD", "PARAM", "PREFIX", "SIZE", "COUNT", "LIMIT", "VERSION", "REF", "KIND", "MODE",
     "FORMAT", "ALGORITHM", "ALG", "ROTATION", "REGEX", "PATTERN", "SOCK", "SOCKET", "REGION",
     "ARN", "PROVIDER", "BACKEND", "STORE", "KEYS", "LOCATION"}
)  # fmt: skip
_ALWAYS = frozenset({"AWS_ACCESS_KEY_ID"})
_NEVER = frozenset({"GOOGLE_APPLICATION_CREDENTIALS"})

_SECRET_VALUE = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s:]*:[^/?#@\s]+@"  # a URL with a password
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|^(lsv2_|sk-[A-Za-z0-9_-]{16}|gh[pousr]_[A-Za-z0-9]{20}|github_pat_|xox[abposr]-"
    r"|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30})"
)


def _is_credential_word(words: list[str], i: int) -> bool:
    word = words[i]
    if _CREDENTIAL_INSIDE.search(word) or word.startswith("CREDENTIAL"):
        return True
    if word.endswith("TOKEN"):
        return True
    if word == "PWD":
        return i > 0
    if word == "KEY":
        return i == 0 or words[i - 1] not in _NOT_SECRET_KEYS
    if word == "PASS":
        return i == len(words) - 1
    if word == "AUTH":
        return i > 0 and words[i - 1] in {"BASIC", "PROXY", "HTTP", "DIGEST"}
    if word == "CONNECTION":
        return i + 1 < len(words) and words[i + 1] in {"STRING", "STR"}
    return word in _CREDENTIAL_WORDS or bool(_GLUED_KEY.search(word))


def is_credential_name(name: str) -> bool:
    """Does this environment variable name say that its value is a credential?"""
    upper = name.upper()
    if upper in _ALWAYS:
        return True
    if upper in _NEVER:
        return False
    words = [w for w in re.split(r"[^A-Z0-9]+", upper) if w]
    if not words:
        return False
    last = words[-1]
    if last in {"URL", "URI"} and len(words) > 1:
        before = words[-2]
        if before in _DATABASES or "WEBHOOK" in before:
            return True
    if last in _ABOUT:
        return False
    return any(_is_credential_word(words, i) for i in range(len(words)))


def is_credential_value(value: str) -> bool:
    """Does this literal value look like a credential, whatever its name?"""
    return bool(_SECRET_VALUE.search(value))
