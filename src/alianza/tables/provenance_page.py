"""reports/provenance.json as an HTML page of the report: what a reviewer checks a reproduction with."""
from __future__ import annotations

import html

import yaml

from ..i18n import t
from .writers import HTML_STYLE

KEYS = ("title", "created", "python", "platform", "packages", "package", "version", "seeds", "inputs", "file",
        "bytes", "config", "source")

def _table(headers, rows) -> str:
    head = "".join(f'<th class="l">{html.escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="l">{html.escape(str(c))}</td>' for c in r) + "</tr>" for r in rows)
    return f'<table class="apa"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def provenance_html(record: dict, lang: str = "en", *, source: str = "reports/provenance.json") -> str:
    w = {k: t(f"provpage.{k}", lang) for k in KEYS}
    parts = [f"<h1>{w['title']}</h1>",
             "<p>" + "<br>".join(f"<b>{w[k]}:</b> {html.escape(str(record.get(k, '')))}"
                                 for k in ("created", "python", "platform")) + "</p>",
             f"<h2>{w['packages']}</h2>",
             _table([w["package"], w["version"]], sorted((record.get("packages") or {}).items())),
             f"<h2>{w['seeds']}</h2>",
             _table(["", ""], sorted((record.get("seeds") or {}).items())),
             f"<h2>{w['inputs']}</h2>",
             _table([w["file"], "SHA-256", w["bytes"]],
                    [(p, v.get("sha256", ""), v.get("bytes", "")) for p, v in (record.get("inputs") or {}).items()]),
             f"<h2>{w['config']}</h2>",
             "<pre>" + html.escape(yaml.safe_dump(record.get("config") or {}, allow_unicode=True, sort_keys=False))
             + "</pre>",
             f"<p><b>{w['source']}:</b> {html.escape(str(source))}</p>"]
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{w["title"]}</title>\n'
            f"<style>{HTML_STYLE} td, th {{ font-family: monospace; font-size: 10pt; }}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")
