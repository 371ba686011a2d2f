"""What an uploaded file is, decided by its content (never by its name), and photos made safe to keep.

- Accepted: photos (JPEG, PNG, WebP; AVIF, and HEIC/HEIF when Pillow has a plugin for it), PDF,
  Word (.docx) and Excel (.xlsx) files, plain text (UTF-8 or GB18030). Anything else is refused with
  a message that names the file and says what can be attached. A name or a browser type that claims
  a photo on content that is not one gets a message of its own.
- Photos: the width × height is read from the header and refused above ATTACHMENT_MAX_PIXELS before
  any pixel is decoded (a decompression bomb costs nothing); JPEGs decode at a reduced scale when
  they will be shrunk anyway. The EXIF orientation is applied, the long side shrunk to
  ATTACHMENT_IMAGE_SIZE, and the image written anew from its pixels alone: no EXIF (so no GPS
  location), no XMP, no comments; only the colour profile is kept. A JPEG thumbnail goes beside it.
- The stored name is the uploaded name cleaned (no folders, no control or direction characters, at
  most 100 characters) with the extension of the type found, so a download opens with the right program.
"""
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageOps

from ..common import RuleViolation

# Pillow's own guard, for any code path that opens an image: above twice this it refuses outright.
Image.MAX_IMAGE_PIXELS = 50_000_000

MB = 1024 * 1024

# kind -> (Pillow format, content type, suffix); output photos are JPEG, PNG or WebP.
IMAGE_TYPES = {
    "jpeg": ("JPEG", "image/jpeg", ".jpg"),
    "png": ("PNG", "image/png", ".png"),
    "webp": ("WEBP", "image/webp", ".webp"),
    "avif": ("AVIF", "image/jpeg", ".jpg"),  # kept as JPEG: every browser shows it
    "heic": ("HEIF", "image/jpeg", ".jpg"),
}
FILE_TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "text": ("text/plain; charset=utf-8", ".txt"),
}
# What the upload field offers (a hint to the browser; the content decides).
ACCEPT = ("image/*,.jpg,.jpeg,.png,.webp,.heic,.heif,.avif,.pdf,application/pdf,.docx,.xlsx,.txt,text/plain")
IMAGE_NAME = re.compile(r"\.(jpe?g|png|webp|heic|heif|avif|gif|bmp|tiff?)$", re.IGNORECASE)
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class Prepared:
    kind: str  # "image" or "file"
    content_type: str
    suffix: str
    data: bytes
    file_name: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def human_size(size: int) -> str:
    """Bytes as people read them: 512 bytes, 97.7 KB, 10 MB (in the page's language)."""
    if size < 1024:
        return _("%(n)s bytes", n=format_decimal(size))
    if size < MB:
        return _("%(n)s KB", n=format_decimal(round(size / 1024, 1)))
    return _("%(n)s MB", n=format_decimal(round(size / MB, 1)))


def sniff(data: bytes) -> str | None:
    """The type the bytes are: a key of IMAGE_TYPES or FILE_TYPES, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, min(len(data), 64), 4)}
        if brands & AVIF_BRANDS:
            return "avif"
        if brands & HEIC_BRANDS:
            return "heic"
        return None
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    if _text(data) is not None:
        return "text"
    return None


def _office(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()  # the central directory only: nothing is unpacked
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def _text(data: bytes) -> str | None:
    if not data or b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if CONTROL.search(text) else text
    return None


def clean_file_name(name: str | None, suffix: str) -> str:
    """The name to show and to download under: no folders, no control or formatting characters
    (NUL, right-to-left overrides), no leading dots, at most 100 characters, and `suffix`."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith(("C", "Z")) or ch == " ")
    name = name.strip().lstrip(".").strip()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip()[:100].strip() or "file"
    return stem + suffix


def prepare(file_name: str | None, declared_type: str | None, data: bytes, *, max_bytes: int, max_pixels: int,
            image_size: int, thumbnail_size: int) -> Prepared:
    """Check an upload and make what is stored of it. Raises RuleViolation with a message for people."""
    shown = clean_file_name(file_name, "")
    if len(data) > max_bytes:
        raise RuleViolation(_("“%(name)s” is larger than %(size)s. Send a smaller file or a photo taken at a "
                              "lower resolution.", name=shown, size=human_size(max_bytes)))
    if not data:
        raise RuleViolation(_("“%(name)s” is empty.", name=shown))
    kind = sniff(data)
    claims_image = bool(IMAGE_NAME.search(file_name or "")) or (declared_type or "").startswith("image/")
    if kind in IMAGE_TYPES:
        return _prepare_image(kind, file_name, data, shown, max_pixels, image_size, thumbnail_size)
    if claims_image:
        raise RuleViolation(_("“%(name)s” is not a photo: its content is not a JPEG, PNG or WebP image. "
                              "Take the photo again or choose another file.", name=shown))
    if kind is None:
        raise RuleViolation(_("“%(name)s” cannot be attached: only photos (JPEG, PNG, WebP), PDF, Word (.docx), "
                              "Excel (.xlsx) and plain text files can.", name=shown))
    content_type, suffix = FILE_TYPES[kind]
    if kind == "text":
        data = _text(data).encode("utf-8")  # GB18030 text is kept as UTF-8, as it is served
    return Prepared("file", content_type, suffix, data, clean_file_name(file_name, suffix))


def _prepare_image(kind, file_name, data, shown, max_pixels, image_size, thumbnail_size) -> Prepared:
    pillow_format, content_type, suffix = IMAGE_TYPES[kind]
    Image.init()
    if pillow_format not in Image.OPEN:
        raise RuleViolation(_("“%(name)s” is a HEIC/HEIF photo, which cannot be read here. Set the phone's "
                              "camera to save JPEG (“Most compatible”) or send the photo as JPEG.", name=shown))
    def too_big():  # messages are made when needed: gettext outside a request fixes the locale
        return RuleViolation(_("“%(name)s” has more than %(mp)d megapixels. Send a smaller photo.", name=shown,
                               mp=max_pixels // 1_000_000))

    try:
        image = Image.open(io.BytesIO(data), formats=[pillow_format])  # reads the header only
        if image.width * image.height > max_pixels:
            raise too_big()
        image.draft("RGB", (image_size, image_size))  # JPEG: decode at 1/2, 1/4, 1/8 when that is enough
        image.load()
        icc_profile = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        image = _pixels_only(image)
        image.thumbnail((image_size, image_size), Image.Resampling.LANCZOS)
    except RuleViolation:
        raise
    except Image.DecompressionBombError:
        raise too_big() from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, Image.UnidentifiedImageError):
        raise RuleViolation(_("“%(name)s” could not be read as a photo: the file is damaged or incomplete.",
                              name=shown)) from None
    out_format = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type]
    if out_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = _on_white(image)
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if out_format in ("JPEG", "WEBP"):
        options["quality"] = 85
    stored = io.BytesIO()
    image.save(stored, out_format, **options)
    thumb = image.copy()
    thumb.thumbnail((thumbnail_size, thumbnail_size), Image.Resampling.LANCZOS)
    thumbnail = io.BytesIO()
    _on_white(thumb).save(thumbnail, "JPEG", quality=80)
    return Prepared("image", content_type, suffix, stored.getvalue(), clean_file_name(file_name, suffix),
                    image.width, image.height, thumbnail.getvalue())


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of the pixels alone: nothing of the file's metadata (EXIF, XMP, comments)
    comes along, whatever a format's writer would otherwise copy."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = image.mode in ("P", "PA") and "transparency" in image.info or "A" in image.getbands()
        image = image.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image
