"""The web desk: every request and decision on one page, for L&D reviewers.

A sub-application of ``serve``'s aiohttp app, mounted at /desk. Pages are rendered on the
server with Jinja2 (autoescaped: what people typed stays text); charts are drawn in the
browser by a copy of Chart.js served from here, so nothing is fetched from anywhere else.
Acting on a request goes through the same review and decision flows as the chat cards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import get_session, session_middleware

from bot.channels.web import auth, pages
from bot.channels.web.auth import SignedIn
from bot.config import reveal
from bot.requests import desk as desk_rows
from bot.requests import insights
from bot.requests.listing import DeskFilter, desk_page, owners
from bot.storage import sign_in
from bot.storage.models import Person, parse_reference
from bot.storage.people import ref_of
from bot.storage.statuses import RequestStatus

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

APP_KEY: web.AppKey[App] = web.AppKey("triage_app")
SIGNED_IN: web.RequestKey[SignedIn] = web.RequestKey("desk_signed_in")
FORM: web.RequestKey[Mapping[str, Any]] = web.RequestKey("desk_form")
HERE = Path(__file__).parent
PUBLIC = ("/desk/sign-in/", "/desk/signed-out", "/desk/static/")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_desk_app(app: App, *, base_url: str | None) -> web.Application:
    key = reveal(app.settings.desk_session_key) or auth.stored_key(
        app.database, now=app.engine.clock()
    )
    secure = (base_url or "").startswith("https://")
    desk = web.Application(
        middlewares=[
            _security_headers,
            session_middleware(auth.cookie_storage(key, secure=secure)),
            _signed_in_reviewers_only,
        ]
    )
    desk[APP_KEY] = app
    environment = aiohttp_jinja2.setup(
        desk,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    pages.add_filters(environment, app.config)
    desk.router.add_get("/", _desk)
    desk.router.add_get("/sign-in/{token}", _sign_in_page)
    desk.router.add_post("/sign-in/{token}", _sign_in)
    desk.router.add_get("/signed-out", _signed_out)
    desk.router.add_post("/sign-out", _sign_out)
    desk.router.add_get("/requests/{reference}", _request_page)
    desk.router.add_post("/requests/{reference}/act", _act)
    desk.router.add_get("/insights", _insights)
    desk.router.add_get("/insights/{key}.csv", _insight_csv)
    desk.router.add_get("/export.csv", _export)
    desk.router.add_static("/static", HERE / "static", append_version=True)
    return desk


# -- middlewares --------------------------------------------------------------------------


@web.middleware
async def _security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    if not request.path.startswith("/desk/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@web.middleware
async def _signed_in_reviewers_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but the sign-in ones needs a session of someone who is a reviewer now;
    every POST needs the session's CSRF token."""
    if request.path.startswith(PUBLIC):
        return await handler(request)
    app = request.app[APP_KEY]
    found = await auth.signed_in_person_id(request)
    person = await asyncio.to_thread(_person, app, found[0]) if found else None
    if found is None or person is None:
        if "text/html" in request.headers.get("Accept", ""):
            raise web.HTTPSeeOther("/desk/signed-out")
        raise web.HTTPUnauthorized(
            text='{"error": "sign in from your chat: type desk to the bot"}',
            content_type="application/json",
        )
    ref = ref_of(person)
    if not app.reviewers(ref):
        log.warning("refused the web desk to %s, who is not a reviewer", ref.user_id)
        return _page(request, "refused.html", {"message": pages.NOT_A_REVIEWER}, status=403)
    signed = SignedIn(person_id=found[0], ref=ref, csrf=found[1])
    request[SIGNED_IN] = signed
    if request.method == "POST":
        form: Mapping[str, Any] = await request.post()
        if not auth.csrf_ok(form.get(auth.CSRF_FIELD), signed.csrf):
            log.warning("refused a web desk POST without its CSRF token from %s", ref.user_id)
            return _page(request, "refused.html", {"message": pages.STALE_FORM}, status=403)
        request[FORM] = form
    return await handler(request)


def _person(app: App, person_id: int) -> Person | None:
    with app.database.session(write=False) as session:
        return session.get(Person, person_id)


# -- signing in ---------------------------------------------------------------------------


async def _sign_in_page(request: web.Request) -> web.StreamResponse:
    """Opening a link only asks; the button spends it (link previews fetch with GET)."""
    app = request.app[APP_KEY]
    token = request.match_info["token"]
    usable = await asyncio.to_thread(_usable, app, token)
    if not usable:
        return _page(request, "signed_out.html", {"message": pages.LINK_USED}, status=410)
    return _page(request, "sign_in.html", {"token": token})


def _usable(app: App, token: str) -> bool:
    with app.database.session(write=False) as session:
        return sign_in.is_usable(session, token=token, now=app.engine.clock())


async def _sign_in(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]
    person = await asyncio.to_thread(_redeem, app, request.match_info["token"])
    if person is None or not app.reviewers(ref_of(person)):
        return _page(request, "signed_out.html", {"message": pages.LINK_USED}, status=410)
    await auth.start_session(request, person)
    log.info("%s signed in to the web desk", person.platform_user_id)
    raise web.HTTPSeeOther("/desk/")


def _redeem(app: App, token: str) -> Person | None:
    with app.database.session() as session:
        return sign_in.redeem(session, token=token, now=app.engine.clock())


async def _signed_out(request: web.Request) -> web.StreamResponse:
    return _page(request, "signed_out.html", {"message": pages.SIGN_IN_FROM_CHAT}, status=401)


async def _sign_out(request: web.Request) -> web.StreamResponse:
    await auth.end_session(request)
    return _page(request, "signed_out.html", {"message": pages.SIGNED_OUT})


# -- the desk -----------------------------------------------------------------------------


async def _desk(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]
    query = request.query
    statuses = [status.value for status in RequestStatus]
    categories = [category.id for category in app.config.categories]
    wanted = DeskFilter(
        status=_one_of(query.get("status"), statuses),
        category=_one_of(query.get("category"), categories),
        owner_id=_number(query.get("owner")),
        overdue=query.get("overdue") == "1",
        text=query.get("q", ""),
        page=_number(query.get("page")) or 1,
    )

    def read() -> tuple[Any, list[tuple[int, str]]]:
        with app.database.session(write=False) as session:
            first = app.config.questions[0].id
            found = desk_page(session, wanted, now=app.engine.clock(), first_question=first)
            return found, owners(session)

    found, people = await asyncio.to_thread(read)
    return _page(
        request,
        "desk.html",
        {
            "page": found,
            "wanted": wanted,
            "statuses": statuses,
            "categories": app.config.categories,
            "owners": people,
            "query": pages.query_without_page(query),
        },
    )


async def _request_page(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]
    request_id = parse_reference(request.match_info["reference"])
    found = await asyncio.to_thread(pages.request_view, app, request_id) if request_id else None
    if found is None:
        return _page(request, "refused.html", {"message": pages.NO_SUCH_REQUEST}, status=404)
    signed: SignedIn = request[SIGNED_IN]
    people = await asyncio.to_thread(pages.people_for, app, signed.ref)
    session = await get_session(request)
    flash = session.pop("flash", None)
    return _page(request, "request.html", {"view": found, "flash": flash, "people": people})


async def _act(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]
    signed: SignedIn = request[SIGNED_IN]
    form = request[FORM]
    reference = request.match_info["reference"]
    action_id = str(form.get("action_id", ""))
    value = str(form.get("value", ""))
    inputs = pages.inputs_of(form) if form.get("_form") == "1" else None
    result = await asyncio.to_thread(pages.act, app, signed.ref, action_id, value, inputs)
    if result.form is not None or (result.errors and inputs is not None):
        shown = result.form or pages.form_again(app, signed.ref, action_id, value)
        if shown is not None:
            people = await asyncio.to_thread(pages.people_for, app, signed.ref)
            return _page(
                request,
                "form.html",
                {
                    "form": shown,
                    "reference": reference,
                    "errors": result.errors,
                    "given": inputs or {},
                    "people": people,
                    "message": result.message if not result.ok else "",
                },
                status=200 if result.form is not None else 422,
            )
    session = await get_session(request)
    session["flash"] = {"ok": result.ok, "message": result.message or pages.DONE}
    raise web.HTTPSeeOther(f"/desk/requests/{reference}")


async def _insights(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]
    found = await asyncio.to_thread(_figures, app)
    return _page(request, "insights.html", {"figures": found})


def _figures(app: App) -> list[insights.Figure]:
    with app.database.session(write=False) as session:
        return insights.figures(session, app.config, now=app.engine.clock())


async def _insight_csv(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]
    key = request.match_info["key"]
    figure = next((f for f in await asyncio.to_thread(_figures, app) if f.key == key), None)
    if figure is None:
        raise web.HTTPNotFound(text="No such figure.")
    columns = list(figure.columns)
    rows = [dict(zip(columns, row, strict=True)) for row in figure.rows]
    return _csv(desk_rows.to_csv(rows, columns), f"{key}.csv")


async def _export(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]

    def read() -> str:
        with app.database.session(write=False) as session:
            rows = desk_rows.request_rows(session, app.config)
        return desk_rows.to_csv(rows, desk_rows.export_columns(app.config))

    return _csv(await asyncio.to_thread(read), "triage-decision-log.csv")


# -- helpers ------------------------------------------------------------------------------


def _page(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    signed = request.get(SIGNED_IN)
    context = {
        "signed_in": signed,
        "csrf": signed.csrf if signed else "",
        "path": request.path,
        "people": (),
        **context,
    }
    return aiohttp_jinja2.render_template(template, request, context, status=status)


def _csv(text: str, name: str) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _one_of(value: str | None, allowed: list[str]) -> str | None:
    return value if value in allowed else None


def _number(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 9:
        return None
    return int(value)
