import time

from django.core.management.base import BaseCommand

from takeup.demo.services import demo_create


class Command(BaseCommand):
    help = "Build the demo organisation, Millbrook City Council, replacing any earlier build."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        org, sign_ins = demo_create()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {org.name}: {org.services.count()} services in "
                f"{org.service_areas.count()} service areas, in {seconds:.1f} s."
            )
        )
        self.stdout.write("Sign in at http://127.0.0.1:8000/sign-in/ as:")
        for s in sign_ins:
            self.stdout.write(f"  {s.role:<7} {s.email}  password: {s.password}")
