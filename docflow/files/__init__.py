"""Files: a database record for every stored object, uploads, storage maintenance."""
