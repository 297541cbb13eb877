"""How long the triage-bot command takes to start. Run `.venv/bin/python bench/startup.py`.

Each command runs as an operator runs it, a new Python process against a SQLite file holding
one submitted request, several times round-robin, so that a burst of load on a shared machine
falls on every row alike. Beside them, in the same run: a bare interpreter (`python -c pass`),
the parser alone (`import bot.cli`), and what the chat SDKs, the LLM client, the web server
and the scheduler cost to import, which no desk command should pay. Then, for `requests list`,
where its import time goes, by top-level package (`python -X importtime`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HEAVY = "import openai, slack_bolt, slack_sdk, botbuilder.core, aiohttp, apscheduler"
ANSWERS = [
    "New reps put discount codes in the wrong CRM field",
    "About 40 account managers in EMEA",
    "When a quote is converted into an order",
    "A wiki page nobody can find",
    "Order corrections below 5 a week by March",
    "skip",
    "submit",
]


def cases() -> list[tuple[str, list[str]]]:
    bot = [PYTHON, "-m", "bot"]
    return [
        ("python -c pass (baseline)", [PYTHON, "-c", "pass"]),
        ("import bot.cli (the parser)", [PYTHON, "-c", "import bot.cli"]),
        ("triage-bot --help", [*bot, "--help"]),
        ("triage-bot requests list", [*bot, "requests", "list"]),
        ("triage-bot review list", [*bot, "review", "list", "--as", "lnd-lead"]),
        ("SDKs, LLM client, aiohttp, apscheduler", [PYTHON, "-c", HEAVY]),
    ]


def run_once(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def import_time_by_package(env: dict[str, str]) -> dict[str, float]:
    """Seconds of import per top-level package for `requests list` (self times summed)."""
    completed = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "bot", "requests", "list"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        totals["bot" if package == "bot" else package] += int(self_us) / 1e6
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'startup.db'}",
            "TRIAGE_CONFIG": str(ROOT / "app.yaml"),
        }
        script = Path(folder) / "answers.txt"
        script.write_text("\n".join(ANSWERS) + "\n", encoding="utf-8")
        subprocess.run(
            [PYTHON, "-m", "bot", "chat", "--as", "Ana", "--script", str(script)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        timings: dict[str, list[float]] = defaultdict(list)
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            for name, command in cases():
                timings[name].append(run_once(command, env))
        load_after = os.getloadavg()[0]
        packages = import_time_by_package(env)

    print(
        f"start-up, {args.runs} runs each, {os.cpu_count()} cores, "
        f"load average {load_before:.1f} before and {load_after:.1f} after"
    )
    print(f"{'command':<40}{'median ms':>10}{'min ms':>9}")
    for name, samples in timings.items():
        print(f"{name:<40}{statistics.median(samples) * 1000:>10.0f}{min(samples) * 1000:>9.0f}")
    print("\nwhere `requests list` spends its import time (one run, self times by package)")
    shown = list(packages.items())[:8]
    for package, seconds in shown:
        print(f"  {package:<24}{seconds * 1000:>8.0f} ms")
    rest = sum(packages.values()) - sum(seconds for _, seconds in shown)
    print(f"  {'everything else':<24}{rest * 1000:>8.0f} ms")


if __name__ == "__main__":
    main()
