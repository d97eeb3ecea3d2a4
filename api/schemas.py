"""The API's shapes. Inputs check only shape (types, required keys); the services hold
the rules. Outputs mirror board/public.py, which builds every one of them."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, WithJsonSchema, field_validator

from api.errors import ERROR_CODES
from board.limits import (
    DESCRIPTION_MAX_LENGTH,
    MOVE_INDEX_MAX,
    NAME_MAX_LENGTH,
    TASK_DESCRIPTION_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
    USER_IDENTIFIER_MAX_LENGTH,
    VERSION_MAX,
)

# Ids are 64-bit in the database; anything bigger cannot exist.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Text and numbers as board/limits.py bounds them, so that the docs show the limits.
Title = Annotated[str, Field(max_length=TASK_TITLE_MAX_LENGTH)]
TaskDescription = Annotated[str, Field(max_length=TASK_DESCRIPTION_MAX_LENGTH)]
Name = Annotated[str, Field(max_length=NAME_MAX_LENGTH)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]
Version = Annotated[int, Field(ge=0, le=VERSION_MAX, description="The version you last read.")]
StatusName = Literal["UNASSIGNED", "IN_PROGRESS", "DONE", "ARCHIVED"]
ColumnName = Literal["UNASSIGNED", "IN_PROGRESS", "DONE"]
RoleName = Literal["viewer", "member", "admin"]
ErrorCode = Literal[ERROR_CODES]  # type: ignore[valid-type]
# Dates go out exactly as board/public.py writes them (the WebSocket's strings).
IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
IsoDateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class UserOut(Schema):
    id: int
    name: str
    initials: str


class EpicRef(Schema):
    id: int
    name: str


class TaskOut(Schema):
    id: int
    board: int
    title: str
    description: str
    status: StatusName
    owner: UserOut | None
    creator: UserOut | None
    epic: EpicRef | None
    due_date: IsoDate | None
    position: int
    version: int
    comment_count: int
    created_at: IsoDateTime
    updated_at: IsoDateTime


class TaskPage(Schema):
    items: list[TaskOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class OrganizationOut(Schema):
    id: int
    name: str


class BoardOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    organization: OrganizationOut
    role: RoleName
    archived_at: IsoDateTime | None = Field(description="When it was archived; null if open.")
    open_tasks: int


class ColumnOut(Schema):
    status: ColumnName
    label: str
    count: int
    wip_limit: int | None


class BoardDetailOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    organization: OrganizationOut
    role: RoleName
    archived_at: IsoDateTime | None = Field(description="When it was archived; null if open.")
    seq: int = Field(description="The board's latest event; read events after it.")
    columns: list[ColumnOut]


class MemberOut(Schema):
    user: UserOut
    role: RoleName


class SprintOut(Schema):
    id: int
    board: int
    name: str
    description: str
    start_date: IsoDate
    end_date: IsoDate
    tasks: list[int]


class EpicOut(Schema):
    id: int
    board: int
    name: str
    description: str


class EventOut(BaseModel):
    """The WebSocket's `event` message. Its subject travels under the key named by the
    first part of `kind`: `task`, `sprint`, `epic`, `board` or `membership`."""

    # A subject added later still reaches HTTP clients, as it reaches sockets (a plain
    # pydantic model: ninja's Schema reads declared fields only).
    model_config = ConfigDict(extra="allow")

    type: Literal["event"]
    seq: int
    kind: str
    actor: UserOut | None
    at: IsoDateTime
    own: bool = False
    task: TaskOut | None = None
    sprint: SprintOut | None = None
    epic: EpicOut | None = None
    board: dict[str, Any] | None = None
    membership: dict[str, Any] | None = None


class EventPage(BaseModel):
    items: list[EventOut]
    next: int | None = Field(description="Pass as `after` for the next page; null at the end.")
    seq: int = Field(description="The board's latest event when this page was read.")


class ErrorDetail(Schema):
    code: ErrorCode
    message: str
    fields: dict[str, str]
    task: TaskOut | None = Field(None, description="On 409s: the task as it is now.")


class ErrorOut(Schema):
    error: ErrorDetail


def text_check(value: Any) -> Any:
    """Text that the database can store: PostgreSQL refuses NUL characters, and lone
    surrogates (valid in JSON escapes) cannot be encoded. Django's forms refuse NULs too."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Must not contain NUL characters.")
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValueError("Must be valid Unicode text.") from None
    return value


class Input(BaseModel):
    """Request bodies and query strings are plain pydantic models: ninja's Schema would
    also read attributes off a non-object body (`"title"` has a `.title`)."""

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return text_check(value)


class TaskCreateIn(Input):
    title: Title
    description: TaskDescription = ""
    due_date: datetime.date | None = None
    epic: Id | None = None


class TaskUpdateIn(Input):
    """Only the fields sent change; `null` clears `due_date` and `epic`."""

    expected_version: Version | None = None
    title: Title = Field(None)
    description: TaskDescription = Field(None)
    due_date: datetime.date | None = None
    epic: Id | None = None


class VersionIn(Input):
    expected_version: Version | None = None


class StatusIn(Input):
    status: StatusName
    expected_version: Version | None = None


class MoveIn(Input):
    # No `ge`/`le`: the service refuses an index out of range, in the same words at
    # every door (docs/api.md); the schema only documents the range.
    index: int = Field(
        json_schema_extra={"minimum": 0, "maximum": MOVE_INDEX_MAX},
        description="0 is the top of the column.",
    )
    status: ColumnName | None = Field(None, description="Another column; default: its own.")
    expected_version: Version | None = None


class SprintIn(Input):
    name: Name
    description: Description = ""
    start_date: datetime.date
    end_date: datetime.date


class SprintUpdateIn(Input):
    name: Name = Field(None)
    description: Description = Field(None)
    start_date: datetime.date = Field(None)
    end_date: datetime.date = Field(None)


class EpicIn(Input):
    name: Name
    description: Description = ""


class EpicUpdateIn(Input):
    name: Name = Field(None)
    description: Description = Field(None)


class TaskRefIn(Input):
    task: Id
    expected_version: Version | None = None


class MemberIn(Input):
    user: str = Field(
        max_length=USER_IDENTIFIER_MAX_LENGTH,
        description="Email address (if it has `@`) or username of someone in the workspace.",
    )
    role: RoleName
