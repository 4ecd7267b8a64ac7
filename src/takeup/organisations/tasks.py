"""Background work for organisations: emails that carry sign-in links."""

from datetime import datetime

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from takeup.core.priorities import PEOPLE_WAITING

from . import services
from .models import User


@task(priority=PEOPLE_WAITING)
def send_password_reset_email(email: str, base_url: str, language: str) -> bool:
    """Email a set-password link to the active user with this address, if there is one. The
    token is made here, so no secret waits in the task queue; an address with no account gets
    nothing. The task is safe to repeat."""
    user = User.objects.filter(email=email.lower(), is_active=True).first()
    if user is None:
        return False
    with translation.override(language):
        link = base_url.rstrip("/") + reverse(
            "password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {"user": user, "link": link}
        subject = render_to_string("organisations/email/reset_subject.txt", context).strip()
        body = render_to_string("organisations/email/reset_body.txt", context)
    send_mail(subject, body, None, [user.email])
    return True


def workers_due(now: datetime) -> list[str]:
    """Each minute (core/ticks.py): queue again the tasks of workers that stopped mid-task."""
    return services.lost_tasks_requeue(now)
