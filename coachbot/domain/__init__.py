"""The domain: plain data and pure rules. No I/O; `now` is always a parameter."""
