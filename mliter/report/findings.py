"""The findings page, `figures/index.html`: every figure with its caption, n, intervals and owner, and the claims.

Everything on the page comes from three generated files: `figures/MANIFEST.tsv` (every output and the script that
owns it), `figures/captions.json` (each script's caption templates) and `figures/variables_by_script.json` (each
script's numbers). A figure added by any script appears without touching this module; a claim whose numbers are
not built yet says so (`mliter.report.claims`). The HTML is plain, self-contained (no script, no external
resource) and deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from mliter import __version__
from mliter.report import claims as cl
from mliter.report.captions import fill

IMAGE_EXT = (".png", ".svg")
LINK_EXT = (".pdf", ".csv", ".md", ".tex", ".png", ".svg", ".json")
SKIP_OWNERS = ("mliter/report/variables.py", "mliter/report/dag.py")

CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ddd;padding:.25em .5em;vertical-align:top;
text-align:left}th{background:#f4f4f4}figure{margin:1em 0 2.5em}img{max-width:100%;border:1px solid #eee}
figcaption{margin:.3em 0}.owner,.files{font-size:.85em;color:#555}.nums td:last-child{font-variant-numeric:tabular-nums}
.reproduced{background:#e6f4ea}.contradicted{background:#fde7e7}.not{background:#f3f3f3}code{font-size:.9em}"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _num(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def read_manifest(path: Path) -> dict[str, list[str]]:
    """script -> its outputs, in manifest order."""
    owners: dict[str, list[str]] = defaultdict(list)
    for line in Path(path).read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            output, script = line.split("\t")
            owners[script].append(output)
    return dict(owners)


def numbers(values: dict[str, Any]) -> list[tuple[str, str]]:
    """A script's variables as (name, shown): `xLow`/`xHigh` folded into `x` as an interval; n's first."""
    rows = []
    for k in sorted(values, key=lambda k: (not (k.startswith("n") and k[1:2].isupper()), k)):
        if k.endswith(("Low", "High")) and (k[:-3] in values or k[:-4] in values):
            continue
        shown = _num(values[k])
        if f"{k}Low" in values and f"{k}High" in values:
            shown += f" [{_num(values[k + 'Low'])}, {_num(values[k + 'High'])}]"
        rows.append((k, shown))
    return rows


def _figure_section(script: str, outputs: list[str], captions: dict[str, Any], values: dict[str, Any],
                    merged: dict[str, Any]) -> str:
    files = [Path(o).relative_to("figures").as_posix() for o in outputs
             if o.startswith("figures/") and not o.startswith("figures/variables/") and o.endswith(LINK_EXT)]
    stems = list(dict.fromkeys(Path(f).stem for f in files))
    entry = captions.get(script, {"declared": False, "captions": {}})
    anchor = Path(script).stem
    out = [f'<section id="{_e(anchor)}"><h3>{_e(anchor)}</h3>',
           f'<p class="owner">owned by <code>{_e(script)}</code>'
           + ("" if entry.get("declared") else " (no CAPTIONS declared: the script's docstring is shown)") + "</p>"]
    for stem in stems:
        template = entry["captions"].get(stem, "")
        text = fill(template, merged) if template else "(no caption)"
        images = [f for f in files if Path(f).stem == stem and f.endswith(IMAGE_EXT)]
        links = [f for f in files if Path(f).stem == stem]
        out.append("<figure>")
        for img in images:
            out.append(f'<img src="{_e(img)}" alt="{_e(text)}" loading="eager">')
        out.append(f"<figcaption><b>{_e(stem)}.</b> {_e(text)}</figcaption>")
        out.append('<p class="files">' + " · ".join(f'<a href="{_e(f)}">{_e(Path(f).suffix[1:])}</a>'
                                                     for f in links) + "</p>")
        out.append("</figure>")
    rows = numbers(values)
    if rows:
        out.append('<table class="nums"><tr><th>number (figures/variables.json)</th><th>value [95% interval]</th>'
                   "</tr>" + "".join(f"<tr><td><code>{_e(k)}</code></td><td>{_e(v)}</td></tr>" for k, v in rows)
                   + "</table>")
    out.append("</section>")
    return "\n".join(out)


def _claims_section(merged: dict[str, Any], figure_anchors: set[str]) -> str:
    studies = {s.key: s for s in cl.STUDIES}
    parts = []
    for kind, title in (("original", "Claims of the original studies"),
                        ("peer", "Peer studies of notebook execution order")):
        rows = []
        for c in cl.CLAIMS:
            study = studies[c.study]
            if study.kind != kind:
                continue
            status, reason = cl.judge(c, merged)
            ours = fill(c.ours, merged) if c.ours and status != cl.NOT_YET_BUILT else "—"
            css = status.split()[0] if status in (cl.REPRODUCED, cl.CONTRADICTED) else "not"
            fig = (f' (<a href="#{_e(c.figure)}">{_e(c.figure)}</a>)' if c.figure in figure_anchors else "")
            rows.append(f'<tr class="{css}"><td><a href="{_e(study.url)}">{_e(c.study)}</a></td><td>{_e(c.claim)}</td>'
                        f"<td>{_e(c.paper)}</td><td>{_e(ours)}{fig}</td><td><b>{_e(status)}</b></td>"
                        f"<td>{_e(reason)}</td></tr>")
        parts.append(f"<h2 id=\"{kind}-claims\">{_e(title)}</h2>\n<table><tr><th>study</th><th>claim</th>"
                     "<th>the paper</th><th>ours</th><th>status</th><th>reason</th></tr>\n" + "\n".join(rows)
                     + "\n</table>")
    refs = "".join(f'<li id="ref-{_e(s.key)}"><b>{_e(s.key)}</b>: {_e(s.cite)} <a href="{_e(s.url)}">{_e(s.url)}</a>'
                   "</li>" for s in cl.STUDIES)
    parts.append(f"<h2 id=\"references\">References</h2><ul>{refs}</ul>")
    return "\n".join(parts)


def render(manifest: Path, captions: Path, variables_by_script: Path) -> str:
    owners = read_manifest(manifest)
    caps = json.loads(Path(captions).read_text(encoding="utf-8"))
    by_script = json.loads(Path(variables_by_script).read_text(encoding="utf-8"))
    merged = {k: v for values in by_script.values() for k, v in values.items()}
    page_script = next((s for s, outs in owners.items() if "figures/index.html" in outs), "")
    scripts = [s for s in owners if s not in SKIP_OWNERS and s != page_script]
    anchors = {Path(s).stem for s in scripts}
    toc = "".join(f'<li><a href="#{_e(Path(s).stem)}">{_e(Path(s).stem)}</a></li>' for s in scripts)
    body = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>mliter {_e(__version__)}: findings</title><style>{CSS}</style></head><body>",
        f"<h1>mliter {_e(__version__)}: what this package finds, beside the original papers</h1>",
        "<p>Generated by <code>make figures</code> from <code>figures/MANIFEST.tsv</code>, "
        "<code>figures/captions.json</code> and <code>figures/variables_by_script.json</code>; do not edit. "
        "Every number is in <code>figures/variables.json</code>; every figure names the script that owns it.</p>",
        '<nav><a href="#original-claims">claims</a> · <a href="#peer-claims">execution order</a> · '
        '<a href="#figures">figures</a> · <a href="#references">references</a></nav>',
        _claims_section(merged, anchors),
        f'<h2 id="figures">Figures and tables</h2><ul>{toc}</ul>',
        *(_figure_section(s, owners[s], caps, by_script.get(s, {}), merged) for s in scripts),
        "</body></html>",
    ]
    return "\n".join(body) + "\n"
