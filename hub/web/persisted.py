"""The banner's GraphQL documents, defined once: `/widget.js` sends only their ids
(the SHA-256 of the text, injected into the script), `/graphql` looks the text up by
id, and `HUB_WIDGET_OPERATIONS=registered` lets widget keys run these and nothing else.

Changing a text changes its id, and with it `/widget.js` and its ETag: a browser with
the old script cached keeps working only if the old text is still listed."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType

_SURVEY = "key metric locale question followUp thankYou scale { min max }"

# Operation name → exact document text, as widget.js has always sent them.
WIDGET_DOCUMENTS: Mapping[str, str] = MappingProxyType(
    {
        "WidgetLogin": "mutation WidgetLogin($u:UserInput!){recordLogin(user:$u){__typename}}",
        "WidgetEligibility": "query WidgetEligibility($s:String!,$u:UserInput!,$c:Channel!)"
        "{surveyEligibility(surveyKey:$s,user:$u,channel:$c){eligible}}",
        # The same question with its reasons, asked instead when the script tag has
        # data-debug, so the console can say why the banner did not show.
        "WidgetEligibilityDebug": "query WidgetEligibilityDebug($s:String!,$u:UserInput!,"
        "$c:Channel!){surveyEligibility(surveyKey:$s,user:$u,channel:$c)"
        "{eligible reason nextEligibleAt blockedBy{rule until}}}",
        "WidgetDisplay": "mutation WidgetDisplay($s:String!,$u:UserInput!,$c:Channel!,"
        "$x:DisplayContextInput){recordDisplay(surveyKey:$s,user:$u,channel:$c,context:$x)"
        "{__typename ...on DisplayRecorded{displayId survey{" + _SURVEY + "}}}}",
        "WidgetScore": "mutation WidgetScore($d:ID!,$n:Int!){submitScore(displayId:$d,score:$n)"
        "{__typename ...on ScoreSubmitted{responseId followUp}}}",
        "WidgetComment": "mutation WidgetComment($r:ID!,$t:String!)"
        "{submitComment(responseId:$r,comment:$t){__typename ...on CommentSubmitted{thankYou}}}",
        "WidgetDecline": "mutation WidgetDecline($d:ID!){declineSurvey(displayId:$d){__typename}}",
    }
)


def document_id(text: str) -> str:
    """A document's id: the SHA-256 of its text (UTF-8), in lower-case hex, as Apollo's
    `persistedQuery.sha256Hash` is."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Operation name → id: what widget.js is given.
WIDGET_IDS: Mapping[str, str] = MappingProxyType(
    {name: document_id(text) for name, text in WIDGET_DOCUMENTS.items()}
)

_BY_ID: Mapping[str, str] = MappingProxyType(
    {document_id(text): text for text in WIDGET_DOCUMENTS.values()}
)


def persisted_document(document_id: str) -> str | None:
    """The text registered under an id, or None for an id the hub does not know."""
    return _BY_ID.get(document_id)


def is_registered(text: str) -> bool:
    """Whether a document is, to the character, one of the registered ones."""
    return document_id(text) in _BY_ID
