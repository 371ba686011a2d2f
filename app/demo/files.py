"""Demo photos and files on action items (drawn here: no binary in the repository)."""
import io

from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from ..attachments.services import attach


def _photo(width: int, height: int, lanes: int) -> bytes:
    """Something like a washing bay seen from above: a grey floor, yellow lane lines, cars."""
    image = Image.new("RGB", (width, height), (118, 124, 130))
    draw = ImageDraw.Draw(image)
    lane = width // lanes
    for n in range(lanes):
        x = n * lane
        draw.rectangle((x + 6, 0, x + 14, height), fill=(232, 190, 40))
        if n % 2 == 0:
            draw.rounded_rectangle((x + lane // 4, height // 4, x + 3 * lane // 4, 3 * height // 4), 30,
                                   fill=(30, 70, 140) if n % 4 == 0 else (200, 200, 205))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def load_files(items: dict, staff: dict) -> None:
    """`items`: demo action items by a short name; `staff`: the demo staff by username."""
    attach("action_item", items["wash"], FileStorage(io.BytesIO(_photo(1600, 1200, 4)), filename="洗车区现状.jpg"),
           staff["staff1"])
    attach("action_item", items["wash"], FileStorage(io.BytesIO(_photo(1200, 1600, 3)), filename="排队车辆.jpg"),
           staff["staff1"])
    models = "车型\t故障\t返修次数\nA 款 SUV\t空调异响\t3\nB 款轿车\t机油渗漏\t2\n".encode()
    attach("action_item", items["models"], FileStorage(io.BytesIO(models), filename="返修车型清单.txt"),
           staff["staff3"])
