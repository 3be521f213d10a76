"""The errors a change to a post may raise, for every module that changes posts.

The people's transitions (posts.services) and the publishing engine
(posts.publishing) both raise these; views turn them into messages.
"""

from collections.abc import Sequence


class PostError(Exception):
    """A rule stops this change; the message says which, in words for the person.

    ``problems`` lists every reason found (for example each check that failed),
    already in the words of the person who asked.
    """

    # A problem is anything that says itself in words: a string, or a readiness.Problem (its __str__).
    def __init__(self, message: str, problems: Sequence[object] = ()):
        super().__init__(message)
        self.message = message
        self.problems = [str(problem) for problem in problems]


class NotAllowed(PostError):
    """The person may not do this to this post (views answer 404 or explain the refusal)."""


class PostInDoubt(PostError):
    """A target of the post may already be on the platform: nothing may change under it until a person decides."""
