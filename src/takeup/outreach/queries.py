"""Reads for outreach, each scoped to one organisation."""

# Neighbourhoods
