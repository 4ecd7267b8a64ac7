from django.db.models import Count, Q, QuerySet

from takeup.organisations.models import Organisation, User

from .models import BriefingDelivery, BriefingOptIn, BriefingRun


def opted_in(organisation: Organisation, user: User) -> bool:
    return BriefingOptIn.objects.filter(organisation=organisation, user=user).exists()


def runs_of(organisation: Organisation) -> QuerySet[BriefingRun]:
    """The months sent, with how many emails went and how many did not (failed, or cut short
    by a worker that stopped: those are not retried, so a person may need to check)."""
    sent = Q(deliveries__status=BriefingDelivery.Status.SENT)
    return BriefingRun.objects.filter(organisation=organisation).annotate(
        sent_count=Count("deliveries", filter=sent),
        unsent_count=Count("deliveries", filter=~sent),
    )
