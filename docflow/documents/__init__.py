"""Incoming documents (văn bản đến): receive, register, assign, process, deadlines."""
