"""処分通知・証明書の PDF: a printable rendering of the signed document, never a second source.

Everything on the page comes from the signed payload; the JWS itself travels inside the PDF as
an embedded file (``notice.jws``), so whoever holds the PDF can have it verified: the verify
page takes the attachment out and checks its signature exactly as it checks a pasted document.

The font is embedded (Tsunagu Mincho, a JIS X 0213 subset of IPAex Mincho shipped in ``fonts/``),
so the document looks the same on every reader; dates are 和暦 throughout, and the lines the
layout already prints (the addressee, the issuer) are not repeated from the notice's text.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table

from tsunagu.core.types.wareki import format_wareki

ATTACHMENT_NAME = "notice.jws"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "TsunaguMincho.ttf"
MINCHO = "TsunaguMincho"
GOTHIC = MINCHO  # one embedded face: official notices are set in 明朝; headings differ by size
_ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
JST = ZoneInfo("Asia/Tokyo")
_STREAM = re.compile(rb"<<((?:(?!>>).){0,400}?)>>\s*stream\r?\n", re.S)
_LENGTH = re.compile(rb"/Length\s+(\d+)")
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")

pdfmetrics.registerFont(TTFont(MINCHO, str(FONT_FILE)))  # embedded as a subset in each PDF


def digest(token: str) -> str:
    """The SHA-256 of the signed document as issued (printed on the PDF, shown on verification)."""
    return hashlib.sha256(token.encode()).hexdigest()


def payload_of(token: str) -> dict[str, Any]:
    """The JSON inside a JWS as signed (the caller trusts it: it comes from our own records)."""
    part = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


def title_of(token: str, locale: str = "ja") -> str:
    """The document's title as signed, in ``locale`` (Japanese when it has no such title)."""
    title = payload_of(token).get("title") or {}
    return str(title.get(locale) or title.get("ja") or "")


def wareki_datetime(value: str) -> str:
    """An ISO timestamp as 令和8年11月22日 10時00分 (Japan time)."""
    moment = datetime.fromisoformat(value).astimezone(JST)
    return f"{format_wareki(moment.date())} {moment.hour}時{moment.minute:02d}分"


def _wareki_date(value: str) -> str:
    return format_wareki(date.fromisoformat(value))


def wareki_text(text: str) -> str:
    """A notice's text with every ISO day (2026-12-11) written in 和暦 (令和8年12月11日)."""

    def day(match: re.Match[str]) -> str:
        try:
            return format_wareki(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            return match[0]

    return _ISO_DAY.sub(day, text)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=MINCHO, fontSize=10.5, leading=17, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=GOTHIC, fontSize=16, leading=24, alignment=1),
        "right": ParagraphStyle("right", base, alignment=2),
        "small": ParagraphStyle("small", base, fontName=GOTHIC, fontSize=8, leading=11),
        "heading": ParagraphStyle("heading", base, fontName=GOTHIC, fontSize=11, leading=18),
    }


def _lines(text: str, style: ParagraphStyle, *, printed: tuple[str, ...] = ()) -> list[Paragraph]:
    """The text's lines in 和暦, without those the layout ``printed`` already (宛名, 発行者)."""
    seen = {" ".join(p.split()) for p in printed if p.strip()}
    lines = [line for line in wareki_text(text).splitlines() if " ".join(line.split()) not in seen]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return [Paragraph(escape(line) or "&nbsp;", style) for line in lines]


def _qr(url: str) -> Image:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=2)
    buffer.seek(0)
    return Image(buffer, width=28 * mm, height=28 * mm)


def _records(payload: dict[str, Any], styles: dict[str, ParagraphStyle]) -> list[Any]:
    """The people a certificate (住民票の写し) lists; a decision notice has none."""
    flow: list[Any] = []
    for record in payload.get("records") or []:
        rows = [
            ["氏名", f"{record.get('name', '')}（{record.get('name_kana', '')}）"],
            ["生年月日", _wareki_date(str(record["birth_date"])) if record.get("birth_date") else ""],
            ["住所", str(record.get("address", ""))],
        ]
        if record.get("relationship"):
            rows.append(["続柄", str(record["relationship"])])
        flow.append(
            Table(
                [[Paragraph(k, styles["small"]), Paragraph(escape(v), styles["body"])] for k, v in rows],
                colWidths=[28 * mm, 140 * mm],
                style=[
                    ("GRID", (0, 0), (-1, -1), 0.4, "#555555"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTNAME", (0, 0), (-1, -1), MINCHO),
                ],
            )
        )
        flow.append(Spacer(1, 3 * mm))
    return flow


def _story(token: str, verify_url: str) -> list[Any]:
    payload = payload_of(token)
    styles = _styles()
    title = payload.get("title") or {}
    addressee = payload.get("recipient_name") or ""
    issuer_name = str(payload.get("issuer_name") or "")
    issued = wareki_datetime(str(payload["issued_at"]))
    flow: list[Any] = [
        Paragraph(f"受付番号 {escape(str(payload.get('receipt_number', '')))}", styles["right"]),
        Paragraph(f"{escape(issued)}", styles["right"]),
        Spacer(1, 4 * mm),
        *([Paragraph(f"{escape(str(addressee))} 様", styles["heading"])] if addressee else []),
        Spacer(1, 6 * mm),
        Paragraph(escape(str(title.get("ja", payload.get("type", "")))), styles["title"]),
        Spacer(1, 6 * mm),
    ]
    body = payload.get("body") or {}
    flow += _lines(
        str(body.get("ja", "")),
        styles["body"],
        printed=(f"{addressee} 様", f"{addressee}様", str(addressee), issuer_name),
    )
    if payload.get("reason"):
        flow += [Spacer(1, 3 * mm), *_lines(f"理由: {payload['reason']}", styles["body"])]
    flow += _records(payload, styles)
    flow += [
        Spacer(1, 6 * mm),
        Paragraph(escape(issuer_name or str(payload.get("issuer", ""))), styles["right"]),
        Spacer(1, 10 * mm),
        _verification(payload, token, verify_url, styles),
    ]
    return flow


def _verification(payload: dict[str, Any], token: str, url: str, styles: dict[str, ParagraphStyle]) -> Table:
    text = [
        Paragraph("電子署名による検証", styles["heading"]),
        Paragraph(f"文書番号: {escape(str(payload.get('id', '')))}", styles["small"]),
        Paragraph(f"文書の指紋（SHA-256）: {digest(token)}", styles["small"]),
        Paragraph(f"検証ページ: {escape(url)}", styles["small"]),
        Paragraph(
            "この PDF には署名付き電子文書（JWS）が添付されています。検証ページにこの PDF を"
            "アップロードすると、発行機関の電子署名を確認できます。",
            styles["small"],
        ),
    ]
    return Table(
        [[text, _qr(url)]],
        colWidths=[138 * mm, 32 * mm],
        style=[
            ("BOX", (0, 0), (-1, -1), 0.6, "#333333"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), MINCHO),
        ],
    )


def _attach(canvas: Canvas, token: str) -> None:
    """The JWS as the PDF's embedded file (uncompressed, so it reads back byte for byte)."""
    document = canvas._doc
    stream = PDFStream(
        PDFDictionary({"Type": PDFName("EmbeddedFile")}),
        token.encode("ascii"),
        filters=[],
    )
    spec = PDFDictionary(
        {
            "Type": PDFName("Filespec"),
            "F": PDFString(ATTACHMENT_NAME),
            "UF": PDFString(ATTACHMENT_NAME),
            "Desc": PDFString("Signed document (JWS compact, RFC 7515)"),
            "AFRelationship": PDFName("Source"),
            "EF": PDFDictionary({"F": document.Reference(stream)}),
        }
    )
    names = PDFArray([PDFString(ATTACHMENT_NAME), document.Reference(spec)])
    document.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": names})})


def render(token: str, verify_url: str) -> bytes:
    """The PDF of a signed document (JWS compact) with its verification block and attachment."""
    payload = payload_of(token)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=str((payload.get("title") or {}).get("ja", payload.get("type", ""))),
        author=str(payload.get("issuer_name", "")),
        subject=str(payload.get("id", "")),
        lang="ja",
        # the page's default font is the embedded one (ReportLab's Helvetica would be named in every
        # page's resources without being embedded)
        initialFontName=MINCHO,
    )
    pdf.build(_story(token, verify_url), onFirstPage=lambda canvas, _doc: _attach(canvas, token))
    return buffer.getvalue()


def extract_document(pdf: bytes) -> str | None:
    """The signed document embedded in a PDF made here, or None when it carries none."""
    for match in _STREAM.finditer(pdf):
        length = _LENGTH.search(match.group(1))
        if b"/EmbeddedFile" not in match.group(1) or length is None:
            continue
        text = pdf[match.end() : match.end() + int(length.group(1))].decode("ascii", "replace").strip()
        return text if _JWS.fullmatch(text) else None
    return None
