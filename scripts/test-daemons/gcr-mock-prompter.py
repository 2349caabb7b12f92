"""Answers gnome-keyring's prompts headless, from a script of responses.

libgcr-base-3 ships a mock system prompter for its own tests. This script
starts it on the session bus, prints its bus name on stdout (the value for
GNOME_KEYRING_TEST_PROMPTER) and queues the responses read from stdin,
separated by white space, because passwords do not belong on a command line:

    pw:PASSWORD   enter PASSWORD in a password prompt
    cancel        cancel a password prompt
    confirm       accept a confirmation prompt
    deny          cancel a confirmation prompt

When the queue runs empty the last response is queued again, so one
response answers every prompt the same way.
"""

import ctypes
import sys
import time

gcr = ctypes.CDLL("libgcr-base-3.so.1")
gcr.gcr_mock_prompter_start.restype = ctypes.c_char_p
gcr.gcr_mock_prompter_is_expecting.restype = ctypes.c_int


def queue_response(response):
    if response.startswith("pw:"):
        password = ctypes.c_char_p(response[3:].encode())
        # The NULL ends the list of properties to set on the prompt.
        gcr.gcr_mock_prompter_expect_password_ok(password, ctypes.c_void_p(None))
    elif response == "cancel":
        gcr.gcr_mock_prompter_expect_password_cancel()
    elif response == "confirm":
        gcr.gcr_mock_prompter_expect_confirm_ok(ctypes.c_void_p(None))
    elif response == "deny":
        gcr.gcr_mock_prompter_expect_confirm_cancel()
    else:
        sys.exit("gcr-mock-prompter.py: invalid response %r, expected pw:PASSWORD, cancel, confirm or deny" % response)


def main(responses):
    if not responses:
        sys.exit("usage: echo RESPONSE... | gcr-mock-prompter.py")
    bus_name = gcr.gcr_mock_prompter_start()
    for response in responses:
        queue_response(response)
    print(bus_name.decode(), flush=True)
    # The mock runs its own thread; this one only refills the queue.
    while True:
        time.sleep(0.05)
        if not gcr.gcr_mock_prompter_is_expecting():
            queue_response(responses[-1])


main(sys.stdin.read().split())
