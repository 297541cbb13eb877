"""Spotting a first answer that asks for an asset (a course, a video, a talk) instead of naming
what people do.

An answer asks for an asset when the asset is the object of a request ("can we get a refresher
on...", "our team would benefit from a workshop...", "IFRS 16 training please") or is what a
short answer opens with ("Excel course", "Fire marshal certification for 12 staff"). It does
not when the asset word sits inside a problem ("the course's approvals are stuck", "the first aid
course is booked up") or the request is for something about the asset ("proof the training
works", "training completion figures"). Whether the answer also names a problem decides if the
desk asks again: "We need a video because drivers skip the pre-trip check" goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import AssetPushback
from bot.text import one_edit_apart


@dataclass(frozen=True)
class AssetAsk:
    """An answer that asks for an asset: which, and whether it also names the problem behind it."""

    asset: str
    names_problem: bool

    @property
    def needs_follow_up(self) -> bool:
        return not self.names_problem


# What people type when something goes wrong: a negation, a failure, a delay, a complaint.
_PROBLEM = re.compile(
    r"(?<![\w-])(?:"
    r"\w+n't|not|never|no|nobody|noone|nothing|none|without|neither|nor|cannot|unable|"
    r"fail\w*|wrong\w*|mistak\w*|errors?|erroneous|miss(?:es|ed|ing)?|forg[eo]t\w*|skip\w*|"
    r"late(?! (?:shifts?|turns?|nights?))|later|lateness|delay\w*|overdue|behind|stuck|slow\w*|"
    r"los(?:e|es|ing|t)|broke\w*|"
    r"confus\w*|struggl\w*|complain\w*|incidents?|accidents?|injur\w*|near[- ]miss\w*|"
    r"breach\w*|reject\w*|refus\w*|problems?|issues?|troubl\w*|difficult\w*|hard to|"
    r"keeps?|kept|again|unclear|inconsisten\w*|poor(?:ly)?|bad(?:ly)?|worse|low|drop\w*|"
    r"fall(?:s|ing)?|fell|declin\w*|too (?:many|much|few|long|often)|takes? (?:weeks|months|"
    r"ages|forever|too|(?:\d+|a few|several|two|three|four|six) (?:days|weeks|months))|"
    r"wait\w*|backlog\w*|rework\w*|escalat\w*|bounc\w*|fined|fines|"
    r"penalt\w*|findings?|non-?complian\w*|bottleneck\w*|leak\w*|spill\w*|crash\w*(?! course)|"
    r"freez\w*|time[sd]? ?outs?|unsafe|danger\w*|wast\w*|instead|ignor\w*|avoid\w*|guess\w*|"
    r"misunderst\w*|misus\w*|incorrect\w*|inaccura\w*|complex|messy|mess|chaos|chaotic|"
    r"furious|angry|upset|frustrat\w*|annoy\w*|in circles|going nowhere|repeatedly|blind|"
    r"unapproved|pending|on hold|sits|sitting|stall\w*|gone|paused|halted|abandon\w*|scrapped|"
    r"expired|cancel\w*|postpon\w*|booked up|fully booked|oversubscribed|waiting list|"
    r"over-?booked|double-?booked|turned away|uncovered|sick|"
    r"old|outdated|out of date|out-of-date|obsolete|stale|legacy|last year'?s"
    r")(?![\w-])",
)
# Negations that shape the asset rather than name a problem: "nothing too technical".
_HEDGES = re.compile(
    r"(?<![\w-])(?:nothing|not|no)(?: too| more than| longer than| over| much more than)\b"
)
# What an asset is about: "a refresher on complaints handling" names a topic, not a problem.
# A clause that follows ("..., people keep ...", "because drivers ...") is left to be read.
_TOPIC = re.compile(
    r"(?<![\w-])(?:on|about|around|covering|regarding)\s+(?:(?!(?:because|as|since|so|but|when|"
    r"while|after|where|they|people|staff|we|our|it|which|who)\b)[\w'&/-]+(?:\s+|$)){1,5}"
)
# "we need a ...", "can u do a ...", "our team would benefit from a ...", "book us on a ...":
# the asset is the object of a request.
_REQUEST = (
    r"(?:need|needs|needed|want|wants|wanted|like|love|build|create|develop|design|produce|"
    r"deliver|organi[sz]e|arrange|record|film|write|provide|request|requesting|require[sd]?|"
    r"asking for|looking for|put together|set up|pls|please|plz|can (?:you|u|we|i)|"
    r"could (?:you|u|we|i)|would (?:you|u)|(?:can|could|may) (?:my|our|the) [\w'-]+(?: [\w'-]+)? "
    r"(?:attend|go on|go to|do|have|get|join)|benefit(?:s|ed)? from|could (?:use|do with)|"
    r"interested in|keen on|(?:we'?re|we are|i'?m|i am) after|is there|are there|"
    r"do you (?:have|offer|run|do|know of)|any chance of|recommend|suggest|"
    r"(?:book|send|sign|enrol|enroll|register|put)(?:s|ed|ing|led|ling)?(?: [\w'-]+){0,3}? "
    r"(?:on|onto|on to|into|in|up for|up to|through|for)|would be (?:great|good|nice|useful) "
    r"to (?:have|get|do)|"
    r"(?:do|run|make|get|give|hold|book|have) (?:us |me |them |the team )?(?:a|an|some))"
)
_REQUESTS = re.compile(rf"(?<![\w-]){_REQUEST}(?![\w-])")
# "X training please", "a refresher needed for the night shift": the request after the asset.
_ASKED_AFTER = re.compile(
    r"^(?:\W+[\w'-]+){0,10}?\W+(?:please|pls|plz|asap|needed|required|wanted|requested)(?![\w-])"
)
# Asset words that are only an asset when asked for: "we want our managers trained in...".
_ONLY_WHEN_ASKED = ("trained", "upskilled", "taught")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that, between the request and the asset, show something else is asked for: a clause
# ("like to know if the workshop..."), another object ("wants proof the training...").
_NOT_ASKING_FOR_IT = _word_set(
    "if whether why how who whom which what when where proof evidence data figures numbers "
    "stats report reports dashboard list record records owner "
    "approval decision help budget funding access advice answer answers feedback time"
)
# After "want to", "like to", "need to": the verbs that still ask for the asset.
_ASKING_VERBS = _word_set(
    "build create make run do have get book arrange organise organize set develop record film "
    "offer put hold attend send roll launch deliver design write produce see start try "
    "introduce add buy find source commission give provide schedule host go enrol enroll sign "
    "register"
)
# Nouns an asset word can name without being asked for: "training records", "the course's
# approvals", "the workshop budget".
_OF_THE_ASSET = re.compile(
    r"(?:'s)?\s+(?:approvals?|sign-?offs?|budgets?|funding|spend|costs?|completions?|records?|"
    r"data|figures|numbers|stats|rates?|matrix|matrices|reports?|reporting|dashboards?|evidence|"
    r"attendance|bookings?|dates|calendar|schedule|providers?|suppliers?|vendors?|owners?|"
    r"ownership|team|department|room|rooms|catalogue|catalog|requests?|forms?|system|platform|"
    r"portal|history|logs?|certificates?|hours|coordinator|administrator|admin|manager|policy|"
    r"compliance|needs)(?![\w-])"
)
# A verb right after the asset makes it the subject of a sentence: "the course is booked up".
_SUBJECT_OF = re.compile(
    r"\s+(?:is|are|was|were|has|have|had|keeps?|kept|gets?|got|happens?|happened|takes?|took|"
    r"runs?|ran|goes|went|covers?|covered|shows?|showed|says?|said|does|did|will|would|should|"
    r"might|must|starts?|started|ends?|ended|seems?|looks?|feels?|became|stays?|remains?|sits?|"
    r"sat|uses?|used|teaches|taught|explains?|lasts?|lasted|costs?|involves|includes|contains|"
    r"requires|sends?|sent|isn't|aren't|wasn't|doesn't|don't|didn't|won't|can't|hasn't|"
    r"haven't|going|being|getting|coming|running|taking|showing|happening|sitting|starting|"
    r"falling)(?![\w-])"
)
# "something on the new products for the late shift", "anything on presentation skills?"
_SOMETHING_ON = re.compile(
    r"^\W*(?:[\w'-]+\W+){0,5}?(?:something|anything)(?: (?:quick|short|simple|basic|brief|"
    r"small|little|practical|fun|light|online|interactive|formal|proper|useful|good))* "
    r"(?:on|about|around|covering|regarding|re|for)(?![\w-])"
)
_OPENING_WORDS = 4  # a short answer that opens with the asset: "Quick 5-min video on ..."
_SHORT_WORDS = 20
# The asset words typed often enough to be typed wrong, and the words a letter away from them
# that are words of their own.
_TYPED_WRONG = ("training", "course", "refresher", "workshop", "session", "e-learning", "webinar")
_NOT_TYPOS = _word_set("trailing draining raining straining source coarse refreshed refreshes")


def asset_asked_for(text: str, rules: AssetPushback) -> AssetAsk | None:
    """The asset an answer asks for, if it asks for one."""
    lowered = _spelled(" ".join(text.casefold().replace("’", "'").split()), rules.asset_words)
    said = _TOPIC.sub(" ", _HEDGES.sub(" ", lowered))
    names_problem = _PROBLEM.search(said) is not None or any(
        _contains_word(lowered, cue.casefold()) for cue in rules.behaviour_cues
    )
    short = len(lowered.split()) <= _SHORT_WORDS
    for word in (*rules.asset_words, *_ONLY_WHEN_ASKED):
        asset = re.compile(r"(?<![\w-])" + re.escape(word.casefold()) + r"(?:s|es)?(?![\w-])")
        for found in asset.finditer(lowered):
            if _OF_THE_ASSET.match(lowered, found.end()):
                continue  # "training records": the records are the subject, not the training
            before, after = lowered[: found.start()], lowered[found.end() :]
            if _requested(before):
                return AssetAsk(asset=word, names_problem=names_problem)
            if word in _ONLY_WHEN_ASKED or names_problem or _SUBJECT_OF.match(after):
                continue
            opens_with_it = short and len(before.split()) <= _OPENING_WORDS
            if _ASKED_AFTER.match(after) or (opens_with_it and not _REQUESTS.search(before)):
                return AssetAsk(asset=word, names_problem=False)
    if short and not names_problem and _SOMETHING_ON.search(lowered):
        return AssetAsk(asset="training", names_problem=False)
    return None


def _requested(before: str) -> bool:
    """Whether the words before an asset ask for it: a request, then at most six words, none of
    which turns the request to something else."""
    for request in _REQUESTS.finditer(before):
        between = re.findall(r"[\w'-]+", before[request.end() :])
        if len(between) > 6 or _NOT_ASKING_FOR_IT.intersection(between):
            continue
        verbs = [between[i + 1] for i, w in enumerate(between[:-1]) if w == "to"]
        if any(verb not in _ASKING_VERBS for verb in verbs):
            continue  # "we'd like to know ...", "we need to measure ..."
        return True
    return False


def _spelled(text: str, asset_words: tuple[str, ...]) -> str:
    """The text with the common asset words typed a letter wrong put right ("trainig",
    "coruse"), so a typo does not hide an ask."""
    known = {word.casefold() for word in asset_words}
    long_words = [word for word in _TYPED_WRONG if word in known]
    tokens = text.split(" ")
    for index, token in enumerate(tokens):
        core = token.strip(".,;:!?()'\"")
        if len(core) < 5 or core in _NOT_TYPOS or core in known:
            continue
        for word in long_words:
            if core != word and one_edit_apart(core, word):
                tokens[index] = token.replace(core, word)
                break
    return " ".join(tokens)


def _contains_word(text: str, word: str) -> bool:
    pattern = r"(?<![\w-])" + re.escape(word) + r"(?:s|es)?(?![\w-])"
    return re.search(pattern, text) is not None
