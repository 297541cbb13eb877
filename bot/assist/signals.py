"""The field's tests, as signals read out of a request's answers.

Each signal is one thing a performance consultant listens for in the triage, named after the
test it feeds:

- Mager and Pipe ask whether people could do it "if their life depended on it". People new to
  the task, product, equipment, rule or role, people who have never done or practised it, rare
  high-stakes tasks and skills no training covers say *no*: a knowledge or skill gap.
  People who did it right before, or who completed the training that exists, say *yes*: look at
  obstacles, consequences and feedback instead.
- Gilbert's Behavior Engineering Model puts most causes in the environment: information (missing
  or stale documents, stale courses, no feedback), resources (tools and systems that get in the
  way, steps and handoffs that do not work) and incentives (managers who do not follow up,
  consequences that reward the wrong thing). Ownership and evidence are where L&D's own
  decisions get stuck.

A signal is a set of phrasings, not one keyword: what people actually type ("the rookies",
"first rotation on nights", "since the upgrade"). The signals are the features the classifier
weighs (see classifier.py); each also carries the plain sentence a reviewer reads when the
verdict rests on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

TASK, PERFORMER, FAILURE, SUPPORT, EVIDENCE = (
    "failing_task",
    "performer",
    "failure_point",
    "existing_support",
    "evidence",
)
ALL_FIELDS = (TASK, PERFORMER, FAILURE, SUPPORT, EVIDENCE)


@dataclass(frozen=True)
class Signal:
    name: str
    points_to: str  # the category it is evidence for
    test: str  # the sentence a reviewer reads when the verdict rests on it
    patterns: tuple[re.Pattern[str], ...]
    fields: tuple[str, ...] = ALL_FIELDS

    def find(self, text: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            if match := pattern.search(text):
                return match
        return None


def _any(*alternatives: str) -> tuple[re.Pattern[str], ...]:
    """One pattern for all of a signal's phrasings: one scan of the text instead of ten."""
    return (re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w])"),)


_NEWCOMERS = (
    r"hires?|starters?|joiners?|recruits?|grads?|graduates?|staff|employees?|colleagues?|"
    r"nurses?|agents?|reps?|drivers?|engineers?|operators?|tellers?|cashiers?|associates?|"
    r"advisers?|advisors?|team members?|people|folks|ones|cohort|intake|managers?|supervisors?|"
    r"team leads?|leads?|leaders?|hod|heads?|starter|apprentices?|crew|hands|doctors?|residents?|"
    r"pharmacists?|technicians?|techs?|analysts?|developers?|devs?|lawyers?|associates?|"
    r"paralegals?|teachers?|lecturers?|tutors?|volunteers?|contractors?|temps?|seasonals?"
)
_NEW_THINGS = (
    r"regulations?|regs?|rules?|laws?|legislation|standards?|requirements?|directives?|guidance|"
    r"code of practice|framework|act|products?|range|line|lines|models?|machines?|equipment|"
    r"devices?|pumps?|scanners?|kit|instruments?|ventilators?|monitors?|defibrillators?|"
    r"procedures?|protocols?|techniques?|methods?|markets?|roles?|responsibilit(?:y|ies)|"
    r"duties|accreditation|certification|drug|drugs|medication|medicines?|formulary|"
    r"language|programming language|stack|vehicles?|trucks?|forklifts?|aircraft|fleet|"
    r"tariffs?|pricing|offer|policy|policies|treatment|therapy|service|services|"
    r"curriculum|syllabus|exam|specification|spec"
)

SIGNALS: tuple[Signal, ...] = (
    # -- in the person: knowledge and skill (Mager and Pipe say "no, they couldn't") ------------
    Signal(
        "new_to_it",
        "training_need",
        "They are new to this task, product, equipment, rule or role: a knowledge or skill gap "
        "training can close.",
        _any(
            r"new(?:ly)?[- ](?:qualified |promoted |appointed |hired |arrived |started )?"
            rf"(?:{_NEWCOMERS})",
            r"(?:just|recently|newly|only just) (?:joined|started|hired|promoted|qualified|"
            r"appointed|moved up|transferred|stepped up|taken over|took over|arrived)",
            r"first (?:week|weeks|month|months|year|day|days|time|rotation|rotations|shift|"
            r"shifts|placement|posting|deployment|cycle|quarter|season|job|role|management)",
            r"rookies?|newbies?|trainees?|apprentices?|interns?|probationers?|freshers?|"
            r"new blood|greenhorns?|juniors?|new cohort|new intake|graduate intake",
            r"promoted|step(?:ped|ping)? up (?:to|into)|moved (?:up )?into (?:a |the )?"
            r"(?:lead|manag|supervis)",
            rf"(?:new|updated|revised|changed|incoming|upcoming|amended|latest) (?:{_NEW_THINGS})",
            r"since (?:the )?(?:switch|move|change|transition) to (?:the )?new",
            r"(?:comes?|came|coming|goes|went|going) (?:in(?:to)?|live) (?:force|effect)|"
            r"takes effect|in force from|effective from",
            r"launch(?:es|ed|ing)? (?:next|this|in|on)|(?:upcoming|new|next) launch|"
            r"roll(?:s|ed|ing)?[- ]out (?:of|next|this)",
            r"haven'?t (?:been )?(?:used|seen|met|handled|worked with)|not used to",
            r"(?:their|his|her|my|our) (?:very )?first(?: ever| real| proper)? "
            r"(?!(?:bill|invoice|payment|statement|order|call|contact|visit|impression|name)s?\b)"
            r"[a-z]+",
            r"(?:got|bought|installed|introduced|brought in|took delivery of|switched to|moved "
            r"to|went onto|went on to|rolled out|changed to) (?:the |a |an |our |some )?(?:new )?"
            r"(?:[a-z-]+ ){0,4}(?:in|last|this|on|from) (?:jan|feb|mar|apr|may|jun|jul|aug|sep|"
            r"oct|nov|dec|week|month|year|spring|summer|autumn|fall|winter|monday|tuesday|"
            r"wednesday|thursday|friday)",
            r"(?:totally|completely|very|quite|really) (?:diff|different)|(?:a )?different "
            r"(?:model|machine|make|kit|version|setup|set-up|layout|type)",
        ),
    ),
    Signal(
        "never_done",
        "training_need",
        "They have never done or practised this task: a skill gap training can close.",
        _any(
            r"never (?:ever )?(?:done|did|used|operated|run|ran|seen|practi[sc]ed|had to|handled|"
            r"performed|worked|been asked|been taught|been shown|been trained|learned|learnt|"
            r"touched|tried|planned|led|managed|written|built|prepared|filed|dealt)",
            r"(?:haven'?t|have not|hasn'?t|has not|hadn'?t|had not|didn'?t|did not) (?:ever )?"
            r"(?:done|do|used|operate|operated|practi[sc]ed|handled|seen|had to|been (?:shown|"
            r"taught|trained|told how)|learned|learnt|planned|led|run)",
            r"(?:nobody|no one|no-one|noone|nobodys?)(?: else)?(?:'s| has| have|'ve| had| was| "
            r"were)?(?: been| ever| actually| really| properly| formally)* (?:shown|taught|trained|"
            r"explained|walked)",
            r"(?:not|never|hasn'?t|haven'?t|wasn'?t|weren'?t) (?:been |ever |properly |formally "
            r"|actually |really )*(?:shown|taught|trained|walked through|coached on)",
            r"no (?:real |hands-on |practical |prior |previous )?(?:experience|practice|exposure|"
            r"background)",
            r"(?:don'?t|do not|doesn'?t|does not|dont|didn'?t) (?:really |actually )?"
            r"(?:know how|know what to|understand how|understand the|know the (?:steps|rules|"
            r"difference))",
            r"(?:not sure|unsure|no idea|clueless|confused about) (?:how|what|when|which)",
            r"unfamiliar|out of (?:their|his|her|my|our) depth|lack(?:s|ing)? (?:the )?"
            r"(?:skills?|knowledge|experience|confidence|know-how|competence)",
            r"not (?:confident|competent|qualified|skilled|experienced|comfortable)|inexperienced|"
            r"nervous|anxious|scared|hesitant|out of (?:their|his|her|my) comfort zone|"
            r"skills? gap|knowledge gap|never learned|never learnt",
            r"(?:from|by) guesswork|guess(?:ing|es)? (?:at|how|what|the)|learn(?:ing)? (?:it )?"
            r"(?:as they go|on the fly|the hard way)|trial and error|sink or swim|"
            r"pick(?:ing)? it up as",
        ),
    ),
    Signal(
        "rare_high_stakes",
        "training_need",
        "It happens rarely and the stakes are high, so nobody gets practice on the job: "
        "rehearsal in training is the way to build the skill.",
        _any(
            r"rare(?:ly)?|seldom|hardly ever|once (?:a|per|every) (?:year|quarter|decade|few)|"
            r"once or twice a year|every (?:few|couple of) years|infrequent(?:ly)?|"
            r"not often|only happens|few times a year",
            r"emergenc(?:y|ies)|drills?|evacuat\w*|cardiac arrest|code blue|major incident|"
            r"mass casualty|spill|fire alarm|lockdown|crisis|disaster recovery|failover|"
            r"recall|high[- ]stakes|life[- ]threatening|safety[- ]critical",
        ),
        (TASK, FAILURE, SUPPORT, EVIDENCE),
    ),
    Signal(
        "no_training",
        "training_need",
        "Nothing teaches this skill yet: a gap training can close.",
        _any(
            r"^(?:none|nothing|no|nada|nil|n/?a|zero|not really|not much|very little|little|"
            r"zilch|nothing really|nothing yet|nothing formal|not yet)\b",
            r"no (?:formal |proper |real |structured |specific )?(?:[a-z-]+ ){0,3}(?:training|"
            r"course|courses|induction|onboarding|programme|program|instruction|teaching|"
            r"lessons?|workshops?)",
            r"(?:last|only) (?:\w+ )?(?:workshop|course|training|session) (?:was|ran|we ran) "
            r"(?:in|back in) (?:19|20)\d\d",
            r"(?:there'?s|there is|there isn'?t|we have|we've got) (?:no|nothing|not any|"
            r"nothing formal)",
            r"(?:word of mouth|shadow(?:ing)?|learn(?:s|ing)? on the job|buddy(?:ing)?|"
            r"sit(?:ting)? with (?:someone|a colleague)|watch(?:ing)? others|figure it out|"
            r"work it out themselves)",
            r"that'?s (?:it|all)|nothing else|only (?:a|an|the|one) (?:supplier |vendor |"
            r"manufacturer |quick |short |brief )?(?:demo|video|handout|leaflet|slide|email)",
        ),
        (SUPPORT,),
    ),
    # -- Mager and Pipe say "yes, they could": look at the environment ---------------------------
    Signal(
        "training_done",
        "environment",
        "Training exists and people completed it, yet the problem goes on: not a skill gap "
        "(Mager and Pipe), so look at what gets in the way.",
        _any(
            r"(?:completed|complete|finished|passed|took|taken|attended|done|did|sat) (?:the |"
            r"a |an |our |their |its |all |mandatory |annual )?(?:\w+ ){0,3}(?:course|training|"
            r"module|modules|e-?learning|workshop|induction|certification|programme|program)",
            r"(?:course|training|module|modules|e-?learning|workshop|induction|certification)"
            r"\S*(?: \S+){0,6} (?:completed|completion|passed|done|attended)",
            r"\d{2,3} ?%(?: \S+){0,6} (?:completion|completed|passed|attendance|trained)",
            r"(?:completion|pass|attendance) (?:rate|rates)? ?(?:is|of|at|was)? ?(?:\d|high|full|"
            r"near|almost|over|above|100)",
            r"(?:already|all|everyone|every one|all of them|each of them|they(?:'ve| have)?|"
            r"everybody) (?:\w+ )?(?:been |got |had )?(?:trained|certified|done the|did the|"
            r"completed|passed|attended)",
            r"(?:trained|certified) (?:on|in) (?:it|this|the)",
        ),
        (SUPPORT, FAILURE, PERFORMER, TASK),
    ),
    Signal(
        "did_it_before",
        "environment",
        "People did this right before, so they can do it: look at what changed around them "
        "(Mager and Pipe).",
        _any(
            r"used to|no longer|any ?more|until (?:recently|last|the|we|they)|"
            r"(?:was|were) (?:fine|ok|okay|good|great|right|working|never a problem)|"
            r"(?:since|after) (?:the|we|they|our|last|it|an?) (?:\w+ ){0,3}(?:upgrade|update|"
            r"change|changed|migration|migrated|moved|switched|merger|merged|restructur\w*|"
            r"reorg\w*|relaunch\w*|redesign\w*|went live|rolled out|introduced|replaced)",
            r"started (?:happening|after|when|last|in|since|to happen|again)|"
            r"(?:lately|recently|suddenly|all of a sudden|out of nowhere)",
            r"(?:know|knows|knew) (?:how|what to do|the (?:process|drill|steps|rules?|procedure|"
            r"policy)|exactly)|(?:perfectly|fully|completely) (?:capable|able)|"
            r"(?:could|can) (?:\w+ ){0,2}(?:do it|recite|tell you)|did (?:it|this|them) "
            r"(?:well|fine|right|properly)|"
            r"(?:worked|used|done|been doing|been using|operated|run) (?:with |on |it |this |"
            r"them )?(?:[a-z]+ ){0,3}for (?:years|ages|a long time|decades|\d+ years)|"
            r"experienced|veterans?|seasoned|years of experience|long[- ]serving|old hands|"
            r"(?:been doing|done) (?:it|this) for years",
        ),
    ),
    # -- the environment: resources --------------------------------------------------------------
    Signal(
        "tool_in_the_way",
        "platform_governance",
        "A tool or system gets in the way: an environment cause (Gilbert: resources) that "
        "training does not fix.",
        _any(
            r"crash\w*|freez\w*|froze|frozen|hangs?|hanging|lag\w*|slow|sluggish|time[sd]? ?out|"
            r"timeouts?|glitch\w*|bugs?|buggy|broken|breaks|outages?|downtime|goes down|is down|"
            r"offline|loses? (?:the )?(?:data|connection|signal|notes|work|entries|changes)",
            r"error(?: message| code|s)?|(?:doesn'?t|does not|won'?t|will not|can'?t|cannot) "
            r"(?:load|save|sync|upload|print|scan|connect|open|submit|log ?in|find the|see the|"
            r"let (?:them|us|you|me))",
            r"greyed[- ]out|grayed[- ]out|permissions?|access (?:rights|denied|level|issue)|"
            r"(?:no|without) access|log-?in|sign-?in|password reset|licen[cs]es?|seats",
            r"sync\w*|integration|interface|firmware|configur\w*|settings?|default(?:s|ed)? to|"
            r"pre-?fill\w*|auto-?fill\w*|auto-?populat\w*|drop-?downs?|field|fields|buttons?|"
            r"screens?|menus?|tabs?|pop-?ups?|portal|dashboard layout|ui|ux|interface",
            r"wi-?fi|signal|network|scanner|printer|tablet|handheld|terminal|kiosk|till|"
            r"barcode|label printer|hardware|device|app|software|system|systems|tool|tooling|"
            r"platform|crm|erp|ehr|emr|lms|sap|salesforce|workday|servicenow|jira|excel",
        ),
        (FAILURE, TASK, SUPPORT),
    ),
    Signal(
        "steps_do_not_work",
        "workflow_process",
        "The steps or handoffs themselves do not work: a process cause in the environment "
        "(Gilbert: resources and information).",
        _any(
            r"hand-?offs?|hand-?overs?|hand(?:ed|s)? (?:it )?(?:off|over)|passed between|"
            r"back and forth|ping-?pong|bounce[sd]? between|rework|redo\w*|re-?do|twice|"
            r"duplicat\w*|re-?enter\w*|re-?key\w*|double[- ]entry|double[- ]handling",
            r"approvals?|approv\w*|sign-?offs?|signs? off|signed off|authori[sz]ation|"
            r"procurement|purchase orders?|\bpos?\b|requisitions?|paperwork|forms? (?:goes|go|"
            r"sits?|get)|queue[sd]?|backlog|bottlenecks?|wait(?:s|ing|ed)? (?:for|on|weeks|days|"
            r"months)|takes? (?:weeks|months|ages|forever|\d+ (?:weeks|days|months))|stuck|"
            r"delays?|delayed|chas(?:e|es|ing)",
            r"who does what|unclear who|not clear who|between (?:teams|departments|shifts|sites|"
            r"the two|two)|two teams|each (?:team|site|shift|branch|ward|store) does|"
            r"different (?:teams|sites|shifts) do|out of order|wrong order|sequence|routing|"
            r"routed|workarounds?|manual(?:ly)? (?:copy|transfer|enter|track)|spreadsheets?|"
            r"email chains?|steps? (?:is|are|get|gets) (?:skipped|missed)|escalat\w*",
            r"process(?:es)?|workflow|procedure (?:is|was) (?:unclear|broken|changed)",
        ),
        (FAILURE, TASK, SUPPORT),
    ),
    # -- the environment: information ------------------------------------------------------------
    Signal(
        "information_missing",
        "documentation",
        "The information people need is missing, wrong or hard to find: an environment cause "
        "(Gilbert: information), fixed with documents rather than a course.",
        _any(
            r"wiki|sops?|manuals?|handbooks?|guides?|guidance notes?|intranet|sharepoint|"
            r"confluence|"
            r"knowledge ?base|kb(?: article)?s?|faqs?|job aids?|quick reference|cheat[- ]sheets?|"
            r"checklists?|laminated|binders?|folders?|policy (?:document|doc|pdf)|pdfs?|"
            r"documentation|docs|documents?|written (?:steps|instructions|procedure)|"
            r"instructions|help (?:page|article|text)s?|runbooks?|playbooks?|templates?",
            r"out of date|out-of-date|outdated|old version|contradict\w*|conflicting|inconsistent|"
            r"(?:two|three|several|different) versions|(?:can'?t|cannot|couldn'?t|hard to|"
            r"impossible to|nobody can|no one can) find|buried|scattered|all over the place|"
            r"undocumented|not (?:written|documented)|nothing (?:written|documented)|"
            r"isn'?t written|no written|in (?:someone'?s|people'?s|his|her|their) heads?|"
            r"tribal knowledge|(?:an? )?emails? (?:from (?:19|20)\d\d|round|around|chain)|"
            r"forwarded (?:round|around|on)|not (?:really )?written down|pinned (?:up|on)|"
            r"(?:is|are|'s) (?:possibly |probably |maybe )?(?:out of date|wrong|missing)",
        ),
        (FAILURE, SUPPORT, TASK),
    ),
    Signal(
        "content_stale",
        "content_maintenance",
        "The learning content itself is out of date: update or retire it rather than build "
        "more (Gilbert: information).",
        _any(
            r"(?:course|module|e-?learning|video|training|deck|slides|induction|onboarding|"
            r"programme|program|quiz|lms content|content|material|materials|curriculum)s?"
            r"(?: \S+){0,6} (?:out of date|out-of-date|outdated|obsolete|stale|old|wrong|"
            r"incorrect|inaccurate|legacy|previous|retired|superseded|from 20\d\d|"
            r"(?:was |were )?(?:made|built|recorded|written|filmed|created) in 20\d\d|still "
            r"(?:shows|says|uses|refers|teaches|has|covers|mentions|tells|describes|references)|"
            r"(?:has|have|hasn'?t|haven'?t|had|was|were) (?:not |never )?(?:been )?"
            r"(?:updated|refreshed|revised|reviewed|touched))",
            r"(?:update|refresh|revise|rewrite|retire|fix|correct|re-?record|re-?film|redo) "
            r"(?:the|our|this|that|these|those|existing|current|old) (?:\w+ )?(?:course|module|"
            r"e-?learning|video|training|deck|slides|induction|content|material|curriculum)",
            r"(?:old|previous|former|outdated|legacy|retired|discontinued) (?:screens?|"
            r"screenshots?|process|version|system|branding|policy|form|product|interface|ui)"
            r"(?: \S+){0,4} (?:in|on) the (?:course|module|e-?learning|video|training|deck)",
        ),
        (SUPPORT, FAILURE, TASK, EVIDENCE),
    ),
    # -- the environment: incentives, feedback and consequences ----------------------------------
    Signal(
        "no_follow_up",
        "manager_support",
        "Nobody sets the expectation, follows up or gives feedback, and the consequences reward "
        "the shortcut: an environment cause (Gilbert: incentives; Mager and Pipe: "
        "consequences), fixed with managers, not a course.",
        _any(
            r"managers?|supervisors?|team ?leads?|team ?leaders?|line managers?|bosses|boss|"
            r"foremen|foreman|forewoman|charge nurses?|ward managers?|shift leads?|heads? of",
            r"coach\w*|1[:-]1s?|one[- ]to[- ]ones?|check[- ]ins?|follow(?:s|ed|ing)?[- ]ups?|"
            r"feedback|nobody checks|no one checks|never checks?|not checked|unchecked|"
            r"not enforced|never enforced|no consequences?|nothing happens|gets? away with|"
            r"turn(?:s|ed)? a blind eye|look(?:s|ed)? the other way|nobody says anything|"
            r"expectations?|role model\w*|set(?:s|ting)? the example|let (?:it|them|that) slide|"
            r"pull(?:s|ed)? (?:anyone|anybody|them|people|him|her) up|shout-?outs?|"
            r"measured on|(?:don'?t|doesn'?t|didn'?t|never|haven'?t|hasn'?t) (?:really )?"
            r"(?:ask|check|look at|review|mention|chase)",
            r"incentives?|bonus\w*|commission|rewards?|rewarded|recogni[sz]\w*|praised|"
            r"punish\w*|penali[sz]\w*|blamed|targets?|quotas?|pressure|pushed to|told to "
            r"(?:skip|ignore|rush|hit)|priorit\w*|(?:cut|cutting|cuts) corners|shortcuts?|"
            r"motivat\w*|can'?t be bothered|not bothered|don'?t care|morale",
        ),
    ),
    # -- where L&D's own decisions get stuck -----------------------------------------------------
    Signal(
        "nobody_owns_it",
        "ownership",
        "Nobody owns the decision, the process or the asset: an ownership gap no course can close.",
        _any(
            r"(?:nobody|no one|no-one|noone|nobodys?) (?:really |actually |clearly |officially )?"
            r"(?:owns?|decides?|maintains?|is accountable|is responsible|takes? responsibility|"
            r"is in charge|signs?|knows who|wants (?:it|to own)|pick(?:s|ed)? (?:it|this|that) up|"
            r"looks? after|took (?:it|this|that) (?:on|over))",
            r"no (?:clear |single |named |real |obvious )?(?:owner|ownership|accountab\w*|"
            r"one in charge|sponsor|decision[- ]maker)|unowned|orphan\w*|ownerless",
            r"who (?:owns|is responsible|decides|signs|maintains|should own)|whose (?:job|"
            r"responsibility|call|decision|problem)|owner (?:left|retired|moved|is on leave|"
            r"changed)|(?:falls?|fell|falling) (?:between|through)|through the cracks|"
            r"not (?:our|my|their|his|her) (?:job|team|responsibility|remit|problem)|"
            r"each (?:team|side|department) (?:thinks|says|assumes)|ownership",
        ),
    ),
    Signal(
        "prove_it",
        "evidence_reporting",
        "The ask is to measure or prove an effect: a question of evidence and reporting, not a "
        "skill gap.",
        _any(
            r"prov(?:e|es|ing)|proof|demonstrat\w*|show (?:that|the|impact|value|leadership|the "
            r"board|whether|what)|evidence (?:that|of|for) (?:the|our|it)|justify|"
            r"measur\w*|roi|return on|impact (?:data|report|numbers)|business case",
            r"dashboards?|reports?|reporting|report on|analytics|metrics?|kpis?|scorecards?|"
            r"completion (?:data|rates?|numbers|figures|stats)|attendance (?:data|numbers)|"
            r"data (?:on|about|from|for)|numbers (?:on|for|don'?t)|track(?:ing)? (?:whether|if)|"
            r"attribut\w*|evaluat\w*|kirkpatrick|how do we know|leadership (?:wants|asks|"
            r"asked)|the board (?:wants|asks|asked)|audit(?:ors)? (?:wants?|asks?|asked)",
            r"something to show|(?:is|are|was) (?:it |they |this )?(?:really |actually )?"
            r"(?:doing anything|working|worth it|making a difference|paying off)|"
            r"whether (?:\w+ ){1,6}(?:works|is working|makes a difference|is doing anything)",
        ),
        (TASK, FAILURE, EVIDENCE),
    ),
)

BY_NAME = {signal.name: signal for signal in SIGNALS}


@dataclass(frozen=True)
class Found:
    signal: Signal
    question_id: str
    excerpt: str


def normalise(text: str) -> str:
    """What the patterns read: case folded, curly quotes straightened, spaces collapsed, and
    the contractions people type without apostrophes restored (dont, cant, isnt)."""
    text = text.casefold().replace("’", "'").replace("‘", "'")
    text = re.sub(
        r"\b(don|doesn|isn|aren|wasn|weren|haven|hasn|hadn|didn|won|wouldn|couldn|"
        r"shouldn|can)t\b",
        r"\1't",
        text,
    )
    return " ".join(text.split())


def detect(answers: Mapping[str, str]) -> list[Found]:
    """Every signal in every answer it is read from, in the order of the answers."""
    found: list[Found] = []
    for question_id, text in answers.items():
        lowered = normalise(text)
        if not lowered:
            continue
        for signal in SIGNALS:
            if question_id in signal.fields and (match := signal.find(lowered)):
                found.append(Found(signal, question_id, _excerpt(text, match)))
    return found


def _excerpt(text: str, match: re.Match[str], width: int = 90) -> str:
    """The words around what the signal heard, so a reviewer sees what a verdict rests on.
    The match is in the normalised text, whose offsets differ from the typed text's by a
    character per restored apostrophe: near enough for a window of 90."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    middle = (match.start() + match.end()) // 2
    start = max(0, min(middle - width // 2, len(text) - width))
    snippet = text[start : start + width].strip()
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")
