"""Text of agreement documents: DOCX (python-docx: paragraphs and table cells in order)
and PDF with a text layer (pypdf). A scanned PDF without text is an error, not an empty
document."""

from __future__ import annotations

import io

DOCX_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF"


class DocumentError(ValueError):
    """The document's text cannot be read; the message says why."""


def extract_text(data: bytes, filename: str = "") -> str:
    name = filename.lower()
    if data.startswith(PDF_MAGIC) or name.endswith(".pdf"):
        return _pdf_text(data)
    if data.startswith(DOCX_MAGIC) or name.endswith(".docx"):
        return _docx_text(data)
    raise DocumentError(f"{filename or 'the document'} is neither DOCX nor PDF")


def _docx_text(data: bytes) -> str:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a broken file
        raise DocumentError("the DOCX file cannot be opened") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                lines.append(" | ".join(cells))
    return "\n".join(lines).strip()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError):
        raise DocumentError("the PDF file cannot be read") from None
    text = "\n".join(pages).strip()
    if not text:
        raise DocumentError("the PDF has no text layer (a scanned image?): its text cannot "
                            "be read")
    return text
