"""The statements every task write sends, written out once per process.

Every claim, release, status change, edit and move locks its task and saves it, and
every change records an event. Built by the ORM on each call, those statements cost
several times their database time (docs/benchmarks.md, "Claims"), and a board's writes
queue behind each other on its lock for all of it. Here each is a cached SQL string;
the rows come back as model instances (`Model.from_db`, as the ORM makes them), so
the services use them as before.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model

from board.models import Epic, Membership, Task

# Between two tasks' positions: room to put others in between (task_move).
POSITION_STEP = 1024

# The task's related rows that its public state shows, loaded with it (as
# select_related would): field name on Task -> model.
TASK_RELATED = (("owner", None), ("creator", None), ("epic", Epic))


def task_lock(*, task_id: int, user_id: int | None) -> tuple[Task | None, str | None]:
    """The task, locked (where the database has row locks), with its owner, creator
    and epic (None if it does not exist), and the role of user `user_id` on its board.

    The caller holds the board's lock: this statement's snapshot is taken after it was
    granted, so the role is the one in force (a role change takes the board lock too)."""
    sql, parts = _task_lock_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, task_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    *row, role = row
    values = iter(row)
    instances = [_instance(model, [next(values) for _ in columns]) for model, columns in parts]
    task, related = instances[0], instances[1:]
    for (name, _), instance in zip(TASK_RELATED, related, strict=True):
        setattr(task, name, instance)
    return task, role


def task_row_save(task: Task, *, to_bottom: bool = False) -> None:
    """Write every field of a task that exists (what `task.save()` does, with
    `updated_at` set as its `auto_now` asks). `to_bottom` puts it below the last task
    of its (new) column, `position_at_bottom` in the same statement."""
    sql, fields = _task_update_sql(to_bottom=to_bottom)
    params = [field.get_db_prep_save(field.pre_save(task, False), connection) for field in fields]
    if to_bottom:
        params += [task.board_id, task.status]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, task.pk])
        if to_bottom:
            (task.position,) = cursor.fetchone()


def _instance(model: type[Model], values: list[Any]) -> Model | None:
    """A model instance from its columns' values (converted as the ORM converts
    them), or None for a LEFT JOIN that found no row."""
    names, pk_index, converters = _model_columns(model)
    if values[pk_index] is None:
        return None
    for index, functions, column in converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, names, values)


@functools.cache
def _model_columns(model: type[Model]) -> tuple[list[str], int, list[tuple[int, list, Any]]]:
    """A model's attribute names, its primary key's index, and the database's value
    converters of each column that has some (SQLite's dates are text, for one)."""
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    return [f.attname for f in fields], list(fields).index(model._meta.pk), converters


def _related_models() -> list[tuple[str, type[Model]]]:
    user = get_user_model()
    return [(name, model or user) for name, model in TASK_RELATED]


@functools.cache
def _task_lock_sql() -> tuple[str, list[tuple[type[Model], list[str]]]]:
    """The statement, and the models whose columns its rows carry, in order."""
    quote = connection.ops.quote_name
    tasks = Task._meta.db_table
    parts = [(Task, [f.column for f in Task._meta.concrete_fields])]
    columns = [f"t.{quote(column)}" for column in parts[0][1]]
    joins = []
    for n, (name, model) in enumerate(_related_models()):
        alias, fk = f"r{n}", Task._meta.get_field(name).column
        model_columns = [f.column for f in model._meta.concrete_fields]
        parts.append((model, model_columns))
        columns += [f"{alias}.{quote(column)}" for column in model_columns]
        joins.append(
            f" LEFT JOIN {quote(model._meta.db_table)} {alias}"
            f" ON {alias}.{quote(model._meta.pk.column)} = t.{quote(fk)}"
        )
    memberships = quote(Membership._meta.db_table)
    columns.append(
        f"(SELECT m.role FROM {memberships} m WHERE m.board_id = t.board_id"
        " AND m.user_id = %s LIMIT 1)"
    )
    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
    sql = f"SELECT {', '.join(columns)} FROM {quote(tasks)} t{''.join(joins)} WHERE t.id = %s{lock}"
    return sql, parts


@functools.cache
def _task_update_sql(*, to_bottom: bool) -> tuple[str, list[Any]]:
    """The UPDATE, and the fields whose values are its first params (then, with
    `to_bottom`, the board and the column; last, the task's id)."""
    quote = connection.ops.quote_name
    table = quote(Task._meta.db_table)
    fields = [f for f in Task._meta.concrete_fields if not f.primary_key]
    if to_bottom:
        fields = [f for f in fields if f.name != "position"]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    if not to_bottom:
        return f"UPDATE {table} SET {assignments} WHERE id = %s", fields
    # The subquery reads the column before this statement, as position_at_bottom does.
    bottom = (
        f"(SELECT COALESCE(MAX(p.position), 0) + {POSITION_STEP} FROM {table} p"
        " WHERE p.board_id = %s AND p.status = %s)"
    )
    sql = f"UPDATE {table} SET {assignments}, position = {bottom} WHERE id = %s RETURNING position"
    return sql, fields
