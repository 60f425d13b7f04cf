"""From a response body to the normalised text that is compared: extraction, then normalisation.

Extraction turns HTML (a selector's match, or the page without its chrome), PDF (the text
layer), JSON (a path) or plain text into lines of text. Normalisation removes what changes
without the law changing: Unicode variants, whitespace, and volatile fragments such as
"page generated on …", visitor counters and session or CSRF tokens.
"""

import hashlib
import io
import json
import re
import unicodedata

from bs4 import BeautifulSoup
from bs4.element import NavigableString
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from tracker.monitoring.models import SourceKind


class ExtractionError(Exception):
    """The body holds no usable text; the message says why, for the check log."""


# Page chrome: never the law, often volatile.
CHROME_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "svg"]
CHROME_TAGS += ["iframe", "head", "button", "select"]
BLOCK_TAGS = [
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
    "section", "table", "tbody", "td", "th", "thead", "tr", "ul",
]  # fmt: skip
# Marks a block boundary while HTML's insignificant whitespace is collapsed (not whitespace itself).
LINE_MARK = "\ue000"

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DATE = (
    rf"(?:{_WEEKDAY}(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:T[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?"
    rf"|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}))"
)
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,5}\b)?)?"
# Global volatile fragments, removed from every source before comparing.
VOLATILE_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in [
        # "Page generated on 12 Nov 2026 10:14", "Last updated: 11/21/2026", "Retrieved …"
        rf"\b(?:page\s+)?(?:generated|last\s+updated|last\s+modified|updated|last\s+reviewed"
        rf"|retrieved|printed|accessed|as\s+of|current\s+as\s+of|date\s+printed)"
        rf"(?:\s+on|\s+at)?\s*:?\s*{_DATE}{_TIME}",
        # Visitor and view counters.
        r"\b(?:you\s+are\s+)?visitor\s*(?:number|no\.?|#|count)?\s*:?\s*[\d,.]+",
        r"\b(?:visitors?|page\s*views?|views|hits)\s*(?:count|so\s+far|today)?\s*:?\s*\d[\d,.]*",
        r"\b[\d,.]+\s+(?:visitors?|page\s*views|views|hits)\b",
        # Session, CSRF and similar tokens printed into the page or its links.
        r"\b(?:csrf(?:middleware)?token|csrf|xsrf|_?token|authenticity_token|nonce|session(?:id)?"
        r"|jsessionid|phpsessid|sid|__requestverificationtoken|__viewstate|__eventvalidation)"
        r"\s*[=:]\s*['\"]?[A-Za-z0-9+/=_.\-%]{8,}['\"]?",
        # Bare long hex ids (cache busters, request ids).
        r"\b[0-9a-f]{32,}\b",
        # "Request ID: …", "Ray ID: …" printed by CDNs.
        r"\b(?:request|ray|trace|correlation)\s*id\s*:?\s*[A-Za-z0-9\-]{6,}",
    ]
]


def extract_text(*, kind: str, body: bytes, content_type: str = "", selector: str = "") -> str:
    """The text of a response body, one block a line; raises ExtractionError."""
    if not body.strip():
        raise ExtractionError("the response body is empty")
    if kind == SourceKind.PDF:
        return _pdf_text(body)
    text = _decode(body, content_type, kind)
    if kind == SourceKind.HTML:
        return _html_text(text, selector)
    if kind == SourceKind.JSON:
        return _json_text(text, selector)
    return text


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _decode(body: bytes, content_type: str, kind: str) -> str:
    head = body[:8192]
    if b"\x00" in head or head.startswith((b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff")):
        raise ExtractionError(
            f"the response is binary ({content_type or 'no Content-Type'}), not {kind}"
        )
    charset = _charset(content_type)
    try:
        text = body.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        text = body.decode("cp1252" if not charset else "utf-8", errors="replace")
    sample = text[:8192]
    garbage = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\r\n\t\f"))
    if garbage > len(sample) * 0.05:
        raise ExtractionError(
            f"the response does not decode as text ({garbage} of the first {len(sample)} "
            f"characters are garbage; Content-Type {content_type or 'missing'})"
        )
    return text


def _html_text(html: str, selector: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    if selector:
        try:
            roots = soup.select(selector)
        except ValueError as exc:  # soupsieve's SelectorSyntaxError is a ValueError
            raise ExtractionError(f"the CSS selector {selector!r} is invalid: {exc}") from None
        if not roots:
            raise ExtractionError(f"the CSS selector {selector!r} matched nothing")
    else:
        roots = [soup.body or soup]
    parts = []
    for root in roots:
        for tag in root.find_all(CHROME_TAGS):
            tag.decompose()
        for tag in root.find_all(BLOCK_TAGS):
            tag.insert_before(NavigableString(LINE_MARK))
            tag.insert_after(NavigableString(LINE_MARK))
        parts.append(root.get_text(""))
    # In HTML every run of whitespace is one space; only block boundaries break lines.
    return "\n".join(re.sub(r"\s+", " ", part) for part in parts).replace(LINE_MARK, "\n")


def _pdf_text(body: bytes) -> str:
    if not body.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in body[:1024]:
        raise ExtractionError(f"the response is not a PDF (it starts with {body[:16]!r})")
    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, NotImplementedError) as exc:
        raise ExtractionError(f"the PDF cannot be read: {exc.__class__.__name__}: {exc}") from None


def _json_text(text: str, path: str) -> str:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"the response is not JSON: {exc}") from None
    selected = json_select(document, path) if path else [document]
    if not selected:
        raise ExtractionError(f"the JSON path {path!r} matched nothing")
    return "\n".join(_json_lines(item) for item in selected)


def json_select(document, path: str) -> list:
    """Follow a dotted path: `*` walks every item of a list, `a,b` keeps several keys."""
    current = [document]
    for segment in path.split("."):
        following = []
        for node in current:
            if segment == "*" and isinstance(node, list):
                following.extend(node)
            elif "," in segment and isinstance(node, dict):
                picked = {key: node[key] for key in segment.split(",") if key in node}
                if picked:
                    following.append(picked)
            elif isinstance(node, dict) and segment in node:
                following.append(node[segment])
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                following.append(node[int(segment)])
        current = following
    return current


def _json_lines(node) -> str:
    if isinstance(node, dict):
        if all(not isinstance(value, dict | list) for value in node.values()):
            return " | ".join(f"{key}: {node[key]}" for key in sorted(node))
        return "\n".join(f"{key}:\n{_json_lines(node[key])}" for key in sorted(node))
    if isinstance(node, list):
        return "\n".join(_json_lines(item) for item in node)
    return "" if node is None else str(node)


def normalise(text: str, *, ignore_patterns: list[str] = ()) -> str:
    """NFKC, volatile fragments removed (global and the source's own), one clean line a block."""
    text = unicodedata.normalize("NFKC", text)
    for pattern in [*VOLATILE_PATTERNS, *(re.compile(p) for p in ignore_patterns)]:
        text = pattern.sub(" ", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


MAINTENANCE_WORDS = re.compile(
    r"under maintenance|scheduled maintenance|temporarily unavailable|service unavailable"
    r"|down for maintenance|please try again later|access denied|are you a robot|captcha"
    r"|enable javascript|request rejected|too many requests",
    re.IGNORECASE,
)
# A maintenance or error page is short; a statute that mentions "access denied" is not.
MAINTENANCE_MAX_CHARS = 2000
# Below this a page is too small for "lost most of its text" to mean anything.
SHRINK_MIN_CHARS = 200


def text_problem(*, new: str, old: str | None, shrink_ratio: float) -> str | None:
    """Why a 200 response's text must not be taken as the source's content, or None."""
    if not new:
        return "no text left after extraction and normalisation"
    if len(new) <= MAINTENANCE_MAX_CHARS and (match := MAINTENANCE_WORDS.search(new)):
        return (
            f"looks like a maintenance or error page ({match.group(0)!r} in {len(new)} characters)"
        )
    if old and len(old) >= SHRINK_MIN_CHARS and len(new) < len(old) * (1 - shrink_ratio):
        return (
            f"the text shrank from {len(old)} to {len(new)} characters (more than "
            f"{shrink_ratio:.0%} lost): probably a maintenance or error page"
        )
    return None
