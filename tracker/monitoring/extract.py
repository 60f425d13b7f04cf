"""From a response body to the normalised text that is compared: extraction, then normalisation.

Extraction turns HTML (a selector's match, or the page without its chrome), PDF (the text
layer), JSON (a path) or plain text into lines of text. Normalisation removes what changes
without the law changing: Unicode variants, whitespace, and volatile fragments such as
"page generated on …", visitor counters and session or CSRF tokens.

Pages are untrusted, so every step is bounded: a page with too many tags or nested too deeply is
refused before it is parsed (the parse and the walk cost grow with both), a PDF may expand and
hold only so much, the work stops at the check's deadline, and a few heavy extractions at most
run at once in a process (see heavy_slot), which bounds a worker's memory. A body is parsed
once, inside those bounds: the kind of an AUTO source is decided here too.
"""

import contextlib
import functools
import hashlib
import io
import json
import re
import threading
import unicodedata
from dataclasses import dataclass

import pypdf
import soupsieve
from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PdfReadError

from tracker.lib.deadline import Deadline
from tracker.monitoring import kinds
from tracker.monitoring.models import SourceKind
from tracker.monitoring.patterns import PatternError, compile_linear


class ExtractionError(Exception):
    """The body holds no usable text; the message says why, for the check log."""


class NotJSON(ExtractionError):
    pass


@dataclass(frozen=True)
class Extraction:
    kind: str  # the kind the body was read as (decided here for an AUTO source)
    text: str


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
# Elements that html.parser closes at once (BeautifulSoup's empty-element tags).
VOID_TAGS = {
    "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame", "hr",
    "image", "img", "input", "isindex", "keygen", "link", "menuitem", "meta", "nextid", "param",
    "source", "spacer", "track", "wbr",
}  # fmt: skip
# Possessive and stopping at the next "<": linear, even over "<a<a<a…" with no ">" anywhere.
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/<>]*+)([^<>]*+)>")
_MARKUP_START = re.compile(r"<(!--|!\[CDATA\[)?")
_MARKUP_END = {"!--": "-->", "![CDATA[": "]]>"}
# An HTML body above this size, or any PDF, takes a heavy-extraction slot.
HEAVY_BYTES = 256 * 1024

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
    compile_linear(f"(?i){p}")
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


def extract_text(
    *,
    kind: str,
    body: bytes,
    deadline: Deadline,
    content_type: str = "",
    selector: str = "",
) -> Extraction:
    """The text of a response body, one block a line; raises ExtractionError.

    `deadline` (the check's) ends the work: past it the extraction fails. For an AUTO kind, a
    body that only looks like JSON by its first bytes and does not parse is plain text.
    """
    if not body.strip():
        raise ExtractionError("the response body is empty")
    looks_like_json = False
    if kind == SourceKind.AUTO:
        kind = kinds.kind_detect(content_type=content_type, body=body)
        looks_like_json = kind == SourceKind.JSON and not kinds.kind_declared(content_type)
    heavy = kind == SourceKind.PDF or len(body) > HEAVY_BYTES
    with heavy_slot(deadline) if heavy else contextlib.nullcontext():
        if kind == SourceKind.PDF:
            return Extraction(kind, _pdf_text(body, deadline))
        text = _decode(body, content_type, kind)
        if kind == SourceKind.HTML:
            return Extraction(kind, _html_text(text, selector, deadline))
        if kind == SourceKind.JSON:
            try:
                return Extraction(kind, _json_text(text, selector))
            except NotJSON:
                if not looks_like_json:
                    raise
                return Extraction(SourceKind.TEXT, text)
        return Extraction(kind, text)


_heavy_slots: threading.BoundedSemaphore | None = None
_heavy_slots_lock = threading.Lock()


@contextlib.contextmanager
def heavy_slot(deadline: Deadline):
    """Hold one of the process's MONITORING_HEAVY_EXTRACTIONS slots while parsing a big page.

    A parse tree or a PDF's objects weigh many times the body; with sixteen threads parsing at
    once a worker's memory would be sixteen of those. Waiting for a slot counts against the
    check's deadline.
    """
    global _heavy_slots
    with _heavy_slots_lock:
        if _heavy_slots is None:
            _heavy_slots = threading.BoundedSemaphore(settings.MONITORING_HEAVY_EXTRACTIONS)
    if not _heavy_slots.acquire(timeout=deadline.remaining()):
        raise ExtractionError("no heavy-extraction slot came free before the check's deadline")
    try:
        yield
    finally:
        _heavy_slots.release()


def _check_deadline(deadline: Deadline) -> None:
    if deadline.passed():
        raise ExtractionError("the extraction took longer than the check's deadline")


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


def html_complexity_check(html: str) -> None:
    """Refuse a page with more tags or deeper nesting than the limits, before parsing it.

    Follows the parser's nesting rules closely enough (void elements, an end tag closes the
    elements opened after its start tag, a stray end tag is ignored) at a small cost per tag.
    """
    max_tags, max_depth = settings.MONITORING_HTML_MAX_TAGS, settings.MONITORING_HTML_MAX_DEPTH
    # Every element has a start and usually an end tag; far more "<" is not a document.
    if html.count("<") > 4 * max_tags:
        raise ExtractionError(f"page too complex: more than {max_tags} tags")
    _unclosed_markup_check(html)
    open_tags: list[str] = []
    open_counts: dict[str, int] = {}
    elements = 0
    for match in _TAG.finditer(html):
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            if open_counts.get(name):
                while (popped := open_tags.pop()) != name:
                    open_counts[popped] -= 1
                open_counts[name] -= 1
            continue
        elements += 1
        if elements > max_tags:
            raise ExtractionError(f"page too complex: more than {max_tags} tags")
        if name not in VOID_TAGS and not attributes.endswith("/"):
            open_tags.append(name)
            open_counts[name] = open_counts.get(name, 0) + 1
            if len(open_tags) > max_depth:
                raise ExtractionError(f"page too complex: depth > {max_depth}")


def _unclosed_markup_check(html: str) -> None:
    """Refuse markup the parser would rescan again and again.

    html.parser looks for the end of each tag, comment or CDATA section from its "<"; when it
    is missing the search runs to the end of the page, once per "<" ("<a <a <a …" costs the
    square of the page). The sum of those distances is what the parser will scan; a real page
    stays near its own length.
    """
    budget, spent = 4 * len(html) + 100_000, 0
    for match in _MARKUP_START.finditer(html):
        end = html.find(_MARKUP_END.get(match.group(1), ">"), match.end())
        spent += (end if end >= 0 else len(html)) - match.start()
        if spent > budget:
            raise ExtractionError("page too complex: tags or comments left unclosed")


def _html_text(html: str, selector: str, deadline: Deadline) -> str:
    html_complexity_check(html)
    soup = BeautifulSoup(html, "html.parser")
    _check_deadline(deadline)
    if selector:
        try:
            roots = soup.select(selector)
        except soupsieve.SelectorSyntaxError as exc:
            raise ExtractionError(f"the CSS selector {selector!r} is invalid: {exc}") from None
        if not roots:
            raise ExtractionError(f"the CSS selector {selector!r} matched nothing")
    else:
        roots = [soup.body or soup]
    parts, earlier_ids = [], set()
    for root in roots:
        parts.append(
            "" if _inside_earlier_roots_chrome(root, earlier_ids) else _root_text(root, deadline)
        )
        earlier_ids.add(id(root))
    # In HTML every run of whitespace is one space; only block boundaries break lines.
    return "\n".join(re.sub(r"\s+", " ", part) for part in parts).replace(LINE_MARK, "\n")


def _root_text(root: Tag, deadline: Deadline) -> str:
    """The root's text without its chrome, with a LINE_MARK before and after each block.

    One pass over the tree, without recursion: a mark inserted into the tree costs a search of
    the parent's children, which made a page of many siblings quadratic.
    """
    text_types = root.interesting_string_types or Tag.MAIN_CONTENT_STRING_TYPES
    mark = LINE_MARK if NavigableString in text_types else ""
    parts: list[str] = []
    stack: list = list(reversed(root.contents))
    visited = 0
    while stack:
        visited += 1
        if visited % 4096 == 0:
            _check_deadline(deadline)
        node = stack.pop()
        if type(node) is str:  # a block's closing mark, pushed below
            parts.append(node)
        elif isinstance(node, NavigableString):
            if type(node) in text_types:
                parts.append(node)
        elif node.name not in CHROME_TAGS:
            if node.name in BLOCK_TAGS:
                parts.append(mark)
                stack.append(mark)
            stack.extend(reversed(node.contents))
    return "".join(parts)


def _inside_earlier_roots_chrome(root: Tag, earlier_ids: set[int]) -> bool:
    """Whether an earlier selected root (by id) holds this one inside its chrome (so it is
    dropped, as the earlier root's chrome is)."""
    in_chrome = root.name in CHROME_TAGS
    for parent in root.parents:
        if id(parent) in earlier_ids:
            return in_chrome
        in_chrome = in_chrome or parent.name in CHROME_TAGS
    return False


def _pdf_limits() -> dict:
    """pypdf's limits, tightened: how far one stream may expand, and the work it may cost."""
    expansion = settings.MONITORING_PDF_MAX_EXPANSION_BYTES
    return {
        "maximum_declared_stream_length": expansion,
        "array_based_stream_maximum_output_length": expansion,
        "zlib_maximum_output_length": expansion,
        "lzw_maximum_output_length": expansion,
        "run_length_maximum_output_length": expansion,
        "jbig2_maximum_output_length": expansion,
        "brotli_maximum_output_length": expansion,
        "image_maximum_buffer_size": expansion,
        "stream_decoding_work_maximum_length": 4 * expansion,
    }


def _pdf_text(body: bytes, deadline: Deadline) -> str:
    if not body.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in body[:1024]:
        raise ExtractionError(f"the response is not a PDF (it starts with {body[:16]!r})")
    max_pages, max_chars = settings.MONITORING_PDF_MAX_PAGES, settings.MONITORING_MAX_TEXT_CHARS
    expansion_mb = settings.MONITORING_PDF_MAX_EXPANSION_BYTES // (1024 * 1024)
    try:
        with pypdf.apply_configuration(**_pdf_limits()):
            reader = PdfReader(io.BytesIO(body))
            if reader.is_encrypted:
                reader.decrypt("")
            if len(reader.pages) > max_pages:
                raise ExtractionError(f"the PDF has {len(reader.pages)} pages, over {max_pages}")
            texts, size = [], 0
            for page in reader.pages:
                _check_deadline(deadline)
                texts.append(page.extract_text() or "")
                size += len(texts[-1])
                if size > max_chars:
                    raise ExtractionError(f"the PDF holds more than {max_chars} characters of text")
            return "\n".join(texts)
    except LimitReachedError as exc:
        raise ExtractionError(
            f"PDF expands beyond {expansion_mb} MB or its limits: {exc}"
        ) from None
    except (PdfReadError, ValueError, KeyError, TypeError, NotImplementedError) as exc:
        raise ExtractionError(f"the PDF cannot be read: {exc.__class__.__name__}: {exc}") from None


def _json_text(text: str, path: str) -> str:
    try:
        document = json.loads(text.removeprefix("\ufeff"))
        selected = json_select(document, path) if path else [document]
        if not selected:
            raise ExtractionError(f"the JSON path {path!r} matched nothing")
        return "\n".join(_json_lines(item) for item in selected)
    except json.JSONDecodeError as exc:
        raise NotJSON(f"the response is not JSON: {exc}") from None
    except RecursionError:
        raise ExtractionError("the JSON is nested too deeply") from None


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
    for pattern in [*VOLATILE_PATTERNS, *(_ignore_pattern(p) for p in ignore_patterns)]:
        text = pattern.sub(" ", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@functools.lru_cache(maxsize=256)  # RE2 keeps no cache of its own: compile once per pattern
def _ignore_pattern(pattern: str):
    try:
        return compile_linear(pattern)
    except PatternError as exc:  # saved before patterns were validated for RE2
        raise ExtractionError(f"the ignore pattern {pattern!r} cannot be used: {exc}") from None


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
