"""The floor every layer stands on: names, defaults and pure checks, written once.

Standard library only (except `kube`, which names Pulumi's child options): the policy pack,
`preview_report` and the devtools import these modules without the program. This package
imports nothing else from `components`; see components/README.md.
"""
