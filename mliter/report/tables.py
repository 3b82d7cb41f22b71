"""Write one result table as CSV, Markdown and LaTeX from the same data frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mliter.io import write_if_changed
from mliter.paths import FIGURES


def _latex_escape(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"),
                 ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("~", r"\textasciitilde{}"), ("^", r"\^{}")):
        text = text.replace(a, b)
    return text


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def to_markdown(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_fmt(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


def to_latex(df: pd.DataFrame, caption: str, label: str) -> str:
    align = "".join("r" if pd.api.types.is_numeric_dtype(df[c]) else "l" for c in df.columns)
    out = [r"\begin{table}[t]", r"\centering", rf"\caption{{{_latex_escape(caption)}}}", rf"\label{{{label}}}",
           rf"\begin{{tabular}}{{{align}}}", r"\toprule",
           " & ".join(_latex_escape(str(c)) for c in df.columns) + r" \\", r"\midrule"]
    for row in df.itertuples(index=False):
        out.append(" & ".join(_latex_escape(_fmt(v)) for v in row) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(out) + "\n"


def write_table(df: pd.DataFrame, stem: str, caption: str, folder: Path = FIGURES) -> list[Path]:
    """`<stem>.csv`, `<stem>.md`, `<stem>.tex`; written only when the bytes change."""
    folder = Path(folder)
    outputs = {
        "csv": df.to_csv(index=False, lineterminator="\n", float_format="%.6g"),
        "md": f"<!-- {caption} -->\n" + to_markdown(df),
        "tex": to_latex(df, caption, f"tab:{stem}"),
    }
    paths = []
    for ext, text in outputs.items():
        p = folder / f"{stem}.{ext}"
        write_if_changed(p, text.encode("utf-8"))
        paths.append(p)
    return paths
