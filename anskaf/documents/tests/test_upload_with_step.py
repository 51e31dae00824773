"""Issue 20 "No lost typing": the upload is part of the step's form. Its remarks and ticks are
saved with the files in one transaction; a refusal saves nothing and keeps what was typed."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.cases.models import StepState
from anskaf.documents.models import DocumentVersion
from anskaf.documents.testing import MINIMAL_PDF

from .conftest import stored_names


def _post(client: Client, case, **data):
    files = [SimpleUploadedFile("Produkt.pdf", MINIMAL_PDF, "application/pdf")]
    return client.post(reverse("documents:upload", args=[case.pk, 4]),
                       {"type": "product_description", "files": files, **data})


def test_the_step_form_upload_saves_remarks_ticks_and_files_together(coordinator, case):
    testing.advance(coordinator, case, through=3)
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'form="trin-4-formular"' in page and "data-upload-button" in page
    state = StepState.objects.get(case=case, number=4)
    response = _post(client, case, remarks="Skrevet før upload", checked=["4.1"],
                     version=str(state.version))
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.remarks == "Skrevet før upload" and state.checked == ["4.1"]
    assert DocumentVersion.objects.filter(original_name="Produkt.pdf").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Skrevet før upload" in page and "Bemærkninger og tjekliste er gemt" in page


def test_a_stale_step_form_upload_stores_nothing_and_keeps_the_typing(coordinator, case, store):
    from anskaf.cases import services

    testing.advance(coordinator, case, through=3)
    version = StepState.objects.get(case=case, number=4).version
    services.step_update(actor=coordinator, case_id=case.pk, number=4, remarks="Fra en anden")
    before = set(stored_names(store))
    client = Client()
    client.force_login(coordinator)
    response = _post(client, case, remarks="Min tekst", checked=["4.1"], version=str(version))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Min tekst" in html and "Fra en anden" in html  # typed kept, newer state shown
    assert not DocumentVersion.objects.exists()
    assert set(stored_names(store)) == before  # the written file was removed again
    assert StepState.objects.get(case=case, number=4).remarks == "Fra en anden"
