"""Moving through the triage's questions: asking, answering, skipping, going back, the
summary and submitting, and pausing, resuming and cancelling.

The triage flow (triage.py) reads what a person sent and picks one of these steps; each step
writes what it must in the turn's transaction and returns what to say next. The next question is
always the first unanswered one after the question just answered, so going back, editing and
resuming need no extra bookkeeping.
"""

from __future__ import annotations

from bot.config import Question, QuestionKind
from bot.conversation import copy, views
from bot.conversation.answers import check_answer
from bot.conversation.assets import asset_asked_for
from bot.conversation.state import ConversationState, Step
from bot.conversation.views import ASSET_NOTE_ID, SOURCE_NOTE_ID
from bot.messages import Outbound
from bot.storage import service
from bot.storage.models import RequestStatus
from bot.storage.service import CurrentAnswer


class QuestionSteps(ConversationState):
    # -- moving through the questions -----------------------------------------------------------

    def _begin(
        self, *, title: str | None, greet: bool, source_link: str | None = None
    ) -> list[Outbound]:
        request = self._create_request(title=title)
        messages = [self._greeting()] if greet else []
        started = copy.TITLE_NOTED if title else copy.NEW_REQUEST_STARTED
        messages.append(Outbound(started.format(reference=request.reference, title=title)))
        if source_link:
            self._record(self._source_question_id(), source_link)
            messages.append(Outbound(copy.SOURCE_LINKED.format(link=source_link)))
        messages.extend(self._advance_from(self.questions[-1]))
        return messages

    def _begin_with_answer(self, text: str) -> list[Outbound]:
        """A message with no request going on starts one and answers question 1 (with its
        asset check), so nobody types their problem twice. A first message ever is greeted."""
        first_contact = not service.list_requests(
            self.session, requester_id=self.person_id, limit=1
        )
        request = self._create_request(title=text.strip())
        first = self.questions[0]
        messages = [self._greeting()] if first_contact else []
        messages.append(
            Outbound(copy.OPENING_ANSWERED.format(reference=request.reference, prompt=first.prompt))
        )
        return [*messages, *self._answer(first, text)]

    def _greeting(self) -> Outbound:
        name = f" {self.person.display_name}" if self.person.display_name else ""
        return Outbound(copy.GREETING.format(name=name, count=len(self.questions)))

    def _greet(self) -> list[Outbound]:
        """Greet and show question 1; nothing is stored until the first answer."""
        return [self._greeting(), *self._ask(self.questions[0])]

    def _source_question_id(self) -> str:
        """Where a linked message goes: the first link question, else a note beside the answers."""
        link_question = next((q for q in self.questions if q.kind is QuestionKind.URL), None)
        return link_question.id if link_question else SOURCE_NOTE_ID

    def _answer(self, question: Question, text: str) -> list[Outbound]:
        assert self.request is not None
        if not text.strip():
            self.problem = copy.EMPTY_ANSWER
            return [
                Outbound(copy.EMPTY_ANSWER),
                *self._ask(question),
            ]
        checked = check_answer(question, text)
        if checked.text is None:
            self.problem = checked.problem
            self._keep_unfiled("answer.rejected", text)
            return [Outbound(checked.problem or ""), *self._ask(question)]
        asked = asset_asked_for(text, self.config.asset_pushback) if question.asset_check else None
        if asked is not None and not self.conversation.pushback_given:
            self._record(ASSET_NOTE_ID, text)  # the asset idea, kept whether or not we ask again
            self.conversation.pushback_given = True
            if asked.needs_follow_up:
                return [
                    Outbound(
                        copy.ASSET_PUSHBACK.format(asset=asked.asset),
                        progress=views.progress(self.config, question),
                    )
                ]
        self._record(question.id, checked.text)
        return self._advance_from(question)

    def _skip(self, question: Question) -> list[Outbound]:
        if question.required:
            number = self.config.question_number(question.id)
            return [Outbound(copy.CANNOT_SKIP.format(number=number, prompt=question.prompt))]
        self._record(question.id, "", skipped=True)
        return self._advance_from(question)

    def _keep(self, question: Question) -> list[Outbound]:
        if question.id not in self._answers():
            number = self.config.question_number(question.id)
            return [Outbound(copy.NOTHING_TO_KEEP.format(number=number, prompt=question.prompt))]
        return self._advance_from(question)

    def _back(self) -> list[Outbound]:
        if Step(self.conversation.step) is Step.SUMMARY:
            return self._ask(self.questions[-1])
        index = self.config.question_number(self._current_question().id) - 1
        if index == 0:
            return [Outbound(copy.BACK_AT_START.format(prompt=self.questions[0].prompt))]
        return self._ask(self.questions[index - 1])

    def _edit(self, number: int) -> list[Outbound]:
        if not 1 <= number <= len(self.questions):
            return [
                Outbound(copy.NO_SUCH_QUESTION.format(number=number, count=len(self.questions)))
            ]
        return self._ask(self.questions[number - 1])

    def _advance_from(self, question: Question) -> list[Outbound]:
        answers = self._answers()
        start = self.config.question_number(question.id)
        ordered = [*self.questions[start:], *self.questions[:start]]
        upcoming = next((q for q in ordered if q.id not in answers), None)
        return self._ask(upcoming) if upcoming else self._show_summary(answers)

    def _ask(self, question: Question) -> list[Outbound]:
        self.conversation.step = Step.ASKING if self.request else Step.READY
        self.conversation.question_id = question.id
        if self.request is None:
            return [views.question_message(self.config, None, question, None)]
        answer = self._answers().get(question.id)
        return [views.question_message(self.config, self.request, question, answer)]

    def _show_summary(self, answers: dict[str, CurrentAnswer] | None = None) -> list[Outbound]:
        assert self.request is not None
        self.conversation.step = Step.SUMMARY
        self.conversation.question_id = None
        answers = self._answers() if answers is None else answers
        return [views.summary_message(self.config, self.request, answers)]

    def _summary_so_far(self) -> list[Outbound]:
        """``summary`` at any point: the answers, then the question the person was on."""
        assert self.request is not None
        if Step(self.conversation.step) is Step.SUMMARY:
            return self._show_summary()
        so_far = views.summary_message(self.config, self.request, self._answers(), complete=False)
        return [so_far, *self._ask(self._current_question())]

    def _summary_or_missing(self) -> list[Outbound]:
        answers = self._answers()
        missing = next((q for q in self.questions if q.required and q.id not in answers), None)
        if missing is None:
            return self._show_summary(answers)
        number = self.config.question_number(missing.id)
        return [Outbound(copy.SUMMARY_NOT_READY.format(number=number)), *self._ask(missing)]

    def _submit(self) -> list[Outbound]:
        assert self.request is not None
        answers = self._answers()
        if any(q.required and q.id not in answers for q in self.questions):
            return self._summary_or_missing()
        reference = self.request.reference
        self.submitted_request_id = self.request.id
        service.change_status(
            self.session,
            request=self.request,
            status=RequestStatus.SUBMITTED,
            actor_id=self.person_id,
            now=self.now,
        )
        self._go_idle()
        self.request = None
        return [Outbound(copy.SUBMITTED.format(reference=reference))]

    # -- pausing, resuming, cancelling ----------------------------------------------------------

    def _offer_resume(self) -> list[Outbound]:
        assert self.request is not None
        if Step(self.conversation.step) is Step.RESUME:
            self._leave_resume()
        at_summary = Step(self.conversation.step) is Step.SUMMARY
        question = None if at_summary else self._current_question()
        self.conversation.step = Step.RESUME
        return [views.resume_message(self.config, self.request, question, self.person.display_name)]

    def _leave_resume(self) -> Step:
        """Back to the step the person paused on: a question, or the summary."""
        step = Step.ASKING if self.conversation.question_id else Step.SUMMARY
        self.conversation.step = step
        return step

    def _continue(self) -> list[Outbound]:
        self._leave_resume()
        return self._where_we_are()

    def _where_we_are(self) -> list[Outbound]:
        if self.request is None:
            ready = Step(self.conversation.step) is Step.READY
            return self._ask(self.questions[0]) if ready else []
        step = Step(self.conversation.step)
        if step is Step.RESUME:
            step = self._leave_resume()
        if step is Step.SUMMARY:
            return self._show_summary()
        return self._ask(self._current_question())

    def _cancel(self) -> list[Outbound]:
        if self.request is None:
            return [Outbound(copy.NOTHING_TO_CANCEL)]
        reference = self._cancel_request()
        return [Outbound(copy.CANCELLED.format(reference=reference))]

    def _restart(self) -> list[Outbound]:
        if self.request is None:
            return self._greet()
        reference = self._cancel_request()
        return [Outbound(copy.RESTARTED.format(old=reference)), *self._greet()]
