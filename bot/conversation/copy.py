"""Every sentence the triage flow says, in one place so it can be read and edited as prose."""

from __future__ import annotations

GREETING = (
    "Hi{name}. I'm the L&D triage desk. Before anyone builds a course, we spend about "
    "15 minutes on what is really going wrong: {count} short questions. Everything you type is "
    "saved as you go, so you can stop and come back any time. Type help for the commands."
)
NEW_REQUEST_STARTED = "Starting request {reference}."
TITLE_NOTED = "Starting request {reference}: {title}"
OPENING_ANSWERED = (
    "Starting request {reference}. I've taken what you wrote as the answer to question 1 "
    "({prompt})."
)

QUESTION_PROGRESS = "Question {number} of {count}"
OPTIONAL_MARK = " (optional)"
CURRENT_ANSWER = "Your current answer: {answer}"
CURRENT_ANSWER_SKIPPED = "You skipped this one earlier."
KEEP_OR_REPLACE = "Type a new answer, or keep to keep it."

EMPTY_ANSWER = "I didn't catch an answer there."
FILES_NOT_READ = (
    "I can't read files or images, so I've kept a note of {names} with your request. Please "
    "type your answer."
)
PERSONAL_CHAT_ONLY = (
    "I run the triage in a one-to-one chat, so nothing said here is taken as an answer. "
    "Open our chat to start or carry on: {link}"
)
EDITS_NOT_FILED = (
    "I saw you change or delete a message. That doesn't change a stored answer: type summary "
    "to see your answers, or edit N to change answer N."
)
CANNOT_SKIP = "Question {number} is needed for the triage, so it can't be skipped. {prompt}"
NOTHING_TO_KEEP = "There is no earlier answer to keep for question {number}. {prompt}"
NOT_A_CHOICE = "Please pick one of: {options}."
NOT_A_DATE = "I couldn't read that as a date. Try 2027-03-31 or 31 March 2027."
NOT_A_LINK = "Please paste at least one link (starting with https://), or type skip."

ASSET_PUSHBACK = (
    "That describes a format ({asset}) rather than what people do. I've kept it as a note, "
    "so nothing is lost. What are people doing, or not doing, that made you think of it? "
    'For example: "New reps put discount codes in the wrong CRM field."'
)
ASSET_NOTE = "Asset idea noted: {text}"

SUMMARY_INTRO = "Here is request {reference}. Check it over, then submit, or edit any answer."
SUMMARY_HINT = "Type submit to send it to L&D, or edit N to change answer N."
SUMMARY_NOT_READY = "Question {number} still needs an answer before you can submit."
SUMMARY_SO_FAR = "Here are your answers to request {reference} so far."
SUMMARY_SO_FAR_HINT = "Type edit N to change answer N; the question you are on comes next."
NO_ANSWERS_YET = "There are no answers yet, so nothing to edit or show: your first is question 1."
SUBMITTED = (
    "Submitted. Your reference is {reference}. L&D will review it and you'll hear back here. "
    "Say anything to start another request."
)

RESUME_QUESTION = (
    "Welcome back{name}. You were on question {number} of {count} of request {reference} "
    "({prompt}). Continue?"
)
RESUME_SUMMARY = (
    "Welcome back{name}. Request {reference} is complete but not submitted yet. Continue?"
)
RESUME_HINT = "Type continue, or new to start a new request (the draft stays in the log)."

BACK_AT_START = "This is the first question, so there is nothing to go back to. {prompt}"
EDIT_WHICH = "Which answer? Type edit and its number, for example edit 2 (1 to {count})."
NO_SUCH_QUESTION = "There is no question {number}: questions are numbered 1 to {count}."

DID_YOU_MEAN = 'Did you mean {command}? Type yes to run it, or no to send "{word}" as you typed it.'
RESTART_CONFIRM = (
    "Start over? That cancels request {reference} (its answers stay in the log) and begins a "
    "new one. Type yes to start over, or anything else to carry on."
)
RESTART_DECLINED = "Carrying on with request {reference}."
BUTTON_YES = "Yes"
BUTTON_NO = "No"
BUTTON_START_OVER = "Yes, start over"
BUTTON_CARRY_ON = "No, carry on"

CANCELLED = (
    "Cancelled request {reference}. Your answers are kept in the log. "
    "Say anything to start a new request."
)
NOTHING_TO_CANCEL = "There is no request in progress to cancel. Say anything to start one."
SOURCE_LINKED = "I've added the message you shared as source material: {link}"
REVIEWED = "Your request {reference} has been reviewed by L&D. You'll hear about the decision."
REMINDER = "Reminder: {reference} is waiting for your decision: {next_decision} (due {due})."
OVERDUE = "Overdue: {reference} is waiting for your decision: {next_decision} (was due {due})."
ESCALATION = (
    "Still no decision on {reference}: {next_decision} (was due {due}). L&D reviewers have been "
    "told as well."
)
SNOOZE_ENDED = (
    "Back on your desk: {reference} is waiting for your decision: {next_decision} (due {due})."
)
ASSIGNED = (
    "You own the decision on {reference}: {next_decision} (due {due}). I'll remind you before it "
    "is due. Record it whenever you are ready."
)
OUTCOME = (
    "The decision on your request {reference} ({decided}) is made: {outcome}, decided by {by} "
    "on {day}."
)
OUTCOME_NOTE = "Note: {note}"
OUTCOME_NEXT_CHECK_IN = "Next: on {day} {owner} checks whether the evidence you named has moved."
OUTCOME_NEXT_NOTHING = "Nothing more is needed from you; L&D will be in touch if that changes."
FOLLOW_UP = (
    "Check-in on {reference} (decided: {outcome}). The evidence that would show progress was: "
    "{evidence}. Has it moved?"
)
DIGEST = "{count} things are waiting for you:"
ESCALATED_TO_REVIEWERS = (
    "Escalation: {reference} has no decision yet: {next_decision}. Owner {owner}, due {due}."
)
UNREACHABLE_OWNER = (
    "I could not deliver a message about {reference} ({next_decision}, owner {owner}, due {due}): "
    "{problem}. Reassign the decision, or record it for them."
)
DECISION_SNOOZED = "Snoozed {reference} until {until}."
DECISION_REASSIGNED = "{reference}: the decision now belongs to {owner}, due {due}."
DECISION_ALREADY_MADE = (
    "The decision on {reference} is already recorded ({outcome}), so nothing was changed."
)
DECISION_NOT_YOURS = (
    "Only the owner of this decision or an L&D reviewer can do that, so nothing was changed."
)
FOLLOW_UP_THANKS = "Thanks: I've stored '{answer}' on {reference}."
FOLLOW_UP_ALREADY = (
    "The check-in on {reference} was already answered ({answer}), so nothing was changed."
)
WAITING_NOTHING = "Nothing is waiting on you."
WAITING_DECISION_LINE = "{reference} · {next_decision} · due {due}{late}"
WAITING_DRAFT_LINE = "{reference} · {kind} draft to review · since {since}"
DESK_LINK = (
    "Your sign-in link to the web desk: {link}\n"
    "It works once, for the next 15 minutes, and signs in as you, so keep it to yourself."
)
DESK_FOR_REVIEWERS = (
    "The web desk is for L&D reviewers. If you should be one, ask your L&D team to add you."
)
DESK_NO_ADDRESS = (
    "The web desk has no address yet: whoever runs the bot sets PUBLIC_URL (or serve "
    "--base-url) to where people reach it."
)
RESTARTED = "Request {old} is cancelled (its answers are kept in the log)."

YOU_ARE_WELCOME = "You're welcome. Type new whenever you want to start another request."
START_WITH_FIRST = "Let's start with question 1."
NOTHING_IN_PROGRESS = (
    "You have no request in progress. Type new to start one, or status to see your requests."
)
ERROR_APOLOGY = (
    "Sorry, something went wrong on my side (error id {error_id}), so your last message was "
    "not saved. Everything before it is: type status to see where you are, then send it again."
)
UNKNOWN_COMMAND = "I don't know the command {word}. Type help to see what I understand."
UNKNOWN_ACTION = "That button isn't one I recognise, so nothing was changed."
STALE_ACTION = "That button belongs to an earlier step, so nothing was changed."
STALE_ANSWER = (
    "This conversation moved on in another window since that question was shown, so I didn't "
    "file your reply as an answer (it is kept in the log). Here is where things stand now:"
)
RESUME_CHOICE_UNCLEAR = "Type continue to pick up where you left off, or new to start again."

STATUS_DRAFTING = "Request {reference} is in progress: {answered} of {count} questions answered."
STATUS_AT_QUESTION = "You're on question {number}: {prompt}"
STATUS_AT_SUMMARY = "All questions are answered; it is waiting for you to submit."
STATUS_IDLE = "You have no request in progress."
STATUS_RECENT_HEADER = "Your recent requests:"
STATUS_RECENT_LINE = "{reference} · {status} · updated {updated}"

HELP = """Here is what I understand, at any point:
  back        go to the previous question
  skip        skip an optional question
  keep        keep your current answer when you revisit a question
  edit N      change your answer to question N (also: change my answer to question N)
  submit      send the finished request to L&D
  status      where you are, and your recent requests
  summary     your answers so far
  waiting     decisions waiting on you (and drafts, for reviewers)
  desk        a sign-in link to the web desk (L&D reviewers)
  cancel      cancel the request in progress (answers stay in the log)
  restart     cancel it and start a new one (I ask first)
  help        this list
To give one of these words as an answer, put it in quotes: "back"."""

BUTTON_CONTINUE = "Continue"
BUTTON_NEW_REQUEST = "Start a new request"
BUTTON_SKIP = "Skip"
BUTTON_KEEP = "Keep current answer"
BUTTON_SUBMIT = "Submit"
BUTTON_EDIT = "Edit"
BUTTON_RECORD_DECISION = "Record decision"
BUTTON_SNOOZE_HOUR = "Snooze 1 hour"
BUTTON_SNOOZE_TOMORROW = "Tomorrow morning"
BUTTON_SNOOZE_WEEK = "Next week"
BUTTON_REASSIGN = "Reassign"
FOLLOW_UP_ANSWERS = {"moved": "Yes, it moved", "not_yet": "Not yet", "no": "No change"}
OUTCOME_LABELS = {
    "build_training": "Build training",
    "fix_workflow": "Fix the workflow",
    "update_documentation": "Update documentation",
    "manager_support": "Manager support",
    "no_action": "No action",
    "other": "Other",
}
