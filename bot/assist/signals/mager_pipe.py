"""Mager and Pipe's test: could they do it if their life depended on it?

People new to the task, product, equipment, rule or role, people who have never done or practised
it, rare high-stakes tasks and skills no training covers say *no*: a knowledge or skill gap.
People who did it right before, or who completed the training that exists, say *yes*: look at
obstacles, consequences and feedback instead.
"""

from __future__ import annotations

from bot.assist.signals.signal import EVIDENCE, FAILURE, PERFORMER, SUPPORT, TASK, Signal, any_of

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

MAGER_AND_PIPE: tuple[Signal, ...] = (
    # -- in the person: knowledge and skill (Mager and Pipe say "no, they couldn't") ------------
    Signal(
        "new_to_it",
        "training_need",
        "They are new to this task, product, equipment, rule or role: a knowledge or skill gap "
        "training can close.",
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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
)
