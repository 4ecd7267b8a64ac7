"""`takeup estimate FILE.csv …`: the effect engine on any daily series, for analysts.

The JSON path is answered by takeup.cli without Django (it starts faster); this command answers
the rest (--summary in words, --help) and `manage.py estimate`. Both share takeup.cli's reader
and output, so they print the same.
"""

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.campaigns.reports import summary_text
from takeup.cli import EstimateInputError, estimate_arguments, estimate_json, run_estimate


class Command(BaseCommand):
    help = (
        "Estimate the effect of an intervention on a daily series in a CSV file, with 95% "
        "intervals from a Bayesian structural time-series model. Prints JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        estimate_arguments(parser)

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            result = run_estimate(o)
        except (EstimateInputError, argparse.ArgumentTypeError) as exc:
            raise CommandError(str(exc)) from exc
        if o["summary"]:
            self.stdout.write(
                summary_text(
                    start=result.post_start,
                    end=result.post_end,
                    subject=o["target"],
                    effect=result.effect,
                    lower=result.effect_lower,
                    upper=result.effect_upper,
                    relative=result.relative if result.relative_shown else None,
                    judgeable=result.checks.fit_ok,
                )
            )
            return
        self.stdout.write(estimate_json(result))
