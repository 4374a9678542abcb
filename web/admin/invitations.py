"""Accounts by email: invitations, password resets, the TOTP second factor, and the outbox page.

- A new account gets no password: the person receives a single-use link
  (72 h) and chooses it. "Mot de passe oublié" sends a 1-hour link.
- Regional administrators may turn on a second factor (TOTP, any
  authenticator app); when it is on, the login asks for the 6-digit code.
- Without SMTP, the emails wait in "Courriels à envoyer" (regional
  administrators) to be sent by hand.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict, deque
from urllib.parse import quote

import pyotp
from sqlalchemy import func, select

from directory import mail, secret_box
from directory.models import AccountToken, OutboxMessage, User, utcnow

from . import auth, history, messages, policy, tokens
from .forms import clean
from .pages import Ctx, NotFound, admin_page, blueprint, error_page, redirect, render

TOTP_ISSUER = "Phare BSL"
RESET_COOLDOWN = dt.timedelta(minutes=2)


def send_account_link(ctx: Ctx, user: User, purpose: str) -> bool:
    """Queue the invitation or reset email of `user`; True when SMTP will send it."""
    token = tokens.issue_account_token(ctx.db, user, purpose)
    base = messages.public_base(ctx.request)
    if purpose == "invite":
        inviter = (ctx.actor.name or ctx.actor.email) if ctx.actor else "L'administration régionale de Phare"
        subject, body = messages.invitation(user.name, user.role, f"{base}/admin/invitation/{token}", inviter)
    else:
        subject, body = messages.password_reset(user.name, f"{base}/admin/reinitialiser/{token}")
    mail.queue(ctx.db, user.email, subject, body, kind=purpose)
    return mail.smtp_config() is not None


def after_commit_deliver() -> None:
    mail.deliver_in_background()


def sent_note(by_smtp: bool, email: str) -> str:
    if by_smtp:
        return f"Un courriel d'invitation part vers {email}."
    return (f"L'invitation pour {email} attend dans « Courriels à envoyer » "
            "(aucun serveur de courriel n'est configuré) : envoyez-la de votre boîte de courriel.")


# --- Invitation and reset links ---------------------------------------------------------------


def _link_page(request, ctx: Ctx, token: str, purpose: str):
    row, reason = tokens.find_account_token(ctx.db, token)
    if row is not None and row.purpose != purpose:
        row, reason = None, "Ce lien n'est pas valide."
    title = "Bienvenue dans Phare" if purpose == "invite" else "Nouveau mot de passe"
    if row is None:
        return render(ctx, "set_password.html", status=410 if "expiré" in (reason or "") or "servi" in (reason or "") else 404,
                      title=title, reason=reason, account=None, errors=[], action="")
    account = ctx.db.get(User, row.user_id)
    action = f"/admin/{'invitation' if purpose == 'invite' else 'reinitialiser'}/{token}"
    errors: list[str] = []
    if request.method == "POST":
        password = request.form.get("password") or ""
        problem = auth.new_password_problem(password, request.form.get("confirm_password") or "")
        if problem:
            errors.append(problem)
        else:
            tokens.use_account_token(ctx.db, row, password)
            history.record_simple(ctx.db, "user", account.id, {"password": "…"},
                                  {"password": "(choisi par la personne)"}, "update", account.email)
            ctx.db.commit()
            ctx.flash("Votre mot de passe est enregistré. Connectez-vous maintenant avec votre courriel.")
            return redirect("/admin/login")
    return render(ctx, "set_password.html", status=400 if errors else 200, title=title, reason=None,
                  account=account, errors=errors, action=action, purpose=purpose)


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@admin_page(login=False)
def invitation(request, ctx: Ctx, token: str):
    return _link_page(request, ctx, token, "invite")


@blueprint.route("/reinitialiser/<token>", methods=["GET", "POST"])
@admin_page(login=False)
def reset_password(request, ctx: Ctx, token: str):
    return _link_page(request, ctx, token, "reset")


@blueprint.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@admin_page(login=False)
def forgot_password(request, ctx: Ctx):
    if request.method == "GET":
        return render(ctx, "forgot_password.html", done=False, email="")
    email = clean(request.form.get("email")).lower()
    user = ctx.db.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none() if email else None
    if user is not None and user.active:
        # One link per account every 2 minutes: the form cannot be used to flood a mailbox.
        recent = ctx.db.execute(select(AccountToken.id).where(
            AccountToken.user_id == user.id, AccountToken.created_at > utcnow() - RESET_COOLDOWN)).first()
        if recent is None:
            send_account_link(ctx, user, "invite" if not tokens.has_password(user) else "reset")
            ctx.db.commit()
            after_commit_deliver()
    # The same answer whether or not the address has an account.
    return render(ctx, "forgot_password.html", done=True, email=email)


@blueprint.post("/utilisateurs/<user_id>/lien")
@admin_page()
def resend_link(request, ctx: Ctx, user_id: str):
    ctx.require(policy.can_manage_users(ctx.actor))
    account = ctx.get_or_404(User, user_id)
    purpose = "invite" if not tokens.has_password(account) else "reset"
    by_smtp = send_account_link(ctx, account, purpose)
    ctx.db.commit()
    after_commit_deliver()
    if purpose == "invite":
        ctx.flash(sent_note(by_smtp, account.email))
    else:
        ctx.flash(f"Un lien pour choisir un nouveau mot de passe part vers {account.email}." if by_smtp else
                  f"Le lien pour {account.email} attend dans « Courriels à envoyer ».")
    return redirect(f"/admin/utilisateurs/{account.id}")


# --- Second factor (TOTP) ------------------------------------------------------------------------


class CodeAttempts:
    """Wrong codes per account in 15 minutes (memory): 5, then back to the password."""

    def __init__(self, limit: int = 5, window: float = 15 * 60, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, uid: str) -> bool:
        now = self.clock()
        with self._lock:
            q = self._failures[uid]
            while q and now - q[0] >= self.window:
                q.popleft()
            return len(q) >= self.limit

    def failure(self, uid: str) -> None:
        with self._lock:
            self._failures[uid].append(self.clock())

    def success(self, uid: str) -> None:
        with self._lock:
            self._failures.pop(uid, None)


CODE_ATTEMPTS = CodeAttempts()
MFA_MAX_AGE = 5 * 60


def totp_ok(secret: str, code: str) -> bool:
    code = "".join((code or "").split())
    return bool(secret) and code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def start_second_factor(ctx: Ctx, user: User, next_url: str):
    """Called by the login once the password is right: the session waits for the code."""
    ctx.session = auth.new_session()
    ctx.session["mfa"] = {"uid": user.id, "pw": auth.password_tag(user.password_hash), "next": next_url,
                          "at": int(time.time())}
    ctx.session_changed = True
    return redirect("/admin/login/code")


@blueprint.route("/login/code", methods=["GET", "POST"])
@admin_page(login=False)
def login_code(request, ctx: Ctx):
    pending = ctx.session.get("mfa") or {}
    user = ctx.db.get(User, pending.get("uid")) if pending.get("uid") else None
    if (user is None or not user.active or not user.totp_secret or pending.get("pw") != auth.password_tag(user.password_hash)
            or time.time() - pending.get("at", 0) > MFA_MAX_AGE):
        ctx.session.pop("mfa", None)
        ctx.session_changed = True
        ctx.flash("Reprenez la connexion depuis le début.")
        return redirect("/admin/login")
    if request.method == "GET":
        return render(ctx, "login_code.html", error=None)
    if CODE_ATTEMPTS.blocked(user.id):
        ctx.session.pop("mfa", None)
        ctx.session_changed = True
        return render(ctx, "login_code.html", status=429,
                      error="Trop de codes erronés. Pour votre sécurité, attendez 15 minutes avant de réessayer.")
    if not totp_ok(user.totp_secret, request.form.get("code")):
        CODE_ATTEMPTS.failure(user.id)
        return render(ctx, "login_code.html", status=401,
                      error="Ce code n'est pas le bon (ou il a changé entre-temps). Entrez le code affiché maintenant.")
    CODE_ATTEMPTS.success(user.id)
    ctx.session = auth.new_session(user.id, user.password_hash)
    ctx.session_changed = True
    ctx.flash(f"Bonjour {user.name or user.email}!")
    return redirect(pending.get("next") or "/admin/services")


NO_KEY = ("La vérification en deux étapes n'est pas encore offerte sur ce serveur : la personne qui l'administre "
          f"doit d'abord définir {secret_box.KEY_VARIABLE} (la clé qui chiffre les secrets).")


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


@blueprint.route("/compte/deux-etapes", methods=["GET", "POST"])
@admin_page()
def second_factor(request, ctx: Ctx):
    ctx.require(policy.can_use_second_factor(ctx.actor))
    user = ctx.user
    error = None
    if not user.totp_secret and not secret_box.available():  # no key to encrypt the secret with
        return render(ctx, "second_factor.html", status=503, error=NO_KEY, secret="", uri="", enabled=False,
                      unavailable=True)
    if request.method == "POST":
        action = clean(request.form.get("action"))
        if action == "disable":
            if not totp_ok(user.totp_secret, request.form.get("code")):
                error = "Ce code n'est pas le bon. Entrez le code affiché maintenant dans votre application."
            else:
                user.totp_secret = None
                history.record_simple(ctx.db, "user", user.id, {"second_factor": "activée"},
                                      {"second_factor": "désactivée"}, "update", ctx.actor.email)
                ctx.db.commit()
                ctx.flash("La vérification en deux étapes est désactivée.")
                return redirect("/admin/compte")
        else:
            secret = ctx.session.get("totp_new")
            if not secret:
                return redirect("/admin/compte/deux-etapes")
            if not totp_ok(secret, request.form.get("code")):
                error = "Ce code n'est pas le bon. Vérifiez la clé saisie dans l'application et entrez le code affiché."
            else:
                user.totp_secret = secret
                ctx.session.pop("totp_new", None)
                ctx.session_changed = True
                history.record_simple(ctx.db, "user", user.id, {"second_factor": "désactivée"},
                                      {"second_factor": "activée"}, "update", ctx.actor.email)
                ctx.db.commit()
                ctx.flash("La vérification en deux étapes est activée : Phare vous demandera un code à chaque connexion.")
                return redirect("/admin/compte")
    secret = None
    if not user.totp_secret:
        secret = ctx.session.get("totp_new") or pyotp.random_base32()
        if ctx.session.get("totp_new") != secret:
            ctx.session["totp_new"] = secret
            ctx.session_changed = True
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) if secret else ""
    return render(ctx, "second_factor.html", status=400 if error else 200, error=error, secret=grouped,
                  uri=totp_uri(secret, user.email) if secret else "", enabled=bool(user.totp_secret))


# --- Outbox ----------------------------------------------------------------------------------------------------


@blueprint.get("/courriels")
@admin_page()
def outbox(request, ctx: Ctx):
    ctx.require(policy.can_manage_users(ctx.actor))
    return render(ctx, "outbox.html", waiting=mail.pending(ctx.db), sent=mail.recent_sent(ctx.db),
                  smtp=mail.smtp_config() is not None, quote=quote)


@blueprint.post("/courriels/<message_id>/envoye")
@admin_page()
def outbox_mark_sent(request, ctx: Ctx, message_id: str):
    ctx.require(policy.can_manage_users(ctx.actor))
    row = mail.mark_sent_by_hand(ctx.db, message_id, ctx.actor.email)
    if row is None:
        raise NotFound()
    ctx.db.commit()
    ctx.flash(f"Noté : le courriel à {row.to_address} est envoyé.")
    return redirect("/admin/courriels")


@blueprint.post("/courriels/envoyer")
@admin_page()
def outbox_send_now(request, ctx: Ctx):
    ctx.require(policy.can_manage_users(ctx.actor))
    if mail.smtp_config() is None:
        return error_page(ctx, 400, "Aucun serveur de courriel",
                          "Aucun serveur de courriel n'est configuré (PHARE_SMTP_URL) : envoyez ces messages à la main.")
    mail.deliver_in_background()
    ctx.flash("Envoi en cours. Rechargez la page dans un instant.")
    return redirect("/admin/courriels")


def waiting_count(db) -> int:
    return db.execute(select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_(("pending", "failed")))).scalar() or 0
