"""The `workbench` command line: a thin adapter over the core."""
