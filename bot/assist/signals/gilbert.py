"""Gilbert's Behavior Engineering Model: causes in the environment rather than in the person.

Resources (tools and systems that get in the way, steps and handoffs that do not work),
information (missing or stale documents, stale courses) and incentives (managers who do not set
the expectation, follow up or give feedback, consequences that reward the wrong thing).
"""

from __future__ import annotations

from bot.assist.signals.signal import EVIDENCE, FAILURE, SUPPORT, TASK, Signal, any_of

GILBERT: tuple[Signal, ...] = (
    # -- the environment: resources --------------------------------------------------------------
    Signal(
        "tool_in_the_way",
        "platform_governance",
        "A tool or system gets in the way: an environment cause (Gilbert: resources) that "
        "training does not fix.",
        any_of(
            r"crash\w*|freez\w*|froze|frozen|hangs?|lag\w*|slow|sluggish|time[sd]? ?out|"
            r"timeouts?|glitch\w*|bugs?|buggy|broken|breaks down|keeps? breaking|outages?|downtime|"
            r"goes down|is down|offline|loses? (?:the )?(?:data|connection|signal|notes|work|"
            r"entries|"
            r"changes)|(?:signal|connection|wi-?fi|network) (?:drops?|is lost|goes|cuts? out)|"
            r"(?:drops?|lost|loses) (?:the )?(?:signal|connection)|auto-?clos\w*|locked out|"
            r"logs? (?:them |you |us |me |people |everyone )?out|spins",
            r"(?:error|fault) (?:messages?|codes?|screens?|pop-?ups?)|(?:system|software|app|sync|"
            r"server|network|login|log-in|upload|print|scan) (?:errors?|failures?)|"
            r"(?:won'?t|doesn'?t|does not|will not|can'?t|cannot) (?:scan|read)|"
            r"(?:doesn'?t|does not|won'?t|will not|can'?t|cannot) "
            r"(?:load|save|sync|upload|print|scan|connect|open|submit|log ?in|find the|see the|"
            r"let (?:them|us|you|me))",
            r"greyed[- ]out|grayed[- ]out|permissions?|access (?:rights|denied|level|issue)|"
            r"(?:no|without) access|(?:can'?t|cannot|unable to|won'?t let (?:them|us|me)) (?:log|"
            r"sign) ?in|password reset|(?:no|not enough|out of|short of|ran out of) (?:\w+ )?"
            r"(?:licen[cs]es|seats)|licen[cs]es? (?:ran out|expired|limit)",
            r"sync\w*|integration|firmware|configur\w*|reconfigur\w*|settings?|default(?:s|ed)? "
            r"to|pre-?fill\w*|auto-?fill\w*|auto-?populat\w*|(?:a |the )?limit is set|"
            r"(?:since|after) the (?:\w+ )?(?:update|upgrade|firmware|software change|migration)|"
            r"(?:update|upgrade|migration) (?:last|in|this) (?:week|month|year|jan\w*|feb\w*|"
            r"march|april|may|june|july|aug\w*|sept?\w*|oct\w*|nov\w*|dec\w*)",
        ),
        (FAILURE, TASK, SUPPORT),
    ),
    Signal(
        "tool_named",
        "platform_governance",
        "A tool or system is part of the failing step: check whether it gets in the way before "
        "training people on it (Gilbert: resources).",
        any_of(
            r"wi-?fi|scanners?|printers?|tablets?|handhelds?|terminals?|kiosks?|tills?|barcodes?|"
            r"hardware|devices?|apps?|software|systems?|tool|tools|tooling|platform|crm|erp|ehr|"
            r"emr|lms|sap|salesforce|workday|servicenow|jira|excel|cms|lims|pmr|telemetry|"
            r"(?<!to )screens?|buttons?|menus?|drop-?downs?|pop-?ups?|portal|interface|ui|ux|"
            r"(?:the|a|this|that|which|wrong|right|mandatory|required|free[- ]text) fields?"
            r"(?! (?:techs?|teams?|sales|staff|engineers?|workers?|service|visits?|based|work))",
        ),
        (FAILURE, TASK, SUPPORT),
        weight=0.4,
    ),
    Signal(
        "steps_do_not_work",
        "workflow_process",
        "The steps or handoffs themselves do not work: a process cause in the environment "
        "(Gilbert: resources and information).",
        any_of(
            r"hand-?offs?|hand-?overs?|hand(?:ed|s)? (?:it )?(?:off|over)|passed between|"
            r"back and forth|ping-?pong|bounce[sd]? between|bouncing between|rework|redo\w*|re-?do|"
            r"duplicat\w*|re-?enter\w*|re-?key\w*|double[- ]entry|double[- ]handling",
            r"approvals?|approv\w*|sign-?offs?|signs? off|signed off|authori[sz]ation|"
            r"procurement|purchase orders?|\bpos?\b|requisitions?|paperwork|forms? (?:goes|go|"
            r"sits?|get)|queue[sd]?|backlog|bottlenecks?|wait(?:s|ing|ed)? (?:for|on|weeks|days|"
            r"months)|takes? (?:weeks|months|ages|forever|\d+ (?:weeks|days|months))|stuck (?:in|"
            r"with|at|between|for|waiting)|(?:sits?|sat|sitting|lands?|"
            r"goes) (?:\w+ ){0,3}?(?:for )?"
            r"(?:days|weeks|months)|for (?:a|one|\d+|two|three|several|many) (?:weeks?|days|months)"
            r"(?: or (?:more|longer))?|delays?|delayed|chas(?:e|es|ing)|nobody chases|"
            r"no one chases",
            r"who does what|unclear who|not clear who|between (?:teams|departments|shifts|sites|"
            r"the two|two)|two teams|each (?:team|site|shift|branch|ward|store) does|"
            r"different (?:teams|sites|shifts) do|every (?:group|team|site|shift|branch|ward|store|"
            r"department|office|unit|desk) (?:does|do|has) (?:it |things )?(?:its|their) own|"
            r"routing|routed|workarounds?|manual(?:ly)? (?:copy|transfer|enter|track)|"
            r"spreadsheets?|steps? (?:is|are|get|gets) (?:skipped|missed)|depends (?:on )?who "
            r"(?:you|u) ask|(?:\d|two|three|four|several|different|multiple) (?:different )?"
            r"(?:inboxes|places|routes|channels|email addresses)|(?:nobody|no one) (?:knows|"
            r"is sure)"
            r" (?:if|whether|who) (?:[\w'-]+ ){0,5}(?:supposed|meant) to|no (?:agreed|set|clear|"
            r"written) (?:process|route|cut-?off|checklist|deadline|sla|order|step)|no (?:sla|"
            r"deadline|cut-?off)|nothing (?:tells|passes|sends)|(?:waits?|waiting) for (?:the )?"
            r"(?:other|each other|ops|them) to",
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
        any_of(
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
            r"(?:pages?|guides?|posters?|signs?|signage|cards?|notices?|boards?|lists?|maps?|"
            r"labels?|"
            r"charts?|diagrams?|drawings?|website|web ?pages?|leaflets?|sheets?|folders?|"
            r"registers?|"
            r"instructions?|sops?|runbooks?|manuals?|policy|matrix|matrices|"
            r"wall)(?: [\w'-]+){0,5}? "
            r"(?:still (?:shows?|says|lists?|has|refers|references|uses|gives|mentions|names)|"
            r"(?:shows?|lists?|says|has|gives|names) (?:the )?(?:old|last year'?s|previous|wrong|"
            r"former|decommissioned)|(?:aren'?t|are not|don'?t|do not|doesn'?t|does not) (?:quite |"
            r"always |really )?(?:the same|match|agree|line up)|(?:is|"
            r"are) (?:only )?from (?:before|"
            r"20\d\d)|(?:never|not) updated)",
            r"(?:it'?s|is|are|was|were) from before|no (?:map|list|guide|instructions?|written "
            r"\w+|sop|checklist|register|diagram|information|info)\b|only (?:in|on) (?:an? |the )?"
            r"(?:email|emails|paper|drawings)|(?:in|on) (?:an? |the )?(?:\w+'?s )?(?:emails?|"
            r"drawings) only|(?:nobody|no one|nothing) (?:told|tells|tell) (?:them|the \w+|staff|"
            r"people)|says? (?:two|different) things",
        ),
        (FAILURE, SUPPORT, TASK),
    ),
    Signal(
        "content_stale",
        "content_maintenance",
        "The learning content itself is out of date: update or retire it rather than build "
        "more (Gilbert: information).",
        any_of(
            r"(?:course|module|e-?learning|video|training|deck|slides|induction|onboarding|"
            r"programme|program|quiz|lms content|content|material|materials|curriculum)s?"
            r"(?: \S+){0,6} (?:out of date|out-of-date|outdated|obsolete|stale|old|wrong|"
            r"incorrect|inaccurate|legacy|previous|retired|superseded|from 20\d\d|"
            r"(?:was |were )?(?:made|built|recorded|written|filmed|created) in 20\d\d|still "
            r"(?:shows|says|uses|refers|teaches|has|covers|mentions|tells|describes|references)|"
            r"(?:has|have|hasn'?t|haven'?t|had|was|were) (?:not |never )?(?:been )?"
            r"(?:updated|refreshed|revised|reviewed|touched)|(?:was |were )?(?:made|written|built|"
            r"recorded|filmed|created|designed|produced) before|(?:a bit |way |years )?behind (?:on"
            r"|with)|predates?|pre-dates?|shows? the old|still (?:reference|refer|show|teach)|"
            r"last (?:revised|updated|reviewed|refreshed|changed) (?:before|in 20\d\d|"
            r"\d+ years ago|"
            r"years ago))",
            r"(?:learned|learnt|got (?:it|that)|picked (?:it|that) up|taught|do what|did what|"
            r"follow "
            r"what)(?: [\w'-]+){0,3}? (?:from|in|on) (?:our|the) (?:[\w-]+ )?(?:e-?learning|course|"
            r"module|video|induction|training|slides?|deck|onboarding)",
            r"(?:update|refresh|revise|rewrite|retire|fix|correct|re-?record|re-?film|redo|"
            r"re-?shoot) "
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
        any_of(
            r"managers?|supervisors?|team ?leads?|team ?leaders?|line managers?|bosses|boss|"
            r"foremen|foreman|forewoman|charge nurses?|ward managers?|shift leads?|heads? of|"
            r"(?:room|group|shift|crew|watch|desk|section|area|store|tech|team) (?:leaders?|"
            r"leads?)|"
            r"partners?|pis\b|principal investigators?",
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
            r"(?:skip|ignore|rush|hit)|prioriti[sz]\w*|priorities|(?:cut|cutting|cuts) corners|"
            r"shortcuts?|leaderboards?|(?:only|just) (?:counts?|measures?|looks? at|rewards?|"
            r"tracks?)|(?:never|nobody|no one|don'?t) (?:\w+ )?(?:tells?|told) (?:them|staff|"
            r"people|him|her|[a-z]+ers) (?:when|if|that|how)|only (?:find|found|hear|heard) (?:out "
            r")?(?:at|in) (?:the )?(?:annual|yearly|end|review|appraisal)|(?:have|has) stopped|"
            r"motivat\w*|can'?t be bothered|not bothered|don'?t care|morale",
        ),
    ),
)
