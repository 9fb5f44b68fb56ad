"""A local stand-in for the LangGraph (LangSmith Deployment) control-plane API.

Start it with::

    .venv/bin/python -m local_controlplane --host 127.0.0.1 --port 8765 \
        --state .work/controlplane/state.json

and point the client at ``http://127.0.0.1:8765`` with API key ``lsv2_local_dev_key``
(a local development key, not a secret). On first start (no state file yet) it seeds a
listener ``dev-cluster`` (namespace ``langgraph``) with deployments ``agent-alpha`` and
``agent-beta``, and a listener ``staging-cluster`` with ``agent-gamma``; ids are stable
(see :mod:`local_controlplane.seed`). ``/_admin`` is a local-only test API (see
:mod:`local_controlplane.admin`); tests use :func:`local_controlplane.testing.run_server`.
LangChain's own ``langgraph`` CLI works against it too (``langgraph deploy list --host-url
http://127.0.0.1:8765 --api-key lsv2_local_dev_key``); tests/local_controlplane drives it.
"""

from .app import create_app
from .seed import DEFAULT_API_KEY, DEFAULT_ORG_API_KEY, DEFAULT_TENANT_ID

__all__ = ["DEFAULT_API_KEY", "DEFAULT_ORG_API_KEY", "DEFAULT_TENANT_ID", "create_app"]
