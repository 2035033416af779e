"""Network administration (members, endorsements) and the network's public endpoints.

Admin pages live under ``/admin/networks/<slug>`` and answer 404 for a network the person does
not administer. ``/networks/<slug>`` (the network's issuer id) and
``/networks/<slug>/endorsements/<uuid>`` and its status lists
``/networks/<slug>/status/revocation/<n>`` are public, cacheable and CORS-open like the issuer
endpoints of ``badger.awards``.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from badger import urls
from badger.db import get_session
from badger.networks import keys as network_keys
from badger.networks import service
from badger.networks.forms import EndorseForm, MemberForm, NetworkAdminForm, NetworkForm
from badger.networks.models import Network
from badger.public import (
    STATUS_CACHE,
    VC_JSON,
    json_document,
    status_list_document,
    wants_html,
)
from badger.security import network_admin_required, server_admin_required

bp = Blueprint("networks", __name__)


# --------------------------------------------------------------------------- admin pages
#
# Writes are the request's transaction (``badger.db``): a refused write (``UserError``) rolls
# back everything the view wrote before the error page renders.


def _admin_network(slug: str) -> Network:
    return service.network_for_admin(get_session(), current_user, slug)


def _posted(form: Any) -> Any:
    """``form`` once its POST is checked (the CSRF token; the fields carry no validators, the
    services check the values)."""
    if not form.validate_on_submit():
        abort(400)
    return form


@bp.route("/admin/networks")
def admin_index() -> Any:
    """The networks the person administers; a server administrator also gets the link to the
    server's page (where networks are created)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    server_admin = current_user.kind == "staff" and current_user.server_admin
    if current_user.kind != "staff" or not (current_user.admin_network_ids() or server_admin):
        abort(403)
    networks = service.administered_networks(get_session(), current_user)
    if len(networks) == 1 and not server_admin:
        return redirect(url_for("networks.admin_network", slug=networks[0].slug))
    return render_template("networks/admin_index.html", networks=networks,
                           server_admin=server_admin)


# --------------------------------------------------------------------------- server administration


@bp.route("/admin/server", methods=["GET", "POST"])
@server_admin_required
def server_admin() -> Any:
    """Every network of this server; create one (it is listed in the server's registry)."""
    db = get_session()
    form = NetworkForm()
    if form.is_submitted():
        _posted(form)
        network = service.create_network(
            db, form.slug.data or "", form.name.data or "", actor=current_user,
            description=form.description.data or "", url=form.url.data,
            location=form.location.data)
        flash(_("Le réseau %(name)s est créé.", name=network.name), "success")
        return redirect(url_for("networks.server_admin"))
    return render_template("networks/server_admin.html", networks=service.all_networks(db),
                           form=form, admin_form=_admin_form,
                           network_url=urls.network_url,
                           registry_url=urls.server_registry_url())


def _admin_form(network: Network) -> NetworkAdminForm:
    return NetworkAdminForm(formdata=None, suffix=network.id)


@bp.route("/admin/server/networks/<slug>/admins", methods=["POST"])
@server_admin_required
def server_add_admin(slug: str) -> Any:
    """Name an administrator of a network; a new account gets an invitation link (shown once)."""
    network = _network_or_404(slug)
    form = _posted(NetworkAdminForm())
    user, token = service.add_network_admin(get_session(), network, form.email.data or "",
                                            form.name.data or "", actor=current_user)
    flash(_("%(name)s administre maintenant le réseau %(network)s.", name=user.name,
            network=network.name), "success")
    if token is None:
        return redirect(url_for("networks.server_admin"))
    link = url_for("accounts.accept_token", token=token, _external=True)
    return render_template("networks/server_invite.html", user=user, network=network,
                           link=link)


@bp.route("/admin/networks/<slug>")
@network_admin_required
def admin_network(slug: str) -> Any:
    db = get_session()
    network = _admin_network(slug)
    return render_template(
        "networks/admin_network.html",
        network=network,
        members=service.members(db, network),
        network_id=urls.network_url(network),
        form=MemberForm(formdata=None),
        endorse_form=lambda member: EndorseForm(formdata=None, suffix=member.organisation.id),
    )


@bp.route("/admin/networks/<slug>/members", methods=["POST"])
@network_admin_required
def add_member(slug: str) -> Any:
    network = _admin_network(slug)
    form = _posted(MemberForm())
    org = service.add_member(get_session(), network, form.organisation.data or "",
                             actor=current_user)
    flash(_("%(name)s est maintenant membre du réseau.", name=org.name), "success")
    return redirect(url_for("networks.admin_network", slug=network.slug))


@bp.route("/admin/networks/<slug>/members/<org_slug>/remove", methods=["POST"])
@network_admin_required
def remove_member(slug: str, org_slug: str) -> Any:
    network = _admin_network(slug)
    service.remove_member(get_session(), network, org_slug, actor=current_user)
    flash(_("L'organisation ne fait plus partie du réseau."), "success")
    return redirect(url_for("networks.admin_network", slug=network.slug))


@bp.route("/admin/networks/<slug>/members/<org_slug>/endorse", methods=["POST"])
@network_admin_required
def endorse(slug: str, org_slug: str) -> Any:
    network = _admin_network(slug)
    form = _posted(EndorseForm())
    service.endorse(get_session(), network, org_slug, form.comment.data or "",
                    actor=current_user)
    flash(_("La recommandation est signée et publiée."), "success")
    return redirect(url_for("networks.admin_network", slug=network.slug))


@bp.route("/admin/networks/<slug>/members/<org_slug>/withdraw", methods=["POST"])
@network_admin_required
def withdraw(slug: str, org_slug: str) -> Any:
    network = _admin_network(slug)
    service.withdraw(get_session(), network, org_slug, actor=current_user)
    flash(_("La recommandation est retirée."), "success")
    return redirect(url_for("networks.admin_network", slug=network.slug))


# --------------------------------------------------------------------------- public endpoints


def _network_or_404(slug: str) -> Network:
    network = service.network_by_slug(get_session(), slug)
    if network is None:
        abort(404)
    return network


@bp.route("/networks/<slug>")
def profile(slug: str) -> Any:
    """The network's issuer id: Profile + controller document (JSON-LD), or a page."""
    network = _network_or_404(slug)
    if wants_html():
        endorsed = service.endorsed_members(get_session(), network)
        html = render_template(
            "networks/public.html",
            network=network,
            endorsed=endorsed,
            network_id=urls.network_url(network),
            issuer_url=urls.issuer_url,
        )
        # not publicly cacheable: the page carries the visitor's CSRF token and menu
        return Response(html, mimetype="text/html", headers={"Vary": "Accept"})
    doc = service.network_document(network, network_keys.network_keys(network.slug))
    return json_document(doc)


@bp.route("/networks/registry.json")
def server_registry() -> Any:
    """This server's networks (those a server administrator created), in the DCC
    known-issuer registry format: a verifier that trusts this URL recognises them."""
    return json_document(service.server_registry(get_session()), mimetype="application/json",
                         cache=STATUS_CACHE)


@bp.route("/networks/<slug>/registry.json")
def member_registry(slug: str) -> Any:
    """The organisations the network actively endorses (DCC known-issuer registry format).
    A stable public URL: a contract (README, "Trust registries")."""
    network = _network_or_404(slug)
    return json_document(service.member_registry(get_session(), network),
                         mimetype="application/json", cache=STATUS_CACHE)


@bp.route("/networks/<slug>/registry")
def signed_member_registry(slug: str) -> Any:
    """The same registry as a credential signed with the network's key."""
    network = _network_or_404(slug)
    return json_document(service.signed_member_registry(get_session(), network),
                         mimetype=VC_JSON, cache=STATUS_CACHE)


@bp.route("/networks/<slug>/endorsements/<uuid>")
def endorsement(slug: str, uuid: str) -> Any:
    """The signed EndorsementCredential. Once withdrawn: still served when it carries a status
    entry (its status list says revoked, which every verifier reads); 410 for one signed
    before status lists existed (the only way it can say so)."""
    network = _network_or_404(slug)
    row = service.public_endorsement(get_session(), network, uuid)
    if row is None:
        abort(404)
    if row.withdrawn_at is not None and row.status_list_id is None:
        abort(410)
    return json_document(row.credential_json, mimetype=VC_JSON)


@bp.route("/networks/<slug>/status/<any(revocation):purpose>/<int:number>")
def status_list(slug: str, purpose: str, number: int) -> Any:
    """The network's signed BitstringStatusListCredential (signed by the change itself: never
    writes)."""
    network = _network_or_404(slug)
    db = get_session()
    lst = service.status_list(db, network, purpose, number)
    if lst is None:
        abort(404)
    text, etag = lst.signed_document()
    return status_list_document(text, etag, lst.updated_at)
