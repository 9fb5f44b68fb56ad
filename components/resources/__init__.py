"""The ComponentResources: `DataPlane` and its children, one component per module, and
what only they share (`data_store`). They take `*Args` (components.spec) and never read
config. See components/README.md.
"""
