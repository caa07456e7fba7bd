"""The error table: each condition gives one status and one message, on the API and on web pages."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from app.core import errors
from app.core import exceptions as domain


def answer(exc):
    """What a client of any API view gets when the view (or a service it calls) raises `exc`."""

    class Raising(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            raise exc

    return Raising.as_view()(APIRequestFactory().get("/"))


# (what is raised, status, body): one row of `errors.STATUS_BY_EXCEPTION` each, plus Django's own.
ROWS = [
    (domain.Invalid("Bad dates."), 400, {"detail": "Bad dates.", "code": "invalid"}),
    (
        domain.PaymentDeclined(),
        402,
        {"detail": "The payment was not approved. Please use another card.", "code": "payment_declined"},
    ),
    (
        domain.PermissionDenied(),
        403,
        {"detail": "You do not have permission to perform this action.", "code": "permission_denied"},
    ),
    (domain.NotFound("No such slot."), 404, {"detail": "No such slot.", "code": "not_found"}),
    (
        domain.IdempotencyKeyReused(),
        422,
        {"detail": "This Idempotency-Key was already used for a different request.", "code": "idempotency_key_reused"},
    ),
    (domain.InUse("It has orders."), 409, {"detail": "It has orders.", "code": "in_use"}),
    (
        domain.Busy(),
        409,
        {"detail": "Someone else is changing this right now. Please try again in a moment.", "code": "busy"},
    ),
    (domain.Conflict("Already cancelled."), 409, {"detail": "Already cancelled.", "code": "conflict"}),
    (
        domain.Throttled(),
        429,
        {"detail": "Too many attempts. Please wait a little and try again.", "code": "throttled"},
    ),
    (
        domain.OutcomePending(),
        202,
        {
            "detail": "We are confirming the outcome with the provider. Do not retry; check back in a few minutes.",
            "code": "outcome_pending",
        },
    ),
    (
        domain.ProviderUnavailable(),
        503,
        {
            "detail": "A service we depend on is not answering. Please try again in a few minutes.",
            "code": "provider_unavailable",
        },
    ),
    (
        domain.DatabaseUnavailable(),
        503,
        {
            "detail": "The service is briefly unavailable. Please try again in a few seconds.",
            "code": "database_unavailable",
        },
    ),
    (domain.DomainError(), 400, {"detail": "The request could not be completed.", "code": "error"}),
]


@pytest.mark.parametrize(("exc", "status", "body"), ROWS, ids=[type(row[0]).__name__ for row in ROWS])
def test_each_domain_error_has_its_status_and_message(exc, status, body):
    response = answer(exc)
    assert response.status_code == status
    assert response.data == body


def test_every_row_of_the_table_is_tested():
    assert {cls for cls, _ in errors.STATUS_BY_EXCEPTION} == {type(row[0]) for row in ROWS}


def test_field_errors_name_the_fields_under_fields_with_a_general_detail():
    response = answer(domain.Invalid(fields={"end": ["The end must be after the start."]}))
    assert response.status_code == 400
    assert response.data == {
        "detail": "Some of the information given is not valid.",
        "code": "invalid",
        "fields": {"end": ["The end must be after the start."]},
    }


def test_a_general_message_and_field_errors_both_reach_the_client():
    response = answer(domain.Invalid("You cannot deactivate your own account.", fields={"is_active": ["No."]}))
    assert response.data == {
        "detail": "You cannot deactivate your own account.",
        "code": "invalid",
        "fields": {"is_active": ["No."]},
    }


def test_extra_data_joins_the_body_but_never_hides_the_message():
    response = answer(domain.PaymentDeclined(data={"status": "failed", "detail": "ignored", "code": "ignored"}))
    assert response.status_code == 402
    assert response.data == {
        "status": "failed",
        "detail": "The payment was not approved. Please use another card.",
        "code": "payment_declined",
    }


def test_django_validation_error_with_fields_is_a_400_naming_them():
    response = answer(DjangoValidationError({"seats": ["Too few."], "__all__": ["Overlaps."]}))
    assert response.status_code == 400
    assert response.data == {"detail": "Overlaps.", "code": "invalid", "fields": {"seats": ["Too few."]}}


def test_django_validation_error_with_messages_is_a_400_with_detail():
    response = answer(DjangoValidationError(["First.", "Second."]))
    assert response.status_code == 400
    assert response.data == {"detail": "First. Second.", "code": "invalid"}


def test_protected_error_is_a_409_in_use():
    response = answer(ProtectedError("protected", set()))
    assert response.status_code == 409
    assert response.data == {
        "detail": "This cannot be deleted because other records still refer to it.",
        "code": "in_use",
    }


def test_a_lock_time_out_is_a_409_busy_to_retry():
    response = answer(OperationalError("database is locked"))
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert "try again" in response.data["detail"] and response.data["code"] == "busy"


def test_other_database_errors_are_not_hidden():
    with pytest.raises(OperationalError):
        answer(OperationalError("no such table: x"))


def test_a_unique_clash_no_validator_caught_is_a_409_and_names_the_constraint_in_the_log(caplog):
    response = answer(IntegrityError("UNIQUE constraint failed: index 'organization_name_ci_unique'"))
    assert response.status_code == 409
    assert response.data == {
        "detail": "This clashes with a record that already exists (a name or address already in use?).",
        "code": "conflict",
    }
    assert "organization_name_ci_unique" in caplog.text


def test_a_check_constraint_broken_by_the_input_is_a_400():
    response = answer(IntegrityError("CHECK constraint failed: membership_price_not_negative"))
    assert response.status_code == 400
    assert response.data == {"detail": "Some of the information given is not valid.", "code": "invalid"}


def test_drf_own_errors_keep_their_answer():
    response = answer(MethodNotAllowed("PUT"))
    assert response.status_code == 405
    assert response.data == {"detail": 'Method "PUT" not allowed.', "code": "method_not_allowed"}


def test_a_bare_drf_validation_error_still_answers_the_error_shape():
    # DRF alone would answer a JSON list, which no client of this API expects.
    response = answer(ValidationError(["First.", "Second."]))
    assert response.status_code == 400
    assert response.data == {"detail": "First. Second.", "code": "invalid"}


def test_web_pages_get_the_same_message():
    assert errors.user_message(domain.InUse("It has orders.")) == "It has orders."
    assert errors.user_message(DjangoValidationError({"end": ["The end must be after the start."]})) == (
        "The end must be after the start."
    )
    assert errors.user_message(OperationalError("database is locked")) == str(domain.Busy.default_message)
    assert errors.user_message(KeyError("x")) == "Something went wrong on our side. The team has been told."


def test_forms_get_field_errors_on_their_fields_and_the_rest_on_top():
    error = errors.as_validation_error(
        domain.Invalid("Check the dates.", fields={"end": ["Too early."], "ranges": ["Overlap."]}),
        known_fields=["end"],
    )
    assert error.message_dict == {"end": ["Too early."], "__all__": ["Check the dates.", "Overlap."]}
