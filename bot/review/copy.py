"""Every sentence the review flow says, in one place."""

NOT_A_REVIEWER = "Only L&D reviewers can decide on drafts, so nothing was changed."
NOT_A_REVIEWER_TO_ASK = "Only L&D reviewers can ask the requester a question, so nothing was sent."
NOT_YOURS_TO_ANSWER = "Only the person who made the request can answer this question."
UNKNOWN_BUTTON = "That button isn't one I recognise, so nothing was changed."
NO_SUCH_REQUEST = "There is no request {reference}."
REASON_NEEDED = "A reason is required."
QUESTION_NEEDED = "Write the question you want to ask."
ANSWER_NEEDED = "Write your answer."
NO_SUCH_DRAFT = "There is no draft {draft_id}, so nothing was changed."
NOT_A_CATEGORY = (
    "{category!r} is not a category in app.yaml, so nothing was changed. "
    "The categories are: {categories}."
)
EDIT_QUESTIONS_NEEDED = (
    "This draft holds reviewer questions: give the edited questions, one a line as "
    "type: question (the types are: {types})."
)
EDIT_CATEGORY_NEEDED = "This draft is a classification: give the category (one of: {categories})."
NOT_A_QUESTION_TYPE = (
    "Line {number}: {type!r} is not a type of reviewer question, so nothing was changed. "
    "Write each question as type: question, with one of: {types}."
)

BUTTON_APPROVE = "Approve"
BUTTON_EDIT = "Edit"
BUTTON_REJECT = "Reject"
BUTTON_ASK = "Ask requester"
BUTTON_ASSIGN = "Assign decision"
BUTTON_ANSWER = "Answer"

FORM_EDIT_TITLE = "Edit draft"
FORM_EDIT_SUBMIT = "Save"
FORM_REJECT_TITLE = "Reject draft"
FORM_REJECT_SUBMIT = "Reject"
FORM_ASK_TITLE = "Ask the requester"
FORM_ASK_SUBMIT = "Send"
FORM_ASK_INTRO = "They get it in their chat with the bot, and their answer comes back to this card."
FORM_ANSWER_TITLE = "Answer L&D"
FORM_ANSWER_SUBMIT = "Send"

LABEL_CATEGORY = "Category"
LABEL_TRAINING_FIT = "Is training the answer?"
LABEL_QUESTIONS = "One question a line, as type: question"
LABEL_REASON = "Why?"
LABEL_QUESTION = "Your question"
LABEL_ANSWER = "Your answer"
YES, NO = "Yes", "No"

CARD_TITLE = "Review {reference}"
CARD_FROM = "from {requester}"
DRAFT_HEADING = "{kind} · {label}"
KIND_CLASSIFICATION = "Classification"
KIND_QUESTIONS = "Reviewer questions"
DECIDED_LINE = "{status} by {who}{when}{why}"
CLARIFICATIONS_HEADING = "Questions to the requester"
ASKED_LINE = "{who} asked{when}: {question}"
ANSWERED_LINE = "Answer{when}: {answer}"
NOT_ANSWERED_YET = "Not answered yet."

ASKED = "Sent to {requester}. Their answer will show on the review card for {reference}."
ANSWER_THANKS = "Thanks, I've added your answer to {reference} for L&D."
QUESTION_FOR_YOU = (
    'L&D has a question about your request {reference}: "{question}" '
    "Reply here with your answer, or use the Answer button."
)
QUESTION_AT_START = (
    'Before anything else: L&D has a question about your request {reference}: "{question}" '
    "Type your answer (or new to start a new request)."
)

LIST_FOR_REVIEWERS = "Only L&D reviewers can list the drafts waiting for review."
WAITING_FOR_DRAFTS = (
    "{count} submitted request(s) have no drafts yet: {references}. The server drafts them "
    "when it starts and every few minutes; they appear here once drafted."
)
TERMINAL_REVIEWER_HINT = (
    "Act as a reviewer named in app.yaml (review.terminal_reviewers: {names}) with --as NAME."
)
NO_TERMINAL_REVIEWERS = (
    "No terminal reviewers are named in app.yaml: add one under review.terminal_reviewers."
)
DECISION_HEADING = "Decision"
DECISION_LINE = (
    "{reference}: decision assigned to {owner}, due {due}. Next decision needed: {next_decision}"
)
DECISION_MADE = "Made: {outcome}."
