import pytest

from app.auth.models import STAFF


@pytest.fixture
def advisor(make_user, store):
    return make_user(STAFF, store, username="adv", position="service_advisor", name="Advisor Wang")
