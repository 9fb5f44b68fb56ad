"""The transport under the control-plane client: one shared httpx client, the retries and
the deadline of each call, and the mapping of every failure to a typed error.

`ControlPlaneClient` (`client.py`) adds the API's endpoints on top of `Transport`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Self, TypeVar

import httpx
import pydantic

from ..core.endpoint import DEFAULT_DEADLINE_SECONDS, DEFAULT_TIMEOUT_SECONDS
from .deadline import Deadline, binding, enforce_deadlines, sockets_obey, time_limit
from .errors import (
    ControlPlaneError,
    ProtocolError,
    UnavailableError,
    error_from_response,
    excerpt,
)
from .regions import resolve_base_url
from .retry import (
    RETRYABLE_STATUSES,
    Outcome,
    RetryBudget,
    RetryPolicy,
    describe_exception,
    parse_retry_after,
    retry_after_of,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
USER_AGENT = "langgraph-dataplane-pulumi/0.1.0"

M = TypeVar("M", bound=pydantic.BaseModel)


def _status_cause(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = value
    return out


class Transport:
    """Sends the calls of a :class:`~components.controlplane.client.ControlPlaneClient`
    (its arguments are documented there)."""

    def __init__(
        self,
        api_key: str,
        *,
        region: str | None = None,
        base_url: str | None = None,
        tenant_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        deadline: float | None = DEFAULT_DEADLINE_SECONDS,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        transport: httpx.BaseTransport | None = None,
        retry_after_max: float = 60.0,
        retry_budget: RetryBudget | None = None,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError(
                "control-plane API key is empty; set `dataplane:apiKey` "
                "(pulumi config set --secret dataplane:apiKey ...)"
            )
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if deadline is not None and deadline <= 0:
            raise ValueError("deadline must be positive")
        self._api_key = api_key.strip()
        self.base_url = resolve_base_url(region, base_url)
        self.tenant_id = tenant_id or None
        self.timeout = timeout
        self.deadline = deadline
        self.retry = RetryPolicy(
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            retry_after_max=retry_after_max,
        )
        self.retry_budget = retry_budget or RetryBudget()
        self._transport = transport
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._request_count = 0

    # -- lifecycle ------------------------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, tenant_id={self.tenant_id!r}, "
            "api_key=<hidden>)"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        # Locks and open connections cannot be pickled (e.g. by Pulumi dynamic providers).
        state = self.__dict__.copy()
        for name in ("_http", "_lock", "_count_lock"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._http = None
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()

    def close(self) -> None:
        """Close pooled connections. The client may be used again (it reconnects lazily)."""
        with self._lock:
            http, self._http = self._http, None
        if http is not None:
            http.close()

    @property
    def http(self) -> httpx.Client:
        """The shared :class:`httpx.Client`, created on first use."""
        http = self._http
        if http is not None:
            return http
        with self._lock:
            if self._http is None:
                headers = {
                    "X-Api-Key": self._api_key,
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                }
                if self.tenant_id:
                    headers["X-Tenant-Id"] = self.tenant_id
                self._http = httpx.Client(
                    headers=headers,
                    timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                    transport=self._transport,
                    follow_redirects=False,
                    limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
                )
                enforce_deadlines(self._http)
            return self._http

    @property
    def request_count(self) -> int:
        """Number of HTTP attempts sent by this client (retries included)."""
        with self._count_lock:
            return self._request_count

    def reset_request_count(self) -> None:
        with self._count_lock:
            self._request_count = 0

    def _count_attempt(self) -> None:
        with self._count_lock:
            self._request_count += 1

    def time_limit(self, seconds: float, what: str, setting: str) -> Any:
        """A context in which every call (of any client, in this thread) ends within `seconds`
        from now: a deadline for a group of calls, e.g. the whole discovery."""
        return time_limit(seconds, what, setting)

    # -- core request loop ----------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        resource: str | None = None,
        resource_id: str | None = None,
    ) -> httpx.Response:
        """Send one API call with retries; return a 2xx response or raise a typed error."""
        url = self._url(path)
        query = _clean_params(params or {})
        policy = self.retry
        attempts = 0
        own = self.deadline if self.deadline is not None else float("inf")
        deadline = binding(Deadline.after(own, "call", "dataplane:controlPlane.deadlineSeconds"))
        if deadline.remaining() <= 0:
            raise self._unavailable(method, url, 0, deadline.describe(), None, False)

        def attempt() -> Outcome:
            nonlocal attempts
            attempts += 1
            self._count_attempt()
            try:
                return self.http.request(method, url, params=query or None, json=body)
            except httpx.TransportError as exc:
                return exc

        def on_retry(outcome: Outcome, delay: float, attempt: int) -> None:
            if isinstance(outcome, httpx.TransportError):
                what = f"failed ({describe_exception(outcome)})"
            else:
                what = f"answered {_status_cause(outcome)}"
            logger.warning(
                "control plane %s %s %s; retrying in %.2fs (attempt %d of %d)",
                method,
                url,
                what,
                delay,
                attempt,
                policy.max_attempts,
            )

        budget = self.retry_budget.call()
        held = self.retry_budget.held_for()
        if held > 0:  # another call was told to wait (`Retry-After`): this one waits too
            if held >= deadline.remaining():
                cause = deadline.too_short_for(held, held)
                hint = deadline.advice_for_wait(held)
                raise self._unavailable(method, url, 0, cause, None, False, hint)
            policy.sleep(held)
        with sockets_obey(deadline):
            outcome = policy.run(
                method, attempt, on_retry, max_seconds=deadline.remaining(), budget=budget
            )
        # Stopped with a retry left to make: the budget had none, or time ran out.
        out_of_time = deadline.remaining() <= 0 or (
            not budget.refused
            and attempts < policy.max_attempts
            and policy.retry_outcome(method, outcome)
        )
        late = f"; {deadline.describe()}" if out_of_time else ""
        advice: str | None = None
        asked = parse_retry_after(retry_after_of(outcome)) if out_of_time else None
        if asked is not None:
            waits = min(asked, policy.retry_after_max)
            if waits > 0 and waits >= deadline.remaining():
                # Stopped because the server's wait ends past the deadline, not for lack of
                # time to try: say so, and which setting would let the call wait.
                late = f"; {deadline.too_short_for(asked, waits)}"
                advice = deadline.advice_for_wait(waits)
        if budget.refused:
            late = (
                "; no retry left in the client's retry budget: the control plane turned away "
                "many requests at once"
            )
        if isinstance(outcome, httpx.TransportError):
            retryable = policy.retry_exception(method, outcome)
            reached = not retryable and policy.may_have_reached_server(outcome)
            cause = describe_exception(outcome) + late
            raise self._unavailable(method, url, attempts, cause, None, reached) from outcome
        status = outcome.status_code
        if status in RETRYABLE_STATUSES:
            retryable = policy.retry_status(method, status)
            cause = _status_cause(outcome) + late
            raise self._unavailable(method, url, attempts, cause, status, not retryable, advice)
        if status >= 400 or status < 200 or 300 <= status < 400:
            raise self._error(outcome, method, resource, resource_id)
        return outcome

    def _unavailable(
        self,
        method: str,
        url: str,
        attempts: int,
        cause: str,
        status_code: int | None,
        may_have_reached_server: bool,
        advice: str | None = None,
    ) -> UnavailableError:
        tries = "try" if attempts == 1 else "tries"
        message = f"control plane at {self.base_url} unavailable after {attempts} {tries}: {cause}"
        message += f" ({method} {url})."
        if may_have_reached_server:
            message += (
                f" The {method} was not retried because it may already have reached the "
                "server: check whether it took effect before trying again."
            )
        elif advice is not None:
            message += f" {advice}"
        else:
            message += (
                " Check the network path to the control plane (`dataplane:controlPlane.url` or "
                "`region`), or try again later."
            )
        return UnavailableError(
            message,
            attempts=attempts,
            last_cause=cause,
            may_have_reached_server=may_have_reached_server,
            status_code=status_code,
            method=method,
            url=url,
        )

    def _error(
        self,
        response: httpx.Response,
        method: str,
        resource: str | None,
        resource_id: str | None,
    ) -> ControlPlaneError:
        text = response.text
        detail: Any = None
        json_ok = False
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = None
        else:
            if isinstance(data, dict) and "detail" in data:
                detail = data["detail"]
                json_ok = True
        return error_from_response(
            method=method,
            url=str(response.request.url),
            status_code=response.status_code,
            body_text=text,
            detail=detail,
            json_ok=json_ok,
            resource=resource,
            resource_id=resource_id,
            api_key=self._api_key,
            tenant_id=self.tenant_id,
        )

    def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            body = excerpt(response.text)
            raise ProtocolError(
                f"control plane answered {response.request.method} {response.request.url} "
                f"with HTTP {response.status_code} and a body that is not JSON: {body!r}. "
                "Check the control-plane base URL (is it the API host, with `/api-host` for "
                "a self-hosted LangSmith?) and any proxy in between.",
                body_excerpt=body,
                status_code=response.status_code,
                method=response.request.method,
                url=str(response.request.url),
            ) from None

    def _model(self, model: type[M], data: Any, response: httpx.Response) -> M:
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise self._shape_error(model.__name__, exc, response) from None

    def _shape_error(
        self, what: str, exc: pydantic.ValidationError | str, response: httpx.Response
    ) -> ProtocolError:
        if isinstance(exc, str):
            problems = exc
        else:
            errors = exc.errors(include_input=False, include_url=False)
            shown = [
                f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in errors[:5]
            ]
            if len(errors) > 5:
                shown.append(f"... {len(errors) - 5} more")
            problems = "; ".join(shown)
        # No body excerpt here: a well-formed JSON body may carry secret values.
        return ProtocolError(
            f"control plane answered {response.request.method} {response.request.url} "
            f"(HTTP {response.status_code}) with an unexpected {what} shape: {problems}. "
            "The API may have changed; update the client.",
            status_code=response.status_code,
            method=response.request.method,
            url=str(response.request.url),
        )

    def _call(
        self,
        model: type[M],
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        resource: str | None = None,
        resource_id: str | None = None,
    ) -> M:
        response = self._send(
            method, path, params=params, body=body, resource=resource, resource_id=resource_id
        )
        return self._model(model, self._json(response), response)

    def _paginate(
        self,
        model: type[M],
        path: str,
        params: Mapping[str, Any],
        page_size: int,
        *,
        resource: str | None = None,
        resource_id: str | None = None,
    ) -> Iterator[M]:
        """Follow ``limit``/``offset`` pages to the end, sending back the server's offset."""
        limit = max(1, min(MAX_PAGE_SIZE, int(page_size)))
        offset = 0
        seen: set[str] = set()
        while True:
            page_params = {**params, "limit": limit, "offset": offset}
            response = self._send(
                "GET", path, params=page_params, resource=resource, resource_id=resource_id
            )
            data = self._json(response)
            if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
                raise self._shape_error(
                    "page", "expected an object with a `resources` list", response
                )
            items = data["resources"]
            for raw in items:
                item = self._model(model, raw, response)
                item_id = getattr(item, "id", None)
                if isinstance(item_id, str):
                    if item_id in seen:  # the list shifted under us between pages
                        continue
                    seen.add(item_id)
                yield item
            if len(items) < limit:
                return
            next_offset = data.get("offset")
            if (
                not isinstance(next_offset, int)
                or isinstance(next_offset, bool)
                or next_offset <= offset
            ):
                next_offset = offset + len(items)
            offset = next_offset
