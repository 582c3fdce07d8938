"""Agencies (cơ quan), their departments (phòng ban) and the people who work in them."""
