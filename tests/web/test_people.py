"""People management: invitations and reset links (one-time, expiring, digest only), organisation and tender roles,
the last-admin rule, deactivation (no sign-in, no API token), password change, and sign-in throttling kept in the
database (per user name and per address)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from commonweal.web.access import Forbidden, Refused, issue_token
from commonweal.web.models import AuditEntry, Invitation, Membership, TenderRole
from commonweal.web.people.forms import InviteForm, NewPasswordForm

pytestmark = pytest.mark.db

PASSWORD = "demo password for tests"
NEW_PASSWORD = "a long new passphrase 42"
OUTSIDER_ADMIN = "southdale.commissioner"
LINK = re.compile(r"/people/(join|reset)/([A-Za-z0-9_-]+)/")


def _link(response) -> str:
    """The one-time link's path, from the page that shows it once."""
    found = LINK.search(response.content.decode())
    assert found is not None, response.content[:2000]
    return found.group(0)


def _invite(admin: Client, username: str = "j.smith", role: str = "viewer") -> str:
    response = admin.post("/organisations/northfield/members/invite/",
                          {"username": username, "display_name": "Jo Smith", "role": role})
    assert response.status_code == 200, response.content[:2000]
    assert "no-store" in response["Cache-Control"]
    return _link(response)


def _signs_in(username: str, password: str, address: str = "127.0.0.1") -> int:
    return Client(REMOTE_ADDR=address).post("/sign-in/", {"username": username, "password": password}).status_code


def _no_secret_in_audit(*secrets: str) -> None:
    text = json.dumps([e.detail for e in AuditEntry.objects.all()])
    for secret in secrets:
        assert secret not in text


# -- invitations ---------------------------------------------------------------------------------------------------


def test_an_admin_invites_and_the_invitee_joins_once(world, client_for) -> None:
    path = _invite(client_for("admin"))
    token = path.rstrip("/").rsplit("/", 1)[1]
    stored = Invitation.objects.get(username="j.smith")
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest() and token not in stored.digest
    assert stored.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)  # Commonweal default: 7 days

    invitee = Client()
    assert invitee.get(path).status_code == 200
    weak = invitee.post(path, {"password1": "password", "password2": "password"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    assert not User.objects.filter(username="j.smith").exists()  # nothing saved
    mismatch = invitee.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.content.decode()

    joined = invitee.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert joined.status_code == 302 and joined["Location"] == "/"
    assert invitee.get("/tenders/").status_code == 200  # signed in
    person = User.objects.get(username="j.smith")
    assert person.first_name == "Jo Smith"
    assert set(Membership.objects.filter(user=person).values_list("organisation__slug", "role")) == {
        ("northfield", "viewer")}
    assert _signs_in("j.smith", NEW_PASSWORD) == 302

    # single use: the link is spent
    assert Client().get(path).status_code == 404
    assert Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 404
    actions = list(AuditEntry.objects.filter(organisation__slug="northfield").values_list("action", flat=True))
    assert "person_invited" in actions and "invitation_accepted" in actions
    _no_secret_in_audit(token, NEW_PASSWORD)


def test_an_expired_or_wrong_purpose_link_is_refused(world, client_for, settings) -> None:
    settings.COMMONWEAL_INVITATION_DAYS = 2
    path = _invite(client_for("admin"))
    invitation = Invitation.objects.get(username="j.smith")
    assert dt.timedelta(days=1, hours=23) < invitation.expires_at - timezone.now() <= dt.timedelta(days=2)
    # an invitation token is not a reset token
    assert Client().get(path.replace("/join/", "/reset/")).status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(path).status_code == 404
    assert Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 404
    assert not User.objects.filter(username="j.smith").exists()


def test_a_user_name_taken_after_the_invitation_is_refused_on_the_form(world, client_for) -> None:
    path = _invite(client_for("admin"), "k.jones")
    User.objects.create_user("K.Jones")  # another way in took the name (in another letter case) meanwhile
    taken = Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert taken.status_code == 400 and "has been taken since you were invited" in taken.content.decode()
    assert not Membership.objects.filter(user__username__iexact="k.jones").exists()
    assert Invitation.objects.get(username="k.jones").used_at is None


def test_invitations_stay_in_the_admins_own_organisation(world, client_for) -> None:
    admin = client_for("admin")
    # Southdale is not the admin's organisation: it does not exist for them
    assert admin.get("/organisations/southdale/members/invite/").status_code == 404
    assert admin.post("/organisations/southdale/members/invite/",
                      {"username": "x.y", "display_name": "X Y", "role": "admin"}).status_code == 404
    # a Northfield commissioner is not an admin
    assert client_for("commissioner").post("/organisations/northfield/members/invite/",
                                           {"username": "x.y", "display_name": "X Y", "role": "admin"}
                                           ).status_code == 403
    assert not Invitation.objects.exists()
    # a taken user name (whatever its case) is refused on its field
    taken = admin.post("/organisations/northfield/members/invite/",
                       {"username": "Viewer", "display_name": "V", "role": "member"})
    assert taken.status_code == 400 and 'href="#username"' in taken.content.decode()
    assert not Invitation.objects.exists()


def test_an_admin_cancels_an_invitation(world, client_for) -> None:
    admin = client_for("admin")
    path = _invite(admin)
    invitation = Invitation.objects.get(username="j.smith")
    assert "j.smith" in admin.get("/organisations/northfield/members/").content.decode()
    url = f"/organisations/northfield/members/invitations/{invitation.pk}/cancel/"
    assert client_for("commissioner").post(url, {"confirm": "yes"}).status_code == 403
    assert admin.post(url, {}).status_code == 400
    assert admin.post(url, {"confirm": "yes"}).status_code == 302
    assert Client().get(path).status_code == 404
    assert admin.post(url, {"confirm": "yes"}).status_code == 404
    assert AuditEntry.objects.filter(action="invitation_cancelled").count() == 1


def test_the_command_line_prints_an_invitation(world, capsys) -> None:
    call_command("invite", "northfield", "c.line", "--role", "commissioner", "--base-url", "https://cw.example")
    printed = capsys.readouterr().out
    path = _link(type("R", (), {"content": printed.encode()})())
    assert f"https://cw.example{path}" in printed
    assert Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    assert Membership.objects.filter(user__username="c.line", organisation__slug="northfield",
                                     role="commissioner").exists()


def test_commonweal_web_invite_prints_the_link_or_says_what_is_wrong(world) -> None:
    from typer.testing import CliRunner

    from commonweal.cli.main import app

    runner = CliRunner()
    done = runner.invoke(app, ["web", "invite", "northfield", "d.cli", "--name", "Dee Cli",
                               "--base-url", "https://cw.example"])
    assert done.exit_code == 0, done.output
    assert re.search(r"https://cw\.example/people/join/[A-Za-z0-9_-]{43}/", done.output)
    assert Invitation.objects.get(username="d.cli").role == ""  # a plain member by default
    for args, reason in ((["nowhere", "e.cli"], "no organisation 'nowhere'"),
                         (["northfield", "viewer"], "The user name viewer is taken")):
        refused = runner.invoke(app, ["web", "invite", *args])
        assert refused.exit_code == 1 and reason in refused.output, refused.output


# -- organisation roles and the last admin ---------------------------------------------------------------------------


def test_an_admin_gives_and_removes_roles_but_never_the_last_admin(world, client_for) -> None:
    admin = client_for("admin")
    viewer = User.objects.get(username="viewer")
    me = User.objects.get(username="admin")
    base = "/organisations/northfield/members"

    alone = admin.post(f"{base}/{me.pk}/role/", {"action": "remove", "role": "admin"})
    assert alone.status_code == 400 and "no admin left" in alone.content.decode()
    assert Membership.objects.filter(user=me, role="admin").exists()
    assert admin.post(f"{base}/{me.pk}/remove/", {"confirm": "yes"}).status_code == 400

    assert admin.post(f"{base}/{viewer.pk}/role/", {"action": "give", "role": "admin"}).status_code == 302
    assert admin.post(f"{base}/{viewer.pk}/role/", {"action": "remove", "role": "viewer"}).status_code == 302
    assert set(Membership.objects.filter(user=viewer, organisation__slug="northfield")
               .values_list("role", flat=True)) == {"admin"}
    # now someone else is an admin, the admin may step down; their only membership stays, as a plain member
    assert admin.post(f"{base}/{me.pk}/role/", {"action": "remove", "role": "admin"}).status_code == 302
    assert list(Membership.objects.filter(user=me, organisation__slug="northfield")
                .values_list("role", flat=True)) == [""]
    assert admin.get(f"{base}/").status_code == 403  # no longer an admin
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("organisation_role_given") == 1 and actions.count("organisation_role_removed") == 2


def test_a_deactivated_account_cannot_sign_in_or_use_a_token(world, client_for) -> None:
    admin = client_for("admin")
    viewer = User.objects.get(username="viewer")
    token = issue_token(viewer, "test")
    session = client_for("viewer")
    assert session.get("/tenders/").status_code == 200

    assert admin.post(f"/organisations/northfield/members/{viewer.pk}/active/", {"active": "no"}).status_code == 302
    assert _signs_in("viewer", PASSWORD) == 400
    assert Client().get("/api/tenders", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert session.get("/tenders/").status_code == 302  # the open session ends too
    assert Membership.objects.filter(user=viewer).exists()  # records and memberships stay

    assert admin.post(f"/organisations/northfield/members/{viewer.pk}/active/", {"active": "yes"}).status_code == 302
    assert _signs_in("viewer", PASSWORD) == 302
    assert Client().get("/api/tenders", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert {"account_deactivated", "account_reactivated"} <= set(AuditEntry.objects.values_list("action", flat=True))


def test_an_admin_cannot_lock_out_someone_who_also_works_for_another_council(world, client_for) -> None:
    """evaluator1 is shared-service staff, a member of Northfield and Southdale: Northfield's admin may remove them
    from Northfield, never deactivate their account or take over their password."""
    admin = client_for("admin")
    # Southdale has an admin of its own, so only the cross-organisation rule can refuse what follows
    Membership.objects.create(user=User.objects.get(username=OUTSIDER_ADMIN), organisation=world["southdale"]
                              .organisation, role="admin")
    shared = User.objects.get(username="evaluator1")
    base = f"/organisations/northfield/members/{shared.pk}"
    page = admin.get(f"{base}/").content.decode()
    assert "also works for an organisation you do not administer" in page
    assert f"{world['northfield'].reference} {world['northfield'].title}: evaluator" in page
    assert world["southdale"].reference not in page  # another council's tenders are not this admin's business
    refused = admin.post(f"{base}/active/", {"active": "no"})
    assert refused.status_code == 400
    assert "remove them from Northfield Borough Council instead" in refused.content.decode()
    reset = admin.post(f"{base}/reset/", {"confirm": "yes"})
    assert reset.status_code == 400 and "can reset their password" in reset.content.decode()
    assert User.objects.get(pk=shared.pk).is_active and not Invitation.objects.exists()

    assert admin.post(f"{base}/remove/", {"confirm": "yes"}).status_code == 302
    assert not Membership.objects.filter(user=shared, organisation__slug="northfield").exists()
    assert not TenderRole.objects.filter(user=shared, tender=world["northfield"]).exists()
    assert Membership.objects.filter(user=shared, organisation__slug="southdale").exists()
    assert TenderRole.objects.filter(user=shared, tender=world["southdale"]).exists()
    assert _signs_in("evaluator1", PASSWORD) == 302
    # a person of another organisation does not exist for this admin
    outsider = User.objects.get(username="southdale.commissioner")
    assert admin.get(f"/organisations/northfield/members/{outsider.pk}/").status_code == 404
    assert admin.post(f"/organisations/northfield/members/{outsider.pk}/active/", {"active": "no"}
                      ).status_code == 404


# -- passwords -------------------------------------------------------------------------------------------------------


def test_a_person_changes_their_password(world, client_for) -> None:
    client = client_for("viewer")
    wrong = client.post("/account/password/", {"old_password": "not it", "new_password1": NEW_PASSWORD,
                                               "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 400 and 'href="#old_password"' in wrong.content.decode()
    assert _signs_in("viewer", PASSWORD) == 302
    changed = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                 "new_password2": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/tenders/").status_code == 200  # still signed in here
    assert _signs_in("viewer", PASSWORD) == 400 and _signs_in("viewer", NEW_PASSWORD) == 302
    assert AuditEntry.objects.filter(action="password_changed", actor="viewer").count() == 1
    _no_secret_in_audit(NEW_PASSWORD, PASSWORD)


def test_an_admin_resets_a_password_with_a_one_time_link(world, client_for) -> None:
    viewer = User.objects.get(username="viewer")
    User.objects.filter(pk=viewer.pk).update(first_name="Valentina Viewerington")
    response = client_for("admin").post(f"/organisations/northfield/members/{viewer.pk}/reset/", {"confirm": "yes"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    path = _link(response)
    assert "/reset/" in path
    # the validators know whose password it is: one too like their name is refused
    similar = Client().post(path, {"password1": "ValentinaViewerington", "password2": "ValentinaViewerington"})
    assert similar.status_code == 400 and "too similar" in similar.content.decode()
    assert Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    assert _signs_in("viewer", PASSWORD) == 400 and _signs_in("viewer", NEW_PASSWORD) == 302
    assert Client().post(path, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 404  # used
    # a reset link stops working when the account is deactivated, and none is issued for a deactivated account
    again = _link(client_for("admin").post(f"/organisations/northfield/members/{viewer.pk}/reset/", {"confirm": "yes"}))
    User.objects.filter(pk=viewer.pk).update(is_active=False)
    assert Client().get(again).status_code == 404
    refused = client_for("admin").post(f"/organisations/northfield/members/{viewer.pk}/reset/", {"confirm": "yes"})
    assert refused.status_code == 400 and "reactivate it first" in refused.content.decode()
    assert {"password_reset_link_issued", "password_reset"} <= set(AuditEntry.objects.values_list("action", flat=True))
    _no_secret_in_audit(path.rstrip("/").rsplit("/", 1)[1], NEW_PASSWORD)


# -- tender roles ----------------------------------------------------------------------------------------------------


def test_a_commissioner_gives_and_removes_tender_roles(world, client_for) -> None:
    tender = world["northfield"]
    commissioner = client_for("commissioner")
    page = commissioner.get(f"/tenders/{tender.pk}/team/").content.decode()
    # the role list starts with a prompt, never a powerful role chosen by default
    assert re.search(r'<select[^>]*name="role"[^>]*>\s*<option value="">Choose a role</option>', page)

    missing = commissioner.post(f"/tenders/{tender.pk}/team/", {"username": "viewer", "role": ""})
    assert missing.status_code == 400 and 'href="#role"' in missing.content.decode()
    assert commissioner.post(f"/tenders/{tender.pk}/team/", {"username": "viewer", "role": "moderator"}
                             ).status_code == 302
    assert TenderRole.objects.filter(tender=tender, user__username="viewer", role="moderator").exists()
    assert commissioner.post(f"/tenders/{tender.pk}/team/remove/", {"username": "viewer", "role": "moderator"}
                             ).status_code == 302
    assert not TenderRole.objects.filter(tender=tender, user__username="viewer").exists()
    again = commissioner.post(f"/tenders/{tender.pk}/team/remove/", {"username": "viewer", "role": "moderator"})
    assert again.status_code == 400
    assert list(AuditEntry.objects.filter(tender=tender, action__in=["role_assigned", "role_removed"])
                .values_list("action", flat=True)) == ["role_assigned", "role_removed"]


def test_the_team_shows_display_names_and_not_deactivated_people(world, client_for) -> None:
    tender = world["northfield"]
    User.objects.filter(username="evaluator2").update(first_name="Eve Two")
    User.objects.filter(username="viewer").update(is_active=False)
    page = client_for("commissioner").get(f"/tenders/{tender.pk}/team/").content.decode()
    people = re.search(r'<select[^>]*name="username"[^>]*>(.*?)</select>', page, re.S)
    assert people is not None
    assert '<option value="evaluator2">Eve Two (evaluator2)</option>' in people.group(1)
    assert 'value="viewer"' not in people.group(1)  # deactivated and holding no role here: not offered
    assert 'value="evaluator1"' in people.group(1)


# -- sign-in throttling ----------------------------------------------------------------------------------------------


def test_a_lockout_lives_in_the_database_not_the_process(world, settings) -> None:
    for attempt in range(settings.COMMONWEAL_LOGIN_MAX_FAILURES - 1):
        assert _signs_in("viewer", f"wrong {attempt}", address="10.0.0.1") == 400
    locked = Client(REMOTE_ADDR="10.0.0.2").post("/sign-in/", {"username": "Viewer ", "password": "wrong"})
    assert locked.status_code == 429  # the user name's fifth failure, from any address, in any letter case
    assert "Too many failed attempts" in locked.content.decode() and 'href="#username"' in locked.content.decode()
    cache.clear()  # no per-process memory is involved
    assert AccessAttempt.objects.filter(username="viewer").exists()
    assert _signs_in("viewer", PASSWORD, address="10.0.0.3") == 429  # a fresh client, the right password
    # attempts during the lockout are refused without being written: a flood cannot grow the table
    counted = sum(AccessAttempt.objects.filter(username="viewer").values_list("failures_since_start", flat=True))
    assert counted == settings.COMMONWEAL_LOGIN_MAX_FAILURES
    assert _signs_in("commissioner", PASSWORD, address="10.0.0.3") == 302  # other accounts are unaffected


def test_spraying_from_one_address_is_slowed(world, settings) -> None:
    settings.COMMONWEAL_LOGIN_MAX_FAILURES_PER_ADDRESS = 8
    for n in range(7):  # one guess each at many user names: no user name reaches its own limit
        assert _signs_in(f"someone{n}", "Winter2026!", address="10.9.9.9") == 400
    assert _signs_in("evaluator2", "Winter2026!", address="10.9.9.9") == 429
    assert _signs_in("viewer", PASSWORD, address="10.9.9.9") == 429  # the address is locked out
    assert _signs_in("viewer", PASSWORD, address="10.9.9.10") == 302  # the account is not


def test_behind_a_proxy_the_forwarded_address_counts(world, settings) -> None:
    settings.COMMONWEAL_PROXY_COUNT = 1
    settings.COMMONWEAL_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    for n in range(2):  # the client puts a fake address first; the proxy adds the real one last
        Client(**proxy).post("/sign-in/", {"username": f"x{n}", "password": "p"},
                             HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert Client(**proxy).post("/sign-in/", {"username": "viewer", "password": PASSWORD},
                                HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert Client(**proxy).post("/sign-in/", {"username": "viewer", "password": PASSWORD},
                                HTTP_X_FORWARDED_FOR="not an address").status_code == 302


# -- hostile input ---------------------------------------------------------------------------------------------------

BIG = "x" * 100_000


def test_no_people_form_fails_on_empty_oversized_or_wrong_typed_input(world, client_for) -> None:
    admin = client_for("admin")
    viewer = User.objects.get(username="viewer")
    tender = world["northfield"]
    base = f"/organisations/northfield/members/{viewer.pk}"
    posts = {
        "/organisations/northfield/members/invite/": ["username", "display_name", "role"],
        f"{base}/role/": ["action", "role"],
        f"{base}/active/": ["active"],
        f"{base}/remove/": ["confirm"],
        f"{base}/reset/": ["confirm"],
        "/account/password/": ["old_password", "new_password1", "new_password2"],
    }
    for path, fields in posts.items():
        for value in ("", BIG, "12", "\x00", "["):
            response = admin.post(path, {f: value for f in fields})
            assert response.status_code == 400, (path, value[:10], response.status_code)
            assert "There is a problem" in response.content.decode()
    commissioner = client_for("commissioner")
    for path in (f"/tenders/{tender.pk}/team/", f"/tenders/{tender.pk}/team/remove/"):
        for value in ("", BIG, "12", "\x00"):
            assert commissioner.post(path, {"username": value, "role": value}).status_code == 400
    for value in ("", BIG):
        assert Client().post("/sign-in/", {"username": value, "password": value}).status_code == 400
    link = _invite(admin, "h.ostile")
    for value in ("", BIG, "12", "\x00"):
        response = Client().post(link, {"password1": value, "password2": value})
        assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert not User.objects.filter(username="h.ostile").exists()
    Invitation.objects.all().delete()
    assert not Invitation.objects.exists() and Membership.objects.filter(user=viewer, role="viewer").exists()
    # a lone surrogate cannot arrive in a form post (it is not UTF-8); the forms refuse it all the same
    form = InviteForm({"username": "a", "display_name": "\ud800", "role": "member"})
    assert not form.is_valid() and form.summary() == [
        {"text": "The text must be valid Unicode text (it contains a lone surrogate)", "href": "#display_name"}]
    assert not NewPasswordForm(viewer, {"password1": "\ud800" * 12, "password2": "\ud800" * 12}).is_valid()


def test_pages_with_errors_keep_their_shape(world, client_for) -> None:
    """Each form's error page: a title, own-route form actions with CSRF tokens, no duplicate ids, and every error
    summary link pointing at an element of the page."""
    from test_pages import check_page

    admin = client_for("admin")
    viewer = User.objects.get(username="viewer")
    base = f"/organisations/northfield/members/{viewer.pk}"
    tender = world["northfield"]
    answers = {
        "/organisations/northfield/members/invite/": admin.post("/organisations/northfield/members/invite/", {}),
        f"{base}/role/": admin.post(f"{base}/role/", {}),
        f"{base}/active/": admin.post(f"{base}/active/", {}),
        f"{base}/remove/": admin.post(f"{base}/remove/", {}),
        "/account/password/": admin.post("/account/password/", {}),
        f"/tenders/{tender.pk}/team/": client_for("commissioner").post(f"/tenders/{tender.pk}/team/", {}),
        "/sign-in/": Client().post("/sign-in/", {}),
    }
    problems = []
    for path, response in answers.items():
        html = response.content.decode()
        assert response.status_code == 400, path
        problems += check_page(path, html)
        summary = re.search(r'govuk-error-summary__list.*?</ul>', html, re.S)
        targets = re.findall(r'href="#([^"]+)"', summary.group(0)) if summary else []
        if not targets:
            problems.append(f"{path}: no error summary links")
        problems += [f"{path}: error summary links to missing #{t}" for t in targets if f'id="{t}"' not in html]
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one(world, monkeypatch) -> None:
    """The organisation's row is locked while its people change, so the second removal sees the first. Each
    removal waits (up to 2 s) before its last-admin check for the other to catch up: without the lock both would
    get there, each still see the other as admin, and both succeed."""
    import contextlib
    import threading

    from django.db import connection

    from commonweal.domain.lifecycle import Role
    from commonweal.web.people import data as people

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (scripts/test.sh runs the db tests there)")
    first, second = User.objects.get(username="admin"), User.objects.get(username="viewer")
    Membership.objects.create(user=second, organisation=world["northfield"].organisation, role="admin")
    start = threading.Barrier(2)
    outcomes: list[str] = []
    checkpoint = threading.Barrier(2, timeout=2)
    check = people._without_admin

    def after_the_other(organisations: set[int]) -> list[str]:
        with contextlib.suppress(threading.BrokenBarrierError):  # the other waits for the lock: carry on alone
            checkpoint.wait()
        return check(organisations)

    monkeypatch.setattr(people, "_without_admin", after_the_other)

    def remove(actor: User, other: User) -> None:
        try:
            start.wait()
            people.remove_role(actor, "northfield", other.pk, Role.ADMIN)
            outcomes.append("removed")
        except (Refused, Forbidden):  # refused, or no longer an admin by the time it starts
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "removed"]
    assert Membership.objects.filter(organisation__slug="northfield", role="admin").count() == 1
