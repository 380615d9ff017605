"""Offline accuracy, simulated conversations and scale runs: `python -m evaluation <command>`.

Commands: offline, simulate, scale, report. Each prints a table, or with --json one JSON object.
"""
