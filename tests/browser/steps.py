"""What every browser test does the same way: log in, and the phone it uses."""
import re

from playwright.sync_api import Page, expect

from ..conftest import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
NO_RELOAD = "window.__noReload = true"  # lost if the page is loaded again
ZH_LOGIN = ("用户名", "密码", "登录")


def log_in(page: Page, username: str, labels=("Username", "Password", "Log in"), password=PASSWORD) -> None:
    """Through the login form, as a person does (`labels` in the page's language)."""
    user_label, password_label, button = labels
    page.goto("/login")
    page.get_by_label(user_label, exact=True).fill(username)
    page.get_by_label(password_label, exact=True).fill(password)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
