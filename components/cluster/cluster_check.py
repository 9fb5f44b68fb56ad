"""Check the target cluster before anything is declared: one clear error that names the fix.

Without this, a kubeconfig that points nowhere shows up late and badly: a preview plans to
replace every object (the provider's cluster changed), a kubeconfig whose current context
does not exist is accepted silently, and a namespace that is missing while
`namespaces.create` is false fails object by object. Here each is one `ConfigError`, raised
before the program declares any resource, so the state is left as it was.

Reads the kubeconfig as the Kubernetes clients do (current context, its cluster and user);
reaches the API server with the user's client certificate or token. Users that
authenticate with an exec plugin or an auth provider are checked for reachability only.
"""

from __future__ import annotations

import base64
import os
import ssl
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import yaml

from ..config import NAMESPACE, ConfigError
from ..planning.referenced import Found, Referenced

KUBECONFIG_KEY = f"{NAMESPACE}:kubeconfig"
TIMEOUT_SECONDS = 10.0


def check_cluster(
    kubeconfig: str,
    namespaces: list[str],
    create_namespaces: bool,
    referenced: Sequence[Referenced] = (),
) -> None:
    """Raise a ConfigError when the cluster of `kubeconfig` cannot take the stack: it is out
    of reach, a namespace the stack does not create is missing, or an object the servers
    need but the stack does not make (`referenced`) is."""
    with connected(kubeconfig) as (http, server):
        absent = [] if create_namespaces else namespaces
        missing = [ns for ns in absent if _status(http, f"/api/v1/namespaces/{ns}") == 404]
        unmet = [
            f"{r.problem(found)} Nothing was changed." for r, found in _lookups(http, referenced)
        ]
    if missing:
        names = ", ".join(missing)
        raise ConfigError(
            [
                f"{NAMESPACE}:namespaces.names: namespace {names} does not exist in the cluster "
                f"{server}, and {NAMESPACE}:namespaces.create is false. Fix: create it first "
                f"(kubectl create namespace {missing[0]}), or set {NAMESPACE}:namespaces.create "
                "to true so that the stack creates it."
            ]
        )
    if unmet:
        raise ConfigError(unmet)


@contextmanager
def connected(kubeconfig: str) -> Iterator[tuple[httpx.Client, str]]:
    """An HTTP client of the API server of `kubeconfig` (its current context), and the
    server's URL; a ConfigError naming the fix when it cannot be read or reached."""
    path = Path(os.path.expanduser(kubeconfig))
    fix_path = f"Fix: point {KUBECONFIG_KEY} (or DATAPLANE_KUBECONFIG) at a valid kubeconfig."
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError([f"{KUBECONFIG_KEY}: cannot read {path}: {exc}. {fix_path}"]) from None
    context_name = doc.get("current-context") or ""
    contexts = {c.get("name"): c.get("context") or {} for c in doc.get("contexts") or []}
    if context_name not in contexts:
        known = ", ".join(sorted(str(n) for n in contexts)) or "none"
        raise ConfigError(
            [
                f"{KUBECONFIG_KEY}: the current context {context_name!r} of {path} is not one "
                f"of its contexts ({known}). Fix: set its current-context to one of them "
                f"(kubectl --kubeconfig {path} config use-context <name>), or point "
                f"{KUBECONFIG_KEY} at the kubeconfig of the cluster you mean."
            ]
        )
    context = contexts[context_name]
    cluster = _named(doc, "clusters", "cluster", context.get("cluster"))
    user = _named(doc, "users", "user", context.get("user"))
    server = cluster.get("server")
    if not server:
        raise ConfigError(
            [
                f"{KUBECONFIG_KEY}: context {context_name!r} of {path} names no cluster server. "
                + fix_path
            ]
        )
    with _client(path.parent, server, cluster, user) as http:
        try:
            http.get("/version")
        except httpx.HTTPError as exc:
            raise ConfigError(
                [
                    f"{KUBECONFIG_KEY}: cannot reach the Kubernetes API server {server} "
                    f"(context {context_name!r} of {path}): {type(exc).__name__}: {exc}. "
                    "Nothing was changed. Fix: start that cluster (the local one: "
                    f"scripts/cluster.sh start), or point {KUBECONFIG_KEY} at a reachable one."
                ]
            ) from None
        yield http, server


def _lookups(
    http: httpx.Client, referenced: Sequence[Referenced]
) -> Iterator[tuple[Referenced, Found]]:
    """Each referenced object that the cluster says is missing (or lacks the key), with what
    it found; objects the cluster cannot tell about are left to the pods' events."""
    for ref in referenced:
        plural = "secrets" if ref.kind == "Secret" else "serviceaccounts"
        try:
            response = http.get(f"/api/v1/namespaces/{ref.namespace}/{plural}/{ref.name}")
        except httpx.HTTPError:
            continue
        if response.status_code == 404:
            yield ref, Found.MISSING
        elif response.status_code == 200 and ref.key is not None:
            try:
                body = response.json()
            except ValueError:
                continue
            keys = {*(body.get("data") or {}), *(body.get("stringData") or {})}
            if ref.key not in keys:
                yield ref, Found.NO_KEY


def _named(doc: dict[str, Any], section: str, key: str, name: Any) -> dict[str, Any]:
    for entry in doc.get(section) or []:
        if entry.get("name") == name:
            return entry.get(key) or {}
    return {}


def _status(http: httpx.Client, path: str) -> int | None:
    """The HTTP status of a GET; None when the cluster cannot tell (no credentials, an
    error): then the check stays silent and the engine reports what it finds."""
    try:
        status = http.get(path).status_code
    except httpx.HTTPError:
        return None
    return status if status in (200, 404) else None


@contextmanager
def _client(
    base: Path, server: str, cluster: dict[str, Any], user: dict[str, Any]
) -> Iterator[httpx.Client]:
    """An HTTP client of the API server with the kubeconfig's CA and credentials."""
    with tempfile.TemporaryDirectory() as scratch:

        def material(field: str, section: dict[str, Any], name: str) -> str | None:
            """A file path: as given (relative to the kubeconfig) or written from *-data."""
            if section.get(f"{field}-data"):
                target = Path(scratch) / name
                target.write_bytes(base64.b64decode(section[f"{field}-data"]))
                return str(target)
            if section.get(field):
                return str(base / os.path.expanduser(section[field]))
            return None

        ca = material("certificate-authority", cluster, "ca.crt")
        try:
            tls = ssl.create_default_context(cafile=ca)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                [
                    f"{KUBECONFIG_KEY}: the cluster's CA certificate {ca} does not load: {exc}. "
                    "Fix: regenerate the kubeconfig, or point at a valid one."
                ]
            ) from None
        if cluster.get("insecure-skip-tls-verify"):
            tls.check_hostname = False
            tls.verify_mode = ssl.CERT_NONE
        cert = material("client-certificate", user, "client.crt")
        key = material("client-key", user, "client.key")
        try:
            if cert:
                tls.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                [
                    f"{KUBECONFIG_KEY}: the client certificate {cert} does not load: {exc}. "
                    "Fix: regenerate the kubeconfig, or point at a valid one."
                ]
            ) from None
        headers: dict[str, str] = {}
        token = user.get("token")
        if not token and user.get("tokenFile"):
            with suppress(OSError):
                token = Path(user["tokenFile"]).read_text().strip()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        with httpx.Client(
            base_url=server, verify=tls, headers=headers, timeout=TIMEOUT_SECONDS
        ) as http:
            yield http
