"""Pulumi dynamic providers that talk to the LangGraph control plane."""
