"""Outgoing documents (văn bản đi): draft, review, the leader's signature, number and seal, issue."""
