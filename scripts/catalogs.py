"""Keep the fi/sv/en translation catalogs complete.

    python scripts/catalogs.py update          extract msgids (babel.cfg) and merge them into
                                               every catalog (obsolete entries dropped)
    python scripts/catalogs.py missing fi      print untranslated entries of a catalog as JSON
                                               [{"id": ..., "plural": ..., "context": ...}]
    python scripts/catalogs.py apply fi F.json set translations from a JSON list of
                                               {"id", "context", "str"} ("str" is a list for
                                               plural entries)
    python scripts/catalogs.py fill-en         English msgids are the English text: copy them

Then `scripts/compile_translations.sh`; tests/test_i18n.py fails on any gap.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "portal" / "translations"
LOCALES = ("fi", "sv", "en")


def _path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _read(locale: str) -> Catalog:
    with open(_path(locale), "rb") as fh:
        return read_po(fh, locale=locale)


def _write(catalog: Catalog, locale: str) -> None:
    with open(_path(locale), "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, no_location=True,
                 sort_output=True, ignore_obsolete=True)


def extract() -> Catalog:
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(project="tym-portal", version="0.1")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def update() -> None:
    template = extract()
    for locale in LOCALES:
        catalog = _read(locale)
        catalog.update(template, no_fuzzy_matching=True)
        _write(catalog, locale)
        print(f"{locale}: {len([m for m in catalog if m.id])} messages, "
              f"{len(_missing(catalog))} untranslated")


def _untranslated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return not all(message.string)
    return not message.string


def _missing(catalog: Catalog) -> list:
    return [m for m in catalog if m.id and (_untranslated(m) or m.fuzzy)]


def missing(locale: str) -> None:
    out = []
    for m in _missing(_read(locale)):
        ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
        out.append({"id": ids[0], "plural": ids[1] if len(ids) > 1 else None,
                    "context": m.context})
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")


def apply(locale: str, path: str) -> None:
    catalog = _read(locale)
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    applied = 0
    for entry in entries:
        message = None
        for m in catalog:
            ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
            if ids and ids[0] == entry["id"] and m.context == entry.get("context"):
                message = m
                break
        if message is None:
            print(f"not in catalog: {entry['id']!r}", file=sys.stderr)
            continue
        value = entry["str"]
        message.string = tuple(value) if isinstance(value, list) else value
        message.flags.discard("fuzzy")
        applied += 1
    _write(catalog, locale)
    print(f"{locale}: {applied} translations applied, {len(_missing(catalog))} still missing")


def fill_en() -> None:
    catalog = _read("en")
    for m in _missing(catalog):
        m.string = tuple(m.id) if isinstance(m.id, tuple | list) else m.id
        m.flags.discard("fuzzy")
    _write(catalog, "en")
    print("en: complete")


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
    elif argv[:1] == ["missing"] and len(argv) == 2:
        missing(argv[1])
    elif argv[:1] == ["apply"] and len(argv) == 3:
        apply(argv[1], argv[2])
    elif argv[:1] == ["fill-en"]:
        fill_en()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
