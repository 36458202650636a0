"""Small helpers without Django."""
