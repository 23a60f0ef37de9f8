"""Run 1EdTech's Open Badges 2.0 validator with every HTTP request answered locally.

It runs inside the validator's own virtualenv (see test_obvalidator.py), never
in the app's: `python obvalidator_wrapper.py ANSWERS.json BADGE.png EMAIL`.
ANSWERS.json maps each URL to {"status", "content_type", and "text" or
"base64"}. The OB 2.0 JSON-LD context is answered from the copy the
`openbadges` package ships. Any other URL is refused, and sockets are closed
to this process, so nothing reaches the network. Prints one JSON object: the
validator's report, the URLs it asked for and those it was refused.
"""

import base64
import json
import socket
import sys
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict


def _answer_locally(answers: dict[str, Any], log: dict[str, list[str]]) -> None:
    def send(
        self: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        log["requested"].append(url)
        answer = answers.get(url)
        if answer is None:
            log["refused"].append(url)
            raise requests.ConnectionError(f"offline: no local answer for {url}")
        response = requests.Response()
        response.status_code = answer["status"]
        response.reason = "Gone" if answer["status"] == 410 else "OK"
        response.headers = CaseInsensitiveDict({"Content-Type": answer["content_type"]})
        if "base64" in answer:
            response._content = base64.b64decode(answer["base64"])
        else:
            response._content = answer["text"].encode("utf-8")
        response.encoding = "utf-8"
        response.url = url
        response.request = request
        return response

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise OSError("the offline validator wrapper allows no network connection")

    # Every session the validator makes (requests and requests_cache alike)
    # ends in HTTPAdapter.send.
    HTTPAdapter.send = send  # type: ignore[method-assign]
    socket.socket.connect = no_network  # type: ignore[method-assign]
    socket.create_connection = no_network  # type: ignore[assignment]


def main(answers_path: str, badge_path: str, email: str) -> None:
    from openbadges.verifier.openbadges_context import (
        OPENBADGES_CONTEXT_V2_DICT,
        OPENBADGES_CONTEXT_V2_URI,
    )

    with open(answers_path, encoding="utf-8") as answers_file:
        answers = json.load(answers_file)
    answers.setdefault(
        OPENBADGES_CONTEXT_V2_URI,
        {
            "status": 200,
            "content_type": "application/ld+json",
            "text": json.dumps(OPENBADGES_CONTEXT_V2_DICT),
        },
    )
    log: dict[str, list[str]] = {"requested": [], "refused": []}
    _answer_locally(answers, log)

    from openbadges import verify

    with open(badge_path, "rb") as badge:
        result = verify(badge, recipient_profile={"email": email})
    json.dump({"report": result["report"], **log}, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:])
