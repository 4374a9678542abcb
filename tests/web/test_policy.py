"""Who may do what in the admin (web.admin.policy): pure rules over an actor and a record, and their SQL twin."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.db import open_session
from directory.models import Municipality, Organization, Service
from web.admin import policy
from web.admin.policy import (
    Actor,
    area_change_problem,
    can_edit_organization,
    can_edit_service,
    can_manage_campaign,
    change_problem,
    needs_mrc_scope,
)

ADMIN = Actor("u1", "admin@x.org", "A", "admin")
MITIS = Actor("u2", "mitis@x.org", "M", "mrc", mrc_id="la-mitis")
ORG = Actor("u3", "org@x.org", "O", "organization", organization_id="org-1")
STRANGER = Actor("u4", "x@x.org", "X", "unknown-role")
MUNI = {"mont-joli": "la-mitis", "matane": "la-matanie", "trois-pistoles": "les-basques"}
MRCS = {"la-mitis": "La Mitis", "les-basques": "Les Basques", "la-matanie": "La Matanie"}


def test_service_permissions_by_role():
    mitis_area = [("mrc", "la-mitis", None)]
    mont_joli = [("municipality", None, "mont-joli")]
    basques = [("mrc", "les-basques", None)]
    region = [("region", None, None)]
    assert can_edit_service(ADMIN, "org-2", region, MUNI)
    assert can_edit_service(MITIS, "org-2", mitis_area, MUNI)
    assert can_edit_service(MITIS, "org-2", mont_joli, MUNI)  # municipality of their MRC
    assert not can_edit_service(MITIS, "org-2", basques, MUNI)
    assert not can_edit_service(MITIS, "org-2", region, MUNI)  # region-wide: admins only
    assert can_edit_service(ORG, "org-1", basques, MUNI)
    assert not can_edit_service(ORG, "org-2", mitis_area, MUNI)
    assert not can_edit_service(STRANGER, "org-1", region, MUNI)


def test_area_changes_of_mrc_staff():
    before = [("mrc", "la-mitis", None), ("mrc", "les-basques", None)]
    assert area_change_problem(MITIS, before, [("mrc", "les-basques", None)], MUNI) is None
    assert area_change_problem(MITIS, before, [("mrc", "la-mitis", None)], MUNI)  # removes another MRC's area
    assert area_change_problem(MITIS, [("mrc", "la-mitis", None)], [("region", None, None)], MUNI)
    assert area_change_problem(MITIS, [], [("municipality", None, "matane")], MUNI)
    assert area_change_problem(ADMIN, before, [], MUNI) == "Il faut au moins une zone de service."


def test_organization_campaign_and_needs_permissions():
    assert can_edit_organization(MITIS, "org-1", [[("mrc", "la-mitis", None)]], MUNI)
    assert not can_edit_organization(MITIS, "org-1", [[("mrc", "la-mitis", None)], [("mrc", "les-basques", None)]], MUNI)
    assert not can_edit_organization(MITIS, "org-1", [], MUNI)
    assert can_edit_organization(ORG, "org-1", [], MUNI) and not can_edit_organization(ORG, "org-2", [], MUNI)
    assert can_manage_campaign(MITIS, "la-mitis") and not can_manage_campaign(MITIS, "les-basques")
    assert not can_manage_campaign(MITIS, None) and can_manage_campaign(ADMIN, None)
    assert not can_manage_campaign(ORG, "la-mitis")
    assert needs_mrc_scope(MITIS) == "la-mitis" and needs_mrc_scope(ADMIN) is None


def _snap(areas, organization_id="org-1", priority=0, status="active", **more):
    return {"service_areas": [{"scope": s, "mrc_id": m, "municipality_id": mun} for s, m, mun in areas],
            "organization_id": organization_id, "priority": priority, "status": status, **more}


def test_one_rule_for_a_form_a_restored_version_and_an_imported_row():
    mitis = [("mrc", "la-mitis", None)]
    assert change_problem(MITIS, None, _snap(mitis), MUNI) is None
    assert change_problem(MITIS, None, _snap([("mrc", "les-basques", None)]), MUNI) == "Vous ne pouvez modifier que les zones de votre MRC."
    # Priority: the regional administration only.
    assert change_problem(MITIS, _snap(mitis), _snap(mitis, priority=5), MUNI) == "Seule l'administration régionale change la priorité."
    assert change_problem(ADMIN, _snap(mitis), _snap(mitis, priority=5), MUNI) is None
    # An organisation's editor keeps their services in their organisation and creates none.
    assert change_problem(ORG, _snap(mitis), _snap(mitis, organization_id="org-2"), MUNI) == (
        "Vous ne pouvez pas rattacher ce service à un autre organisme.")
    assert change_problem(ORG, None, _snap(mitis, new_organization_name="Nouveau"), MUNI) == "Vous ne pouvez pas créer d'organisme."
    assert change_problem(MITIS, None, _snap(mitis, organization_id="org-2", new_organization_name="Nouveau"), MUNI) is None
    # An archived service may keep having no area; an offered one may not.
    assert change_problem(ADMIN, _snap([], status="archived"), _snap([], status="archived"), MUNI) is None
    assert change_problem(ADMIN, _snap([], status="archived"), _snap([], status="active"), MUNI) == "Il faut au moins une zone de service."


def test_what_each_role_may_choose_in_forms_and_filters():
    assert policy.choosable_mrcs(ADMIN, MRCS) == MRCS
    assert policy.choosable_mrcs(MITIS, MRCS) == {"la-mitis": "La Mitis"}
    assert policy.can_choose_region(ADMIN) and policy.can_choose_region(ORG) and not policy.can_choose_region(MITIS)
    organizations = {"org-1": "Un", "org-2": "Deux"}
    assert policy.choosable_organizations(ORG, organizations) == {"org-1": "Un"}
    assert policy.choosable_organizations(MITIS, organizations) == organizations
    assert policy.own_mrc(MITIS) == "la-mitis" and policy.own_mrc(ORG) is None and policy.own_mrc(ADMIN) is None
    assert policy.own_organization(ORG) == "org-1" and policy.own_organization(MITIS) is None
    assert policy.can_see_campaigns(MITIS) and not policy.can_see_campaigns(ORG)
    assert policy.can_send_listing_link(MITIS, True) and not policy.can_send_listing_link(MITIS, False)
    assert not policy.can_send_listing_link(ORG, True)
    assert policy.can_use_second_factor(ADMIN) and not policy.can_use_second_factor(MITIS)
    assert policy.area_tuples([{"scope": "mrc", "mrc_id": "la-mitis"}]) == [("mrc", "la-mitis", None)]


@pytest.mark.parametrize("actor", [ADMIN, MITIS, Actor("u5", "b@x.org", "B", "mrc", mrc_id="les-basques"), STRANGER],
                         ids=lambda a: f"{a.role}-{a.mrc_id}")
def test_the_sql_scope_lists_exactly_the_services_the_rule_lets_one_open(seeded_engine, actor):
    with open_session(seeded_engine) as db:
        municipality_mrc = dict(db.execute(select(Municipality.id, Municipality.mrc_id)).all())
        services = db.execute(select(Service).options(selectinload(Service.service_areas))).scalars().all()
        allowed = {s.id for s in services
                   if can_edit_service(actor, s.organization_id, policy.area_tuples(s.service_areas), municipality_mrc)}
        clause = policy.scope_clause(actor)
        listed = set(db.execute(select(Service.id).where(clause) if clause is not None else select(Service.id)).scalars())
        assert listed == allowed
        if actor.role in ("admin", "mrc"):
            assert listed, "the seed has services in every MRC"
        # Organisations listed: those with at least one service in scope (all, for the regional administration).
        org_clause = policy.organization_scope_clause(actor)
        orgs = set(db.execute(select(Organization.id).where(org_clause) if org_clause is not None else select(Organization.id)).scalars())
        if actor.role == "admin":
            assert orgs == set(db.execute(select(Organization.id)).scalars())
        else:
            assert orgs == {s.organization_id for s in services if s.id in allowed}


def test_an_organization_editor_sees_their_services_only(seeded_engine):
    with open_session(seeded_engine) as db:
        org_id = db.execute(select(Service.organization_id).limit(1)).scalar_one()
        editor = Actor("u6", "e@x.org", "E", "organization", organization_id=org_id)
        listed = set(db.execute(select(Service.id).where(policy.scope_clause(editor))).scalars())
        assert listed == set(db.execute(select(Service.id).where(Service.organization_id == org_id)).scalars()) != set()
        assert set(db.execute(select(Organization.id).where(policy.organization_scope_clause(editor))).scalars()) == {org_id}
