"""PDF documents rendered on the server with WeasyPrint: the minutes, the monthly and year-end reviews.

`render_pdf(html, header=..., created=..., ...)` turns a full HTML page (a template extending
`pdf_base.html`) into the bytes of a PDF:

- A4, margins, the running header (the store's name on the left, the document's title on the right,
  both passed in) and page numbers at the foot ("{page} / {pages}" unless another `page_label` is given).
- Type: "Noto Sans CJK SC" named explicitly (Debian's fonts-noto-cjk, embedded as subsets); the
  generic families fall back to the Japanese variant for Chinese characters. No hyphenation and no
  breaking inside a word: lines break between words (and between Chinese characters, as Chinese
  is set); short cells (names, dates, statuses) do not break at all (`.col-short`, `.nowrap`).
- The stylesheet is this module's PRINT_CSS (not app.css, whose screen layout WeasyPrint would only
  half follow), then whatever the caller adds (`stylesheets`).
- Inline SVG charts (`templates/_chart.html`) are drawn: WeasyPrint draws an inline SVG as an image,
  which the page's stylesheets do not reach, so each `<svg>` gets the chart styles inside it.
- Byte-stable: the same HTML and the same `created`/`modified` times give the same bytes. Nothing
  depends on the current time: the dates in the PDF's metadata are the ones passed in (none if
  none), and the file identifier is derived from the content.
- Speed (issue 16: the minutes of a meeting with 40 review rows in under a second): each thread keeps
  its WeasyPrint font configuration and the parsed PRINT_CSS between documents, the garbage collector
  pauses while one document is made, and the minutes use one weight of the font (one CJK font to
  subset and embed instead of two).
- Nothing is fetched from the network or the disk but the app's static files and `data:` URLs
  (the fetcher refuses the rest), so no text in a document can make the server read a file or a URL.
"""
import gc
import hashlib
import logging
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

STATIC = Path(__file__).parent / "static"
# WeasyPrint warns about every CSS property and resource it leaves out; only its errors are news.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans", sans-serif'

# The print stylesheet shared by every PDF; the running header and footer are added per document.
PRINT_CSS = f"""
@page {{
  size: A4;
  margin: 20mm 15mm 18mm 15mm;
  @top-left {{ font-family: {FONT_FAMILY}; font-size: 8.5pt; color: #555;
              vertical-align: bottom; padding-bottom: 3mm; }}
  @top-right {{ font-family: {FONT_FAMILY}; font-size: 8.5pt; color: #555;
               vertical-align: bottom; padding-bottom: 3mm; }}
  @bottom-center {{ font-family: {FONT_FAMILY}; font-size: 8.5pt; color: #555; }}
}}
html {{ font-family: {FONT_FAMILY}; font-size: 10.5pt; line-height: 1.45; color: #111; background: #fff; }}
body {{ margin: 0; }}
main {{ max-width: none; padding: 0; margin: 0; }}
h1, h2, h3, p, li, td, th, div, span, figcaption {{ font-family: {FONT_FAMILY}; }}
* {{ hyphens: manual; overflow-wrap: normal; word-break: normal; }}
.col-short, .nowrap, th {{ white-space: nowrap; }}
h1 {{ font-size: 16pt; text-align: center; margin: 0 0 8pt; }}
h2 {{ font-size: 12.5pt; margin: 10pt 0 4pt; page-break-after: avoid; break-after: avoid; }}
h3 {{ font-size: 11pt; margin: 8pt 0 3pt; page-break-after: avoid; break-after: avoid; }}
table {{ border-collapse: collapse; }}
.print-table, .kv {{ width: 100%; }}
.print-table th, .print-table td, .kv th, .kv td {{ border: 0.75pt solid #666; padding: 2.5pt 4pt;
  font-size: 9.5pt; vertical-align: top; text-align: left; }}
.print-table thead th, .kv th {{ background: #f0f2f5; }}
.print-table thead {{ display: table-header-group; }}
.print-table tr {{ page-break-inside: avoid; break-inside: avoid; }}
.note, .meta, .muted {{ color: #444; font-size: 9pt; }}
.prewrap {{ white-space: pre-wrap; }}
.chart {{ break-inside: avoid; page-break-inside: avoid; border: 0.75pt solid #ccc; padding: 4pt 6pt; margin: 0 0 8pt; }}
.chart-svg {{ width: 100%; height: auto; display: block; }}
a {{ color: inherit; text-decoration: none; }}
.flash {{ border: 0.75pt solid #a15c00; color: #a15c00; padding: 3pt 6pt; margin: 0 0 6pt; }}
/* The minutes (meetings/_minutes_doc.html). Fixed table layout with set column widths: the automatic
   layout measures every cell's shortest and longest line first, which for Chinese text (a break
   opportunity at every character) was half the rendering time of a long review. */
.minutes-doc .print-table, .minutes-doc .kv {{ table-layout: fixed; }}
/* The widths include the cells' padding and borders, so that the columns add up to the page's width. */
.minutes-doc .print-table th, .minutes-doc .print-table td, .minutes-doc .kv th, .minutes-doc .kv td {{ box-sizing: border-box; }}
.minutes-doc .kv th {{ width: 13%; }} .minutes-doc .kv td {{ width: 37%; }}
.minutes-doc .review-print th:nth-child(1) {{ width: 29%; }} .minutes-doc .review-print th:nth-child(2) {{ width: 13%; }}
.minutes-doc .review-print th:nth-child(3) {{ width: 16%; }} .minutes-doc .review-print th:nth-child(4) {{ width: 11%; }}
.minutes-doc .review-print th:nth-child(5) {{ width: 31%; }}
.minutes-doc .actions-print th:nth-child(1) {{ width: 6%; }} .minutes-doc .actions-print th:nth-child(2) {{ width: 50%; }}
.minutes-doc .actions-print th:nth-child(3) {{ width: 15%; }} .minutes-doc .actions-print th:nth-child(4) {{ width: 17%; }}
.minutes-doc .actions-print th:nth-child(5) {{ width: 12%; }}
.minutes-doc .sign-sheet th:nth-child(1) {{ width: 6%; }} .minutes-doc .sign-sheet th:nth-child(2) {{ width: 18%; }}
.minutes-doc .sign-sheet th:nth-child(3) {{ width: 18%; }} .minutes-doc .sign-sheet th:nth-child(4) {{ width: 14%; }}
.minutes-doc .sign-sheet th:nth-child(5) {{ width: 44%; }}
/* Names and statuses may wrap between words in their narrow columns, never inside one. */
.minutes-doc td.col-short, .minutes-doc th {{ white-space: normal; }}
.minutes-doc .nowrap, .minutes-doc .date {{ white-space: nowrap; }}
.sign-sheet td {{ height: 2.75em; }}
/* One weight in the minutes: a bold face is a second CJK font to subset, compress and embed (it was
   almost half the file). Headings stand out by their size and rule, table headings by their shading. */
.minutes-pdf h1, .minutes-pdf h2, .minutes-pdf h3, .minutes-pdf th, .minutes-pdf strong, .minutes-pdf b,
.minutes-pdf .decision-no, .minutes-pdf .sign-role {{ font-weight: 400; }}
.minutes-pdf h1, .minutes-pdf h2, .minutes-pdf h3 {{ color: #000; }}
.minutes-pdf h2 {{ border-bottom: 0.75pt solid #999; padding-bottom: 1pt; }}
.minutes-pdf .kv th, .minutes-pdf .print-table thead th {{ color: #333; }}
.minutes-item {{ margin: 0 0 4pt; }}
.decisions {{ padding-left: 1.4em; margin: 0; }} .decision-no {{ white-space: nowrap; }}
.signatures {{ display: flex; gap: 0 12mm; margin-top: 10pt; break-inside: avoid; page-break-inside: avoid; }}
.signature {{ flex: 1 1 0; }}
.signature p {{ margin: 0; }}
.sign-role {{ white-space: nowrap; }}
.sign-line {{ border-bottom: 0.75pt solid #333; color: #555; font-size: 8.5pt; padding-top: 18pt; white-space: nowrap; }}
.sign-sheet {{ break-inside: avoid; page-break-inside: avoid; }}
.no-print, .topbar, .skip-link, #flashes {{ display: none !important; }}
"""

# Inside each inline SVG (module docstring): the chart classes of templates/_chart.html, in plain colours.
SVG_CSS = (
    "<style>"
    ".chart-grid{stroke:#e6e9ee;stroke-width:1}.chart-axis{stroke:#9aa6b4;stroke-width:1}"
    f".chart-tick{{font-size:10px;fill:#5b6675;font-family:{FONT_FAMILY}}}"
    ".chart-band{fill:#17803d;fill-opacity:.12}.chart-target{stroke:#17803d;stroke-width:1.5}"
    ".chart-line{fill:none;stroke:#0b5cab;stroke-width:2;stroke-linejoin:round}"
    ".chart-point{fill:#fff;stroke:#0b5cab;stroke-width:2}"
    "</style>"
)
_SVG_OPEN = re.compile(r"(<svg\b[^>]*>)")


def css_string(text: str) -> str:
    """`text` as a CSS string literal that nothing in it can end: every character but letters and
    digits as a hex escape (the space after each ends the escape and is not part of the text)."""
    return '"' + "".join(ch if ch.isalnum() else f"\\{ord(ch):x} " for ch in str(text)) + '"'


def page_counter(label: str) -> str:
    """The CSS `content` for a page label such as "{page} / {pages}" or "第 {page} 页，共 {pages} 页"."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", label):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts) or '""'


def _pdf_date(moment: datetime | None) -> str | None:
    """A W3C date for the PDF's metadata, in UTC (naive datetimes are taken as UTC, as stored)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _static_only_fetcher():
    """A WeasyPrint URL fetcher for the app's static files and data: URLs only (module docstring);
    anything else is refused, and WeasyPrint leaves that resource out."""
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if not (path.is_relative_to(STATIC.resolve()) and path.is_file()):
                    raise ValueError(f"not fetched for a PDF: {url[:80]}")
            elif not url.startswith("data:"):
                raise ValueError(f"not fetched for a PDF: {url[:80]}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols=("file", "data"), allow_redirects=False)


_cache = threading.local()


def _fonts_and_print_css():
    """This thread's WeasyPrint font configuration and PRINT_CSS parsed with it, made on its first PDF and
    kept: a fresh configuration opens and measures the fonts again, PRINT_CSS is the same for every
    document, and neither changes the bytes. Per thread, as Pango's font map is not thread-safe."""
    if getattr(_cache, "fonts", None) is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _cache.fonts = FontConfiguration()
        _cache.print_css = CSS(string=PRINT_CSS, font_config=_cache.fonts)
    return _cache.fonts, _cache.print_css


def render_pdf(html: str, *, base_url: str | None = None, header: str = "", title: str = "",
               page_label: str = "{page} / {pages}", created: datetime | None = None,
               modified: datetime | None = None, author: str = "", lang: str | None = None,
               stylesheets: tuple[str, ...] = ()) -> bytes:
    """The PDF of `html` (module docstring). `header`: the running header's left side (the store's
    name); `title`: its right side and the PDF's title (else the page's <title>); `created` and
    `modified`: the metadata dates (for byte-stable archives pass stored times, never now);
    `stylesheets`: more CSS, as text, after the shared one; `base_url`: where relative URLs point
    (by default the static folder)."""
    # Imported here, not with the module: the app starts (and serves everything but PDFs) on a
    # machine without pango, and a process that never renders a PDF never loads WeasyPrint.
    from weasyprint import CSS, HTML

    fonts, print_css = _fonts_and_print_css()
    header_css = ("@page { @top-left { content: %s; } @top-right { content: %s; } @bottom-center { content: %s; } }"
                  % (css_string(header), css_string(title), page_counter(page_label)))
    sheets = [print_css, CSS(string=header_css, font_config=fonts)]
    sheets += [CSS(string=text, font_config=fonts) for text in stylesheets]
    html = _SVG_OPEN.sub(lambda m: m.group(1) + SVG_CSS, html)
    # WeasyPrint makes hundreds of thousands of objects that live until the document is written; the
    # collector would walk them again and again to free nothing. Paused for one document, then resumed.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = HTML(string=html, base_url=base_url or STATIC.resolve().as_uri() + "/", url_fetcher=_static_only_fetcher(),
                        media_type="print").render(stylesheets=sheets, font_config=fonts)
        meta = document.metadata
        meta.created, meta.modified = _pdf_date(created), _pdf_date(modified)
        if title:
            meta.title = title
        if author:
            meta.authors = [author]
        if lang:
            meta.lang = lang
        meta.generator = "Pitwall"
        identifier = hashlib.sha256(html.encode() + header_css.encode()
                                    + str((meta.created, meta.modified, title, author)).encode()).hexdigest()[:32]
        return document.write_pdf(pdf_identifier=identifier.encode())
    finally:
        if collecting:
            gc.enable()
