"""API authentication by organisation key, and what a key can see of its organisation."""

from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from .models import ApiKey
from .services import api_key_authenticate


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer tk_…`. A revoked, unknown or malformed key gets 401."""

    openapi_description = "An organisation API key, made by an admin under Settings → API keys."

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return api_key_authenticate(token)


def api_key_of(request: HttpRequest) -> ApiKey:
    """The key the request was authenticated with (every operation requires one)."""
    return cast(ApiKey, request.auth)  # type: ignore[attr-defined]


router = Router(tags=["organisation"])


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    nation: str
    allowed_domains: list[str]


@router.get("/organisation", response=OrganisationOut, summary="The key's organisation")
def organisation(request: HttpRequest) -> OrganisationOut:
    org = api_key_of(request).organisation
    return OrganisationOut(
        slug=org.slug,
        name=org.name,
        kind=org.kind,
        nation=org.nation,
        allowed_domains=list(org.allowed_domains),
    )
