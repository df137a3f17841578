"""A patient's card for their therapist, and everything the therapist does from it.

The card is one message that the buttons edit in place: `view` draws it and holds
the skeleton every action follows; `plan` edits the plan, `schedule` moves the
training time or pauses, `contact` sends a message or ends the link.
"""
