"""Links never leave the council's domains: addresses are read as browsers read them."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from takeup.catalogue.models import Service
from takeup.catalogue.services import domain_allowed, service_save
from takeup.core.weburls import UnsafeAddress, checked, host
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db
DOMAINS = ["millbrook.gov.uk"]
TRICKS = [
    "https://evil.example\\@www.millbrook.gov.uk/",
    "https://evil.example\\\\@www.millbrook.gov.uk/",
    "https://www.millbrook.gov.uk:443@evil.example/",
    "https://user:pw@www.millbrook.gov.uk/",
    "https://www.millbrook.gov.uk.evil.example/",
    "https://evil.example/www.millbrook.gov.uk",
    "https://evil.example?.millbrook.gov.uk",
    "https://evil.example#.millbrook.gov.uk",
    "https://www.millbrook.gov.uk%2f.evil.example/",
    "https://www.millbrook.gov.uk\t.evil.example/",
    "https://www.millbrook.gov.uk\n/",
    "https://www.millbrook.gov.uk /x",
    "javascript://www.millbrook.gov.uk/%0aalert(1)",
    "data:text/html,https://www.millbrook.gov.uk",
    "//evil.example/",
    "https://xn--millbrook-gov-uk.example/",
    "https://millbrook.gov.uk.",  # fine for a browser, but we store it only if it is allowed
]


@pytest.mark.parametrize("address", TRICKS[:-1])
def test_tricks_are_refused(address: str) -> None:
    assert not domain_allowed(address, DOMAINS)


@pytest.mark.parametrize(
    "address",
    [
        "https://www.millbrook.gov.uk/bins",
        "https://millbrook.gov.uk/",
        "HTTPS://WWW.MILLBROOK.GOV.UK/Bins?x=1#top",
        "https://forms.millbrook.gov.uk/report/bin",
    ],
)
def test_real_addresses_pass(address: str) -> None:
    assert domain_allowed(address, DOMAINS)
    assert host(checked(address)).endswith("millbrook.gov.uk")


def test_the_backslash_trick_is_refused_when_saved(org: Organisation) -> None:
    with pytest.raises(ValidationError) as failed:
        service_save(
            organisation=org,
            name="Evil",
            area=org.service_areas.create(name="A", slug="a"),
            kind="report",
            online_url="https://evil.example\\@www.millbrook.gov.uk/",
        )
    assert "backslashes" in str(failed.value.message_dict["online_url"])
    assert not Service.objects.filter(name="Evil").exists()
    with pytest.raises(UnsafeAddress, match="user name"):
        checked("https://a@www.millbrook.gov.uk/")


def test_the_api_refuses_it_with_a_clear_error(api_client: Client, org: Organisation) -> None:
    area = org.service_areas.create(name="Waste", slug="waste")
    response = api_client.post(
        "/api/services",
        {
            "name": "Evil",
            "area": area.slug,
            "kind": "report",
            "online_url": "https://evil.example\\@www.millbrook.gov.uk/",
        },
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert "online_url" in response.content.decode()
    assert not Service.objects.filter(name="Evil").exists()


@pytest.mark.parametrize(
    "address", [*TRICKS[:4], "https://www.millbrook.gov.uk/path", "ftp://x.uk"]
)
def test_survey_websites_refuse_tricks(org: Organisation, address: str) -> None:
    from takeup.insight.services import survey_save

    with pytest.raises(ValidationError) as failed:
        survey_save(organisation=org, name="S", sampling_percent=10, allowed_origins=[address])
    assert "allowed_origins" in failed.value.message_dict


def test_survey_websites_are_kept_as_browsers_send_them(org: Organisation) -> None:
    from takeup.insight.services import survey_save

    survey = survey_save(
        organisation=org,
        name="S",
        sampling_percent=10,
        allowed_origins=["https://WWW.Millbrook.gov.uk:443/", "https://www.millbrook.gov.uk"],
    )
    assert survey.allowed_origins == ["https://www.millbrook.gov.uk"]


@pytest.mark.parametrize(
    "address",
    [
        "/go/%00",
        "/go/a%00b/",
        "/s/%00/",
        "/s/%00/config.json",
        "/o/x/take-up/?area=%00",
    ],
)
def test_a_nul_in_an_address_is_refused_not_a_server_error(address: str) -> None:
    # Found on PostgreSQL, which refuses NUL in text: these lookups were 500s.
    response = Client(raise_request_exception=False).get(address)
    assert response.status_code == 400 and b"NUL" in response.content
    post = Client(raise_request_exception=False).post(
        "/s/%00/responses", "{}", content_type="application/json"
    )
    assert post.status_code == 400
