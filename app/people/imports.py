"""Onboarding a store in one step: people read from a spreadsheet (app/uploads.py reads the file),
checked row by row, and added all together or not at all."""
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import validation
from ..auth.models import POSITIONS, ROLES, Store, User
from ..extensions import db
from ..uploads import Layout, Upload, read_table
from .services import EMAIL, USERNAME, add_person

COLUMNS = ("name", "username")  # required; role (default staff), position, phone and e-mail may be left out
HEADER_NAMES = {
    "name": "name", "姓名": "name", "名字": "name",
    "username": "username", "用户名": "username", "账号": "username", "登录名": "username",
    "role": "role", "角色": "role",
    "position": "position", "岗位": "position", "职位": "position",
    "phone": "phone", "电话": "phone", "手机": "phone", "手机号": "phone",
    "email": "email", "e-mail": "email", "邮箱": "email", "电子邮件": "email",
}
# Other words a sheet may use besides the labels the interface shows.
ROLE_WORDS = {"售后经理": "manager", "员工": "staff", "管理员": "admin", "总经理": "gm"}
# Older names people still write (the labels now say 信息员 and 索赔员).
POSITION_WORDS = {"信息主管": "information_supervisor", "保修鉴定员": "warranty_assessor", "sa": "service_advisor"}
LAYOUT = Layout(
    columns=COLUMNS,
    header_names=HEADER_NAMES,
    too_wide=lambda n: _("The first row has more than %(n)d columns. Keep only the columns name, username, "
                         "role, position, phone and email.", n=n),
    missing=lambda columns: _("The first row must name at least the columns name and username (or 姓名, "
                              "用户名). Missing: %(columns)s.", columns=columns),
)


@dataclass
class PeopleImport:
    """The rows as read and, per row number, what is wrong with it; nothing is added while any is."""

    rows: list[dict]
    row_numbers: list[int]
    problems: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def rows_with_problems(self):
        """(row number, row, problems) for the report, in file order."""
        return [(n, row, self.problems[n]) for n, row in zip(self.row_numbers, self.rows, strict=True) if n in self.problems]


def read_people(filename: str, stream) -> Upload:
    return read_table(filename, stream, LAYOUT)


def check_rows(upload: Upload, allowed_roles: list[str]) -> PeopleImport:
    roles, positions = _names(ROLES, ROLE_WORDS), _names(POSITIONS, POSITION_WORDS)
    taken = set()
    checked = PeopleImport([], upload.row_numbers)
    for number, raw in zip(upload.row_numbers, upload.rows, strict=True):
        row = {key: _text(raw.get(key)) for key in HEADER_NAMES.values()}
        problems = []
        if not row["name"] or len(row["name"]) > 80 or not validation.is_clean_text(row["name"], False):
            problems.append(_("The name is missing, too long or holds control characters."))
        username = row["username"].lower()
        if not USERNAME.match(username):
            problems.append(_("The username must have 2 to 64 lower-case letters, digits, dots, dashes or "
                              "underscores."))
        elif username in taken:
            problems.append(_("The username %(name)s appears twice in the file.", name=username))
        elif db.session.scalar(select(User.id).where(User.username == username)):
            problems.append(_("The username %(name)s is taken.", name=username))
        taken.add(username)
        role = roles.get(row["role"].lower()) if row["role"] else "staff"
        if role is None:
            problems.append(_("Unknown role “%(role)s”.", role=row["role"][:40]))
        elif role not in allowed_roles:
            problems.append(_("You may not add someone with the role %(role)s.", role=ROLES[role]))
        position = positions.get(row["position"].lower()) if row["position"] else None
        if row["position"] and position is None:
            problems.append(_("Unknown position “%(position)s”.", position=row["position"][:40]))
        if row["phone"] and (len(row["phone"]) > 40 or not all(c.isdigit() or c in "+()- " for c in row["phone"])):
            problems.append(_("The phone number is not valid."))
        if row["email"] and (len(row["email"]) > 120 or not EMAIL.match(row["email"])):
            problems.append(_("The e-mail address is not valid."))
        if problems:
            checked.problems[number] = problems
        checked.rows.append({**row, "username": username, "role": role, "position": position})
    return checked


def add_people(checked: PeopleImport, store: Store) -> list[tuple[User, str]]:
    """Everyone in the file, each with a temporary password (returned, shown once)."""
    return [add_person(store=store, username=row["username"], display_name=row["name"], role=row["role"],
                       position=row["position"], phone=row["phone"], email=row["email"])
            for row in checked.rows]


def _names(labels: dict, words: dict) -> dict[str, str]:
    """Code, English label and Chinese label (lower case) → code: a sheet may say any of them."""
    names = {code: code for code in labels} | words
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            names.update({str(label).lower(): code for code, label in labels.items()})
    return names


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number Excel stored as a number
    return str(value).strip()
