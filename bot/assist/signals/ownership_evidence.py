"""Where L&D's own decisions get stuck: nobody owns the decision, or the ask is for proof.

Neither is a gap in the person or a cause in their environment, so no course answers either.
"""

from __future__ import annotations

from bot.assist.signals.signal import EVIDENCE, FAILURE, TASK, Signal, any_of

OWNERSHIP_AND_EVIDENCE: tuple[Signal, ...] = (
    # -- where L&D's own decisions get stuck -----------------------------------------------------
    Signal(
        "nobody_owns_it",
        "ownership",
        "Nobody owns the decision, the process or the asset: an ownership gap no course can close.",
        any_of(
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
            r"each (?:team|side|department) (?:thinks|says|assumes)|ownership|final say|"
            r"(?:a |one )?named (?:owner|approver|person|lead)|disbanded|dissolved|(?:owned|run|"
            r"written|kept) by (?:[\w'-]+ ){1,4}(?:who|which|that) (?:left|retired|was disbanded|"
            r"has "
            r"gone)|(?:left|retired|moved on) and (?:nobody|no one)|(?:nobody|"
            r"no one) has been given"
            r"|(?:hasn'?t|has not|haven'?t|have not|nobody has|no one has) (?:been )?picked (?:it |"
            r"this )?up",
            # a chain of blame: "legal says HR signs off, HR says L&D", "IT says facilities"
            r"(?:says?|thinks?|assumes?|reckons?)\b[^.;?!]{1,60}?(?:,| and| but)\s*(?:then |while "
            r"|whereas )?(?:the )?[a-z&]+(?: [a-z]+)? (?:says?|thinks?|assumes?|reckons?)\b",
        ),
    ),
    Signal(
        "prove_it",
        "evidence_reporting",
        "The ask is to measure or prove an effect: a question of evidence and reporting, not a "
        "skill gap.",
        any_of(
            r"prov(?:e|es|ing)|proof|demonstrat\w*|show (?:that|the|impact|value|leadership|the "
            r"board|whether|what)|evidence (?:that|of|for) (?:the|our|it)|justify|"
            r"measur\w*|roi|return on|impact (?:data|report|numbers)|business case|"
            r"evidence (?:that|"
            r"of|for)\b|(?:asked|asks|ask|wants?|need) (?:us )?for (?:evidence|proof|records)|"
            r"(?:can'?t|cannot|unable to) (?:produce|show|prove|pull|get|find) (?:it|that|the "
            r"(?:records|evidence|data|numbers|report))|pull (?:that|it|the \w+) (?:out )?(?:of|"
            r"from)"
            r"|(?:show|prove|evidence) (?:that )?(?:every|all|each)",
            r"dashboards?|reports?|reporting|report on|analytics|metrics?|kpis?|scorecards?|"
            r"completion (?:data|rates?|numbers|figures|stats)|attendance (?:data|numbers)|"
            r"data (?:on|about|from|for)|numbers (?:on|for|don'?t)|track(?:ing)? (?:whether|if)|"
            r"attribut\w*|evaluat\w*|kirkpatrick|how do we know|leadership (?:wants|asks|"
            r"asked)|the board (?:wants|asks|asked)|audit(?:ors)? (?:wants?|asks?|asked)|"
            r"(?:inspection|audit|inspector|regulator|auditors?) (?:is |are )?(?:coming|due|next|"
            r"in "
            r"\d+|asks?|asked|wants?|will ask)|for the (?:audit|auditors?|inspector|inspection|"
            r"regulator|board)|completion (?:by|per|for each|across)|per (?:person|site|hotel|"
            r"store|"
            r"team|quarter)\b|a register of (?:every|all)|a list (?:of|with) (?:every|all)|no link "
            r"between|linking (?:\w+ ){1,4}(?:to|with)|put (?:them|it|those) together",
            r"something to show|(?:is|are|was) (?:it |they |this )?(?:really |actually )?"
            r"(?:doing anything|working|worth it|making a difference|paying off)|"
            r"whether (?:\w+ ){1,6}(?:works|is working|makes a difference|is doing anything)|"
            r"made (?:any |a )?difference|did anything|(?:want|wants|like) to know (?:if|whether)",
        ),
        (TASK, FAILURE, EVIDENCE),
    ),
)
