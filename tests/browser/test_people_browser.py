"""The administrator onboards a store from a spreadsheet in a real browser (zh_CN): a new person logs
in with the temporary password and must choose their own; a deactivated person's open session is sent
to the login page at its next click."""
import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from app.auth.models import ADMIN, STAFF

from .steps import ZH_LOGIN, log_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "tea-kettle-harbour-42"


def people_sheet() -> bytes:
    book = Workbook()
    for row in [["姓名", "用户名", "角色", "岗位", "手机", "邮箱"],
                ["王芳", "wangfang", "服务经理", "", "13800138000", "wangfang@example.cn"],
                ["李娜", "lina", "员工", "服务顾问", "13900139000", ""],
                ["张伟", "zhangwei", "员工", "技师", "", ""]]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_admin_imports_a_store_and_deactivates_someone(new_context, make_store, make_user, artifacts):
    home = make_store("HQ", "集团总部")
    make_store("BJ1", "北京北四环4S店")
    make_user(ADMIN, home, username="root", name="系统管理员")
    leaver = make_user(STAFF, home, username="leaver", name="赵离职")
    desktop = {"viewport": {"width": 1280, "height": 900}}

    # The leaver is logged in before anything happens, in a browser of their own.
    leaver_page = new_context("zh-CN", **desktop).new_page()
    log_in(leaver_page, "leaver", ZH_LOGIN)

    admin = new_context("zh-CN", **desktop).new_page()
    log_in(admin, "root", ZH_LOGIN)
    admin.locator("nav.mainnav").get_by_text("更多").click()
    admin.locator("nav.mainnav").get_by_role("link", name="人员").click()
    admin.get_by_role("link", name="从表格导入人员").click()
    admin.locator("main").get_by_label("门店").select_option(label="BJ1 · 北京北四环4S店")
    admin.get_by_label("表格文件（.xlsx 或 .csv）").set_input_files(
        {"name": "people.xlsx", "buffer": people_sheet(),
         "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    admin.get_by_role("button", name="导入", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("已向北京北四环4S店添加 3 人")
    rows = admin.locator("#temporary-passwords tbody tr")
    expect(rows).to_have_count(3)
    admin.screenshot(path=artifacts / "40-people-import-result.png", full_page=True)
    temporary = rows.filter(has_text="lina").locator(".temporary-password").inner_text()

    # Li Na logs in with the temporary password and is made to choose her own.
    newcomer = new_context("zh-CN", **desktop).new_page()
    log_in(newcomer, "lina", ZH_LOGIN, password=temporary)
    expect(newcomer).to_have_url(re.compile(r"/account/password$"))
    newcomer.locator("nav.mainnav").get_by_role("link", name="会议").click()
    expect(newcomer).to_have_url(re.compile(r"/account/password$"))  # every page leads back here
    newcomer.get_by_label("当前密码").fill(temporary)
    newcomer.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="修改密码").click()
    expect(newcomer.get_by_text("你的密码已修改。")).to_be_visible()
    expect(newcomer).not_to_have_url(re.compile(r"/account/password"))

    # The administrator deactivates the leaver, after confirming.
    admin.get_by_role("link", name="返回人员列表").click()
    admin.locator("main").get_by_label("状态").select_option("all")
    admin.get_by_role("button", name="筛选").click()
    admin.screenshot(path=artifacts / "41-people-list.png", full_page=True)
    admin.locator(f"#person-{leaver.id}").get_by_role("link", name=re.compile("停用")).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("停用 赵离职？")
    admin.get_by_role("button", name="停用", exact=True).click()
    expect(admin.get_by_text("赵离职 已停用，无法再登录。")).to_be_visible()

    # The leaver's next click lands on the login page, and the login is refused.
    leaver_page.locator("nav.mainnav").get_by_role("link", name="会议").click()
    expect(leaver_page).to_have_url(re.compile(r"/login"))
    leaver_page.get_by_label("用户名", exact=True).fill("leaver")
    leaver_page.get_by_label("密码", exact=True).fill("secret-pass")
    leaver_page.get_by_role("button", name="登录", exact=True).click()
    expect(leaver_page).to_have_url(re.compile(r"/login"))
    expect(leaver_page.locator(".error")).to_be_visible()
