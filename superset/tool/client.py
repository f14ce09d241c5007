"""A small client of Superset's REST API (standard library only): log in with a user of the
database provider, then call the API with the access token and the CSRF token that Superset's
write endpoints want (kept with its session cookie)."""
import http.cookiejar
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request


class SupersetError(Exception):
    """Superset could not be reached, refused the login, or refused a request (exit code 1)."""


class Client:
    def __init__(self, url, timeout=120):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.token = None
        self.csrf = None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def _request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.csrf and method != "GET":
            headers["X-CSRFToken"] = self.csrf
            headers["Referer"] = self.url + "/"
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise SupersetError(f"cannot reach Superset at {self.url}: {reason}") from None

    def json(self, method, path, payload=None, ok=(200, 201)):
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = self._request(method, path, body, {"Content-Type": "application/json"})
        if status not in ok:
            raise SupersetError(f"{method} {path}: HTTP {status}: {_message(data)}")
        return json.loads(data or b"{}")

    def login(self, username, password):
        status, data = self._request("POST", "/api/v1/security/login",
                                     json.dumps({"username": username, "password": password,
                                                 "provider": "db", "refresh": False}).encode(),
                                     {"Content-Type": "application/json"})
        if status == 401:
            raise SupersetError(f"Superset at {self.url} refused the login of user {username!r} "
                                "(wrong password, or not a user of the database provider)")
        if status != 200:
            raise SupersetError(f"login at {self.url}: HTTP {status}: {_message(data)}")
        self.token = json.loads(data)["access_token"]
        self.csrf = self.json("GET", "/api/v1/security/csrf_token/")["result"]

    def health(self):
        status, data = self._request("GET", "/health")
        return status == 200 and data.strip() == b"OK"

    def post_files(self, path, fields, files):
        """A multipart/form-data POST: fields {name: text}, files {name: (filename, bytes)}."""
        boundary = "----shopstream" + secrets.token_hex(12)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                         + value.encode() + b"\r\n")
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{filename}"\r\nContent-Type: application/zip\r\n\r\n'.encode()
                         + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        status, data = self._request("POST", path, body,
                                     {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        if status != 200:
            raise SupersetError(f"POST {path}: HTTP {status}: {_message(data)}")
        return json.loads(data or b"{}")

    def get_bytes(self, path):
        status, data = self._request("GET", path)
        if status != 200:
            raise SupersetError(f"GET {path}: HTTP {status}: {_message(data)}")
        return data

    def find(self, kind, column, value, columns=("id",), opr="eq"):
        """Objects of an API resource (dashboard, chart, dataset, database) whose `column` equals
        value (opr rel_o_m for a relation, such as a dataset's database)."""
        q = "(filters:!((col:{},opr:{},value:'{}')),columns:!({}),page_size:100)".format(
            column, opr, str(value).replace("'", "!'"), ",".join(columns))
        return self.json("GET", f"/api/v1/{kind}/?q={urllib.parse.quote(q)}")["result"]


def _message(data):
    """The useful part of an error answer, without echoing whole pages."""
    try:
        doc = json.loads(data)
    except ValueError:
        return data[:300].decode("utf-8", "replace")
    if isinstance(doc, dict):
        errors = doc.get("errors")
        if errors:
            return "; ".join(_error_text(e) for e in errors)[:2000]
        return str(doc.get("message", doc))[:2000]
    return str(doc)[:2000]


def _error_text(error):
    text = error.get("message", "")
    extra = error.get("extra") or {}
    details = {k: v for k, v in extra.items() if k not in ("issue_codes",)}
    return f"{text} {json.dumps(details)[:1500]}" if details else text
