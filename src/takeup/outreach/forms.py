"""Forms for outreach: places, sessions (quick to fill on a phone), champions, pledges and
training."""

# Neighbourhoods
