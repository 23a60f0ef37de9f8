"""The review queue: practice replies waiting for a manager, and the verdicts."""

from academy.domain.curriculum import Module, Question, Quiz
from academy.domain.errors import Conflict, Invalid, NotFound
from academy.domain.records import PracticeReply, ReplyState
from academy.services.certificates import Certificates
from academy.services.console_views import ReviewItem
from academy.services.context import Context
from academy.services.learners import Learners
from academy.services.listing import Page, paginate
from academy.services.summaries import SummaryIndex

REVIEWS_PER_PAGE = 10
MAX_COMMENT = 2000


class Reviews:
    """Reading the queue of replies and approving or returning one of them."""

    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        certificates: Certificates,
        learners: Learners,
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.certificates = certificates
        self.learners = learners

    def review_queue(self, number: int) -> Page[ReviewItem]:
        """Replies waiting for review, oldest first; files are read for one page."""
        pending = paginate(self.ctx.store.pending_replies(), number, REVIEWS_PER_PAGE)
        items = []
        for entry in pending.items:
            data = self.ctx.store.learner(entry.user_id)
            reply = data.replies.get(entry.key) if data else None
            found = self._question(entry.key)
            if data is None or reply is None or found is None:
                continue
            quiz, module, question = found
            items.append(ReviewItem(data.user, quiz, module, question, reply))
        return Page(tuple(items), pending.number, pending.size, pending.total)

    def _question(self, key: str) -> tuple[Quiz, Module, Question] | None:
        quiz_slug, _, question_id = key.partition("/")
        curriculum = self.ctx.content.curriculum
        quiz = curriculum.quizzes.get(quiz_slug)
        module = curriculum.module_for_quiz(quiz_slug)
        question = quiz.question(question_id) if quiz else None
        if quiz is None or module is None or question is None:
            return None
        return quiz, module, question

    def review(
        self,
        user_id: str,
        key: str,
        version: str,
        approve: bool,
        comment: str,
        actor: str,
    ) -> PracticeReply:
        """Approve or return one reply version; Conflict if it was reviewed already.

        The check and the write happen under the learner's lock, so of two
        managers reviewing at once exactly one succeeds. Approving the last
        missing item issues the certificate straight away.
        """
        comment = comment.strip()
        if not approve and not comment:
            message = "Say what to improve; the learner sees this comment."
            raise Invalid("The reply was not returned.", {"comment": message})
        if len(comment) > MAX_COMMENT:
            message = f"Keep the comment under {MAX_COMMENT} characters."
            raise Invalid("The review was not saved.", {"comment": message})
        if self._question(key) is None:
            raise NotFound("There is no such practice question.")

        with self.ctx.store.learner_lock(user_id):
            reply = self.learners.data(user_id).replies.get(key)
            if reply is None:
                raise NotFound("This learner has no reply to that question.")
            if (
                str(len(reply.versions)) != version
                or reply.state is not ReplyState.PENDING
            ):
                raise Conflict(
                    "This reply was reviewed by someone else, or the learner sent a "
                    "new version, while you were reading it. Open the queue again."
                )
            state = ReplyState.APPROVED if approve else ReplyState.RETURNED
            reviewed = reply.reviewed(state, actor, self.ctx.now(), comment)
            self.ctx.store.save_reply(reviewed)
            self.ctx.audit(
                actor,
                "reply.approve" if approve else "reply.return",
                user_id,
                f"{key} version {version}",
                comment,
            )
        self.summaries.refresh(user_id)
        self.certificates.issue_if_due(user_id)
        return reviewed
