"""Millbrook's outreach: digital zones, libraries and partners' premises in its most deprived
neighbourhoods, champions from four teams and volunteers with their pledges and training, and a
year of sessions with what brought each person and how they left. Made up, in Croydon's shape
(digital zones; about 1.25 hours with a champion; nearly everyone leaves more confident)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation
from takeup.outreach.models import (
    Champion,
    Helped,
    Neighbourhood,
    Place,
    Pledge,
    Session,
    Training,
)

# (name, kind, partner, opening times, equipment)
PLACES = [
    (
        "Central Library digital zone",
        "digital_zone",
        "",
        "Mon to Sat 09:30 to 17:00",
        "12 PCs, 6 tablets",
    ),
    ("Eastfield Library", "library", "", "Tue and Thu 10:00 to 12:00", "6 PCs"),
    ("Age UK Millbrook", "partner", "Age UK", "Wed 10:00 to 13:00", "4 tablets"),
    ("Northgate Jobcentre", "partner", "Jobcentre Plus", "Mon 13:00 to 16:00", "3 PCs"),
    (
        "Riverside Community Centre",
        "digital_zone",
        "Riverside Trust",
        "Fri 10:00 to 15:00",
        "8 laptops",
    ),
    ("Market Square pop-up", "pop_up", "", "First Saturday of the month", "2 tablets, mobile wifi"),
    ("Home visits", "home_visit", "Adult social care", "By appointment", "Tablet with data"),
]
# (name, kind, team, on the honour roll)
CHAMPIONS = [
    ("Aisha Khan", "staff", "Customer services", True),
    ("Ben Price", "staff", "Customer services", True),
    ("Carys Evans", "staff", "Libraries", True),
    ("Dev Patel", "staff", "Libraries", True),
    ("Eleanor Shaw", "staff", "Revenues and benefits", False),
    ("Femi Adeyemi", "staff", "Revenues and benefits", True),
    ("Grace O'Neill", "staff", "Adult social care", True),
    ("Harry Lewis", "volunteer", "", True),
    ("Irene Walsh", "volunteer", "", True),
    ("Jamal Hussain", "volunteer", "", False),
]
SERVICE_SLUGS = [
    "pay-council-tax",
    "apply-for-a-blue-badge",
    "report-a-missed-bin",
    "apply-to-join-the-housing-register",
    "renew-library-books",
]
AGES = ["under-25", "25-44", "45-59", "60-74", "75-plus", "not-say"]
AGE_WEIGHTS = [4, 10, 16, 35, 30, 5]
MOTIVATIONS = ["saving-money", "keeping-in-touch", "interests", "council-services", "other"]
MOTIVATION_WEIGHTS = [20, 25, 15, 35, 5]


def demo_outreach_create(org: Organisation, *, end: date) -> None:
    rng = random.Random(15)
    neighbourhoods = list(
        Neighbourhood.objects.filter(organisation=org, imd_rank__isnull=False).order_by("imd_rank")
    )
    places = []
    for i, (name, kind, partner, times, equipment) in enumerate(PLACES):
        places.append(
            Place.objects.create(
                organisation=org,
                name=name,
                kind=kind,
                partner=partner,
                opening_times=times,
                equipment=equipment,
                address=f"{10 + i} High Street, Millbrook" if kind != "home_visit" else "",
                # the most deprived neighbourhoods get places first, as a council would plan it
                neighbourhood=neighbourhoods[i * 3]
                if kind != "home_visit" and len(neighbourhoods) > i * 3
                else None,
                opened_on=end - timedelta(days=700 - 40 * i),
            )
        )
    champions = [
        Champion.objects.create(
            organisation=org, name=name, kind=kind, team=team, on_honour_roll=roll
        )
        for name, kind, team, roll in CHAMPIONS
    ]
    start = end - timedelta(days=364)
    for champion in champions:
        hours = Decimal(rng.choice([10, 20, 30, 40, 60]))
        Pledge.objects.create(
            champion=champion, hours=hours, made_on=start + timedelta(days=rng.randrange(60))
        )
    for title, kind, days_ago, minutes, team, attendees, trained in (
        ("Digital champion induction", "champion", 330, 180, "", 8, champions[:8]),
        (
            "How our online services work: revenues",
            "awareness",
            200,
            60,
            "Revenues and benefits",
            24,
            champions[4:6],
        ),
        (
            "How our online services work: libraries",
            "awareness",
            90,
            60,
            "Libraries",
            18,
            champions[2:4],
        ),
    ):
        training = Training.objects.create(
            organisation=org,
            title=title,
            kind=kind,
            held_on=end - timedelta(days=days_ago),
            duration_minutes=minutes,
            team=team,
            attendees=attendees,
        )
        training.champions.set(trained)
    services = {s.slug: s for s in Service.objects.filter(organisation=org, slug__in=SERVICE_SLUGS)}
    helped = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            for place in rng.sample(places, k=rng.choice([0, 1, 1, 2])):
                group = rng.random() < 0.2
                people = rng.randint(3, 8) if group else 1
                session = Session.objects.create(
                    organisation=org,
                    place=place,
                    held_on=day,
                    duration_minutes=rng.choice([60, 75, 75, 90]) if not group else 120,
                    kind="group" if group else "one_to_one",
                    people=people,
                )
                session.champions.set(rng.sample(champions, k=2 if group else 1))
                for _person in range(people if not group else people - 1):
                    motivation = rng.choices(MOTIVATIONS, MOTIVATION_WEIGHTS)[0]
                    service = (
                        services.get(rng.choice(SERVICE_SLUGS))
                        if motivation == "council-services"
                        else None
                    )
                    helped.append(
                        Helped(
                            session=session,
                            age_band=rng.choices(AGES, AGE_WEIGHTS)[0],
                            motivation=motivation,
                            service=service,
                            confidence=rng.choices([5, 4, 3, 2], [55, 40, 4, 1])[0],
                            completed=rng.choices(
                                ["yes", "partly", "no", "not-asked"], [70, 15, 5, 10]
                            )[0],
                            referred_to="Library computer course" if rng.random() < 0.15 else "",
                        )
                    )
        day += timedelta(days=1)
    Helped.objects.bulk_create(helped)
