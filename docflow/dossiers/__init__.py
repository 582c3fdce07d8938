"""Work dossiers (hồ sơ công việc): the yearly list, dossiers, their documents, archive export."""
