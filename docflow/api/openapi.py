"""The OpenAPI 3.1 description of /api/v1/, written by hand beside the views.

A test walks the url_map and checks that every API route and method is described here,
and validates the document with openapi-spec-validator.
"""

from __future__ import annotations

from typing import Any

from ..documents.queries import SORTS, TABS
from ..documents.vocab import TYPE_NAMES, Secrecy, Urgency

REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return _json(_ref(schema), description)


NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
DOC_ID = {
    "name": "doc_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}

METADATA_PROPERTIES: dict[str, Any] = {
    "issuer_name": {
        "type": "string",
        "maxLength": 200,
        "description": "Issuing agency (cơ quan ban hành).",
    },
    "issuer_code": {
        "type": "string",
        "maxLength": 13,
        "description": "QCVN 102 identifier of the issuer.",
    },
    "code_number": {"type": "string", "maxLength": 11, "description": "Số, e.g. 15."},
    "code_notation": {
        "type": "string",
        "maxLength": 30,
        "description": "Ký hiệu, e.g. QĐ-UBND.",
    },
    "issued_date": {"type": "string", "format": "date"},
    "doc_type": {"type": "string", "enum": TYPE_NAMES},
    "subject": {"type": "string", "maxLength": 500, "description": "Trích yếu."},
    "signer_name": {"type": "string", "maxLength": 50},
    "signer_position": {"type": "string", "maxLength": 100},
    "page_count": {"type": "integer", "minimum": 1, "maximum": 9999},
    "urgency": {"type": "string", "enum": [u.value for u in Urgency]},
    "secrecy": {"type": "string", "enum": [v.value for v in Secrecy]},
    "due_date": {
        "type": "string",
        "format": "date",
        "description": "Processing deadline (hạn xử lý).",
    },
}

PERSON = {
    "type": ["object", "null"],
    "properties": {
        "id": {"type": "integer"},
        "full_name": {"type": "string"},
        "position": NULLABLE_STR,
    },
}

SUMMARY_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "status": {
        "type": "string",
        "enum": ["pending", "registered", "in_progress", "completed", "returned"],
    },
    "status_label": {"type": "string"},
    "source": {"type": "string", "enum": ["upload", "interchange"]},
    "received_at": {"type": "string", "format": "date-time"},
    "arrival_number": {"type": ["integer", "null"], "description": "Số đến."},
    "arrival_year": {"type": ["integer", "null"]},
    "arrival_date": NULLABLE_TIME,
    "issuer_name": {"type": "string"},
    "issuer_code": NULLABLE_STR,
    "code_number": {"type": "string"},
    "code_notation": {"type": "string"},
    "number_notation": {
        "type": "string",
        "description": "Số/ký hiệu, e.g. 15/QĐ-UBND.",
    },
    "issued_date": NULLABLE_DATE,
    "doc_type": {"type": "string"},
    "subject": {"type": "string"},
    "signer_name": NULLABLE_STR,
    "signer_position": NULLABLE_STR,
    "page_count": {"type": ["integer", "null"]},
    "urgency": {"type": "string"},
    "secrecy": {"type": "string"},
    "due_date": NULLABLE_DATE,
    "url": {"type": "string"},
}

FILE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "media_type": {"type": "string"},
        "size": {"type": "integer"},
        "sha256": {"type": "string"},
        "url": {"type": "string"},
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "Stable code, e.g. not_found."},
            "message": {
                "type": "string",
                "description": "Translated (Accept-Language: vi or en).",
            },
        },
    },
    "ValidationError": {
        "allOf": [
            _ref("Error"),
            {
                "type": "object",
                "properties": {
                    "details": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "Field -> what is wrong with it.",
                    }
                },
            },
        ],
    },
    "DuplicateError": {
        "allOf": [
            _ref("Error"),
            {
                "type": "object",
                "properties": {
                    "duplicates": {"type": "array", "items": _ref("DocumentSummary")}
                },
            },
        ],
    },
    "Metadata": {
        "type": "object",
        "properties": METADATA_PROPERTIES,
        "additionalProperties": False,
    },
    "Target": {
        "oneOf": [
            {
                "type": "object",
                "required": ["user_id"],
                "properties": {"user_id": {"type": "integer"}},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "required": ["department_id"],
                "properties": {"department_id": {"type": "integer"}},
                "additionalProperties": False,
            },
        ],
    },
    "Person": PERSON,
    "DocumentSummary": {"type": "object", "properties": SUMMARY_PROPERTIES},
    "Document": {
        "allOf": [
            _ref("DocumentSummary"),
            {
                "type": "object",
                "properties": {
                    "register": NULLABLE_STR,
                    "registered_by": _ref("Person"),
                    "presented_to": _ref("Person"),
                    "return_reason": NULLABLE_STR,
                    "result": NULLABLE_STR,
                    "completed_at": NULLABLE_TIME,
                    "assignments": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "role": {
                                    "type": "string",
                                    "enum": ["lead", "coordinate", "inform"],
                                },
                                "user": _ref("Person"),
                                "department": {
                                    "type": ["object", "null"],
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "name": {"type": "string"},
                                    },
                                },
                                "deadline": NULLABLE_DATE,
                                "active": {"type": "boolean"},
                                "assigned_by": _ref("Person"),
                                "created_at": {"type": "string", "format": "date-time"},
                                "completed_at": NULLABLE_TIME,
                            },
                        },
                    },
                    "timeline": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "kind": {"type": "string"},
                                "actor": _ref("Person"),
                                "text": NULLABLE_STR,
                                "at": {"type": "string", "format": "date-time"},
                            },
                        },
                    },
                    "extension_requests": {
                        "type": "array",
                        "items": _ref("ExtensionRequest"),
                    },
                    "signature_report": {
                        "type": ["object", "null"],
                        "description": "The signing library's validation report of the main PDF.",
                    },
                    "content_available": {
                        "type": "boolean",
                        "description": "False for secret documents the caller is not named on.",
                    },
                    "files": {
                        "type": ["object", "null"],
                        "description": "Only when content_available.",
                        "properties": {
                            "main": {"oneOf": [FILE, {"type": "null"}]},
                            "attachments": {"type": "array", "items": FILE},
                        },
                    },
                },
            },
        ],
    },
    "ExtensionRequest": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "requested_by": _ref("Person"),
            "new_deadline": {"type": "string", "format": "date"},
            "reason": {"type": "string"},
            "granted": {"type": ["boolean", "null"]},
            "decided_by_id": {"type": ["integer", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "DocumentList": {
        "type": "object",
        "properties": {
            "tab": {"type": "string"},
            "sort": {"type": "string"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "counts": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "Documents per tab the caller has.",
            },
            "items": {"type": "array", "items": _ref("DocumentSummary")},
        },
    },
    "Me": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "full_name": {"type": "string"},
            "position": NULLABLE_STR,
            "username": {"type": "string"},
            "role": {"type": "string"},
            "agency": {"type": "object"},
            "department_id": {"type": ["integer", "null"]},
            "tabs": {"type": "array", "items": {"type": "string"}},
        },
    },
}

COMMON_ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "429": {"$ref": "#/components/responses/RateLimited"},
}
DOC_ERRORS = {
    **COMMON_ERRORS,
    "404": _error("No such document, another agency's, or one the caller may not see."),
}
ACTION_ERRORS = {
    **DOC_ERRORS,
    "400": _error("Invalid body; details per field.", "ValidationError"),
    "403": _error("The caller's role may not do this."),
    "415": _error("The body is not JSON."),
    "422": _error("The document's state does not allow it now (the message says why)."),
}


def _body(
    properties: dict[str, Any], required: list[str] | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _action(
    summary: str,
    body: dict[str, Any] | None,
    ok: str = "The document after the action.",
    extra: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "tags": ["incoming"],
        "parameters": [DOC_ID, *(params or [])],
        "responses": {
            "200": _json(_ref("Document"), ok),
            **ACTION_ERRORS,
            **(extra or {}),
        },
    }
    if body is not None:
        op["requestBody"] = body
    return op


def _upload_body(with_metadata: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "file": {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": "PDF, DOCX, XLSX, ODT, DOC, PNG, JPEG or TIFF.",
        }
    }
    if with_metadata:
        properties.update(METADATA_PROPERTIES)
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": properties,
                }
            }
        },
    }


TEXT = {"type": "string"}


def _paths() -> dict[str, Any]:
    storage = {
        "503": _error("File storage unreachable; nothing was saved."),
        "413": _error("The file is too large."),
    }
    return {
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This description.",
                "security": [],
                "tags": ["meta"],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/api/v1/me": {
            "get": {
                "summary": "The user the token belongs to.",
                "tags": ["meta"],
                "responses": {"200": _json(_ref("Me"), "The caller."), **COMMON_ERRORS},
            }
        },
        "/api/v1/incoming": {
            "get": {
                "summary": "Incoming documents the caller may see, by tab, with counts per tab.",
                "tags": ["incoming"],
                "parameters": [
                    {
                        "name": "tab",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(TABS)},
                        "description": "One of the caller's tabs (see /me); default: the first.",
                    },
                    {
                        "name": "sort",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(SORTS)},
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                ],
                "responses": {
                    "200": _json(_ref("DocumentList"), "One page of documents."),
                    **COMMON_ERRORS,
                    "400": _error("Unknown tab or sort, bad page.", "ValidationError"),
                },
            },
            "post": {
                "summary": "Receive a document (records officers): it waits to be registered.",
                "tags": ["incoming"],
                "requestBody": _upload_body(True),
                "responses": {
                    "201": _json(
                        _ref("Document"), "The received document (Location: its URL)."
                    ),
                    **COMMON_ERRORS,
                    **storage,
                    "400": _error(
                        "Missing or rejected file, invalid metadata.", "ValidationError"
                    ),
                    "403": _error("Only records officers receive documents."),
                },
            },
        },
        "/api/v1/incoming/{doc_id}": {
            "get": {
                "summary": "Metadata, status, assignments, timeline, signature report; file links if allowed.",
                "tags": ["incoming"],
                "parameters": [DOC_ID],
                "responses": {
                    "200": _json(_ref("Document"), "The document."),
                    **DOC_ERRORS,
                },
            }
        },
        "/api/v1/incoming/{doc_id}/file": {
            "get": {
                "summary": "The main file (404 for secret documents the caller is not named on).",
                "tags": ["incoming"],
                "parameters": [DOC_ID],
                "responses": {
                    "200": {
                        "description": "The file's bytes.",
                        "content": {"application/octet-stream": {}},
                    },
                    **DOC_ERRORS,
                    "503": storage["503"],
                },
            }
        },
        "/api/v1/incoming/{doc_id}/attachments/{attachment_id}": {
            "get": {
                "summary": "A working file attached while processing.",
                "tags": ["incoming"],
                "parameters": [
                    DOC_ID,
                    {
                        "name": "attachment_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The file's bytes.",
                        "content": {"application/octet-stream": {}},
                    },
                    **DOC_ERRORS,
                    "503": storage["503"],
                },
            }
        },
        "/api/v1/incoming/{doc_id}/register": {
            "post": _action(
                "Register (vào sổ): metadata, arrival number, leader to present to.",
                {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {
                                "allOf": [
                                    _ref("Metadata"),
                                    {
                                        "type": "object",
                                        "properties": {
                                            "presented_to_id": {
                                                "type": "integer",
                                                "description": "A leader of the agency.",
                                            },
                                            "confirm_duplicate": {
                                                "type": "boolean",
                                                "description": "Register even if the same document is registered.",
                                            },
                                        },
                                    },
                                ]
                            }
                        }
                    },
                },
                extra={
                    "409": _error(
                        "Possible duplicates; resend with confirm_duplicate.",
                        "DuplicateError",
                    )
                },
            )
        },
        "/api/v1/incoming/{doc_id}/return": {
            "post": _action(
                "Return a document waiting to be registered.",
                _body({"reason": {**TEXT, "maxLength": 500}}, ["reason"]),
            )
        },
        "/api/v1/incoming/{doc_id}/assign": {
            "post": _action(
                "A leader's assignment (reassigning replaces the active one).",
                _body(
                    {
                        "lead": _ref("Target"),
                        "coordinate": {"type": "array", "items": _ref("Target")},
                        "inform": {"type": "array", "items": _ref("Target")},
                        "deadline": {"type": "string", "format": "date"},
                        "instruction": {**TEXT, "maxLength": 4000},
                    },
                    ["lead"],
                ),
            )
        },
        "/api/v1/incoming/{doc_id}/comment": {
            "post": _action(
                "Add a comment (people taking part).",
                _body({"text": {**TEXT, "maxLength": 4000}}, ["text"]),
            )
        },
        "/api/v1/incoming/{doc_id}/attach": {
            "post": {
                **_action(
                    "Attach a working file (people taking part).",
                    _upload_body(False),
                    extra=storage,
                ),
                "responses": {
                    "201": _json(
                        _ref("Document"), "The document with the new attachment."
                    ),
                    **ACTION_ERRORS,
                    **storage,
                },
            }
        },
        "/api/v1/incoming/{doc_id}/forward": {
            "post": _action(
                "Pass one's part of the work to a colleague.",
                _body(
                    {
                        "user_id": {"type": "integer"},
                        "note": {**TEXT, "maxLength": 500},
                    },
                    ["user_id"],
                ),
            )
        },
        "/api/v1/incoming/{doc_id}/extension": {
            "post": {
                **_action(
                    "Ask for more time (lead handler).",
                    _body(
                        {
                            "new_deadline": {"type": "string", "format": "date"},
                            "reason": {**TEXT, "maxLength": 500},
                        },
                        ["new_deadline", "reason"],
                    ),
                ),
                "responses": {
                    "201": _json(
                        _ref("ExtensionRequest"), "The request, waiting for a leader."
                    ),
                    **ACTION_ERRORS,
                },
            }
        },
        "/api/v1/incoming/{doc_id}/extension/{req_id}/decide": {
            "post": _action(
                "A leader grants or refuses an extension.",
                _body({"grant": {"type": "boolean"}}, ["grant"]),
                params=[
                    {
                        "name": "req_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
            )
        },
        "/api/v1/incoming/{doc_id}/complete": {
            "post": _action(
                "Close the document with its result (lead handler or a leader).",
                _body({"result": {**TEXT, "maxLength": 4000}}, ["result"]),
            )
        },
    }


# ------------------------------------------------------------------ outgoing documents
OUTGOING_ID = {
    "name": "outgoing_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
OUTGOING_TABS = ["mine", "to_review", "to_sign", "to_issue", "issued", "all"]
OUTGOING_STATUSES = ["draft", "in_review", "returned", "approved", "signed", "issued"]

SCHEMAS.update(
    {
        "OutgoingSummary": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": OUTGOING_STATUSES},
                "status_label": {"type": "string"},
                "doc_type": {"type": "string"},
                "subject": {"type": "string"},
                "urgency": {"type": "string"},
                "secrecy": {"type": "string"},
                "department": {
                    "type": ["object", "null"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                    },
                },
                "drafted_by": _ref("Person"),
                "signer": _ref("Person"),
                "number": {
                    "type": ["integer", "null"],
                    "description": "Số, once issued.",
                },
                "notation": {**NULLABLE_STR, "description": "Ký hiệu, e.g. QĐ-UBND."},
                "year": {"type": ["integer", "null"]},
                "number_notation": {
                    "type": "string",
                    "description": "e.g. 01/QĐ-UBND; empty before issue.",
                },
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "signed_at": NULLABLE_TIME,
                "issued_at": NULLABLE_TIME,
                "url": {"type": "string"},
            },
        },
        "OutgoingChanges": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "revoked_at": NULLABLE_TIME,
                "revoke_reason": NULLABLE_STR,
                "changes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "kind": {
                                "type": "string",
                                "enum": ["recall", "revoke", "update"],
                            },
                            "reason": {"type": "string"},
                            "actor": {"oneOf": [_ref("Person"), {"type": "null"}]},
                            "at": {"type": "string", "format": "date-time"},
                            "changed": {
                                "type": ["object", "null"],
                                "description": "An update's {field: [before, after]}.",
                            },
                        },
                    },
                },
                "recipients": {
                    "type": "array",
                    "description": "Recipient agencies served electronically.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "recipient_id": {"type": "integer"},
                            "agency": {"type": "object"},
                            "state": {
                                "type": "string",
                                "description": "not_sent, sent, failed, returned, recalled or slow.",
                            },
                            "error": NULLABLE_STR,
                            "statuses": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "code": {"type": "string"},
                                        "description": NULLABLE_STR,
                                        "at": {"type": "string"},
                                        "received_at": {
                                            "type": "string",
                                            "format": "date-time",
                                        },
                                    },
                                },
                            },
                            "changes": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "change_id": {"type": "integer"},
                                        "kind": {"type": "string"},
                                        "state": {
                                            "type": "string",
                                            "enum": [
                                                "applied",
                                                "sent",
                                                "waiting",
                                                "failed",
                                            ],
                                        },
                                        "error": NULLABLE_STR,
                                        "answer": {
                                            "type": ["string", "null"],
                                            "description": "15 agreed, 16 refused, null not yet.",
                                        },
                                        "answered_at": NULLABLE_TIME,
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "OutgoingDocument": {
            "allOf": [
                _ref("OutgoingSummary"),
                {
                    "type": "object",
                    "properties": {
                        "register": NULLABLE_STR,
                        "issued_by": _ref("Person"),
                        "current_reviewer": _ref("Person"),
                        "versions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "number": {"type": "integer"},
                                    "state": {
                                        "type": "string",
                                        "enum": ["ready", "converting", "failed"],
                                    },
                                    "error": NULLABLE_STR,
                                    "note": NULLABLE_STR,
                                    "created_by": _ref("Person"),
                                    "created_at": {
                                        "type": "string",
                                        "format": "date-time",
                                    },
                                    "file": {"oneOf": [FILE, {"type": "null"}]},
                                },
                            },
                        },
                        "reviews": {
                            "type": "array",
                            "description": "The review chain, every submission; the signer approves last.",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "position": {"type": "integer"},
                                    "version": {"type": "integer"},
                                    "reviewer": _ref("Person"),
                                    "decision": {
                                        "type": "string",
                                        "enum": [
                                            "pending",
                                            "approved",
                                            "returned",
                                            "cancelled",
                                        ],
                                    },
                                    "decision_label": {"type": "string"},
                                    "comment": NULLABLE_STR,
                                    "decided_at": NULLABLE_TIME,
                                },
                            },
                        },
                        "recipients": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "kind": {
                                        "type": "string",
                                        "enum": ["agency", "department", "place"],
                                    },
                                    "name": {"type": "string"},
                                    "agency": {"type": ["object", "null"]},
                                    "department_id": {"type": ["integer", "null"]},
                                    "delivery": {
                                        "type": "string",
                                        "enum": [
                                            "not_sent",
                                            "delivered",
                                            "queued",
                                            "not_electronic",
                                        ],
                                    },
                                    "delivery_label": {"type": "string"},
                                    "delivered_at": NULLABLE_TIME,
                                },
                            },
                        },
                        "timeline": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "kind": {"type": "string"},
                                    "actor": _ref("Person"),
                                    "text": NULLABLE_STR,
                                    "at": {"type": "string", "format": "date-time"},
                                },
                            },
                        },
                        "signature_report": {
                            "type": ["object", "null"],
                            "description": "Validation report of the issued PDF (filled in shortly after issue).",
                        },
                        "content_available": {
                            "type": "boolean",
                            "description": "False for secret documents the caller is not named on.",
                        },
                        "replaces_id": {
                            "type": ["integer", "null"],
                            "description": "The issued document this one replaces (sent as BussinessDocType 3).",
                        },
                        "revoked_at": NULLABLE_TIME,
                        "revoke_reason": NULLABLE_STR,
                        "files": {
                            "type": ["object", "null"],
                            "description": "Only when content_available.",
                            "properties": {
                                "issued": {"oneOf": [FILE, {"type": "null"}]},
                                "signed": {"oneOf": [FILE, {"type": "null"}]},
                                "attachments": {"type": "array", "items": FILE},
                            },
                        },
                    },
                },
            ],
        },
        "OutgoingList": {
            "type": "object",
            "properties": {
                "tab": {"type": "string", "enum": OUTGOING_TABS},
                "page": {"type": "integer"},
                "pages": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer"},
                "counts": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                    "description": "Documents per tab the caller has.",
                },
                "items": {"type": "array", "items": _ref("OutgoingSummary")},
            },
        },
    }
)


def _outgoing_action(
    summary: str,
    body: dict[str, Any] | None,
    status: str = "200",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "tags": ["outgoing"],
        "parameters": [OUTGOING_ID],
        "responses": {
            status: _json(_ref("OutgoingDocument"), "The document after the action."),
            **ACTION_ERRORS,
            **(extra or {}),
        },
    }
    if body is not None:
        op["requestBody"] = body
    return op


def _pdf_upload(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", *required],
                    "properties": {
                        "file": {
                            "type": "string",
                            "contentMediaType": "application/octet-stream",
                            "description": "The draft: PDF, DOCX or ODT (DOCX/ODT are converted to PDF by a job).",
                        },
                        **properties,
                    },
                }
            }
        },
    }


NO_BODY = {
    "required": False,
    "content": {
        "application/json": {
            "schema": {"type": "object", "additionalProperties": False}
        }
    },
}


def _outgoing_paths() -> dict[str, Any]:
    storage = {
        "503": _error("File storage unreachable; nothing was saved."),
        "413": _error("The file is too large."),
    }
    file_response = {
        "200": {
            "description": "The file's bytes.",
            "content": {"application/octet-stream": {}},
        },
        **DOC_ERRORS,
        "503": storage["503"],
    }
    return {
        "/api/v1/outgoing": {
            "get": {
                "summary": "Outgoing documents the caller may see, by tab (as the web list), with counts per tab.",
                "tags": ["outgoing"],
                "parameters": [
                    {
                        "name": "tab",
                        "in": "query",
                        "schema": {"type": "string", "enum": OUTGOING_TABS},
                        "description": "Default: mine.",
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                ],
                "responses": {
                    "200": _json(_ref("OutgoingList"), "One page of documents."),
                    **COMMON_ERRORS,
                    "400": _error("Unknown tab, bad page.", "ValidationError"),
                },
            },
            "post": {
                "summary": "Create a draft (dự thảo) with its attachments and recipients.",
                "tags": ["outgoing"],
                "requestBody": _pdf_upload(
                    {
                        "attachments": {
                            "type": "array",
                            "items": {
                                "type": "string",
                                "contentMediaType": "application/pdf",
                            },
                            "description": "Separate PDF files (repeat the field); sealed at issue.",
                        },
                        "doc_type": {"type": "string", "enum": TYPE_NAMES},
                        "subject": {"type": "string", "maxLength": 500},
                        "urgency": {
                            "type": "string",
                            "enum": [u.value for u in Urgency],
                        },
                        "secrecy": {
                            "type": "string",
                            "enum": [v.value for v in Secrecy],
                        },
                        "department_id": {
                            "type": "integer",
                            "description": "Drafting unit of the caller's agency (default: the caller's).",
                        },
                        "recipients": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "description": (
                                'JSON text: {"agencies": [agency ids], "departments": [unit ids of the agency], '
                                '"places": ["Lưu: VT", ...]}.'
                            ),
                        },
                    },
                    ["doc_type", "subject"],
                ),
                "responses": {
                    "201": _json(
                        _ref("OutgoingDocument"), "The draft (Location: its URL)."
                    ),
                    **COMMON_ERRORS,
                    **storage,
                    "400": _error(
                        "Missing or rejected file, invalid fields.", "ValidationError"
                    ),
                    "422": _error(
                        "Unknown recipient, unit of another agency, unreadable or signed PDF."
                    ),
                },
            },
        },
        "/api/v1/outgoing/{outgoing_id}": {
            "get": {
                "summary": "Metadata, status, versions, review chain, recipients with delivery, signature report; "
                "file links if allowed.",
                "tags": ["outgoing"],
                "parameters": [OUTGOING_ID],
                "responses": {
                    "200": _json(_ref("OutgoingDocument"), "The document."),
                    **DOC_ERRORS,
                },
            }
        },
        "/api/v1/outgoing/{outgoing_id}/files/{kind}": {
            "get": {
                "summary": "A file: issued, signed, v<N> (a version's PDF) or a<attachment id>; "
                "404 for secret documents the caller is not named on.",
                "tags": ["outgoing"],
                "parameters": [
                    OUTGOING_ID,
                    {
                        "name": "kind",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "pattern": "^(issued|signed|v[0-9]+|a[0-9]+)$",
                        },
                    },
                ],
                "responses": file_response,
            }
        },
        "/api/v1/outgoing/{outgoing_id}/versions": {
            "post": _outgoing_action(
                "Upload a new version (the drafter; drafts and returned documents).",
                _pdf_upload({"note": {"type": "string", "maxLength": 500}}, []),
                status="201",
                extra=storage,
            )
        },
        "/api/v1/outgoing/{outgoing_id}/submit": {
            "post": _outgoing_action(
                "Submit the current version for review (the drafter); the signer approves last.",
                _body(
                    {
                        "reviewer_ids": {
                            "type": "array",
                            "items": {"type": "integer"},
                            "description": "Reviewers in order.",
                        },
                        "signer_id": {
                            "type": "integer",
                            "description": "A leader of the agency.",
                        },
                    },
                    ["signer_id"],
                ),
            )
        },
        "/api/v1/outgoing/{outgoing_id}/review": {
            "post": _outgoing_action(
                "Approve, or return for revision with a comment (the reviewer whose turn it is).",
                _body(
                    {
                        "approve": {"type": "boolean"},
                        "comment": {**TEXT, "maxLength": 4000},
                    },
                    ["approve"],
                ),
            )
        },
        "/api/v1/outgoing/{outgoing_id}/sign": {
            "post": _outgoing_action(
                "The designated leader signs the approved version with the server-held key.",
                NO_BODY,
            )
        },
        "/api/v1/outgoing/{outgoing_id}/issue": {
            "post": _outgoing_action(
                "Number, date and seal the signed document, then deliver it (records officers).",
                NO_BODY,
            )
        },
        "/api/v1/outgoing/{outgoing_id}/send": {
            "post": _outgoing_action(
                "Send again to recipients waiting in the outbox (records officers); secret documents: 422.",
                NO_BODY,
            )
        },
        "/api/v1/outgoing/{outgoing_id}/replaces": {
            "post": _outgoing_action(
                "Mark a document not issued yet as replacing an issued one of the agency, or "
                "not any more (null); the drafter or a records officer. Issued, it goes out "
                "as BussinessDocType 3 (thay thế).",
                _body({"replaces_id": {"type": ["integer", "null"]}}, ["replaces_id"]),
            )
        },
        "/api/v1/outgoing/{outgoing_id}/recall": {
            "post": _outgoing_action(
                "Ask every agency that received the issued document electronically to give it "
                "back (status 13, lấy lại); the issuing agency's records officers.",
                REASON_BODY,
            )
        },
        "/api/v1/outgoing/{outgoing_id}/revoke": {
            "post": _outgoing_action(
                "Revoke the issued document (thu hồi, BussinessDocType 1) and tell its "
                "electronic receivers; the issuing agency's records officers. Secret documents: "
                "recorded, never sent.",
                REASON_BODY,
            )
        },
        "/api/v1/outgoing/{outgoing_id}/update": {
            "post": _outgoing_action(
                "Correct the published information of the issued document (cập nhật, "
                "BussinessDocType 2) and send it to its electronic receivers; the issuing "
                "agency's records officers. A field left out keeps its value; at least one "
                "must change; a due date or page count once sent cannot be removed (422).",
                _body(
                    {
                        "reason": {**TEXT, "maxLength": 500},
                        "subject": {**TEXT, "maxLength": 500},
                        "doc_type": {"type": "string", "enum": list(TYPE_NAMES)},
                        "signer_name": {**TEXT, "maxLength": 50},
                        "signer_position": {**TEXT, "maxLength": 100},
                        "due_date": NULLABLE_DATE,
                        "page_count": {
                            "type": ["integer", "null"],
                            "minimum": 1,
                            "maximum": 10000,
                        },
                    },
                    ["reason"],
                ),
            )
        },
        "/api/v1/outgoing/{outgoing_id}/changes": {
            "get": {
                "summary": "The recalls, revocations and updates of the document, and each "
                "electronic recipient agency's delivery state, statuses (01-16) and answer "
                "to every change.",
                "tags": ["outgoing"],
                "parameters": [OUTGOING_ID],
                "responses": {
                    "200": _json(_ref("OutgoingChanges"), "Changes and recipients."),
                    **DOC_ERRORS,
                },
            }
        },
    }


REASON_BODY = _body({"reason": {**TEXT, "maxLength": 500}}, ["reason"])


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "docflow REST API",
            "version": "1.0.0",
            "description": (
                "Incoming (văn bản đến) and outgoing documents (văn bản đi) with the same rules as the web pages. Authenticate with "
                "`Authorization: Bearer <token>` (tokens: /account/tokens or `docflow api create-token`). "
                'Errors are JSON `{"error": code, "message": text}`; messages are Vietnamese unless '
                "`Accept-Language: en`. Another agency's documents answer 404."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerToken": []}],
        "tags": [
            {"name": "incoming", "description": "Incoming documents"},
            {"name": "outgoing", "description": "Outgoing documents"},
            {"name": "meta"},
        ],
        "paths": {**_paths(), **_outgoing_paths()},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Unauthorized": _error(
                    "Missing, invalid, expired or revoked token (a session cookie does not count)."
                ),
                "RateLimited": _error(
                    "Too many calls with this token (API_RATE_LIMIT)."
                ),
            },
        },
    }
