"""The signing agent (``docflow-agent``): the leader's USB token, reached from the browser.

It runs on the leader's PC and speaks the request/response shape of the Ban Cơ yếu
"VGCA Sign Service" (``wss://127.0.0.1:8987/SignApproved`` ...; see
:mod:`signing.agent.protocol`), so a page written for that plug-in also works with it.
For each request it downloads the PDF from the docflow server, asks for the PIN locally,
signs through PKCS#11 with :func:`signing.sign.sign_pdf`, and posts the signed file to
the upload handler. The private key never leaves the token; the PIN never leaves the PC.

    from signing.agent import AgentConfig, run_in_thread
    agent = run_in_thread(AgentConfig(server="https://docflow.example", module=...,
                                      token_label="VGCA", pin_provider=ask_pin))
"""

from .protocol import Status
from .server import AgentConfig, PinPrompt, RunningAgent, origin_of, run_in_thread

__all__ = [
    "AgentConfig",
    "PinPrompt",
    "RunningAgent",
    "Status",
    "origin_of",
    "run_in_thread",
]
