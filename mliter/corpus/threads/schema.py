"""Declared tables of the thread corpus (`corpus/threads.csv`)."""

from __future__ import annotations

from mliter.tables import Column, Table

SOURCES = Table(
    name="thread_sources",
    path="corpus/threads.csv",
    title="Public AutoML user threads (sources)",
    description=("One row per public GitHub issue thread opened by a user of an AutoML tool: ids, URL, tool, date and "
                 "a keyed pseudonym of the opener. No thread text and no usernames are shipped; `text_sha256` pins the "
                 "text that coded segment offsets index into (the staged excerpt unless `text_origin` says otherwise)."),
    columns=(
        Column("source_id", "string", "Thread id `github:owner/repo#N`.", required=True, unique=True),
        Column("kind", "string", "Kind of source.", required=True, enum=("thread", "interview")),
        Column("tool", "string", "AutoML tool the thread is about (from the repository).", required=True),
        Column("repo", "string", "GitHub repository owner/name.", required=True),
        Column("number", "integer", "Issue number.", required=True, minimum=1),
        Column("url", "string", "Thread URL.", required=True),
        Column("date", "date", "Date of the opening post (see date_basis)."),
        Column("date_basis", "string", "Where the date comes from: the opening post, the first dated block of the "
               "excerpt, the first date in the text, or none.", required=True,
               enum=("description", "first_dated_block", "first_date_in_text", "none")),
        Column("participant", "string", "Keyed pseudonym (HMAC-SHA256, key never shipped) of the thread's opener; "
               "empty when the excerpt does not show the opener."),
        Column("participant_basis", "string", "How the opener was found: the opening post, a continued turn, or none.",
               required=True, enum=("description", "continued_turn", "none")),
        Column("query_id", "string", "Id of the search query that found the thread (shared queries.tsv)."),
        Column("text_origin", "string", "Which text the codes index into: the staged excerpt or a refreshed full "
               "thread.", required=True, enum=("staged_excerpt", "full_thread")),
        Column("text_chars", "integer", "Length of that text in Python characters (code points).", required=True,
               minimum=0, unit="characters"),
        Column("text_sha256", "string", "SHA-256 of that text (UTF-8).", required=True),
        Column("retrieved", "date", "When the text was retrieved.", required=True),
    ),
    primary_key=("source_id",),
)

TABLES = [SOURCES]
