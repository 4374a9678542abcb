"""Staff accounts (regional administrators only): list, create with an invitation, edit roles."""
from __future__ import annotations

from sqlalchemy import func, select

from directory.models import User

from . import auth, history, invitations, policy, tokens
from .forms import clean, normalize_email
from .pages import Ctx, admin_page, blueprint, redirect, render


def user_dict(user: User) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role, "mrc_id": user.mrc_id,
            "organization_id": user.organization_id, "active": bool(user.active)}


def _parse_user_form(ctx: Ctx, form, user: User | None) -> tuple[dict, str | None, list[str]]:
    errors = []
    values = {
        "email": clean(form.get("email")).lower() if user is None else user.email,
        "name": clean(form.get("name")),
        "role": clean(form.get("role")),
        "mrc_id": clean(form.get("mrc_id")) or None,
        "organization_id": clean(form.get("organization_id")) or None,
        "active": bool(form.get("active")) if user is not None else True,
    }
    email, e = normalize_email(values["email"])
    if e or not email or not auth.plain_email(email):
        errors.append("Courriel invalide : lettres, chiffres, point, tiret et un seul @ (ex. nom@mrc.qc.ca).")
    if values["role"] not in policy.ROLES:
        errors.append("Choisissez un rôle.")
    if values["role"] == "mrc":
        values["organization_id"] = None
        if values["mrc_id"] not in ctx.ref().mrcs:
            errors.append("Choisissez la MRC de cette personne.")
    elif values["role"] == "organization":
        values["mrc_id"] = None
        if values["organization_id"] not in ctx.ref().organizations:
            errors.append("Choisissez l'organisme de cette personne.")
    else:
        values["mrc_id"] = values["organization_id"] = None
    if values["role"] == "admin" and (user is None or user.role != "admin") and not form.get("confirm_admin"):
        errors.append("Cochez la case qui confirme que cette personne aura tous les droits d'administration régionale.")
    password = form.get("password") or ""
    problem = auth.new_password_problem(password, form.get("confirm_password") or "") if password else None
    if problem:
        errors.append(problem)
    if user is not None and user.id == ctx.actor.id and (values["role"] != "admin" or not values["active"]):
        errors.append("Vous ne pouvez pas retirer vos propres droits d'administration.")
    return values, password or None, errors


@blueprint.get("/utilisateurs")
@admin_page()
def users_list(request, ctx: Ctx):
    ctx.require(policy.can_manage_users(ctx.actor))
    users = ctx.db.execute(select(User).order_by(User.role, User.email)).scalars().all()
    return render(ctx, "users_list.html", users=users, ref=ctx.ref())


@blueprint.route("/utilisateurs/new", methods=["GET", "POST"])
@admin_page()
def user_new(request, ctx: Ctx):
    ctx.require(policy.can_manage_users(ctx.actor))
    form_values = {"ref": ctx.ref(), "account": None}
    if request.method == "GET":
        return render(ctx, "user_form.html", values={"active": True}, errors=[], **form_values)
    values, password, errors = _parse_user_form(ctx, request.form, None)
    if not errors and ctx.db.execute(select(User.id).where(func.lower(User.email) == values["email"])).first():
        errors.append("Un compte existe déjà pour ce courriel.")
    if errors:
        return render(ctx, "user_form.html", status=400, values=values, errors=errors, **form_values)
    # No password chosen by someone else: the person chooses it from the invitation link.
    user = User(**values, password_hash=auth.hash_password(password) if password else tokens.NO_PASSWORD)
    ctx.db.add(user)
    ctx.db.flush()
    history.record_simple(ctx.db, "user", user.id, None, user_dict(user), "create", ctx.actor.email)
    by_smtp = invitations.send_account_link(ctx, user, "invite") if not password else None
    ctx.db.commit()
    if by_smtp is None:
        ctx.flash(f"Compte créé pour {user.email}.")
    else:
        invitations.after_commit_deliver()
        ctx.flash(f"Compte créé. {invitations.sent_note(by_smtp, user.email)}")
    return redirect("/admin/utilisateurs")


@blueprint.route("/utilisateurs/<user_id>", methods=["GET", "POST"])
@admin_page()
def user_edit(request, ctx: Ctx, user_id: str):
    ctx.require(policy.can_manage_users(ctx.actor))
    account = ctx.get_or_404(User, user_id)
    form_values = {"ref": ctx.ref(), "account": account, "versions": history.versions(ctx.db, account.id, "user")}
    if request.method == "GET":
        return render(ctx, "user_form.html", values=user_dict(account), errors=[], **form_values)
    values, password, errors = _parse_user_form(ctx, request.form, account)
    if errors:
        return render(ctx, "user_form.html", status=400, values=values, errors=errors, **form_values)
    before = user_dict(account)
    for key, value in values.items():
        setattr(account, key, value)
    after = user_dict(account)
    if password:
        account.password_hash = auth.hash_password(password)
        before["password"], after["password"] = "…", "(changé)"
    rows = history.record_simple(ctx.db, "user", account.id, before, after, "update", ctx.actor.email)
    ctx.db.commit()
    ctx.flash("Compte enregistré." if rows else "Aucun changement.")
    return redirect("/admin/utilisateurs")
