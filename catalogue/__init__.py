"""Content as data: exercises, relaxation techniques and back-school lessons."""
