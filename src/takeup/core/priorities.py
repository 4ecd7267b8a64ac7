"""Which background work goes first. The database queue (django-tasks-db) hands out the highest
priority first, then the oldest, so work someone is waiting for is never stuck behind another
organisation's batch work: a 500-page crawl or 100 forecasts queue behind every import."""

# Someone is looking at a page or an inbox for this: an import they confirmed, a sign-in email.
PEOPLE_WAITING = 50
# Work each organisation's figures need sooner or later, which nobody is watching: crawls,
# forecasts, estimates, briefings, feeds and pulls.
BATCH = -50
