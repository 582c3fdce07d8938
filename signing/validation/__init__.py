"""PDF signature validation (PAdES, ETSI EN 319 102-1). See signing.validate."""

from .engine import ValidationOptions, validate_bytes
from .report import (
    INDETERMINATE,
    TOTAL_FAILED,
    TOTAL_PASSED,
    SignatureReport,
    SignerInfo,
    ValidationReport,
)
from .sandbox import ValidatorPool, ValidatorProcess

__all__ = [
    "INDETERMINATE",
    "TOTAL_FAILED",
    "TOTAL_PASSED",
    "SignatureReport",
    "SignerInfo",
    "ValidationOptions",
    "ValidationReport",
    "ValidatorPool",
    "ValidatorProcess",
    "validate_bytes",
]
