"""Signing in and out, and one's own account (password): the admin's session controller."""
from __future__ import annotations

import logging

from sqlalchemy import func, select

from directory.models import User

from . import auth, history, invitations
from .forms import clean
from .pages import Ctx, admin_page, blueprint, client_ip, redirect, render

logger = logging.getLogger(__name__)


@blueprint.get("/")
@admin_page(login=False)
def home(request, ctx: Ctx):
    return redirect("/admin/services" if ctx.user else "/admin/login")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/services"


@blueprint.route("/login", methods=["GET", "POST"])
@admin_page(login=False)
def login(request, ctx: Ctx):
    next_url = _safe_next(request.args.get("next") or request.form.get("next"))
    if request.method == "GET":
        if ctx.user:
            return redirect(next_url)
        return render(ctx, "login.html", next_url=next_url, email="")
    email = clean(request.form.get("email")).lower()
    password = request.form.get("password") or ""
    ip = client_ip(request)
    throttle = auth.login_throttle()
    wait = throttle.wait(email, ip)
    if wait > 0:
        logger.warning("login slowed down for one account from one address")
        return render(ctx, "login.html", status=429, next_url=next_url, email=email,
                      error=f"Trop de tentatives de connexion pour ce compte. Pour votre sécurité, "
                            f"attendez {auth.wait_text(wait)} avant de réessayer.")
    user = ctx.db.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none() if email else None
    if user is None or not user.active:
        auth.verify_password(_DUMMY_HASH, password)  # same time as a real check
        ok = False
    else:
        ok = auth.verify_password(user.password_hash, password)
    if not ok:
        throttle.failure(email, ip)
        return render(ctx, "login.html", status=401, next_url=next_url, email=email,
                      error="Courriel ou mot de passe incorrect.")
    throttle.success(email, ip)
    if auth.needs_rehash(user.password_hash):
        user.password_hash = auth.hash_password(password)
        ctx.db.commit()
    if user.totp_secret:
        return invitations.start_second_factor(ctx, user, next_url)
    ctx.session = auth.new_session(user.id, user.password_hash)
    ctx.session_changed = True
    ctx.flash(f"Bonjour {user.name or user.email}!")
    return redirect(next_url)


_DUMMY_HASH = auth.hash_password("phare-dummy-password-for-timing")


@blueprint.post("/logout")
@admin_page(login=False)
def logout(request, ctx: Ctx):
    auth.REVOKED.revoke(ctx.session.get("sid"))
    ctx.session = auth.new_session()
    ctx.session_changed = True
    ctx.flash("Vous êtes déconnecté. À bientôt!")
    return redirect("/admin/login")


@blueprint.route("/compte", methods=["GET", "POST"])
@admin_page()
def account(request, ctx: Ctx):
    errors = []
    if request.method == "POST":
        current = request.form.get("current_password") or ""
        new = request.form.get("new_password") or ""
        if not auth.verify_password(ctx.user.password_hash, current):
            errors.append("Le mot de passe actuel n'est pas le bon.")
        else:
            problem = auth.new_password_problem(new, request.form.get("confirm_password") or "")
            if problem:
                errors.append(problem)
        if not errors:
            ctx.user.password_hash = auth.hash_password(new)
            history.record_simple(ctx.db, "user", ctx.user.id, {"password": "…"}, {"password": "(changé)"}, "update",
                                  ctx.actor.email)
            ctx.db.commit()
            ctx.session = auth.new_session(ctx.user.id, ctx.user.password_hash)
            ctx.session_changed = True
            ctx.flash("Votre mot de passe est changé.")
            return redirect("/admin/compte")
    return render(ctx, "account.html", errors=errors, status=400 if errors else 200)
