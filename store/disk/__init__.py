"""The store on disk: the main file, its part files, atomic writes and the lock, migration."""
