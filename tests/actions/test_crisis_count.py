"""Every crisis line is counted for the Alliance (need log, counts by level), and nothing else is kept or said."""
from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from actions.crisis import ActionCrisisViolence
from actions.crisis_count import ActionCountCrisisHealth, ActionCountCrisisMedical, ActionCountCrisisSuicide
from directory import crisis_levels
from directory.db import create_schema, make_engine, open_session
from directory.models import NeedLog
from tests.actions.test_actions import make_tracker, run
from tests.support import ROOT

COUNTING = {
    "crisis_suicide": (ActionCountCrisisSuicide, crisis_levels.SUICIDE),
    "crisis_medical": (ActionCountCrisisMedical, crisis_levels.MEDICAL),
    "crisis_health": (ActionCountCrisisHealth, crisis_levels.HEALTH),
    "crisis_violence": (ActionCrisisViolence, crisis_levels.VIOLENCE),
}


@pytest.fixture()
def need_log_db(tmp_path, monkeypatch):
    path = tmp_path / "phare.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    monkeypatch.setenv("PHARE_DATABASE_URL", f"sqlite:///{path}")
    yield engine, path
    engine.dispose()


def rows(engine) -> list[NeedLog]:
    with open_session(engine) as s:
        return list(s.execute(select(NeedLog).order_by(NeedLog.id)).scalars())


@pytest.mark.parametrize("intent", ["crisis_suicide", "crisis_medical", "crisis_health"])
def test_counting_action_logs_the_level_and_says_nothing(need_log_db, intent):
    engine, path = need_log_db
    action, level = COUNTING[intent]
    text = "zyxwvu-secret chu a Rimouski"  # a word that must never be stored
    dispatcher, events, _ = run(action(), make_tracker(text, intent, channel="sms"))
    assert dispatcher.messages == [] and events == []  # the fixed response has already said everything
    [row] = rows(engine)
    assert (row.kind, row.crisis_level, row.category_id, row.result_count) == ("crisis", level, None, 0)
    assert (row.mrc_id, row.channel) == ("rimouski-neigette", "sms")
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in path.parent.glob("phare.db*"))
    assert b"zyxwvu" not in stored


def test_counting_without_a_place_keeps_no_mrc(need_log_db):
    engine, _ = need_log_db
    run(ActionCountCrisisSuicide(), make_tracker("je veux pu vivre", "crisis_suicide"))
    [row] = rows(engine)
    assert row.mrc_id is None and row.crisis_level == crisis_levels.SUICIDE


def test_violence_is_counted_with_its_level(need_log_db):
    engine, _ = need_log_db
    run(ActionCrisisViolence(), make_tracker("mon chum me frappe", "crisis_violence"))
    assert [(r.kind, r.crisis_level) for r in rows(engine)] == [("crisis", crisis_levels.VIOLENCE)]


def test_a_broken_database_never_breaks_the_turn(monkeypatch, tmp_path):
    monkeypatch.setenv("PHARE_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    dispatcher, events, _ = run(ActionCountCrisisMedical(), make_tracker("il respire pu", "crisis_medical"))
    assert dispatcher.messages == [] and events == []


def test_every_crisis_rule_answers_first_then_counts():
    """The line is the first thing said (a fixed response), then the count: for every crisis intent."""
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    seen = set()
    for rule in rules:
        steps = rule["steps"]
        intent = steps[0].get("intent", "")
        if not intent.startswith("crisis_"):
            continue
        seen.add(intent)
        actions = [s["action"] for s in steps[1:]]
        assert actions[0] == f"utter_{intent}", rule["rule"]
        action, _ = COUNTING[intent]
        assert action().name() in actions[1:], rule["rule"]
        assert action().name() in domain["actions"]
    assert seen == set(COUNTING)


def test_levels_in_french_most_urgent_first():
    assert crisis_levels.ordered({crisis_levels.HEALTH: 2, None: 1}) == [
        ("urgence médicale (911)", 0), ("prévention du suicide (1 866 APPELLE)", 0),
        ("violence (SOS violence conjugale)", 0), ("question de santé (Info-Santé 811)", 2), ("niveau non noté", 1)]
    assert crisis_levels.label("inconnu") == crisis_levels.UNKNOWN
