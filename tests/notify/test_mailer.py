"""The SMTP mailer against a local server that requires STARTTLS and a login."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notify.config import SmtpSettings
from notify.mailer import MailerError, SmtpMailer, SmtpUnreachable
from notify.outbox import compose
from tests.notify.conftest import Inbox, free_port

USER, PASSWORD = "pulse", "s3cret-for-tests"


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def tls_server(tmp_path):
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=_authenticator,
                            auth_exclude_mechanism=["LOGIN"])  # smtplib then uses PLAIN only
    controller.start()
    yield port, inbox, str(cert)
    controller.stop()


def _msg():
    return compose(sender="pulse@example.com", to=["lead@example.com"], cc=["desk@example.com"],
                   subject="Test ✓", text="plain", html="<p>html</p>")


def test_starttls_and_login_deliver(tls_server):
    port, inbox, ca = tls_server
    settings = SmtpSettings(host="127.0.0.1", port=port, user=USER, password=PASSWORD, starttls=True,
                            timeout=5, ca_file=ca)
    with SmtpMailer(settings) as mailer:
        mailer.send(_msg())
    [(rcpt, msg)] = inbox.messages()
    assert rcpt == ["lead@example.com", "desk@example.com"] and msg["Subject"] == "Test ✓"
    assert msg.get_body(("html",)).get_content().strip() == "<p>html</p>"


def test_wrong_password_is_a_clear_error(tls_server):
    port, inbox, ca = tls_server
    settings = SmtpSettings(host="127.0.0.1", port=port, user=USER, password="wrong", starttls=True,
                            timeout=5, ca_file=ca)
    with pytest.raises(SmtpUnreachable, match="refused the login for 'pulse'"), SmtpMailer(settings) as mailer:
        mailer.send(_msg())
    assert inbox.messages() == []


def test_untrusted_certificate_is_refused(tls_server):
    port, _, _ = tls_server
    settings = SmtpSettings(host="127.0.0.1", port=port, user=USER, password=PASSWORD, starttls=True, timeout=5)
    with pytest.raises(SmtpUnreachable, match="SMTP session with 127.0.0.1"), SmtpMailer(settings) as mailer:
        mailer.send(_msg())


def test_server_requiring_tls_refuses_plain_session(tls_server):
    port, inbox, _ = tls_server
    settings = SmtpSettings(host="127.0.0.1", port=port, user=USER, password=PASSWORD, starttls=False, timeout=5)
    with pytest.raises(MailerError), SmtpMailer(settings) as mailer:
        mailer.send(_msg())
    assert inbox.messages() == []


def test_unreachable_server_message_names_host_and_port():
    port = free_port()
    with pytest.raises(SmtpUnreachable, match=f"Cannot reach the SMTP server at 127.0.0.1:{port}"), \
            SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, timeout=2)) as mailer:
        mailer.send(_msg())
