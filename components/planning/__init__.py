"""From the stack config and the control plane to component arguments: discovery, the
referenced objects, the local chart check and the plan itself (pure). See components/README.md.
"""
