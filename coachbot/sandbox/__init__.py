"""`coachbot sandbox`: the real bot in the browser, with no token and no internet.

The same Application, handlers, dispatcher and database code as `coachbot run`; only the
Bot API endpoint differs (coachbot/botapi, on 127.0.0.1), and a web page stands in for
the Telegram apps of a therapist and their patients (web.py, static/). The bot's clock
can be moved on (timeline.py), so a week of training is lived through in minutes.
"""
