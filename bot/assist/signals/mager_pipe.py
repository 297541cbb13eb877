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
    r"curriculum|syllabus|exam|specification|spec|press|brake|engine|plant|hoists?|"
    r"capnographs?|cabinets?|reach trucks?"
)

# "...are fine", "...get it right", "...don't have this problem": said of others, not of the
# people who fail.
_DO_FINE = (
    r"(?: [\w'-]+){0,6}? (?:(?:are|is|do|does|did|get|gets|got|have|has|had|manage|managed|"
    r"run|bring back) (?:it |them |this )?(?:fine|ok|okay|right|well|correct\w*|maybe \d)|"
    r"(?:have|has|get|gets|see|had) no (?:problems?|issues?|trouble|errors?|mistakes?|"
    r"variances?|findings?)|(?:don'?t|do not|doesn'?t|never) (?:have|get|see|make) (?:this |these "
    r"|that |the same |any |those )?(?:prob\w*|issues?|errors?|mistakes?|trouble|variances?|"
    r"findings?))"
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
            r"(?<!right )(?<!right-)first (?:week|weeks|month|months|year|day|days|"
            r"rotation|rotations|shift|shifts|placement|posting|deployment|cycle|quarter|season|"
            r"job|role|management)",
            r"(?:for the |their |his |her |my |our )first time|first time (?:doing|using|working|"
            r"running|they|he|she|ever|in (?:a|the|charge))|first-time (?:users?|managers?|"
            r"supervisors?|leads?)",
            r"new to (?:the |this |a |an |it|our |their |working |delivery|the job)",
            r"(?:came|moved|transferred) (?:across|over) from|transferred from|(?:came|moved) from "
            r"(?:the |another |other |a )?(?:[a-z]+ )?(?:team|department|side|role|job|line|unit|"
            r"site|ward|store|branch|desk)",
            r"(?:joined|hired|recruited|qualified|promoted|appointed|started with us|"
            r"onboarded)(?: [\w-]+){0,5}? (?:in the (?:last|past)|within the last|this|last|since) "
            r"(?:\d+ |few |couple of |two |three |six )?(?:weeks?|months?|year|spring|summer|"
            r"autumn|winter|quarter|season|intake|jan\w*|feb\w*|march|april|may|june|july|aug\w*|"
            r"sept?\w*|oct\w*|nov\w*|dec\w*)",
            r"who (?:have |has |had )?(?:just |recently |only )?(?:start|started|joined|arrived)",
            r"used to be (?:done|handled|run|covered|made|booked|checked) by|(?:got |been |was |"
            r"were )"
            r"?(?:moved|passed|handed|pushed|given) (?:over )?to (?:them|him|her|us|"
            r"the [\w-]+) (?:in|"
            r"last|this|since)|(?:opened|launched|went live|set up|started up) (?:in|last|this) "
            r"(?:week|month|year|spring|summer|autumn|winter|jan\w*|feb\w*|march|april|may|june|"
            r"july|"
            r"aug\w*|sept?\w*|oct\w*|nov\w*|dec\w*)",
            r"(?:under|less than|only|just) (?:\d+|a few|a couple of|six|three|two) (?:months?|"
            r"weeks?)"
            r" (?:in (?:post|the job|the role|role)|here|with us|on the job|experience|service)",
            r"(?:xmas|christmas|seasonal|season|summer|holiday|agency|casual) (?:temps?|staff|"
            r"workers|hires|help|lads|guys|cover|pickers|drivers)",
            r"became (?:the |a |an )?(?:[\w-]+ ){0,3}(?:this|last) (?:year|month|spring|summer|"
            r"autumn|winter)",
            r"(?:isn'?t|is not|not|hasn'?t been) (?:yet )?launched|pre-?launch|before (?:the )?"
            r"(?:launch|go-?live)",
            r"(?:was |were )?(?:commissioned|installed|delivered|retrofitted|introduced) "
            r"(?:last|this|in) (?:week|month|year|spring|summer|autumn|winter|jan\w*|feb\w*|march|"
            r"april|may|june|july|aug\w*|sept?\w*|oct\w*|nov\w*|dec\w*)",
            r"rookies?|newbies?|trainees?|apprentices?|interns?|probationers?|freshers?|"
            r"new blood|greenhorns?|juniors?|new cohort|new intake|graduate intake",
            r"promoted|step(?:ped|ping)? up (?:to|into)|moved (?:up )?into (?:a |the )?"
            r"(?:lead|manag|supervis)",
            rf"(?:new|updated|revised|changed|incoming|upcoming|amended|latest) (?:[a-z0-9-]+ )?"
            rf"(?:{_NEW_THINGS})",
            r"since (?:the )?(?:switch|move|change|transition) to (?:the )?new",
            r"(?:comes?|came|coming|goes|went|going) (?:in(?:to)?|live) (?:force|effect)|"
            r"takes effect|in force from|effective from",
            r"launch(?:es|ed|ing)? (?:next|this|in|on)|(?:upcoming|new|next) launch|"
            r"roll(?:s|ed|ing)?[- ]out (?:of|next|this)",
            r"haven'?t (?:been )?(?:used|seen|met|handled|worked with)|not used to",
            r"(?:their|his|her|my|our) (?:very )?first(?: ever| real| proper)? "
            r"(?!(?:bill|invoice|payment|statement|order|call|contact|visit|impression|name)s?\b)"
            r"[a-z]+",
            r"(?:bought|installed|introduced|brought in|took delivery of|switched to|moved "
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
            r"(?:had|have|has|'d|'ve) never (?!been\b)[a-z]+|never (?!been\b)[a-z]+ (?:\w+ ){0,4}"
            r"before|"
            r"(?:none|nobody|no one|0|zero|only \d+|only (?:one|two|three|a few)|"
            r"few)(?: of (?:them|us|"
            r"the \w+))? (?:had|has|have|knew|had ever|has ever|have ever) (?:[\w-]+ ){0,5}before",
            r"(?<!was )(?<!were )(?<!is )(?<!been )never (?:ever )?(?:done|did|used|operated|run|"
            r"ran|seen|practi[sc]ed|had to|handled|"
            r"performed|worked|been asked|been taught|been shown|been trained|learned|learnt|"
            r"touched|tried|planned|led|managed|written|built|prepared|filed|dealt)",
            r"(?:haven'?t|have not|hasn'?t|has not|hadn'?t|had not|didn'?t|did not) (?:ever )?"
            r"(?:done|do|used|operate|operated|practi[sc]ed|handled|seen|had to|been (?:shown|"
            r"taught|trained|told how)|learned|learnt|planned|led|run)",
            r"(?:nobody|no one|no-one|noone|nobodys?|not had anyone|not anyone)(?: else)?(?:'s|"
            r" has| "
            r"have|'ve| had| was| were)?(?: been| ever| actually| really| properly| formally|"
            r" yet)* "
            r"(?:shown|showed|taught|trained|explained|walked|taken|gone|talked)(?: them| him|"
            r" her)?"
            r"(?: through)?",
            r"(?:not had|hasn'?t had|haven'?t had|never had|nobody to|no one to|"
            r"without) (?:anyone |"
            r"someone |somebody )?(?:to )?(?:go|take them|walk them|talk them|"
            r"show them)(?: \w+){0,3}"
            r" through",
            r"(?:done|did|practi[sc]ed|used|run|tried) (?:it|this|them|one) (?:only )?(?:once|"
            r"twice|"
            r"\d or \d times|a couple of times|a few times|(?:one|two|three|\d) times?)",
            r"(?:couldn'?t|could not|can'?t|cannot|unable to|failed to) (?:[\w-]+ ){0,4}(?:in|"
            r"during"
            r"|at) (?:the |a |an |their )?(?:[\w-]+ )?(?:exercise|drill|assessment|simulation|"
            r"practical|observation)|fail(?:ed|ing|s)? (?:the |their )?(?:[\w-]+ ){0,3}(?:quals?|"
            r"qualifications?|assessments?|practical|exercise|competency checks?)",
            r"(?:not sure|don'?t think|doubt) (?:if |whether |that )?(?:anyone|anybody|someone)"
            r"(?:'s| has| have)? (?:\w+ ){0,2}(?:gone|been|taken|walked|shown|trained)",
            r"(?:not|never|hasn'?t|haven'?t|wasn'?t|weren'?t) (?:been |ever |properly |formally "
            r"|actually |really )*(?:shown|taught|trained|walked through|coached on)",
            r"no (?:[a-z-]+ ){0,2}(?:experience|practice|exposure|background)",
            r"(?:don'?t|do not|doesn'?t|does not|dont|didn'?t|not|never) (?:really |actually |seem "
            r"to |yet |even )?(?:know how|know what to|know where to|understand "
            r"how|understand the|know the (?:steps|rules|difference|products?))",
            r"(?:don'?t|doesn'?t|do not|does not) seem (?:sure|to know|confident|to understand)",
            r"(?<!i'm )(?<!i am )(?<!im )(?<!we're )(?<!honestly )(?:not sure|unsure|no idea|"
            r"clueless|confused about) (?:how|what|when|which)(?! (?:many|much|often|long|exactly|"
            r"we|i|you)\b)",
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
            r"emergenc(?:y|ies)(?! contracepti)|drills?|evacuat\w*|cardiac arrest|code blue|"
            r"major incident|"
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
            r"^(?:none|nothing|nada|nil|n/?a|zero|not really|not much|very little|little|"
            r"zilch|nothing really|nothing yet|nothing formal|not yet)\b|^no\W*$|^no[.,;!]",
            r"(?:got|had|have|has|get) nothing|nothing for the (?:other|rest)|(?:isn'?t|is not|"
            r"wasn'?t|not) (?:in it|covered|included|part of it)|(?:doesn'?t|does not|didn'?t) "
            r"cover|theory only|(?:only|just) (?:the )?theory|no (?:[a-z-]+ )?practical|"
            r"no hands-on|no practice|no (?:simulator|sim) (?:time|training|practice)|rather than "
            r"(?:the )?(?:technique|practice|practical|skills?|how to\b|doing)",
            r"show(?:ed|n)? (?:[\w-]+ ){0,4}(?:once|one time|for (?:ten|five|\d+) minutes)|"
            r"(?:a|one|1) (?:quick |short |brief )?(?:\d+[- ]?(?:min|minute)s? )?demo\b",
            r"no (?:formal |proper |real |structured |specific )?(?:[a-z-]+ ){0,3}(?:training|"
            r"course|courses|induction|onboarding|programme|program|instruction|teaching|"
            r"lessons?|workshops?)",
            r"(?:last|only) (?:\w+ )?(?:workshop|course|training|session) (?:was|ran|we ran) "
            r"(?:in|back in) (?:19|20)\d\d",
            r"(?:there'?s|there is|we have|we've got) (?:nothing|not any)\b",
            r"(?:word of mouth|shadow(?:ing)?|learn(?:s|ing)? on the job|buddy(?:ing)?|"
            r"sit(?:ting)? with (?:someone|a colleague)|watch(?:ing)? others|figure it out|"
            r"work it out themselves)",
            r"that'?s (?:it|all)|nothing else|only (?:a|an|the|one) (?:supplier |vendor |"
            r"manufacturer |quick |short |brief )?(?:demo|video|handout|leaflet|slide|email)",
        ),
        (SUPPORT,),
    ),
    Signal(
        "others_manage",
        "training_need",
        "Others do it right with the same tools and steps, so the environment works: those who "
        "fail lack the knowledge or skill (Mager and Pipe).",
        any_of(
            rf"(?:experienced|older|old|long[- ]serving|existing|other|seasoned|rest of the|others|"
            rf"everyone else|the rest|ones who|guys who|people who|those who|"
            rf"staff who)\b{_DO_FINE}",
            r"(?:works?|working|worked) (?:fine|good|well|ok|okay) for (?:the )?(?:others|other|"
            r"rest|everyone else|experienced|old)",
            r"(?:on|with|using) the (?:exact |very )?same (?:screens?|tills?|system|tools?|kit|"
            r"equipment|process|app|machines?|forms?|setup|pumps?|vans?|software)",
            r"(?:is|works) (?:the same|fine) for (?:everyone|everybody|the rest|all the others)",
        ),
        (TASK, PERFORMER, FAILURE, SUPPORT),
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
            r"everybody) (?:\w+ )?(?:been |got |had )?(?:[\w]+-)?(?:trained|certified|done the|"
            r"did the|completed|passed|attended)",
            r"(?:all|everyone|every \w+|each of them|all of them)(?: \w+){0,2} (?:are |is |were |"
            r"been |get |got )?(?:[\w]+-)?(?:trained|certified|accredited|authori[sz]ed|assessed)",
            r"(?:all|they|everyone|each|every \w+)(?: \w+){0,2} (?:have|has|hold|holds|got|with) "
            r"(?:the |their |a |valid |current )?(?:[\w-]+ ){0,3}(?:cards?|tickets?|"
            r"certificates?|certs?|licen[cs]es?|accreditation|qualifications?)",
            r"(?:did|done|took|passed|completed) (?:the |their |a )?[\w-]+ (?:last|this) (?:year|"
            r"month|quarter|spring|summer|autumn|winter)",
            r"(?:were|was|been|got) (?:shown|taught|trained) (?:[\w-]+ ){0,3}(?:in|at|during) "
            r"(?:the |their )?(?:induction|onboarding|training|course)",
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
            r"used to(?! be (?:done|handled|run|covered|made|booked|checked) by)|no longer|"
            r"any ?more|until (?:recently|last|the|we|they)|"
            r"(?:was|were) (?:fine|ok|okay|good|great|right|working|never a problem)|"
            r"(?:since|after) (?:the|we|they|our|last|it|an?) (?:\w+ ){0,3}(?:upgrade|update|"
            r"change|changed|migration|migrated|moved|switched|merger|merged|restructur\w*|"
            r"reorg\w*|relaunch\w*|redesign\w*|went live|rolled out|introduced|replaced)",
            r"started (?:happening|to happen|again|after the|when the|since the)|"
            r"(?:lately|recently|suddenly|all of a sudden|out of nowhere)",
            r"(?<!not )(?<!n't )(?<!never )(?<!dont )(?:know|knows|knew) (?:how|what to do|the "
            r"(?:process|drill|steps|rules?|procedure|policy)|exactly)|(?:perfectly|fully|"
            r"completely) (?:capable|able)|know (?:it |them |this )?(?:back to front|inside out|by "
            r"heart)|(?:use|do|run|did|used) (?:it|them|this) fine|"
            r"start(?:ed|s)? (?:off )?(?:fine|well|ok|okay|right)|(?:slip|drift|slide)(?:s|ped|"
            r"ping|ed)? (?:back )?into|(?:went|gone|goes) back to (?:what it was|normal|the old)|"
            r"(?:could|can) (?:\w+ ){0,2}(?:do it|recite|tell you)|did (?:it|this|them) "
            r"(?:well|fine|right|properly)|"
            r"(?:worked|used|done|been doing|been using|operated|run) (?:with |on |it |this |"
            r"them )?(?:[a-z]+ ){0,3}for (?:years|ages|a long time|decades|\d+ years)|"
            rf"(?:experienced|veterans?|seasoned|years of experience|long[- ]serving|old hands)"
            rf"(?!{_DO_FINE})|"
            r"(?:been doing|done) (?:it|this) for years",
        ),
        (TASK, PERFORMER, FAILURE, SUPPORT),  # the evidence names a target, not the past
    ),
)
