"""Shipped tables as declared data: columns, types, meanings, keys.

Every table the project ships is declared once as a `Table`; the same declaration
orders and sorts the CSV when it is written, documents it in `datapackage.json`
(Frictionless Table Schema) and checks it in the tests. A stage adds its tables by
listing them in a module named in `mliter.datapackage.SCHEMA_MODULES`.
"""

from __future__ import annotations

from mliter.errors import InputError
import io
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from mliter.io import atomic_write_bytes


@dataclass(frozen=True)
class Column:
    """One column: Frictionless type (string, integer, number, boolean, date, datetime)."""

    name: str
    type: str
    description: str
    unit: str | None = None
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | int | None = None
    maximum: float | int | None = None

    def as_key(self) -> Column:
        """The same column as the one-column primary key of a table: required and unique."""
        return replace(self, required=True, unique=True)

    def field(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.unit:
            out["unit"] = self.unit
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A shipped CSV table: `path` is relative to the repository root."""

    name: str
    path: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def resource(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"fields": [c.field() for c in self.columns], "missingValues": [""]}
        if self.primary_key:  # a table whose rows may repeat on every column subset declares none
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(fk.fields), "reference": {"resource": fk.resource, "fields": list(fk.reference_fields)}}
                for fk in self.foreign_keys
            ]
        return {
            "name": self.name,
            "path": self.path,
            "title": self.title,
            "description": self.description,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }

    def conform(self, df: pd.DataFrame) -> pd.DataFrame:
        """Columns in declared order, rows sorted by primary key; error names what is missing."""
        missing = [c for c in self.column_names if c not in df.columns]
        extra = [c for c in df.columns if c not in self.column_names]
        if missing or extra:
            raise InputError(f"table {self.name}: missing columns {missing}, undeclared columns {extra}")
        out = df[self.column_names]
        if len(out):
            order = list(self.primary_key) or self.column_names
            out = out.sort_values(order, kind="mergesort").reset_index(drop=True)
        return out

    def to_csv_bytes(self, df: pd.DataFrame) -> bytes:
        buf = io.StringIO()
        self.conform(df).to_csv(buf, index=False, lineterminator="\n", float_format="%.6g")
        return buf.getvalue().encode("utf-8")

    def write(self, df: pd.DataFrame, root: Path, parquet: bool = False) -> Path:
        """Write the table under `root` atomically (CSV; parquet beside it on request)."""
        target = Path(root) / self.path
        atomic_write_bytes(target, self.to_csv_bytes(df))
        if parquet:
            pbuf = io.BytesIO()
            self.conform(df).to_parquet(pbuf, index=False)
            atomic_write_bytes(target.with_suffix(".parquet"), pbuf.getvalue())
        return target

    def read(self, root: Path) -> pd.DataFrame:
        """Read the shipped CSV with declared dtypes (integers stay nullable integers)."""
        dtypes: dict[str, Any] = {}
        for c in self.columns:
            dtypes[c.name] = {"integer": "Int64", "number": "float64", "boolean": "boolean"}.get(c.type, "string")
        return pd.read_csv(Path(root) / self.path, dtype=dtypes, keep_default_na=False, na_values=[""])


def join_list(values: Iterable[str]) -> str:
    """Multi-valued cells: sorted, unique, `;`-separated (the convention of every table)."""
    return ";".join(sorted(set(v for v in values if v)))
