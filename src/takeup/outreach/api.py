"""The outreach API: places, sessions with the people helped (bands and counts only), and the
neighbourhoods with their priority score. Every list is the key's organisation's."""

from ninja import Router

router = Router(tags=["outreach"])

# Neighbourhoods
