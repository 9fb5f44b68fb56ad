"""The rules of the data plane's policy pack, as plain functions over plain data.

Nothing here imports the Pulumi SDK or `pulumi_policy`: `policy/__main__.py` turns what the
engine sends into `Resource` and `StackSettings` values and hands each rule's messages back
to the engine. So the project's unit tests can run the rules without the pack's virtualenv,
and the engine tests (tests/policy/) run them for real.
"""
