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
from .dossiers.models import Dossier, DossierCatalog, DossierItem, DossierReminder  # noqa: F401
from .files.models import OrphanCandidate, StoredFile
from .interchange.models import OutboxMessage, Peer, Receipt, RecipientStatus  # noqa: F401
from .outgoing.models import (  # noqa: F401
    OutgoingAttachment,
    OutgoingCounter,
    OutgoingDocument,
    OutgoingEvent,
    OutgoingRegister,
    OutgoingVersion,
    Recipient,
    ReviewStep,
    SigningCredential,
)
from .searching.models import DocumentText
from .signing_agent.models import SigningTicket, UserCertificate  # noqa: F401

__all__ = ["DocumentText", "ApiToken", "Assignment", "Attachment", "Event", "ExtensionRequest", "IncomingDocument", "IncomingRegister",
           "Notification", "RegisterCounter", "Agency", "AgencyLevel", "AuditEntry", "Department", "OrphanCandidate", "Role", "StoredFile", "User"]
