"""Home-page panels of this area (see ipcenter.web.home)."""
