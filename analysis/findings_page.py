"""Page: figures/index.html, every figure with its caption, n, intervals and owner, and the claims table.

The page is built from the generated manifest, captions and variables only (mliter.report.findings), so any
figure another script adds appears on it, and a claim whose numbers are not built yet says so.
"""

INPUTS = ["figures/MANIFEST.tsv", "figures/captions.json", "figures/variables_by_script.json"]
OUTPUTS = ["figures/index.html"]
CAPTIONS = {"index": "The findings page."}

from mliter.io import write_if_changed  # noqa: E402
from mliter.paths import FIGURES  # noqa: E402
from mliter.report.findings import render  # noqa: E402


def main() -> None:
    text = render(FIGURES / "MANIFEST.tsv", FIGURES / "captions.json", FIGURES / "variables_by_script.json")
    write_if_changed(FIGURES / "index.html", text.encode("utf-8"))


if __name__ == "__main__":
    main()
