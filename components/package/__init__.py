"""The data plane as a Pulumi component package (package/, docs/package.md)."""
