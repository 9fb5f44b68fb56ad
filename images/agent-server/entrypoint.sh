#!/bin/sh
# The Agent Server on every address at $PORT (the data plane sets it), as LangChain's image
# starts it: uvicorn with the server's own log formatter, no access log.
set -e
exec /opt/venv/bin/python -m uvicorn langgraph_api.server:app \
  --log-config /app/logging.json --no-access-log --host 0.0.0.0 --port "${PORT:-8000}"
