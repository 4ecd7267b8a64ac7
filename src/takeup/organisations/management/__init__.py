"""What the organisation-scoped commands share."""

from django.core.management.base import CommandError

from takeup.organisations.models import Organisation


def organisation_from(slug: str | None) -> Organisation:
    """The organisation a command is for: the one named by --organisation, or the only one."""
    if slug:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organisation has the slug '{slug}'.")
        return org
    orgs = list(Organisation.objects.all()[:2])
    if len(orgs) != 1:
        raise CommandError("Say which organisation with --organisation SLUG.")
    return orgs[0]
