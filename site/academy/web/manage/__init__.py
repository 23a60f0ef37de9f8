"""The community manager's console: every page under /manage.

Each view checks the role first, reads forms through the CSRF check, and
leaves every rule to academy.services.manage. A form that breaks a rule is
shown again with its errors; other errors become pages in errors.py.

One module per area of the console; each lists its own routes, and `routes`
here mounts them all.
"""

from academy.web.manage import (
    certificates,
    cohorts,
    eligibility,
    learners,
    quizzes,
    replies,
    reports,
)

routes = [
    *cohorts.routes,
    *learners.routes,
    *quizzes.routes,
    *replies.routes,
    *certificates.routes,
    *eligibility.routes,
    *reports.routes,
]
