"""Production store: DynamoDB through boto3.

Items have the layout of the ASK SDK's DynamoDB adapter (`id`, `attributes`), so a table it
wrote reads the same, plus what the stock adapter does not do:

- conditional writes: every item carries a `version`; a save succeeds only if the version is
  still the one that was read (errors.VersionConflict otherwise), so concurrent sessions of one
  person lose no update;
- numbers: DynamoDB returns Decimal and rejects float; values are converted both ways.

The stock adapter itself is not used: it needs a boto3 resource, and a resource costs a cold
start about 10 ms more than the low-level client this store uses (bench/README.md); importing
it also builds a second resource in a default argument.

The client is built with short timeouts and few retries, so a slow or failing table costs a
sleepy person at most a couple of seconds, never a crash. Nothing here is imported until a
request needs state (see store.LazyStore).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from ..log_config import quiet_third_parties
from .errors import VERSION, VersionConflict, split_version
from .sqlite import user_key

quiet_third_parties()  # botocore would log every item's key (the Alexa user id) at DEBUG

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


def create_client(
    region: str | None,
    endpoint_url: str | None = None,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> Any:
    """A boto3 DynamoDB client with short timeouts (endpoint: AWS_ENDPOINT_URL_DYNAMODB)."""
    import boto3
    from botocore.config import Config as BotoConfig

    return boto3.client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url,
        config=BotoConfig(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        ),
    )


PARTITION_KEY = "id"  # the SDK adapter's names, so its tables read the same
ATTRIBUTES = "attributes"
VERSION_FIELD = "version"


_SERIALIZE = TypeSerializer().serialize
_DESERIALIZE = TypeDeserializer().deserialize


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    """Plain values -> DynamoDB's typed wire form ({"S": ...}, {"N": ...}, {"M": ...})."""
    return {name: _SERIALIZE(to_dynamo(value)) for name, value in item.items()}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: from_dynamo(_DESERIALIZE(value)) for name, value in item.items()}


class DynamoDbStore(AbstractPersistenceAdapter):
    """Per-person attributes in one DynamoDB item each, with version-checked writes."""

    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self.client = client

    def _key(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        return _typed({PARTITION_KEY: user_key(request_envelope)})

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        try:
            response = self.client.get_item(
                TableName=self.table_name, Key=self._key(request_envelope), ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as error:
            raise PersistenceException(f"read failed: {type(error).__name__}") from error
        item = _plain(response.get("Item") or {})
        if not item:
            return {}
        attributes: dict[str, Any] = item.get(ATTRIBUTES) or {}
        attributes[VERSION] = item.get(VERSION_FIELD, 0)
        return attributes

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        key = user_key(request_envelope)
        expected, data = split_version(attributes)
        new_version = (expected or 0) + 1
        condition: dict[str, Any]
        if expected is None:
            condition = {
                "ConditionExpression": "attribute_not_exists(#k)",
                "ExpressionAttributeNames": {"#k": PARTITION_KEY},
            }
        else:
            # Version 0 is an item written without one (by the SDK's stock adapter).
            expression = (
                "#v = :expected" if expected else "attribute_not_exists(#v) OR #v = :expected"
            )
            condition = {
                "ConditionExpression": expression,
                "ExpressionAttributeNames": {"#v": VERSION_FIELD},
                "ExpressionAttributeValues": _typed({":expected": expected}),
            }
        item = _typed({PARTITION_KEY: key, ATTRIBUTES: data, VERSION_FIELD: new_version})
        try:
            self.client.put_item(TableName=self.table_name, Item=item, **condition)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException":
                raise VersionConflict("attributes changed since they were read") from error
            raise PersistenceException(f"write failed: {code}") from error
        except BotoCoreError as error:
            raise PersistenceException(f"write failed: {type(error).__name__}") from error
        attributes[VERSION] = new_version

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        try:
            self.client.delete_item(TableName=self.table_name, Key=self._key(request_envelope))
        except (ClientError, BotoCoreError) as error:
            raise PersistenceException(f"delete failed: {type(error).__name__}") from error


def open_dynamodb(table_name: str, client: Any) -> AbstractPersistenceAdapter:
    return DynamoDbStore(table_name, client)
