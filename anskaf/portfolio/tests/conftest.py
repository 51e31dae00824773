from datetime import timedelta

import pytest
from django.utils import timezone

from anskaf import testing
from anskaf.portfolio import tasks
from anskaf.portfolio.fake_kitos import FakeKitos
from anskaf.portfolio.models import System


@pytest.fixture
def kitos(settings):
    """A KITOS on 127.0.0.1 (free port) that anskaf is configured to use."""
    fake = FakeKitos()
    fake.start()
    settings.KITOS_URL = fake.url
    settings.KITOS_EMAIL = fake.email
    settings.KITOS_PASSWORD = fake.password
    settings.KITOS_ORGANIZATION_UUID = fake.organisation_uuid
    settings.KITOS_TIMEOUT = 1
    yield fake
    fake.stop()


@pytest.fixture
def it_person(org):
    return testing.make_user(org, "it-medarbejder", "it")


@pytest.fixture
def old_system(org, unit):
    return System.objects.create(organisation=org, name="Gammelt ESDH", supplier="Acme",
                                 purpose="Journalisering af sager", owner_unit=unit,
                                 lifecycle="Operational", search_text="gammelt esdh acme "
                                 "journalisering af sager")


@pytest.fixture
def run_due():
    """The worker's periodic sweep (`anskaf.kitos_due`) once, as if every backoff had passed:
    each registration due by then is attempted (the tests' queue runs a task at once)."""
    def run(later: timedelta = timedelta(days=3)) -> int:
        return tasks.enqueue_due(timezone.now() + later)
    return run
