import pytest

from tests.factories import make_jurisdiction
from tracker.monitoring.models import Source, SourceKind


@pytest.fixture(autouse=True)
def _quick_politeness(settings):
    """Politeness stays on (one request per host at a time) but without the 2 s spacing,
    which the politeness tests set themselves; every test server is the same host."""
    settings.MONITORING_HOST_SPACING_SECONDS = 0
    settings.MONITORING_HOST_WAIT_SECONDS = 10


@pytest.fixture
def make_source(db):
    def make(url: str, *, kind: str = SourceKind.HTML, code: str = "US-TX", **fields) -> Source:
        from jurisdictions.models import Jurisdiction

        jurisdiction = Jurisdiction.objects.filter(code=code).first() or make_jurisdiction(code)
        source = Source(jurisdiction=jurisdiction, url=url, kind=kind, **fields)
        source.full_clean()
        source.save()
        return source

    return make


def page(*paragraphs: str, extra: str = "") -> str:
    """A small official-looking HTML page with chrome around its text."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html><head><title>Code</title><script>var t = Date.now();</script></head><body>"
        "<nav>Home | Laws</nav><header>State Legislature</header>"
        f'<main id="law">{body}</main>{extra}<footer>Contact us</footer></body></html>'
    )


STATUTE = [
    "Section 1. Definitions. In this chapter, the following terms apply.",
    "Section 2. A retailer may not sell a product to a person under 21 years of age.",
    "Section 3. Each product shall bear a label listing its ingredients and the name of "
    "its manufacturer, and shall be tested by an accredited laboratory before sale.",
    "Section 4. A violation of this chapter is a misdemeanor punishable by a fine.",
]


def make_pdf(lines: list[str], *, title: str = "Notice", producer: str = "Writer 1.0") -> bytes:
    """A minimal valid one-page PDF with a text layer and an Info dictionary."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(f"({escape(x)}) Tj T*" for x in lines)
    content += " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        f"<< /Title ({escape(title)}) /Producer ({escape(producer)}) >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return out
