"""Document types per step: read from the model, validated with line numbers."""

from __future__ import annotations

from anskaf.process.loader import load_default

from .test_loader import DEFAULT, line_of, the_problem


def test_the_default_model_names_the_required_and_confidential_documents():
    model = load_default()
    contract = model.step(12).document_type("signed_contract")
    dpa = model.step(11).document_type("data_processing_agreement")
    assert contract and contract.required and contract.confidential and contract.journal
    assert dpa and dpa.required and dpa.confidential
    assert contract.title.da == "Underskrevet kontrakt"
    step4 = {d.key: d for d in model.step(4).documents}
    assert step4["security_description"].confidential
    assert step4["configuration_schema"].confidential
    assert not step4["product_description"].confidential
    assert not any(d.required for d in step4.values())
    assert {d.key for d in model.step(13).documents if d.required} == {
        "migration_agreement", "archiving_agreement"}


def test_a_non_boolean_required_flag_is_named_with_its_line():
    text = DEFAULT.replace("        required: true\n        confidential: true",
                           "        required: ja\n        confidential: true", 1)
    problem = the_problem(text, "'required' must be true or false")
    assert problem.line == line_of(text, "required: ja")


def test_a_document_key_used_in_two_steps_is_named_at_the_second():
    text = DEFAULT.replace("- key: business_case", "- key: product_description", 1)
    problem = the_problem(text, "document key 'product_description' is used twice")
    assert "steps 2 and 4" in problem.message
    assert problem.line == line_of(text, "- key: product_description",
                                   after=line_of(text, "- key: product_description"))


def test_a_document_type_without_title_is_named():
    text = DEFAULT.replace('        title: {da: "Projektplan", en: "Project plan"}\n', "", 1)
    problem = the_problem(text, "'title' is missing")
    assert problem.line == line_of(text, "- key: project_plan")


def test_a_document_key_with_odd_characters_is_refused():
    text = DEFAULT.replace("- key: project_plan", "- key: project/plan", 1)
    problem = the_problem(text, "may only use letters, digits and _")
    assert problem.line == line_of(text, "- key: project/plan")


def test_documents_must_be_a_list():
    text = DEFAULT.replace("    documents:\n      - key: project_plan",
                           "    documents: project_plan\n    x_documents:\n      - key: project_plan", 1)
    assert the_problem(text, "'documents' must be a list").line == line_of(
        text, "documents: project_plan")
