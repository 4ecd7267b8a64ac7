"""Writes for outreach, each recorded in the audit log."""

# Neighbourhoods
