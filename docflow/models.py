"""Every domain's models, imported once so metadata (and Alembic) sees all tables."""

from .agencies.models import Agency, AgencyLevel, Department
from .api.models import ApiToken
from .audit.models import AuditEntry
from .auth.models import Role, User
from .documents.models import (
    Assignment,
    Attachment,
    Event,
    ExtensionRequest,
    IncomingDocument,
    IncomingRegister,
    Notification,
    RegisterCounter,
)
from .dossiers.models import Dossier, DossierCatalog, DossierItem, DossierReminder
from .files.models import OrphanCandidate, StoredFile
from .interchange.models import (
    ChangeReceipt,
    OutboxMessage,
    Peer,
    PeerCertificate,
    Receipt,
    RecipientStatus,
)
from .outgoing.models import (
    ChangeDelivery,
    OutgoingAttachment,
    OutgoingChange,
    OutgoingCounter,
    OutgoingDocument,
    OutgoingEvent,
    OutgoingRegister,
    OutgoingVersion,
    Recipient,
    ReviewStep,
    SigningCredential,
)
from .searching.models import DocumentText, OutgoingText
from .signing_agent.models import SigningTicket, UserCertificate

__all__ = [
    "Agency",
    "AgencyLevel",
    "ApiToken",
    "Assignment",
    "Attachment",
    "AuditEntry",
    "ChangeDelivery",
    "ChangeReceipt",
    "Department",
    "DocumentText",
    "Dossier",
    "DossierCatalog",
    "DossierItem",
    "DossierReminder",
    "Event",
    "ExtensionRequest",
    "IncomingDocument",
    "IncomingRegister",
    "Notification",
    "OrphanCandidate",
    "OutboxMessage",
    "OutgoingAttachment",
    "OutgoingChange",
    "OutgoingCounter",
    "OutgoingDocument",
    "OutgoingEvent",
    "OutgoingRegister",
    "OutgoingText",
    "OutgoingVersion",
    "Peer",
    "PeerCertificate",
    "Receipt",
    "Recipient",
    "RecipientStatus",
    "RegisterCounter",
    "ReviewStep",
    "Role",
    "SigningCredential",
    "SigningTicket",
    "StoredFile",
    "User",
    "UserCertificate",
]
