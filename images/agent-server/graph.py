"""The example graph the node's Agent Server image serves (assistant `agent`).

One node that answers each message by counting it: no model and no network, so a run
completes anywhere, and its result shows that the thread's earlier messages were read back
from the runtime's store (Postgres) before the new one was added.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    messages: Annotated[list[dict[str, Any]], operator.add]


def count(state: State) -> dict[str, list[dict[str, Any]]]:
    said = [m for m in state["messages"] if m.get("role") == "user"]
    last = said[-1]["content"] if said else ""
    return {"messages": [{"role": "assistant", "content": f"message {len(said)}: {last}"}]}


builder = StateGraph(State)
builder.add_node("count", count)
builder.add_edge(START, "count")
builder.add_edge("count", END)
graph = builder.compile()
