"""One turn: load state, run the flow step, save in one transaction, return what to say.

The conversation row is locked for the whole turn, so two windows (or two replicas) acting for the
same person take turns instead of interleaving, and each sees what the other committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.config import AppConfig
from bot.conversation import copy
from bot.conversation.triage import TriageFlow
from bot.delivery import codec
from bot.messages import (
    AnswerForm,
    Inbound,
    InboundKind,
    Outbound,
    PersonRef,
    RequestLine,
    TurnResult,
)
from bot.storage import outbox, service
from bot.storage.database import Database
from bot.storage.events import claim_event, claim_events
from bot.storage.models import Conversation, Person, Request, RequestStatus
from bot.storage.people import PersonKey, find_person, person_key, turn_state, turn_states
from bot.storage.service import CurrentAnswer
from bot.text import storable

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_ATTEMPTS = 3
LIVE_SEND_HOLD = timedelta(seconds=30)
"""How long the outbox leaves a new reply to the process that ran its turn, which sends it at
once; after that (a crash in between) any sender may."""
BATCH_LIMIT = 25
"""Turns sharing one transaction at most: past about ten the saving levels off, and a batch
holds SQLite's write lock for its whole length."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Engine:
    def __init__(self, *, database: Database, config: AppConfig, clock: Clock = utc_now) -> None:
        self.database = database
        self.config = config
        self.clock = clock
        self.max_parallel_turns = 1 if database.is_sqlite else 8
        """SQLite has one writer at a time; more threads would only queue in its busy handler,
        whose back-off sleeps (up to 100 ms) dominate latency under load."""
        self.observe: Callable[[float], None] = lambda seconds: None
        """Called with each turn's duration (the server's metrics hook in here)."""
        self.desk_url: str | None = None
        """The web desk's public address, for the sign-in links the desk command gives."""
        self.after_submit: Callable[[int], None] = lambda request_id: None
        """Called after the commit of a submitting turn (the app starts drafting there)."""

    def handle(self, inbound: Inbound) -> TurnResult:
        """Run one turn. Retries when a first contact races another (a unique key collides)."""
        started = time.perf_counter()
        inbound = _storable_inbound(inbound)
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                result = self._turn(inbound)
            except (IntegrityError, OperationalError) as exc:
                if attempt == _ATTEMPTS or not _is_retryable(exc):
                    raise
                log.info("turn for %s collided (%s); retrying", inbound.person.user_id, exc.orig)
                continue
            self._committed(result, time.perf_counter() - started)
            return result
        raise AssertionError("unreachable")

    def handle_batch(self, inbounds: Sequence[Inbound]) -> list[TurnResult | Exception]:
        """Turns of different people in one transaction each group, for a queue of turns on
        SQLite: a commit, and the unit of work's flush, cost as much as the rest of a turn, and
        here they are paid once per group. Each result is ready only after its group commits,
        so no reply goes out before its answer is stored. If anything in a group fails, the
        group is undone and each of its turns runs again on its own, so one person's error
        never costs another person their answer."""
        try:
            storable = [_storable_inbound(i) for i in inbounds]
        except Exception:  # one malformed turn: let it fail on its own
            return [self._handle_alone(inbound) for inbound in inbounds]
        results: list[TurnResult | Exception] = []
        for group in _groups_of_different_people(storable):
            results.extend(self._handle_group(group))
        return results

    def _handle_group(self, group: list[Inbound]) -> list[TurnResult | Exception]:
        if len(group) == 1:
            return [self._handle_alone(group[0])]
        started = time.perf_counter()
        try:
            with self.database.session(autoflush=False) as session:
                known = self._read_ahead(session, group)
                results = [self._turn_in(session, inbound, known) for inbound in group]
        except Exception as exc:
            log.info("a batch of %d turns failed (%s); running them one by one", len(group), exc)
            return [self._handle_alone(inbound) for inbound in group]
        seconds = time.perf_counter() - started
        for result in results:
            self._committed(result, seconds)
        return list(results)

    def _committed(self, result: TurnResult, seconds: float) -> None:
        """After the commit the answer is stored whatever a hook does, so a hook that fails is
        logged instead of turning a stored turn into a failed one."""
        try:
            self.observe(seconds)
            if result.submitted_request_id is not None:
                self.after_submit(result.submitted_request_id)
        except Exception:
            log.exception("after the turn for %s", result.request_reference or "no request")

    def _handle_alone(self, inbound: Inbound) -> TurnResult | Exception:
        try:
            return self.handle(inbound)
        except Exception as exc:
            return exc

    def answer_form(
        self, person: PersonRef, request_id: int, question_id: str
    ) -> AnswerForm | None:
        """The current answer, for a form; None unless it is this person's request in progress."""
        question = next((q for q in self.config.questions if q.id == question_id), None)
        if question is None:
            return None
        with self.database.session(write=False) as session:
            owner = find_person(session, ref=person)
            request = service.get_request(session, request_id=request_id)
            if owner is None or request is None or request.requester_id != owner.id:
                return None
            if request.status != RequestStatus.DRAFTING:
                return None
            answer = service.latest_answers(session, request_id=request_id).get(question_id)
        return AnswerForm(
            request_id=request_id,
            question_id=question.id,
            number=self.config.question_number(question.id),
            prompt=question.prompt,
            help=question.help,
            current="" if answer is None or answer.skipped else answer.text,
            required=question.required,
        )

    def requests_of(self, person: PersonRef, *, limit: int = 15) -> list[RequestLine]:
        """'My requests', newest first, for App Home and its Teams equivalent."""
        with self.database.session(write=False) as session:
            owner = find_person(session, ref=person)
            if owner is None:
                return []
            requests = service.list_requests(session, requester_id=owner.id, limit=limit)
            answers = service.latest_answers_for(
                session, request_ids=[r.id for r in requests if r.id is not None]
            )
        return _request_lines(requests, answers, self.config.questions[0].id)

    def _turn(self, inbound: Inbound) -> TurnResult:
        # No autoflush: the flow flushes where it needs new ids, and everything else is
        # written once, at the commit that ends the turn.
        with self.database.session(autoflush=False) as session:
            return self._turn_in(session, inbound)

    def _read_ahead(self, session: Session, group: list[Inbound]) -> _ReadAhead | None:
        """A group's event claims, people, conversations, requests and answers in three
        statements instead of three a turn. SQLite only: on PostgreSQL each turn must lock
        its conversation before it reads the request (see ``turn_state``)."""
        if not self.database.is_sqlite:
            return None
        now = self.clock()
        claimed = claim_events(
            session,
            events=[(i.person.platform, i.event_id) for i in group if i.event_id],
            now=now,
        )
        states = turn_states(session, refs=[i.person for i in group])
        request_ids = [r.id for _, _, r in states.values() if r is not None and r.id]
        answers = service.latest_answers_for(session, request_ids=request_ids)
        return _ReadAhead(claimed, states, {i: answers.get(i, {}) for i in request_ids})

    def _turn_in(
        self, session: Session, inbound: Inbound, known: _ReadAhead | None = None
    ) -> TurnResult:
        now = self.clock()
        if inbound.event_id and not (
            known.claim(inbound.person.platform, inbound.event_id)
            if known
            else claim_event(
                session, platform=inbound.person.platform, event_id=inbound.event_id, now=now
            )
        ):
            log.info("dropped redelivered event %s", inbound.event_id)
            if inbound.reply_to is None:
                return TurnResult(duplicate=True)
            # Done before, and its replies are in the outbox; the channel makes sure they go.
            known_person = find_person(session, ref=inbound.person)
            return TurnResult(duplicate=True, person_id=known_person.id if known_person else None)
        state = known.states.get(person_key(inbound.person)) if known else None
        if state is None:
            # A button is pressed on a message this bot sent, so its presser is known; one from
            # someone never seen is forged or from another install, and leaves no rows behind.
            state = turn_state(
                session, ref=inbound.person, now=now, create=inbound.kind != InboundKind.ACTION
            )
        if state is None:
            log.warning("refused an action from unknown %s", inbound.person.user_id)
            return TurnResult(messages=[Outbound(copy.UNKNOWN_ACTION)], refused=True)
        person, conversation, request = state
        answers = known.answers.get(request.id) if known and request and request.id else None
        if inbound.conversation_ref and conversation.channel_ref != inbound.conversation_ref:
            conversation.channel_ref = inbound.conversation_ref
        flow = TriageFlow(
            session=session,
            config=self.config,
            person=person,
            conversation=conversation,
            now=now,
            answers=answers,
            desk_url=self.desk_url,
        )
        messages = flow.handle(inbound)
        conversation.version += 1
        conversation.updated_at = now
        session.add(conversation)
        reference = flow.request.reference if flow.request else None
        outbox_id = None
        if inbound.reply_to is not None and messages and not flow.refused:
            assert person.id is not None
            outbox_id = outbox.add(
                session,
                platform=inbound.person.platform,
                person_id=person.id,
                destination=inbound.reply_to,
                messages=codec.encode(messages),
                reference=reference,
                now=now,
                held_for=LIVE_SEND_HOLD,
            )
        return TurnResult(
            messages=messages,
            conversation_version=conversation.version,
            request_reference=reference,
            asking=conversation.question_id,
            refused=flow.refused,
            problem=flow.problem,
            submitted_request_id=flow.submitted_request_id,
            outbox_id=outbox_id,
            person_id=person.id,
        )


@dataclass
class _ReadAhead:
    claimed: set[tuple[str, str]]
    states: dict[PersonKey, tuple[Person, Conversation, Request | None]]
    answers: dict[int, dict[str, CurrentAnswer]]

    def claim(self, platform: str, event_id: str) -> bool:
        """First come: a delivery repeated within the group is a duplicate like any other."""
        if (platform, event_id) not in self.claimed:
            return False
        self.claimed.discard((platform, event_id))
        return True


def _groups_of_different_people(inbounds: list[Inbound]) -> list[list[Inbound]]:
    """Consecutive runs with no person twice (without autoflush, a second turn for the same
    person would not see the first one's answer), in the order given."""
    groups: list[list[Inbound]] = []
    seen: set[PersonKey] = set()
    for inbound in inbounds:
        key = person_key(inbound.person)
        if not groups or key in seen or len(groups[-1]) >= BATCH_LIMIT:
            groups.append([])
            seen.clear()
        groups[-1].append(inbound)
        seen.add(key)
    return groups


def _storable_inbound(inbound: Inbound) -> Inbound:
    person = inbound.person
    return replace(
        inbound,
        text=storable(inbound.text),
        title=storable(inbound.title) if inbound.title else inbound.title,
        person=replace(
            person,
            user_id=storable(person.user_id)[:200],
            workspace_id=storable(person.workspace_id)[:100],
            display_name=storable(person.display_name)[:200],
            time_zone=(person.time_zone or "")[:64] or None,
        ),
    )


def _request_lines(
    requests: list[Request], answers: dict[int, dict[str, CurrentAnswer]], task_question: str
) -> list[RequestLine]:
    lines = []
    for request in requests:
        assert request.id is not None
        task = answers.get(request.id, {}).get(task_question)
        lines.append(
            RequestLine(
                request_id=request.id,
                reference=request.reference,
                status=request.status,
                task=task.text if task else (request.title or ""),
                updated_at=request.updated_at,
            )
        )
    return lines


def _is_retryable(exc: IntegrityError | OperationalError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    if exc.connection_invalidated:  # the server dropped the connection (a restart, a failover):
        return True  # the transaction never committed, and the pool reconnects
    text = str(exc.orig).lower()
    return "deadlock" in text or "database is locked" in text or "could not serialize" in text
