"""The walk-through of a session: "▶ Start" under the session message sends one message
with a picture, and every step after it (each exercise, the relaxation, the lesson, the
report) changes that same message."""
