import pytest

from brokerhub import errors


def test_every_error_has_a_4xx_or_5xx_status() -> None:
    def walk(cls: type[errors.BrokerHubError]) -> list[type[errors.BrokerHubError]]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in walk(child))]

    classes = walk(errors.BrokerHubError)
    assert len(classes) >= 18
    assert all(400 <= cls.http_status < 600 for cls in classes)


@pytest.mark.parametrize(
    ("cls", "branch", "status"),
    [
        (errors.ReauthorizationRequired, errors.RejectedError, 401),
        (errors.InsufficientFunds, errors.InvalidOrder, 400),
        (errors.NotFound, errors.RejectedError, 404),
        (errors.UnsupportedOperation, errors.RejectedError, 501),
        (errors.BrokerTimeout, errors.UnavailableError, 504),
        (errors.BrokerUnavailable, errors.UnavailableError, 503),
    ],
)
def test_errors_sit_on_the_branch_that_says_whether_to_retry(
    cls: type[errors.BrokerHubError], branch: type[errors.BrokerHubError], status: int
) -> None:
    assert issubclass(cls, branch)
    assert cls.http_status == status


def test_rate_limited_carries_retry_after_and_context() -> None:
    error = errors.RateLimited("slow down", retry_after=1.5, broker="alpaca", broker_code="429")
    assert isinstance(error, errors.UnavailableError)
    assert (error.retry_after, error.broker, error.broker_code, str(error)) == (
        1.5,
        "alpaca",
        "429",
        "slow down",
    )
