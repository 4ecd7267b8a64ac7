"""The `takeup` console script: Django's management commands under one name.

`takeup estimate FILE.csv …` printing JSON is answered here without setting Django up: it needs
only the CSV reader and the effect engine (campaigns.effect), and Django's start-up alone (about
0.9 s) took longer than the estimate. With --summary (words in the chosen language), --help, a
bad argument or any option this fast path does not know, the management command answers
instead; both read the CSV and write the JSON with the same functions, so they print the same.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_DRAWS = 1000  # effect.DEFAULT_DRAWS, without importing numpy to build the parser


class _Fallback(Exception):
    """The fast path cannot answer: the management command will, with its own messages."""


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _Fallback(message)


def _day(text: str) -> Any:
    from takeup.core.text import parse_date

    return parse_date(text)


def estimate_parser() -> argparse.ArgumentParser:
    """The fast path's arguments: the management command's (takeup.campaigns…estimate), which
    a test keeps the same."""
    parser = _QuietParser(prog="takeup estimate", add_help=False)
    parser.add_argument("file", type=Path)
    parser.add_argument("--date-column", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--controls", default="")
    parser.add_argument("--pre-end", required=True, type=_day)
    parser.add_argument("--post-start", required=True, type=_day)
    parser.add_argument("--post-end", required=True, type=_day)
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--summary", action="store_true")
    return parser


def _fast_estimate(argv: list[str]) -> int | None:
    """`takeup estimate` as JSON without Django; None when the management command should answer
    (words, help, a bad argument, or options only Django's commands know)."""
    try:
        o, unknown = estimate_parser().parse_known_args(argv)
    except _Fallback:
        return None
    if unknown or o.summary:
        return None
    from takeup.campaigns import effect

    controls = [c.strip() for c in o.controls.split(",") if c.strip()]
    try:
        dates, target, xs = effect.read_series_csv(o.file, o.date_column, o.target, controls)
        result = effect.estimate(
            dates,
            target,
            xs if controls else None,
            control_names=controls,
            pre_end=o.pre_end,
            post_start=o.post_start,
            post_end=o.post_end,
            draws=o.draws,
            seed=o.seed,
        )
    except effect.EffectError as exc:
        print(f"CommandError: {exc}", file=sys.stderr)
        return 1
    print(effect.estimate_json(result))
    return 0


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["estimate"] and not {"-h", "--help"} & set(args):
        code = _fast_estimate(args[1:])
        if code is not None:
            raise SystemExit(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takeup.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["takeup", *args])


if __name__ == "__main__":
    main()
