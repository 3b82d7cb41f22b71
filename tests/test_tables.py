"""Table declarations (mliter.tables): a shared column reused as a table's key keeps its meaning."""

from mliter.tables import Column


def test_as_key_makes_the_same_column_required_and_unique():
    nid = Column("notebook_id", "string", "Notebook id.", required=False, minimum=None)
    key = nid.as_key()
    assert key.field() == {"name": "notebook_id", "type": "string", "description": "Notebook id.",
                           "constraints": {"required": True, "unique": True}}
    assert nid.field() == {"name": "notebook_id", "type": "string", "description": "Notebook id."}  # unchanged
