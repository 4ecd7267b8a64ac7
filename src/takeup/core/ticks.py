"""The worker's clock: every minute it calls the functions named in TAKEUP_SCHEDULE with the
time. django-tasks queues work but has no schedule of its own. Each function decides for itself
whether anything is due and must be safe to call again (the briefing's is: briefing/tasks.py)."""

import logging
import threading
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

EVERY_SECONDS = 60


def tick(now: datetime | None = None) -> None:
    """Run each scheduled function once. One that fails is logged and does not stop the rest."""
    now = now or timezone.now()
    for name in settings.TAKEUP_SCHEDULE:
        try:
            import_string(name)(now)
        except Exception:
            logger.exception("scheduled %s failed", name)
        finally:
            close_old_connections()


def run(stop: threading.Event, every: float = EVERY_SECONDS) -> None:
    """Tick now and then every `every` seconds until `stop` is set."""
    while True:
        tick()
        if stop.wait(every):
            return
