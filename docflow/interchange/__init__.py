"""Document interchange between agencies: QCVN 102:2016 edXML packets, outbox, HTTP endpoints."""
