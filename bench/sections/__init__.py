"""The sections of bench/run, one module each, named as on the command line. Each has run(),
which measures and returns its rows (common.row); a section imports common, api_load and
seed_tools, never the runner (harness.py)."""
