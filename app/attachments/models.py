"""One attached photo or file: its owner (a type and an id, see registry.py) and where its bytes are."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutils import utcnow

IMAGE, FILE = "image", "file"


class Attachment(db.Model):
    # Audited with the owner's history (the action item's page lists "photo added"): see audit_subject.
    __audited__ = True
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    # No foreign key: the owner is any registered type (registry.py); its feature deletes the files
    # of an owner it deletes (services.delete_all_of).
    owner_type: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))  # image or file
    # Keys in the store (app/storage.py): made by the app, never from the file's name.
    storage_key: Mapped[str] = mapped_column(String(160), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(160))
    file_name: Mapped[str] = mapped_column(String(200))  # cleaned, with the extension of its real type
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]  # bytes as stored (a photo after shrinking)
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User] = relationship(lazy="joined")

    @property
    def is_image(self) -> bool:
        return self.kind == IMAGE

    @property
    def audit_subject(self) -> tuple[str, int]:
        """The history this belongs to: its owner's (app/audit reads this)."""
        return self.owner_type, self.owner_id
