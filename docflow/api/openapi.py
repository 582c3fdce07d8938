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


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "docflow REST API",
            "version": "1.0.0",
            "description": (
                "Incoming documents (văn bản đến) with the same rules as the web pages. Authenticate with "
                "`Authorization: Bearer <token>` (tokens: /account/tokens or `docflow api create-token`). "
                'Errors are JSON `{"error": code, "message": text}`; messages are Vietnamese unless '
                "`Accept-Language: en`. Another agency's documents answer 404."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerToken": []}],
        "tags": [
            {"name": "incoming", "description": "Incoming documents"},
            {"name": "meta"},
        ],
        "paths": _paths(),
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
