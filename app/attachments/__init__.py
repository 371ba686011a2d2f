"""Photos and files attached to objects of higher features (action items, cases, problems...).

This package knows none of them. A feature plugs in by registering an owner type once, at import
(`registry.register_owner`), and includes the panel on its page (`attachment_panel(...)` in a
template). Files are checked by their content (`processing.py`), photos shrunk and stripped of
EXIF, and the bytes kept through `app/storage.py` (a folder or an S3-compatible bucket); every file
is served by a route that asks the owner's `can_view` first. README, "Files and photos".
"""
