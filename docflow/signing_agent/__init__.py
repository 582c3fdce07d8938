"""Signing with the leader's own USB token through the signing agent on their PC.

The server hands out single-use, short-lived tickets (one per document version); the
agent downloads the approved PDF with the ticket, signs it on the token and posts it
back; the upload handler accepts it only if it is the approved bytes plus exactly one
valid signature by a certificate registered to that leader (``services.accept_signed``).
"""
