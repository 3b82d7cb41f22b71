"""Table: how much of the shipped corpus's API use the API catalogue resolves, per library.

Every resolved call of traces/cells.csv (`apis`: qualified names after import aliases, counted once
per cell) is looked up in coding/api_catalogue.csv; calls are grouped by their top-level module
(mapped to the catalogue's library names where the catalogue has them). Method names called on
values of unknown type (`.fit`) form their own row. The share resolved says how much of what
notebooks call gets a role and a stage from the catalogue rather than from generic rules.
"""

INPUTS = ["traces/cells.csv", "coding/api_catalogue.csv"]
OUTPUTS = ["figures/catalogue_coverage.csv", "figures/catalogue_coverage.md", "figures/catalogue_coverage.tex",
           "figures/variables/catalogue_coverage.json"]

from collections import Counter  # noqa: E402

import pandas as pd  # noqa: E402

from mliter.paths import TRACES  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.catalogue import Catalogue  # noqa: E402

MIN_CALLS = 20  # libraries with fewer calls are pooled as "other modules"


def main() -> None:
    cat = Catalogue.from_csv()
    top_to_library = {}
    for e in cat.entries:
        if not e.pattern.startswith("."):
            top_to_library.setdefault(e.pattern.split(".", 1)[0], e.library)
    cells = pd.read_csv(TRACES / "cells.csv", keep_default_na=False)
    total, hit = Counter(), Counter()
    for apis in cells.apis:
        for a in filter(None, apis.split(";")):
            if a.startswith("."):
                lib, ok = "methods of unknown values", cat.method(a[1:]) is not None
            elif "." not in a:
                lib, ok = "builtins", cat.call(a) is not None
            else:
                top = a.split(".", 1)[0]
                lib, ok = top_to_library.get(top, top), cat.call(a) is not None
            total[lib] += 1
            hit[lib] += ok
    rows = []
    pooled_n = pooled_hit = 0
    for lib, n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0])):
        if n < MIN_CALLS and lib not in top_to_library.values():
            pooled_n += n
            pooled_hit += hit[lib]
            continue
        rows.append({"library": lib, "in catalogue": lib in set(top_to_library.values()), "calls": n,
                     "resolved": hit[lib], "share resolved": hit[lib] / n})
    if pooled_n:
        rows.append({"library": "other modules", "in catalogue": False, "calls": pooled_n, "resolved": pooled_hit,
                     "share resolved": pooled_hit / pooled_n})
    table = pd.DataFrame(rows)
    write_table(table, "catalogue_coverage",
                "Calls of the shipped corpus (per cell, distinct) resolved by coding/api_catalogue.csv, per library.")
    n_all, h_all = sum(total.values()), sum(hit.values())
    write_fragment("catalogue_coverage", {"catalogueShareResolved": h_all / n_all if n_all else 0.0,
                                          "catalogueCalls": n_all})


if __name__ == "__main__":
    main()
