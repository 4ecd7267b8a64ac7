"""`takeup forecast FILE.csv …`: where take-up is heading, for any series of counts."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.core.text import date_argument
from takeup.ledger import forecast


class Command(BaseCommand):
    help = (
        "Forecast monthly digital take-up from daily, weekly or monthly counts in a CSV file, "
        "with 80% and 95% intervals, and say whether a target is on track."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--date-column", required=True)
        parser.add_argument("--digital", required=True, help="The column of digital transactions")
        parser.add_argument("--total", required=True, help="The column of all transactions")
        parser.add_argument("--horizon", type=int, default=24, help="Months ahead (default 24)")
        parser.add_argument("--target", type=float, help="The take-up target, per cent")
        parser.add_argument("--target-date", type=date_argument)
        parser.add_argument(
            "--switch",
            type=date_argument,
            action="append",
            default=[],
            help="A date the service changed for good (went online-only, say); repeatable",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON")

    def handle(self, *args: Any, **o: Any) -> None:
        if (o["target"] is None) != (o["target_date"] is None):
            raise CommandError("Give --target and --target-date together.")
        if o["target"] is not None and not 0 < o["target"] <= 100:
            raise CommandError("--target is a percentage between 0 and 100.")
        try:
            months, digital, total = forecast.read_counts_csv(
                o["file"], o["date_column"], o["digital"], o["total"]
            )
            horizon = o["horizon"]
            if o["target_date"] is not None:
                needed = (o["target_date"].year - months[-1].year) * 12 + (
                    o["target_date"].month - months[-1].month
                )
                if needed < 1:
                    raise forecast.ForecastError("--target-date must be after the last month.")
                horizon = max(horizon, needed)
            result = forecast.forecast(
                months, digital, total, horizon=horizon, switches=o["switch"]
            )
            status = (
                forecast.target_status(result, o["target"], o["target_date"])
                if o["target"] is not None
                else None
            )
        except (forecast.ForecastError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if o["json"]:
            self.stdout.write(json.dumps(forecast.forecast_json(result, status), indent=2))
            return
        self.stdout.write("month     take-up   80% interval      95% interval")
        for m in result.months:
            self.stdout.write(
                f"{m.month:%Y-%m}  {m.point:6.1f}%  {m.lower80:5.1f}–{m.upper80:5.1f}%  "
                f"{m.lower95:5.1f}–{m.upper95:5.1f}%"
            )
        if status is not None:
            gain = (
                f"; {status.gain_needed:+.2f} points a month still needed"
                if status.gain_needed is not None
                else ""
            )
            self.stdout.write(
                f"Target {o['target']:g}% by {o['target_date']:%B %Y}: {status.status}{gain}."
            )
