"""Reading the website engagement check's runs, always within one organisation."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from takeup.organisations.models import Organisation

from .models import Check, Page, Run


def runs_of(organisation: Organisation) -> QuerySet[Run]:
    return Run.objects.filter(organisation=organisation)


def run_of(organisation: Organisation, pk: int) -> Run | None:
    return Run.objects.filter(organisation=organisation, pk=pk).first()


def latest_two_done(organisation: Organisation) -> list[Run]:
    """The latest finished run and the one before it (for the change since)."""
    return list(runs_of(organisation).filter(status=Run.Status.DONE)[:2])


def latest_run(organisation: Organisation) -> Run | None:
    return runs_of(organisation).first()


def checks_of(run_ids: list[int]) -> QuerySet[Check]:
    return Check.objects.filter(run_id__in=run_ids)


def key_pages_of(run: Run) -> QuerySet[Page]:
    return Page.objects.filter(run=run).exclude(kind="").select_related("service")


def league_runs() -> list[Run]:
    """The latest finished run of each organisation that shares its figures, with its checks
    passed (`passed`) and answered (`answered`): the league table's rows, best first."""
    latest = (
        Run.objects.filter(organisation=OuterRef("organisation"), status=Run.Status.DONE)
        .order_by("-finished_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        Run.objects.filter(
            organisation__shares_figures=True, status=Run.Status.DONE, pk=Subquery(latest)
        )
        .select_related("organisation")
        .annotate(
            passed=Count("checks", filter=Q(checks__result="pass")),
            answered=Count("checks", filter=Q(checks__result__in=["pass", "fail"])),
        )
        .order_by("-d16", "-d17", "-passed", "organisation__name")
    )
