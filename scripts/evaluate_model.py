#!/usr/bin/env python
"""Every evaluation of the trained model in one process, so that the model is loaded once.

    python scripts/evaluate_model.py --model models/phare.tar.gz \\
        --fr "--min-accuracy 0.86 ..." --en "--min-accuracy 0.60 ..." --crisis "--max-false 0.13"

Runs scripts/eval_nlu.py on the French held-out set, then on the English one,
then scripts/eval_crisis.py, each with its own options (the floors live in
scripts/test.sh), prints each report and exits with 1 if any of them failed.
Loading the model costs tens of seconds; three separate processes paid it three
times in every CI run.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import eval_crisis  # noqa: E402
import eval_nlu  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "phare.tar.gz")
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
