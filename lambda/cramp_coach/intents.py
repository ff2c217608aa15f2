"""The names Alexa uses to tell the skill what was asked: intents, their slots and request
types, each declared once here (topic intents are declared by content/, with their answers)."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    # Alexa's built-in intents
    YES = "AMAZON.YesIntent"
    NO = "AMAZON.NoIntent"
    HELP = "AMAZON.HelpIntent"
    FALLBACK = "AMAZON.FallbackIntent"
    STOP = "AMAZON.StopIntent"
    CANCEL = "AMAZON.CancelIntent"
    NAVIGATE_HOME = "AMAZON.NavigateHomeIntent"
    REPEAT = "AMAZON.RepeatIntent"
    NEXT = "AMAZON.NextIntent"
    PREVIOUS = "AMAZON.PreviousIntent"
    PAUSE = "AMAZON.PauseIntent"
    RESUME = "AMAZON.ResumeIntent"
    START_OVER = "AMAZON.StartOverIntent"
    # the skill's own
    SOURCE = "SourceIntent"
    HOLD = "HoldIntent"  # "hang on": the place is kept while the person gets ready
    MORE = "TellMeMoreIntent"  # "tell me more" about the last answer
    START_ROUTINE = "StartRoutineIntent"
    RESUME_ROUTINE = "ResumeRoutineIntent"
    ROUTINE_STATUS = "RoutineStatusIntent"
    SKIP = "SkipIntent"
    EXPLAIN = "ExplainIntent"  # inside the routine: the last stretch's full instructions
    SET_REMINDER = "SetReminderIntent"
    LIST_REMINDERS = "ListRemindersIntent"
    CHANGE_REMINDER = "ChangeReminderIntent"
    CANCEL_REMINDER = "CancelReminderIntent"
    DELETE_DATA = "DeleteDataIntent"
    VOICE = "VoiceIntent"
    MOVED = "MovedIntent"


class Slot(StrEnum):
    LENGTH = "length"  # StartRoutineIntent: which routine
    TIME = "time"  # SetReminderIntent, ChangeReminderIntent
    FREQUENCY = "frequency"  # SetReminderIntent, ChangeReminderIntent (which one)
    DATE = "date"  # SetReminderIntent: the day of a one-off reminder (AMAZON.DATE)
    DURATION = "duration"  # SetReminderIntent: "in an hour" (AMAZON.DURATION)
    CHOICE = "choice"  # ChangeReminderIntent: "the first one" (REMINDER_CHOICE)
    VOICE_MODE = "mode"  # VoiceIntent


class Request(StrEnum):
    LAUNCH = "LaunchRequest"
    INTENT = "IntentRequest"
    SESSION_ENDED = "SessionEndedRequest"
    SESSION_RESUMED = "SessionResumedRequest"
    CONNECTIONS_RESPONSE = "Connections.Response"
    SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"
    USER_EVENT = "Alexa.Presentation.APL.UserEvent"  # a touch on a screen (screens.py)


class Touch(StrEnum):
    """The first argument of a UserEvent: which button on the stretch screen was touched (the
    documents in content/apl/ send these; each does what its spoken command does)."""

    NEXT = "next"
    PAUSE = "pause"
    REPEAT = "repeat"


# Requests answered in words; any other is an event, which Alexa answers silently.
SPOKEN = frozenset(
    {
        Request.LAUNCH,
        Request.INTENT,
        Request.SESSION_RESUMED,
        Request.CONNECTIONS_RESPONSE,
        Request.USER_EVENT,
    }
)
