"""The worker's schedule sends each month's briefing once to each person who asked for it, over
real SMTP (aiosmtpd), and a worker stopped mid-send sends no one a second copy."""

import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage
from django.core.management import call_command
from pytest_django.fixtures import Settings

from takeup.briefing import services
from takeup.briefing.models import BriefingDelivery, BriefingRun
from takeup.briefing.queries import runs_of
from takeup.briefing.tasks import briefings_due
from takeup.core import ticks
from takeup.organisations.models import Organisation, User

from ..factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The first working day of January 2027 is Monday the 4th (New Year's Day is a Friday).
FIRST_WORKING_DAY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


@pytest.fixture
def inbox(settings: Settings) -> Iterator[Inbox]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield handler
    controller.stop()


def opted_in(org: Organisation, n: int) -> list[User]:
    users = []
    for _ in range(n):
        user = UserFactory.create()
        MembershipFactory.create(organisation=org, user=user, role="viewer")
        services.opt_in_set(org, user, True)
        users.append(user)
    return users


class WorkerStopped(BaseException):
    """The worker killed between handing a mail to the server and recording that it went."""


def test_one_briefing_a_month_to_each_person_who_asked(inbox: Inbox) -> None:
    org = OrganisationFactory.create()
    users = opted_in(org, 2)
    UserFactory.create()  # not a member: never sent anything
    assert briefings_due(FIRST_WORKING_DAY - timedelta(days=1)) == []  # a Sunday: not yet
    assert len(briefings_due(FIRST_WORKING_DAY)) == 1
    assert briefings_due(FIRST_WORKING_DAY + timedelta(minutes=1)) == []  # the next tick
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert inbox.to() == sorted(u.email for u in users)
    message = inbox.messages[0]
    assert "December 2026" in str(message["Subject"])
    (pdf,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"{org.slug}-briefing-2026-12.pdf"
    assert bytes(pdf.get_payload(decode=True)).startswith(b"%PDF")
    # Ticks all month long, and a worker restarted, queue nothing more.
    for day in range(1, 27):  # to 30 January
        briefings_due(FIRST_WORKING_DAY + timedelta(days=day))
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert len(inbox.messages) == 2
    assert BriefingRun.objects.count() == 1


def test_a_restart_mid_send_sends_no_one_a_second_copy(inbox: Inbox) -> None:
    org = OrganisationFactory.create()
    users = opted_in(org, 3)
    (run,) = briefings_due(FIRST_WORKING_DAY)
    real_send = EmailMessage.send
    sent = 0

    def send_then_die(message: EmailMessage, fail_silently: bool = False) -> int:
        nonlocal sent
        result = real_send(message, fail_silently)
        sent += 1
        if sent == 2:
            raise WorkerStopped
        return result

    with mock.patch.object(EmailMessage, "send", send_then_die), pytest.raises(WorkerStopped):
        services.briefing_send(run)
    assert len(inbox.messages) == 2
    # The worker comes back: the queued send runs, and an hour on the schedule queues it again.
    call_command("db_worker", "--batch", "--no-startup-delay")
    briefings_due(FIRST_WORKING_DAY + timedelta(hours=2))
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert inbox.to() == sorted(u.email for u in users)  # three people, one email each
    statuses = dict(BriefingDelivery.objects.values_list("user__email", "status"))
    assert sorted(statuses.values()) == ["sending", "sent", "sent"]  # the one cut short is left
    shown = runs_of(org).get()
    assert (shown.sent_count, shown.unsent_count) == (2, 1)  # type: ignore[attr-defined]


def test_welsh_organisations_get_it_in_welsh_and_english(inbox: Inbox) -> None:
    org = OrganisationFactory.create(nation=Organisation.Nation.WALES)
    opted_in(org, 1)
    (run,) = briefings_due(FIRST_WORKING_DAY)
    services.briefing_send(run)
    (message,) = inbox.messages
    names = sorted(
        str(p.get_filename()) for p in message.walk() if p.get_content_type() == "application/pdf"
    )
    assert names == [f"{org.slug}-briefing-2026-12-cy.pdf", f"{org.slug}-briefing-2026-12.pdf"]
    assert "Rhagfyr 2026" in str(message["Subject"])  # December, in Welsh


def test_people_who_stop_it_are_not_sent_it(inbox: Inbox) -> None:
    org = OrganisationFactory.create()
    stays, leaves = opted_in(org, 2)
    services.opt_in_set(org, leaves, False)
    (run,) = briefings_due(FIRST_WORKING_DAY)
    assert services.briefing_send(run) == {"sent": 1, "skipped": 0, "failed": 0}
    assert inbox.to() == [stays.email]


def test_the_worker_clock_runs_the_schedule_and_survives_a_failure(settings: Settings) -> None:
    called: list[datetime] = []
    settings.TAKEUP_SCHEDULE = [
        "tests.briefing.test_sending.failing_job",
        "tests.briefing.test_sending.recording_job",
    ]
    with mock.patch("tests.briefing.test_sending.CALLS", called):
        ticks.tick(FIRST_WORKING_DAY)
    assert called == [FIRST_WORKING_DAY]


CALLS: list[datetime] = []


def failing_job(now: datetime) -> None:
    raise RuntimeError("broken")


def recording_job(now: datetime) -> None:
    CALLS.append(now)
