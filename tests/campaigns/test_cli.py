"""`takeup estimate`: the engine on any CSV, as JSON or in words, and clear errors."""

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from takeup import cli
from takeup.campaigns import effect


@pytest.fixture
def series_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    lines = ["date,web,other"]
    for i in range(300):
        lift = 1.4 if i >= 270 else 1.0
        lines.append(
            f"{date(2025, 1, 1) + timedelta(i)},{rng.poisson(100 * lift)},{rng.poisson(80)}"
        )
    path = tmp_path / "series.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


ARGS = [
    "--date-column",
    "date",
    "--target",
    "web",
    "--pre-end",
    "2025-09-27",
    "--post-start",
    "2025-09-28",
    "--post-end",
    "2025-10-27",
    "--draws",
    "200",
]


def test_prints_the_estimate_as_json(series_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("estimate", str(series_csv), *ARGS, "--controls", "other", "--seed", "4")
    out = json.loads(capsys.readouterr().out)
    assert out["effect"]["lower"] < out["effect"]["point"] < out["effect"]["upper"]
    assert 800 < out["effect"]["point"] < 1600  # about 40 a day for 30 days
    assert out["p_value"] < 0.05 and out["prob_effect"] > 0.95
    assert {"fit_mape", "placebo_p_value", "grain", "short_pre_period"} <= set(out["checks"])
    assert out["seconds"] > 0 and out["draws"] == 200


def test_summary_in_words(series_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("estimate", str(series_csv), *ARGS, "--summary")
    text = capsys.readouterr().out
    assert text.startswith("Between 28 September 2025 and 27 October 2025 about")
    assert "95% interval" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--controls", "nope"], "has no column 'nope'"),
        (["--draws", "5"], "at least 100 posterior draws"),
        (["--post-end", "2025-13-27"], "--post-end: '2025-13-27' is not a date"),
    ],
)
def test_bad_arguments_say_what_to_fix(series_csv: Path, extra: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("estimate", str(series_csv), *ARGS, *extra)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("estimate", str(tmp_path / "missing.csv"), *ARGS)
    bad = tmp_path / "bad.csv"
    bad.write_text("date,web\n2025-01-01,12\n2025-01-02,lots\n")
    with pytest.raises(CommandError, match="Line 3, column web: 'lots' is not a number"):
        call_command("estimate", str(bad), *ARGS)


LIGHT = """
import json, sys
from takeup import cli
sys.argv = ["takeup", "estimate", *json.loads(sys.argv[1])]
try:
    cli.main()
except SystemExit as exc:
    code = exc.code
print("scipy.linalg imported" if "scipy.linalg" in sys.modules else "lapack alone", file=sys.stderr)
print("django imported" if "django" in sys.modules else "no django", code, file=sys.stderr)
"""


def _light(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, the test's own script
        [sys.executable, "-c", LIGHT, json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(cli.__file__).parent.parent)},
    )


def test_the_console_script_prints_the_same_json_without_setting_django_up(
    series_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(series_csv), *ARGS, "--controls", "other", "--seed", "4"]
    done = _light(args)
    assert done.stderr.strip().endswith("lapack alone\nno django 0")
    light = json.loads(done.stdout)
    call_command("estimate", *args)
    full = json.loads(capsys.readouterr().out)
    light.pop("seconds"), full.pop("seconds")
    assert light == full
    assert light["prob_effect"] > 0.975 and light["p_value"] < 0.05
    assert light["relative"]["shown"] and light["verdict"] == "increase"


def test_the_console_script_says_what_to_fix_in_one_line(series_csv: Path) -> None:
    done = _light([str(series_csv), *ARGS, "--controls", "nope"])
    assert done.stdout == ""
    assert done.stderr.startswith("CommandError: ") and "has no column 'nope'" in done.stderr
    assert done.stderr.strip().endswith("no django 1")


def test_the_light_path_defaults_match_the_engine() -> None:
    assert cli.DEFAULT_DRAWS == effect.DEFAULT_DRAWS


def test_the_fast_path_takes_the_same_options_as_the_command() -> None:
    from takeup.campaigns.management.commands.estimate import Command

    def options(parser: Any) -> set[str]:
        return {s for a in parser._actions for s in a.option_strings if s not in ("-h", "--help")}

    command = Command().create_parser("takeup", "estimate")
    django_own = {"--version", "-v", "--verbosity", "--settings", "--pythonpath", "--traceback"}
    django_own |= {"--no-color", "--force-color", "--skip-checks"}
    assert options(cli.estimate_parser()) == options(command) - django_own
