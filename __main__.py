"""The Pulumi program of this project: see components/program.py."""

from components.program import main

main()
