"""What finds a record: an email address, and a learner id that names a file.

Accounts and eligibility records are both looked up by email, so the two must
agree on when two addresses are the same one.
"""

import re

# Learner ids become file names: an id from a form ("../x", a NUL) that is not
# a plain name is nobody's and must never reach the file system.
LEARNER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def email_key(email: str) -> str:
    """Emails compare without case or surrounding spaces."""
    return email.strip().casefold()
