"""Production store: DynamoDB through ask-sdk-dynamodb-persistence-adapter and boto3.

Two things the stock adapter does not do are added here:

- conditional writes: every item carries a `version`; a save succeeds only if the version is
  still the one that was read (errors.VersionConflict otherwise), so concurrent sessions of one
  person lose no update;
- numbers: DynamoDB returns Decimal and rejects float; values are converted both ways.

The boto3 resource is built with short timeouts and few retries, so a slow or failing table
costs a sleepy person at most a couple of seconds, never a crash. Nothing here is imported
until a request needs state (see store.LazyStore).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from .errors import VERSION, VersionConflict
from .sqlite import user_key

CONNECT_TIMEOUT = 0.5  # seconds: DynamoDB answers in milliseconds when healthy
READ_TIMEOUT = 0.5
MAX_ATTEMPTS = 2  # one retry, for throttling and transient errors


def to_dynamo(value: Any) -> Any:
    """Python values -> what DynamoDB accepts (floats become Decimal)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    """DynamoDB values -> plain Python (Decimal becomes int or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    if isinstance(value, set):
        return sorted(from_dynamo(v) for v in value)
    return value


def create_resource(region: str | None, endpoint_url: str | None = None) -> Any:
    """A boto3 DynamoDB resource with short timeouts (endpoint: AWS_ENDPOINT_URL_DYNAMODB)."""
    import boto3
    from botocore.config import Config as BotoConfig

    # The stock adapter builds a resource in a default argument when it is imported; giving the
    # default session the region first keeps that from failing, and lets both share one loader.
    boto3.setup_default_session(region_name=region)
    return boto3.resource(
        "dynamodb",
        endpoint_url=endpoint_url,
        config=BotoConfig(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        ),
    )


def open_dynamodb(table_name: str, resource: Any) -> AbstractPersistenceAdapter:
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter
    from botocore.exceptions import BotoCoreError, ClientError

    class VersionedDynamoDbAdapter(DynamoDbAdapter):
        """The SDK adapter with version-checked writes and Decimal-safe values."""

        version_name = "version"

        def _table(self) -> Any:
            return self.dynamodb.Table(self.table_name)

        def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
            key = self.partition_keygen(request_envelope)
            try:
                response = self._table().get_item(
                    Key={self.partition_key_name: key}, ConsistentRead=True
                )
            except (ClientError, BotoCoreError) as error:
                raise PersistenceException(f"read failed: {type(error).__name__}") from error
            item = response.get("Item")
            if not item:
                return {}
            attributes: dict[str, Any] = from_dynamo(item.get(self.attribute_name) or {})
            attributes[VERSION] = from_dynamo(item.get(self.version_name, 0))
            return attributes

        def save_attributes(
            self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
        ) -> None:
            key = self.partition_keygen(request_envelope)
            expected = attributes.get(VERSION)
            data = {k: v for k, v in attributes.items() if k != VERSION}
            new_version = int(expected or 0) + 1
            condition: dict[str, Any]
            if expected is None:
                condition = {
                    "ConditionExpression": "attribute_not_exists(#k)",
                    "ExpressionAttributeNames": {"#k": self.partition_key_name},
                }
            else:
                condition = {
                    "ConditionExpression": "#v = :expected",
                    "ExpressionAttributeNames": {"#v": self.version_name},
                    "ExpressionAttributeValues": {":expected": int(expected)},
                }
            try:
                self._table().put_item(
                    Item={
                        self.partition_key_name: key,
                        self.attribute_name: to_dynamo(data),
                        self.version_name: new_version,
                    },
                    **condition,
                )
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                if code == "ConditionalCheckFailedException":
                    raise VersionConflict("attributes changed since they were read") from error
                raise PersistenceException(f"write failed: {code}") from error
            except BotoCoreError as error:
                raise PersistenceException(f"write failed: {type(error).__name__}") from error
            attributes[VERSION] = new_version

        def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
            key = self.partition_keygen(request_envelope)
            try:
                self._table().delete_item(Key={self.partition_key_name: key})
            except (ClientError, BotoCoreError) as error:
                raise PersistenceException(f"delete failed: {type(error).__name__}") from error

    keygen: Callable[[RequestEnvelope], str] = user_key
    adapter: AbstractPersistenceAdapter = VersionedDynamoDbAdapter(
        table_name=table_name,
        partition_keygen=keygen,
        dynamodb_resource=resource,
        create_table=False,
    )
    return adapter
