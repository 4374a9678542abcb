#!/usr/bin/env python
"""Evaluate a trained Phare model on the held-out NLU set.

    python scripts/eval_nlu.py                      # newest model in models/
    python scripts/eval_nlu.py --model models/phare.tar.gz --json report.json

Prints intent accuracy, macro F1, the five worst intents, the accuracy on
need_* messages, crisis recall and place extraction, then exits with code 1
when accuracy, macro F1, need accuracy or the accuracy of any single intent
(its recall) is below the thresholds (--min-accuracy, --min-f1, --min-need,
--min-class), or when a held-out message is a copy or a near paraphrase of a
training example (`near_copies`).

The reported intent is the final one, after FallbackClassifier and the
crisis override: a message sent to nlu_fallback counts as an error. The
accuracy of DIET's best guess before the fallback is shown for information.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # the model's custom components (bot.nlu.*) must be importable
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FALLBACK = "nlu_fallback"


def newest_model(models_dir: Path) -> Path:
    candidates = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise SystemExit(f"No model in {models_dir}: train one first (rasa train).")
    return candidates[-1]


def _norm(text: str) -> str:
    from directory.text import fold

    return fold(text)


def load_examples(path: Path) -> list[dict[str, Any]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    examples = []
    for message in data.intent_examples:
        examples.append(
            {
                "text": message.get("text"),
                "intent": message.get("intent"),
                "places": [
                    (e["start"], e["end"], e.get("value"))
                    for e in message.get("entities") or []
                    if e.get("entity") == "place"
                ],
            }
        )
    return examples


NEAR_COPY = 90  # rapidfuzz score (0-100) from which two messages count as the same


def near_copies(texts: list[str], train_texts: list[str], threshold: int = NEAR_COPY) -> list[tuple]:
    """(text, training example) pairs where the evaluation text is a copy or a near paraphrase.

    Compared on the folded text: character similarity (fuzz.ratio) or the same
    words in another order (token_sort_ratio). Short messages ("merci",
    "plus") are compared exactly only: near-identical short answers are not
    paraphrases but the whole vocabulary of a reply.
    """
    from rapidfuzz import fuzz, process

    train = sorted({_norm(t) for t in train_texts if _norm(t)})
    found = []
    for text in texts:
        folded = _norm(text)
        if not folded:
            continue
        if folded in train:
            found.append((text, folded))
            continue
        if len(folded) < 12:
            continue
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            hit = process.extractOne(folded, train, scorer=scorer, score_cutoff=threshold)
            if hit:
                found.append((text, hit[0]))
                break
    return found


def training_texts(train_path: Path) -> list[str]:
    return [e["text"] for e in load_examples(train_path)] if train_path.exists() else []


def training_overlap(heldout: list[dict[str, Any]], train_path: Path) -> list[str]:
    """Held-out messages that are copies or near paraphrases of a training example."""
    return [f"{text}  ~  {example}" for text, example in near_copies([e["text"] for e in heldout], training_texts(train_path))]


def load_gazetteer():
    """The lead's gazetteer, when it exists and loads; None otherwise."""
    try:
        from directory.gazetteer import default_gazetteer  # type: ignore

        return default_gazetteer()
    except Exception as error:  # module missing, data missing, ...
        logging.getLogger(__name__).debug("gazetteer unavailable: %s", error)
        return None


@functools.lru_cache(maxsize=2)
def load_agent(model: Path) -> Any:
    """The trained model, loaded once per process (scripts/evaluate_model.py runs every evaluation on it)."""
    from rasa.core.agent import Agent

    return Agent.load(str(model))


async def parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    agent = load_agent(model)
    return [await agent.parse_message(text) for text in texts]


def _gazetteer_finds(gazetteer: Any, text: str) -> bool:
    """Whether `find_in_text` identifies a place (a Resolution with a status)."""
    try:
        result = gazetteer.find_in_text(text)
    except Exception:
        return False
    status = getattr(result, "status", None)
    if status is None:
        return bool(result)
    return status in {"found", "ambiguous", "need_full_postal_code"}


def _overlaps(a: tuple, b: dict) -> bool:
    return a[0] < b.get("end", -1) and b.get("start", 10**9) < a[1]


def evaluate(
    examples: list[dict[str, Any]],
    parses: list[dict[str, Any]],
    gazetteer: Any = None,
) -> dict[str, Any]:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    gold = [e["intent"] for e in examples]
    pred = [(p.get("intent") or {}).get("name") or "None" for p in parses]
    pred_before_fallback = []
    for p, final in zip(parses, pred, strict=False):
        ranking = p.get("intent_ranking") or []
        if final == FALLBACK and len(ranking) > 1:
            pred_before_fallback.append(ranking[1].get("name"))
        else:
            pred_before_fallback.append(final)

    labels = sorted(set(gold))
    n = len(gold)
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=False)) / n
    accuracy_raw = sum(g == p for g, p in zip(gold, pred_before_fallback, strict=False)) / n
    macro_f1 = f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, zero_division=0
    )
    per_intent = [
        {
            "intent": label,
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    ]

    need_idx = [i for i, g in enumerate(gold) if g.startswith("need_")]
    crisis_idx = [i for i, g in enumerate(gold) if g.startswith("crisis_")]
    need_accuracy = (
        sum(gold[i] == pred[i] for i in need_idx) / len(need_idx) if need_idx else None
    )
    crisis_recall = (
        sum(gold[i] == pred[i] for i in crisis_idx) / len(crisis_idx) if crisis_idx else None
    )
    false_crisis = [
        i for i, (g, p) in enumerate(zip(gold, pred, strict=False))
        if p.startswith("crisis_") and not g.startswith("crisis_")
    ]

    with_place = [i for i, e in enumerate(examples) if e["places"]]
    place_hits = 0
    gazetteer_hits = 0
    place_misses = []
    for i in with_place:
        predicted = [
            ent for ent in parses[i].get("entities") or [] if ent.get("entity") == "place"
        ]
        if any(_overlaps(g, ent) for g in examples[i]["places"] for ent in predicted):
            place_hits += 1
        else:
            place_misses.append(examples[i]["text"])
        if gazetteer is not None and _gazetteer_finds(gazetteer, examples[i]["text"]):
            gazetteer_hits += 1
    without_place = [i for i, e in enumerate(examples) if not e["places"]]
    spurious_places = [
        examples[i]["text"]
        for i in without_place
        if any(
            ent.get("entity") == "place" for ent in parses[i].get("entities") or []
        )
    ]

    errors = []
    for i in range(n):
        if gold[i] == pred[i]:
            continue
        ranking = [r for r in parses[i].get("intent_ranking") or [] if r.get("name") != FALLBACK]
        errors.append({
            "text": examples[i]["text"],
            "gold": gold[i],
            "predicted": pred[i],
            "confidence": round(float((parses[i].get("intent") or {}).get("confidence") or 0), 3),
            # DIET's two best guesses (before the fallback), for diagnosis
            "top2": [(r.get("name"), round(float(r.get("confidence") or 0), 3)) for r in ranking[:2]],
        })
    return {
        "messages": n,
        "intent_accuracy": accuracy,
        "intent_accuracy_before_fallback": accuracy_raw,
        "macro_f1": float(macro_f1),
        "per_intent": per_intent,
        "need_accuracy": need_accuracy,
        "need_messages": len(need_idx),
        "crisis_recall": crisis_recall,
        "crisis_messages": len(crisis_idx),
        "false_crisis": [examples[i]["text"] for i in false_crisis],
        "fallbacks": sum(p == FALLBACK for p in pred),
        "confusions": Counter(f"{gold[i]} -> {pred[i]}" for i in range(n) if gold[i] != pred[i]).most_common(10),
        "place_messages": len(with_place),
        "place_overlap": place_hits / len(with_place) if with_place else None,
        "place_misses": place_misses,
        "spurious_places": spurious_places,
        "gazetteer_place": (gazetteer_hits / len(with_place)) if (gazetteer is not None and with_place) else None,
        "errors": errors,
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:5.1f} %"


def print_report(report: dict[str, Any], model: Path, heldout: Path, verbose: bool) -> None:
    line = "-" * 64
    print(line)
    print(f"Modèle      : {model}")
    print(f"Jeu retenu  : {heldout} ({report['messages']} messages)")
    print(line)
    rows = [
        ("Intent accuracy (final)", _pct(report["intent_accuracy"])),
        ("Intent accuracy (before fallback)", _pct(report["intent_accuracy_before_fallback"])),
        ("Macro F1", f"{report['macro_f1']:.3f}"),
        (f"Need accuracy ({report['need_messages']} need_* msgs)", _pct(report["need_accuracy"])),
        (f"Crisis recall ({report['crisis_messages']} crisis msgs)", _pct(report["crisis_recall"])),
        ("False crisis predictions", str(len(report["false_crisis"]))),
        ("Sent to nlu_fallback", str(report["fallbacks"])),
        (f"Place overlap ({report['place_messages']} msgs with a place)", _pct(report["place_overlap"])),
        ("Place found by gazetteer (find_in_text)",
         _pct(report["gazetteer_place"]) if report["gazetteer_place"] is not None else "n/a (gazetteer unavailable)"),
        ("Place predicted where none in gold", str(len(report["spurious_places"]))),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>10}")
    print(line)
    print("Worst 5 intents (F1):")
    print(f"  {'intent':<26}{'prec':>7}{'recall':>8}{'F1':>7}{'n':>5}")
    for row in sorted(report["per_intent"], key=lambda r: (r["f1"], r["intent"]))[:5]:
        print(f"  {row['intent']:<26}{row['precision']:>7.2f}{row['recall']:>8.2f}{row['f1']:>7.2f}{row['support']:>5}")
    if report["confusions"]:
        print(line)
        print("Most frequent confusions (gold -> predicted):")
        for pair, count in report["confusions"]:
            print(f"  {count:>3}  {pair}")
    if verbose:
        print(line)
        print("Errors:")
        for e in report["errors"]:
            top = ", ".join(f"{name} {conf}" for name, conf in e["top2"])
            print(f"  [{e['gold']} -> {e['predicted']} {e['confidence']}] {e['text']}   ({top})")
        if report["place_misses"]:
            print("Place not extracted:")
            for text in report["place_misses"]:
                print(f"  {text}")
        if report["spurious_places"]:
            print("Place predicted, none in gold:")
            for text in report["spurious_places"]:
                print(f"  {text}")
    print(line)


def quiet_logging() -> None:
    """Errors only: Rasa logs every parse and every story state at debug level."""
    logging.basicConfig(level=logging.ERROR)
    for noisy in ("rasa", "tensorflow", "absl"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:  # Rasa 3.6 also logs through structlog
        import structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    except Exception:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model archive (default: newest in models/)")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument("--train-data", type=Path, default=ROOT / "data" / "nlu",
                        help="training data checked for overlap with the held-out set")
    parser.add_argument("--min-accuracy", type=float, default=0.90)
    parser.add_argument("--min-f1", type=float, default=0.90)
    parser.add_argument("--min-need", type=float, default=0.0, help="floor for the accuracy on need_* messages")
    parser.add_argument("--min-class", type=float, default=0.0, help="floor for each intent's accuracy (recall)")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="write the report as JSON to PATH ('-' or no value: stdout, no table)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every error")
    args = parser.parse_args(argv)

    quiet_logging()
    model = args.model or newest_model(ROOT / "models")
    examples = load_examples(args.heldout)
    overlap = training_overlap(examples, args.train_data)
    parses = asyncio.run(parse_all(model, [e["text"] for e in examples]))
    report = evaluate(examples, parses, load_gazetteer())
    report["model"] = str(model)
    report["heldout"] = str(args.heldout)
    report["training_overlap"] = overlap
    report["thresholds"] = {"min_accuracy": args.min_accuracy, "min_f1": args.min_f1,
                            "min_need": args.min_need, "min_class": args.min_class}

    failures = []
    if report["intent_accuracy"] < args.min_accuracy:
        failures.append(f"intent accuracy {report['intent_accuracy']:.3f} < {args.min_accuracy}")
    if report["macro_f1"] < args.min_f1:
        failures.append(f"macro F1 {report['macro_f1']:.3f} < {args.min_f1}")
    if report["need_accuracy"] is not None and report["need_accuracy"] < args.min_need:
        failures.append(f"need accuracy {report['need_accuracy']:.3f} < {args.min_need}")
    for row in report["per_intent"]:
        if row["support"] and row["recall"] < args.min_class:
            failures.append(f"{row['intent']} accuracy {row['recall']:.2f} < {args.min_class}")
    if overlap:
        failures.append(f"{len(overlap)} held-out message(s) copied or paraphrased from the training data")
    report["passed"] = not failures
    report["failures"] = failures

    if args.json == "-":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report, model, args.heldout, args.verbose)
        if overlap:
            print("Held-out lines found in the training data:")
            for text in overlap:
                print(f"  {text}")
        print("RESULT:", "PASS" if not failures else "FAIL — " + "; ".join(failures))
        if args.json:
            Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
