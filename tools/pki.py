"""A certificate authority made on the spot, shaped like Alexa's signing chain (tests, bench)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(
    name: str,
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: rsa.RSAPrivateKey,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer.subject if issuer else _name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    authority = issuer.public_key() if issuer else key.public_key()
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(authority),  # type: ignore[arg-type]
        critical=False,
    )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True, slots=True)
class Chain:
    root: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    pem: bytes  # leaf + intermediate, as Alexa's cert chain URL serves it

    def sign(self, body: bytes) -> str:
        signature = self.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()


class Authority:
    """A root and an intermediate; issues leaves like echo-api.amazon.com's."""

    def __init__(self, name: str = "Cramp Coach Test Root") -> None:
        self.root_key = _key()
        self.root = _ca(name, self.root_key, None, self.root_key)
        self.intermediate_key = _key()
        self.intermediate = _ca(
            name + " Intermediate", self.intermediate_key, self.root, self.root_key
        )

    def chain(
        self,
        dns_name: str = "echo-api.amazon.com",
        not_before: timedelta = timedelta(days=-1),
        not_after: timedelta = timedelta(days=30),
    ) -> Chain:
        key = _key()
        now = datetime.now(UTC)
        leaf = (
            x509.CertificateBuilder()
            .subject_name(_name(dns_name))
            .issuer_name(self.intermediate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + not_before)
            .not_valid_after(now + not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, False, True, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.intermediate_key.public_key()
                ),
                critical=False,
            )
            .sign(self.intermediate_key, hashes.SHA256())
        )
        pem = leaf.public_bytes(serialization.Encoding.PEM) + self.intermediate.public_bytes(
            serialization.Encoding.PEM
        )
        return Chain(self.root, key, pem)
