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
        any_of(
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
        any_of(
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
)
