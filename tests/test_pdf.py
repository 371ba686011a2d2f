"""app/pdf.py: the shared PDF renderer (A4, header, page numbers, Chinese font, SVG, byte-stable)."""
import io
from datetime import datetime

from pypdf import PdfReader

from app.pdf import css_string, page_counter, render_pdf

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head><body><main>
<h1>会议纪要：售后服务周例会</h1><p>回顾上次会议决议 Dec 8, 2026</p>
<svg viewBox="0 0 300 100" class="chart-svg"><polyline class="chart-line" points="10,80 100,30 290,10"></polyline>
<text class="chart-tick" x="10" y="10">一月</text></svg>
<img src="file:///etc/passwd" alt=""><img src="http://127.0.0.1:9/x.png" alt="">
</main></body></html>"""


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def test_a4_header_page_numbers_chinese_font_and_svg_text():
    data = render_pdf(PAGE, header='北京一店 "x" </style>', title="会议纪要", page_label="第 {page} 页，共 {pages} 页",
                      created=datetime(2026, 12, 1, 8, 30))
    pdf = read(data)
    page = pdf.pages[0]
    assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]  # A4 in points
    text = page.extract_text()
    assert "会议纪要：售后服务周例会" in text and "Dec 8, 2026" in text
    assert '北京一店 "x" </style>' in text  # the store's name as given, quotes and all
    assert "第 1 页，共 1 页" in text
    assert "一月" in text  # the SVG's text is drawn
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("Noto-Sans-CJK-SC" in name for name in fonts)
    assert pdf.metadata["/CreationDate"] == "D:20261201083000Z"
    assert pdf.metadata["/Title"] == "会议纪要"


def test_same_input_same_bytes_and_no_current_time():
    one = render_pdf(PAGE, header="S", title="T", created=datetime(2026, 1, 2, 3, 4, 5))
    two = render_pdf(PAGE, header="S", title="T", created=datetime(2026, 1, 2, 3, 4, 5))
    assert one == two
    assert render_pdf(PAGE, header="S", title="T", modified=datetime(2026, 1, 3)) != one
    assert "/CreationDate" not in read(render_pdf(PAGE)).metadata


def test_css_strings_cannot_be_escaped_from():
    assert css_string('a"b\\c;}') == '"a\\22 b\\5c c\\3b \\7d "'
    assert page_counter("{page} / {pages}") == 'counter(page) "\\20 \\2f \\20 " counter(pages)'
