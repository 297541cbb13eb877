"""The 15-minute triage conversation, written once for every channel.

One instance handles one turn inside the engine's transaction: it reads where the person stands
(the locked conversation row), stores what they said at once, moves them on and returns what to
say. This file reads what was sent (a session opening, text, a command, a button) and picks the
step; the steps themselves, from asking to submitting, are in steps.py.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.config import QuestionKind
from bot.conversation import copy, views
from bot.conversation.commands import (
    Command,
    CommandName,
    TriageAction,
    normalised,
    parse_command,
    unquote_command_word,
)
from bot.conversation.confirming import DECLINE_WORDS, YES_WORDS, ConfirmSteps
from bot.conversation.state import Step
from bot.decisions.told import tell_decisions
from bot.decisions.waiting import waiting_items, waiting_messages
from bot.messages import (
    Inbound,
    InboundKind,
    Outbound,
)
from bot.review import copy as review_copy
from bot.storage import clarifications, service, sign_in
from bot.storage.models import Clarification

log = logging.getLogger(__name__)

_GREETINGS = {
    "hi",
    "hello",
    "hey",
    "hiya",
    "yo",
    "good morning",
    "good afternoon",
    "start",
    "new request",
    "triage",
    "hi there",
    "hello there",
}
_THANKS = {"thanks", "thank you", "thx", "ta", "cheers", "ok", "okay", "great", "cool", "bye"}
_CONTINUE_WORDS = {"yes", "y", "ok", "okay", "sure", "continue", "go on", "resume"}
_NO_WORDS = {"no", "n", "nope", "not now"}
_SUBMIT_WORDS = {"yes", "submit", "confirm", "send", "send it"}


class TriageFlow(ConfirmSteps):
    def _named_reviewer(self) -> bool:
        """A reviewer app.yaml names (a turn worker knows no Slack user group)."""
        return self.person.platform_user_id in self.config.review.reviewer_ids(self.person.platform)

    def _desk_link(self) -> Outbound:
        """A single-use sign-in link to the web desk, for reviewers named in app.yaml."""
        if not self._named_reviewer():
            return Outbound(copy.DESK_FOR_REVIEWERS)
        if not self.desk_url:
            return Outbound(copy.DESK_NO_ADDRESS)
        assert self.person.id is not None
        token = sign_in.issue(self.session, person_id=self.person.id, now=self.now)
        return Outbound(copy.DESK_LINK.format(link=sign_in.link(self.desk_url, token)))

    # -- entry points -------------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> list[Outbound]:
        if inbound.kind is InboundKind.START:
            self._leave_confirm()  # opening the chat again answers no yes-or-no question
            return self._on_start(inbound)
        if inbound.kind is InboundKind.ACTION:
            return self._on_action(inbound)
        return self._on_text(inbound)

    def _on_start(self, inbound: Inbound) -> list[Outbound]:
        """A session opened: news first (reviews and decisions since last time), then a question
        L&D is waiting on, or else greet or resume."""
        news = self._review_news()
        asked = self._open_question()
        if asked is not None and self.request is None and not inbound.fresh:
            if inbound.title:
                self._keep_unfiled("message.kept_title", inbound.title)
            question, reference = asked
            return [
                *news,
                Outbound(
                    review_copy.QUESTION_AT_START.format(
                        reference=reference, question=question.question
                    )
                ),
            ]
        return [*news, *self._start(inbound)]

    def _open_question(self) -> tuple[Clarification, str] | None:
        """The oldest question L&D put to this person that is still unanswered."""
        found = clarifications.oldest_open_for(self.session, requester_id=self.person_id)
        return (found[0], found[1].reference) if found else None

    def _answer_question(self, asked: tuple[Clarification, str], text: str) -> list[Outbound]:
        question, reference = asked
        clarifications.answer(
            self.session, clarification=question, by=self.person_id, text=text, now=self.now
        )
        return [Outbound(review_copy.ANSWER_THANKS.format(reference=reference))]

    def _review_news(self) -> list[Outbound]:
        """Reviews and decisions the person has not heard of. Slack and Teams are told of them
        by the reminder sweep as they happen; this is where a terminal requester hears."""
        decided = tell_decisions(self.session, requester_id=self.person_id, now=self.now)
        reviewed = service.reviewed_but_untold(self.session, requester_id=self.person_id)
        for request in reviewed:
            assert request.id is not None
            service.mark_review_told(self.session, request_id=request.id, now=self.now)
        superseded = {told.request_id for told in decided}  # "you'll hear": they hear it now
        return [
            *(
                Outbound(copy.REVIEWED.format(reference=r.reference))
                for r in reviewed
                if r.id not in superseded
            ),
            *(Outbound(told.text) for told in decided),
        ]

    def _start(self, inbound: Inbound) -> list[Outbound]:
        """Greet and begin, or offer to resume; ``fresh`` always begins anew."""
        if self.request is not None and inbound.fresh:
            old = self._cancel_request()
            return [
                Outbound(copy.RESTARTED.format(old=old)),
                *self._begin(title=inbound.title, greet=False, source_link=inbound.source_link),
            ]
        if self.request is None:
            if inbound.title or inbound.source_link:
                return self._begin(title=inbound.title, greet=True, source_link=inbound.source_link)
            return self._greet()
        if inbound.title:
            self._keep_unfiled("message.kept_title", inbound.title)
        return self._offer_resume()

    def _on_text(self, inbound: Inbound, *, as_typed: bool = False) -> list[Outbound]:
        """``as_typed``: the person said no to "Did you mean ...?", so the text is not a typo."""
        if inbound.attachments:
            return self._on_attachments(inbound)
        command = parse_command(inbound.text)
        if Step(self.conversation.step) is Step.CONFIRM:
            return self._on_confirm_reply(inbound, command)
        if command is not None:
            return self._on_command(command)
        near = None if as_typed else self._near_command(inbound.text)
        if near is not None:
            return self._ask_did_you_mean(inbound.text, *near)
        text = unquote_command_word(inbound.text)
        if self.request is None:
            asked = self._open_question() if text.strip() else None
            if asked is not None and normalised(text) in _GREETINGS | _THANKS:
                question, reference = asked
                return [
                    Outbound(
                        review_copy.QUESTION_AT_START.format(
                            reference=reference, question=question.question
                        )
                    )
                ]
            if asked is not None:  # with no triage going on, a message answers L&D's question
                return self._answer_question(asked, text)
            return self._on_text_without_request(text)
        step = Step(self.conversation.step)
        if step is Step.RESUME:
            if normalised(text) in _CONTINUE_WORDS:
                return self._continue()
            if normalised(text) in _NO_WORDS:
                return [Outbound(copy.RESUME_CHOICE_UNCLEAR)]
            step = self._leave_resume()
        if step is Step.SUMMARY:
            if normalised(text) in _SUBMIT_WORDS:
                return self._submit()
            self._keep_unfiled("message.kept_at_summary", inbound.text)
            return [Outbound(copy.SUMMARY_HINT)]
        if inbound.answering is not None and inbound.answering != self.conversation.question_id:
            return self._refuse_stale_answer(inbound.text)
        return self._answer(self._current_question(), text)

    def _on_attachments(self, inbound: Inbound) -> list[Outbound]:
        """Files are kept in the log whatever happens next. At a link question their links are
        the answer; elsewhere, with no words beside them, the person is asked to type it."""
        self._leave_confirm()  # a file is not a yes or a no
        self._keep_unfiled(
            "message.attachments",
            "\n".join(f"{a.name} {a.link}".strip() for a in inbound.attachments),
        )
        links = "\n".join(a.link for a in inbound.attachments if a.link)
        question = (
            self._current_question()
            if self.request is not None and Step(self.conversation.step) is Step.ASKING
            else None
        )
        if question is not None and question.kind is QuestionKind.URL and links:
            text = "\n".join(part for part in (inbound.text.strip(), links) if part)
            return self._answer(question, text)
        if inbound.text.strip():
            return self._on_text(replace(inbound, attachments=()))
        names = ", ".join(a.name or "the file" for a in inbound.attachments)
        reply = [Outbound(copy.FILES_NOT_READ.format(names=names))]
        return reply + (self._ask(question) if question is not None else [])

    def _on_text_without_request(self, text: str) -> list[Outbound]:
        opening = normalised(text)
        if Step(self.conversation.step) is Step.READY:
            if not opening:
                return [Outbound(copy.EMPTY_ANSWER), *self._ask(self.questions[0])]
            if opening in _GREETINGS:
                return self._ask(self.questions[0])
            self._create_request(title=None)
            return self._answer(self.questions[0], text)
        if opening in _THANKS:
            return [Outbound(copy.YOU_ARE_WELCOME)]
        if not opening or opening in _GREETINGS | YES_WORDS | DECLINE_WORDS:
            return self._greet()
        return self._begin_with_answer(text)  # "say anything to start": it answers question 1

    def _on_command(self, command: Command) -> list[Outbound]:
        name = command.name
        if name is CommandName.HELP:
            return [Outbound(copy.HELP), *self._where_we_are()]
        if name is CommandName.STATUS:
            return [self._status()]
        if name is CommandName.WAITING:
            items = waiting_items(
                self.session, self.person_id, reviewer=self._named_reviewer(), now=self.now
            )
            return waiting_messages(items)
        if name is CommandName.DESK:
            return [self._desk_link()]
        if name is CommandName.UNKNOWN:
            return [Outbound(copy.UNKNOWN_COMMAND.format(word=command.word))]
        if name is CommandName.CANCEL:
            return self._cancel()
        if name is CommandName.RESTART:
            if self.request is None or Step(self.conversation.step) is Step.RESUME:
                return self._restart()  # nothing to lose, or the resume prompt offered it
            return self._ask_to_restart()
        if self.request is None:
            if Step(self.conversation.step) is Step.READY:
                if name is CommandName.SKIP:
                    return self._skip(self.questions[0])
                if name in (CommandName.EDIT, CommandName.SUMMARY):
                    return [Outbound(copy.NO_ANSWERS_YET), *self._ask(self.questions[0])]
                return [Outbound(copy.START_WITH_FIRST), *self._ask(self.questions[0])]
            return [Outbound(copy.NOTHING_IN_PROGRESS)]
        if Step(self.conversation.step) is Step.RESUME:
            if name is CommandName.CONTINUE:
                return self._continue()
            self._leave_resume()
        if name is CommandName.SUMMARY:
            return self._summary_so_far()
        if name is CommandName.EDIT:
            if command.number is None:
                return [Outbound(copy.EDIT_WHICH.format(count=len(self.questions)))]
            return self._edit(command.number)
        if name is CommandName.SUBMIT:
            if Step(self.conversation.step) is Step.SUMMARY:
                return self._submit()
            return self._summary_or_missing()
        if name is CommandName.CONTINUE:
            return self._where_we_are()
        if name is CommandName.BACK:
            return self._back()
        if Step(self.conversation.step) is not Step.ASKING:  # skip or keep at the summary
            return [Outbound(copy.SUMMARY_HINT)]
        if name is CommandName.SKIP:
            return self._skip(self._current_question())
        return self._keep(self._current_question())

    def _on_action(self, inbound: Inbound) -> list[Outbound]:
        try:
            action = TriageAction(inbound.action_id)
        except ValueError:
            log.warning("unknown action %r from person %s", inbound.action_id, self.person_id)
            return self._refuse(copy.UNKNOWN_ACTION)
        if action in (TriageAction.CONFIRM, TriageAction.DECLINE):
            return self._on_confirm_button(inbound, yes=action is TriageAction.CONFIRM)
        self._leave_confirm()  # another button answers the yes-or-no question with neither
        request_part, _, rest = inbound.value.partition(":")
        question_id, _, option = rest.partition(":")
        ready = self.request is None and Step(self.conversation.step) is Step.READY
        if ready and request_part == views.NEW_REQUEST_KEY and action is TriageAction.CHOOSE:
            first = self.questions[0]
            if question_id == first.id and option.isdigit():
                self._create_request(title=None)
                return self._answer(first, str(int(option) + 1))
        if self.request is None or request_part != str(self.request.id):
            log.warning("stale %s for %r from person %s", action, inbound.value, self.person_id)
            return self._refuse(copy.STALE_ACTION)
        step = Step(self.conversation.step)
        paused_at_summary = step is Step.RESUME and self.conversation.question_id is None
        if action is TriageAction.CONTINUE and step is Step.RESUME:
            return self._continue()
        if action is TriageAction.RESTART and step is Step.RESUME:
            return self._restart()
        if action is TriageAction.SUBMIT and (step is Step.SUMMARY or paused_at_summary):
            return self._submit()
        question = self._question(question_id)
        if action is TriageAction.EDIT and question is not None:
            return self._ask(question)
        if action is TriageAction.REPLACE and question is not None:
            if step is Step.RESUME:
                self._leave_resume()
            return self._answer(question, inbound.text)
        current = self.conversation.question_id
        if step is Step.ASKING and question_id == current:
            question = self._question_or_fail(question_id)
            if action is TriageAction.SKIP:
                return self._skip(question)
            if action is TriageAction.KEEP:
                return self._keep(question)
            if action is TriageAction.CHOOSE and option.isdigit():
                return self._answer(question, str(int(option) + 1))
        log.warning(
            "refused %s %r from person %s at %s", action, inbound.value, self.person_id, step
        )
        return self._refuse(copy.STALE_ACTION)

    def _refuse_stale_answer(self, text: str) -> list[Outbound]:
        self._keep_unfiled("answer.not_filed_stale", text)
        return [Outbound(copy.STALE_ANSWER), *self._where_we_are()]

    def _status(self) -> Outbound:
        answers = self._answers() if self.request else {}
        question = self._current_question() if self.conversation.question_id else None
        recent = [
            r
            for r in service.list_requests(self.session, requester_id=self.person_id, limit=6)
            if self.request is None or r.id != self.request.id
        ][:5]
        return views.status_message(self.config, self.request, answers, question, recent)
