"""Domain errors: the entry points turn each into a friendly reply."""


class CoachbotError(Exception):
    """Base of every error a person can cause."""


class NotEnrolled(CoachbotError):
    """The person has no patient record (or it was deleted)."""


class NotYours(CoachbotError):
    """The record named by a button does not belong to the person who pressed it."""


class SessionClosed(CoachbotError):
    """The session is not today's any more, so it cannot be reported."""


class AlreadyReported(CoachbotError):
    """This answer was recorded before; a second tap changes nothing."""


class TrainingStopped(CoachbotError):
    """Training is stopped after a red-flag answer; only the patient restarts it, once a
    doctor has cleared them."""


class InvalidInvite(CoachbotError):
    """The invite code is unknown, used or expired."""


class NotATherapist(CoachbotError):
    """A therapist command from someone who is not a therapist."""


class RoleConflict(CoachbotError):
    """A patient cannot become a therapist with the same account, nor the other way."""


class AlreadyDecided(CoachbotError):
    """A proposed plan change was accepted or rejected before."""


class InvalidChange(CoachbotError):
    """A plan edit the plan cannot take (its last exercise, an unsafe or duplicate one)."""


class GoneFromPlan(CoachbotError):
    """A button names a plan item that is no longer in the patient's plan."""


class StaleButton(CoachbotError):
    """A button from a message that no longer leads anywhere (an older walk-through, a
    step that is no longer there)."""
