"""Every shared REFI-QDA file round-trips; the schemas staged there are the pinned ones (codebook after the repair)."""

import pytest
import xmlschema

from mliter.coding.qda.files import qdc_text, qdpx_bytes, read_qdc, read_qdpx
from mliter.coding.qda.repair import HYPHEN, repair
from mliter.coding.qda.schemas import ORIGINAL_CODEBOOK_SHA256, PINNED, locate
from mliter.coding.qda.xml import read_codebook, schema_errors
from mliter.io import sha256_bytes

pytestmark = pytest.mark.integration
QDPX = ["enricllagostera__ponte/blank-atlas-project.qdpx", "enricllagostera__ponte/target-atlas-project.qdpx"]


def test_shared_schemas_are_the_pinned_ones_and_the_repair_gives_the_pinned_codebook_schema(shared):
    damaged = (shared / "qda/schemas/Codebook.xsd").read_bytes()
    assert sha256_bytes(damaged) == ORIGINAL_CODEBOOK_SHA256
    assert HYPHEN in damaged.decode("utf-8")  # the damage the repair undoes is really there
    repaired = repair(damaged.decode("utf-8"))
    assert sha256_bytes(repaired.encode("utf-8")) == PINNED["codebook"]
    assert repair(repaired) == repaired  # a folder may hold an already repaired copy
    assert sha256_bytes((shared / "qda/schemas/Project.xsd").read_bytes()) == PINNED["project"]
    assert locate("codebook", [("shared", shared / "qda/schemas")]).text == repaired
    # the repair of the shared damaged copy, compiled on its own, validates the shared codebook (but its <Sets/>)
    compiled = xmlschema.XMLSchema(repaired)
    qdc = (shared / "qda/aadorian__uto_tag/codebook.qdc").read_text(encoding="utf-8")
    assert [e.path for e in compiled.iter_errors(qdc)] == ["/CodeBook/Sets"]
    assert compiled.is_valid(qdc.replace("<Sets/>", "").replace("<Sets />", ""))


@pytest.mark.parametrize("name", QDPX)
def test_shared_projects_round_trip(shared, tmp_path, name):
    first = read_qdpx(shared / "qda" / name)
    (tmp_path / "x.qdpx").write_bytes(qdpx_bytes(first))
    again = read_qdpx(tmp_path / "x.qdpx")
    assert again == first
    assert [c.name for c, _ in again.all_codes()] == [c.name for c, _ in first.all_codes()]
    assert again.users == first.users and again.sources == first.sources


def test_shared_taguette_codebook_round_trips_and_its_one_deviation_is_reported(shared):
    path = shared / "qda/aadorian__uto_tag/codebook.qdc"
    book = read_qdc(path)
    assert [c.name for c in book.codes] == ["xsd:element name", "CodeBook", "Variables"]
    errors = schema_errors(path.read_text(encoding="utf-8"), "codebook")
    assert [e[0] for e in errors] == ["/CodeBook/Sets"]  # Taguette writes an empty <Sets/>; the schema needs a Set
    written = qdc_text(book)
    assert schema_errors(written, "codebook") == []
    assert read_codebook(written.encode(), "again.qdc") == book
    csv_tags = [line.split(",")[0] for line in (path.parent / "codebook.csv").read_text().splitlines()[1:]]
    assert csv_tags == [c.name for c in book.codes]
