"""What reads the target cluster before anything is declared: the referenced objects and
foreign objects (`cluster_check`), the stack's ownership of its namespaces (`ownership`),
and the opt-in preflight of external stores (`preflight`). See components/README.md.
"""
