"""Every sentence the decision flow says, in one place (what reminders say is in
bot/conversation/copy.py, beside the nudges)."""

NOT_A_REVIEWER = "Only L&D reviewers can assign decisions, so nothing was changed."
UNKNOWN_BUTTON = "That button isn't one I recognise, so nothing was changed."
PICK_A_DATE = "Pick a due date."
DATE_IN_THE_PAST = "Pick a due date from today on: {due} has passed."
NEXT_NEEDED = "Say which decision is needed next."
PICK_AN_OWNER = "Pick who owns the decision."
PICK_AN_OUTCOME = "Pick the outcome."
NO_CHECK_IN_YET = (
    "The decision on {reference} is not recorded yet, and the evidence check-in comes after it, "
    "so there is nothing to answer."
)
NO_CHECK_IN = (
    "No evidence check-in is planned for {reference} (its evidence answer names no date), "
    "so there is nothing to answer."
)
NO_DECISION_TO_CHECK = "{reference} has no decision yet, so there is no check-in to answer."
UNKNOWN_PERSON = "I don't know that person here yet: they need to chat with the bot once."

FORM_ASSIGN_TITLE = "Assign decision"
FORM_ASSIGN_SUBMIT = "Assign"
FORM_ASSIGN_INTRO = "The decision {reference} waits for"
FORM_RECORD_TITLE = "Record decision"
FORM_RECORD_SUBMIT = "Record"
FORM_REASSIGN_TITLE = "Reassign decision"
FORM_REASSIGN_SUBMIT = "Reassign"
FORM_REASSIGN_INTRO = "Who should decide on {reference}?"

LABEL_OWNER = "Decision owner"
LABEL_NEW_OWNER = "New owner"
LABEL_DUE = "Due date"
LABEL_NEXT = "Next decision needed"
LABEL_REVIEW_TYPE = "Review type"
LABEL_OUTCOME = "Outcome"
LABEL_NOTE = "Note (what was decided, by whom)"
