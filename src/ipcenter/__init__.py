"""ipcenter: software that runs an intellectual property protection center."""
