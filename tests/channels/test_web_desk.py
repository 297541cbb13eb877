"""The web desk over real HTTP: sign-in links from chat, the desk and a request's page, acting
through the review and decision flows, insights and their CSV, and what a stranger gets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sqlmodel import col, select

from bot.app import App
from bot.messages import PersonRef
from bot.server import build_web_app
from bot.storage.models import DeskSignIn, Draft, DraftStatus
from tests.conftest import GOOD_ANSWERS
from tests.support.clock import FakeClock
from tests.support.desk import (
    ANA,
    LEAD,
    csrf_of,
    desk_app,
    link_in_chat,
    on_server,
    signed_in,
    submit_request,
)
from tests.support.server import ServerThread
from tests.support.transcript import Transcript

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> <!channel> <@U123>'


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(database_url: str, clock: FakeClock) -> App:
    return desk_app(database_url, clock)


@pytest.fixture
def server(app: App) -> Iterator[ServerThread]:
    thread = ServerThread(lambda: build_web_app(app)).start()
    yield thread
    thread.stop()


def test_a_reviewer_signs_in_once_with_the_link_from_chat(app: App, server: ServerThread) -> None:
    link = link_in_chat(app)
    assert link.startswith("http://desk.example.org/desk/sign-in/")
    token = link.rsplit("/", 1)[1]
    with app.database.session(write=False) as session:
        stored = session.exec(select(DeskSignIn)).one()
    assert stored.token_hash != token and token not in stored.token_hash  # kept hashed

    browser = requests.Session()
    opened = browser.get(on_server(server, link), headers={"Accept": "text/html"})
    assert opened.status_code == 200 and "Open the desk" in opened.text  # a preview spends nothing
    signed = browser.post(on_server(server, link), allow_redirects=False)
    assert signed.status_code == 303 and signed.headers["Location"] == "/desk/"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/desk" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here
    desk = browser.get(server.url + "/desk/", headers={"Accept": "text/html"})
    assert desk.status_code == 200 and "Lee Lead" in desk.text

    again = requests.post(on_server(server, link), allow_redirects=False)
    assert again.status_code == 410 and "used or has expired" in again.text


def test_a_link_expires_after_15_minutes(app: App, server: ServerThread, clock: FakeClock) -> None:
    link = link_in_chat(app)
    clock.advance(minutes=15, seconds=1)
    response = requests.post(on_server(server, link), allow_redirects=False)
    assert response.status_code == 410
    assert "Set-Cookie" not in response.headers


def test_someone_who_is_not_a_reviewer_gets_no_link(app: App) -> None:
    chat = Transcript(app.engine, ANA).send("desk")
    chat.expect("The web desk is for L&D reviewers").expect_not("/desk/sign-in/")
    with app.database.session(write=False) as session:
        assert session.exec(select(DeskSignIn)).all() == []


def test_without_a_session_pages_redirect_and_programs_get_401(server: ServerThread) -> None:
    for path in ("/desk/", "/desk/insights", "/desk/requests/TR-0001", "/desk/export.csv"):
        page = requests.get(
            server.url + path, headers={"Accept": "text/html"}, allow_redirects=False
        )
        assert page.status_code == 303 and page.headers["Location"] == "/desk/signed-out", path
        program = requests.get(server.url + path, headers={"Accept": "application/json"})
        assert program.status_code == 401, path
    landing = requests.get(server.url + "/desk/signed-out")
    assert "type desk to the bot" in landing.text
    forged = requests.post(
        server.url + "/desk/requests/TR-0001/act",
        data={"action_id": "review-draft-approve", "value": "1"},
        allow_redirects=False,
    )
    assert forged.status_code == 401


def test_a_forged_or_tampered_cookie_is_no_session(app: App, server: ServerThread) -> None:
    browser = signed_in(app, server)
    cookie = browser.cookies.get("triage_desk")
    assert cookie
    tampered = requests.get(
        server.url + "/desk/",
        cookies={"triage_desk": cookie[:-6] + "AAAAAA"},
        headers={"Accept": "text/html"},
        allow_redirects=False,
    )
    assert tampered.status_code == 303


def test_the_desk_filters_searches_and_pages(app: App, server: ServerThread) -> None:
    for number in range(52):
        submit_request(app, ANA, [f"Task {number}: invoices keyed twice", *GOOD_ANSWERS[1:]])
    submit_request(app, ANA, ["Pilots skip the de-icing checklist", *GOOD_ANSWERS[1:]])
    browser = signed_in(app, server)

    first = browser.get(server.url + "/desk/").text
    assert "53</span>" in first and "Page 1 of 2" in first
    assert first.index("TR-0053") < first.index("TR-0052")  # newest first
    second = browser.get(server.url + "/desk/?page=2").text
    assert "TR-0001" in second and "TR-0053" not in second

    found = browser.get(server.url + "/desk/", params={"q": "DE-ICING"}).text
    assert "TR-0053" in found and "TR-0052" not in found and "1</span>" in found
    none = browser.get(server.url + "/desk/", params={"q": "100%_"}).text
    assert "No request matches" in none  # LIKE wildcards are searched for, not obeyed

    by_status = browser.get(server.url + "/desk/", params={"status": "decided"}).text
    assert "No request matches" in by_status
    drafted = _draft_category(app, 1)
    expected = sum(_draft_category(app, n) == drafted for n in range(1, 54))
    by_category = browser.get(server.url + "/desk/", params={"category": drafted}).text
    assert f"{expected}</span>" in by_category and "TR-0001" in second
    other = next(c.id for c in app.config.categories if c.id != drafted)
    assert (
        "No request matches" in browser.get(server.url + "/desk/", params={"category": other}).text
    )


def test_owner_and_overdue_filters(app: App, server: ServerThread, clock: FakeClock) -> None:
    first = submit_request(app, ANA, GOOD_ANSWERS)
    submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    due = (clock.now + timedelta(days=3)).date()
    assign = press(
        browser,
        server,
        first,
        "review-decision-assign",
        "1",
        owner="lnd-lead",
        due=due.isoformat(),
        next="Docs or a course?",
        review_type="risk",
    )
    assert f"TR-0001: decision assigned to Lee Lead, due {due.isoformat()}" in assign.text
    owner_id = _person_id(app, LEAD)
    mine = browser.get(server.url + "/desk/", params={"owner": str(owner_id)}).text
    assert "TR-0001" in mine and "TR-0002" not in mine
    assert "No request matches" in browser.get(server.url + "/desk/?overdue=1").text
    clock.advance(days=5)
    late = browser.get(server.url + "/desk/?overdue=1").text
    assert "TR-0001" in late and "overdue</span>" in late and "TR-0002" not in late


def test_a_request_page_tells_the_whole_story_and_keeps_typed_text_as_text(
    app: App, server: ServerThread
) -> None:
    chat = Transcript(app.engine, ANA).send("hi")
    chat.send(HOSTILE).send("Ops").send("edit 1").send("Reps skip the discount check")
    for answer in GOOD_ANSWERS[2:]:
        chat.send(answer)
    chat.send("submit")
    app.drain()
    browser = signed_in(app, server)
    page = browser.get(server.url + "/desk/requests/TR-0001")
    html = page.text
    assert "Reps skip the discount check" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "<img src=x" not in html and "&lt;!channel&gt;" in html
    assert "version 2" in html and "version 1" in html  # every version kept and shown
    assert "answer.edited" in html  # the audit trail, with before and after
    assert "rules" in html and "pending" in html  # drafts beside their verdicts
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert scripts == []  # no inline script anywhere
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def test_approving_on_the_web_goes_through_the_review_flow_once(
    app: App, server: ServerThread
) -> None:
    reference = submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    page = browser.get(server.url + f"/desk/requests/{reference}").text
    draft_id = _draft_ids(app)[0]
    approve = {"csrf": csrf_of(page), "action_id": "review-draft-approve", "value": str(draft_id)}

    done = browser.post(server.url + f"/desk/requests/{reference}/act", data=approve)
    assert done.status_code == 200 and f"Draft {draft_id} approved" in done.text
    again = browser.post(server.url + f"/desk/requests/{reference}/act", data=approve)
    assert "already" in again.text.lower()
    with app.database.session(write=False) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None and draft.status == DraftStatus.APPROVED
        assert draft.decided_by == _person_id(app, LEAD)


def test_edit_and_reject_show_their_forms_and_errors(app: App, server: ServerThread) -> None:
    reference = submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    draft_id = _draft_ids(app)[0]
    asked = press(browser, server, reference, "review-draft-reject", str(draft_id))
    assert asked.status_code == 200 and 'name="reason"' in asked.text
    empty = press(browser, server, reference, "review-draft-reject", str(draft_id), reason="  ")
    assert empty.status_code == 422 and 'class="error"' in empty.text
    with app.database.session(write=False) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None and draft.status == DraftStatus.PENDING


def test_asking_the_requester_writes_one_notice(app: App, server: ServerThread) -> None:
    reference = submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    request_id = int(reference.removeprefix("TR-"))
    question = "Which CRM field do they use instead?"
    asked = press(
        browser, server, reference, "review-question-ask", str(request_id), question=question
    )
    assert asked.status_code == 200 and "Which CRM field" in asked.text
    Transcript(app.engine, ANA).start().expect("Which CRM field do they use instead?")


def test_a_post_without_its_csrf_token_changes_nothing(app: App, server: ServerThread) -> None:
    reference = submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    draft_id = _draft_ids(app)[0]
    for token in (None, "forged"):
        data = {"action_id": "review-draft-approve", "value": str(draft_id)}
        if token:
            data["csrf"] = token
        refused = browser.post(server.url + f"/desk/requests/{reference}/act", data=data)
        assert refused.status_code == 403 and "expired" in refused.text
    with app.database.session(write=False) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None and draft.status == DraftStatus.PENDING


def test_a_reviewer_removed_from_app_yaml_loses_the_desk(app: App, server: ServerThread) -> None:
    reference = submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    page = browser.get(server.url + f"/desk/requests/{reference}").text
    app.reviewers.review = app.reviewers.review.model_copy(update={"terminal_reviewers": ()})
    refused = browser.post(
        server.url + f"/desk/requests/{reference}/act",
        data={"csrf": csrf_of(page), "action_id": "review-draft-approve", "value": "1"},
    )
    assert refused.status_code == 403 and "for L&amp;D reviewers" in refused.text
    with app.database.session(write=False) as session:
        assert all(d.status == DraftStatus.PENDING for d in session.exec(select(Draft)).all())


def test_an_unknown_button_is_refused_politely(app: App, server: ServerThread) -> None:
    reference = submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    refused = press(browser, server, reference, "review-draft-delete", "1")
    assert refused.status_code == 200 and "isn&#39;t one I recognise" in refused.text
    assert "Traceback" not in refused.text


def test_insights_count_what_the_desk_holds_and_download_as_csv(
    app: App, server: ServerThread
) -> None:
    submit_request(app, ANA, ["Please build a course on our brand.", *GOOD_ANSWERS])
    submit_request(app, ANA, GOOD_ANSWERS)
    browser = signed_in(app, server)
    page = browser.get(server.url + "/desk/insights").text
    for key in (
        "requests-per-week",
        "asked-for-asset",
        "time-to-decision-by-category",
        "time-to-decision-by-owner",
        "open-decisions-by-age",
        "overdue-by-owner",
        "draft-verdicts",
        "evidence-check-ins",
    ):
        assert f'id="{key}"' in page and f"/desk/insights/{key}.csv" in page, key
    assert "chart.umd.min.js" in page and "https://" not in page.split("<main>")[1]
    weekly = browser.get(server.url + "/desk/insights/requests-per-week.csv")
    assert weekly.headers["Content-Type"].startswith("text/csv")
    header, row = weekly.text.strip().splitlines()
    assert header.startswith("week,") and row.startswith("2026-11-23,") and row.endswith(",2")
    verdicts = browser.get(server.url + "/desk/insights/draft-verdicts.csv").text
    assert "rules,none,0,0,0,4" in verdicts.replace("\r", "")  # two drafts each, none decided yet
    export = browser.get(server.url + "/desk/export.csv").text
    assert export.startswith("reference,") and "TR-0002" in export
    assert browser.get(server.url + "/desk/insights/nope.csv").status_code == 404


def press(
    browser: requests.Session,
    server: ServerThread,
    reference: str,
    action_id: str,
    value: str,
    **form: str,
) -> requests.Response:
    """A button on the request's page, as the browser sends it (with the page's CSRF token);
    with ``form``, its form filled in and submitted."""
    page = browser.get(server.url + f"/desk/requests/{reference}").text
    data = {"csrf": csrf_of(page), "action_id": action_id, "value": value}
    if form:
        data.update({"_form": "1", **form})
    return browser.post(server.url + f"/desk/requests/{reference}/act", data=data)


def _draft_ids(app: App) -> list[int]:
    with app.database.session(write=False) as session:
        drafts = session.exec(select(Draft).order_by(col(Draft.id))).all()
    return [d.id for d in drafts if d.id is not None]


def _draft_category(app: App, request_id: int) -> str:
    with app.database.session(write=False) as session:
        draft = session.exec(
            select(Draft).where(Draft.request_id == request_id, Draft.kind == "classification")
        ).one()
    return str(draft.content["category"])


def _person_id(app: App, person: PersonRef) -> int:
    from bot.storage.people import find_person

    with app.database.session(write=False) as session:
        found = find_person(session, ref=person)
    assert found is not None and found.id is not None
    return found.id
