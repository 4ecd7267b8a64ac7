"""What the outreach pages show, built from queries: the inclusion lead's summary, the honour
roll, and each service's assisted-digital estimate."""

# Neighbourhoods
