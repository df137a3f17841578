"""The red-flag screen: a message per group of warning signs with a "Yes: ..." button
per sign and "None of these", asked at enrolment (onboarding.py) and again from
/settings; the advice after a yes, worded for who will read the answer.

The groups, their signs and the urgency of each are `coachbot.domain.red_flags`'.
"""

from __future__ import annotations

from telegram import Chat, InlineKeyboardMarkup, Update

from coachbot import screening
from coachbot.domain.model import Patient
from coachbot.domain.red_flags import GROUPS, RED_FLAGS, Group, Urgency
from coachbot.domain.vocabulary import RedFlag
from coachbot.i18n import Translator
from conversations import buttons, keyboards
from conversations.context import CoachContext, clear_buttons, tr
from conversations.keyboards import Answer


def sign_question(flag: RedFlag, _: Translator) -> str:
    """One warning sign in plain words, as a line of its group's question."""
    questions = {
        RedFlag.CAUDA_EQUINA: _(
            "trouble passing urine or controlling your bladder or bowels, or numbness "
            "around your genitals or back passage (where you would sit on a saddle)"
        ),
        RedFlag.SEXUAL_DYSFUNCTION: _(
            "numbness or loss of feeling during sex, or problems getting an erection"
        ),
        RedFlag.LEG_WEAKNESS: _("weakness in both legs, or legs that give way when you walk"),
        RedFlag.ONE_LEG_WEAKNESS: _(
            "one leg or foot getting weaker or numb, for example the foot slaps down or "
            "catches on the ground when you walk"
        ),
        RedFlag.FEVER_WEIGHT: _("a fever or chills, or feeling very unwell, with your back pain"),
        RedFlag.WEIGHT_LOSS: _("losing weight recently without trying"),
        RedFlag.CANCER: _(
            "back pain that started or changed since you were diagnosed with cancer, "
            "and no doctor has checked it yet"
        ),
        RedFlag.INFECTION_RISK: _(
            "a weakened immune system (for example from chemotherapy, medicines after a "
            "transplant, or HIV), or injecting drugs"
        ),
        RedFlag.NIGHT_PAIN: _(
            "back pain at night or at rest that does not ease when you change position"
        ),
        RedFlag.TRAUMA: _(
            "back pain that started after a serious fall, accident or injury in the last few weeks"
        ),
        RedFlag.FRACTURE_RISK: _(
            "steroid tablets taken for months, or osteoporosis (thin bones), and back pain "
            "that started after a minor fall, lift or strain"
        ),
        RedFlag.NEW_AFTER_50: _(
            "back pain that began for the first time after the age of 50, and no doctor "
            "has checked it yet"
        ),
    }
    return questions[flag]


def group_text(group: Group, _: Translator) -> str:
    """The question of one group: its warning signs as a list, and how to answer."""
    titles = {
        Group.NERVES: _("Nerves, bladder and bowel"),
        Group.ILLNESS: _("Your health in general"),
        Group.INJURY: _("Falls and bones"),
    }
    asks = {
        Group.NERVES: _("Do you have any of these, new or getting worse?"),
        Group.ILLNESS: _("Do you have any of these?"),
        Group.INJURY: _("Does any of this apply to you?"),
    }
    number = list(Group).index(group) + 1
    head = _("Safety check {number} of {total}: {title}").format(
        number=number, total=len(Group), title=titles[group]
    )
    signs = "\n".join(f"• {sign_question(flag, _)}" for flag in GROUPS[group])
    return f"🩺 <b>{head}</b>\n{asks[group]}\n\n{signs}\n\n" + _(
        "Tap the one that applies, or “None of these”."
    )


def group_question(group: Group, answer: Answer, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons asking `group`; `answer` gives each button's data."""
    return group_text(group, _), keyboards.warning_signs(answer, GROUPS[group], _)


def red_flag_advice(flag: RedFlag, linked: bool, _: Translator) -> str:
    """What to do after a yes, by the sign's urgency; a therapist is named only if one is
    linked, who will see it (otherwise the answer is for their doctor)."""
    if RED_FLAGS[flag] is Urgency.EMERGENCY:
        act = _(
            "⚠️ Please do not exercise now. This sign needs a doctor's assessment today: "
            "contact your doctor or an emergency department right away, or call your local "
            "emergency number (112 in Europe, 911 in the USA)."
        )
        told = (
            _("I have noted this for your therapist and will not send training.")
            if linked
            else _("Please show this message to the doctor. I will not send training.")
        )
        return f"{act}\n\n{told} " + _(
            "When a doctor has checked you and says exercise is fine, send /resume."
        )
    act = _(
        "⚠️ Please see your doctor before you start training, and tell them about this "
        "answer. I am not able to judge it, and it is worth checking first."
    )
    told = (
        _("I have noted this for your therapist and will not send training for now.")
        if linked
        else _("Please show this message to your doctor. I will not send training for now.")
    )
    return f"{act}\n\n{told} " + _("When a doctor says exercise is fine for you, send /resume.")


# --- checking again from /settings ------------------------------------------------------


def retake_question(group: Group, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    return group_question(group, buttons.SCREEN.answer(group), _)


async def answer_retake(update: Update, context: CoachContext) -> None:
    """A button of the screen taken again from /settings: the next group, or the end."""
    query = update.callback_query
    assert query is not None
    data = buttons.SCREEN.read(context)
    group, value = data.word("group", Group), data.text("value")
    async with context.uow() as uow:
        patient = (await context.person(query.from_user, uow)).enrolled()
        current = screening.retake_group(patient.step) == group
        if current:
            outcome, flag = await screening.answer_retake(uow, patient, group, value, context.now())
            await uow.commit()
    _ = tr(patient.language)
    if not current:
        await query.answer(_("That question is already answered."))
        await clear_buttons(query)
        return
    if outcome is screening.Screened.INVALID:
        await query.answer(_("Sorry, I did not understand that button."))
        return
    await query.answer()
    await clear_buttons(query)
    if query.message is not None:
        await after_retake(query.message.chat, patient, outcome, flag)


async def after_retake(
    chat: Chat, patient: Patient, outcome: screening.Screened, flag: RedFlag | None
) -> None:
    """The next group, the advice after a yes, or the thanks for a clear screen."""
    _ = tr(patient.language)
    group = screening.retake_group(patient.step)
    if outcome is screening.Screened.NEXT and group is not None:
        text, markup = retake_question(group, _)
        await chat.send_message(text, reply_markup=markup)
    elif outcome is screening.Screened.STOP and flag is not None:
        await chat.send_message(red_flag_advice(flag, patient.therapist_id is not None, _))
    elif outcome is screening.Screened.CLEAR:
        text = _("✅ Thank you: none of the warning signs. Training goes on as planned.")
        if patient.therapist_id is not None:
            text += " " + _("Your therapist sees that you checked today.")
        await chat.send_message(
            text + "\n\n" + _("If one of these signs appears later, check again in /settings.")
        )


async def ask_retake(chat: Chat, patient: Patient) -> None:
    """The group a re-take is at, asked again (after typed text, say)."""
    group = screening.retake_group(patient.step)
    if group is not None:
        text, markup = retake_question(group, tr(patient.language))
        await chat.send_message(text, reply_markup=markup)
