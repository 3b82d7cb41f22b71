"""Every shared REFI-QDA file round-trips; the repaired codebook schema is exactly the repair of the damaged copy."""

import pytest

from mliter.coding.qda.files import qdc_text, qdpx_bytes, read_qdc, read_qdpx
from mliter.coding.qda.repair import repair
from mliter.coding.qda.xml import SCHEMAS, read_codebook, schema_errors

pytestmark = pytest.mark.integration
QDPX = ["enricllagostera__ponte/blank-atlas-project.qdpx", "enricllagostera__ponte/target-atlas-project.qdpx"]


def test_shipped_schemas_derive_from_the_shared_copies(shared):
    damaged = (shared / "qda/schemas/Codebook.xsd").read_text(encoding="utf-8")
    assert "\u2010" in damaged  # the damage the repair undoes is really there
    assert (SCHEMAS / "Codebook.xsd").read_text(encoding="utf-8") == repair(damaged)
    assert (SCHEMAS / "Project.xsd").read_bytes() == (shared / "qda/schemas/Project.xsd").read_bytes()


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
