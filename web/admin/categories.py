"""Categories of need (regional administrators only): list, create, edit labels and synonyms."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from directory.models import Category, service_category
from directory.text import slugify

from . import history, policy
from .forms import clean
from .pages import Ctx, admin_page, blueprint, redirect, render


def category_dict(category: Category) -> dict:
    return {k: getattr(category, k) for k in ("label", "description", "synonyms", "position", "resident_facing")}


def _parse_category_form(form, new: bool) -> tuple[dict, list[str]]:
    errors = []
    synonyms = [s.strip() for s in re.split(r"[|\n]", form.get("synonyms") or "") if s.strip()]
    values = {
        "label": clean(form.get("label")),
        "description": clean(form.get("description")),
        "synonyms": "|".join(dict.fromkeys(synonyms)),
        "resident_facing": bool(form.get("resident_facing")),
    }
    position = clean(form.get("position")) or "0"
    if not re.fullmatch(r"\d{1,4}", position):
        errors.append("L'ordre doit être un nombre entier.")
        position = "0"
    values["position"] = int(position)
    if not values["label"]:
        errors.append("Le libellé est obligatoire.")
    if new:
        values["id"] = slugify(clean(form.get("id")) or values["label"])[:40]
        if not values["id"]:
            errors.append("L'identifiant est obligatoire.")
    return values, errors


@blueprint.get("/categories")
@admin_page()
def categories_list(request, ctx: Ctx):
    ctx.require(policy.can_manage_categories(ctx.actor))
    categories = ctx.db.execute(select(Category).order_by(Category.position, Category.label)).scalars().all()
    counts = dict(ctx.db.execute(select(service_category.c.category_id, func.count()).group_by(service_category.c.category_id)).all())
    return render(ctx, "categories_list.html", categories=categories, counts=counts)


@blueprint.route("/categories/new", methods=["GET", "POST"])
@admin_page()
def category_new(request, ctx: Ctx):
    ctx.require(policy.can_manage_categories(ctx.actor))
    if request.method == "GET":
        return render(ctx, "category_form.html", category=None, values={"resident_facing": True, "position": 0}, errors=[])
    values, errors = _parse_category_form(request.form, new=True)
    if not errors and ctx.db.get(Category, values["id"]) is not None:
        errors.append(f"L'identifiant « {values['id']} » existe déjà.")
    if errors:
        return render(ctx, "category_form.html", status=400, category=None, values=values, errors=errors)
    category = Category(**values)
    ctx.db.add(category)
    history.record_simple(ctx.db, "category", category.id, None, category_dict(category), "create", ctx.actor.email)
    ctx.db.commit()
    ctx.flash(f"Catégorie « {category.label} » créée.")
    return redirect("/admin/categories")


@blueprint.route("/categories/<category_id>", methods=["GET", "POST"])
@admin_page()
def category_edit(request, ctx: Ctx, category_id: str):
    ctx.require(policy.can_manage_categories(ctx.actor))
    category = ctx.get_or_404(Category, category_id)
    if request.method == "GET":
        values = category_dict(category)
        values["synonyms"] = "\n".join(s for s in (category.synonyms or "").split("|") if s)
        return render(ctx, "category_form.html", category=category, values=values, errors=[],
                      versions=history.versions(ctx.db, category.id, "category"))
    values, errors = _parse_category_form(request.form, new=False)
    if errors:
        return render(ctx, "category_form.html", status=400, category=category, values=values, errors=errors,
                      versions=history.versions(ctx.db, category.id, "category"))
    before = category_dict(category)
    for key, value in values.items():
        setattr(category, key, value)
    rows = history.record_simple(ctx.db, "category", category.id, before, category_dict(category), "update", ctx.actor.email)
    ctx.db.commit()
    ctx.flash("Catégorie enregistrée." if rows else "Aucun changement.")
    return redirect("/admin/categories")
