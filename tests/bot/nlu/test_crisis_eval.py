"""The crisis patterns on the crisis evaluation set (tests/nlu/crisis_eval.yml).

Recall must be 100 %, the level exact (911 / 1 866 APPELLE / SOS violence
conjugale / 811) and false crises at most 1 %; the figures are printed (run
with -s, or see scripts/eval_crisis.py, which scripts/test.sh runs through
the trained model). The set must stay apart from the training data.
"""
from __future__ import annotations

import sys

import pytest

from tests.support import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import eval_crisis  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return eval_crisis.load_set()


def test_the_set_is_big_enough(data):
    assert len(data["crisis"]) >= 150
    assert len(data["not_crisis"]) >= 400
    assert {level for _, level in data["crisis"]} == set(eval_crisis.LEVEL_INTENTS)


def test_patterns_catch_every_crisis_at_the_right_level_with_few_false_crises(data):
    report = eval_crisis.score(data, eval_crisis.pattern_predictor)
    eval_crisis.print_report(report, "motifs seuls")
    assert report["missed"] == []
    assert report["wrong_level"] == []
    assert report["false_crisis_rate"] <= 0.01, report["false_crisis"]


def test_the_set_is_not_copied_from_the_training_data(data):
    assert eval_crisis.overlap(data) == []


def test_score_counts_a_miss_a_wrong_level_and_a_false_crisis():
    data = {"crisis": [("a", "suicide"), ("b", "health"), ("c", "danger")], "not_crisis": ["d", "e"]}
    answers = {"a": "crisis_suicide", "b": "crisis_medical", "c": "greet", "d": "crisis_violence", "e": None}
    report = eval_crisis.score(data, lambda texts: [answers[t] for t in texts])
    assert report["recall"] == pytest.approx(2 / 3)
    assert report["level_accuracy"] == pytest.approx(1 / 3)
    assert report["false_crisis_rate"] == pytest.approx(0.5)
    assert eval_crisis.failures(report, 0.97, 0.01)


def test_no_crisis_message_of_the_set_is_taken_for_an_idiom(data):
    # CrisisOverride drops DIET's crisis guess on a known idiom: an idiom
    # pattern that matched a real crisis would hide it whenever the crisis
    # patterns miss it.
    from bot.nlu.crisis import known_idiom

    assert [text for text, _ in data["crisis"] if known_idiom(text)] == []
