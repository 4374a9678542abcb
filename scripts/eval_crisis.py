#!/usr/bin/env python
"""Crisis evaluation on tests/nlu/crisis_eval.yml (written apart from the training data).

    python scripts/eval_crisis.py --model models/phare.tar.gz   # the trained model (final intent)
    python scripts/eval_crisis.py --patterns                    # bot.nlu.crisis.detect_crisis alone

Prints crisis recall (a crisis message gets any crisis answer), level
accuracy (the right one: 911, 1 866 APPELLE, SOS violence conjugale, 811),
and the false crisis rate on the non-crisis messages; exits with code 1 when
recall < 100 %, level accuracy < --min-level, false crisis > --max-false, or
when an evaluation message is a copy or near paraphrase of a training example.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

EVAL_SET = ROOT / "tests" / "nlu" / "crisis_eval.yml"
LEVEL_INTENTS = {
    "danger": "crisis_medical",
    "suicide": "crisis_suicide",
    "violence": "crisis_violence",
    "health": "crisis_health",
}
CRISIS_INTENTS = set(LEVEL_INTENTS.values())


def load_set(path: Path = EVAL_SET) -> dict[str, list]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    crisis = [(str(text), level) for level, texts in data["crisis"].items() for text in texts]
    return {"crisis": crisis, "not_crisis": [str(t) for t in data["not_crisis"]]}


def score(data: dict[str, list], predict: Callable[[list[str]], list[str | None]]) -> dict:
    """Figures of a predictor mapping texts to an intent name (or None)."""
    crisis_texts = [t for t, _ in data["crisis"]]
    crisis_pred = predict(crisis_texts)
    other_pred = predict(data["not_crisis"])
    missed = [(t, lvl) for (t, lvl), p in zip(data["crisis"], crisis_pred, strict=False) if p not in CRISIS_INTENTS]
    wrong_level = [
        (t, lvl, p) for (t, lvl), p in zip(data["crisis"], crisis_pred, strict=False)
        if p in CRISIS_INTENTS and p != LEVEL_INTENTS[lvl]
    ]
    false_crisis = [(t, p) for t, p in zip(data["not_crisis"], other_pred, strict=False) if p in CRISIS_INTENTS]
    n_crisis, n_other = len(data["crisis"]), len(data["not_crisis"])
    per_level = {}
    for level, intent in LEVEL_INTENTS.items():
        rows = [p for (_, lvl), p in zip(data["crisis"], crisis_pred, strict=False) if lvl == level]
        per_level[level] = (sum(p == intent for p in rows), len(rows))
    return {
        "crisis_messages": n_crisis,
        "other_messages": n_other,
        "recall": (n_crisis - len(missed)) / n_crisis,
        "level_accuracy": (n_crisis - len(missed) - len(wrong_level)) / n_crisis,
        "false_crisis_rate": len(false_crisis) / n_other,
        "per_level": per_level,
        "missed": missed,
        "wrong_level": wrong_level,
        "false_crisis": false_crisis,
    }


def pattern_predictor(texts: list[str]) -> list[str | None]:
    from bot.nlu.crisis import detect_crisis

    return [detect_crisis(t) for t in texts]


def model_predictor(model: Path) -> Callable[[list[str]], list[str | None]]:
    from eval_nlu import load_agent

    agent = load_agent(model)

    def predict(texts: list[str]) -> list[str | None]:
        async def parse_all():
            return [await agent.parse_message(t) for t in texts]

        return [(p.get("intent") or {}).get("name") for p in asyncio.run(parse_all())]

    return predict


def overlap(data: dict[str, list]) -> list[tuple]:
    from eval_nlu import near_copies, training_texts

    texts = [t for t, _ in data["crisis"]] + data["not_crisis"]
    return near_copies(texts, training_texts(ROOT / "data" / "nlu"))


def print_report(report: dict, source: str) -> None:
    line = "-" * 64
    print(line)
    print(f"Crise — {source}")
    print(f"Jeu : {EVAL_SET.relative_to(ROOT)} ({report['crisis_messages']} messages de crise, "
          f"{report['other_messages']} autres)")
    print(line)
    print(f"Rappel (une réponse de crise)    {100 * report['recall']:6.1f} %")
    print(f"Bon niveau (911/APPELLE/SOS/811) {100 * report['level_accuracy']:6.1f} %")
    for level, (ok, n) in report["per_level"].items():
        print(f"   {level:<10} {ok:>4} / {n}")
    print(f"Fausses crises                   {100 * report['false_crisis_rate']:6.2f} %  ({len(report['false_crisis'])})")
    for text, level in report["missed"]:
        print(f"  MANQUÉ [{level}] {text}")
    for text, level, predicted in report["wrong_level"]:
        print(f"  NIVEAU [{level} -> {predicted}] {text}")
    for text, predicted in report["false_crisis"]:
        print(f"  FAUSSE [{predicted}] {text}")
    print(line)


def failures(report: dict, min_level: float, max_false: float) -> list[str]:
    found = []
    if report["recall"] < 1.0:
        found.append(f"crisis recall {report['recall']:.3f} < 1.0")
    if report["level_accuracy"] < min_level:
        found.append(f"level accuracy {report['level_accuracy']:.3f} < {min_level}")
    if report["false_crisis_rate"] > max_false:
        found.append(f"false crisis {report['false_crisis_rate']:.4f} > {max_false}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model archive (default: models/phare.tar.gz)")
    parser.add_argument("--patterns", action="store_true", help="evaluate detect_crisis alone (no model)")
    parser.add_argument("--min-level", type=float, default=0.97)
    parser.add_argument("--max-false", type=float, default=0.01)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    for noisy in ("rasa", "tensorflow", "absl"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:  # Rasa 3.6 also logs every parse (with its text) through structlog at debug level
        import structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    except Exception:
        pass

    data = load_set()
    if args.patterns:
        source, predict = "motifs seuls (bot.nlu.crisis.detect_crisis)", pattern_predictor
    else:
        model = args.model or ROOT / "models" / "phare.tar.gz"
        source, predict = f"modèle entraîné ({model.name}, intention finale)", model_predictor(model)
    report = score(data, predict)
    print_report(report, source)
    problems = failures(report, args.min_level, args.max_false)
    copies = overlap(data)
    for text, example in copies:
        print(f"  COPIE de l'entraînement : {text}  ~  {example}")
    if copies:
        problems.append(f"{len(copies)} message(s) copied or paraphrased from the training data")
    print("RESULT:", "PASS" if not problems else "FAIL — " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
