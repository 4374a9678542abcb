#!/usr/bin/env python
"""Every evaluation of the trained model in one process, so that the model is loaded once.

    python scripts/evaluate_model.py --model models/phare.tar.gz --stories tests/test_stories.yml \\
        --fr "--min-accuracy 0.86 ..." --en "--min-accuracy 0.60 ..." --crisis "--max-false 0.13"

Runs the dialogue test stories (what `rasa test core --fail-on-prediction-errors`
does, on the same loaded agent), then scripts/eval_nlu.py on the French held-out
set, then on the English one, then scripts/eval_crisis.py, each with its own
options (the floors live in scripts/test.sh), prints each report and exits with 1
if any of them failed. Loading the model costs tens of seconds; four separate
processes paid it four times in every CI run.
"""
from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import eval_crisis  # noqa: E402
import eval_nlu  # noqa: E402


def run_stories(options: list[str]) -> int:
    """`rasa test core --fail-on-prediction-errors` on the agent eval_nlu already loaded."""
    parser = argparse.ArgumentParser(prog="stories")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--stories", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "results" / "core")
    args = parser.parse_args(options)
    from rasa.core.test import WrongPredictionException
    from rasa.core.test import test as core_test

    eval_nlu.quiet_logging()
    agent = eval_nlu.load_agent(args.model)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        result = asyncio.run(core_test(str(args.stories), agent, out_directory=str(args.out),
                                       fail_on_prediction_errors=True, disable_plotting=True))
    except WrongPredictionException as error:
        print(f"Histoire en échec : {error}")
        return 1
    print(f"{args.stories.relative_to(ROOT) if args.stories.is_relative_to(ROOT) else args.stories} : "
          f"toutes les histoires passent (exactitude des actions {result['accuracy']:.3f})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "phare.tar.gz")
    parser.add_argument("--stories", type=Path, help="test stories to run first (tests/test_stories.yml)")
    parser.add_argument("--fr", default="", help="options of eval_nlu.py for the French held-out set")
    parser.add_argument("--en", default="", help="options of eval_nlu.py for the English held-out set")
    parser.add_argument("--crisis", default="", help="options of eval_crisis.py")
    args = parser.parse_args(argv)
    model = ["--model", str(args.model)]
    runs = (
        ("Évaluation NLU sur le jeu réservé (tests/nlu/heldout.yml)", eval_nlu.main, model + shlex.split(args.fr)),
        ("Évaluation NLU en anglais (tests/nlu/heldout_en.yml)", eval_nlu.main,
         model + ["--heldout", str(ROOT / "tests" / "nlu" / "heldout_en.yml")] + shlex.split(args.en)),
        ("Crise : jeu réservé (tests/nlu/crisis_eval.yml), rappel 100 %, bon niveau", eval_crisis.main,
         model + shlex.split(args.crisis)),
    )
    if args.stories:
        runs = (("Tests de dialogue (histoires de test, comme rasa test core)", run_stories,
                 model + ["--stories", str(args.stories)]),) + runs
    failed = []
    for title, run, options in runs:
        print(f"-- {title}", flush=True)
        if run(options) != 0:
            failed.append(title)
    for title in failed:
        print(f"ÉCHEC : {title}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
