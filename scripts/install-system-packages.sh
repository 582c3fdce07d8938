#!/usr/bin/env bash
# Install the Debian packages docflow needs (for tests and for running), only when missing.
set -euo pipefail

PACKAGES=(
  postgresql redis-server            # scale-out database and job queue (tests start their own servers)
  softhsm2 opensc                    # PKCS#11 token for signing tests (SoftHSM2) and pkcs11-tool
  poppler-utils libnss3-tools        # pdfsig/pdftotext/pdftoppm and certutil (independent signature checks)
  tesseract-ocr tesseract-ocr-vie    # OCR of scanned Vietnamese documents
  fonts-dejavu-core                  # fonts with Vietnamese glyphs
  libreoffice-writer-nogui           # DOCX/ODT drafts converted to PDF (outgoing documents)
  chromium                           # headless browser for the end-to-end tests (Playwright drives /usr/bin/chromium)
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
