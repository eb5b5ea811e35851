# SPDX-License-Identifier: EUPL-1.2
# smtp_server.py - a real SMTP server on loopback for the reminder tests:
# Debian's python3-aiosmtpd, STARTTLS required with the test's certificate,
# AUTH PLAIN/LOGIN required with the given user and password.  Each message
# received is written to stdout as one JSON line {from, to, data}; "ready"
# first.  Usage: smtp_server.py PORT CERT KEY USER PASSWORD
import asyncio
import json
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, cert, key, user, password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({'from': envelope.mail_from, 'to': envelope.rcpt_tos,
                          'data': envelope.content.decode('utf8', 'replace'),
                          'tls': session.ssl is not None,
                          'auth': session.authenticated}), flush=True)
        return '250 OK'


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
        and auth_data.password.decode() == password
    return AuthResult(success=ok)


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
controller = Controller(Handler(), hostname='127.0.0.1', port=int(port), tls_context=ctx,
                        require_starttls=True, auth_required=True, authenticator=authenticator,
                        auth_require_tls=True)
controller.start()
print('ready', flush=True)
try:
    asyncio.get_event_loop().run_forever()
finally:
    controller.stop()
